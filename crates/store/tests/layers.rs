//! The modules of `store` and of `domain` form layers: each uses only those declared before it
//! in its `lib.rs`, so neither crate has an import circle and a reader can start at the top.

use std::path::{Path, PathBuf};

fn modules(src: &Path) -> Vec<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| {
            let l = l
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
        })
        .collect()
}

/// The sources of a module: `NAME.rs`, or every file of `NAME/` (its unit tests left out).
fn sources(src: &Path, module: &str) -> Vec<String> {
    let file = src.join(format!("{module}.rs"));
    if file.exists() {
        return vec![std::fs::read_to_string(file).unwrap()];
    }
    std::fs::read_dir(src.join(module))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && !p.ends_with("tests.rs"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Every `crate::NAME` a source names, also inside `use crate::{a, b::c}`.
fn named(source: &str) -> Vec<String> {
    let mut out = vec![];
    for (at, _) in source.match_indices("crate::") {
        let rest = &source[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for part in group.split(',') {
                out.push(part.trim().split("::").next().unwrap_or("").to_owned());
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            out.push(rest[..end].to_owned());
        }
    }
    out
}

/// Each use of a module declared later, as "a uses b".
fn upward_uses(src: &Path) -> Vec<String> {
    let order = modules(src);
    let mut wrong = vec![];
    for (i, m) in order.iter().enumerate() {
        for source in sources(src, m) {
            for n in named(&source) {
                if order.iter().position(|o| *o == n).is_some_and(|j| j > i) {
                    wrong.push(format!("{m} uses {n}, declared after it"));
                }
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    wrong
}

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src")
}

#[test]
fn store_modules_use_only_the_layers_above_them() {
    assert!(
        modules(&crate_src("store")).len() > 20,
        "lib.rs declares the layers"
    );
    let wrong = upward_uses(&crate_src("store"));
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn domain_modules_use_only_the_layers_above_them() {
    assert!(
        modules(&crate_src("domain")).len() > 10,
        "lib.rs declares the layers"
    );
    let wrong = upward_uses(&crate_src("domain"));
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The check itself finds a circle: a module that uses one declared after it.
#[test]
fn an_upward_use_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.rs"), "mod first;\n\nmod second;\n").unwrap();
    std::fs::write(dir.path().join("first.rs"), "use crate::second::Thing;\n").unwrap();
    std::fs::write(dir.path().join("second.rs"), "use crate::first;\n").unwrap();
    std::fs::write(dir.path().join("extra.rs"), "").unwrap();
    assert_eq!(
        upward_uses(dir.path()),
        vec!["first uses second, declared after it"]
    );
}
