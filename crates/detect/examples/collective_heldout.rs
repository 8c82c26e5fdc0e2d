use weiquan_detect::collective::{Settings, labelled};
fn main() {
    let wide = std::env::args().nth(1).is_some();
    for seed in 1..=5 {
        let set = labelled::labelled(seed);
        let mut s = Settings::default();
        if wide {
            s.window_ms = 365 * 86_400_000;
        }
        let e = labelled::evaluate(&set, s);
        if wide {
            println!(
                "seed {seed} (one window): tuning P {:.3} R {:.3}",
                e.tuning.precision, e.tuning.recall
            );
        } else {
            println!(
                "seed {seed}: tuning P {:.3} R {:.3} | heldout P {:.3} R {:.3} | all P {:.3} R {:.3}",
                e.tuning.precision,
                e.tuning.recall,
                e.heldout.precision,
                e.heldout.recall,
                e.all.precision,
                e.all.recall
            );
        }
    }
}
