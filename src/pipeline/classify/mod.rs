//! Classify: pages → sections, from what each class's schema says it is.
//!
//! Every class carries its evidence ([`evidence`], computed when the config is read): the
//! phrases that name its type in several languages and the words its pages print. A page is
//! read as segments with a prominence ([`page_view`]), scored against every class ([`score`]),
//! and the verdict's confidence is a calibrated probability ([`calibrate`]). A page whose
//! headline names a type no class claims, or with too little evidence, is `unclassified`; a
//! page with no headline of its own and some evidence for the class before it continues that
//! class (statement page 4 rarely says "statement"). Runs of consecutive pages of one class
//! become a section, split where a new document of that class starts ([`boundary`]).
//!
//! A PDF carrying its invoice as XML is the class of that type on every page a configured
//! page regex does not decide ([`carried`]).
//!
//! The accelerator's own keys are honoured: `x-aws-idp-document-page-content-regex` (a page
//! whose text matches is that class) and `x-aws-idp-document-name-regex` (a document whose
//! name matches is that class throughout, see [`classify_document`]).

pub mod boundary;
pub mod calibrate;
mod carried;
mod continuation;
pub mod evidence;
pub mod page_view;
pub mod score;
pub mod spaced;

use crate::model::{PageContent, Section};
use crate::pipeline::config::ClassConfig;

use calibrate::Features;
use page_view::PageView;
use score::{Index, PageScores};

/// Class given to pages no class has evidence for.
pub const UNCLASSIFIED: &str = "unclassified";

/// Confidence given to a verdict the configuration's own regex made.
const REGEX_CONFIDENCE: f32 = 0.99;
/// Body evidence (0–1) a page needs to be a class without naming it.
const BODY_ONLY_MIN: f32 = 0.4;
/// How far ahead of the runner-up (share of the score) a body-only verdict must be.
const BODY_ONLY_MARGIN: f32 = 0.25;
/// How many times the runner-up's raw body evidence a body-only verdict may have instead of
/// the margin.
const BODY_ONLY_RAW_RATIO: f32 = 2.5;
/// Body phrases a label naming the class's type must be found with for it to decide: a page
/// that only refers to an invoice ("Rechnungsnr. 4711" in a letter or a reminder) prints few of
/// a bill's other labels (totals, tax, due date, items).
const TYPED_BACKING: usize = 3;
/// How many times the runner-up's raw body evidence a class whose labels name its type (and the
/// runner-up's do not) must have: a third more, where an untyped verdict needs 2.5 times.
const TYPED_RAW_RATIO: f32 = 1.35;
/// Most confidence a verdict decided by a typed label alone gets: it was too close to call on
/// the body evidence, so it goes to review rather than passing as sure.
const TYPED_CONFIDENCE_MAX: f32 = 0.65;
/// A headline naming an unclaimed type this much more prominent than the class's own title
/// makes the page that other type.
const AGAINST_RATIO: f32 = 1.2;

/// One page's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct PageClass {
    pub page_number: u32,
    pub class: String,
    /// 0–1: the calibrated probability that `class` is right (0 for `unclassified`).
    pub confidence: f32,
    /// What was found, for the reason shown to people.
    pub evidence: Vec<String>,
}

/// Classify each page.
pub fn classify_pages(config: &ClassConfig, pages: &[PageContent]) -> Vec<PageClass> {
    classify_document(config, None, pages)
}

