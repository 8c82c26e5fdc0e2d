#![doc = include_str!("../README.md")]

pub mod normalize;
pub mod segment;
