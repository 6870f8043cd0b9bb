//! Classification with a model: the pages that were read → a class per page, and sections, as
//! the accelerator's classification stage does it, with the configuration's prompts and
//! placeholders (`{CLASS_NAMES_AND_DESCRIPTIONS}`, `{FEW_SHOT_EXAMPLES}`, `{DOCUMENT_TEXT}`;
//! `{DOCUMENT_IMAGE}` is left empty: this engine sends text, not page images).
//!
//! - `multimodalPageLevelClassification` (the default): one call per page, at most
//!   [`PAGE_CONCURRENCY`] at once, with `contextPagesCount` neighbours either side as context;
//!   the answer is `{"class": <one of the configured names>, "document_boundary": "start" |
//!   "continue"}`.
//! - `textbasedHolisticClassification`: one call over the document's text with page markers;
//!   the answer is `{"segments": [{ordinal_start_page, ordinal_end_page, type}]}`, which must
//!   cover every page exactly once.
//!
//! Sections follow `sectionSplitting`: `disabled` makes one section per run of pages of one
//! class, `page` one per page, `llm_determined` (the default) also starts one where the model
//! says a document starts. `maxPagesForClassification: N` sends only the first N pages; the
//! class most of them got (the earliest on a tie) then covers the whole document as one
//! section.
//!
//! An answer that names a class the configuration does not have, or does not cover the pages,
//! gets one repair request naming what is allowed; a second one fails the document with the
//! reason and the model's text. A name is never mapped to some other class.
//!
//! Confidence: models give none, so it says how the answer came: [`FIRST_ANSWER_CONFIDENCE`]
//! for a class named in a valid first answer, [`REPAIRED_CONFIDENCE`] for one that took the
//! repair request; with `maxPagesForClassification`, that times the share of the classified
//! pages that agree. A section's is the mean of its pages'.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::chat::{ChatModel, ChatRequest, Part, strip_cachepoints};
use super::error::EngineError;
use super::extract::{Usage, configured_or, configured_request, document_text};
use super::repair::{ask_checked, kind};
use crate::model::{PageContent, Section};
use crate::pipeline::classify::PageClass;
use crate::pipeline::config::ClassConfig;
use crate::pipeline::config::sections::ClassificationSection;

pub const PAGE_LEVEL: &str = "multimodalPageLevelClassification";
pub const HOLISTIC: &str = "textbasedHolisticClassification";

/// A class named in a valid first answer.
pub const FIRST_ANSWER_CONFIDENCE: f32 = 1.0;
/// A class named only after the repair request.
pub const REPAIRED_CONFIDENCE: f32 = 0.7;

/// Page calls in flight at once for one document: enough to overlap a server's latency,
/// few enough that one long document does not take a shared server's every slot.
pub const PAGE_CONCURRENCY: usize = 4;

pub const DEFAULT_SYSTEM_PROMPT: &str = "You classify business documents into the document \
types you are given. Answer with one JSON object in the requested format; use only the given \
document type names, exactly as written.";

/// Used for page-level classification when the configuration has no task prompt.
pub const DEFAULT_PAGE_PROMPT: &str = "Classify this page into one of these document types:\n\
{CLASS_NAMES_AND_DESCRIPTIONS}\n\n{FEW_SHOT_EXAMPLES}\
Also say whether the page starts a new document (\"start\") or continues the document of the \
page before it (\"continue\").\n\n<page>\n{DOCUMENT_TEXT}\n</page>\n\n\
Answer with one JSON object: {\"class\": \"<a document type from the list>\", \
\"document_boundary\": \"start\" or \"continue\"}.";

/// Used for holistic classification when the configuration has no task prompt.
pub const DEFAULT_HOLISTIC_PROMPT: &str = "This document package may hold several documents. \
Split it into segments of consecutive pages, one document each, and give each segment its \
document type from this list:\n{CLASS_NAMES_AND_DESCRIPTIONS}\n\n{FEW_SHOT_EXAMPLES}\
<document>\n{DOCUMENT_TEXT}\n</document>\n\n\
Answer with one JSON object: {\"segments\": [{\"ordinal_start_page\": <first page>, \
\"ordinal_end_page\": <last page>, \"type\": \"<a document type from the list>\"}]}, \
covering every page exactly once.";

