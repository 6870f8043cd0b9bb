//! The issuer printed only in the page's footer: a block at the bottom of the page that opens
//! with a company's name over its street and town, beside (or above) the company's legal
//! identifiers (tax or VAT id, register, IBAN). Only the issuer prints its bank account and
//! register numbers in its own footer, so such a block names it when no label and no
//! letterhead does; the recipient window at the top is the customer's, never the issuer's.

use super::address::{address_after, ends_an_address, street_or_town};
use super::{COMPANY, CONTACT, LEGAL, TAX_ID, blocks, marks, seg_text};
use crate::pipeline::extract::generic;
use crate::pipeline::extract::view::PageView;
use crate::pipeline::lexicon;

/// Share of the page (from the top) below which a footer block begins.
const FOOTER: f32 = 0.7;

/// Identifier concepts whose label opens a footer's legal line ("USt-IdNr.: …", "IBAN …").
const ID_CONCEPTS: &[&str] = &["vat_id", "iban", "account_number"];

/// A footer block naming the issuer.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::pipeline::extract) struct FooterIssuer {
    pub page: usize,
    /// The block's segments, its name line first.
    pub block: Vec<usize>,
    pub name: String,
    /// The name carries a company form ("GmbH", "s.r.o.", "AB").
    pub form: bool,
}

/// Whether a line holds a company's legal identifier or bank account.
fn holds_identifier(text: &str) -> bool {
    if LEGAL.is_match(text) || TAX_ID.is_match(text) {
        return true;
    }
    let toks = lexicon::tokens(text);
    lexicon::labels().find(&toks).iter().any(|m| {
        m.start == 0 && ID_CONCEPTS.contains(&m.concept.key.as_str()) && m.len < toks.len()
    })
}

/// Whether a footer line could be a company's name: letters, no label or colon, no identifier
/// or contact, not a sentence; digits only beside a company form ("3M Deutschland GmbH").
fn name_line(text: &str) -> bool {
    let t = text.trim();
    t.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && !t.contains(':')
        && t.split_whitespace().count() <= 7
        && (COMPANY.is_match(t) || !t.chars().any(|c| c.is_ascii_digit()))
        && !CONTACT.is_match(t)
        && !holds_identifier(t)
        && !ends_an_address(t, false)
        && !marks::reads_as_no_name(t)
        && !generic::reads_as_label(t)
}

/// The footer block naming the issuer, on the first page that prints one.
/// Found on the first call and kept on the section's first view: the vendor's name and its
/// address both ask (`views` is always a whole section's, the same slice for every field).
pub(super) fn footer_issuer<'v>(views: &'v [PageView]) -> Option<&'v FooterIssuer> {
    views
        .first()?
        .section_footer_issuer
        .get_or_init(|| {
            views
                .iter()
                .enumerate()
                .find_map(|(pi, view)| issuer_on(view).map(|f| FooterIssuer { page: pi, ..f }))
        })
        .as_ref()
}

fn issuer_on(view: &PageView) -> Option<FooterIssuer> {
    let segs = &view.segments;
    for block in blocks(view) {
        let s = block[0];
        let first = &segs[s];
        if first.bbox.top < FOOTER || super::labelled_block::customers_block(view, &block) {
            continue;
        }
        let name = seg_text(first);
        if !name_line(&name) {
            continue;
        }
        let lines = address_after(view, &block, s);
        if !lines.iter().any(|&l| street_or_town(&segs[l].text)) {
            continue;
        }
        // The identifiers: under the address in the block, or in the columns beside it.
        let top = first.bbox.top;
        let bottom = block
            .iter()
            .map(|&b| segs[b].bbox.bottom())
            .fold(top, f32::max);
        let ids = segs.iter().enumerate().any(|(i, o)| {
            let beside = !lines.contains(&i)
                && i != s
                && o.bbox.top < bottom
                && o.bbox.bottom() > top - 0.01;
            beside && holds_identifier(&o.text)
        });
        if !ids {
            continue;
        }
        let form = COMPANY.is_match(&name);
        return Some(FooterIssuer {
            page: 0,
            block,
            name,
            form,
        });
    }
    None
}
