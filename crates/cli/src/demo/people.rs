//! Who is in the demo: buyers, sellers and staff, and the shops; the same for every seed.

use weiquan_domain::Role;
use weiquan_domain::ShopId;
use weiquan_domain::records::{Commitments, ShopRecord};

use super::catalogue::catalogue;
use super::{BUYERS, DemoUser, LATE_SHOP, WAVE_SHOP, uname};

pub(super) fn buyer_name(i: usize) -> String {
    let names = &catalogue().names;
    let (s, c, n) = (
        &names.surnames[i * 7 % names.surnames.len()],
        &names.cities[i * 5 % names.cities.len()],
        &names.nicknames[i * 3 % names.nicknames.len()],
    );
    match i % 4 {
        0 => format!("{c}{s}女士"),
        1 => format!("小{s}"),
        2 => n.to_owned(),
        _ => format!("{c}{s}先生"),
    }
}

pub(super) fn users() -> Vec<DemoUser> {
    let mut v = Vec::new();
    let mut add = |name: String, role, display_name| {
        v.push(DemoUser {
            username: uname(&name),
            role,
            display_name,
        })
    };
    for i in 1..=BUYERS {
        add(format!("buyer{i:02}"), Role::Consumer, buyer_name(i));
    }
    for i in 1..=20 {
        add(
            format!("shua{i:02}"),
            Role::Consumer,
            format!("淘友{:04}", 1000 + i * 7919 % 9000),
        );
    }
    for (i, seller) in catalogue().sellers.iter().enumerate() {
        add(
            format!("seller{:02}", i + 1),
            Role::Merchant,
            seller.owner.clone(),
        );
    }
    for staff in &catalogue().staff {
        add(
            staff.username.clone(),
            staff.role,
            staff.display_name.clone(),
        );
    }
    v
}

/// The shops and their category indices; independent of the seed so the planted ids stay put.
pub(super) fn shops() -> (Vec<ShopRecord>, Vec<usize>) {
    let (mut shops, mut cats) = (Vec::new(), Vec::new());
    let data = catalogue();
    for (s, seller) in data.sellers.iter().enumerate() {
        for shop in &seller.shops {
            let (cat, name) = (data.category(&shop.category), &shop.name);
            let i = shops.len();
            let id = format!("shop-{:03}", i + 1);
            let mut c = Commitments {
                // Fresh food is exempt from 7-day returns.
                seven_day_return: data.categories[cat].seven_day_return && i % 9 != 5,
                authentic_guarantee: i % 2 == 0,
                ship_within_hours: [Some(48), Some(24), None, Some(72), Some(48)][i % 5],
            };
            if id == LATE_SHOP {
                c.ship_within_hours = Some(24);
            }
            if id == WAVE_SHOP {
                c.seven_day_return = true;
                c.authentic_guarantee = true;
            }
            shops.push(ShopRecord {
                id: ShopId::parse(&id).unwrap(),
                name: name.clone(),
                merchant: uname(&format!("seller{:02}", s + 1)),
                commitments: c,
            });
            cats.push(cat);
        }
    }
    (shops, cats)
}