/// Pages and sections the model gave, and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub pages: Vec<PageClass>,
    pub sections: Vec<Section>,
    pub usage: Usage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    PageLevel,
    Holistic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Splitting {
    Disabled,
    Page,
    LlmDetermined,
}

/// One page's class as the model gave it.
#[derive(Debug, Clone, PartialEq)]
struct Verdict {
    page_number: u32,
    class: String,
    /// The model says a new document starts on this page.
    start: bool,
    confidence: f32,
}

/// Classifies the pages (in page order) with the configured method.
pub async fn classify_with_model(
    chat: Arc<dyn ChatModel>,
    model: &str,
    classes: &ClassConfig,
    pages: &[PageContent],
    settings: &ClassificationSection,
) -> Result<Classification, EngineError> {
    let backend = chat.backend();
    let (method, splitting, max_pages) = options(settings, backend)?;
    let names: Vec<String> = classes.classes.iter().map(|c| c.name.clone()).collect();
    if names.is_empty() {
        return Err(EngineError::Misconfigured {
            backend,
            reason: "the configuration has no classes to classify into".into(),
            hint: "add classes (--classes, IDPCTL_CLASSES or the profile's classes:)".into(),
        });
    }
    let sampled = max_pages.map_or(pages.len(), |n| n.min(pages.len()));
    let base = configured_request(model, &settings.model);
    let (mut verdicts, usage) = match method {
        Method::PageLevel => {
            page_level(
                chat, base, classes, &names, pages, sampled, settings, splitting,
            )
            .await?
        }
        Method::Holistic => {
            holistic(
                chat.as_ref(),
                base,
                classes,
                &names,
                &pages[..sampled],
                settings,
            )
            .await?
        }
    };
    if sampled < pages.len() {
        verdicts = whole_document(&verdicts, pages);
    }
    let sections = sections_of(&verdicts, splitting);
    let pages = verdicts
        .iter()
        .map(|v| PageClass {
            page_number: v.page_number,
            class: v.class.clone(),
            confidence: v.confidence,
            evidence: vec![if v.confidence < FIRST_ANSWER_CONFIDENCE {
                "named by the model after a repair request, or by the pages sampled".into()
            } else {
                "named by the model".into()
            }],
        })
        .collect();
    Ok(Classification {
        pages,
        sections,
        usage,
    })
}

/// The method, section splitting and page limit the configuration asks for.
fn options(
    settings: &ClassificationSection,
    backend: &'static str,
) -> Result<(Method, Splitting, Option<usize>), EngineError> {
    let bad = |key: &str, value: &str, allowed: &str| EngineError::Misconfigured {
        backend,
        reason: format!("classification.{key} is `{value}`, which idpctl does not know"),
        hint: format!("set classification.{key} to {allowed}, or remove it for the default"),
    };
    let method = match settings.method.as_deref().map(str::trim) {
        None | Some("") | Some(PAGE_LEVEL) => Method::PageLevel,
        Some(HOLISTIC) => Method::Holistic,
        Some(other) => {
            return Err(bad(
                "classificationMethod",
                other,
                &format!("`{PAGE_LEVEL}` or `{HOLISTIC}`"),
            ));
        }
    };
    let splitting = match settings.section_splitting.as_deref().map(str::trim) {
        None | Some("") | Some("llm_determined") => Splitting::LlmDetermined,
        Some("disabled") => Splitting::Disabled,
        Some("page") => Splitting::Page,
        Some(other) => {
            return Err(bad(
                "sectionSplitting",
                other,
                "`disabled`, `page` or `llm_determined`",
            ));
        }
    };
    let max_pages = match &settings.max_pages {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_u64().map(|n| n as usize),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("all") || s.trim().is_empty() => {
            None
        }
        Some(Value::String(s)) => Some(
            s.trim()
                .parse::<usize>()
                .map_err(|_| bad("maxPagesForClassification", s, "`ALL` or a number of pages"))?,
        ),
        Some(other) => {
            return Err(bad(
                "maxPagesForClassification",
                &other.to_string(),
                "`ALL` or a number of pages",
            ));
        }
    }
    // 0 is how some accelerator configs write "all".
    .filter(|&n| n > 0);
    Ok((method, splitting, max_pages))
}

