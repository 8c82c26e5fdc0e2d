//! `weiquan detect collective` and `weiquan detect collective-eval`: collective complaints found
//! offline (see `weiquan_detect::collective`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde_json::json;
use weiquan_detect::collective::input::{self, Line};
use weiquan_detect::collective::{self, Settings, labelled};

#[derive(clap::Args)]
pub struct CollectiveArgs {
    /// JSON lines `{"id","shop","text","created_at"[,"consumer"][,"product","category"]}`;
    /// `created_at` in RFC 3339, unix seconds or unix milliseconds. Without "consumer", each line
    /// is its own consumer. Lines naming the same "product" and "category" at one shop within
    /// the window share an issue whatever their words (as the store clusters); without them the
    /// words alone decide.
    #[arg(long)]
    complaints: PathBuf,
    #[command(flatten)]
    settings: SettingsArgs,
    /// Threads (default: the machine's cores).
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(clap::Args)]
pub struct SettingsArgs {
    /// Distinct consumers a cluster needs (default: the policy's `collective.min_consumers`).
    #[arg(long)]
    min_consumers: Option<usize>,
    /// How close in time two complaints must be, e.g. 30d or 72h (default: the policy's
    /// `collective.window`).
    #[arg(long)]
    window: Option<String>,
    /// Policy file (TOML, DESIGN §4) for the defaults.
    #[arg(long, env = "WEIQUAN_POLICY")]
    policy: Option<PathBuf>,
    /// Words and subjects only: no complaint joins another by its meaning (to compare).
    #[arg(long)]
    no_meaning: bool,
}

impl SettingsArgs {
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let policy = crate::serve::load_policy(self.policy.as_deref())?;
        let min_consumers = self
            .min_consumers
            .unwrap_or(policy.collective.min_consumers as usize);
        if min_consumers < 2 {
            anyhow::bail!("--min-consumers 至少为 2 / --min-consumers must be at least 2");
        }
        let window = match &self.window {
            None => policy.collective.window,
            Some(w) => humantime::parse_duration(w.trim()).map_err(|e| {
                anyhow::anyhow!(
                    "--window 应写作 30d、72h 之类：{w:?}（{e}）/ --window must look like 30d or 72h: {w:?} ({e})"
                )
            })?,
        };
        let closeness = if self.no_meaning {
            collective::Closeness::NEVER
        } else {
            collective::Closeness::default()
        };
        Ok(Settings {
            min_consumers,
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX),
            closeness,
            ..Settings::default()
        })
    }
}

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Labelled JSON lines (the input fields plus `"label"`: a wave's name or null, and
    /// optionally `"heldout": true` or `"group": "heldout_c"` … `"heldout_l"`, the later held-out groups); the set shipped in the repo when
    /// absent.
    file: Option<PathBuf>,
    /// Write the shipped labelled set here as JSON lines and exit.
    #[arg(long)]
    write: Option<PathBuf>,
    /// Seed for the shipped set's times and added order numbers.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The shipped set with each complaint's order item and category (a wave's shared ones), so
    /// that the store's structured rule is evaluated too.
    #[arg(long, conflicts_with = "file")]
    subjects: bool,
    #[command(flatten)]
    settings: SettingsArgs,
}

