//! Scoring a page against the classes of a config.
//!
//! A document-type phrase printed as a headline (a prominent segment where it is most of the
//! text, not after a preposition, not followed by a label word like "number" or "date") is a
//! title: strong. The same phrase elsewhere is a mention: weak. Body phrases (labels, schema
//! words, cues) add up, each weighted by how few classes of the config share it (IDF). A
//! headline naming a document type no class claims counts against every class.
//!
//! The config's phrases are indexed by their first token, so a page costs one hash look-up per
//! token plus the phrases that start there: linear in words × classes at worst. The index is
//! built once per set of classes and shared ([`Index::shared`]): every document of a run, and
//! both the verdicts and the section boundaries of a document, score against the same one.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use crate::pipeline::config::ClassConfig;
use crate::pipeline::lexicon::is_word;

use super::evidence::Phrase;
use super::evidence::{is_function_word, normed_documents};
use super::page_view::PageView;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Title,
    Body,
}

#[derive(Debug, Clone)]
struct Entry {
    class: usize,
    kind: Kind,
    /// Index into the class's titles or body.
    phrase: usize,
    len: usize,
    /// Phrase weight × its IDF over the config's classes.
    weight: f32,
    /// A body phrase that names the class's own type inside a label ("invoice number",
    /// "Rechnungsnummer", "nr faktury"): see [`names_type`]. Worked out the first time a page
    /// holds the phrase: most of a library's phrases are never met, and comparing each with
    /// every title of its class cost a tenth of a small run's CPU.
    typed: OnceLock<bool>,
}

/// A document type no class of the config claims, by its phrases.
#[derive(Debug, Clone)]
struct Foreign {
    concept: &'static str,
    tokens: &'static [String],
}

/// The config's phrases, indexed for matching. It owns what it needs (the classes' phrase lists
/// are shared, not copied), so one index serves every document of a set of classes.
#[derive(Debug)]
pub struct Index {
    /// Each class's (titles, body), as the config's evidence holds them: the index's identity.
    lists: Vec<Lists>,
    /// Phrases by their first token: (class, kind, phrase).
    by_first: HashMap<String, Vec<Entry>>,
    foreign: HashMap<&'static str, Vec<Foreign>>,
    /// One-word type names long enough to be read at the end of a compound ("Sammelrechnung",
    /// "Verkoopfactuur"), longest first.
    compound_heads: Vec<String>,
}

/// One class's title and body phrases.
type Lists = (Arc<[Phrase]>, Arc<[Phrase]>);

/// Indexes kept for reuse; a process sees a handful of class sets.
const SHARED_KEPT: usize = 8;

/// A class's score on one page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassScore {
    /// Prominence × weight of its best title, 0 when the page does not name it.
    pub title: f32,
    pub title_text: Option<String>,
    /// Sum of the body phrases found, IDF-weighted.
    pub body_raw: f32,
    /// `body_raw` squashed into 0–1.
    pub body: f32,
    /// What was found, for the reason shown to people.
    pub hits: Vec<String>,
    /// A label of the class's own fields naming its type was found ("Invoice No.",
    /// "Rechnungsnummer", "N° de facture"): what the page calls itself when its title is a logo
    /// or was not read, much stronger evidence than the type word in running text.
    pub typed_label: bool,
    /// Distinct body phrases found that do not name the type (totals, tax, due date, items):
    /// what backs a typed label up.
    pub backing: usize,
}

/// All classes on one page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageScores {
    pub classes: Vec<ClassScore>,
    /// Prominence of the strongest headline naming a type no class claims.
    pub against: f32,
    pub against_what: Option<String>,
    /// Readable words on the page.
    pub words: usize,
}

/// Body evidence at which `body` reaches 1 − 1/e.
const BODY_SCALE: f32 = 2.5;
/// Readable words under which a page is short: a receipt or a one-block invoice prints a
/// handful of label words where a full page prints dozens, so each counts for more (down to
/// half the scale at half these words), else a short page never clears the body-only bar.
const SHORT_PAGE_WORDS: f32 = 60.0;
/// Most non-numeric words a headline holds besides the type phrase ("INVOICE wae" from OCR,
/// "ACME Corp Invoice"); a sentence holds more.
const HEADLINE_EXTRA_WORDS: usize = 4;

