//! What a class is known by, from its schema alone: the phrases that name its document type
//! (its name, the lexicon concepts the name names, in every language) and the words its pages
//! print (its description, its property names, the label and cue lexicons expanded from them,
//! its `x-idpctl-keywords`). Computed once when the config is read; scoring a page then only
//! looks phrases up.
//!
//! This module depends on the lexicon only (not on the config types), so the config reader can
//! build a class's evidence without a module circle.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::pipeline::lexicon::{self, Concept, Lexicon, Term, split_name};

/// A phrase as the classifier matches it: [`norm`]ed tokens and a weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    /// As shown in a page's evidence ("earnings statement").
    pub text: String,
    pub tokens: Vec<String>,
    pub weight: f32,
}

/// Everything a class is recognised by.
#[derive(Debug, Clone, Default)]
pub struct ClassEvidence {
    /// Phrases naming the document type: printed as a page's headline, the page is this class.
    /// Shared (`Arc`): a class's clones point at the same phrases, which is how the scoring
    /// index built from them is found again ([`super::score::Index::shared`]).
    pub titles: Arc<[Phrase]>,
    /// Keys of the document-lexicon concepts the class is (`invoice`, `cheque`).
    pub concepts: Vec<String>,
    /// Words its pages print in running text, weighted (shared like `titles`).
    pub body: Arc<[Phrase]>,
    /// `x-aws-idp-document-page-content-regex`: a page whose text matches is this class.
    pub page_regex: Option<Regex>,
    /// `x-aws-idp-document-name-regex`: a document whose name matches is this class throughout.
    pub name_regex: Option<Regex>,
}

/// The parts of a class schema evidence is computed from.
#[derive(Debug, Default)]
pub struct SchemaText<'a> {
    pub name: &'a str,
    pub description: &'a str,
    /// (property name, description) of every property, nested ones included.
    pub properties: Vec<(&'a str, &'a str)>,
    /// `x-idpctl-keywords` as (phrase, weight).
    pub keywords: Vec<(&'a str, f32)>,
    pub page_regex: Option<&'a str>,
    pub name_regex: Option<&'a str>,
}

/// A keyword at least this heavy names the document type (`Form W-2` at 3, `Gross Pay` at 2).
const TITLE_KEYWORD_WEIGHT: f32 = 2.5;

impl ClassEvidence {
    /// Evidence of a class; an invalid regex is an error naming its key.
    pub fn from_schema(s: &SchemaText) -> Result<Self, String> {
        let mut ev = ClassEvidence {
            page_regex: compile(s.page_regex, "x-aws-idp-document-page-content-regex")?,
            name_regex: compile(s.name_regex, "x-aws-idp-document-name-regex")?,
            ..Self::default()
        };
        let name_toks = norm_all(&lexicon::tokens(&split_name(s.name)));
        let mut concepts = concepts_in(&name_toks);
        let mut concept_weight = 1.0;
        if concepts.is_empty() {
            // A class named by code ("generic", "T4") may say what it is in its description's
            // first clause ("An invoice from ...").
            let head = s
                .description
                .split([',', '.', ':', ';'])
                .next()
                .unwrap_or("");
            concepts = concepts_in(&norm_all(&lexicon::tokens(head)));
            concept_weight = 0.7;
        }
        let mut titles = Vec::new();
        if name_toks.iter().any(|t| !is_stopword(t)) {
            titles.push(phrase(&split_name(s.name), name_toks.clone(), 1.0));
        }
        for c in &concepts {
            for t in &c.terms {
                titles.push(phrase(&t.phrase, norm_all(&t.tokens), concept_weight));
            }
        }
        let mut body = Vec::new();
        for (k, w) in &s.keywords {
            let toks = norm_all(&lexicon::tokens(k));
            if toks.is_empty() {
                continue;
            }
            if *w >= TITLE_KEYWORD_WEIGHT {
                titles.push(phrase(k, toks.clone(), 1.0));
            }
            body.push(phrase(k, toks, (0.4 * w).clamp(0.2, 1.2)));
        }
        words_of_text(s.description, 0.3, &mut body);
        let mut expanded = Expanded::new();
        labels_of(s.description, 0.6, &mut body, &mut expanded);
        for (name, desc) in &s.properties {
            let spoken = split_name(name);
            let toks: Vec<String> = norm_all(&lexicon::tokens(&spoken))
                .into_iter()
                .filter(|t| !is_function_word(t))
                .collect();
            if toks.len() >= 2 {
                body.push(phrase(&spoken, toks, 0.8));
            }
            words_of_text(&spoken, 0.3, &mut body);
            labels_of(&spoken, 0.7, &mut body, &mut expanded);
            labels_of(desc, 0.4, &mut body, &mut expanded);
        }
        for c in &concepts {
            if let Some(cue) = lexicon::cues().get(&c.key) {
                for t in &cue.terms {
                    let toks = norm_all(&t.tokens);
                    if toks.len() == 1 && toks[0].chars().count() < 3 {
                        continue;
                    }
                    body.push(phrase(&t.phrase, toks, 0.7));
                }
            }
        }
        ev.concepts = concepts.iter().map(|c| c.key.clone()).collect();
        ev.titles = dedup(titles).into();
        // A title phrase found in running text is a mention, scored by the title logic.
        ev.body = dedup(body)
            .into_iter()
            .filter(|b| !ev.titles.iter().any(|t| t.tokens == b.tokens))
            .collect();
        Ok(ev)
    }
}

