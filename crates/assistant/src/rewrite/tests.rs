use super::calm_rewrite;
use crate::features::Prepared;
use crate::lexicon;

/// Every run of digits in `s`.
fn digit_runs(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

fn assert_calm(out: &str) {
    let p = Prepared::new(out);
    let heat = lexicon::hits(&p.text, &p.words);
    assert!(heat.is_empty(), "heat left in {out:?}: {heat:?}");
    for run in ["!!", "！！", "??", "？？"] {
        assert!(!out.contains(run), "{out:?}");
    }
}

#[test]
fn keeps_every_fact_and_drops_the_heat() {
    let cases: &[(&str, &[&str])] = &[
        (
            "垃圾商家！！！订单号202505041234567890的保温杯昨天到的就漏水，59.9元赶紧退给我，骗子！！",
            &["202505041234567890", "保温杯", "昨天", "59.9元", "漏水"],
        ),
        (
            "你们这帮骗子，5月4日买的蓝牙耳机，到现在还不发货，我要曝光你们！！！气死我了",
            &["5月4日", "蓝牙耳机", "不发货"],
        ),
        (
            "什么玩意？？？羽绒服掉毛掉成这样，五十九块的运费还要我出，我要投诉到底",
            &["羽绒服", "掉毛", "五十九块", "运费"],
        ),
        (
            "TMD退款¥128.50说好3天到账，都一个星期了！！！",
            &["¥128.50", "3天", "到账", "一个星期"],
        ),
        (
            "THIS IS A SCAM!!! Order 202505041234567890, the AirPods case came CRACKED, refund 299 yuan NOW",
            &["202505041234567890", "AirPods", "299 yuan", "refund"],
        ),
    ];
    for (text, facts) in cases {
        let out = calm_rewrite(text);
        for run in digit_runs(text) {
            assert!(out.contains(&run), "lost {run} in {out:?}");
        }
        for fact in *facts {
            assert!(
                out.to_lowercase().contains(&fact.to_lowercase()),
                "lost {fact:?} in {out:?}"
            );
        }
        assert_calm(&out);
    }
}

#[test]
fn every_heated_corpus_line_keeps_its_digits_and_products() {
    // Each emotional utterance of the shipped corpus: its digits survive, so does every product
    // noun of the domain dictionary it names, and no heat is left.
    let products: Vec<&str> = weiquan_text::segment::product_words().collect();
    assert!(products.len() > 30);
    let mut checked = 0;
    for e in crate::corpus::examples()
        .iter()
        .filter(|e| e.tone == Some(crate::Tone::Emotional))
        .step_by(3)
    {
        let out = calm_rewrite(&e.text);
        for run in digit_runs(&e.text) {
            assert!(out.contains(&run), "lost {run} of {:?} in {out:?}", e.text);
        }
        for p in products.iter().filter(|p| e.text.contains(*p)) {
            assert!(out.contains(p), "lost {p} of {:?} in {out:?}", e.text);
        }
        assert_calm(&out);
        checked += 1;
    }
    assert!(checked > 50, "only {checked} lines checked");
}

#[test]
fn answers_in_the_language_it_was_asked() {
    let zh = calm_rewrite("耳机坏了！！！");
    assert!(zh.starts_with("您好") && zh.contains("耳机坏了"), "{zh}");
    let en = calm_rewrite("my headphones broke!!!");
    assert!(
        en.starts_with("Hello") && en.contains("my headphones broke"),
        "{en}"
    );
    let pure_insult = calm_rewrite("垃圾！骗子！");
    assert!(pure_insult.starts_with("您好"), "{pure_insult}");
    assert_calm(&pure_insult);
}

#[test]
fn innocent_words_that_look_heated_stay() {
    let out = calm_rewrite("买的垃圾袋全是破的！！！");
    assert!(out.contains("垃圾袋"), "{out}");
}