/// Shortest type word read inside a compound: a shorter one ("bon", "bill", "beleg") ends too
/// many unrelated words.
const COMPOUND_MIN_HEAD: usize = 6;
/// Shortest first part of a compound ("Teil-", "Gas-").
const COMPOUND_MIN_PREFIX: usize = 3;
/// A type word read inside a compound is a little weaker than the word itself.
const COMPOUND_FACTOR: f32 = 0.8;
/// Words that end in a type word without naming that type: a settlement, a calculation, an
/// offsetting or a conversion is no invoice ("Zinsberechnung", "Jahresabrechnung").
#[rustfmt::skip]
const NOT_COMPOUNDS: &[&str] = &[
    "abrechnung", "berechnung", "verrechnung", "umrechnung", "anrechnung", "aufrechnung",
    "zurechnung", "einrechnung", "ausrechnung", "hochrechnung", "nachrechnung",
];

/// A type word OCR broke into pieces is read a little weaker than one read whole.
const BROKEN_FACTOR: f32 = 0.8;
/// Longest piece of a broken word ("actu" in "F actu u r"): a longer token is a word of its own.
const BROKEN_MAX_FRAGMENT: usize = 4;
/// Most pieces a broken word is joined from.
const BROKEN_MAX_FRAGMENTS: usize = 6;

/// A type word read with one letter wrong ("Rechnunq", "lnvoice") is weaker still: a body-only
/// page's evidence decides as much as it does.
const MISREAD_FACTOR: f32 = 0.6;

/// How much a numbered headline of an unclaimed type ("Lieferschein Nr. 4711") counts against a
/// class title on the same page.
const NUMBERED_REFERENCE_FACTOR: f32 = 0.5;

/// Label words that introduce a document's number.
const NUMBER_WORDS: &[&str] = &["number", "no", "nr", "num", "n", "numero", "nummer"];

/// Prominence of a segment that is nothing but a type phrase ("Form W-2" in a box, "INVOICE"
/// alone in a cell) away from the title zone: a heading by its isolation.
const STANDALONE_PROMINENCE: f32 = 0.5;

impl Index {
    /// The index of `config`'s classes, built on first use and then shared: a class set is
    /// recognised by its classes' phrase lists (shared by every clone of a class), so a config
    /// read again from the same schemas finds the index built before.
    pub fn shared(config: &ClassConfig) -> Arc<Index> {
        static KEPT: LazyLock<Mutex<Vec<Arc<Index>>>> = LazyLock::new(|| Mutex::new(Vec::new()));
        let same = |ix: &Index| {
            ix.lists.len() == config.classes.len()
                && ix.lists.iter().zip(&config.classes).all(|((t, b), c)| {
                    Arc::ptr_eq(t, &c.evidence.titles) && Arc::ptr_eq(b, &c.evidence.body)
                })
        };
        // A panic while holding the lock leaves a list of whole indexes: still good.
        let lock = || KEPT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(ix) = lock().iter().find(|ix| same(ix)) {
            return ix.clone();
        }
        let built = Arc::new(Index::new(config));
        let mut kept = lock();
        if kept.len() >= SHARED_KEPT {
            kept.remove(0);
        }
        kept.push(built.clone());
        built
    }

