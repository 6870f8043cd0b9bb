//! What a meter costs: a built-in price table in USD and the profile's own prices
//! (`engines.prices`), looked up by the metering key a stage wrote (`Extraction/bedrock/<model>`,
//! `OCR/textract/detect_document_text`, …).
//!
//! The built-in prices are AWS's public on-demand list prices in us-east-1 (N. Virginia), as
//! published on the Amazon Bedrock and Amazon Textract pricing pages in 2025: standard tier, no
//! batch or provisioned discount, Textract's first-million-pages-a-month tier, Claude Sonnet 4
//! for prompts up to 200K tokens. Only models and APIs whose price we are sure of are listed;
//! anything else has no price (never 0) until the profile gives one. Other regions and
//! geographies can cost more, and prices change: the profile's prices win over these.
//!
//! Keys of `engines.prices`:
//! - a Bedrock model id, bare or with its geography (`amazon.nova-pro-v1:0`,
//!   `us.amazon.nova-pro-v1:0`, or spelled `bedrock:<id>`), with `input_per_million` and
//!   `output_per_million`. A model used through an inference profile (`us.`, `eu.`, `apac.`,
//!   `global.`, … or its ARN) costs what its base model costs unless that exact id is priced;
//! - `openai:<model>` for a model of the OpenAI-compatible server (`openai:*` for all of them:
//!   a self-hosted server is often free, `{input_per_million: 0, output_per_million: 0}`);
//! - an OCR meter, `OCR/<engine>/<api>` as the metering names it
//!   (`OCR/textract/analyze_document-Tables+Forms`), with `per_page`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One price (profile `engines.prices.<key>`). Models use the two token prices, OCR meters
/// `per_page`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// USD per million input tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_per_million: Option<f64>,
    /// USD per million output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_per_million: Option<f64>,
    /// USD per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<f64>,
}

/// The profile's prices, by key (see the module docs).
pub type Prices = BTreeMap<String, Price>;

/// Bedrock text models, by base model id: USD per million input and output tokens.
const MODELS: &[(&str, f64, f64)] = &[
    ("amazon.nova-micro-v1:0", 0.035, 0.14),
    ("amazon.nova-lite-v1:0", 0.06, 0.24),
    ("amazon.nova-pro-v1:0", 0.80, 3.20),
    ("amazon.nova-premier-v1:0", 2.50, 12.50),
    ("anthropic.claude-3-haiku-20240307-v1:0", 0.25, 1.25),
    ("anthropic.claude-3-5-haiku-20241022-v1:0", 0.80, 4.00),
    ("anthropic.claude-3-5-sonnet-20240620-v1:0", 3.00, 15.00),
    ("anthropic.claude-3-5-sonnet-20241022-v2:0", 3.00, 15.00),
    ("anthropic.claude-3-7-sonnet-20250219-v1:0", 3.00, 15.00),
    ("anthropic.claude-sonnet-4-20250514-v1:0", 3.00, 15.00),
    ("anthropic.claude-opus-4-20250514-v1:0", 15.00, 75.00),
    ("anthropic.claude-opus-4-1-20250805-v1:0", 15.00, 75.00),
    ("meta.llama3-1-8b-instruct-v1:0", 0.22, 0.22),
    ("meta.llama3-1-70b-instruct-v1:0", 0.72, 0.72),
    ("meta.llama3-2-1b-instruct-v1:0", 0.10, 0.10),
    ("meta.llama3-2-3b-instruct-v1:0", 0.15, 0.15),
    ("meta.llama3-2-11b-instruct-v1:0", 0.16, 0.16),
    ("meta.llama3-2-90b-instruct-v1:0", 0.72, 0.72),
    ("meta.llama3-3-70b-instruct-v1:0", 0.72, 0.72),
    ("mistral.mistral-7b-instruct-v0:2", 0.15, 0.20),
    ("mistral.mixtral-8x7b-instruct-v0:1", 0.45, 0.70),
    ("mistral.mistral-small-2402-v1:0", 1.00, 3.00),
    ("mistral.mistral-large-2402-v1:0", 4.00, 12.00),
    ("mistral.mistral-large-2407-v1:0", 2.00, 6.00),
];

