//! A multilingual lexicon of the words documents print: what a document calls itself ("invoice",
//! "Rechnung", "facture") and what its labels say ("invoice number", "Rechnungsnummer", "N° de
//! facture"). Classes and fields are written in one language, usually English property names;
//! the lexicon is how the embedded engine reads a French or German page against them.
//!
//! Two tables, both data (`configs/lexicon/documents.yaml`, `configs/lexicon/labels.yaml`),
//! built into the binary: concept key → language → phrases. A concept is found in a schema name
//! or description when the tokens of one of its phrases occur there in order; its phrases in every
//! language then become evidence (classification) or label variants (extraction). A third,
//! `configs/lexicon/words.yaml`, holds plain word lists the extractor tests tokens against.
//!
//! This module is a leaf: it depends on nothing else of the pipeline, so the classifier, the
//! extractor and the config reader can all use it.

pub mod months;
use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, OnceLock};

/// Why a lexicon table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{table}: {message}")]
    Yaml { table: String, message: String },
    #[error("{table}: concept `{concept}`: {message}")]
    Concept {
        table: String,
        concept: String,
        message: String,
    },
}

/// One phrase of a concept in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// ISO 639-1 code (`en`, `fr`, `de`, `es`, `nl`, `it`, `pt`, ...).
    pub lang: String,
    /// As written in the table ("N° de facture").
    pub phrase: String,
    /// [`tokens`] of the phrase (`["n", "de", "facture"]`).
    pub tokens: Vec<String>,
}

/// A thing documents name in many languages.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// The table's key (`invoice`, `invoice_number`).
    pub key: String,
    pub terms: Vec<Term>,
}

impl Concept {
    /// The terms of one language.
    pub fn in_lang<'a>(&'a self, lang: &'a str) -> impl Iterator<Item = &'a Term> + 'a {
        self.terms.iter().filter(move |t| t.lang == lang)
    }

    /// The languages this concept has phrases in.
    pub fn langs(&self) -> Vec<&str> {
        let mut l: Vec<&str> = self.terms.iter().map(|t| t.lang.as_str()).collect();
        l.sort_unstable();
        l.dedup();
        l
    }
}

/// Where a concept was found in a token sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a> {
    pub concept: &'a Concept,
    pub term: &'a Term,
    /// Index of the first matching token.
    pub start: usize,
    /// Number of tokens matched.
    pub len: usize,
}

/// A table of concepts.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub concepts: Vec<Concept>,
    /// Terms by their first token, built by the first [`Lexicon::find`]: a scan of every term
    /// at every position was most of the cost of reading a class config (each field's name and
    /// description is looked up) and a good part of extraction.
    by_first: OnceLock<HashMap<String, Vec<(u32, u32)>>>,
}

impl PartialEq for Lexicon {
    fn eq(&self, other: &Self) -> bool {
        self.concepts == other.concepts
    }
}

impl Lexicon {
    /// Read a table: a YAML mapping of concept → language → list of phrases.
    pub fn from_yaml(table: &str, text: &str) -> Result<Self, LexiconError> {
        let raw: BTreeMap<String, BTreeMap<String, Vec<String>>> = yaml_serde::from_str(text)
            .map_err(|e| LexiconError::Yaml {
                table: table.into(),
                message: e.to_string(),
            })?;
        let mut concepts = Vec::with_capacity(raw.len());
        for (key, langs) in raw {
            let mut terms = Vec::new();
            for (lang, phrases) in langs {
                for phrase in phrases {
                    let toks = tokens(&phrase);
                    if toks.is_empty() {
                        return Err(LexiconError::Concept {
                            table: table.into(),
                            concept: key,
                            message: format!("phrase `{phrase}` ({lang}) has no letters or digits"),
                        });
                    }
                    terms.push(Term {
                        lang: lang.clone(),
                        phrase,
                        tokens: toks,
                    });
                }
            }
            concepts.push(Concept { key, terms });
        }
        Ok(Self::new(concepts))
    }

