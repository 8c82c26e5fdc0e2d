//! `weiquan assistant dialogue-eval`: development dialogues played through the real chat API of
//! the in-process server — the broken rack (category from what happened, not the
//! claim), the cup older than the newest orders (found by its head noun, not the kettle's 热水),
//! two cups (asked, then picked), the English thermos cup — and one whose expectation is
//! wrong on purpose (a copy of the rack, same order numbers: each dialogue has its own data
//! dir), which must be scored wrong.

mod common;

use serde_json::Value;

const DEV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../assistant/eval/dialogues-dev.jsonl"
);

#[test]
fn plays_dialogues_through_the_chat_api_and_scores_the_filed_complaints() {
    let dev = std::fs::read_to_string(DEV).unwrap();
    let pick = |id: &str| -> Value {
        dev.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {DEV}"))
    };
    let mut lines: Vec<Value> = ["d001", "d002", "d004", "d008"].map(pick).into();
    let mut wrong = pick("d001");
    wrong["id"] = "d001-wrong".into();
    wrong["expect"]["category"] = "late_shipment".into();
    lines.push(wrong);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dialogues.jsonl");
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&file, text.join("\n")).unwrap();

    let out = std::process::Command::new(common::BIN)
        .args([
            "assistant",
            "dialogue-eval",
            file.to_str().unwrap(),
            "--json",
        ])
        .env("WEIQUAN_LOG", "error")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["dialogues"], 5, "{r}");
    assert_eq!(r["filed"], 1.0, "{r}");
    assert_eq!(r["order_no"], 1.0, "{r}");
    assert_eq!(r["claim"], 1.0, "{r}");
    assert_eq!(r["date"], 1.0, "{r}");
    assert_eq!(r["amount"], 1.0, "{r}");
    // The wrong expectation, and only it, is scored wrong.
    assert_eq!(r["category"], 0.8, "{r}");
    assert_eq!(r["all_right"], 0.8, "{r}");
    let turns = r["turns_per_filed"].as_f64().unwrap();
    assert!(turns <= 6.0, "{r}");
}

#[test]
fn a_file_that_is_not_dialogues_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, "{\"id\": \"x\"}\n").unwrap();
    let out = std::process::Command::new(common::BIN)
        .args(["assistant", "dialogue-eval", file.to_str().unwrap()])
        .env("WEIQUAN_LOG", "error")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1 is not a dialogue"), "{err}");
}
