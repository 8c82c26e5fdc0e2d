//! Every page each role can reach, found by following the links a person can click (not from a
//! list that could go stale), photographed in Chinese, in English and at a phone's width, and
//! read for what no page may show a person: raw JSON, a Rust debug value, a code such as
//! `not_as_described`, a raw epoch number.

use std::collections::{BTreeSet, VecDeque};

use regex::Regex;
use serde_json::json;

use crate::page::Walk;

/// Pages per role at most: one of each kind (ids replaced by `{id}`) is enough.
const MAX_PAGES: usize = 40;

/// Signs in as each user and walks every page kind reachable from the home page.
pub(crate) async fn tour(w: &mut Walk, users: &[&str]) {
    for user in users {
        w.sign_in(user).await;
        let mut seen: BTreeSet<String> = BTreeSet::from([kind("/")]);
        let mut queue: VecDeque<String> = VecDeque::from(["/".to_owned()]);
        let mut visited = 0;
        while let Some(path) = queue.pop_front() {
            if visited == MAX_PAGES {
                break;
            }
            visited += 1;
            w.go(&path).await;
            let name = format!("tour-{user}{}", path.replace(['/', '?', '=', '&'], "-"));
            w.shoot(&name).await;
            w.shoot_phone(&name).await;
            for link in links(w).await {
                if seen.insert(kind(&link)) {
                    queue.push_back(link);
                }
            }
        }
        w.sign_out().await;
    }
}

/// The page's same-origin links a person can follow to another page (no files, no language
/// switch, no sign-out).
async fn links(w: &Walk) -> Vec<String> {
    let found =
        w.b.execute(
            "return Array.from(document.querySelectorAll('a[href]'))
               .filter(a => a.origin === location.origin && !a.hasAttribute('download'))
               .map(a => a.pathname + a.search)",
            vec![],
        )
        .await
        .unwrap();
    found
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .filter(|p| {
            !(p.starts_with("/lang/")
                || p.starts_with("/static/")
                || p.starts_with("/api/")
                || p.starts_with("/logout")
                || is_file(p))
        })
        .map(str::to_owned)
        .collect()
}

/// An evidence file (named by its SHA-256), not a page.
fn is_file(path: &str) -> bool {
    path.split(['/', '?'])
        .any(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A page's kind: its path with numbers and ids as `{id}`, and its query's keys only.
fn kind(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let segs: Vec<&str> = p
        .split('/')
        .map(|s| match s.chars().any(|c| c.is_ascii_digit()) {
            true => "{id}",
            false => s,
        })
        .collect();
    let mut keys: Vec<&str> = q
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    format!("{}?{}", segs.join("/"), keys.join("&"))
}

/// Fails when the page shows a person something meant for a program.
pub(crate) async fn assert_readable(w: &Walk, lang: &str) {
    let text =
        w.b.execute("return document.body.innerText", vec![])
            .await
            .unwrap();
    let text = text.as_str().unwrap_or_default();
    let url = w.b.current_url().await.unwrap();
    for (what, re) in checks() {
        if let Some(m) = re.find(text) {
            let at = m.start();
            let around: String = text[at.saturating_sub(80)..].chars().take(160).collect();
            panic!("{what} on {url} ({lang}): {:?} in …{around}…", m.as_str());
        }
    }
    assert_ne!(
        w.b.execute("return document.title", vec![]).await.unwrap(),
        json!(""),
        "{url} has no title"
    );
}

fn checks() -> &'static [(&'static str, Regex)] {
    static CHECKS: std::sync::LazyLock<Vec<(&str, Regex)>> = std::sync::LazyLock::new(|| {
        vec![
            (
                "raw JSON",
                Regex::new(r#"[\{\[]\s*"[^"\n]{1,40}"\s*:"#).unwrap(),
            ),
            (
                "a Rust debug value",
                Regex::new(r"\b(Some|Ok|Err)\(|\b[A-Z][A-Za-z]+ \{ [a-z_]+: ").unwrap(),
            ),
            // A wire name such as `not_as_described` or `member_added` shown as it is.
            (
                "an untranslated code",
                Regex::new(r"\b[a-z]+(?:_[a-z]+)+\b").unwrap(),
            ),
            (
                "a raw epoch number",
                Regex::new(r"\b1[0-9]{12,18}\b").unwrap(),
            ),
        ]
    });
    &CHECKS
}
