//! Reading edges files: ids, duplicates, bad lines, timestamps, chunking; typed purchases read
//! as their lines are.

use weiquan_detect::orders::{LineProblem, from_purchases};
use weiquan_detect::parse::{NO_DAY, day_name, parse_bytes};
use weiquan_detect::{Bipartite, ParseOptions, Purchase, Tensor};

fn opts(threads: usize) -> ParseOptions {
    ParseOptions {
        days: true,
        threads,
    }
}

fn names(o: &weiquan_detect::Orders) -> (Vec<&str>, Vec<&str>) {
    (
        o.user.iter().map(|&u| o.users.get(u)).collect(),
        o.shop.iter().map(|&s| o.shops.get(s)).collect(),
    )
}

#[test]
fn ids_are_any_strings_interned_in_order_of_first_appearance() {
    let long = "a-buyer-with-a-name-longer-than-sixteen-bytes";
    let text = format!(
        "张三,旗舰店\n  li si ,shop 2\r\n{long}1,旗舰店\n张三,shop 2\n{long}2,旗舰店\n{long}1,shop 2\n"
    );
    let o = parse_bytes(text.as_bytes(), opts(2));
    assert_eq!(o.error_count, 0, "{:?}", o.errors);
    assert_eq!(o.user, vec![0, 1, 2, 0, 3, 2]);
    assert_eq!(o.shop, vec![0, 1, 0, 1, 0, 1]);
    assert_eq!(o.users.get(1), "li si");
    assert_eq!(o.users.get(3), format!("{long}2"));
    assert_eq!(o.shops.get(0), "旗舰店");
    assert_eq!(o.lines, 6);
}

#[test]
fn duplicates_merge_once_without_weights_and_sum_with_them() {
    let plain = parse_bytes(b"a,x\nb,x\na,x\na,y\na,x\n", opts(1));
    let g = Bipartite::from_orders(&plain, 1).unwrap();
    assert_eq!(g.n_edges(), 3);
    assert_eq!(g.mult, None);
    assert_eq!(g.shop_degrees(), vec![2, 1]);

    let weighted = parse_bytes(b"a,x,2\nb,x\na,x,0.5\na,y,3\n", opts(2));
    let g = Bipartite::from_orders(&weighted, 2).unwrap();
    assert_eq!(g.row_ptr, vec![0, 2, 3]);
    assert_eq!(g.mult, Some(vec![2.5, 3.0, 1.0]));
}

#[test]
fn bad_lines_are_reported_with_their_numbers_and_skipped() {
    let text = b"u1,s1\n\nonly-a-user\nu2,\n,s3\nu4,s4,-1\nu5,s5,,yesterday\nu6,s6,1,2,3\nu7,s7,abc\n\xff\xfe,s8\nu9,s9,2,2026-03-01T10:00:00+08:00\n";
    for threads in [1, 2, 4] {
        let o = parse_bytes(text, opts(threads));
        let got: Vec<(u64, LineProblem)> = o
            .errors
            .iter()
            .map(|e| (e.line, e.problem.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, LineProblem::MissingShop),
                (4, LineProblem::EmptyShop),
                (5, LineProblem::EmptyUser),
                (6, LineProblem::BadWeight("-1".into())),
                (7, LineProblem::BadTimestamp("yesterday".into())),
                (8, LineProblem::TooManyFields),
                (9, LineProblem::BadWeight("abc".into())),
                (10, LineProblem::NotUtf8),
            ],
            "threads {threads}"
        );
        assert_eq!(o.error_count, 8);
        assert_eq!(o.lines, 11);
        // Bad lines leave no names behind.
        assert_eq!(names(&o), (vec!["u1", "u9"], vec!["s1", "s9"]));
        assert_eq!(o.weight, Some(vec![1.0, 2.0]));
    }
    let msg = parse_bytes(b"a\n", opts(1)).errors[0].to_string();
    assert!(msg.contains("第 1 行") && msg.contains("line 1"), "{msg}");
}