pub fn threads(t: Option<usize>) -> usize {
    t.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn read(path: &Path) -> anyhow::Result<Vec<Line>> {
    let f = std::fs::File::open(path)
        .with_context(|| format!("读取 {0} 失败 / cannot read {0}", path.display()))?;
    let (lines, errors) = input::read_lines(std::io::BufReader::new(f))
        .with_context(|| format!("读取 {0} 失败 / cannot read {0}", path.display()))?;
    for e in errors.iter().take(1000) {
        eprintln!("{e}");
    }
    if !errors.is_empty() {
        eprintln!("跳过 {0} 行错误 / skipped {0} bad lines", errors.len());
    }
    Ok(lines)
}

/// `{"id", "cluster"}` per line, in input order; a cluster is named by its earliest complaint's id.
pub fn output(
    lines: &[Line],
    clusters: &[Option<u32>],
    mut out: impl Write,
) -> std::io::Result<()> {
    for (l, c) in lines.iter().zip(clusters) {
        let cluster = c.map_or(serde_json::Value::Null, |i| lines[i as usize].id.clone());
        // Written by hand to keep DESIGN §5's key order: id first.
        writeln!(out, "{{\"id\":{},\"cluster\":{}}}", l.id, cluster)?;
    }
    out.flush()
}

pub fn collective(a: CollectiveArgs) -> anyhow::Result<ExitCode> {
    let settings = a.settings.settings()?;
    let lines = read(&a.complaints)?;
    let complaints: Vec<_> = lines.iter().map(|l| l.complaint.clone()).collect();
    let result = collective::cluster(&complaints, settings, threads(a.threads));
    match output(&lines, &result.clusters, std::io::stdout().lock()) {
        // `… | head` closing the pipe early is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        r => {
            r?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn eval(a: EvalArgs) -> anyhow::Result<ExitCode> {
    let settings = a.settings.settings()?;
    let set: Vec<labelled::Labelled> = match &a.file {
        Some(path) => read(path)?
            .into_iter()
            .map(|l| labelled::Labelled {
                complaint: l.complaint,
                label: l.label,
                group: match (
                    l.group.as_deref().and_then(labelled::Group::from_tag),
                    l.heldout,
                ) {
                    (Some(group), _) => group,
                    (None, true) => labelled::Group::Heldout,
                    (None, false) => labelled::Group::Tuning,
                },
            })
            .collect(),
        None if a.subjects => labelled::labelled_with_subjects(a.seed),
        None => labelled::labelled(a.seed),
    };
    if let Some(path) = &a.write {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("创建 {0} 失败 / cannot create {0}", path.display()))?,
        );
        for l in &set {
            let c = &l.complaint;
            let mut row = json!({"id": c.id, "shop": c.shop, "text": c.text, "created_at": c.created_at,
                                 "label": l.label, "heldout": l.group != labelled::Group::Tuning,
                                 "group": l.group});
            if let Some(s) = &c.subject {
                row["product"] = json!(s.product);
                row["category"] = json!(s.category);
            }
            serde_json::to_writer(&mut f, &row)?;
            f.write_all(b"\n")?;
        }
        f.flush()?;
        eprintln!(
            "已写入 / wrote {} ({} complaints)",
            path.display(),
            set.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let e = labelled::evaluate(&set, settings);
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "evaluation": e,
            "threshold": settings.threshold,
            "window_ms": settings.window_ms,
        }))?
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, shop: &str, text: &str, day: i64) -> String {
        json!({"id": id, "shop": shop, "text": text,
               "created_at": labelled::START_MS / 1000 + day * 86_400})
        .to_string()
    }

    #[test]
    fn collective_writes_one_line_per_complaint_with_the_cluster_or_null() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let wave = [
            "新买的蓝牙耳机左耳没声音，右边正常",
            "左边耳机完全不出声，只有右耳有声音",
            "耳机左耳哑了，换了手机连也一样",
            "The left earbud makes no sound at all",
            "左侧耳塞没有声音，右侧可以",
            "戴上才发现左耳静音，怎么调都没有声音",
        ];
        let mut text = String::new();
        for (i, w) in wave.iter().enumerate() {
            text += &line(&format!("w{i}"), "s1", w, i as i64);
            text += "\n";
        }
        text += &line("other", "s1", "快递员没打电话直接把耳机放驿站了", 2);
        text += "\nnot json\n";
        std::fs::write(&path, text).unwrap();
        let lines = read(&path).unwrap();
        let complaints: Vec<_> = lines.iter().map(|l| l.complaint.clone()).collect();
        let args = SettingsArgs {
            min_consumers: None,
            window: Some("30d".into()),
            policy: None,
            no_meaning: false,
        };
        let r = collective::cluster(&complaints, args.settings().unwrap(), 2);
        let mut out = Vec::new();
        output(&lines, &r.clusters, &mut out).unwrap();
        let rows: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 7);
        for r in &rows[..6] {
            assert_eq!(r["cluster"], json!("w0"), "{rows:?}");
        }
        assert_eq!(rows[6], json!({"id": "other", "cluster": null}));
        let text = String::from_utf8({
            let mut out = Vec::new();
            output(&lines[..1], &[None], &mut out).unwrap();
            out
        })
        .unwrap();
        assert_eq!(text, "{\"id\":\"w0\",\"cluster\":null}\n");
    }

    #[test]
    fn lines_with_a_product_and_category_cluster_as_the_store_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let cup = [
            "盖子拧紧了还往外渗水",
            "用了三天杯底一圈有水珠",
            "放包里把书全弄湿了",
            "The lid seal lets tea drip out when tilted",
            "倒过来就滴答滴答",
        ];
        let mut text = String::new();
        for (i, t) in cup.iter().enumerate() {
            let mut row: serde_json::Value =
                serde_json::from_str(&line(&format!("u{i}"), "s1", t, i as i64)).unwrap();
            row["product"] = json!("保温杯 500ml");
            row["category"] = json!("quality_defect");
            text += &format!("{row}\n");
        }
        // The same words without the fields, at another shop: the words alone decide.
        for (i, t) in cup.iter().enumerate() {
            text += &line(&format!("w{i}"), "s2", t, i as i64);
            text += "\n";
        }
        // The same product in another category.
        let mut row: serde_json::Value =
            serde_json::from_str(&line("late", "s1", "等了十天还没发货", 2)).unwrap();
        row["product"] = json!("保温杯 500ml");
        row["category"] = json!("late_shipment");
        text += &format!("{row}\n");
        text += &format!(
            "{}\n",
            json!({"id": "half", "shop": "s1", "text": "x", "created_at": 1_767_196_800,
                   "product": "保温杯 500ml"})
        );
        std::fs::write(&path, text).unwrap();
        let lines = read(&path).unwrap();
        assert_eq!(lines.len(), 11, "the line with a product only is skipped");
        let complaints: Vec<_> = lines.iter().map(|l| l.complaint.clone()).collect();
        let r = collective::cluster(&complaints, Settings::default(), 2);
        let mut out = Vec::new();
        output(&lines, &r.clusters, &mut out).unwrap();
        let rows: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for r in &rows[..5] {
            assert_eq!(r["cluster"], json!("u0"), "{rows:?}");
        }
        for r in &rows[5..] {
            assert_eq!(r["cluster"], serde_json::Value::Null, "{rows:?}");
        }
    }

    #[test]
    fn bad_settings_say_what_to_write() {
        let bad = SettingsArgs {
            min_consumers: Some(1),
            window: None,
            policy: None,
            no_meaning: false,
        };
        assert!(bad.settings().unwrap_err().to_string().contains("至少为 2"));
        let bad = SettingsArgs {
            min_consumers: None,
            window: Some("a month".into()),
            policy: None,
            no_meaning: false,
        };
        let e = bad.settings().unwrap_err().to_string();
        assert!(e.contains("30d") && e.contains("--window"), "{e}");
        let ok = SettingsArgs {
            min_consumers: None,
            window: None,
            policy: None,
            no_meaning: false,
        };
        assert_eq!(ok.settings().unwrap(), Settings::default());
        let words_only = SettingsArgs {
            no_meaning: true,
            ..ok
        };
        assert_eq!(
            words_only.settings().unwrap().closeness,
            collective::Closeness::NEVER
        );
    }
}
