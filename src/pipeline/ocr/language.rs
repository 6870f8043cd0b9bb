//! The language a page is printed in, told from the words a first OCR reading found.
//!
//! Tesseract reads a page best with the page's own language pack (accents, `ß`, `ů`: measured
//! 3–11% more words right on non-English pages), but reading every page with every pack is 4–6×
//! slower. So the first reading is English and this module says, from that reading, whether the
//! page is in another language worth a second one. The English model reads the letters of other
//! Latin-script languages well enough for their function words and labels to be recognised, and
//! the evidence is folded ([`lexicon::tokens`]), so "Numéro" read as "Numero" still counts.
//!
//! Evidence, per language: its function words (short lists below, without one-letter words,
//! which OCR noise makes, nor words English documents print too: "per", "com", "il", "est"), its
//! phrases in the built-in lexicon (labels, document titles and cues; a phrase the English table
//! spells the same way is nobody's), and words holding letters only some languages print (`ß`,
//! `ñ`, `ł`, `ř`…). A page is another language's when that language has [`MIN_EVIDENCE`] or
//! more, more than English, and more than any other language.

use crate::pipeline::lexicon::{self, Lexicon};

/// Evidence a language needs before a page is read again in it: a few function words or labels.
/// One stray "de" or "la" in an English address must not be enough.
pub const MIN_EVIDENCE: u32 = 4;

/// A language the detector knows: Tesseract's pack name, the lexicon's ISO 639-1 code, its
/// function words (folded, lower case) and the letters that mark it.
struct Known {
    pack: &'static str,
    iso: &'static str,
    words: &'static [&'static str],
    letters: &'static str,
}

/// English: evidence against every other language.
const ENGLISH: Known = Known {
    pack: "eng",
    iso: "en",
    words: &[
        "the", "and", "of", "for", "with", "at", "by", "from", "this", "that", "are", "be", "your",
        "our", "you", "we", "please", "thank", "thanks", "will", "not", "or", "all", "any", "it",
        "its", "has", "have", "if", "which", "been", "were", "should", "would", "must", "shall",
        "after", "before", "within", "upon", "than", "to", "on", "as", "an", "is", "was", "into",
        "due",
    ],
    letters: "",
};

/// The languages a page may be read again in, besides English.
const OTHERS: &[Known] = &[
    Known {
        pack: "deu",
        iso: "de",
        words: &[
            "der",
            "das",
            "und",
            "mit",
            "von",
            "den",
            "dem",
            "des",
            "ist",
            "nicht",
            "ein",
            "eine",
            "einer",
            "eines",
            "auf",
            "fur",
            "bei",
            "nach",
            "oder",
            "sie",
            "wir",
            "ihre",
            "ihnen",
            "sich",
            "auch",
            "aus",
            "uber",
            "zur",
            "zum",
            "werden",
            "wird",
            "sind",
            "bitte",
            "vielen",
            "dank",
            "unter",
            "durch",
            "diese",
            "dieser",
            "noch",
            "nur",
            "gemass",
            "innerhalb",
            "zahlbar",
        ],
        letters: "äöüß",
    },
    Known {
        pack: "fra",
        iso: "fr",
        words: &[
            "le", "la", "les", "de", "des", "du", "et", "une", "pour", "par", "dans", "avec", "au",
            "aux", "cette", "qui", "que", "nous", "vous", "votre", "vos", "notre", "nos", "pas",
            "sont", "sur", "tout", "ou", "sera", "merci", "selon", "entre", "apres", "aupres",
            "toute",
        ],
        letters: "èêëîïôûùœç",
    },
    Known {
        pack: "spa",
        iso: "es",
        words: &[
            "el", "los", "las", "de", "del", "en", "por", "para", "una", "que", "pero", "esta",
            "estos", "gracias", "segun", "hasta", "desde", "nuestro", "usted", "con", "su", "sus",
            "como", "sobre",
        ],
        letters: "ñ¿¡",
    },
    Known {
        pack: "ita",
        iso: "it",
        words: &[
            "gli", "della", "delle", "dei", "degli", "del", "di", "che", "una", "sono", "nel",
            "nella", "alla", "dalla", "questo", "questa", "grazie", "anche", "entro", "con", "ed",
            "dal",
        ],
        letters: "àìòù",
    },
    Known {
        pack: "nld",
        iso: "nl",
        words: &[
            "de", "het", "een", "en", "voor", "met", "zijn", "niet", "dat", "bij", "uw", "onze",
            "wij", "naar", "door", "ook", "deze", "worden", "wordt", "bedankt", "graag", "binnen",
            "van", "aan", "op", "te", "tot",
        ],
        letters: "",
    },
    Known {
        pack: "por",
        iso: "pt",
        words: &[
            "da", "das", "de", "dos", "uma", "para", "por", "que", "nao", "nas", "seu", "sua",
            "pelo", "pela", "obrigado", "mais", "esta", "em", "ao", "nos", "um",
        ],
        letters: "ãõç",
    },
    Known {
        pack: "ces",
        iso: "cs",
        words: &[
            "je", "se", "ze", "na", "za", "jsou", "bude", "ktery", "ktera", "ktere", "jako",
            "nebo", "jeho", "jsme", "prosim", "dekujeme", "pri", "mezi", "podle", "tento", "tato",
            "toto",
        ],
        letters: "ěřůčšžňťď",
    },
    Known {
        pack: "pol",
        iso: "pl",
        words: &[
            "sie",
            "nie",
            "jest",
            "za",
            "dla",
            "przez",
            "przy",
            "oraz",
            "lub",
            "jego",
            "byc",
            "bedzie",
            "ktory",
            "ktora",
            "ktore",
            "prosze",
            "dziekujemy",
            "tego",
            "jako",
            "tylko",
            "na",
            "ze",
        ],
        letters: "łąęśźżńć",
    },
];

