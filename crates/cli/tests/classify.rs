//! `weiquan assistant classify` as a process: it reads the sentence model from the cache and
//! never fetches it, and its batching never keeps a writer that waits for each answer waiting.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_weiquan");

#[test]
fn a_model_not_fetched_is_an_error_naming_the_fix_and_nothing_is_downloaded() {
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["assistant", "classify"])
        .env("WEIQUAN_MODEL_DIR", empty.path())
        // Were it to try, the download would fail differently (and fast).
        .env("WEIQUAN_MODEL_URL", "http://127.0.0.1:9/none.whl")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("模型缺失") && err.contains("model missing"),
        "{err}"
    );
    assert!(err.contains("weiquan model fetch"), "{err}");
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

#[test]
fn a_writer_that_waits_for_each_answer_gets_it() {
    let mut child = Command::new(BIN)
        .args(["assistant", "classify"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for (text, intent) in [("转人工", "escalate"), ("假货，假一赔四", "counterfeit")] {
        writeln!(stdin, "{}", serde_json::json!({ "text": text })).unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["intent"], intent, "{text}: {line}");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
