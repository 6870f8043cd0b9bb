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
    /// A reference that holds a digit and is neither a date nor an amount (invoice number, PO).
    Identifier,
    /// A person's or a company's name: words, no amount, no date.
    Name,
    /// A postal address: a block of lines, usually with a postcode.
    Address,
    Email,
    Percent,
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
            "identifier" | "id" | "reference" => Self::Identifier,
            "name" => Self::Name,
            "address" => Self::Address,
            "email" => Self::Email,
            "percent" | "percentage" => Self::Percent,
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

    /// The type of a field that carries no `x-idpctl-*` hint, from everything its schema says:
    /// `type`, `format`, the property name and its description, and the lexicon concept the name
    /// was linked to (`total`, `invoice_date`, `customer`...). Money for amounts even when the
    /// schema says `string` (the accelerator's classes type every field as a string); the value
    /// is then kept as printed, only found and checked as an amount.
    pub fn generic(
        name: &str,
        description: &str,
        schema_type: &str,
        format: Option<&str>,
        concept: Option<&str>,
    ) -> Self {
        let words = crate::pipeline::lexicon::tokens(&crate::pipeline::lexicon::split_name(name));
        let has = |k: &[&str]| words.iter().any(|w| k.contains(&w.as_str()));
        let last = words.last().map(String::as_str).unwrap_or("");
        if schema_type == "boolean" {
            return Self::Checkbox;
        }
        match format {
            Some("date") | Some("date-time") => return Self::Date,
            Some("email") => return Self::Email,
            _ => {}
        }
        // The last word of a name says what kind of thing it is ("VendorName", "CustomerAddress",
        // "InvoiceDate"); a concept says the rest.
        match last {
            "name" | "names" => return Self::Name,
            "address" | "addresses" => return Self::Address,
            "date" | "deadline" | "dob" => return Self::Date,
            "email" | "mail" => return Self::Email,
            "phone" | "telephone" | "fax" | "mobile" => return Self::Phone,
            "percent" | "percentage" | "rate" if !has(&["unit", "price"]) => return Self::Percent,
            _ => {}
        }
        if has(&["email"]) {
            return Self::Email;
        }
        if has(&["phone", "telephone"]) {
            return Self::Phone;
        }
        if has(&["ssn"]) {
            return Self::Ssn;
        }
        let money_words = [
            "total", "subtotal", "amount", "tax", "vat", "price", "prices", "cost", "costs",
            "balance", "fee", "fees", "charge", "charges", "pay", "salary", "gross", "net",
            "discount", "deposit", "payment",
        ];
        match concept {
            Some(
                "total" | "subtotal" | "tax" | "amount" | "gross_pay" | "net_pay"
                | "opening_balance" | "closing_balance",
            ) => return Self::Money,
            Some(c) if c.ends_with("_date") => return Self::Date,
            Some(
                "invoice_number" | "po_number" | "order_number" | "customer_number"
                | "account_number" | "iban" | "vat_id" | "meter_number" | "document_number",
            ) => return Self::Identifier,
            Some(
                "vendor" | "customer" | "merchant" | "employee" | "employer" | "account_holder",
            ) => {
                return Self::Name;
            }
            Some("address" | "service_address") => return Self::Address,
            _ => {}
        }
        if schema_type == "number" || schema_type == "integer" {
            return if has(&money_words) {
                Self::Money
            } else {
                Self::Number
            };
        }
        if has(&["date"]) {
            return Self::Date;
        }
        if matches!(
            last,
            "number" | "no" | "nr" | "id" | "code" | "reference" | "ref" | "iban"
        ) {
            return Self::Identifier;
        }
        if has(&money_words) && !has(&["terms", "method", "type", "status", "currency"]) {
            return Self::Money;
        }
        let d = description.to_lowercase();
        if d.contains("amount") || d.contains("price") || d.contains("sum ") {
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
        static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").unwrap()
        });
        static PERCENT: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"-?\d+(?:[.,]\d+)?\s?%").unwrap());
        static CHECK: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^(?:[xX✓✔☒■]|\[[xX]\])$").unwrap());
        Some(match self {
            Self::Text | Self::Identifier | Self::Name | Self::Address => return None,
            Self::Email => &EMAIL,
            Self::Percent => &PERCENT,
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

/// "$1,234.50" → 1234.5, "(2,336.28)" → -2336.28, "1.234,56 €" → 1234.56, "1 50.00" (OCR space)
/// → 150.0: the crate's one locale-aware reader ([`crate::numbers`]).
pub fn parse_number(text: &str) -> Option<f64> {
    crate::numbers::parse(text)
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
        // European formats read as Europeans write them, not as 1.23456.
        assert_eq!(parse_number("1.234,56"), Some(1234.56));
        assert_eq!(parse_number("1 234,56 €"), Some(1234.56));
        assert_eq!(parse_number("CHF 1'234.50"), Some(1234.5));
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
    fn generic_types_from_the_whole_schema() {
        let g = |n: &str, d: &str, c: Option<&str>| ValueType::generic(n, d, "string", None, c);
        assert_eq!(g("TotalAmount", "", Some("total")), ValueType::Money);
        assert_eq!(
            g("Subtotal", "Sum before tax", Some("subtotal")),
            ValueType::Money
        );
        assert_eq!(g("InvoiceDate", "", Some("invoice_date")), ValueType::Date);
        assert_eq!(
            g("DueDate", "Payment deadline", Some("due_date")),
            ValueType::Date
        );
        assert_eq!(
            g("InvoiceNumber", "", Some("invoice_number")),
            ValueType::Identifier
        );
        assert_eq!(g("PoNumber", "", Some("po_number")), ValueType::Identifier);
        assert_eq!(g("VendorName", "", Some("vendor")), ValueType::Name);
        assert_eq!(
            g("CustomerAddress", "", Some("customer")),
            ValueType::Address
        );
        assert_eq!(
            g("PaymentTerms", "", Some("payment_terms")),
            ValueType::Text
        );
        assert_eq!(g("ContactEmail", "", None), ValueType::Email);
        assert_eq!(g("TaxRate", "", None), ValueType::Percent);
        assert_eq!(g("Notes", "Free text", None), ValueType::Text);
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