/// Textract, per page, by API and feature set (features sorted, lower case). A combination not
/// listed (AWS prices some below the sum of their parts) has no price.
const TEXTRACT: &[(&str, f64)] = &[
    ("detect_document_text", 0.0015),
    ("analyze_document-tables", 0.015),
    ("analyze_document-forms", 0.05),
    ("analyze_document-forms+tables", 0.065),
    ("analyze_document-layout", 0.004),
    ("analyze_document-signatures", 0.0035),
];

/// The geography prefixes of Bedrock's cross-region inference profiles.
const GEOGRAPHIES: &[&str] = &[
    "us.", "us-gov.", "eu.", "apac.", "jp.", "au.", "ca.", "global.",
];

/// Where a price came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Source {
    /// The profile's `engines.prices`.
    #[serde(rename = "profile")]
    Profile,
    /// The table above.
    #[serde(rename = "built-in")]
    BuiltIn,
}

/// A price found for a meter, and under which key.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub price: Price,
    pub key: String,
    pub source: Source,
}

/// A Bedrock model id without its inference profile: `us.amazon.nova-pro-v1:0` →
/// `amazon.nova-pro-v1:0`; an ARN (`…:inference-profile/us.amazon.nova-pro-v1:0`,
/// `…:foundation-model/amazon.nova-pro-v1:0`) → the id in it.
pub fn base_model(id: &str) -> &str {
    let id = id.trim();
    let id = match id.strip_prefix("arn:") {
        Some(_) => id.rsplit_once('/').map_or(id, |(_, name)| name),
        None => id,
    };
    GEOGRAPHIES
        .iter()
        .find_map(|g| id.strip_prefix(g))
        .unwrap_or(id)
}

/// The Bedrock model id a key of `engines.prices` names: `bedrock:<id>` or a bare id; `None`
/// for other backends' keys (`openai:<model>`) and OCR meters.
fn bedrock_id(key: &str) -> Option<&str> {
    if let Some(id) = key.strip_prefix("bedrock:") {
        return Some(id);
    }
    let other = crate::engines::LLM_ENGINES
        .iter()
        .any(|b| key.starts_with(&format!("{b}:")));
    (!other && !key.starts_with("OCR/")).then_some(key)
}

/// The price of `model` on `backend` (`bedrock`, `openai`): the profile's first, the most
/// specific key first — the exact id, then its base model, then `<backend>:*` — then, for
/// Bedrock, the built-in table by base model.
pub fn model_price(prices: &Prices, backend: &str, model: &str) -> Option<Found> {
    let base = base_model(model);
    let bedrock = backend == "bedrock";
    let profile = |key: &str| {
        prices.get(key).map(|p| Found {
            price: *p,
            key: key.to_string(),
            source: Source::Profile,
        })
    };
    // Bare keys are Bedrock ids; other backends are always qualified (`openai:<model>`).
    let mut keys = vec![format!("{backend}:{model}")];
    if bedrock {
        keys.push(model.to_string());
        keys.push(format!("bedrock:{base}"));
        keys.push(base.to_string());
    }
    if let Some(found) = keys.iter().find_map(|k| profile(k)) {
        return Some(found);
    }
    if bedrock {
        // The same base model priced under another geography (`eu.…` priced, `us.…` used).
        let other = prices
            .keys()
            .filter(|k| bedrock_id(k).is_some_and(|id| base_model(id) == base))
            .find_map(|k| profile(k));
        if other.is_some() {
            return other;
        }
    }
    if let Some(found) = profile(&format!("{backend}:*")) {
        return Some(found);
    }
    if !bedrock {
        return None;
    }
    MODELS
        .iter()
        .find(|(id, _, _)| *id == base)
        .map(|(id, input, output)| Found {
            price: Price {
                input_per_million: Some(*input),
                output_per_million: Some(*output),
                per_page: None,
            },
            key: (*id).to_string(),
            source: Source::BuiltIn,
        })
}

