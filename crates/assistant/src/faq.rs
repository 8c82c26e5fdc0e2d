//! The FAQ: answers kept as Markdown in `faq/{zh,en}/*.md`, searched with tantivy.
//!
//! The index lives in RAM and is built once per process from the files embedded at compile time.
//! Chinese is tokenised with the workspace's one jieba (`weiquan_text::segment`, as
//! [`SharedJieba`]), English with tantivy's stemming analyser; a query is searched among the
//! answers of its own language only.

use std::sync::{LazyLock, Mutex};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};
use weiquan_domain::Lang;
use weiquan_text::segment::{self, TokenizeMode};

/// Every answer: (language, slug, Markdown).
pub const ENTRIES: &[(&str, &str, &str)] = &[
    (
        "zh",
        "complaint-process",
        include_str!("../faq/zh/complaint-process.md"),
    ),
    ("zh", "evidence", include_str!("../faq/zh/evidence.md")),
    (
        "zh",
        "seven-day-return",
        include_str!("../faq/zh/seven-day-return.md"),
    ),
    (
        "zh",
        "shipping-insurance",
        include_str!("../faq/zh/shipping-insurance.md"),
    ),
    (
        "zh",
        "authentic-guarantee",
        include_str!("../faq/zh/authentic-guarantee.md"),
    ),
    (
        "zh",
        "shipping-promise",
        include_str!("../faq/zh/shipping-promise.md"),
    ),
    (
        "zh",
        "refund-timing",
        include_str!("../faq/zh/refund-timing.md"),
    ),
    ("zh", "tiers", include_str!("../faq/zh/tiers.md")),
    (
        "zh",
        "report-brushing",
        include_str!("../faq/zh/report-brushing.md"),
    ),
    (
        "zh",
        "report-infringement",
        include_str!("../faq/zh/report-infringement.md"),
    ),
    ("zh", "privacy", include_str!("../faq/zh/privacy.md")),
    ("zh", "harassment", include_str!("../faq/zh/harassment.md")),
    ("zh", "withdraw", include_str!("../faq/zh/withdraw.md")),
    ("zh", "deadlines", include_str!("../faq/zh/deadlines.md")),
    (
        "en",
        "complaint-process",
        include_str!("../faq/en/complaint-process.md"),
    ),
    ("en", "evidence", include_str!("../faq/en/evidence.md")),
    (
        "en",
        "seven-day-return",
        include_str!("../faq/en/seven-day-return.md"),
    ),
    (
        "en",
        "shipping-insurance",
        include_str!("../faq/en/shipping-insurance.md"),
    ),
    (
        "en",
        "authentic-guarantee",
        include_str!("../faq/en/authentic-guarantee.md"),
    ),
    (
        "en",
        "shipping-promise",
        include_str!("../faq/en/shipping-promise.md"),
    ),
    (
        "en",
        "refund-timing",
        include_str!("../faq/en/refund-timing.md"),
    ),
    ("en", "tiers", include_str!("../faq/en/tiers.md")),
    (
        "en",
        "report-brushing",
        include_str!("../faq/en/report-brushing.md"),
    ),
    (
        "en",
        "report-infringement",
        include_str!("../faq/en/report-infringement.md"),
    ),
    ("en", "privacy", include_str!("../faq/en/privacy.md")),
    ("en", "harassment", include_str!("../faq/en/harassment.md")),
    ("en", "withdraw", include_str!("../faq/en/withdraw.md")),
    ("en", "deadlines", include_str!("../faq/en/deadlines.md")),
];

/// A BM25 score below this is noise (a shared particle or two), not an answer.
pub const MIN_SCORE: f32 = 2.0;

/// One answer found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub slug: String,
    pub title: String,
    /// The answer without its title line.
    pub answer: String,
    pub score: f32,
}

struct Faq {
    reader: IndexReader,
    /// (title, body) fields and their analyser, per language.
    zh: (Field, Field, Mutex<TextAnalyzer>),
    en: (Field, Field, Mutex<TextAnalyzer>),
    lang: Field,
    slug: Field,
    title: Field,
    answer: Field,
}

