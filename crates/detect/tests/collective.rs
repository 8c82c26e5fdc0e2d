//! Collective clustering: signatures, similarity, the six-consumer wave, window and shop
//! boundaries, the index against the offline clusterer, and the labelled set's scores.

use weiquan_detect::collective::{
    self, BANDS, CollectiveIndex, Complaint, HASHES, Settings, Signature, labelled, same_issue,
    similarity,
};

const DAY: i64 = 86_400_000;

fn complaint(id: &str, shop: &str, text: &str, day: i64) -> Complaint {
    Complaint {
        id: id.into(),
        shop: shop.into(),
        consumer: None,
        text: text.into(),
        created_at: labelled::START_MS + day * DAY,
    }
}

/// Six consumers, one issue (a fryer basket's coating flaking into food), six wordings.
const WAVE: [&str; 6] = [
    "空气炸锅用了几次内胆涂层就掉了，黑渣掉进食物里 订单号 20260311889911",
    "炸锅的不粘涂层起皮脱落，吃进去怎么办",
    "The air fryer basket coating is flaking off into the food, order 88231907",
    "3月2日买的空气炸锅，篮子掉漆，涂层一块一块往下剥",
    "炸篮表面的涂层起泡脱落，才用半个月",
    "空气炸锅内锅涂层剥落，做出来的鸡翅上粘着黑色碎屑",
];

#[test]
fn signatures_are_deterministic_and_round_trip_through_bytes() {
    let a = Signature::of(WAVE[0]);
    assert_eq!(a, Signature::of(WAVE[0]));
    assert_eq!(a.0.len(), HASHES);
    assert_eq!(Signature::from_bytes(&a.to_bytes()), Some(a.clone()));
    assert_eq!(Signature::from_bytes(&[0; 7]), None);
    assert_eq!(a.band_keys(), Signature::of(WAVE[0]).band_keys());
    assert_eq!(a.band_keys().len(), BANDS);
    // Pinned: a stored signature must still compare next release (bump VERSION if this changes).
    let pinned = Signature::of("电水壶底部漏水");
    assert_eq!(
        pinned.0[..4],
        [103419555, 1312751670, 613719674, 888699190],
        "VERSION {}",
        collective::VERSION
    );
    // Order numbers and dates do not change what a complaint is about.
    assert_eq!(
        Signature::of("订单 20260305123456：水壶漏水"),
        Signature::of("订单 20251111000001：水壶漏水")
    );
    let empty = Signature::of("订单号 2026-03-05 123456789");
    assert!(empty.is_empty() && empty.band_keys().is_empty());
    assert_eq!(similarity(&empty, &empty), 0.0);
}

#[test]
fn similar_pairs_pass_and_dissimilar_ones_do_not() {
    let sig = |t: &str| Signature::of(t);
    for (a, b) in [
        (WAVE[0], WAVE[1]),
        (WAVE[1], WAVE[4]),
        (
            "电水壶底部漏水，桌子上全是水",
            "the electric kettle leaks from the bottom",
        ),
        ("手机电池鼓包了，后盖被顶起来", "电池膨胀把手机后壳撑开了"),
    ] {
        assert!(
            same_issue(&sig(a), &sig(b)),
            "{a} | {b}: {}",
            similarity(&sig(a), &sig(b))
        );
    }
    for (a, b) in [
        // Same product, different issue.
        (
            "电水壶底部漏水，桌子上全是水",
            "电水壶的颜色发的是白色，我买的是绿色",
        ),
        ("空气炸锅涂层脱落", "空气炸锅的说明书丢了，想要电子版"),
        // Same issue word, different everything else.
        ("芒果到货就腐烂了", "手机屏幕有坏点"),
    ] {
        assert!(
            !same_issue(&sig(a), &sig(b)),
            "{a} | {b}: {}",
            similarity(&sig(a), &sig(b))
        );
    }
}

#[test]
fn six_consumers_in_different_words_form_one_cluster() {
    let mut complaints: Vec<Complaint> = WAVE
        .iter()
        .enumerate()
        .map(|(i, t)| complaint(&format!("c{i}"), "fryer-shop", t, i as i64))
        .collect();
    complaints.push(complaint(
        "x1",
        "fryer-shop",
        "空气炸锅的说明书丢了，想要电子版",
        2,
    ));
    complaints.push(complaint(
        "x2",
        "fryer-shop",
        "客服态度不好，问安装问题很不耐烦",
        3,
    ));
    let got = collective::cluster(&complaints, Settings::default(), 2).clusters;
    assert_eq!(got[..6], [Some(0); 6], "{got:?}");
    assert_eq!(got[6..], [None, None]);

    // The same, one at a time; the cluster appears with the fifth consumer.
    let mut index = CollectiveIndex::new(Settings::default());
    for (i, c) in complaints.iter().enumerate() {
        let got = index
            .assign(&c.id, &c.shop, &c.id, &c.text, c.created_at)
            .map(str::to_owned);
        let want = match i {
            0..=3 | 6 | 7 => None,
            _ => Some("c0".to_owned()),
        };
        assert_eq!(got, want, "complaint {i}");
    }
}

