//! Robustness of page classification to what real documents do to a page (issue 14): every
//! page of the dev sets and of the shipped samples with a known class, perturbed the ways real
//! pages differ from ours (title gone into a logo, moved, small, in another language, a
//! compound, OCR noise on the type word, a continuation page, other types mentioned in the
//! body), classified with its set's own config. `robustness_report` prints, per perturbation,
//! how many pages keep their class. The perturbations work on the page's words and boxes, as
//! the classifier reads them; the page text is rebuilt from the words.

use idpctl::model::{BoundingBox, PageContent, Word};
use idpctl::pipeline::classify::evidence::norm_all;
use idpctl::pipeline::classify::{self, PageClass};
use idpctl::pipeline::lexicon::tokens;

/// Pages to classify and the index of the page whose verdict is checked.
pub type Perturbed = (Vec<PageContent>, usize);

/// One perturbation: a name and how it turns a document's pages into the pages to classify,
/// with the index of the page whose verdict is checked (`None` when it does not apply).
pub struct Perturbation {
    pub name: String,
    apply: Apply,
}

/// How a perturbation that is a function of its own turns the pages.
type ApplyFn = fn(&[PageContent], usize, &PageClass) -> Option<Perturbed>;

enum Apply {
    With(ApplyFn),
    /// An invoice page's title replaced by this text.
    InvoiceTitle(&'static str),
}

impl Perturbation {
    pub fn apply(&self, doc: &[PageContent], i: usize, v: &PageClass) -> Option<Perturbed> {
        match self.apply {
            Apply::With(f) => f(doc, i, v),
            Apply::InvoiceTitle(t) => {
                invoice_only(v)?;
                with_title(doc, i, v, |_, w| retext(w, t))
            }
        }
    }
}

/// Type words of other languages a title is swapped for (the first that differs is used).
const OTHER_LANGUAGE: [&str; 4] = ["Rechnung", "Facture", "Factura", "Fattura"];

/// Titles an invoice's own is replaced by: compounds, a type with its number, a language the
/// lexicon may not hold.
const INVOICE_TITLES: [&str; 4] = [
    "Schlussrechnung",
    "Rechnungskorrektur",
    "Faktura VAT nr 12/2024",
    "Rēķins Nr. 4711",
];

const WITH: &[(&str, ApplyFn)] = &[
    ("title removed (logo)", |d, i, v| {
        with_title(d, i, v, |_, _| Vec::new())
    }),
    ("title moved below the parties", |d, i, v| {
        with_title(d, i, v, |p, w| moved(p, w, 0.45, false))
    }),
    ("title small, not on top lines", |d, i, v| {
        with_title(d, i, v, |p, w| moved(p, w, 0.3, true))
    }),
    ("title word in another language", |d, i, v| {
        let orig = title_words(&d[i], v)?
            .first()
            .map(|w| d[i].words[*w].text.to_lowercase())?;
        let other = OTHER_LANGUAGE
            .iter()
            .find(|o| !orig.contains(&o.to_lowercase()))?;
        invoice_only(v)?;
        with_title(d, i, v, |_, w| retext(w, other))
    }),
    ("type word: one letter wrong", |d, i, v| {
        with_title(d, i, v, |_, w| {
            w.iter()
                .map(|w| Word {
                    text: one_letter_wrong(&w.text),
                    ..w.clone()
                })
                .collect()
        })
    }),
    ("type word: letters spaced", |d, i, v| {
        with_title(d, i, v, |_, w| w.iter().flat_map(spaced).collect())
    }),
    ("page 2: items/totals, no page k of N", continuation),
    ("mentions 'Lieferschein Nr. 4711'", |d, i, _| {
        mention(d, i, "Lieferschein Nr. 4711")
    }),
    ("mentions 'Auftragsbestätigung vom 3.2.'", |d, i, _| {
        mention(d, i, "Auftragsbestätigung vom 03.02.2024")
    }),
    ("mentions 'quotation ref Q-1182'", |d, i, _| {
        mention(d, i, "quotation ref Q-1182")
    }),
    ("mentions 'receipt of goods'", |d, i, _| {
        mention(d, i, "receipt of goods 12.03.2024")
    }),
];

/// Every perturbation, in report order.
pub fn all() -> Vec<Perturbation> {
    let with = WITH.iter().map(|&(name, f)| Perturbation {
        name: name.to_string(),
        apply: Apply::With(f),
    });
    let titles = INVOICE_TITLES.iter().map(|&t| Perturbation {
        name: format!("title '{t}'"),
        apply: Apply::InvoiceTitle(t),
    });
    with.chain(titles).collect()
}

fn invoice_only(v: &PageClass) -> Option<()> {
    v.class.to_lowercase().contains("invoice").then_some(())
}

/// The words (indexes) of the page's title as the verdict read it: the words whose tokens
/// belong to the title phrase, in the top half of the page or in a large font.
pub fn title_words(page: &PageContent, verdict: &PageClass) -> Option<Vec<usize>> {
    let title = verdict
        .evidence
        .iter()
        .find_map(|e| e.strip_prefix("title: "))?;
    let want = norm_all(&tokens(title));
    if want.is_empty() || page.words.is_empty() {
        return None;
    }
    let median = median_height(page);
    let found: Vec<usize> = (0..page.words.len())
        .filter(|&i| {
            let w = &page.words[i];
            let toks = norm_all(&tokens(&w.text));
            !toks.is_empty()
                && toks.iter().all(|t| want.contains(t))
                && (w.bbox.top < 0.5 || w.bbox.height > 1.3 * median)
        })
        .collect();
    // The title's own line: the largest of those words and the words beside it ("Invoice"
    // in an "Invoice No." label further down stays).
    let big = *found.iter().max_by(|&&a, &&b| {
        page.words[a]
            .bbox
            .height
            .total_cmp(&page.words[b].bbox.height)
    })?;
    let b = page.words[big].bbox;
    let line: Vec<usize> = found
        .into_iter()
        .filter(|&i| (page.words[i].bbox.top - b.top).abs() < 0.5 * b.height)
        .collect();
    Some(line)
}

fn median_height(page: &PageContent) -> f32 {
    let mut h: Vec<f32> = page.words.iter().map(|w| w.bbox.height).collect();
    h.sort_by(f32::total_cmp);
    h.get(h.len() / 2).copied().unwrap_or(0.012)
}

/// The document with page `i`'s title words replaced by what `f` makes of them.
fn with_title(
    doc: &[PageContent],
    i: usize,
    verdict: &PageClass,
    f: impl Fn(&PageContent, &[Word]) -> Vec<Word>,
) -> Option<(Vec<PageContent>, usize)> {
    let page = &doc[i];
    let idx = title_words(page, verdict)?;
    let old: Vec<Word> = idx.iter().map(|&k| page.words[k].clone()).collect();
    let mut words: Vec<Word> = page
        .words
        .iter()
        .enumerate()
        .filter(|(k, _)| !idx.contains(k))
        .map(|(_, w)| w.clone())
        .collect();
    words.extend(f(page, &old));
    let mut out = doc.to_vec();
    out[i] = rebuilt(page, words);
    Some((out, i))
}

/// The words moved to `top` (share of the page), at the left margin, in the body's font when
/// `small`.
fn moved(page: &PageContent, words: &[Word], top: f32, small: bool) -> Vec<Word> {
    let h = if small {
        median_height(page)
    } else {
        words[0].bbox.height
    };
    let mut left = 0.55;
    words
        .iter()
        .map(|w| {
            let width = w.bbox.width * h / w.bbox.height.max(1e-4);
            let b = BoundingBox::from_edges(left, top, left + width, top + h);
            left += width + 0.4 * h;
            Word {
                bbox: b,
                ..w.clone()
            }
        })
        .collect()
}

/// New words of `text` where the first old word was, in its font.
fn retext(old: &[Word], text: &str) -> Vec<Word> {
    let b = old[0].bbox;
    let mut left = b.left;
    text.split_whitespace()
        .map(|t| {
            let width = 0.6 * b.height * t.chars().count() as f32;
            let w = Word::new(
                t,
                BoundingBox::from_edges(left, b.top, left + width, b.bottom()),
                0.9,
            );
            left += width + 0.4 * b.height;
            w
        })
        .collect()
}

/// A letter OCR reads wrong: the second letter of the word swapped for a look-alike.
fn one_letter_wrong(text: &str) -> String {
    let swap = |c: char| match c.to_ascii_lowercase() {
        'i' => 'l',
        'l' => 'i',
        'n' => 'm',
        'm' => 'n',
        'e' => 'c',
        'c' => 'e',
        'a' => 'o',
        'o' => 'a',
        'u' => 'v',
        'v' => 'u',
        'r' => 'n',
        't' => 'f',
        _ => 'x',
    };
    let chars: Vec<char> = text.chars().collect();
    let at = if chars.len() > 3 { 2 } else { 0 };
    chars
        .iter()
        .enumerate()
        .map(|(k, &c)| if k == at { swap(c) } else { c })
        .collect()
}

/// One word per letter, spread over the old word's box with a gap between letters.
fn spaced(w: &Word) -> Vec<Word> {
    let chars: Vec<char> = w.text.chars().collect();
    let n = chars.len().max(1) as f32;
    let step = w.bbox.width * 1.6 / n;
    chars
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let left = w.bbox.left + k as f32 * step;
            Word::new(
                c.to_string(),
                BoundingBox::from_edges(left, w.bbox.top, left + step * 0.6, w.bbox.bottom()),
                0.9,
            )
        })
        .collect()
}

