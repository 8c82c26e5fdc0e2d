//! Collective clustering: signatures, similarity, the six-consumer wave, window and shop
//! boundaries, the index against the offline clusterer, and the labelled set's scores.

use weiquan_detect::collective::{
    self, BANDS, Closeness, CollectiveIndex, Complaint, HASHES, Settings, Signature, Subject,
    labelled, same_issue, similarity,
};

const DAY: i64 = 86_400_000;

fn complaint(id: &str, shop: &str, text: &str, day: i64) -> Complaint {
    Complaint {
        id: id.into(),
        shop: shop.into(),
        consumer: None,
        text: text.into(),
        created_at: labelled::START_MS + day * DAY,
        subject: None,
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
    // Stored before the problem bits: the hashes alone, read with none.
    assert_ne!(a.1, 0);
    let old = Signature::from_bytes(&a.to_bytes()[..4 * HASHES]).unwrap();
    assert_eq!((old.0, old.1), (a.0, 0));
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
            .assign(&c.id, &c.shop, &c.id, &c.text, None, c.created_at)
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
        index.assign(
            &c.id,
            &c.shop,
            &c.id,
            &c.text,
            c.subject.as_ref(),
            c.created_at,
        );
    }
    assert_eq!(index.clusters(), vec![Some("c0".to_owned()); 6]);
}

fn with_subject(mut c: Complaint, product: &str, category: &str) -> Complaint {
    c.subject = Some(Subject::new(product, category));
    c
}

/// Both clusterings of `complaints`: offline, and through the index in time order.
fn both(complaints: &[Complaint], settings: Settings) -> (Vec<Option<u32>>, Vec<Option<String>>) {
    let offline = collective::cluster(complaints, settings, 2).clusters;
    let mut sorted: Vec<&Complaint> = complaints.iter().collect();
    sorted.sort_by_key(|c| c.created_at);
    let mut index = CollectiveIndex::new(settings);
    for c in sorted {
        index.assign(
            &c.id,
            &c.shop,
            &c.id,
            &c.text,
            c.subject.as_ref(),
            c.created_at,
        );
    }
    (offline, index.clusters())
}

/// Five consumers of one cup, in words that share (almost) nothing.
const CUP: [&str; 5] = [
    "盖子拧紧了还往外渗水",
    "用了三天杯底一圈有水珠",
    "放包里把书全弄湿了",
    "The lid seal lets tea drip out when tilted",
    "倒过来就滴答滴答",
];

#[test]
fn one_items_problem_in_different_words_clusters_by_meaning_with_its_subject() {
    let cup: Vec<Complaint> = CUP
        .iter()
        .enumerate()
        .map(|(i, t)| {
            with_subject(
                complaint(&format!("c{i}"), "s", t, i as i64),
                "保温杯 500ml",
                "quality_defect",
            )
        })
        .collect();
    // The words alone find no cluster.
    let words: Vec<Complaint> = cup
        .iter()
        .cloned()
        .map(|mut c| {
            c.subject = None;
            c
        })
        .collect();
    let (offline, online) = both(&words, Settings::default());
    assert!(offline.iter().all(Option::is_none), "{offline:?}");
    assert!(online.iter().all(Option::is_none), "{online:?}");
    // With the subject, their meanings join them: one cluster, offline and one at a time (the
    // index's ids are in time order, which is the input order here).
    let (offline, online) = both(&cup, Settings::default());
    assert_eq!(offline, [Some(0); 5]);
    assert_eq!(online, vec![Some("c0".to_owned()); 5]);
    // A complaint whose words say nothing (no tokens, no meaning) is not taken for the wave by
    // its subject alone: four consumers remain, fewer than a collective complaint needs.
    let mut more = cup.clone();
    more[4].text = "订单号 2026-03-05 123456789".into();
    assert!(Signature::of(&more[4].text).is_empty());
    let (offline, online) = both(&more, Settings::default());
    assert_eq!(offline, [None; 5]);
    assert_eq!(online, vec![None; 5]);
    let four = Settings {
        min_consumers: 4,
        ..Settings::default()
    };
    assert_eq!(
        both(&more, four).0,
        [Some(0), Some(0), Some(0), Some(0), None]
    );
}

