//! `serve --demo`: a demo marketplace, seeded once.

use std::path::Path;

use anyhow::Context;
use weiquan_domain::*;
use weiquan_store::{Clock, NewUser, Store, StoreError};

use crate::demo::{self, DEMO_PASSWORD};

const MARKER: &str = "demo-seeded";

/// Seeds the demo marketplace unless this data dir already has it, then prints the accounts.
/// Its orders and complaints are recent as of the clock's time.
pub async fn seed_demo(
    store: &dyn Store,
    clock: &dyn Clock,
    data_dir: &Path,
) -> anyhow::Result<()> {
    let marker = data_dir.join(MARKER);
    if !marker.exists() {
        seed(store, clock).await?;
        std::fs::write(
            &marker,
            b"the demo marketplace was seeded into this data dir\n",
        )?;
    }
    println!("演示账号 / demo accounts (password 密码: {DEMO_PASSWORD}):");
    println!(
        "  买家 consumers:  buyer01 … buyer200 (buyer181 … buyer200 volunteer for the public jury 大众评审)"
    );
    println!("  卖家 merchants:  seller01 … seller32");
    println!("  客服 tier 1:     agent01, agent02");
    println!("  消保 tier 2:     guard01, guard02");
    println!("  监管 tier 3:     regulator01");
    println!("  管理员 admin:    admin");
    Ok(())
}

async fn seed(store: &dyn Store, clock: &dyn Clock) -> anyhow::Result<()> {
    let m = demo::generate(20_260_501, clock.now());
    // One hash for every demo account: they share the published demo password anyway.
    let hash =
        tokio::task::spawn_blocking(|| weiquan_server::auth::hash_password(DEMO_PASSWORD)).await?;
    let users: Vec<NewUser> = m
        .users
        .iter()
        .map(|u| NewUser {
            username: u.username.clone(),
            role: u.role,
            display_name: u.display_name.clone(),
            password_hash: Some(hash.clone()),
        })
        .collect();
    // The jury's volunteers first, a year old: a juror's account must be old enough to sit.
    let (volunteers, users): (Vec<NewUser>, Vec<NewUser>) = users
        .into_iter()
        .partition(|u: &NewUser| m.jurors.contains(&u.username));
    store
        .ensure_users(volunteers, clock.now() - chrono::Duration::days(365))
        .await
        .context("seeding jury volunteers")?;
    store
        .ensure_users(users, clock.now())
        .await
        .context("seeding users")?;
    for name in &m.jurors {
        let user = store
            .user_by_username(name.as_str())
            .await?
            .context("demo juror missing")?;
        let settings = weiquan_store::Settings {
            lang: Lang::Zh,
            email: None,
            juror: true,
        };
        store
            .set_settings(&user.actor(), settings, clock.now())
            .await
            .context("a demo juror volunteering")?;
    }
    check(store.import_shops(m.shops, clock.now()).await?, "shop")?;
    for chunk in m.orders.chunks(1000) {
        check(
            store.import_orders(chunk.to_vec(), clock.now()).await?,
            "order",
        )?;
    }
    for c in m.complaints {
        let user = store
            .user_by_username(c.consumer.as_str())
            .await?
            .context("demo consumer missing")?;
        let new = NewComplaint {
            order_no: c.order_no,
            product: c.product,
            category: c.category,
            incident_at: c.incident_at,
            description: c.description,
            claim: Claim::parse("claim", c.claim_kind.as_str(), c.amount_cents)?,
            on_behalf_of: None,
        };
        match store
            .file_complaint(&user.actor(), new, Channel::Web, clock.now())
            .await
        {
            Ok(_)
            | Err(StoreError::Conflict {
                code: "duplicate_complaint",
                ..
            }) => {}
            Err(e) => return Err(e).context("seeding a demo complaint"),
        }
    }
    // Their waves now, as a node does right after each filing.
    while store.assign_collective(clock.now()).await? > 0 {}
    for r in m.reports {
        let user = store
            .user_by_username(r.reporter.as_str())
            .await?
            .context("demo reporter missing")?;
        let new = weiquan_domain::tier3::NewReport {
            shop_id: r.shop_id,
            kind: r.kind,
            description: r.description,
            order_no: None,
            listing: r.listing,
            on_behalf_of: None,
        };
        store
            .file_report(&user.actor(), new, Channel::Web, clock.now())
            .await
            .context("seeding a demo report")?;
    }
    Ok(())
}

fn check(outcome: weiquan_store::ImportOutcome, what: &str) -> anyhow::Result<()> {
    if let Some(Err(e)) = outcome.into_iter().find(|r| r.is_err()) {
        anyhow::bail!("a demo {what} did not import: {e}");
    }
    Ok(())
}
