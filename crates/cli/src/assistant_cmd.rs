//! `weiquan assistant classify|eval` and `weiquan bench classify`: 客服小蜜's language
//! understanding offline (see `weiquan_assistant`).

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use serde_json::json;
use weiquan_assistant::{Intent, Tone, classify_batch, corpus, try_models};

#[derive(clap::Subcommand)]
pub enum AssistantCommand {
    /// JSON lines `{"text": …}` on stdin → `{"intent", "tone", "order_no"}` lines on stdout, in
    /// order. A bad line gets `{"error": …}` in its place (and a note on stderr); the exit code is
    /// then 1.
    Classify,
    /// Accuracy on a labelled JSON-lines file (`{"text","intent","tone","order_no"}`): intent,
    /// tone, order number, the confusion matrix and per-intent precision/recall.
    Eval {
        /// The labelled file.
        file: PathBuf,
        /// Print one JSON object instead of the report.
        #[arg(long)]
        json: bool,
        /// Also list every misclassified line (off by default: a development set should stay
        /// unseen).
        #[arg(long)]
        show_errors: bool,
    },
    /// Plays dialogues (JSON lines: orders, opening messages, answers, the expected complaint)
    /// through the real chat API of an in-process server on a temporary SQLite data dir, and
    /// scores the filed complaints: category, order, claim, amount, date, turns.
    DialogueEval {
        /// The dialogues file (format: crates/assistant/README.md, "Dialogue evaluation").
        file: PathBuf,
        /// Print one JSON object instead of the report.
        #[arg(long)]
        json: bool,
        /// Also print each dialogue not filed all right, with its transcript (stderr).
        #[arg(long)]
        show_errors: bool,
    },
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Utterances to classify (cycled over a generated set).
    #[arg(long, default_value_t = 200_000)]
    n: usize,
}

/// Lines classified together: the sentence encoder's last layers run once for them.
const BATCH: usize = 256;

/// The models, or the error that names the fix: a tool for pipelines reads the sentence model
/// from the cache and never downloads it on its own (`weiquan model fetch` does).
fn ready() -> anyhow::Result<()> {
    weiquan_embed::TokenEncoder::cached()?;
    try_models()?;
    Ok(())
}

pub async fn run(cmd: AssistantCommand) -> anyhow::Result<ExitCode> {
    if matches!(
        cmd,
        AssistantCommand::Classify | AssistantCommand::Eval { .. }
    ) {
        ready()?;
    }
    match cmd {
        AssistantCommand::Classify => classify_stream(std::io::stdin(), std::io::stdout()),
        AssistantCommand::Eval {
            file,
            json,
            show_errors,
        } => eval(&file, json, show_errors),
        AssistantCommand::DialogueEval {
            file,
            json,
            show_errors,
        } => crate::dialogue_eval::run(&file, json, show_errors).await,
    }
}

#[derive(Deserialize)]
struct TextLine {
    text: String,
}

/// One output line of `classify`, fields in the documented order.
#[derive(Serialize)]
struct Classified {
    intent: &'static str,
    tone: &'static str,
    order_no: Option<String>,
}

/// Why a line could not be read, in Chinese and English.
fn line_error(n: usize, e: &serde_json::Error) -> String {
    format!(
        "第 {n} 行不是 {{\"text\": \"…\"}} 形式的 JSON（{e}）/ line {n} is not a JSON object {{\"text\": \"…\"}} ({e})"
    )
}

/// Reads lines in batches of what has already arrived (up to [`BATCH`]): a writer that waits
/// for each answer before sending the next line gets it, and a file is read in full batches.
fn classify_stream(input: impl Read, output: impl Write) -> anyhow::Result<ExitCode> {
    let mut input = BufReader::new(input);
    let mut out = BufWriter::new(output);
    let mut bad = 0usize;
    let mut n = 0usize;
    loop {
        let mut lines = vec![];
        loop {
            let mut line = String::new();
            if input
                .read_line(&mut line)
                .context("读取标准输入失败 / reading stdin")?
                == 0
            {
                break;
            }
            lines.push(line);
            let more_waiting = input.buffer().contains(&b'\n');
            if lines.len() == BATCH || !more_waiting {
                break;
            }
        }
        if lines.is_empty() {
            break;
        }
        let parsed: Vec<Result<String, String>> = lines
            .iter()
            .map(|line| {
                n += 1;
                serde_json::from_str::<TextLine>(line.trim_end_matches(['\n', '\r']))
                    .map(|l| l.text)
                    .map_err(|e| line_error(n, &e))
            })
            .collect();
        let texts: Vec<&str> = parsed.iter().filter_map(|p| p.as_deref().ok()).collect();
        let mut classified = classify_batch(&texts).into_iter();
        for p in parsed {
            match p {
                Ok(_) => {
                    let (intent, tone, order_no) = classified.next().expect("one result a text");
                    let c = Classified {
                        intent: intent.as_str(),
                        tone: tone.as_str(),
                        order_no,
                    };
                    serde_json::to_writer(&mut out, &c)?;
                }
                Err(msg) => {
                    bad += 1;
                    eprintln!("{msg}");
                    serde_json::to_writer(&mut out, &json!({"error": msg}))?;
                }
            }
            out.write_all(b"\n")?;
        }
        // Answers reach a waiting writer before the next line is read.
        out.flush()?;
    }
    out.flush()?;
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(Deserialize)]
struct LabelledLine {
    text: String,
    intent: String,
    tone: String,
    #[serde(default)]
    order_no: Option<String>,
}

