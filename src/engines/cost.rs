//! What a metering map cost, estimated from the prices ([`super::prices`]): per meter, per model
//! (tokens and requests summed over the stages), and in all.
//!
//! A meter with no price is never counted as free. The estimate keeps both numbers a reader may
//! want: `total_usd` is the whole cost, or `null` as soon as one used meter has no price (a
//! total that silently leaves a model out would look complete); `priced_usd` is the sum over
//! the meters that have one, and `unpriced` names the others with the price key to add.

use std::collections::BTreeMap;

use serde::Serialize;

use super::prices::{self, Found, Prices, Source};
use crate::model::Metering;

/// The estimated cost of a metering map.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Estimate {
    /// Always `USD`.
    pub currency: &'static str,
    /// The whole cost; `null` when a meter in `unpriced` was used.
    pub total_usd: Option<f64>,
    /// The cost of the meters that have a price.
    pub priced_usd: f64,
    /// Meters used with no price, in metering-key order.
    pub unpriced: Vec<String>,
    /// Each meter that tokens or pages were counted under.
    pub by_meter: BTreeMap<String, MeterCost>,
    /// Each model (`<backend>:<model>`, the key its price goes under), over all stages.
    pub by_model: BTreeMap<String, ModelUsage>,
}

/// One meter's cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeterCost {
    /// `null`: no price.
    pub usd: Option<f64>,
    /// The price used: its key, and `profile` or `built-in`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// How to give it a price, when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// Tokens and requests of one model over every stage that used it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
    pub requests: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub retries: u64,
    /// `null`: no price.
    pub usd: Option<f64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What a metering key counts.
enum Meter<'a> {
    /// `<Stage>/<backend>/<model>` with tokens.
    Model { backend: &'a str, model: &'a str },
    /// Pages under an OCR meter (`OCR/textract/detect_document_text`).
    Pages,
    /// Nothing billable (requests alone), or a shape no price applies to.
    Other,
}

fn meter<'a>(key: &'a str, units: &BTreeMap<String, f64>) -> Meter<'a> {
    let tokens = ["inputTokens", "outputTokens", "totalTokens"]
        .iter()
        .any(|u| units.contains_key(*u));
    if tokens {
        // The model may hold slashes itself (an inference profile ARN).
        let mut parts = key.splitn(3, '/');
        if let (Some(_), Some(backend), Some(model)) = (parts.next(), parts.next(), parts.next()) {
            return Meter::Model { backend, model };
        }
        return Meter::Other;
    }
    if units.contains_key("pages") {
        return Meter::Pages;
    }
    Meter::Other
}

fn unit(units: &BTreeMap<String, f64>, name: &str) -> f64 {
    units.get(name).copied().unwrap_or(0.0)
}

/// The cost of `metering` at `prices` (the profile's; the built-in table fills the gaps).
pub fn estimate(metering: &Metering, prices: &Prices) -> Estimate {
    let mut e = Estimate {
        currency: "USD",
        ..Estimate::default()
    };
    for (key, units) in metering {
        let (found, usd, hint) = match meter(key, units) {
            Meter::Model { backend, model } => {
                let (input, output) = (unit(units, "inputTokens"), unit(units, "outputTokens"));
                let usage = e.by_model.entry(format!("{backend}:{model}")).or_default();
                usage.input_tokens += input as u64;
                usage.output_tokens += output as u64;
                usage.total_tokens += unit(units, "totalTokens").max(input + output) as u64;
                usage.requests += unit(units, "requests") as u64;
                usage.retries += unit(units, "retries") as u64;
                let found = prices::model_price(prices, backend, model);
                let usd = found.as_ref().and_then(|f| {
                    Some(
                        input * f.price.input_per_million? / 1e6
                            + output * f.price.output_per_million? / 1e6,
                    )
                });
                let hint = format!(
                    "set engines.prices.\"{backend}:{model}\": {{input_per_million: …, output_per_million: …}} in the profile"
                );
                (found, usd, hint)
            }
            Meter::Pages => {
                let found = prices::page_price(prices, key);
                let usd = found
                    .as_ref()
                    .and_then(|f| Some(unit(units, "pages") * f.price.per_page?));
                let hint = format!("set engines.prices.\"{key}\": {{per_page: …}} in the profile");
                (found, usd, hint)
            }
            Meter::Other => continue,
        };
        // Nothing used costs nothing, priced or not.
        let used = ["inputTokens", "outputTokens", "totalTokens", "pages"]
            .iter()
            .any(|u| unit(units, u) > 0.0);
        let usd = if used { usd } else { usd.or(Some(0.0)) };
        match usd {
            Some(v) => e.priced_usd += v,
            None => e.unpriced.push(key.clone()),
        }
        e.by_meter.insert(
            key.clone(),
            MeterCost {
                usd,
                price: found.as_ref().map(|f: &Found| f.key.clone()),
                source: found.map(|f| f.source),
                hint: usd.is_none().then_some(hint),
            },
        );
    }
    // A model's cost is that of its meters, unknown if one of them is.
    for (model, usage) in &mut e.by_model {
        let mut sum = Some(0.0);
        for (key, cost) in &e.by_meter {
            if let Meter::Model { backend, model: m } = meter(key, &metering[key])
                && format!("{backend}:{m}") == *model
            {
                sum = sum.zip(cost.usd).map(|(a, b)| a + b);
            }
        }
        usage.usd = sum;
    }
    e.total_usd = e.unpriced.is_empty().then_some(e.priced_usd);
    e
}