#[test]
fn chunking_does_not_change_the_result() {
    let mut text = String::new();
    for i in 0..5000u32 {
        let ts = 1_767_196_800 + i64::from(i) * 977;
        match i % 97 {
            0 => text.push_str("broken line\n"),
            1 => text.push('\n'),
            _ => text.push_str(&format!(
                "buyer{},shop{},,{ts}\n",
                (i * 7919) % 613,
                (i * 31) % 89
            )),
        }
    }
    let one = parse_bytes(text.as_bytes(), opts(1));
    for threads in [2, 3, 8] {
        let many = parse_bytes(text.as_bytes(), opts(threads));
        assert_eq!(many.user, one.user);
        assert_eq!(many.shop, one.shop);
        assert_eq!(many.day, one.day);
        assert_eq!(many.errors, one.errors);
        assert_eq!(many.lines, one.lines);
        assert_eq!(names(&many), names(&one));
    }
    assert_eq!(one.lines, 5000);
    assert_eq!(one.error_count, 52);
}

#[test]
fn timestamps_are_unix_seconds_or_rfc3339_and_days_are_cst() {
    // 2026-01-01 00:00 in China is 2025-12-31 16:00 UTC = 1767196800.
    let text = b"a,x,,1767196800\na,x,,2026-01-01T00:30:00+08:00\na,x,,1767196799\na,x,,2025-12-31T15:59:59Z\na,x\n";
    let o = parse_bytes(text, opts(2));
    let day = o.day.as_ref().unwrap();
    assert_eq!(day[0], day[1]);
    assert_eq!(day[2], day[3]);
    assert_eq!(day[0], day[2] + 1);
    assert_eq!(day_name(day[0]), "2026-01-01");
    assert_eq!(day[4], NO_DAY);

    // The tensor counts orders per (user, shop, day) and leaves undated lines out.
    let t = Tensor::from_orders(&o, 2).unwrap().unwrap();
    assert_eq!(t.mass, vec![2.0, 2.0]);
    assert_eq!(t.skipped, 1);
    assert_eq!(t.days.len(), 2);
}

#[test]
fn without_days_the_parse_keeps_none() {
    let o = parse_bytes(
        b"a,x,,1767196800\n",
        ParseOptions {
            days: false,
            threads: 1,
        },
    );
    assert!(o.day.is_none());
    assert!(Tensor::from_orders(&o, 1).is_none());
}

#[test]
fn crlf_and_a_last_line_without_newline_are_read() {
    for threads in [1, 2] {
        let o = parse_bytes(b"a,x\r\n \r\nb , y ,, 1767196800 \r\nc,z", opts(threads));
        assert_eq!(o.error_count, 0, "{:?}", o.errors);
        assert_eq!(o.lines, 4);
        assert_eq!(names(&o), (vec!["a", "b", "c"], vec!["x", "y", "z"]));
        assert_eq!(o.day.as_ref().unwrap()[1], 20454);
    }
}

#[test]
fn typed_purchases_are_checked_and_interned_as_their_lines_are() {
    let text = "张三,旗舰店,,1767196800\n,s2\nli,,2\nli,s3,-1\nli,s3,0.5,1767200000\n张三,s3\n";
    let p = |buyer, shop, weight, at| Purchase {
        buyer,
        shop,
        weight,
        at,
    };
    let purchases = [
        p("张三", "旗舰店", None, Some(1_767_196_800)),
        p("", "s2", None, None),
        p("li", "", Some(2.0), None),
        p("li", "s3", Some(-1.0), None),
        p("li", "s3", Some(0.5), Some(1_767_200_000)),
        p("张三", "s3", None, None),
    ];
    for threads in [1, 2, 4] {
        let lines = parse_bytes(text.as_bytes(), opts(2));
        let typed = from_purchases(&purchases, opts(threads));
        assert_eq!(typed.error_count, 3, "{:?}", typed.errors);
        assert_eq!(typed.errors, lines.errors, "threads {threads}");
        assert_eq!(names(&typed), names(&lines));
        assert_eq!((&typed.user, &typed.shop), (&lines.user, &lines.shop));
        assert_eq!(typed.weight, Some(vec![1.0, 0.5, 1.0]));
        assert_eq!(typed.weight, lines.weight);
        assert_eq!(typed.day, lines.day);
        assert_eq!(typed.lines, lines.lines);
    }
    let nan = from_purchases(&[p("a", "x", Some(f64::NAN), None)], opts(1));
    assert_eq!(nan.errors[0].problem, LineProblem::BadWeight("NaN".into()));
    assert!(nan.is_empty() && from_purchases(&[], opts(2)).is_empty());
}