/// `OCR/textract/analyze_document-Tables+Forms` → `analyze_document-forms+tables`: the API and
/// its features in one spelling, whatever order the configuration listed them in.
fn textract_api(key: &str) -> Option<String> {
    let api = key.strip_prefix("OCR/textract/")?.to_ascii_lowercase();
    Some(match api.split_once('-') {
        Some((name, features)) => {
            let mut f: Vec<&str> = features.split('+').map(str::trim).collect();
            f.sort_unstable();
            f.dedup();
            format!("{name}-{}", f.join("+"))
        }
        None => api,
    })
}

/// The per-page price of the OCR meter `key`: the profile's (exactly that key, else the same
/// Textract API and features spelled otherwise), else built-in: Textract's list price, and
/// nothing for Tesseract, which runs on the machine or in the function itself.
pub fn page_price(prices: &Prices, key: &str) -> Option<Found> {
    let found = |key: &str, price: Price, source| Found {
        price,
        key: key.to_string(),
        source,
    };
    if let Some(p) = prices.get(key) {
        return Some(found(key, *p, Source::Profile));
    }
    let api = textract_api(key);
    if let Some(api) = &api
        && let Some((k, p)) = prices
            .iter()
            .find(|(k, _)| textract_api(k).as_ref() == Some(api))
    {
        return Some(found(k, *p, Source::Profile));
    }
    if key == "OCR/tesseract" || key.starts_with("OCR/tesseract/") {
        let free = Price {
            per_page: Some(0.0),
            ..Price::default()
        };
        return Some(found("OCR/tesseract", free, Source::BuiltIn));
    }
    let api = api?;
    TEXTRACT
        .iter()
        .find(|(name, _)| *name == api)
        .map(|(name, per_page)| {
            let price = Price {
                per_page: Some(*per_page),
                ..Price::default()
            };
            found(&format!("OCR/textract/{name}"), price, Source::BuiltIn)
        })
}

