//! `weiquan bench calendar`: business-time deadlines computed per second on one core, through
//! `Policy::due` (the one deadline sum) on the China calendar with its 2026 holidays, as a
//! server computes them; also reminders and countdowns, which count back in the same time.

use std::process::ExitCode;
use std::time::Instant;

use weiquan_domain::{Policy, TimerKind, Timestamp};

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Deadlines computed per measure.
    #[arg(long, default_value_t = 2_000_000)]
    n: usize,
}

const POLICY: &str = r#"
[deadlines]
evidence_turn = "16 business hours in cn"
execute_ruling = "2 business days in cn"
[calendars.cn]
time_zone = "Asia/Shanghai"
hours = ["09:00-12:00", "13:00-18:00"]
holidays_file = "cn.toml"
[[pauses]]
from = "2027-02-05"
to = "2027-02-12"
kinds = ["merchant_reply"]
calendar = "cn"
"#;

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    tokio::task::spawn_blocking(move || bench(args)).await?
}

fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let t = Instant::now();
    let policy = Policy::from_toml_with(POLICY, |_| {
        Ok(include_str!("../../../data/calendars/cn.toml").to_owned())
    })
    .map_err(|e| anyhow::anyhow!(e.en))?;
    let build = t.elapsed().as_secs_f64() * 1e3;
    // Instants spread over 2026–2027, every one a different minute (a fixed LCG: the same runs
    // measure the same inputs).
    let from = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+08:00")?.to_utc();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let times: Vec<Timestamp> = (0..args.n.max(1))
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            from + chrono::Duration::minutes(((x >> 33) % (2 * 365 * 1440)) as i64)
        })
        .collect();
    println!(
        "{} instants over 2026–2027, one thread; policy with the China calendar built in {build:.1} ms",
        times.len()
    );
    let measure = |name: &str, f: &dyn Fn(Timestamp) -> i64| {
        let t = Instant::now();
        let mut sum = 0i64;
        for &now in &times {
            sum = sum.wrapping_add(f(now));
        }
        let secs = t.elapsed().as_secs_f64();
        std::hint::black_box(sum);
        let rate = times.len() as f64 / secs;
        println!(
            "{name:<52} {:>6.2} M/s  {:>6.0} ns each",
            rate / 1e6,
            1e9 / rate
        );
        rate
    };
    let ms = |t: Timestamp| t.timestamp_millis();
    let hours = measure("due: 16 business hours (Policy::due)", &|now| {
        ms(policy.due(TimerKind::EvidenceTurn, now))
    });
    let days = measure("due: 2 business days", &|now| {
        ms(policy.due(TimerKind::ExecuteRuling, now))
    });
    measure(
        "due: 48h elapsed, paused over the Spring Festival",
        &|now| ms(policy.due(TimerKind::MerchantReply, now)),
    );
    measure("due: 72h elapsed (the default arithmetic)", &|now| {
        ms(policy.due(TimerKind::Mediation, now))
    });
    let week = chrono::Duration::days(7);
    measure(
        "reminder: next of 24h/2h before, in business time",
        &|now| {
            policy
                .next_reminder(TimerKind::EvidenceTurn, now + week, now)
                .map_or(0, ms)
        },
    );
    measure("countdown: business time left", &|now| {
        policy
            .remaining(TimerKind::EvidenceTurn, now, now + week)
            .num_milliseconds()
    });
    let floor = 1e6;
    let ok = hours >= floor && days >= floor;
    println!(
        "business-time deadlines {} the 1M/s target",
        if ok { "meet" } else { "MISS" }
    );
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
