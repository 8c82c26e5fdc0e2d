//! The fast peels (heaps, incremental degrees) against brute force on small random inputs.

use proptest::prelude::*;
use weiquan_detect::fraudar::Weights;
use weiquan_detect::{Bipartite, Tensor, fraudar, mzoom};

/// FRAUDAR's peel done slowly: every step recomputes every remaining node's degree from
/// scratch and removes the least (buyers before shops, then the lowest id); the best prefix
/// wins (strictly better only). Returns the block's users, shops and real-weight score.
fn brute_peel(g: &Bipartite) -> Option<(Vec<u32>, Vec<u32>, f64)> {
    let w = Weights::of(g);
    let edges: Vec<(u32, u32, usize)> = (0..g.n_users as u32)
        .flat_map(|u| g.row(u).map(move |e| (u, 0, e)))
        .map(|(u, _, e)| (u, g.shops[e], e))
        .collect();
    if edges.is_empty() {
        return None;
    }
    let mut in_u = vec![false; g.n_users];
    let mut in_s = vec![false; g.n_shops];
    for &(u, s, _) in &edges {
        in_u[u as usize] = true;
        in_s[s as usize] = true;
    }
    let mass = |in_u: &[bool], in_s: &[bool]| -> u128 {
        edges
            .iter()
            .filter(|&&(u, s, _)| in_u[u as usize] && in_s[s as usize])
            .map(|&(_, s, e)| u128::from(w.fixed(g, e, s)))
            .sum()
    };
    let nodes = |in_u: &[bool], in_s: &[bool]| {
        (in_u.iter().filter(|&&x| x).count() + in_s.iter().filter(|&&x| x).count()) as u128
    };
    let mut best = (
        mass(&in_u, &in_s),
        nodes(&in_u, &in_s),
        in_u.clone(),
        in_s.clone(),
    );
    while in_u.iter().any(|&x| x) && in_s.iter().any(|&x| x) {
        let deg_u = |u: usize| -> u128 {
            edges
                .iter()
                .filter(|&&(eu, s, _)| eu as usize == u && in_s[s as usize])
                .map(|&(_, s, e)| u128::from(w.fixed(g, e, s)))
                .sum()
        };
        let deg_s = |s: usize| -> u128 {
            edges
                .iter()
                .filter(|&&(u, es, _)| es as usize == s && in_u[u as usize])
                .map(|&(_, s, e)| u128::from(w.fixed(g, e, s)))
                .sum()
        };
        let min_u = (0..g.n_users)
            .filter(|&u| in_u[u])
            .map(|u| (deg_u(u), u))
            .min();
        let min_s = (0..g.n_shops)
            .filter(|&s| in_s[s])
            .map(|s| (deg_s(s), s))
            .min();
        match (min_u, min_s) {
            (Some((du, u)), Some((ds, _))) if du <= ds => in_u[u] = false,
            (_, Some((_, s))) => in_s[s] = false,
            _ => unreachable!("both sides non-empty"),
        }
        let (m, n) = (mass(&in_u, &in_s), nodes(&in_u, &in_s));
        if m * best.1 > best.0 * n {
            best = (m, n, in_u.clone(), in_s.clone());
        }
    }
    let (_, _, bu, bs) = best;
    let users: Vec<u32> = (0..g.n_users as u32).filter(|&u| bu[u as usize]).collect();
    let shops: Vec<u32> = (0..g.n_shops as u32).filter(|&s| bs[s as usize]).collect();
    let total: f64 = edges
        .iter()
        .filter(|&&(u, s, _)| bu[u as usize] && bs[s as usize])
        .map(|&(_, s, e)| w.real(g, e, s))
        .sum();
    Some((
        users.clone(),
        shops.clone(),
        total / (users.len() + shops.len()) as f64,
    ))
}

/// The densest of all `2^(users + shops)` subsets, by real weights.
fn brute_max_density(g: &Bipartite) -> f64 {
    let w = Weights::of(g);
    let (nu, ns) = (g.n_users, g.n_shops);
    let mut best = 0.0f64;
    for mask in 1u32..(1 << (nu + ns)) {
        let nodes = mask.count_ones() as f64;
        let mut sum = 0.0;
        for u in 0..nu as u32 {
            if mask & (1 << u) == 0 {
                continue;
            }
            for e in g.row(u) {
                let s = g.shops[e];
                if mask & (1 << (nu as u32 + s)) != 0 {
                    sum += w.real(g, e, s);
                }
            }
        }
        best = best.max(sum / nodes);
    }
    best
}