/// `$0.0123`: enough digits for a few documents' worth of tokens.
pub fn usd(v: f64) -> String {
    if v == 0.0 {
        "$0".into()
    } else if v < 0.01 {
        format!("${v:.6}")
    } else {
        format!("${v:.4}")
    }
}

/// The estimate in a few lines of text: tokens and cost per model, pages and cost per OCR
/// meter, then the total (or why there is none). Empty when nothing was metered.
pub fn text(e: &Estimate, metering: &Metering) -> Vec<String> {
    let mut lines = Vec::new();
    if e.by_meter.is_empty() {
        return lines;
    }
    let cost = |v: Option<f64>| v.map_or_else(|| "no price".to_string(), usd);
    if !e.by_model.is_empty() {
        let width = e
            .by_model
            .keys()
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        lines.push(format!(
            "{:<width$}  {:>12}  {:>12}  {:>8}  COST",
            "MODEL", "INPUT TOK", "OUTPUT TOK", "REQUESTS"
        ));
        for (model, u) in &e.by_model {
            lines.push(format!(
                "{model:<width$}  {:>12}  {:>12}  {:>8}  {}",
                u.input_tokens,
                u.output_tokens,
                u.requests,
                cost(u.usd)
            ));
        }
    }
    for (key, c) in &e.by_meter {
        if let Some(units) = metering.get(key)
            && let Meter::Pages = meter(key, units)
        {
            lines.push(format!(
                "{key}: {} page(s), {}",
                unit(units, "pages"),
                cost(c.usd)
            ));
        }
    }
    lines.push(match e.total_usd {
        Some(total) => format!("estimated cost  {} (list prices, USD)", usd(total)),
        None => format!(
            "estimated cost  unknown: {} priced, no price for {} (hint: {})",
            usd(e.priced_usd),
            e.unpriced.join(", "),
            e.unpriced
                .first()
                .and_then(|k| e.by_meter[k].hint.clone())
                .unwrap_or_default()
        ),
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::prices::Price;

    fn metering(entries: &[(&str, &[(&str, f64)])]) -> Metering {
        let mut m = Metering::new();
        for (key, units) in entries {
            for (u, n) in *units {
                crate::model::metering::add(&mut m, key, u, *n);
            }
        }
        m
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn tokens_and_pages_times_prices() {
        let m = metering(&[
            (
                "Extraction/bedrock/us.amazon.nova-lite-v1:0",
                &[
                    ("inputTokens", 1_000_000.0),
                    ("outputTokens", 500_000.0),
                    ("totalTokens", 1_500_000.0),
                    ("requests", 10.0),
                ],
            ),
            (
                "Classification/bedrock/us.amazon.nova-lite-v1:0",
                &[
                    ("inputTokens", 200_000.0),
                    ("outputTokens", 1_000.0),
                    ("requests", 4.0),
                    ("retries", 1.0),
                ],
            ),
            ("OCR/textract/detect_document_text", &[("pages", 10.0)]),
            ("OCR/tesseract", &[("pages", 3.0)]),
        ]);
        let e = estimate(&m, &Prices::new());
        let extraction = 1.0 * 0.06 + 0.5 * 0.24;
        let classification = 0.2 * 0.06 + 0.001 * 0.24;
        let ocr = 10.0 * 0.0015;
        assert!(
            close(e.total_usd.unwrap(), extraction + classification + ocr),
            "{e:?}"
        );
        assert_eq!(e.total_usd, Some(e.priced_usd));
        assert!(e.unpriced.is_empty());
        let lite = &e.by_model["bedrock:us.amazon.nova-lite-v1:0"];
        assert_eq!(
            (
                lite.input_tokens,
                lite.output_tokens,
                lite.requests,
                lite.retries
            ),
            (1_200_000, 501_000, 14, 1)
        );
        assert_eq!(lite.total_tokens, 1_701_000);
        assert!(close(lite.usd.unwrap(), extraction + classification));
        assert_eq!(e.by_meter["OCR/tesseract"].usd, Some(0.0));
        assert_eq!(
            e.by_meter["OCR/textract/detect_document_text"].source,
            Some(Source::BuiltIn)
        );
    }

    #[test]
    fn an_unpriced_meter_makes_the_total_unknown_not_zero() {
        let m = metering(&[
            (
                "Extraction/openai/smol",
                &[
                    ("inputTokens", 100.0),
                    ("outputTokens", 10.0),
                    ("requests", 1.0),
                ],
            ),
            (
                "Summarization/bedrock/amazon.nova-micro-v1:0",
                &[("inputTokens", 1000.0), ("outputTokens", 100.0)],
            ),
        ]);
        let e = estimate(&m, &Prices::new());
        assert_eq!(e.total_usd, None);
        assert_eq!(e.unpriced, vec!["Extraction/openai/smol".to_string()]);
        assert!(close(e.priced_usd, (1000.0 * 0.035 + 100.0 * 0.14) / 1e6));
        assert_eq!(e.by_model["openai:smol"].usd, None);
        let hint = e.by_meter["Extraction/openai/smol"].hint.clone().unwrap();
        assert!(hint.contains("engines.prices.\"openai:smol\""), "{hint}");
        let text = text(&e, &m).join("\n");
        assert!(text.contains("estimated cost  unknown"), "{text}");
        assert!(
            text.contains("no price for Extraction/openai/smol"),
            "{text}"
        );

        // Priced by the profile: known, and free.
        let mut prices = Prices::new();
        prices.insert(
            "openai:*".into(),
            Price {
                input_per_million: Some(0.0),
                output_per_million: Some(0.0),
                per_page: None,
            },
        );
        let e = estimate(&m, &prices);
        assert!(close(
            e.total_usd.unwrap(),
            (1000.0 * 0.035 + 100.0 * 0.14) / 1e6
        ));
        assert_eq!(
            e.by_meter["Extraction/openai/smol"].source,
            Some(Source::Profile)
        );
    }

    #[test]
    fn requests_alone_and_unused_meters_cost_nothing() {
        let m = metering(&[
            (
                "Extraction/openai/smol",
                &[
                    ("inputTokens", 0.0),
                    ("outputTokens", 0.0),
                    ("requests", 0.0),
                ],
            ),
            ("Hook/dispatch", &[("requests", 3.0)]),
        ]);
        let e = estimate(&m, &Prices::new());
        assert_eq!(e.total_usd, Some(0.0));
        assert!(!e.by_meter.contains_key("Hook/dispatch"));
        assert!(text(&Estimate::default(), &Metering::new()).is_empty());
    }

    #[test]
    fn an_unknown_ocr_api_is_unpriced() {
        let m = metering(&[(
            "OCR/textract/analyze_document-Tables+Layout",
            &[("pages", 2.0)],
        )]);
        let e = estimate(&m, &Prices::new());
        assert_eq!(e.total_usd, None);
        assert!(
            e.by_meter["OCR/textract/analyze_document-Tables+Layout"]
                .hint
                .as_ref()
                .unwrap()
                .contains("per_page")
        );
    }
}