    /// A table of `concepts` (their terms' tokens as [`tokens`] gives them).
    pub fn new(concepts: Vec<Concept>) -> Self {
        Self {
            concepts,
            by_first: OnceLock::new(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Concept> {
        self.concepts.iter().find(|c| c.key == key)
    }

    /// Every place in `words` where a phrase of a concept occurs (consecutive tokens, in order),
    /// longest first at each position (then in table order); overlapping matches are all
    /// returned, callers choose. The terms are indexed on the first call: change `concepts`
    /// before looking anything up, not after.
    pub fn find<'a>(&'a self, words: &[String]) -> Vec<Match<'a>> {
        let index = self.by_first.get_or_init(|| self.index());
        // (start, longest first, then table order: concept, term).
        let mut found: Vec<(usize, std::cmp::Reverse<usize>, u32, u32)> = Vec::new();
        for (start, w) in words.iter().enumerate() {
            let Some(cands) = index.get(w.as_str()) else {
                continue;
            };
            for &(ci, ti) in cands {
                let term = &self.concepts[ci as usize].terms[ti as usize];
                if words[start..].starts_with(&term.tokens) {
                    found.push((start, std::cmp::Reverse(term.tokens.len()), ci, ti));
                }
            }
        }
        found.sort_unstable();
        found
            .into_iter()
            .map(|(start, len, ci, ti)| {
                let concept = &self.concepts[ci as usize];
                Match {
                    concept,
                    term: &concept.terms[ti as usize],
                    start,
                    len: len.0,
                }
            })
            .collect()
    }

    fn index(&self) -> HashMap<String, Vec<(u32, u32)>> {
        let mut by_first: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        for (ci, concept) in self.concepts.iter().enumerate() {
            for (ti, term) in concept.terms.iter().enumerate() {
                if let Some(first) = term.tokens.first() {
                    by_first
                        .entry(first.clone())
                        .or_default()
                        .push((ci as u32, ti as u32));
                }
            }
        }
        by_first
    }

    /// Concepts a schema name or description names (`InvoiceNumber` → `invoice_number`,
    /// `invoice`, `number`), each once, in order of first occurrence.
    pub fn concepts_in(&self, text: &str) -> Vec<&Concept> {
        let words = tokens(&split_name(text));
        let mut seen: Vec<&Concept> = Vec::new();
        for m in self.find(&words) {
            if !seen.iter().any(|c| c.key == m.concept.key) {
                seen.push(m.concept);
            }
        }
        seen
    }
}

/// The document-type table (`configs/lexicon/documents.yaml`).
pub fn documents() -> &'static Lexicon {
    static T: LazyLock<Lexicon> = LazyLock::new(|| {
        Lexicon::from_yaml(
            "documents.yaml",
            include_str!("../../../configs/lexicon/documents.yaml"),
        )
        .expect("the shipped lexicon is tested")
    });
    &T
}

/// What documents of a type print in running text (`configs/lexicon/cues.yaml`), keyed like
/// [`documents`]: weaker evidence than a title, for pages whose headline is missing or misread.
pub fn cues() -> &'static Lexicon {
    static T: LazyLock<Lexicon> = LazyLock::new(|| {
        Lexicon::from_yaml(
            "cues.yaml",
            include_str!("../../../configs/lexicon/cues.yaml"),
        )
        .expect("the shipped lexicon is tested")
    });
    &T
}

/// The label table (`configs/lexicon/labels.yaml`).
pub fn labels() -> &'static Lexicon {
    static T: LazyLock<Lexicon> = LazyLock::new(|| {
        Lexicon::from_yaml(
            "labels.yaml",
            include_str!("../../../configs/lexicon/labels.yaml"),
        )
        .expect("the shipped lexicon is tested")
    });
    &T
}

/// Word lists the extractor and the classifier test single tokens against
/// (`configs/lexicon/words.yaml`): stems of paying words, deadline words, tax-rate words, the
/// words around a document type that make it a mention or a label.
pub fn words() -> &'static Lexicon {
    static T: LazyLock<Lexicon> = LazyLock::new(|| {
        Lexicon::from_yaml(
            "words.yaml",
            include_str!("../../../configs/lexicon/words.yaml"),
        )
        .expect("the shipped lexicon is tested")
    });
    &T
}

/// The folded tokens of one list of [`words`], every language together (empty for a key the
/// table does not have); built once, since the lists are read for every token of a page.
pub fn word_list(key: &str) -> &'static [String] {
    static LISTS: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
        words()
            .concepts
            .iter()
            .map(|c| {
                let mut list: Vec<String> = c.terms.iter().map(|t| t.tokens.concat()).collect();
                list.sort_unstable();
                list.dedup();
                (c.key.clone(), list)
            })
            .collect()
    });
    LISTS.get(key).map_or(&[], Vec::as_slice)
}

/// Whether a folded token is in one list of [`words`] (in any language).
pub fn is_word(key: &str, token: &str) -> bool {
    word_list(key)
        .binary_search_by(|w| w.as_str().cmp(token))
        .is_ok()
}

/// Lowercase alphanumeric tokens with diacritics folded, so a French page printed with accents
/// and an OCR reading that lost them agree ("Numéro" and "Numero" → "numero"); apostrophes vanish
/// so "Employee's" → "employees".
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if matches!(c, '\'' | '’' | '`') {
            continue;
        }
        // Most text is ASCII: its letters need neither Unicode lowercasing nor folding.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                cur.push(c.to_ascii_lowercase());
            } else if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                push_folded(&mut cur, l);
            }
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `InvoiceNumber`, `invoice_number`, `Invoice-Number` → `invoice number` (camel case split);
/// text that is already words passes through.
pub fn split_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' {
            out.push(' ');
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    out
}

fn push_folded(out: &mut String, c: char) {
    let s = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'ă' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' | 'ė' => "e",
        'ģ' | 'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ļ' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ș' | 'ş' => "s",
        'ť' | 'ț' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'º' | 'ª' => "o",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(s);
}

#[cfg(test)]
mod tests;