    pub fn new(config: &ClassConfig) -> Self {
        let n = config.classes.len().max(1) as f32;
        // How many classes know each phrase (as title or body).
        let mut df: HashMap<&[String], usize> = HashMap::new();
        let mut title_share: HashMap<&[String], usize> = HashMap::new();
        for c in &config.classes {
            let mut seen: HashSet<&[String]> = HashSet::new();
            for p in c.evidence.titles.iter().chain(c.evidence.body.iter()) {
                if seen.insert(&p.tokens) {
                    *df.entry(&p.tokens).or_default() += 1;
                }
            }
            for p in c.evidence.titles.iter() {
                *title_share.entry(&p.tokens).or_default() += 1;
            }
        }
        let idf = |toks: &[String]| {
            let d = df.get(toks).copied().unwrap_or(1) as f32;
            if n <= 1.0 {
                1.0
            } else {
                (1.0 + n / d).ln() / (1.0 + n).ln()
            }
        };
        let mut by_first: HashMap<String, Vec<Entry>> = HashMap::new();
        for (ci, c) in config.classes.iter().enumerate() {
            for (kind, list) in [
                (Kind::Title, &c.evidence.titles),
                (Kind::Body, &c.evidence.body),
            ] {
                for (pi, p) in list.iter().enumerate() {
                    let Some(first) = p.tokens.first() else {
                        continue;
                    };
                    let weight = match kind {
                        Kind::Title => {
                            p.weight
                                / title_share.get(p.tokens.as_slice()).copied().unwrap_or(1) as f32
                        }
                        Kind::Body => p.weight * idf(&p.tokens),
                    };
                    let entry = Entry {
                        class: ci,
                        kind,
                        phrase: pi,
                        len: p.tokens.len(),
                        weight,
                        typed: OnceLock::new(),
                    };
                    match by_first.get_mut(first.as_str()) {
                        Some(v) => v.push(entry),
                        None => {
                            by_first.insert(first.clone(), vec![entry]);
                        }
                    }
                }
            }
        }
        let claimed: HashSet<&str> = config
            .classes
            .iter()
            .flat_map(|c| c.evidence.concepts.iter().map(String::as_str))
            .collect();
        let mut foreign: HashMap<&'static str, Vec<Foreign>> = HashMap::new();
        for concept in &normed_documents().concepts {
            if claimed.contains(concept.key.as_str()) {
                continue;
            }
            for t in &concept.terms {
                let tokens = t.tokens.as_slice();
                // A phrase some class uses as its own title is that class's, whatever the
                // lexicon files it under.
                if tokens.is_empty() || title_share.contains_key(tokens) {
                    continue;
                }
                foreign
                    .entry(tokens[0].as_str())
                    .or_default()
                    .push(Foreign {
                        concept: &concept.key,
                        tokens,
                    });
            }
        }
        let mut compound_heads: Vec<String> = by_first
            .iter()
            .filter(|(_, v)| v.iter().any(|e| e.kind == Kind::Title && e.len == 1))
            .map(|(k, _)| k.clone())
            .chain(
                foreign
                    .iter()
                    .filter(|(_, v)| v.iter().any(|f| f.tokens.len() == 1))
                    .map(|(k, _)| k.to_string()),
            )
            .filter(|w| {
                w.chars().count() >= COMPOUND_MIN_HEAD && w.chars().all(char::is_alphabetic)
            })
            .collect();
        compound_heads.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        compound_heads.dedup();
        Index {
            compound_heads,
            lists: config
                .classes
                .iter()
                .map(|c| (c.evidence.titles.clone(), c.evidence.body.clone()))
                .collect(),
            by_first,
            foreign,
        }
    }