#[test]
fn the_same_words_cluster_across_subjects() {
    let categories = [
        "quality_defect",
        "not_as_described",
        "quality_defect",
        "false_advertising",
        "quality_defect",
        "return_refused",
    ];
    let fryer: Vec<Complaint> = WAVE
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // About the goods, one item in three categories; about the shop's conduct, another
            // item (conduct is the shop's, whatever the item).
            let product = if categories[i] == "return_refused" {
                "空气炸锅 3L"
            } else {
                "空气炸锅 5L"
            };
            with_subject(
                complaint(&format!("c{i}"), "s", t, i as i64),
                product,
                categories[i],
            )
        })
        .collect();
    let (offline, online) = both(&fryer, Settings::default());
    assert_eq!(offline, [Some(0); 6]);
    assert_eq!(online, vec![Some("c0".to_owned()); 6]);
}

#[test]
fn one_problem_on_two_items_joins_by_meaning_not_by_words() {
    // The words that cluster across subjects above, about two items' goods: three and three,
    // neither five consumers by words alone (a listing's words are about its own goods)…
    let two: Vec<Complaint> = WAVE
        .iter()
        .enumerate()
        .map(|(i, t)| {
            with_subject(
                complaint(&format!("c{i}"), "s", t, i as i64),
                ["空气炸锅 5L", "电烤箱 20L"][i % 2],
                "quality_defect",
            )
        })
        .collect();
    let words_only = Settings {
        closeness: Closeness::NEVER,
        ..Settings::default()
    };
    let (offline, online) = both(&two, words_only);
    assert_eq!(offline, [None; 6]);
    assert_eq!(online, vec![None; 6]);
    // …but one problem told six times is one cause, whichever listing it was filed under (a
    // bad batch of coating hits both): issue 18's waves across items.
    let (offline, online) = both(&two, Settings::default());
    assert_eq!(offline, [Some(0); 6]);
    assert_eq!(online, vec![Some("c0".to_owned()); 6]);
}

#[test]
fn another_product_or_category_in_other_words_does_not_cluster() {
    // Each pair differs in the product or in the category; their words differ too.
    let subjects = [
        ("保温杯 500ml", "quality_defect"),
        ("保温杯 500ml", "late_shipment"),
        ("保温杯 350ml", "quality_defect"),
        ("保温杯 500ml", "not_as_described"),
        ("保温杯 750ml", "quality_defect"),
    ];
    let cups: Vec<Complaint> = CUP
        .iter()
        .zip(subjects)
        .enumerate()
        .map(|(i, (t, (p, c)))| with_subject(complaint(&format!("c{i}"), "s", t, i as i64), p, c))
        .collect();
    let (offline, online) = both(&cups, Settings::default());
    assert!(offline.iter().all(Option::is_none), "{offline:?}");
    assert!(online.iter().all(Option::is_none), "{online:?}");
    // Nor do the same subject at another shop or outside the window.
    let apart: Vec<Complaint> = CUP
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (shop, day) = if i < 3 { ("s", i) } else { ("t", i) };
            with_subject(
                complaint(&format!("c{i}"), shop, t, day as i64),
                "保温杯 500ml",
                "quality_defect",
            )
        })
        .collect();
    let three = Settings {
        min_consumers: 3,
        ..Settings::default()
    };
    let (offline, _) = both(&apart, three);
    assert_eq!(offline, [Some(0), Some(0), Some(0), None, None]);
    let late: Vec<Complaint> = apart
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, mut c)| {
            c.shop = "s".into();
            c.created_at += if i < 3 { 0 } else { 40 * DAY };
            c
        })
        .collect();
    let (offline, online) = both(&late, three);
    assert_eq!(offline, [Some(0), Some(0), Some(0), None, None]);
    assert_eq!(online[..3], vec![Some("c0".to_owned()); 3]);
    assert_eq!(online[3..], [None, None]);
}

