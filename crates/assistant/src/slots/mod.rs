//! Slot extraction: order number, product, when it happened, and the claim.

pub mod claim;
pub mod cnnum;
pub mod order;
pub mod product;
pub mod promise;
pub mod reference;
pub mod time;

pub use claim::{Amount, ClaimSlot, amounts, claim};
pub use order::{order_no, order_numbers};
pub use product::match_product;
pub use time::incident_at;