/// `{CLASS_NAMES_AND_DESCRIPTIONS}` as the accelerator writes it: one `name  \t[ description ]`
/// line per class.
pub fn class_lines(classes: &ClassConfig) -> String {
    classes
        .classes
        .iter()
        .map(|c| format!("{}  \t[ {} ]", c.name, c.description))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `{FEW_SHOT_EXAMPLES}`: what each class's examples say (their images are not sent).
fn few_shot(classes: &ClassConfig) -> String {
    let lines: Vec<String> = classes
        .classes
        .iter()
        .flat_map(|c| {
            c.examples
                .iter()
                .filter(|e| !e.class_prompt.trim().is_empty())
                .map(move |e| format!("- {}: {}", c.name, e.class_prompt.trim()))
        })
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!("Examples:\n{}\n\n", lines.join("\n"))
    }
}

/// The user turn: the task prompt with its placeholders filled, `{DOCUMENT_TEXT}` last so that
/// text on the pages is never taken for a placeholder.
fn user_prompt(task: &str, classes: &ClassConfig, text: &str) -> String {
    strip_cachepoints(
        &task
            .replace("{CLASS_NAMES_AND_DESCRIPTIONS}", &class_lines(classes))
            .replace("{FEW_SHOT_EXAMPLES}", &few_shot(classes))
            .replace("{DOCUMENT_IMAGE}", "")
            .replace("{DOCUMENT_TEXT}", text),
    )
}