#[test]
fn the_index_and_the_offline_clusterer_agree() {
    let mut set = labelled::synthetic(6_000, 40, 120, 7);
    // A third of the complaints name one of a few products and categories: big subject buckets
    // (beyond MAX_WALK at the busy shops), and subjects shared across unrelated words.
    for (i, c) in set.iter_mut().enumerate() {
        if i % 3 == 0 {
            let product = ["保温杯", "耳机", "空气炸锅"][(i / 3) % 3];
            let category = ["quality_defect", "late_shipment"][(i / 7) % 2];
            c.subject = Some(Subject::new(product, category));
        }
    }
    set.sort_by_key(|c| c.created_at);
    let offline = collective::cluster(&set, Settings::default(), 2).clusters;
    let mut index = CollectiveIndex::new(Settings::default());
    for c in &set {
        index.assign(
            &c.id,
            &c.shop,
            &c.id,
            &c.text,
            c.subject.as_ref(),
            c.created_at,
        );
    }
    let online = index.clusters();
    // Without the subjects the clusters are fewer: the subjects do join complaints here.
    let words: Vec<Complaint> = set
        .iter()
        .cloned()
        .map(|mut c| {
            c.subject = None;
            c
        })
        .collect();
    let words = collective::cluster(&words, Settings::default(), 2).clusters;
    assert!(
        words.iter().flatten().count() < offline.iter().flatten().count(),
        "subjects joined nothing"
    );
    let s = collective::pair_scores(&online, &offline);
    assert!(s.found_pairs > 1000, "{s:?}");
    assert_eq!((s.precision, s.recall), (1.0, 1.0), "{s:?}");
}

/// The scores of one group of the evaluation (every group is in the shipped set).
fn group(e: &labelled::Evaluation, g: labelled::Group) -> labelled::GroupScores {
    e.group(g)
        .cloned()
        .expect("the shipped set has every group")
}