/// Counts of one evaluation.
struct Scores {
    n: usize,
    intent_right: usize,
    tone_right: usize,
    order_right: usize,
    /// `confusion[truth][predicted]`, in `Intent::ALL` order.
    confusion: [[usize; 15]; 15],
    errors: Vec<String>,
}

fn eval(file: &PathBuf, as_json: bool, show_errors: bool) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("读不了 {} / cannot read it", file.display()))?;
    let mut s = Scores {
        n: 0,
        intent_right: 0,
        tone_right: 0,
        order_right: 0,
        confusion: [[0; 15]; 15],
        errors: vec![],
    };
    let mut labelled = vec![];
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let l: LabelledLine = serde_json::from_str(line).with_context(|| {
            format!("第 {n} 行不是 {{\"text\",\"intent\",\"tone\",\"order_no\"}} 形式的 JSON / line {n} is not a labelled JSON object")
        })?;
        let Some(want_intent) = Intent::parse(&l.intent) else {
            bail!(
                "第 {n} 行：未知意图 {:?} / line {n}: unknown intent",
                l.intent
            );
        };
        let Some(want_tone) = Tone::parse(&l.tone) else {
            bail!("第 {n} 行：未知语气 {:?} / line {n}: unknown tone", l.tone);
        };
        labelled.push((n, l, want_intent, want_tone));
    }
    let texts: Vec<&str> = labelled.iter().map(|(_, l, ..)| l.text.as_str()).collect();
    let got = classify_batch(&texts);
    for ((n, l, want_intent, want_tone), (intent, tone, order_no)) in labelled.iter().zip(got) {
        let (n, want_intent, want_tone) = (*n, *want_intent, *want_tone);
        s.n += 1;
        s.confusion[want_intent.index()][intent.index()] += 1;
        s.intent_right += usize::from(intent == want_intent);
        s.tone_right += usize::from(tone == want_tone);
        s.order_right += usize::from(order_no == l.order_no);
        if show_errors && (intent != want_intent || tone != want_tone || order_no != l.order_no) {
            s.errors.push(format!(
                "line {n}: intent {want_intent}→{intent}, tone {want_tone}→{tone}, order_no {:?}→{order_no:?}: {}",
                l.order_no, l.text
            ));
        }
    }
    if s.n == 0 {
        bail!("{} 里没有可评估的行 / no lines to evaluate", file.display());
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&report_json(&s))?);
    } else {
        print!("{}", report_text(&s));
    }
    Ok(ExitCode::SUCCESS)
}

/// Precision, recall and support of intent `k`.
fn per_intent(s: &Scores, k: usize) -> (f64, f64, usize) {
    let tp = s.confusion[k][k];
    let support: usize = s.confusion[k].iter().sum();
    let predicted: usize = s.confusion.iter().map(|row| row[k]).sum();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    (ratio(tp, predicted), ratio(tp, support), support)
}

fn rate(a: usize, n: usize) -> f64 {
    a as f64 / n as f64
}

fn report_json(s: &Scores) -> serde_json::Value {
    let labels: Vec<&str> = Intent::ALL.iter().map(|i| i.as_str()).collect();
    let per: Vec<_> = (0..15)
        .map(|k| {
            let (p, r, support) = per_intent(s, k);
            json!({"intent": labels[k], "precision": p, "recall": r, "support": support})
        })
        .collect();
    json!({
        "n": s.n,
        "intent_accuracy": rate(s.intent_right, s.n),
        "tone_accuracy": rate(s.tone_right, s.n),
        "order_no_accuracy": rate(s.order_right, s.n),
        "per_intent": per,
        "confusion": {"labels": labels, "rows_are": "truth", "matrix": s.confusion},
        "errors": s.errors,
    })
}

