//! Errors of the domain, each with a stable code and a message in both languages.

use crate::lang::{Lang, Text};

/// How an error is to be answered; the server maps each kind to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is malformed (422, with the fields named).
    Invalid,
    /// The caller may not do this (403).
    Forbidden,
    /// Nothing the caller may see has this id (404).
    NotFound,
    /// The thing's state does not allow it now (409).
    Conflict,
}

/// One bad field of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: Text::new(zh, en),
        }
    }
}

/// Why the domain refused something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input: {}", fields_en(.0))]
    Invalid(Vec<FieldError>),
    #[error("forbidden: {}", .0.en)]
    Forbidden(Text),
    #[error("not found: {}", .0.en)]
    NotFound(Text),
    /// Escalating before the current tier has had its turn.
    #[error("tier order: {}", .0.en)]
    TierOrder(Text),
    /// The action does not apply in the current state.
    #[error("conflict ({code}): {}", .message.en)]
    Conflict { code: &'static str, message: Text },
}

/// "field: message; …" in English, for logs (pages and the API show each field on its own).
fn fields_en(fields: &[FieldError]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message.en))
        .collect();
    parts.join("; ")
}

impl DomainError {
    pub fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        DomainError::Invalid(vec![FieldError::new(field, zh, en)])
    }
    pub fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> Self {
        DomainError::Forbidden(Text::new(zh, en))
    }
    pub fn not_found(zh: impl Into<String>, en: impl Into<String>) -> Self {
        DomainError::NotFound(Text::new(zh, en))
    }
    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        DomainError::Conflict {
            code,
            message: Text::new(zh, en),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            DomainError::Invalid(_) => ErrorKind::Invalid,
            DomainError::Forbidden(_) => ErrorKind::Forbidden,
            DomainError::NotFound(_) => ErrorKind::NotFound,
            DomainError::TierOrder(_) | DomainError::Conflict { .. } => ErrorKind::Conflict,
        }
    }

    /// The stable machine-readable code of the error envelope.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid(_) => "validation",
            DomainError::Forbidden(_) => "forbidden",
            DomainError::NotFound(_) => "not_found",
            DomainError::TierOrder(_) => "tier_order",
            DomainError::Conflict { code, .. } => code,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            DomainError::Invalid(fields) => {
                let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
                match lang {
                    Lang::Zh => format!("输入有误，请检查这些字段：{}", names.join("、")),
                    Lang::En => format!("Some fields are invalid: {}", names.join(", ")),
                }
            }
            DomainError::Forbidden(t) | DomainError::NotFound(t) | DomainError::TierOrder(t) => {
                t.get(lang).to_owned()
            }
            DomainError::Conflict { message, .. } => message.get(lang).to_owned(),
        }
    }

    pub fn fields(&self) -> &[FieldError] {
        match self {
            DomainError::Invalid(f) => f,
            _ => &[],
        }
    }
}

/// Collects field errors while parsing a whole input, so the caller hears of all of them at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    /// Keeps the value of a parse, or records its field errors.
    pub fn take<T>(&mut self, r: Result<T, DomainError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(DomainError::Invalid(mut f)) => {
                self.0.append(&mut f);
                None
            }
            Err(other) => {
                // Parsers only return `Invalid`; anything else is a bug worth seeing loudly.
                self.0.push(FieldError::new(
                    "_",
                    other.message(Lang::Zh),
                    other.message(Lang::En),
                ));
                None
            }
        }
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}
