//! The JSON API under `/api/v1` (DESIGN §5).

pub mod assistant;
pub mod complaints;
pub mod keys;
pub mod marketplace;
pub mod notifications;
pub mod push;
pub mod stats;
pub mod tier3;
pub mod webhooks;
