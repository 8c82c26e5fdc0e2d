//! API tests: each spawns the real server on port 0 with a fresh data dir and talks HTTP.

mod helpers;

mod assistant;
mod auth;
mod errors;
mod evidence;
mod refusals;
mod stats;
mod timers;
mod walk;