#[test]
fn distinct_consumers_count_not_complaints() {
    let mut complaints: Vec<Complaint> = WAVE
        .iter()
        .enumerate()
        .map(|(i, t)| complaint(&format!("c{i}"), "s", t, i as i64))
        .collect();
    for c in &mut complaints {
        c.consumer = Some("same-person".into());
    }
    complaints[5].consumer = Some("another".into());
    let got = collective::cluster(&complaints, Settings::default(), 1).clusters;
    assert!(got.iter().all(Option::is_none), "{got:?}");
    let two = Settings {
        min_consumers: 2,
        ..Settings::default()
    };
    assert!(
        collective::cluster(&complaints, two, 1)
            .clusters
            .iter()
            .all(Option::is_some)
    );
}

#[test]
fn shops_and_the_window_bound_a_cluster() {
    // Three consumers at each of two shops: five are needed, neither shop has them.
    let split: Vec<Complaint> = WAVE
        .iter()
        .enumerate()
        .map(|(i, t)| complaint(&format!("c{i}"), if i % 2 == 0 { "a" } else { "b" }, t, 0))
        .collect();
    let got = collective::cluster(&split, Settings::default(), 2).clusters;
    assert!(got.iter().all(Option::is_none), "{got:?}");

    // Three early, three 40 days later: two groups of three with a 30-day window.
    let spread: Vec<Complaint> = WAVE
        .iter()
        .enumerate()
        .map(|(i, t)| {
            complaint(
                &format!("c{i}"),
                "a",
                t,
                if i < 3 { i } else { 40 + i } as i64,
            )
        })
        .collect();
    let got = collective::cluster(&spread, Settings::default(), 2).clusters;
    assert!(got.iter().all(Option::is_none), "{got:?}");
    let settings = Settings {
        min_consumers: 3,
        ..Settings::default()
    };
    let got = collective::cluster(&spread, settings, 2).clusters;
    assert_eq!(got[..3], [Some(0); 3], "{got:?}");
    assert!(got[3..].iter().all(|c| *c != Some(0)), "{got:?}");
    // A 60-day window joins them.
    let wide = Settings {
        window_ms: 60 * DAY,
        ..Settings::default()
    };
    let got = collective::cluster(&spread, wide, 2).clusters;
    assert_eq!(got, [Some(0); 6]);
    // So does the index, whatever order the complaints come in.
    let mut index = CollectiveIndex::new(wide);
    for c in spread.iter().rev() {
        index.assign(&c.id, &c.shop, &c.id, &c.text, c.created_at);
    }
    assert_eq!(index.clusters(), vec![Some("c0".to_owned()); 6]);
}

#[test]
fn the_index_and_the_offline_clusterer_agree() {
    let mut set = labelled::synthetic(6_000, 40, 120, 7);
    set.sort_by_key(|c| c.created_at);
    let offline = collective::cluster(&set, Settings::default(), 2).clusters;
    let mut index = CollectiveIndex::new(Settings::default());
    for c in &set {
        index.assign(&c.id, &c.shop, &c.id, &c.text, c.created_at);
    }
    let online = index.clusters();
    let s = collective::pair_scores(&online, &offline);
    assert!(s.found_pairs > 1000, "{s:?}");
    assert_eq!((s.precision, s.recall), (1.0, 1.0), "{s:?}");
}

#[test]
fn the_labelled_set_scores_as_measured() {
    let set = labelled::labelled(2);
    let waves = set.iter().filter_map(|l| l.label.as_ref()).count();
    assert!(waves >= 280 && set.len() >= 350, "{waves} of {}", set.len());
    let e = labelled::evaluate(&set, Settings::default());
    assert!(e.waves + e.heldout_waves >= 40, "{e:?}");
    assert!(e.tuning.precision >= 0.9 && e.tuning.recall >= 0.9, "{e:?}");
    // The held-out waves are reported, not tuned for (BENCHMARKS.md has their numbers over
    // several seeds). These are floors against regressions at what was measured, not targets:
    // waves whose words the issue lexicon does not know are not found (recall 0.57 held out).
    assert!(
        e.heldout.precision >= 0.95 && e.heldout.recall >= 0.55,
        "{e:?}"
    );
    assert!(e.all.precision >= 0.85 && e.all.recall >= 0.8, "{e:?}");
}
