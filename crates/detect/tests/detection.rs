//! Detection on generated graphs: exact scores, injected rings found, typed purchases and their
//! lines alike.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use weiquan_detect::generate::{
    Camouflage, GenSpec, Order, Ring, RingTruth, generate, shop_name, user_name, write_edges,
};
use weiquan_detect::parse::{day_of, parse_bytes};
use weiquan_detect::{
    Accuracy, Bipartite, Block, DetectOptions, ParseOptions, Purchase, Tensor, detect_bytes,
    detect_purchases, fraudar, joint_accuracy, mzoom,
};

struct Generated {
    spec: GenSpec,
    orders: Vec<Order>,
    truth: RingTruth,
}

fn generated(edges: u64, ring: Ring, seed: u64) -> Generated {
    let mut spec = GenSpec::with_edges(edges, seed);
    spec.rings.push(ring);
    let mut orders = Vec::new();
    let truth = generate(&spec, |o| orders.push(o)).unwrap().remove(0);
    Generated {
        spec,
        orders,
        truth,
    }
}

impl Generated {
    fn graph(&self) -> Bipartite {
        let user: Vec<u32> = self.orders.iter().map(|o| o.user).collect();
        let shop: Vec<u32> = self.orders.iter().map(|o| o.shop).collect();
        Bipartite::build(
            self.spec.total_buyers() as usize,
            self.spec.shops as usize,
            &user,
            &shop,
            None,
            2,
        )
        .unwrap()
    }

    fn tensor(&self) -> Tensor {
        let user: Vec<u32> = self.orders.iter().map(|o| o.user).collect();
        let shop: Vec<u32> = self.orders.iter().map(|o| o.shop).collect();
        let day: Vec<i32> = self.orders.iter().map(|o| day_of(o.ts)).collect();
        Tensor::build(
            self.spec.total_buyers() as usize,
            self.spec.shops as usize,
            &user,
            &shop,
            &day,
            None,
            2,
        )
        .unwrap()
    }

    fn accuracy(&self, b: &Block) -> Accuracy {
        joint_accuracy(&b.users, &b.shops, &self.truth.users, &self.truth.shops)
    }
}

fn ring(buyers: u32, shops: u32, density: f64, camouflage: Camouflage) -> Ring {
    Ring {
        buyers,
        shops,
        density,
        camouflage,
        burst_days: None,
        repeat: 1,
    }
}

/// FRAUDAR's score recounted from the raw orders, independently of the crate's graph: distinct
/// pairs, each shop's distinct buyers, `1/ln(d + 5)`, summed small to large.
fn recount_fraudar(pairs: &HashSet<(u32, u32)>, b: &Block) -> f64 {
    let mut deg: HashMap<u32, u32> = HashMap::new();
    for &(_, s) in pairs {
        *deg.entry(s).or_default() += 1;
    }
    let (us, ss): (HashSet<u32>, HashSet<u32>) = (
        b.users.iter().copied().collect(),
        b.shops.iter().copied().collect(),
    );
    let mut terms: Vec<f64> = pairs
        .iter()
        .filter(|(u, s)| us.contains(u) && ss.contains(s))
        .map(|(_, s)| 1.0 / (f64::from(deg[s]) + 5.0).ln())
        .collect();
    terms.sort_by(f64::total_cmp);
    terms.iter().sum::<f64>() / (b.users.len() + b.shops.len()) as f64
}

#[test]
fn reported_scores_equal_an_exact_recount() {
    let g = generated(100_000, ring(50, 25, 0.5, Camouflage::Random), 7);
    let mut pairs: HashSet<(u32, u32)> = g.orders.iter().map(|o| (o.user, o.shop)).collect();
    let blocks = fraudar(&g.graph(), 3);
    assert_eq!(blocks.len(), 3);
    for b in &blocks {
        let exact = recount_fraudar(&pairs, b);
        assert!(
            (b.score - exact).abs() <= 1e-9 * exact,
            "{} vs {exact}",
            b.score
        );
        // The next block is searched without this one's edges.
        let (us, ss): (HashSet<u32>, HashSet<u32>) = (
            b.users.iter().copied().collect(),
            b.shops.iter().copied().collect(),
        );
        pairs.retain(|(u, s)| !(us.contains(u) && ss.contains(s)));
    }

    let t = mzoom(&g.tensor(), 1).remove(0);
    let (us, ss, ds): (HashSet<u32>, HashSet<u32>, HashSet<i32>) = (
        t.users.iter().copied().collect(),
        t.shops.iter().copied().collect(),
        t.days.iter().copied().collect(),
    );
    let orders = g
        .orders
        .iter()
        .filter(|o| us.contains(&o.user) && ss.contains(&o.shop) && ds.contains(&day_of(o.ts)))
        .count();
    let exact = 3.0 * orders as f64 / (us.len() + ss.len() + ds.len()) as f64;
    assert!(
        (t.score - exact).abs() <= 1e-9 * exact,
        "{} vs {exact}",
        t.score
    );
}