fn text_field(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Splits a Markdown answer into its `# title` and the rest.
pub fn split(md: &str) -> (String, String) {
    let md = md.trim();
    match md.split_once('\n') {
        Some((first, rest)) if first.starts_with('#') => (
            first.trim_start_matches('#').trim().to_string(),
            rest.trim().to_string(),
        ),
        _ => (String::new(), md.to_string()),
    }
}

/// jieba as a tantivy tokenizer, on the process's one segmenter: tantivy clones its tokenizers
/// (per field, per indexing thread), and a tokenizer owning a `Jieba` would copy its dictionary
/// each time (tens of MiB).
#[derive(Debug, Clone, Copy, Default)]
pub struct SharedJieba;

pub struct JiebaTokens {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for SharedJieba {
    type TokenStream<'a> = JiebaTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokens {
        let base = text.as_ptr() as usize;
        let tokens = segment::jieba()
            .tokenize(text, TokenizeMode::Default, true)
            .into_iter()
            .map(|t| {
                let from = t.word.as_ptr() as usize - base;
                Token {
                    offset_from: from,
                    offset_to: from + t.word.len(),
                    position: t.start,
                    position_length: t.end - t.start,
                    text: t.word.to_owned(),
                }
            })
            .collect();
        JiebaTokens { tokens, next: 0 }
    }
}

impl TokenStream for JiebaTokens {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

static FAQ: LazyLock<Faq> = LazyLock::new(|| build().expect("the embedded FAQ indexes"));

fn build() -> tantivy::Result<Faq> {
    let mut sb = Schema::builder();
    let lang = sb.add_text_field("lang", STRING | STORED);
    let slug = sb.add_text_field("slug", STRING | STORED);
    let title = sb.add_text_field("title", STORED);
    let answer = sb.add_text_field("answer", STORED);
    let title_zh = sb.add_text_field("title_zh", text_field("jieba"));
    let body_zh = sb.add_text_field("body_zh", text_field("jieba"));
    let title_en = sb.add_text_field("title_en", text_field("en_stem"));
    let body_en = sb.add_text_field("body_en", text_field("en_stem"));
    let index = Index::create_in_ram(sb.build());
    index.tokenizers().register(
        "jieba",
        // The shared jieba, with the domain dictionary (七天无理由, 运费险, 假一赔四, …).
        TextAnalyzer::builder(SharedJieba)
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build(),
    );
    let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
    for (l, s, md) in ENTRIES {
        let (t, a) = split(md);
        let mut doc = TantivyDocument::default();
        doc.add_text(lang, l);
        doc.add_text(slug, s);
        doc.add_text(title, &t);
        doc.add_text(answer, &a);
        let (tf, bf) = if *l == "zh" {
            (title_zh, body_zh)
        } else {
            (title_en, body_en)
        };
        doc.add_text(tf, &t);
        doc.add_text(bf, &a);
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let zh = (
        title_zh,
        body_zh,
        Mutex::new(index.tokenizer_for_field(body_zh)?),
    );
    let en = (
        title_en,
        body_en,
        Mutex::new(index.tokenizer_for_field(body_en)?),
    );
    Ok(Faq {
        reader,
        zh,
        en,
        lang,
        slug,
        title,
        answer,
    })
}

/// Builds the index now (it is otherwise built on the first search).
pub fn warm_up() {
    LazyLock::force(&FAQ);
}

/// The best answers to `text` in `lang`, at most `limit`, each scoring at least [`MIN_SCORE`].
pub fn search(text: &str, lang: Lang, limit: usize) -> Vec<Hit> {
    let faq = &*FAQ;
    let ((title_f, body_f, analyzer), code) = match lang {
        Lang::Zh => (&faq.zh, "zh"),
        Lang::En => (&faq.en, "en"),
    };
    // The consumer's words, tokenised as the answers were, each a term that may match the title
    // (counting double) or the body. No query syntax: nothing they type can break the search.
    let mut words: Vec<String> = Vec::new();
    {
        let mut analyzer = analyzer.lock().unwrap_or_else(|p| p.into_inner());
        let mut stream = analyzer.token_stream(text);
        while let Some(tok) = stream.next() {
            if tok.text.chars().any(char::is_alphanumeric) && !words.contains(&tok.text) {
                words.push(tok.text.clone());
            }
        }
    }
    if words.is_empty() || limit == 0 {
        return Vec::new();
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for w in &words {
        for (field, boost) in [(*title_f, 2.0), (*body_f, 1.0)] {
            let tq = TermQuery::new(
                Term::from_field_text(field, w),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(tq), boost)),
            ));
        }
    }
    let query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
    let lang_term = Term::from_field_text(faq.lang, code);
    let query = BooleanQuery::new(vec![
        (Occur::Must, query),
        // Scores nothing: it only keeps the answers of the caller's language.
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(lang_term, IndexRecordOption::Basic)),
                0.0,
            )),
        ),
    ]);
    let searcher = faq.reader.searcher();
    let Ok(top) = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score()) else {
        return Vec::new();
    };
    let text_of = |doc: &TantivyDocument, f: Field| {
        doc.get_first(f)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    top.into_iter()
        .filter(|(score, _)| *score >= MIN_SCORE)
        .filter_map(|(score, addr)| {
            let doc: TantivyDocument = searcher.doc(addr).ok()?;
            Some(Hit {
                slug: text_of(&doc, faq.slug),
                title: text_of(&doc, faq.title),
                answer: text_of(&doc, faq.answer),
                score,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(q: &str, lang: Lang) -> Option<String> {
        search(q, lang, 1).into_iter().next().map(|h| h.slug)
    }

    #[test]
    fn every_answer_has_a_title_and_both_languages() {
        for (l, s, md) in ENTRIES {
            let (t, a) = split(md);
            assert!(!t.is_empty() && a.chars().count() > 60, "{l}/{s}");
            let other = if *l == "zh" { "en" } else { "zh" };
            assert!(
                ENTRIES.iter().any(|(l2, s2, _)| *l2 == other && s2 == s),
                "{s} only in {l}"
            );
        }
        assert!(ENTRIES.len() >= 24);
    }

    #[test]
    fn finds_the_answer_in_the_callers_language() {
        assert_eq!(
            best("运费险怎么理赔", Lang::Zh).as_deref(),
            Some("shipping-insurance")
        );
        assert_eq!(
            best("退款多久能到账", Lang::Zh).as_deref(),
            Some("refund-timing")
        );
        assert_eq!(
            best("假一赔四是怎么赔的", Lang::Zh).as_deref(),
            Some("authentic-guarantee")
        );
        assert_eq!(
            best("我的个人信息会给商家看到吗", Lang::Zh).as_deref(),
            Some("privacy")
        );
        assert_eq!(
            best("how long does a refund take", Lang::En).as_deref(),
            Some("refund-timing")
        );
        assert_eq!(
            best("what evidence should I keep", Lang::En).as_deref(),
            Some("evidence")
        );
        assert_eq!(
            best("report a shop for fake reviews and brushing", Lang::En).as_deref(),
            Some("report-brushing")
        );
        let hit = &search("运费险", Lang::Zh, 1)[0];
        assert!(hit.answer.contains("运费险"));
    }

    #[test]
    fn noise_and_query_syntax_find_nothing_and_never_fail() {
        assert!(search("", Lang::Zh, 3).is_empty());
        assert!(search("嗯", Lang::Zh, 3).is_empty());
        assert!(search("qwxz zzkv", Lang::En, 3).is_empty());
        for q in [
            "AND OR NOT",
            "title_zh:运费险",
            "\"unclosed",
            "(((",
            "+-!^~*",
            "a:b:c",
        ] {
            let _ = search(q, Lang::Zh, 3);
            let _ = search(q, Lang::En, 3);
        }
    }
}