fn report_text(s: &Scores) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let pct = |a: usize| format!("{:.1}% ({a}/{})", 100.0 * rate(a, s.n), s.n);
    let _ = writeln!(o, "utterances        {}", s.n);
    let _ = writeln!(o, "intent accuracy   {}", pct(s.intent_right));
    let _ = writeln!(o, "tone accuracy     {}", pct(s.tone_right));
    let _ = writeln!(o, "order_no exact    {}", pct(s.order_right));
    let _ = writeln!(o, "\nper intent          precision  recall  support");
    for (k, intent) in Intent::ALL.iter().enumerate() {
        let (p, r, support) = per_intent(s, k);
        let _ = writeln!(o, "{:<20}{p:>9.2}{r:>8.2}{support:>9}", intent.as_str());
    }
    let _ = writeln!(
        o,
        "\nconfusion (rows: truth, columns: predicted, in the order above)"
    );
    let _ = write!(o, "{:<24}", "");
    for k in 0..15 {
        let _ = write!(o, "{k:>4}");
    }
    let _ = writeln!(o);
    for (k, intent) in Intent::ALL.iter().enumerate() {
        let _ = write!(o, "{:<24}", format!("{k:>2} {}", intent.as_str()));
        for c in s.confusion[k] {
            let cell = if c == 0 {
                ".".to_string()
            } else {
                c.to_string()
            };
            let _ = write!(o, "{cell:>4}");
        }
        let _ = writeln!(o);
    }
    let mut confusions: Vec<(usize, usize, usize)> = (0..15)
        .flat_map(|a| (0..15).map(move |b| (a, b)))
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (s.confusion[a][b], a, b))
        .filter(|c| c.0 > 0)
        .collect();
    confusions.sort_by(|x, y| y.cmp(x));
    if !confusions.is_empty() {
        let _ = writeln!(o, "\nmain confusions (truth → predicted)");
        for (count, a, b) in confusions.iter().take(8) {
            let _ = writeln!(o, "  {} → {}: {count}", Intent::ALL[*a], Intent::ALL[*b]);
        }
    }
    for e in &s.errors {
        let _ = writeln!(o, "{e}");
    }
    o
}

/// Varied utterances for the benchmark: the corpus, with order numbers, amounts, dates and
/// shouting mixed in so that every branch of the pipeline runs.
fn bench_utterances() -> Vec<String> {
    let extras = [
        "",
        "，订单号202605041234567890",
        "，花了59.9元",
        "！！！",
        " order 202512121234567890",
        "，昨天买的",
        "，垃圾商家",
    ];
    corpus::examples()
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{}{}", e.text, extras[i % extras.len()]))
        .collect()
}

/// Classifies `--n` utterances in batches of [`BATCH`], as `assistant classify` reads a file.
pub async fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let t = Instant::now();
    ready()?;
    let train_ms = t.elapsed().as_secs_f64() * 1e3;
    let utterances = bench_utterances();
    let chars: usize = utterances.iter().map(|u| u.chars().count()).sum();
    let mut checksum = 0usize;
    let t = Instant::now();
    let stream: Vec<&String> = utterances.iter().cycle().take(args.n).collect();
    for batch in stream.chunks(BATCH) {
        for (intent, tone, order_no) in classify_batch(batch) {
            checksum += intent.index() + tone.index() + usize::from(order_no.is_some());
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let report = json!({
        "benchmark": "classify",
        "threads": 1,
        "batch": BATCH,
        "utterances": args.n,
        "distinct_utterances": utterances.len(),
        "mean_chars": chars as f64 / utterances.len() as f64,
        "seconds": secs,
        "utterances_per_sec": args.n as f64 / secs,
        "micros_per_utterance": secs * 1e6 / args.n.max(1) as f64,
        "model_train_ms": train_ms,
        "checksum": checksum,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_keeps_order_and_marks_bad_lines() {
        let input = "{\"text\": \"订单202605041234567890一个星期了还不发货\"}\nnot json\n{\"text\": \"怎么投诉\"}\n{\"txt\": 1}\n";
        let mut out = vec![];
        let code = classify_stream(input.as_bytes(), &mut out).unwrap();
        assert_eq!(code, ExitCode::FAILURE);
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0]["order_no"], "202605041234567890");
        assert!(lines[0]["intent"].is_string() && lines[0]["tone"].is_string());
        assert!(lines[1]["error"].as_str().unwrap().contains("第 2 行"));
        assert_eq!(lines[2]["order_no"], serde_json::Value::Null);
        assert!(lines[3]["error"].as_str().unwrap().contains("line 4"));
    }

    #[test]
    fn a_clean_stream_succeeds() {
        let mut out = vec![];
        let code = classify_stream("{\"text\": \"转人工\"}\n".as_bytes(), &mut out).unwrap();
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1);
    }

    #[test]
    fn per_intent_precision_and_recall() {
        let mut s = Scores {
            n: 4,
            intent_right: 3,
            tone_right: 4,
            order_right: 4,
            confusion: [[0; 15]; 15],
            errors: vec![],
        };
        s.confusion[0][0] = 2;
        s.confusion[0][1] = 1;
        s.confusion[1][1] = 1;
        assert_eq!(per_intent(&s, 0), (1.0, 2.0 / 3.0, 3));
        assert_eq!(per_intent(&s, 1), (0.5, 1.0, 1));
        let text = report_text(&s);
        assert!(text.contains("intent accuracy   75.0% (3/4)"), "{text}");
        assert!(
            text.contains("quality_defect → not_as_described: 1"),
            "{text}"
        );
        let j = report_json(&s);
        assert_eq!(j["confusion"]["matrix"][0][1], 1);
    }
}
