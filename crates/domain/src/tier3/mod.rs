//! Beyond one complaint: reports (举报), tier-3 cases, the penalty ladder, the shop's standing and
//! the commitment monitors (DESIGN §2–§4). Pure: the store calls these inside its transactions.

mod cases;
mod monitors;
mod reports;
mod standing;

pub use cases::*;
pub use monitors::*;
pub use reports::*;
pub use standing::*;

#[cfg(test)]
mod tests;