#[test]
fn fraudar_finds_a_dense_ring_under_each_camouflage() {
    for (camouflage, seed) in [
        (Camouflage::None, 11),
        (Camouflage::Random, 12),
        (Camouflage::Biased, 13),
    ] {
        let g = generated(100_000, ring(50, 25, 0.5, camouflage), seed);
        let b = fraudar(&g.graph(), 1).remove(0);
        let acc = g.accuracy(&b);
        assert!(acc.f1 >= 0.95, "{camouflage:?}: {acc:?}");
    }
}

#[test]
fn a_sparse_ring_bunched_in_days_is_found_by_the_time_aware_detector_only() {
    // Each fake buyer orders from about 10 of the ring's 100 shops, 3 times each, all within
    // 3 days: as an order graph the ring is sparser than the honest core, as a tensor it is
    // far denser.
    let r = Ring {
        burst_days: Some(3),
        repeat: 3,
        ..ring(100, 100, 0.1, Camouflage::None)
    };
    let g = generated(100_000, r, 21);
    let f = g.accuracy(&fraudar(&g.graph(), 1).remove(0));
    let block = mzoom(&g.tensor(), 1).remove(0);
    let t = g.accuracy(&block);
    assert!(t.f1 >= 0.9, "time-aware: {t:?}");
    assert!(f.f1 + 0.3 < t.f1, "FRAUDAR {f:?} vs time-aware {t:?}");
    assert_eq!(block.days, g.truth.days);
}

#[test]
fn the_generator_is_deterministic_and_its_file_parses_back() {
    let spec = GenSpec {
        rings: vec![Ring {
            burst_days: Some(2),
            ..ring(20, 10, 0.5, Camouflage::Biased)
        }],
        ..GenSpec::with_edges(5_000, 3)
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let ta = write_edges(&spec, &mut a).unwrap();
    let tb = write_edges(&spec, &mut b).unwrap();
    assert_eq!((&a, &ta), (&b, &tb));
    let other = write_edges(
        &GenSpec {
            seed: 4,
            ..spec.clone()
        },
        Vec::new(),
    )
    .unwrap();
    assert_ne!(other, ta);

    let o = parse_bytes(
        &a,
        ParseOptions {
            days: true,
            threads: 2,
        },
    );
    assert_eq!(o.error_count, 0);
    assert!(o.len() > 5_000);
    let ring_days: HashSet<i32> = ta[0].days.iter().copied().collect();
    assert_eq!(ring_days.len(), 2);
}

#[test]
fn typed_purchases_find_the_blocks_their_lines_would() {
    let r = Ring {
        burst_days: Some(3),
        repeat: 3,
        ..ring(60, 40, 0.3, Camouflage::Random)
    };
    let g = generated(30_000, r, 31);
    let names: Vec<(String, String)> = g
        .orders
        .iter()
        .map(|o| (user_name(o.user), shop_name(o.shop)))
        .collect();
    for weighted in [false, true] {
        let mut text = String::new();
        let mut purchases = Vec::new();
        for (k, (o, (u, s))) in g.orders.iter().zip(&names).enumerate() {
            let weight = weighted.then_some((1 + k % 3) as f64);
            // Some orders without a time: the time-aware detector leaves them out either way.
            let at = (k % 50 != 0).then_some(o.ts);
            let field = |v: Option<String>| v.unwrap_or_default();
            writeln!(
                text,
                "{u},{s},{},{}",
                field(weight.map(|w| w.to_string())),
                field(at.map(|t| t.to_string()))
            )
            .unwrap();
            purchases.push(Purchase {
                buyer: u,
                shop: s,
                weight,
                at,
            });
        }
        for time in [false, true] {
            let opts = |threads| DetectOptions {
                blocks: 3,
                time,
                threads,
            };
            let lines = detect_bytes(text.as_bytes(), opts(2)).unwrap();
            assert_eq!(lines.blocks.len(), 3);
            assert!(
                lines.blocks[0].users.iter().any(|u| g
                    .truth
                    .users
                    .iter()
                    .any(|t| user_name(*t) == *u))
            );
            for threads in [1, 2] {
                let typed = detect_purchases(&purchases, opts(threads)).unwrap();
                let what = format!("weighted {weighted}, time {time}, threads {threads}");
                assert_eq!(typed.blocks, lines.blocks, "{what}");
                assert_eq!(
                    (typed.lines, typed.orders, typed.entries, typed.without_time),
                    (lines.lines, lines.orders, lines.entries, lines.without_time),
                    "{what}"
                );
                assert_eq!(typed.error_count, 0, "{what}");
            }
            assert_eq!(lines.without_time > 0, time);
        }
    }
}