/// The Tesseract packs the detector can name (English aside).
pub fn packs() -> impl Iterator<Item = &'static str> {
    OTHERS.iter().map(|k| k.pack)
}

/// Whether `pack` is a language the detector knows (English included).
pub fn is_known(pack: &str) -> bool {
    pack == ENGLISH.pack || OTHERS.iter().any(|k| k.pack == pack)
}

/// What a reading says about its language: evidence per pack, English first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub scores: Vec<(&'static str, u32)>,
}

impl Evidence {
    fn of(&self, pack: &str) -> u32 {
        self.scores
            .iter()
            .find(|(p, _)| *p == pack)
            .map_or(0, |(_, s)| *s)
    }

    /// The non-English pack the page is in, if the evidence says so clearly (see the module
    /// documentation); `None` for English pages, pages with too few words and close calls.
    pub fn language(&self) -> Option<&'static str> {
        let mut others: Vec<(&'static str, u32)> = self
            .scores
            .iter()
            .filter(|(p, _)| *p != ENGLISH.pack)
            .copied()
            .collect();
        others.sort_by_key(|b| std::cmp::Reverse(b.1));
        let (best, score) = *others.first()?;
        let runner_up = others.get(1).map_or(0, |o| o.1);
        (score >= MIN_EVIDENCE && score > self.of(ENGLISH.pack) && score > runner_up)
            .then_some(best)
    }
}

/// The evidence of each language in the words of a reading (their texts, in reading order).
pub fn evidence<'a>(words: impl IntoIterator<Item = &'a str>) -> Evidence {
    let all = || std::iter::once(&ENGLISH).chain(OTHERS);
    let mut scores: Vec<(&'static str, u32)> = all().map(|k| (k.pack, 0)).collect();
    let mut credit = |pack: &str| {
        if let Some(s) = scores.iter_mut().find(|(p, _)| *p == pack) {
            s.1 += 1;
        }
    };
    let mut tokens = Vec::new();
    for word in words {
        let lower = word.to_lowercase();
        for k in OTHERS {
            if lower.chars().any(|c| k.letters.contains(c)) {
                credit(k.pack);
            }
        }
        tokens.extend(lexicon::tokens(word));
    }
    for t in &tokens {
        for k in all() {
            if k.words.contains(&t.as_str()) {
                credit(k.pack);
            }
        }
    }
    for table in [lexicon::labels(), lexicon::documents(), lexicon::cues()] {
        for iso in phrase_languages(table, &tokens) {
            if let Some(k) = all().find(|k| k.iso == iso) {
                credit(k.pack);
            }
        }
    }
    Evidence { scores }
}

/// The language of each lexicon phrase found in `tokens`, the longest at a place and no two
/// overlapping; a phrase several languages spell alike counts for each of them, and for none
/// when English is one of them ("total", "IBAN").
fn phrase_languages<'a>(table: &'a Lexicon, tokens: &[String]) -> Vec<&'a str> {
    let mut langs = Vec::new();
    let mut next_free = 0;
    for m in table.find(tokens) {
        if m.start < next_free {
            continue;
        }
        next_free = m.start + m.len;
        let mut alike: Vec<&str> = m
            .concept
            .terms
            .iter()
            .filter(|t| t.tokens == m.term.tokens)
            .map(|t| t.lang.as_str())
            .collect();
        alike.sort_unstable();
        alike.dedup();
        if alike.len() == 1 || !alike.contains(&ENGLISH.iso) {
            langs.extend(alike);
        }
    }
    langs
}

#[cfg(test)]
#[path = "language_tests.rs"]
mod tests;
