//! Pages that print "page 2 of 3" (in any of the lexicon's languages) belong to the document
//! of the page before them, whatever little evidence of their own they carry: a consumption
//! detail or a terms page rarely names its type. An unclassified page followed by such a page
//! is that document's first page, read too weakly (a logo for a title), and takes its class.
//! A page titled as a type no class claims keeps its verdict either way.

use super::boundary::{all_text, printed_page_number};
use super::calibrate::{self, Features};
use super::score::PageScores;
use super::{PageClass, UNCLASSIFIED};
use crate::model::PageContent;
use crate::pipeline::config::ClassConfig;

/// Give unclassified pages the class of the numbered run they belong to (see the module doc).
/// `scores[i]` is `None` where a configured regex decided the page.
pub fn join_numbered_pages(
    config: &ClassConfig,
    pages: &[PageContent],
    scores: &[Option<PageScores>],
    out: &mut [PageClass],
) {
    let later = |i: usize| {
        pages
            .get(i)
            .and_then(|p| printed_page_number(&all_text(p)))
            .is_some_and(|(k, _)| k > 1)
    };
    // Forward: page k > 1 continues the page before it.
    for i in 1..out.len() {
        if out[i].class == UNCLASSIFIED && out[i - 1].class != UNCLASSIFIED && later(i) {
            let class = out[i - 1].class.clone();
            join(
                config,
                scores.get(i),
                &mut out[i],
                &class,
                "prints a later page number of the document before it",
            );
        }
    }
    // Backward: the page before a continued page opens its document.
    for i in (1..out.len()).rev() {
        if out[i - 1].class == UNCLASSIFIED && out[i].class != UNCLASSIFIED && later(i) {
            let class = out[i].class.clone();
            join(
                config,
                scores.get(i - 1),
                &mut out[i - 1],
                &class,
                "the next page prints a later page number of this document",
            );
        }
    }
}

fn join(
    config: &ClassConfig,
    scores: Option<&Option<PageScores>>,
    page: &mut PageClass,
    class: &str,
    why: &str,
) {
    let Some(Some(s)) = scores else {
        return;
    };
    let Some(ci) = config.classes.iter().position(|c| c.name == class) else {
        return;
    };
    // A headline naming another type wins over a page number.
    if s.against > 0.0 {
        return;
    }
    let f = Features {
        title: 0.0,
        body: s.classes[ci].body,
        margin: 0.0,
        against: 0.0,
        continued: 1.0,
    };
    page.class = class.to_string();
    page.confidence = calibrate::confidence(&f);
    page.evidence = vec![why.to_string()];
}
