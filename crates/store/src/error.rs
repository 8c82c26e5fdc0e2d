//! The store's one error type; the server maps it once into the HTTP envelope.

use weiquan_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The domain refused (validation, permission, state).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A uniqueness rule or a concurrent change stopped the write.
    #[error("conflict ({code}): {en}")]
    Conflict {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// An upload's bytes are of a type not accepted as evidence.
    #[error("unsupported media: {en}")]
    UnsupportedMedia { zh: String, en: String },
    /// An upload is larger than allowed.
    #[error("too large: {size} bytes, limit {limit}")]
    TooLarge { size: u64, limit: u64 },
    /// Stored data does not parse: a bug or tampering, never the caller's fault.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// The writer task has stopped (shutting down).
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Conflict {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }
    pub fn not_found(zh: &str, en: &str) -> Self {
        StoreError::Domain(DomainError::not_found(zh, en))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// A uniqueness rule refused the write (the row exists already), on either backend.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
                f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            StoreError::Postgres(sqlx::Error::Database(d)) => d.is_unique_violation(),
            _ => false,
        }
    }
}
