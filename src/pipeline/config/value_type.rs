//! Value types the engine can recognise and parse, chosen by `x-idpctl-value` or guessed from the
//! schema (`type: number` → money-or-number, `format: date` → date, a name with `ssn` → SSN...).

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Text,
    Number,
    Money,
    Date,
    Ssn,
    Ein,
    Zip,
    Phone,
    State,
    Checkbox,
}

impl ValueType {
    pub fn parse_name(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "text" | "string" => Self::Text,
            "number" | "integer" => Self::Number,
            "money" | "currency" | "amount" => Self::Money,
            "date" => Self::Date,
            "ssn" => Self::Ssn,
            "ein" | "tin" => Self::Ein,
            "zip" | "zipcode" | "postal" => Self::Zip,
            "phone" | "telephone" => Self::Phone,
            "state" => Self::State,
            "checkbox" | "boolean" | "bool" => Self::Checkbox,
            _ => return None,
        })
    }

    /// A guess from the schema when `x-idpctl-value` is absent.
    pub fn guess(name: &str, schema_type: &str, format: Option<&str>) -> Self {
        let n = name.to_ascii_lowercase();
        // Whole tokens only: "ein" must not match "being".
        let has = |k: &str| {
            n.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|t| t == k)
        };
        if schema_type == "boolean" {
            return Self::Checkbox;
        }
        if format == Some("date") || n.contains("date") {
            return Self::Date;
        }
        if has("ssn") || n.contains("social_security_number") {
            return Self::Ssn;
        }
        if has("ein") {
            return Self::Ein;
        }
        if n.contains("zip") || n.contains("postal") {
            return Self::Zip;
        }
        if n.contains("phone") || n.contains("telephone") {
            return Self::Phone;
        }
        if schema_type == "number" || schema_type == "integer" {
            return Self::Money;
        }
        Self::Text
    }

    /// The regex a value of this type matches inside a line of text (None: any text).
    pub fn pattern(&self) -> Option<&'static Regex> {
        static MONEY: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"\(?-?\$?\s?-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?\)?").unwrap()
        });
        static NUMBER: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"-?\d[\d,]*(?:\.\d+)?").unwrap());
        static DATE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"(?ix)
                \b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b
              | \b\d{4}-\d{2}-\d{2}\b
              | \b\d{1,2}[-\s](?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[-\s,]*\d{2,4}\b
              | \b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}\b",
            )
            .unwrap()
        });
        static SSN: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"\b\d{3}[- ]?\d{2}[- ]?\d{4}\b").unwrap());
        static EIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{2}[- ]?\d{7}\b").unwrap());
        static ZIP: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"\b\d{5}(?:-\d{4})?\b").unwrap());
        static PHONE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b").unwrap());
        static STATE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"\b(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|P[AR]|RI|S[CD]|T[NX]|UT|V[AIT]|W[AIVY])\b",
            )
            .unwrap()
        });
        static CHECK: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^(?:[xX✓✔☒■]|\[[xX]\])$").unwrap());
        Some(match self {
            Self::Text => return None,
            Self::Number => &NUMBER,
            Self::Money => &MONEY,
            Self::Date => &DATE,
            Self::Ssn => &SSN,
            Self::Ein => &EIN,
            Self::Zip => &ZIP,
            Self::Phone => &PHONE,
            Self::State => &STATE,
            Self::Checkbox => &CHECK,
        })
    }
}

/// "$1,234.50" → 1234.5, "(2,336.28)" → -2336.28, "1 50.00" (OCR space) → 150.0.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let negative = t.starts_with('(') && t.ends_with(')') || t.contains('-');
    let digits: String = t
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if digits.is_empty() || digits.chars().filter(|c| *c == '.').count() > 1 {
        return None;
    }
    let v: f64 = digits.parse().ok()?;
    Some(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_like_people_write_them() {
        assert_eq!(parse_number("$472,525.00"), Some(472525.0));
        assert_eq!(parse_number("($2,336.28)"), Some(-2336.28));
        assert_eq!(parse_number("- 567.18"), Some(-567.18));
        assert_eq!(parse_number("abc"), None);
    }

    #[test]
    fn patterns_find_values() {
        let find =
            |t: ValueType, s: &str| t.pattern().unwrap().find(s).map(|m| m.as_str().to_string());
        assert_eq!(
            find(ValueType::Ssn, "SSN 077-49-4905 x").as_deref(),
            Some("077-49-4905")
        );
        assert_eq!(
            find(ValueType::Ein, "37-2766773").as_deref(),
            Some("37-2766773")
        );
        assert_eq!(
            find(ValueType::Zip, "NV 44735-6958").as_deref(),
            Some("44735-6958")
        );
        assert_eq!(
            find(ValueType::Date, "Admit Date: 07-Sep-2020").as_deref(),
            Some("07-Sep-2020")
        );
        assert_eq!(
            find(ValueType::Date, "on 07/25/2008.").as_deref(),
            Some("07/25/2008")
        );
        assert_eq!(
            find(ValueType::Phone, "631-249-7744/SALES").as_deref(),
            Some("631-249-7744")
        );
        assert_eq!(
            find(ValueType::Money, "$132,588.00").as_deref(),
            Some("$132,588.00")
        );
        assert_eq!(
            find(ValueType::State, "MELVILLE NY 11747").as_deref(),
            Some("NY")
        );
    }

    #[test]
    fn guesses_from_schema() {
        assert_eq!(
            ValueType::guess("PayDate", "string", Some("date")),
            ValueType::Date
        );
        assert_eq!(ValueType::guess("ssn", "string", None), ValueType::Ssn);
        assert_eq!(
            ValueType::guess("CurrentNetPay", "number", None),
            ValueType::Money
        );
        assert_eq!(
            ValueType::guess("employer_name", "string", None),
            ValueType::Text
        );
    }
}