/// A one-document file of page `i` and a second page holding only the lower half of its
/// words (items, totals), moved to the top, without any "page k of N".
fn continuation(doc: &[PageContent], i: usize, _: &PageClass) -> Option<(Vec<PageContent>, usize)> {
    let page = &doc[i];
    if page.words.len() < 20 {
        return None;
    }
    let mut tops: Vec<f32> = page.words.iter().map(|w| w.bbox.top).collect();
    tops.sort_by(f32::total_cmp);
    let cut = tops[tops.len() / 2];
    let numbered =
        regex::Regex::new(r"(?i)\b(page|seite|pagina|página|page|strona|strana|sida|side|blad)\b")
            .unwrap();
    let lower: Vec<Word> = page
        .words
        .iter()
        .filter(|w| w.bbox.top >= cut && !numbered.is_match(&w.text) && !w.text.contains('/'))
        .map(|w| Word {
            bbox: BoundingBox {
                top: w.bbox.top - cut + 0.05,
                ..w.bbox
            },
            ..w.clone()
        })
        .collect();
    let mut first = page.clone();
    first.page_number = 1;
    let mut second = rebuilt(page, lower);
    second.page_number = 2;
    Some((vec![first, second], 1))
}

/// Page `i` with a line of `text` in the header block, right column, in the body's font.
fn mention(doc: &[PageContent], i: usize, text: &str) -> Option<(Vec<PageContent>, usize)> {
    let page = &doc[i];
    if page.words.is_empty() {
        return None;
    }
    let h = median_height(page);
    // Below any title, above the items: a free strip at a quarter of the page, pushed down.
    let top = 0.24;
    let mut words: Vec<Word> = page
        .words
        .iter()
        .map(|w| {
            let mut w = w.clone();
            if w.bbox.top >= top {
                w.bbox.top += 1.6 * h;
            }
            w
        })
        .collect();
    let mut left = 0.55;
    for t in text.split_whitespace() {
        let width = 0.6 * h * t.chars().count() as f32;
        words.push(Word::new(
            t,
            BoundingBox::from_edges(left, top, left + width, top + h),
            0.9,
        ));
        left += width + 0.4 * h;
    }
    let mut out = doc.to_vec();
    out[i] = rebuilt(page, words);
    Some((out, i))
}