fn graph() -> impl Strategy<Value = (Bipartite, bool)> {
    (1usize..=7, 1usize..=7, any::<bool>()).prop_flat_map(|(nu, ns, weighted)| {
        let edge = (
            0..nu as u32,
            0..ns as u32,
            prop::sample::select(vec![0.5, 1.0, 2.0, 3.0]),
        );
        prop::collection::vec(edge, 0..=24).prop_map(move |edges| {
            let user: Vec<u32> = edges.iter().map(|e| e.0).collect();
            let shop: Vec<u32> = edges.iter().map(|e| e.1).collect();
            let weight: Vec<f64> = edges.iter().map(|e| e.2).collect();
            let g = Bipartite::build(nu, ns, &user, &shop, weighted.then_some(&weight[..]), 2)
                .expect("small");
            (g, weighted)
        })
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fraudar_block_is_the_brute_force_peels_best_prefix((g, _weighted) in graph()) {
        let blocks = fraudar(&g, 2);
        let Some((users, shops, score)) = brute_peel(&g) else {
            prop_assert!(blocks.is_empty());
            return Ok(());
        };
        let b = &blocks[0];
        prop_assert_eq!(&b.users, &users);
        prop_assert_eq!(&b.shops, &shops);
        prop_assert!(close(b.score, score), "{} vs {}", b.score, score);
        prop_assert!(b.score <= brute_max_density(&g) * (1.0 + 1e-12));

        // The second block is the first of the graph without the first block's edges.
        let mut mu = vec![false; g.n_users];
        let mut ms = vec![false; g.n_shops];
        users.iter().for_each(|&u| mu[u as usize] = true);
        shops.iter().for_each(|&s| ms[s as usize] = true);
        let rest = g.without_block(&mu, &ms);
        match (brute_peel(&rest), blocks.get(1)) {
            (None, None) => {}
            (Some((u2, s2, sc2)), Some(b2)) => {
                prop_assert_eq!(&b2.users, &u2);
                prop_assert_eq!(&b2.shops, &s2);
                prop_assert!(close(b2.score, sc2));
            }
            (x, y) => prop_assert!(false, "brute {:?} vs fast {:?}", x, y),
        }
    }
}

/// M-Zoom's peel done slowly, with integer masses (unit weights: counts of orders).
fn brute_mzoom(t: &Tensor) -> (Vec<u32>, Vec<u32>, Vec<i32>, f64) {
    let entries: Vec<[usize; 3]> = (0..t.n_users as u32)
        .flat_map(|u| t.row(u).map(move |e| (u, e)))
        .map(|(u, e)| [u as usize, t.shop[e] as usize, t.day[e] as usize])
        .collect();
    let mass_of: Vec<u128> = (0..t.n_entries()).map(|e| t.mass[e] as u128).collect();
    let n = [t.n_users, t.n_shops, t.days.len()];
    let mut alive: [Vec<bool>; 3] = std::array::from_fn(|m| {
        (0..n[m])
            .map(|i| entries.iter().any(|x| x[m] == i))
            .collect()
    });
    let inside = |alive: &[Vec<bool>; 3], x: &[usize; 3]| (0..3).all(|m| alive[m][x[m]]);
    let total = |alive: &[Vec<bool>; 3]| -> (u128, u128) {
        let mass = entries
            .iter()
            .zip(&mass_of)
            .filter(|(x, _)| inside(alive, x))
            .map(|(_, &w)| w)
            .sum();
        let size = alive.iter().flatten().filter(|&&a| a).count() as u128;
        (mass, size)
    };
    let mut best = (total(&alive), alive.clone());
    while alive.iter().all(|a| a.iter().any(|&x| x)) {
        let (_, m, i) = (0..3)
            .flat_map(|m| (0..n[m]).map(move |i| (m, i)))
            .filter(|&(m, i)| alive[m][i])
            .map(|(m, i)| {
                let slice: u128 = entries
                    .iter()
                    .zip(&mass_of)
                    .filter(|(x, _)| x[m] == i && inside(&alive, x))
                    .map(|(_, &w)| w)
                    .sum();
                (slice, m, i)
            })
            .min()
            .expect("non-empty");
        alive[m][i] = false;
        let (mass, size) = total(&alive);
        if mass * best.0.1 > best.0.0 * size {
            best = ((mass, size), alive.clone());
        }
    }
    let ((mass, size), a) = best;
    let ids = |m: usize| -> Vec<u32> { (0..n[m] as u32).filter(|&i| a[m][i as usize]).collect() };
    let days = ids(2).iter().map(|&d| t.days[d as usize]).collect();
    (ids(0), ids(1), days, 3.0 * mass as f64 / size as f64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn mzoom_block_is_the_brute_force_peels_best_prefix(
        nu in 1usize..=5,
        ns in 1usize..=5,
        orders in prop::collection::vec((0u32..5, 0u32..5, 0i32..4), 1..=30),
    ) {
        let orders: Vec<_> = orders.into_iter().filter(|o| (o.0 as usize) < nu && (o.1 as usize) < ns).collect();
        let user: Vec<u32> = orders.iter().map(|o| o.0).collect();
        let shop: Vec<u32> = orders.iter().map(|o| o.1).collect();
        let day: Vec<i32> = orders.iter().map(|o| 20_000 + o.2 * 3).collect();
        let t = Tensor::build(nu, ns, &user, &shop, &day, None, 2).expect("small");
        let blocks = mzoom(&t, 1);
        if orders.is_empty() {
            prop_assert!(blocks.is_empty());
            return Ok(());
        }
        let (users, shops, days, score) = brute_mzoom(&t);
        let b = &blocks[0];
        prop_assert_eq!(&b.users, &users);
        prop_assert_eq!(&b.shops, &shops);
        prop_assert_eq!(&b.days, &days);
        prop_assert!(close(b.score, score));
    }
}