    /// Score one page.
    pub fn score(&self, view: &PageView) -> PageScores {
        let n = self.lists.len();
        let mut out = PageScores {
            classes: vec![ClassScore::default(); n],
            words: view.words,
            ..PageScores::default()
        };
        let mut body_seen: Vec<HashSet<usize>> = vec![HashSet::new(); n];
        let mut mention_seen: Vec<HashSet<usize>> = vec![HashSet::new(); n];
        for seg in &view.segs {
            let toks = &seg.toks;
            // Title phrases and foreign types found in this segment: (start, len, what).
            // (start, len, what, factor): the factor discounts a type read inside a compound.
            let mut titles: Vec<(usize, usize, &Entry, f32)> = Vec::new();
            let mut foreign: Vec<(usize, usize, &Foreign, f32)> = Vec::new();
            for i in 0..toks.len() {
                let typed_before = titles.len() + foreign.len();
                if let Some(cands) = self.by_first.get(toks[i].as_str()) {
                    for e in cands {
                        if !starts_at(toks, i, self.tokens(e)) {
                            continue;
                        }
                        match e.kind {
                            Kind::Title => titles.push((i, e.len, e, 1.0)),
                            Kind::Body => {
                                if body_seen[e.class].insert(e.phrase) {
                                    let s = &mut out.classes[e.class];
                                    s.body_raw += e.weight;
                                    let typed = self.typed(e);
                                    s.typed_label |= typed;
                                    s.backing += usize::from(!typed);
                                    if s.hits.len() < 8 {
                                        s.hits.push(self.lists[e.class].1[e.phrase].text.clone());
                                    }
                                }
                            }
                        }
                    }
                }
                if let Some(cands) = self.foreign.get(toks[i].as_str()) {
                    for f in cands {
                        if starts_at(toks, i, f.tokens) {
                            foreign.push((i, f.tokens.len(), f, 1.0));
                        }
                    }
                }
                // A type word read less directly: broken into pieces by OCR, at the end of a
                // compound, or (in a headline only) with one letter misread.
                let read = || {
                    if let Some((n, word)) = self.broken_word(toks, i) {
                        return Some((n, word, BROKEN_FACTOR));
                    }
                    if let Some(head) = self.compound_head(&toks[i]) {
                        return Some((1, head, COMPOUND_FACTOR));
                    }
                    let near = (seg.prominence > 0.0)
                        .then(|| self.misread_type(&toks[i]))
                        .flatten()?;
                    Some((1, near, MISREAD_FACTOR))
                };
                if titles.len() + foreign.len() == typed_before
                    && let Some((n, word, factor)) = read()
                {
                    let one = |e: &&Entry| e.kind == Kind::Title && e.len == 1;
                    for e in self.by_first.get(word).into_iter().flatten().filter(one) {
                        titles.push((i, n, e, factor));
                    }
                    // A misread supports a class of the configuration, never counts against
                    // one: a name in the address block ("de Lattre") is a letter away from
                    // some type word of the lexicon ("lettre") far more often than a title is.
                    let against = factor != MISREAD_FACTOR;
                    for f in self.foreign.get(word).into_iter().flatten() {
                        if against && f.tokens.len() == 1 {
                            foreign.push((i, n, f, factor));
                        }
                    }
                }
            }
            let spans: Vec<(usize, usize)> = titles
                .iter()
                .map(|t| (t.0, t.1))
                .chain(foreign.iter().map(|f| (f.0, f.1)))
                .collect();
            let inside_longer = |s: usize, l: usize| {
                spans
                    .iter()
                    .any(|&(s2, l2)| l2 > l && s2 <= s && s2 + l2 >= s + l)
            };
            for &(s, l, e, factor) in &titles {
                if inside_longer(s, l) {
                    continue;
                }
                let score = &mut out.classes[e.class];
                let text = &self.lists[e.class].0[e.phrase].text;
                let prominence = if seg.prominence > 0.0 {
                    seg.prominence
                } else if standalone(toks, s, l) && seg.line_segs <= 3 {
                    STANDALONE_PROMINENCE
                } else {
                    0.0
                };
                match headline(toks, s, l) {
                    Headline::Title if prominence > 0.0 => {
                        let t = prominence * e.weight * factor;
                        if t > score.title {
                            score.title = t;
                            score.title_text = Some(text.clone());
                        }
                    }
                    Headline::Label => {
                        // "Invoice No." says what the page is, less than a title does.
                        if mention_seen[e.class].insert(e.phrase) {
                            score.body_raw += 0.8 * e.weight * factor;
                            score.hits.push(format!("{text} (label)"));
                        }
                    }
                    _ => {
                        if mention_seen[e.class].insert(e.phrase) {
                            score.body_raw += 0.3 * e.weight * factor;
                            score.hits.push(format!("{text} (mentioned)"));
                        }
                    }
                }
            }
            for &(s, l, f, factor) in &foreign {
                if inside_longer(s, l) || seg.prominence <= 0.0 {
                    continue;
                }
                // "Lieferschein Nr. 4711" in a header block refers to another document; a
                // numbered type is a title only when the page names no class of its own, so
                // it weighs less against a class title (and still decides an untitled page).
                let numbered = toks
                    .get(s + l)
                    .is_some_and(|t| NUMBER_WORDS.contains(&t.as_str()));
                let reference = if numbered {
                    NUMBERED_REFERENCE_FACTOR
                } else {
                    1.0
                };
                let against = seg.prominence * factor * reference;
                if headline(toks, s, l) == Headline::Title && against > out.against {
                    out.against = against;
                    out.against_what = Some(f.concept.to_string());
                }
            }
        }
        let scale = BODY_SCALE * (view.words as f32 / SHORT_PAGE_WORDS).clamp(0.5, 1.0);
        for s in &mut out.classes {
            s.body = 1.0 - (-s.body_raw / scale).exp();
        }
        out
    }
}