/// Classify each page of a document, honouring the classes' `x-aws-idp-document-name-regex`
/// against the document's name when it is given.
pub fn classify_document(
    config: &ClassConfig,
    name: Option<&str>,
    pages: &[PageContent],
) -> Vec<PageClass> {
    // The accelerator matches the document's name; ours may carry a folder ("batch/a.pdf"), so
    // the bare file name counts too.
    let base = name.map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n));
    if let Some(name) = name
        && let Some(class) = config.classes.iter().find(|c| {
            c.evidence
                .name_regex
                .as_ref()
                .is_some_and(|r| r.is_match(name) || base.is_some_and(|b| r.is_match(b)))
        })
    {
        return pages
            .iter()
            .map(|p| PageClass {
                page_number: p.page_number,
                class: class.name.clone(),
                confidence: REGEX_CONFIDENCE,
                evidence: vec![format!("the document name matches {}", class.name)],
            })
            .collect();
    }
    // The class an embedded e-invoice states; a page regex of the configuration still wins.
    let carried = carried::verdict(config, pages);
    let index = Index::shared(config);
    let mut out: Vec<PageClass> = Vec::with_capacity(pages.len());
    let mut all_scores: Vec<Option<PageScores>> = Vec::with_capacity(pages.len());
    for page in pages {
        let by_regex = config.classes.iter().find(|c| {
            c.evidence
                .page_regex
                .as_ref()
                .is_some_and(|r| r.is_match(&page.text))
        });
        // A page a regex decides has no scores for the continuation pass to weigh.
        let (verdict, scores) = match by_regex {
            Some(class) => (
                PageClass {
                    page_number: page.page_number,
                    class: class.name.clone(),
                    confidence: REGEX_CONFIDENCE,
                    evidence: vec![format!("the page text matches {}", class.name)],
                },
                None,
            ),
            None if let Some(c) = &carried => (c.page(page.page_number), None),
            None => {
                let scores = index.score(&PageView::of(page));
                let (verdict, _) = decide(config, &scores, out.last());
                (
                    PageClass {
                        page_number: page.page_number,
                        ..verdict
                    },
                    Some(scores),
                )
            }
        };
        all_scores.push(scores);
        out.push(verdict);
    }
    continuation::join_numbered_pages(config, pages, &all_scores, &mut out);
    out
}

