//! What a new password and a self-chosen name must not be.
//!
//! `data/common-passwords.txt` is the first 10,000 lines of the common-password list Django
//! ships (`django/contrib/auth/common-passwords.txt.gz`, BSD licence): Royce Williams' list
//! of 20,000 common passwords, lowercased and deduplicated, most common first
//! (gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce).

use std::collections::HashSet;
use std::sync::LazyLock;

use weiquan_domain::DomainError;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .collect()
});

/// Checks a new password: 8 to 128 characters, not one character repeated or only
/// whitespace, not one of the 10,000 most common.
pub fn check_password(p: &str) -> Result<(), DomainError> {
    let n = p.chars().count();
    if !(8..=128).contains(&n) {
        return Err(DomainError::invalid(
            "password",
            "密码长度应为8到128个字符",
            "a password has 8 to 128 characters",
        ));
    }
    let mut chars = p.chars();
    let first = chars.next();
    if p.trim().is_empty() || chars.all(|c| Some(c) == first) {
        return Err(DomainError::invalid(
            "password",
            "密码不能只有空格或同一个字符",
            "a password cannot be only spaces or one character repeated",
        ));
    }
    if COMMON.contains(p.to_lowercase().as_str()) {
        return Err(DomainError::invalid(
            "password",
            "这个密码太常见，很容易被猜到，请换一个",
            "this password is among the most common and easily guessed; choose another",
        ));
    }
    Ok(())
}

/// Names only staff and the platform may go by: a username starting or ending with one of
/// these (digits and `_ . -` aside), or a display name containing one.
const RESERVED_LATIN: &[&str] = &[
    "admin",
    "administrator",
    "root",
    "system",
    "sysadmin",
    "support",
    "kefu",
    "weiquan",
    "official",
    "staff",
    "moderator",
    "service",
    "helpdesk",
    "security",
    "guanfang",
];
const RESERVED_CJK: &[&str] = &[
    "客服",
    "官方",
    "管理员",
    "维权",
    "平台",
    "系统",
    "小蜜",
    "工作人员",
    "消保",
];

/// Whether a self-chosen username or display name would pass for staff or the platform.
pub fn is_reserved(name: &str) -> bool {
    let folded: String = name
        .to_lowercase()
        .chars()
        .filter(|c| !(c.is_ascii_digit() || c.is_whitespace() || "_.-·".contains(*c)))
        .collect();
    RESERVED_CJK.iter().any(|w| folded.contains(w))
        || RESERVED_LATIN
            .iter()
            .any(|w| folded.starts_with(w) || folded.ends_with(w))
}

/// A self-chosen name that passes for staff is refused, naming the field.
pub fn check_not_reserved(field: &str, name: &str) -> Result<(), DomainError> {
    if is_reserved(name) {
        return Err(DomainError::invalid(
            field,
            "这个名称留给平台工作人员使用，请换一个",
            "this name is reserved for the platform's staff; choose another",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused() {
        for p in [
            "12345678",
            "password",
            "Password",
            "qwertyuiop",
            "        ",
            "aaaaaaaaaa",
            "short",
        ] {
            assert!(check_password(p).is_err(), "{p:?}");
        }
        for p in [
            "test-password-1",
            "a-good-password",
            "correct horse battery",
        ] {
            assert!(check_password(p).is_ok(), "{p:?}");
        }
        assert_eq!(COMMON.len(), 10_000);
    }

    #[test]
    fn staff_like_names_are_reserved() {
        for n in [
            "admin",
            "admin2",
            "kefu_01",
            "weiquan-official",
            "support",
            "system",
            "客服",
            "官方客服小王",
            "维权平台",
        ] {
            assert!(is_reserved(n), "{n}");
        }
        for n in ["buyer01", "badminton", "newbuyer", "新买家", "张三"] {
            assert!(!is_reserved(n), "{n}");
        }
    }
}