/// The page's text under its page marker, and `context` pages either side marked as context.
fn page_text(pages: &[PageContent], i: usize, context: usize) -> String {
    if context == 0 {
        return document_text(&pages[i..=i]);
    }
    let last = pages.len().saturating_sub(1);
    (i.saturating_sub(context)..=(i + context).min(last))
        .map(|j| {
            let role = if j == i {
                "the page to classify"
            } else {
                "context only"
            };
            format!(
                "--- page {} ({role}) ---\n{}",
                pages[j].page_number,
                pages[j].text.trim()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The page-level answer format.
pub fn page_schema(names: &[String]) -> Value {
    json!({
        "type": "object",
        "properties": {
            "class": {"type": "string", "enum": names},
            "document_boundary": {"type": "string", "enum": ["start", "continue"]}
        },
        "required": ["class", "document_boundary"],
        "additionalProperties": false
    })
}

/// The holistic answer format.
pub fn segments_schema(names: &[String]) -> Value {
    json!({
        "type": "object",
        "properties": {
            "segments": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "ordinal_start_page": {"type": "integer"},
                        "ordinal_end_page": {"type": "integer"},
                        "type": {"type": "string", "enum": names}
                    },
                    "required": ["ordinal_start_page", "ordinal_end_page", "type"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["segments"],
        "additionalProperties": false
    })
}

fn unknown_class(class: &str, names: &[String]) -> String {
    format!(
        "it names the class `{class}`, which the configuration does not have; the classes are exactly: {}",
        names.join(", ")
    )
}

fn confidence(repaired: bool) -> f32 {
    if repaired {
        REPAIRED_CONFIDENCE
    } else {
        FIRST_ANSWER_CONFIDENCE
    }
}

/// One page's answer: its class and whether it starts a document.
fn check_page(v: &Value, names: &[String], need_boundary: bool) -> Result<(String, bool), String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("the answer is JSON but not an object ({})", kind(v)))?;
    let class = obj
        .get("class")
        .and_then(Value::as_str)
        .map(str::trim)
        .ok_or("the answer has no \"class\" string")?;
    if !names.iter().any(|n| n == class) {
        return Err(unknown_class(class, names));
    }
    let boundary = obj
        .get("document_boundary")
        .and_then(Value::as_str)
        .map(|b| b.trim().to_ascii_lowercase());
    let start = match boundary.as_deref() {
        Some("start") => true,
        Some("continue") => false,
        // Only llm_determined splitting reads the boundary.
        _ if !need_boundary => false,
        Some(other) => {
            return Err(format!(
                "its \"document_boundary\" is `{other}`, not \"start\" or \"continue\""
            ));
        }
        None => return Err("the answer has no \"document_boundary\"".into()),
    };
    Ok((class.to_string(), start))
}

#[allow(clippy::too_many_arguments)]
async fn page_level(
    chat: Arc<dyn ChatModel>,
    base: ChatRequest,
    classes: &ClassConfig,
    names: &[String],
    pages: &[PageContent],
    sampled: usize,
    settings: &ClassificationSection,
    splitting: Splitting,
) -> Result<(Vec<Verdict>, Usage), EngineError> {
    let (system, task) = configured_or(&settings.model, DEFAULT_SYSTEM_PROMPT, DEFAULT_PAGE_PROMPT);
    let system = strip_cachepoints(&system);
    let context = settings.context_pages.unwrap_or(0) as usize;
    let need_boundary = splitting == Splitting::LlmDetermined;
    let names: Arc<[String]> = names.into();
    let mut found: Vec<Option<Verdict>> = vec![None; sampled];
    let mut usage = Usage::default();
    let mut calls = JoinSet::new();
    let mut next = 0;
    while next < sampled || !calls.is_empty() {
        while next < sampled && calls.len() < PAGE_CONCURRENCY {
            let request = ChatRequest {
                system: Some(system.clone()),
                user: vec![Part::Text(user_prompt(
                    &task,
                    classes,
                    &page_text(pages, next, context),
                ))],
                schema: Some(("page_classification".into(), page_schema(&names))),
                ..base.clone()
            };
            let (chat, names, i) = (chat.clone(), names.clone(), next);
            calls.spawn(async move {
                let mut usage = Usage::default();
                let answer = ask_checked(chat.as_ref(), &request, &mut usage, |v| {
                    check_page(v, &names, need_boundary)
                })
                .await;
                (i, answer, usage)
            });
            next += 1;
        }
        let Some(joined) = calls.join_next().await else {
            break;
        };
        let (i, answer, used) = match joined {
            Ok(done) => done,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => unreachable!("no page call is cancelled while awaited: {e}"),
        };
        usage.calls += used.calls;
        usage.input_tokens += used.input_tokens;
        usage.output_tokens += used.output_tokens;
        usage.retries += used.retries;
        // The first failure fails the document; dropping the set cancels the calls in flight.
        let ((class, start), repaired) = answer?;
        found[i] = Some(Verdict {
            page_number: pages[i].page_number,
            class,
            start,
            confidence: confidence(repaired),
        });
    }
    let verdicts = found
        .into_iter()
        .map(|v| v.expect("every page call was joined"))
        .collect();
    Ok((verdicts, usage))
}

/// One segment of the holistic answer, with the document's pages it covers.
#[derive(Debug)]
struct Segment {
    class: String,
    pages: Vec<u32>,
}

fn page_number(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The holistic answer: segments that cover each of `numbers` (the document's page numbers, in
/// order) exactly once.
fn check_segments(v: &Value, names: &[String], numbers: &[u32]) -> Result<Vec<Segment>, String> {
    let list = match v {
        Value::Object(m) => m
            .get("segments")
            .and_then(Value::as_array)
            .ok_or("the answer has no \"segments\" list")?,
        // A bare list of segments is the same answer.
        Value::Array(a) => a,
        other => {
            return Err(format!(
                "the answer is JSON but not an object ({})",
                kind(other)
            ));
        }
    };
    let (first, last) = match (numbers.first(), numbers.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => return Ok(Vec::new()),
    };
    let mut owner: Vec<Option<usize>> = vec![None; numbers.len()];
    let mut segments = Vec::new();
    for (k, s) in list.iter().enumerate() {
        let n = k + 1;
        let start = page_number(s.get("ordinal_start_page"))
            .ok_or(format!("segment {n} has no whole \"ordinal_start_page\""))?;
        let end = page_number(s.get("ordinal_end_page"))
            .ok_or(format!("segment {n} has no whole \"ordinal_end_page\""))?;
        let class = s
            .get("type")
            .or_else(|| s.get("document_type"))
            .and_then(Value::as_str)
            .map(str::trim)
            .ok_or(format!("segment {n} has no \"type\" string"))?;
        if !names.iter().any(|c| c == class) {
            return Err(format!("segment {n} {}", unknown_class(class, names)));
        }
        if end < start {
            return Err(format!(
                "segment {n} ends (page {end}) before it starts (page {start})"
            ));
        }
        if start < first || end > last {
            return Err(format!(
                "segment {n} (pages {start}–{end}) reaches outside the document's pages {first}–{last}"
            ));
        }
        let mut covered = Vec::new();
        for (i, page) in numbers.iter().enumerate() {
            if (start..=end).contains(page) {
                if let Some(other) = owner[i] {
                    return Err(format!(
                        "page {page} is in two segments ({} and {n}); each page must be in exactly one",
                        other + 1
                    ));
                }
                owner[i] = Some(k);
                covered.push(*page);
            }
        }
        // A range over pages that could not be read covers nothing; it is not a segment.
        if !covered.is_empty() {
            segments.push(Segment {
                class: class.to_string(),
                pages: covered,
            });
        }
    }
    let missing: Vec<String> = numbers
        .iter()
        .zip(&owner)
        .filter(|(_, o)| o.is_none())
        .map(|(p, _)| p.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "page {} {} in no segment; each page must be in exactly one",
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        ));
    }
    segments.sort_by_key(|s| s.pages[0]);
    Ok(segments)
}

async fn holistic(
    chat: &dyn ChatModel,
    base: ChatRequest,
    classes: &ClassConfig,
    names: &[String],
    pages: &[PageContent],
    settings: &ClassificationSection,
) -> Result<(Vec<Verdict>, Usage), EngineError> {
    let (system, task) = configured_or(
        &settings.model,
        DEFAULT_SYSTEM_PROMPT,
        DEFAULT_HOLISTIC_PROMPT,
    );
    let request = ChatRequest {
        system: Some(strip_cachepoints(&system)),
        user: vec![Part::Text(user_prompt(
            &task,
            classes,
            &document_text(pages),
        ))],
        schema: Some(("document_segments".into(), segments_schema(names))),
        ..base
    };
    let numbers: Vec<u32> = pages.iter().map(|p| p.page_number).collect();
    let mut usage = Usage::default();
    let (segments, repaired) = ask_checked(chat, &request, &mut usage, |v| {
        check_segments(v, names, &numbers)
    })
    .await?;
    let verdicts = segments
        .iter()
        .flat_map(|s| {
            s.pages.iter().enumerate().map(|(i, &page_number)| Verdict {
                page_number,
                class: s.class.clone(),
                start: i == 0,
                confidence: confidence(repaired),
            })
        })
        .collect();
    Ok((verdicts, usage))
}

/// `maxPagesForClassification`: the class most sampled pages got covers every page as one
/// document; its confidence scaled by the share of sampled pages that agree.
fn whole_document(sampled: &[Verdict], pages: &[PageContent]) -> Vec<Verdict> {
    let mut best: Option<(&str, usize)> = None;
    for v in sampled {
        let votes = sampled.iter().filter(|o| o.class == v.class).count();
        if best.is_none_or(|(_, b)| votes > b) {
            best = Some((&v.class, votes));
        }
    }
    let Some((class, votes)) = best else {
        return Vec::new();
    };
    let agreeing: Vec<f32> = sampled
        .iter()
        .filter(|v| v.class == class)
        .map(|v| v.confidence)
        .collect();
    let mean = agreeing.iter().sum::<f32>() / agreeing.len() as f32;
    let confidence = mean * votes as f32 / sampled.len() as f32;
    pages
        .iter()
        .enumerate()
        .map(|(i, p)| Verdict {
            page_number: p.page_number,
            class: class.to_string(),
            start: i == 0,
            confidence,
        })
        .collect()
}

/// Pages into sections per `sectionSplitting`; a section's confidence is its pages' mean.
fn sections_of(verdicts: &[Verdict], splitting: Splitting) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut confidences: Vec<Vec<f32>> = Vec::new();
    for v in verdicts {
        let same = sections.last().is_some_and(|s| {
            s.classification == v.class
                && match splitting {
                    Splitting::Disabled => true,
                    Splitting::Page => false,
                    Splitting::LlmDetermined => !v.start,
                }
        });
        if same {
            let s = sections.last_mut().expect("checked above");
            s.page_ids.push(v.page_number.to_string());
            confidences
                .last_mut()
                .expect("one list per section")
                .push(v.confidence);
        } else {
            sections.push(Section {
                section_id: (sections.len() + 1).to_string(),
                classification: v.class.clone(),
                page_ids: vec![v.page_number.to_string()],
                ..Section::default()
            });
            confidences.push(vec![v.confidence]);
        }
    }
    for (s, c) in sections.iter_mut().zip(confidences) {
        s.confidence = Some(c.iter().sum::<f32>() / c.len() as f32);
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::chat::Finish;
    use crate::engines::testing::Scripted;
    use crate::model::TextSource;

    /// The model, answering with the token counts the tests expect.
    fn scripted(answers: &[&str]) -> Scripted {
        Scripted::new(answers).tokens(100, 10)
    }

    /// Answers by the page a request is about (`PAGE n` in its text): `answers[i]` are the
    /// answers, in order, to the requests about page i+1.
    fn per_page(answers: &[&[&'static str]]) -> Scripted {
        let scripts = answers
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("PAGE {}", i + 1), a.to_vec()))
            .collect();
        Scripted::routed(|req| target(&text_of(req)), scripts).tokens(100, 10)
    }

    /// Classifies `n` pages (`PAGE i` and some text each) into [`classes`] with `chat`.
    async fn classify(
        chat: &Arc<Scripted>,
        n: u32,
        settings: &ClassificationSection,
    ) -> Result<Classification, EngineError> {
        classify_with_model(chat.clone(), "m", &classes(), &pages(n), settings).await
    }

    fn text_of(req: &ChatRequest) -> String {
        match &req.user[0] {
            Part::Text(t) => t.clone(),
            other => panic!("{other:?}"),
        }
    }

    /// The first line of the page a page-level request asks about.
    fn target(user: &str) -> Option<String> {
        let mut lines = user.lines();
        lines.find(|l| {
            l.starts_with("--- page ")
                && (l.ends_with("(the page to classify) ---") || !l.contains('('))
        })?;
        lines.next().map(str::to_string)
    }

    fn classes() -> ClassConfig {
        ClassConfig::from_yaml(
            r#"classes:
  - x-aws-idp-document-type: Invoice
    description: A bill for goods or services.
    x-aws-idp-examples:
      - name: inv1
        classPrompt: This is an example of the class 'Invoice'
    properties: {number: {type: string}}
  - x-aws-idp-document-type: Letter
    description: A formal letter.
    properties: {sender: {type: string}}
"#,
        )
        .unwrap()
    }

    fn pages(n: u32) -> Vec<PageContent> {
        (1..=n)
            .map(|i| PageContent {
                page_number: i,
                text_source: TextSource::TextLayer,
                words: Vec::new(),
                text: format!("PAGE {i}\nsome text"),
                needs_ocr: false,
                einvoice: None,
                image: None,
            })
            .collect()
    }

    fn settings(method: Option<&str>, splitting: Option<&str>) -> ClassificationSection {
        ClassificationSection {
            method: method.map(str::to_string),
            section_splitting: splitting.map(str::to_string),
            ..ClassificationSection::default()
        }
    }

    const INVOICE_START: &str = r#"{"class": "Invoice", "document_boundary": "start"}"#;
    const INVOICE_CONTINUE: &str = r#"{"class": "Invoice", "document_boundary": "continue"}"#;
    const LETTER_START: &str = r#"{"class": "Letter", "document_boundary": "start"}"#;

    fn summary(c: &Classification) -> Vec<(String, Vec<String>)> {
        c.sections
            .iter()
            .map(|s| (s.classification.clone(), s.page_ids.clone()))
            .collect()
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[tokio::test]
    async fn page_level_uses_the_boundaries() {
        let script: &[&[&str]] = &[
            &[INVOICE_START],
            &[INVOICE_CONTINUE],
            &[INVOICE_START],
            &[LETTER_START],
            &[r#"{"class": "Letter", "document_boundary": "continue"}"#],
        ];
        let chat = Arc::new(per_page(script));
        let out = classify(&chat, 5, &settings(None, None)).await.unwrap();
        assert_eq!(
            summary(&out),
            vec![
                ("Invoice".into(), ids(&["1", "2"])),
                ("Invoice".into(), ids(&["3"])),
                ("Letter".into(), ids(&["4", "5"])),
            ]
        );
        assert!(out.pages.iter().all(|p| p.confidence == 1.0));
        assert_eq!(out.sections[2].section_id, "3");
        assert_eq!(
            out.usage,
            Usage {
                calls: 5,
                input_tokens: 500,
                output_tokens: 50,
                retries: 0,
            }
        );
        let asked = chat.asked();
        assert_eq!(asked.len(), 5);
        let req = &asked[0];
        assert_eq!(req.temperature, 0.0);
        let (name, schema) = req.schema.as_ref().unwrap();
        assert_eq!(name, "page_classification");
        assert_eq!(
            schema["properties"]["class"]["enum"],
            json!(["Invoice", "Letter"])
        );
        let user = text_of(req);
        assert!(
            user.contains(
                "Invoice  \t[ A bill for goods or services. ]\nLetter  \t[ A formal letter. ]"
            ),
            "{user}"
        );
        assert!(
            user.contains("- Invoice: This is an example of the class 'Invoice'"),
            "{user}"
        );
        assert!(!user.contains("{DOCUMENT_TEXT}"));

        // The same answers under the other splittings.
        let chat = Arc::new(per_page(script));
        let disabled = classify(&chat, 5, &settings(Some(PAGE_LEVEL), Some("disabled")))
            .await
            .unwrap();
        assert_eq!(
            summary(&disabled),
            vec![
                ("Invoice".into(), ids(&["1", "2", "3"])),
                ("Letter".into(), ids(&["4", "5"])),
            ]
        );
        let chat = Arc::new(per_page(script));
        let per_page = classify(&chat, 5, &settings(None, Some("page")))
            .await
            .unwrap();
        assert_eq!(per_page.sections.len(), 5);
    }

    #[tokio::test]
    async fn context_pages_and_a_page_limit() {
        let chat = Arc::new(per_page(&[
            &[r#"{"class": "Letter", "document_boundary": "start"}"#],
            &[INVOICE_START],
            &[INVOICE_START],
        ]));
        let mut s = settings(None, None);
        s.context_pages = Some(1);
        s.max_pages = Some(json!("3"));
        let out = classify(&chat, 5, &s).await.unwrap();
        // Three pages asked; Invoice won two of three and covers the document.
        assert_eq!(out.usage.calls, 3);
        assert_eq!(
            summary(&out),
            vec![("Invoice".into(), ids(&["1", "2", "3", "4", "5"]))]
        );
        assert!((out.pages[4].confidence - 2.0 / 3.0).abs() < 1e-6);
        let asked = chat.asked();
        let second = asked
            .iter()
            .map(text_of)
            .find(|t| t.contains("PAGE 2\n") && t.contains("(the page to classify) ---\nPAGE 2"))
            .expect("page 2 was asked about");
        assert!(
            second.contains("--- page 1 (context only) ---\nPAGE 1"),
            "{second}"
        );
        assert!(
            second.contains("--- page 3 (context only) ---\nPAGE 3"),
            "{second}"
        );
        assert!(!second.contains("PAGE 4"));
    }

    #[tokio::test]
    async fn holistic_segments_must_cover_every_page_once() {
        let chat = Arc::new(scripted(&[
            // Page 3 in no segment: repaired.
            r#"{"segments": [{"ordinal_start_page": 1, "ordinal_end_page": 2, "type": "Invoice"},
                             {"ordinal_start_page": 4, "ordinal_end_page": 4, "type": "Letter"}]}"#,
            r#"{"segments": [{"ordinal_start_page": 3, "ordinal_end_page": 4, "type": "Letter"},
                             {"ordinal_start_page": 1, "ordinal_end_page": 2, "type": "Invoice"}]}"#,
        ]));
        let out = classify(&chat, 4, &settings(Some(HOLISTIC), None))
            .await
            .unwrap();
        assert_eq!(
            summary(&out),
            vec![
                ("Invoice".into(), ids(&["1", "2"])),
                ("Letter".into(), ids(&["3", "4"])),
            ]
        );
        assert!(
            out.pages
                .iter()
                .all(|p| p.confidence == REPAIRED_CONFIDENCE)
        );
        let asked = chat.asked();
        assert_eq!(asked.len(), 2);
        let first = text_of(&asked[0]);
        assert!(first.contains("--- page 1 ---\nPAGE 1") && first.contains("--- page 4 ---"));
        assert_eq!(
            asked[0].schema.as_ref().unwrap().1["properties"]["segments"]["items"]["properties"]["type"]
                ["enum"],
            json!(["Invoice", "Letter"])
        );
        let repair = text_of(&asked[1]);
        assert!(repair.contains("page 3 is in no segment"), "{repair}");

        let names = ids(&["Invoice", "Letter"]);
        let overlap = json!([{"ordinal_start_page": 1, "ordinal_end_page": 2, "type": "Invoice"},
                             {"ordinal_start_page": 2, "ordinal_end_page": 3, "type": "Invoice"}]);
        let e = check_segments(&overlap, &names, &[1, 2, 3]).unwrap_err();
        assert!(e.contains("page 2 is in two segments"), "{e}");
        let outside = json!({"segments": [{"ordinal_start_page": 1, "ordinal_end_page": 9, "type": "Letter"}]});
        let e = check_segments(&outside, &names, &[1, 2, 3]).unwrap_err();
        assert!(e.contains("outside"), "{e}");
        // Page 2 was not read: a range over it still covers pages 1 and 3.
        let gap = json!({"segments": [{"ordinal_start_page": 1, "ordinal_end_page": 3, "type": "Letter"}]});
        let s = check_segments(&gap, &names, &[1, 3]).unwrap();
        assert_eq!(s[0].pages, vec![1, 3]);
    }

    #[tokio::test]
    async fn an_unknown_class_is_repaired_once() {
        let chat = Arc::new(scripted(&[
            r#"{"class": "Receipt", "document_boundary": "start"}"#,
            INVOICE_START,
        ]));
        let out = classify(&chat, 1, &settings(None, None)).await.unwrap();
        assert_eq!(summary(&out), vec![("Invoice".into(), ids(&["1"]))]);
        assert_eq!(out.pages[0].confidence, REPAIRED_CONFIDENCE);
        assert_eq!(out.sections[0].confidence, Some(REPAIRED_CONFIDENCE));
        assert_eq!(out.usage.calls, 2);
        let repair = text_of(&chat.asked()[1]);
        assert!(
            repair.contains("`Receipt`, which the configuration does not have; the classes are exactly: Invoice, Letter"),
            "{repair}"
        );
    }

    #[tokio::test]
    async fn an_unknown_class_twice_fails_with_the_models_text() {
        let chat = Arc::new(scripted(&[
            r#"{"class": "Receipt", "document_boundary": "start"}"#,
            r#"{"class": "Receipt!", "document_boundary": "start"}"#,
        ]));
        let err = classify(&chat, 1, &settings(None, None)).await.unwrap_err();
        assert_eq!(err.error_type(), "idpctl.ModelInvalidAnswer");
        let message = err.to_string();
        assert!(message.contains("`Receipt!`"), "{message}");
        assert!(
            message.contains(
                r#"the model answered: {"class": "Receipt!", "document_boundary": "start"}"#
            ),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_truncated_answer_is_an_error() {
        let chat = Arc::new(scripted(&[r#"{"class": "Inv"#]));
        chat.answers.lock().unwrap()[0].1 = Finish::Length;
        let err = classify(&chat, 1, &settings(None, None)).await.unwrap_err();
        assert!(matches!(err, EngineError::Truncated { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn unknown_settings_are_refused_not_guessed() {
        let chat = Arc::new(scripted(&[]));
        let err = classify(&chat, 1, &settings(Some("bda"), None))
            .await
            .unwrap_err();
        assert_eq!(err.error_type(), "idpctl.ModelMisconfigured");
        assert!(err.to_string().contains("classificationMethod is `bda`"));
    }

    #[test]
    fn a_missing_boundary_matters_only_when_the_model_splits() {
        let names = ids(&["Invoice"]);
        let answer = json!({"class": "Invoice"});
        assert_eq!(
            check_page(&answer, &names, false).unwrap(),
            ("Invoice".to_string(), false)
        );
        assert!(check_page(&answer, &names, true).is_err());
    }
}