/// The verdict for one page from its scores and the page before it, with the features its
/// confidence came from (`None` for `unclassified`).
pub fn decide(
    config: &ClassConfig,
    scores: &PageScores,
    prev: Option<&PageClass>,
) -> (PageClass, Option<Features>) {
    let combined = |i: usize| scores.classes[i].title + 0.6 * scores.classes[i].body;
    let mut ranked: Vec<usize> = (0..scores.classes.len()).collect();
    ranked.sort_by(|&a, &b| combined(b).total_cmp(&combined(a)));
    let unclassified = |why: Vec<String>| {
        (
            PageClass {
                page_number: 0,
                class: UNCLASSIFIED.into(),
                confidence: 0.0,
                evidence: why,
            },
            None,
        )
    };
    let Some(&best) = ranked.first() else {
        return unclassified(vec!["the configuration has no classes".into()]);
    };
    let s_best = combined(best);
    let s_second = ranked.get(1).map(|&i| combined(i)).unwrap_or(0.0);
    let margin = if s_best > 0.0 {
        ((s_best - s_second) / s_best).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let b = &scores.classes[best];
    let foreign = || {
        format!(
            "the page is titled as a {}, which no class is",
            scores.against_what.as_deref().unwrap_or("document")
        )
    };
    let verdict = |i: usize, f: Features, mut evidence: Vec<String>| {
        evidence.extend(scores.classes[i].hits.iter().cloned());
        (
            PageClass {
                page_number: 0,
                class: config.classes[i].name.clone(),
                confidence: calibrate::confidence(&f),
                evidence,
            },
            Some(f),
        )
    };
    if b.title > 0.0 {
        if scores.against > AGAINST_RATIO * b.title {
            return unclassified(vec![foreign()]);
        }
        let f = Features {
            title: b.title,
            body: b.body,
            margin,
            against: scores.against,
            continued: 0.0,
        };
        let title = format!("title: {}", b.title_text.as_deref().unwrap_or(""));
        return verdict(best, f, vec![title]);
    }
    if scores.against > 0.0 {
        return unclassified(vec![foreign()]);
    }
    // No headline of any type: the page before it, or its body alone.
    let prev_class = prev
        .filter(|p| p.class != UNCLASSIFIED)
        .and_then(|p| config.classes.iter().position(|c| c.name == p.class));
    if let Some(x) = prev_class {
        let bx = scores.classes[x].body;
        if bx > 0.0 && bx >= 0.6 * b.body {
            let f = Features {
                title: 0.0,
                body: bx,
                margin: if x == best { margin } else { 0.0 },
                against: 0.0,
                continued: 1.0,
            };
            return verdict(x, f, vec!["continues the previous page".into()]);
        }
    }
    // Body evidence saturates: two classes both near 1 may differ threefold in what was
    // found (an invoice's payment request against a receipt's "Kasse"), so the raw sums also
    // decide, though the confidence still comes from the squashed features.
    let raw_second = (0..scores.classes.len())
        .filter(|&i| i != best)
        .map(|i| scores.classes[i].body_raw)
        .fold(0.0f32, f32::max);
    let raw_ahead = b.body_raw >= BODY_ONLY_RAW_RATIO * raw_second;
    // What a verdict on the body alone is calibrated from.
    let body_only = Features {
        title: 0.0,
        body: b.body,
        margin,
        against: 0.0,
        continued: 0.0,
    };
    if b.body >= BODY_ONLY_MIN && (margin >= BODY_ONLY_MARGIN || raw_ahead) {
        return verdict(best, body_only, Vec::new());
    }
    // A page whose title is a logo (or was not read) still names its type in its own labels
    // ("Rechnungsnummer", "N° de facture"); when no other class's labels do, and the rest of the
    // body backs it, that settles what the body evidence alone left too close to call (a
    // receipt class shares a bill's totals and tax lines).
    let typed_alone =
        (0..scores.classes.len()).all(|i| i == best || !scores.classes[i].typed_label);
    if b.body >= BODY_ONLY_MIN
        && b.typed_label
        && typed_alone
        && b.backing >= TYPED_BACKING
        && b.body_raw >= TYPED_RAW_RATIO * raw_second
    {
        let (mut v, f) = verdict(best, body_only, vec!["its labels name its type".into()]);
        v.confidence = v.confidence.min(TYPED_CONFIDENCE_MAX);
        return (v, f);
    }
    unclassified(vec![format!(
        "too little evidence for any class ({} readable words)",
        scores.words
    )])
}

/// Group classified pages into sections of consecutive pages of one class.
pub fn sections_of(pages: &[PageClass]) -> Vec<Section> {
    sections_at(pages, &[])
}

/// Group classified pages into sections: a run of one class, split where a new document of that
/// class starts ([`boundary::starts`]).
pub fn sections_split(
    config: &ClassConfig,
    pages: &[PageContent],
    verdicts: &[PageClass],
) -> Vec<Section> {
    sections_at(verdicts, &boundary::starts(config, pages, verdicts))
}

/// Sections of consecutive pages of one class; `starts[i]` (when given) opens a new one on page
/// `i` even in a run.
pub fn sections_at(pages: &[PageClass], starts: &[bool]) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut confs: Vec<Vec<f32>> = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let start = starts.get(i).copied().unwrap_or(false);
        match sections.last_mut() {
            Some(s) if s.classification == p.class && !start => {
                s.page_ids.push(p.page_number.to_string());
                confs.last_mut().expect("parallel").push(p.confidence);
            }
            _ => {
                sections.push(Section {
                    section_id: (sections.len() + 1).to_string(),
                    classification: p.class.clone(),
                    page_ids: vec![p.page_number.to_string()],
                    ..Section::default()
                });
                confs.push(vec![p.confidence]);
            }
        }
    }
    for (s, c) in sections.iter_mut().zip(confs) {
        s.confidence = Some(c.iter().sum::<f32>() / c.len() as f32);
    }
    sections
}

/// Classify and group in one call.
pub fn classify(config: &ClassConfig, pages: &[PageContent]) -> Vec<Section> {
    sections_split(config, pages, &classify_pages(config, pages))
}

#[cfg(test)]
mod tests;