/// A page of `words`, its text rebuilt line by line from them.
fn rebuilt(page: &PageContent, mut words: Vec<Word>) -> PageContent {
    words.sort_by(|a, b| {
        a.bbox
            .top
            .total_cmp(&b.bbox.top)
            .then(a.bbox.left.total_cmp(&b.bbox.left))
    });
    let mut lines: Vec<Vec<&Word>> = Vec::new();
    for w in &words {
        match lines.last_mut() {
            Some(l)
                if (w.bbox.top - l[0].bbox.top).abs()
                    < 0.5 * l[0].bbox.height.max(w.bbox.height) =>
            {
                l.push(w)
            }
            _ => lines.push(vec![w]),
        }
    }
    let text = lines
        .iter_mut()
        .map(|l| {
            l.sort_by(|a, b| a.bbox.left.total_cmp(&b.bbox.left));
            l.iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n");
    PageContent {
        text,
        words,
        ..page.clone()
    }
}

/// Whether the checked page of a perturbed document keeps its class.
pub fn holds(
    config: &idpctl::pipeline::config::ClassConfig,
    pages: &[PageContent],
    at: usize,
    truth: &str,
) -> (bool, PageClass) {
    let v = classify::classify_pages(config, pages).swap_remove(at);
    (v.class == truth, v)
}
