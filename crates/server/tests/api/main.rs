//! API tests: each spawns the real server on port 0 with a fresh data dir and talks HTTP.

mod helpers;

mod jury;

mod assistant;
mod auth;
mod brushing;
mod bundles;
mod connections;
mod errors;
mod evidence;
mod faults;
mod market;
mod notifications;
mod refusals;
mod snapshots;
mod stats;
mod tier3;
mod timers;
mod versions;
mod walk;
mod web;
mod webhooks;