impl Index {
    /// The one-word type name a compound token ends in ("sammelrechnung" → "rechnung"), when
    /// its first part is a word of its own and the whole is no settlement or calculation.
    fn compound_head(&self, tok: &str) -> Option<&str> {
        if tok.len() < COMPOUND_MIN_HEAD + COMPOUND_MIN_PREFIX
            || NOT_COMPOUNDS.iter().any(|n| tok.ends_with(n))
        {
            return None;
        }
        self.compound_heads
            .iter()
            .find(|h| {
                tok.ends_with(h.as_str())
                    && tok[..tok.len() - h.len()].chars().count() >= COMPOUND_MIN_PREFIX
            })
            .map(String::as_str)
    }

    /// A one-word type name OCR broke into fragments from `toks[i]` on ("F actu u r" for a
    /// large, loosely set "Factuur"): (fragments, the word). Only a word the config or the
    /// lexicon knows as a type is joined, so running text of short words is left alone.
    fn broken_word(&self, toks: &[String], i: usize) -> Option<(usize, &str)> {
        let fragment = |t: &String| {
            (1..=BROKEN_MAX_FRAGMENT).contains(&t.chars().count())
                && t.chars().all(char::is_alphabetic)
        };
        let mut joined = String::new();
        let mut found = None;
        for (n, t) in toks[i..].iter().enumerate().take(BROKEN_MAX_FRAGMENTS) {
            if !fragment(t) {
                break;
            }
            joined.push_str(t);
            if n == 0 || joined.chars().count() < COMPOUND_MIN_HEAD {
                continue;
            }
            let one_word_type = self
                .by_first
                .get(joined.as_str())
                .is_some_and(|v| v.iter().any(|e| e.kind == Kind::Title && e.len == 1))
                || self
                    .foreign
                    .get(joined.as_str())
                    .is_some_and(|v| v.iter().any(|f| f.tokens.len() == 1));
            if one_word_type {
                found = Some((n + 1, joined.clone()));
            }
        }
        let (n, word) = found?;
        // The index's own copy of the word, so the answer borrows from `self`.
        self.by_first
            .get_key_value(word.as_str())
            .map(|(k, _)| k.as_str())
            .or_else(|| self.foreign.get_key_value(word.as_str()).map(|(k, _)| *k))
            .map(|w| (n, w))
    }

    /// The one-word type name (six letters or more) `tok` is one letter away from, when it is no
    /// word of the index itself and only one type name is that near: OCR misreads a letter of
    /// a title ("Rechnunq", "lnvoice", "Factura" read "Factora") more often than it prints a
    /// word no one wrote.
    fn misread_type(&self, tok: &str) -> Option<&str> {
        if tok.chars().count() < COMPOUND_MIN_HEAD
            || !tok.chars().all(char::is_alphabetic)
            || self.by_first.contains_key(tok)
            || self.foreign.contains_key(tok)
        {
            return None;
        }
        let mut near = self.compound_heads.iter().filter(|h| one_edit(tok, h));
        let first = near.next()?;
        near.all(|h| h == first).then_some(first.as_str())
    }

    /// The tokens of an entry's phrase.
    fn tokens(&self, e: &Entry) -> &[String] {
        let (titles, body) = &self.lists[e.class];
        match e.kind {
            Kind::Title => &titles[e.phrase].tokens,
            Kind::Body => &body[e.phrase].tokens,
        }
    }
}

/// Whether `a` and `b` differ in exactly one letter, in place: a letter added or dropped turns
/// too many real words into type words ("contact" is one letter from "contract"). No allocation: it
/// runs for every prominent word against every type name.
fn one_edit(a: &str, b: &str) -> bool {
    let (mut x, mut y) = (a.chars(), b.chars());
    let mut differ = 0;
    loop {
        match (x.next(), y.next()) {
            (Some(p), Some(q)) => {
                if p != q {
                    differ += 1;
                    if differ > 1 {
                        return false;
                    }
                }
            }
            (None, None) => return differ == 1,
            _ => return false,
        }
    }
}

impl Index {
    /// Whether a body entry names its class's type inside a label (see [`names_type`]).
    fn typed(&self, e: &Entry) -> bool {
        *e.typed.get_or_init(|| {
            let (titles, body) = &self.lists[e.class];
            let types: Vec<&[String]> = titles
                .iter()
                .filter(|t| !t.tokens.is_empty())
                .map(|t| t.tokens.as_slice())
                .collect();
            e.kind == Kind::Body && names_type(&body[e.phrase].tokens, &types)
        })
    }
}