fn compile(source: Option<&str>, key: &str) -> Result<Option<Regex>, String> {
    source
        .map(|r| {
            Regex::new(r).map_err(|e| format!("`{key}` is not a valid regular expression: {e}"))
        })
        .transpose()
}

fn phrase(text: &str, tokens: Vec<String>, weight: f32) -> Phrase {
    Phrase {
        text: text.trim().to_string(),
        tokens,
        weight,
    }
}

/// Document concepts one of whose phrases occurs in [`norm`]ed `toks`, in the lexicon's order,
/// a match inside a longer one of another concept left out: in "utility bill" the utility bill
/// is named, not the invoice its "bill" would be alone.
fn concepts_in(toks: &[String]) -> Vec<&'static Concept> {
    let normed = normed_documents();
    let found: Vec<(usize, usize, usize)> = normed
        .find(toks)
        .iter()
        .filter_map(|m| {
            let ci = normed
                .concepts
                .iter()
                .position(|c| std::ptr::eq(c, m.concept))?;
            Some((m.start, m.len, ci))
        })
        .collect();
    let mut out: Vec<usize> = found
        .iter()
        .filter(|&&(s, l, c)| {
            !found
                .iter()
                .any(|&(s2, l2, c2)| c2 != c && l2 > l && s2 <= s && s2 + l2 >= s + l)
        })
        .map(|&(_, _, c)| c)
        .collect();
    out.sort_unstable();
    out.dedup();
    let docs = lexicon::documents();
    out.into_iter().map(|ci| &docs.concepts[ci]).collect()
}

/// The document lexicon with [`norm`]ed tokens, as class names and pages are matched against
/// it: built once, rather than normalising every phrase of the lexicon for every class read
/// and every document classified.
pub fn normed_documents() -> &'static Lexicon {
    static T: LazyLock<Lexicon> = LazyLock::new(|| {
        Lexicon::new(
            lexicon::documents()
                .concepts
                .iter()
                .map(|c| Concept {
                    key: c.key.clone(),
                    terms: c
                        .terms
                        .iter()
                        .map(|t| Term {
                            tokens: norm_all(&t.tokens),
                            ..t.clone()
                        })
                        .collect(),
                })
                .collect(),
        )
    });
    &T
}

/// Content words of a text, one phrase each.
fn words_of_text(text: &str, weight: f32, out: &mut Vec<Phrase>) {
    for t in norm_all(&lexicon::tokens(text)) {
        if t.chars().count() >= 3 && !is_stopword(&t) && !t.chars().all(|c| c.is_ascii_digit()) {
            out.push(phrase(&t, vec![t.clone()], weight));
        }
    }
}

