//! The demo's constant data (products, shops, names, complaint texts), kept in
//! `data/demo-catalogue.toml` so it reads as data; parsed once.

use std::sync::LazyLock;

use serde::Deserialize;
use weiquan_domain::{Category, ClaimKind, Role};

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    toml::from_str(include_str!("../../data/demo-catalogue.toml"))
        .expect("data/demo-catalogue.toml is valid")
});

pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub categories: Vec<ProductCategory>,
    pub ring: Ring,
    pub sellers: Vec<Seller>,
    pub staff: Vec<Staff>,
    pub names: Names,
    pub wave: Wave,
    pub ordinary: Vec<Ordinary>,
    pub reports: Reports,
}

impl Catalogue {
    /// A category's index, from the key the shops and templates name it by.
    pub fn category(&self, key: &str) -> usize {
        self.categories
            .iter()
            .position(|c| c.key == key)
            .unwrap_or_else(|| panic!("demo catalogue: no category {key:?}"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductCategory {
    pub key: String,
    #[serde(default = "yes")]
    pub seven_day_return: bool,
    pub products: Vec<Product>,
}

fn yes() -> bool {
    true
}

/// Prices in fen.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub title: String,
    pub variants: Vec<String>,
    pub min: i64,
    pub max: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ring {
    pub samples: Vec<Sample>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub title: String,
    pub min: i64,
    pub max: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seller {
    pub owner: String,
    pub shops: Vec<Shop>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shop {
    pub category: String,
    pub name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    pub username: String,
    pub role: Role,
    pub display_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub cities: Vec<String>,
    pub surnames: Vec<String>,
    pub nicknames: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wave {
    pub title: String,
    pub texts: Vec<WaveText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveText {
    pub claim: ClaimKind,
    pub text: String,
}

/// What an ordinary complaint's order must satisfy.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Any,
    LateShop,
    Late,
    Guarantee,
    SevenDay,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ordinary {
    pub category: Category,
    pub claim: ClaimKind,
    pub need: Need,
    pub shop_categories: Vec<String>,
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reports {
    pub brushing: String,
    pub ip_notice: String,
}