/// Shortest type word a compound label is read as starting with ("rechnung" in
/// "rechnungsnummer", "lasku" in "laskunumero").
const TYPED_MIN_HEAD: usize = 5;

/// Whether a body phrase names one of the class's type phrases inside a label: the type (its
/// last word maybe inflected: "faktury", "sąskaitos") beside a label word ("invoice number",
/// "nr faktury", "purchase order date"), or a one-word type compounded with one
/// ("rechnungsnummer", "factuurdatum"). A type beside a function word only ("bill to", "facturé
/// à") is an address line, not a label.
fn names_type(phrase: &[String], types: &[&[String]]) -> bool {
    let same = |t: &str, h: &str, last: bool| {
        let n = h.chars().count();
        t == h
            || (last
                && n >= TYPED_MIN_HEAD
                && t.chars().count() >= n
                && prefix_chars(t, h) + 1 >= n)
    };
    let compound = |t: &str| {
        types.iter().any(|h| {
            h.len() == 1
                && h[0].chars().count() >= TYPED_MIN_HEAD
                && t.chars().count() >= h[0].chars().count() + COMPOUND_MIN_PREFIX
                && t.starts_with(h[0].as_str())
        })
    };
    if phrase.iter().any(|t| compound(t)) {
        return true;
    }
    types.iter().any(|h| {
        let l = h.len();
        (0..phrase.len().saturating_sub(l - 1)).any(|s| {
            let at = (0..l).all(|k| same(&phrase[s + k], &h[k], k + 1 == l));
            let label = phrase
                .iter()
                .enumerate()
                .any(|(i, t)| (i < s || i >= s + l) && !is_function_word(t));
            at && label
        })
    })
}

/// How many leading characters `a` and `b` share.
fn prefix_chars(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Nothing but the phrase (and numbers) in the segment.
fn standalone(toks: &[String], s: usize, l: usize) -> bool {
    toks.iter()
        .enumerate()
        .all(|(i, t)| (i >= s && i < s + l) || !t.chars().any(char::is_alphabetic))
}

fn starts_at(toks: &[String], i: usize, want: &[String]) -> bool {
    toks.len() >= i + want.len() && toks[i..i + want.len()] == *want
}

#[derive(Debug, PartialEq)]
enum Headline {
    Title,
    Label,
    Mention,
}

/// How a type phrase at `toks[s..s+l]` reads in its segment.
fn headline(toks: &[String], s: usize, l: usize) -> Headline {
    if let Some(next) = toks.get(s + l)
        && is_word("title_label_after", next)
    {
        // "Facture n° 2022089083", "INVOICE NO. 42": a numbered title, when nothing but the
        // number follows; "Invoice Number:" on its own, or with a date after, is a label.
        let numbered = NUMBER_WORDS.contains(&next.as_str())
            && toks
                .get(s + l + 1)
                .is_none_or(|t| t.chars().any(|c| c.is_ascii_digit()) || t.chars().count() <= 2);
        return if numbered && s == 0 {
            Headline::Title
        } else {
            Headline::Label
        };
    }
    // "Ihre Stromrechnung", "Your invoice", "Votre facture" heading a page are its title: a
    // possessive alone before the type refers to nothing else.
    let own = s == 1 && is_word("title_possessive", &toks[0]);
    if s > 0 && !own && is_word("title_referring", &toks[s - 1]) {
        return Headline::Mention;
    }
    let extra = toks
        .iter()
        .enumerate()
        .filter(|(i, t)| (*i < s || *i >= s + l) && t.chars().any(char::is_alphabetic))
        .count();
    if extra <= HEADLINE_EXTRA_WORDS {
        Headline::Title
    } else {
        Headline::Mention
    }
}

#[cfg(test)]
mod tests {
    use super::one_edit;

    #[test]
    fn one_edit_is_one_letter_changed_in_place() {
        assert!(one_edit("rechnunq", "rechnung"));
        assert!(one_edit("lnvoice", "invoice"));
        assert!(one_edit("faktüra", "faktura"));
        assert!(!one_edit("rechnung", "rechnung"));
        assert!(!one_edit("rechnen", "rechnung"));
        assert!(!one_edit("contact", "contract"));
        assert!(!one_edit("factur", "factura"));
        assert!(!one_edit("fxctorx", "factura"));
    }
}