/// Label concepts that name a line-item table's columns. Their one-word headings ("Article",
/// "Código", "Název", "Price", "Hours") head tables in catalogues, contracts, statements and
/// price lists as much as on invoices, so they say nothing of a page's type; their phrases
/// ("unit price", "nazwa towaru") still do.
const COLUMN_HEADINGS: &[&str] = &["description", "quantity", "unit_price", "position", "unit"];

/// The label concepts a class's evidence already holds, at the highest weight each was added.
type Expanded = std::collections::HashMap<&'static str, f32>;

/// Label-lexicon concepts a name or description names, in every language.
fn labels_of(text: &str, weight: f32, out: &mut Vec<Phrase>, expanded: &mut Expanded) {
    if text.is_empty() {
        return;
    }
    for c in lexicon::labels().concepts_in(text) {
        // Added before at this weight or more: its phrases are there, earlier and at least as
        // heavy, and [`dedup`] keeps those, so adding them again changes nothing. A class
        // names the same concepts in many properties ("amount", "date"): this skips most of
        // the hundreds of phrases each would add.
        if expanded.get(c.key.as_str()).is_some_and(|&w| w >= weight) {
            continue;
        }
        expanded.insert(c.key.as_str(), weight);
        let column = COLUMN_HEADINGS.contains(&c.key.as_str());
        for t in &c.terms {
            let toks = norm_all(&t.tokens);
            if toks.len() == 1 && (column || toks[0].chars().count() < 3 || is_stopword(&toks[0])) {
                continue;
            }
            // A one-word label ("total") says less than a phrase ("total amount due").
            let w = if toks.len() == 1 {
                weight * 0.6
            } else {
                weight
            };
            out.push(phrase(&t.phrase, toks, w));
        }
    }
}

/// One phrase per token sequence, at its highest weight.
fn dedup(mut v: Vec<Phrase>) -> Vec<Phrase> {
    v.sort_by(|a, b| a.tokens.cmp(&b.tokens).then(b.weight.total_cmp(&a.weight)));
    v.dedup_by(|b, a| a.tokens == b.tokens);
    v
}

/// A token as matched: a plural `s` dropped, so "licenses" meets "license" and "checks" meets
/// "check" (both sides go through this, so a wrong cut on a word like "taxes" is harmless).
pub fn norm(t: &str) -> String {
    let n = t.chars().count();
    if n >= 5 && t.ends_with('s') && !(t.ends_with("ss") || t.ends_with("us") || t.ends_with("is"))
    {
        t[..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

pub fn norm_all(toks: &[String]) -> Vec<String> {
    toks.iter().map(|t| norm(t)).collect()
}

/// Words that say nothing about a document's type: function words of the lexicon's languages
/// and the boilerplate of schema descriptions and property names.
pub fn is_stopword(t: &str) -> bool {
    is_function_word(t) || GENERIC.contains(&t)
}

const GENERIC: &[&str] = &[
    "document",
    "documents",
    "information",
    "detail",
    "specific",
    "typically",
    "various",
    "including",
    "containing",
    "contain",
    "showing",
    "show",
    "list",
    "listing",
    "value",
    "field",
    "issued",
    "provided",
    "official",
    "section",
    "page",
    "string",
    "number",
    "name",
    "date",
    "type",
    "text",
    "using",
    "used",
    "following",
    "description",
    "current",
    "total",
    "amount",
];

/// Articles, prepositions and conjunctions (a property phrase keeps "number" but not "of").
pub fn is_function_word(t: &str) -> bool {
    const WORDS: &[&str] = &[
        "a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "at", "by", "with", "from",
        "as", "is", "are", "be", "its", "it", "this", "that", "these", "their", "which", "such",
        "any", "all", "each", "other", "into", "per", "via", "not", "no", "if", "when", "where",
        "who", "what", "how", "has", "have", "than", "also", "le", "la", "les", "de", "des", "du",
        "et", "ou", "un", "une", "en", "au", "aux", "der", "die", "das", "und", "oder", "ein",
        "eine", "von", "zu", "im", "mit", "el", "los", "las", "y", "o", "del", "al", "het", "een",
        "van", "voor", "il", "lo", "gli", "di", "da", "e", "os", "do", "dos", "em",
    ];
    WORDS.contains(&t)
}