/// Checks the profile's prices: numbers that are finite and not negative, token prices in
/// pairs for models, `per_page` for OCR meters. The error names the key and what is wrong.
pub fn check(prices: &Prices) -> Result<(), (String, String)> {
    for (key, p) in prices {
        let at = |field: &str| format!("engines.prices.{key:?}.{field}");
        for (field, v) in [
            ("input_per_million", p.input_per_million),
            ("output_per_million", p.output_per_million),
            ("per_page", p.per_page),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v >= 0.0)
            {
                return Err((at(field), format!("{v} is not a price in USD (0 or more)")));
            }
        }
        if key.starts_with("OCR/") {
            if p.per_page.is_none() {
                return Err((
                    format!("engines.prices.{key:?}"),
                    "an OCR meter is priced per page: set per_page".into(),
                ));
            }
        } else if p.input_per_million.is_none() || p.output_per_million.is_none() {
            return Err((
                format!("engines.prices.{key:?}"),
                "a model needs both input_per_million and output_per_million (0 for free)".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(input: f64, output: f64) -> Price {
        Price {
            input_per_million: Some(input),
            output_per_million: Some(output),
            per_page: None,
        }
    }

    #[test]
    fn geography_prefixes_and_arns_price_as_the_base_model() {
        for id in [
            "amazon.nova-pro-v1:0",
            "us.amazon.nova-pro-v1:0",
            "eu.amazon.nova-pro-v1:0",
            "apac.amazon.nova-pro-v1:0",
            "global.amazon.nova-pro-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0",
        ] {
            let found =
                model_price(&Prices::new(), "bedrock", id).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(found.price, tokens(0.80, 3.20), "{id}");
            assert_eq!(found.key, "amazon.nova-pro-v1:0");
            assert_eq!(found.source, Source::BuiltIn);
        }
        assert_eq!(
            base_model("us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
            "anthropic.claude-3-7-sonnet-20250219-v1:0"
        );
    }

    #[test]
    fn the_profile_wins_most_specific_key_first() {
        let mut prices = Prices::new();
        prices.insert("amazon.nova-pro-v1:0".into(), tokens(1.0, 2.0));
        prices.insert("us.amazon.nova-pro-v1:0".into(), tokens(0.5, 0.5));
        let us = model_price(&prices, "bedrock", "us.amazon.nova-pro-v1:0").unwrap();
        assert_eq!(
            (us.key.as_str(), us.source),
            ("us.amazon.nova-pro-v1:0", Source::Profile)
        );
        let eu = model_price(&prices, "bedrock", "eu.amazon.nova-pro-v1:0").unwrap();
        assert_eq!(eu.key, "amazon.nova-pro-v1:0");
        assert_eq!(eu.price, tokens(1.0, 2.0));
        // Priced only under one geography: that price serves the others too.
        let mut only_eu = Prices::new();
        only_eu.insert(
            "bedrock:eu.amazon.nova-lite-v1:0".into(),
            tokens(0.07, 0.28),
        );
        let us = model_price(&only_eu, "bedrock", "us.amazon.nova-lite-v1:0").unwrap();
        assert_eq!(us.key, "bedrock:eu.amazon.nova-lite-v1:0");
        // A model the table lacks, added by the profile.
        let mut added = Prices::new();
        added.insert(
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
            tokens(3.3, 16.5),
        );
        assert!(
            model_price(
                &Prices::new(),
                "bedrock",
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
            )
            .is_none()
        );
        assert_eq!(
            model_price(
                &added,
                "bedrock",
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
            )
            .unwrap()
            .price,
            tokens(3.3, 16.5)
        );
    }

    #[test]
    fn openai_models_are_priced_only_by_the_profile() {
        assert!(model_price(&Prices::new(), "openai", "fake-model").is_none());
        // A model named like a Bedrock id on another backend is not Bedrock's.
        assert!(model_price(&Prices::new(), "openai", "amazon.nova-pro-v1:0").is_none());
        let mut prices = Prices::new();
        prices.insert("openai:*".into(), tokens(0.0, 0.0));
        prices.insert("openai:big".into(), tokens(1.0, 1.0));
        assert_eq!(
            model_price(&prices, "openai", "big").unwrap().key,
            "openai:big"
        );
        assert_eq!(
            model_price(&prices, "openai", "smol").unwrap().key,
            "openai:*"
        );
        // A bare key is a Bedrock id.
        let mut bare = Prices::new();
        bare.insert("smol".into(), tokens(1.0, 1.0));
        assert!(model_price(&bare, "openai", "smol").is_none());
    }

    #[test]
    fn unknown_models_have_no_price() {
        assert!(model_price(&Prices::new(), "bedrock", "us.example.unknown-v1:0").is_none());
        assert!(model_price(&Prices::new(), "vision", "amazon.nova-pro-v1:0").is_none());
    }

    #[test]
    fn ocr_pages() {
        let none = Prices::new();
        let price = |p: &Prices, k: &str| page_price(p, k).and_then(|f| f.price.per_page);
        assert_eq!(
            price(&none, "OCR/textract/detect_document_text"),
            Some(0.0015)
        );
        assert_eq!(
            price(&none, "OCR/textract/analyze_document-Tables+Forms"),
            Some(0.065)
        );
        assert_eq!(
            price(&none, "OCR/textract/analyze_document-Forms+Tables"),
            Some(0.065)
        );
        assert_eq!(
            price(&none, "OCR/textract/analyze_document-Layout"),
            Some(0.004)
        );
        assert_eq!(price(&none, "OCR/tesseract"), Some(0.0));
        assert_eq!(price(&none, "OCR/tesseract/5"), Some(0.0));
        assert_eq!(
            price(&none, "OCR/textract/analyze_document-Tables+Layout"),
            None
        );
        assert_eq!(price(&none, "OCR/textract"), None);
        let mut own = Prices::new();
        own.insert(
            "OCR/textract/detect_document_text".into(),
            Price {
                per_page: Some(0.0006),
                ..Price::default()
            },
        );
        own.insert(
            "OCR/textract/analyze_document-Layout+Tables".into(),
            Price {
                per_page: Some(0.015),
                ..Price::default()
            },
        );
        assert_eq!(
            price(&own, "OCR/textract/detect_document_text"),
            Some(0.0006)
        );
        assert_eq!(
            price(&own, "OCR/textract/analyze_document-Tables+Layout"),
            Some(0.015)
        );
    }

    /// `engines.prices` in a profile, `IDPCTL_PRICES` over it key by key.
    #[test]
    fn prices_come_from_the_profile_and_the_environment() {
        use crate::settings::{LoadedProfile, from_env, parse_profile, resolve};
        let yaml = "engines:\n  prices:\n    \"us.amazon.nova-pro-v1:0\": {input_per_million: 0.8, output_per_million: 3.2}\n    \"OCR/textract/detect_document_text\": {per_page: 0.0015}\n    \"openai:fake-model\": {input_per_million: 1, output_per_million: 2}\n";
        let profile = LoadedProfile {
            name: "p".into(),
            source: "p.yaml".into(),
            layer: parse_profile(yaml, "p.yaml").unwrap(),
        };
        let (env, unknown) = from_env([(
            "IDPCTL_PRICES".to_string(),
            r#"{"openai:fake-model": {"input_per_million": 0, "output_per_million": 0}}"#
                .to_string(),
        )])
        .unwrap();
        assert!(unknown.is_empty());
        let s = resolve(&profile, env, crate::settings::Layer::default());
        assert_eq!(s.prices.len(), 3);
        assert_eq!(s.prices["openai:fake-model"], tokens(0.0, 0.0));
        assert_eq!(s.prices["us.amazon.nova-pro-v1:0"], tokens(0.8, 3.2));
        assert_eq!(
            s.prices["OCR/textract/detect_document_text"].per_page,
            Some(0.0015)
        );

        let err = parse_profile(
            "engines:\n  prices:\n    m: {input_per_milion: 1}\n",
            "p.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("input_per_milion"), "{err}");
        let err = from_env([(
            "IDPCTL_PRICES".to_string(),
            "{\"openai:x\": {\"per_page\": -1}}".to_string(),
        )])
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("environment variable IDPCTL_PRICES:"),
            "{err}"
        );
    }

    #[test]
    fn check_names_the_key() {
        let mut p = Prices::new();
        p.insert(
            "openai:x".into(),
            Price {
                input_per_million: Some(1.0),
                ..Price::default()
            },
        );
        let (key, message) = check(&p).unwrap_err();
        assert_eq!(key, "engines.prices.\"openai:x\"");
        assert!(message.contains("output_per_million"), "{message}");
        let mut p = Prices::new();
        p.insert(
            "OCR/textract/detect_document_text".into(),
            Price {
                per_page: Some(-1.0),
                ..Price::default()
            },
        );
        assert_eq!(
            check(&p).unwrap_err().0,
            "engines.prices.\"OCR/textract/detect_document_text\".per_page"
        );
        let mut p = Prices::new();
        p.insert("OCR/tesseract".into(), tokens(1.0, 1.0));
        assert!(check(&p).unwrap_err().1.contains("per_page"));
        let mut p = Prices::new();
        p.insert("openai:*".into(), tokens(0.0, 0.0));
        assert!(check(&p).is_ok());
    }
}
