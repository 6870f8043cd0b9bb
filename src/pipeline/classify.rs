//! Classify: pages → sections. Each page is scored against every class by the keyword phrases
//! its config lists (`x-idpctl-keywords`); runs of consecutive pages of one class become a
//! section. A page with too little evidence of its own continues the class of the page before
//! it (statement page 4 rarely says "statement"), with a lower confidence.

use crate::model::{PageContent, Section};
use crate::pipeline::config::{ClassConfig, ClassDef};
use crate::pipeline::extract::labels::tokens;

/// Class given to pages no class has evidence for.
pub const UNCLASSIFIED: &str = "unclassified";

/// Share of a class's keyword weight a page must show to be that class on its own.
const MIN_COVERAGE: f32 = 0.2;

/// One page's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct PageClass {
    pub page_number: u32,
    pub class: String,
    /// 0–1: how much of the evidence points at this class, times how much evidence there is.
    pub confidence: f32,
    /// Keywords found, for the reason shown to people.
    pub evidence: Vec<String>,
}

/// Classify each page.
pub fn classify_pages(config: &ClassConfig, pages: &[PageContent]) -> Vec<PageClass> {
    let mut out: Vec<PageClass> = Vec::with_capacity(pages.len());
    for page in pages {
        let toks = tokens(&page.text);
        let mut scored: Vec<(f32, &ClassDef, Vec<String>)> = config
            .classes
            .iter()
            .map(|c| {
                let (cov, ev) = coverage(c, &toks);
                (cov, c, ev)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let best = scored.first().map(|s| s.0).unwrap_or(0.0);
        let second = scored.get(1).map(|s| s.0).unwrap_or(0.0);
        let verdict = match scored.into_iter().next() {
            Some((cov, class, evidence)) if cov >= MIN_COVERAGE => PageClass {
                page_number: page.page_number,
                class: class.name.clone(),
                confidence: (best / (best + second) * (cov / 0.5).min(1.0)).clamp(0.0, 1.0),
                evidence,
            },
            _ => match out.last() {
                // Continuation page: keep the previous class, trust it less.
                Some(prev) if prev.class != UNCLASSIFIED && !page.words.is_empty() => PageClass {
                    page_number: page.page_number,
                    class: prev.class.clone(),
                    confidence: prev.confidence * 0.6,
                    evidence: vec!["continues the previous page".into()],
                },
                _ => PageClass {
                    page_number: page.page_number,
                    class: UNCLASSIFIED.into(),
                    confidence: 0.0,
                    evidence: Vec::new(),
                },
            },
        };
        out.push(verdict);
    }
    out
}

/// Group classified pages into sections of consecutive pages of one class.
pub fn sections_of(pages: &[PageClass]) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut confs: Vec<Vec<f32>> = Vec::new();
    for p in pages {
        match sections.last_mut() {
            Some(s) if s.classification == p.class => {
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
    sections_of(&classify_pages(config, pages))
}

/// Share of the class's keyword weight present in the page tokens, and which keywords.
fn coverage(class: &ClassDef, page: &[String]) -> (f32, Vec<String>) {
    let total: f32 = class.keywords.iter().map(|k| k.weight).sum();
    if total <= 0.0 {
        return (0.0, Vec::new());
    }
    let mut found = 0.0;
    let mut evidence = Vec::new();
    for k in &class.keywords {
        let want = tokens(&k.phrase);
        if !want.is_empty() && page.windows(want.len()).any(|w| w == want.as_slice()) {
            found += k.weight;
            evidence.push(k.phrase.clone());
        }
    }
    (found / total, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BoundingBox, TextSource, Word};

    fn page(n: u32, text: &str) -> PageContent {
        PageContent {
            page_number: n,
            text_source: TextSource::Native,
            words: vec![Word::new("x", BoundingBox::default(), 1.0)],
            text: text.into(),
            needs_ocr: false,
            image: None,
        }
    }

    #[test]
    fn runs_of_pages_become_sections() {
        let config = ClassConfig::builtin();
        let pages = vec![
            page(
                1,
                "Form W-2 Wage and Tax Statement Employer identification number Social security wages",
            ),
            page(
                2,
                "Earnings Statement Gross Pay Net Pay Pay date Deductions",
            ),
            page(3, "nothing to see"),
            page(
                4,
                "Patient Discharge Summary Patient Name Admit Date Discharge Date",
            ),
        ];
        let per_page = classify_pages(&config, &pages);
        assert_eq!(per_page[0].class, "W2");
        assert_eq!(per_page[1].class, "Payslip");
        assert_eq!(per_page[2].class, "Payslip", "continuation page");
        assert!(per_page[2].confidence < per_page[1].confidence);
        assert_eq!(per_page[3].class, "Discharge-Summary");
        let sections = sections_of(&per_page);
        assert_eq!(sections.len(), 3);
        assert_eq!(sections[1].page_ids, vec!["2", "3"]);
        assert_eq!(sections[2].section_id, "3");
    }

    #[test]
    fn no_evidence_is_unclassified() {
        let config = ClassConfig::builtin();
        let s = classify(&config, &[page(1, "lorem ipsum dolor")]);
        assert_eq!(s[0].classification, UNCLASSIFIED);
        assert_eq!(s[0].confidence, Some(0.0));
    }
}

#[cfg(test)]
mod sample_tests {
    use super::*;
    use crate::pipeline::split::tests::sample;
    use crate::pipeline::split::{self, SplitOptions};

    fn classes_of(file: &str) -> Vec<(String, Vec<String>)> {
        let opts = SplitOptions {
            render_for_ocr: false,
            ..SplitOptions::default()
        };
        let pages = split::split(&sample(file), file, &opts).unwrap();
        classify(&ClassConfig::builtin(), &pages)
            .into_iter()
            .map(|s| (s.classification, s.page_ids))
            .collect()
    }

    #[test]
    fn text_samples_classify_as_one_section_each() {
        let all = |n: usize| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(
            classes_of("w2/W2_XL_input_clean_1005.pdf"),
            vec![("W2".into(), all(1))]
        );
        assert_eq!(
            classes_of("text/bank-statement-multipage.pdf"),
            vec![("Bank-Statement".into(), all(5))]
        );
        assert_eq!(
            classes_of("text/insurance_package_single.pdf"),
            vec![("Discharge-Summary".into(), all(1))]
        );
        assert_eq!(
            classes_of("text/Nuveen.pdf"),
            vec![("Fund-Distribution-Table".into(), all(17))]
        );
    }
}