#[test]
fn the_labelled_set_scores_as_measured() {
    use labelled::Group::*;
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
    // With the order items and categories the store has, over the groups of issue 16's target
    // (tuning, A, B, C and D): that target holds.
    let set = labelled::labelled_with_subjects(2);
    let e = labelled::evaluate(&set, Settings::default());
    let complaints: Vec<_> = set.iter().map(|l| l.complaint.clone()).collect();
    let found = collective::cluster(&complaints, Settings::default(), 2).clusters;
    let (truth, got): (Vec<_>, Vec<_>) = set
        .iter()
        .zip(&found)
        .filter(|(l, _)| {
            matches!(
                l.group,
                labelled::Group::Tuning
                    | labelled::Group::Heldout
                    | labelled::Group::HeldoutC
                    | labelled::Group::HeldoutD
            )
        })
        .map(|(l, f)| (l.label.clone(), *f))
        .unzip();
    let before_e = collective::pair_scores(&truth, &got);
    assert!(
        before_e.precision >= 0.9 && before_e.recall >= 0.9,
        "{before_e:?}"
    );
    assert!(group(&e, HeldoutC).waves >= 15, "{e:?}");
    // Groups C and D alone, floors at what they measured (BENCHMARKS.md). D's waves across
    // items and categories are found by meaning (0.646 by words and subjects alone); the pair
    // model was fitted on D, so this guards against regressions, it does not measure. Since
    // average linkage replaced the one-subject rule and single links by meaning, D's recall is
    // 0.83 (0.90–0.96 before) for precision on the groups written later (E, F below).
    assert!(
        group(&e, HeldoutC).scores.precision >= 0.8 && group(&e, HeldoutC).scores.recall >= 0.9,
        "{e:?}"
    );
    assert!(group(&e, HeldoutD).waves >= 16, "{e:?}");
    assert!(
        group(&e, HeldoutD).scores.precision >= 0.95 && group(&e, HeldoutD).scores.recall >= 0.8,
        "{e:?}"
    );
    // F was scored once with the single-link rule (P 0.66, R 0.52 at this seed), then became
    // development data for average linkage, which trades recall for precision (BENCHMARKS.md:
    // both below the issue's targets). Floors against regressions of that trade: precision
    // well above the old rule's and words and subjects alone (0.767), recall above the latter
    // (0.310).
    assert!(group(&e, HeldoutF).waves >= 22, "{e:?}");
    assert!(
        group(&e, HeldoutF).scores.precision >= 0.85 && group(&e, HeldoutF).scores.recall >= 0.4,
        "{e:?}"
    );
    assert!(
        group(&e, HeldoutE).scores.precision >= 0.85 && group(&e, HeldoutE).scores.recall >= 0.4,
        "{e:?}"
    );
    // G was scored once with average linkage (BENCHMARKS.md: P 0.87–0.92, R 0.33–0.44 over
    // five seeds, 0.869 / 0.361 at this one). Floors against regressions.
    assert!(group(&e, HeldoutG).waves >= 22, "{e:?}");
    assert!(
        group(&e, HeldoutG).scores.precision >= 0.85 && group(&e, HeldoutG).scores.recall >= 0.33,
        "{e:?}"
    );
    // H was scored once with the projected meaning at a least average of 0.4 (BENCHMARKS.md:
    // P 0.92–1.00, R 0.33–0.56 over five seeds); at 0.5, 1.000 / 0.27–0.39. The projection
    // is now fitted on it too (0.973 / 0.600 at this seed). Floors against regressions.
    assert!(group(&e, HeldoutH).waves >= 22, "{e:?}");
    assert!(
        group(&e, HeldoutH).scores.precision >= 0.9 && group(&e, HeldoutH).scores.recall >= 0.5,
        "{e:?}"
    );
    // I was scored once with the projection refitted on A–H (BENCHMARKS.md: P 0.97–1.00,
    // R 0.53–0.64 over five seeds, 1.000 / 0.538 at this one), then joined the fit. Floors at
    // what it scored unseen, against regressions.
    assert!(group(&e, HeldoutI).waves >= 22, "{e:?}");
    assert!(
        group(&e, HeldoutI).scores.precision >= 0.9 && group(&e, HeldoutI).scores.recall >= 0.5,
        "{e:?}"
    );
    // J was scored once with the projection refitted on A–I (BENCHMARKS.md: P 0.81–0.90,
    // R 0.49–0.54 over five seeds); never fitted on. Floors at what it scored, against
    // regressions: both are below the issue's targets.
    assert!(group(&e, HeldoutJ).waves >= 22, "{e:?}");
    assert!(
        group(&e, HeldoutJ).scores.precision >= 0.8 && group(&e, HeldoutJ).scores.recall >= 0.45,
        "{e:?}"
    );
    // K was scored once with the same projection (BENCHMARKS.md: P 0.81–0.94, R 0.27–0.39 over
    // five seeds, 0.936 / 0.272 at this one); never fitted on. Floors at what it scored.
    assert!(group(&e, HeldoutK).waves >= 22, "{e:?}");
    assert!(
        group(&e, HeldoutK).scores.precision >= 0.9 && group(&e, HeldoutK).scores.recall >= 0.25,
        "{e:?}"
    );
    // L was scored once with the same projection (BENCHMARKS.md: P 0.84–0.91, R 0.48–0.55 over
    // five seeds, 0.866 / 0.498 at this one); never fitted on. Floors at what it scored.
    assert!(group(&e, HeldoutL).waves >= 22, "{e:?}");
    assert!(
        group(&e, HeldoutL).scores.precision >= 0.85 && group(&e, HeldoutL).scores.recall >= 0.45,
        "{e:?}"
    );
    // M was scored once with the same projection (BENCHMARKS.md: P 0.86–0.92, R 0.46–0.64 over
    // five seeds, 0.863 / 0.463 at this one); never fitted on. Floors at what it scored.
    assert!(group(&e, HeldoutM).waves >= 22, "{e:?}");
    assert!(
        group(&e, HeldoutM).scores.precision >= 0.85 && group(&e, HeldoutM).scores.recall >= 0.45,
        "{e:?}"
    );
}
