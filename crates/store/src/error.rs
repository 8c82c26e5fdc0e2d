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
    /// The writer task has stopped (shutting down), or the blob store cannot be reached.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The disk (or the database's) is full.
    #[error("storage full: {0}")]
    Full(String),
}

/// A failure that is nobody's bug: the caller may try again later (503), or storage is full (507).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Unavailable,
    Full,
}

/// Whether an I/O error says the disk is full (ENOSPC, or a quota: EDQUOT).
pub fn io_is_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || matches!(e.raw_os_error(), Some(28 | 122))
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
    /// Which passing fault this is, if any (else a bug, a 500).
    pub fn fault(&self) -> Option<Fault> {
        use rusqlite::ErrorCode as Code;
        match self {
            StoreError::Full(_) => Some(Fault::Full),
            StoreError::Unavailable(_) => Some(Fault::Unavailable),
            StoreError::Io(e) if io_is_full(e) => Some(Fault::Full),
            StoreError::Io(_) => Some(Fault::Unavailable),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => match f.code {
                Code::DiskFull => Some(Fault::Full),
                Code::DatabaseBusy
                | Code::DatabaseLocked
                | Code::CannotOpen
                | Code::SystemIoFailure
                | Code::OutOfMemory => Some(Fault::Unavailable),
                _ => None,
            },
            StoreError::Postgres(e) => pg_fault(e),
            StoreError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => pg_fault(e),
            _ => None,
        }
    }

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

/// PostgreSQL's passing faults: the server unreachable, shutting down, out of connections or
/// memory (class 08, 57P01–57P03, 53000, 53200, 53300), or its disk full (53100).
fn pg_fault(e: &sqlx::Error) -> Option<Fault> {
    match e {
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("53100") => Some(Fault::Full),
            Some(c) if c.starts_with("08") => Some(Fault::Unavailable),
            Some("57P01" | "57P02" | "57P03" | "53000" | "53200" | "53300") => {
                Some(Fault::Unavailable)
            }
            _ => None,
        },
        sqlx::Error::Io(e) if io_is_full(e) => Some(Fault::Full),
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => Some(Fault::Unavailable),
        _ => None,
    }
}
