//! The machine-readable invoice a PDF may carry (Factur-X, ZUGFeRD, XRechnung: EN 16931 in
//! UN/CEFACT CII or OASIS UBL), reduced to what the extractor can match against the page.
//!
//! Values stay as the XML writes them (amounts `"104.90"`, dates ISO `"2026-01-31"`); the
//! extractor looks for where the page prints them and keeps the printed form.

use serde::{Deserialize, Serialize};

/// An invoice's data as its embedded XML states it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EInvoice {
    /// `CII` or `UBL`, then the file's name inside the PDF (`factur-x.xml`).
    pub source: String,
    /// UNTDID 1001 document type: 380 commercial invoice, 381 credit note, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<Party>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Party>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<Party>,
    /// The buyer's purchase order reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_terms: Option<String>,
    /// Sum of the lines' net amounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_total: Option<String>,
    /// What tax is computed on: the lines with allowances and charges applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_total: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grand_total: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_payable: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
}

/// A party: its name and postal address parts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Party {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Street lines in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// One invoice line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<String>,
    /// Net price of one unit (of the price's base quantity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_total: Option<String>,
}

impl EInvoice {
    /// True for a credit note (UNTDID 1001 codes 81, 83, 381, 396, 532).
    pub fn is_credit_note(&self) -> bool {
        matches!(
            self.type_code.as_deref(),
            Some("81" | "83" | "381" | "396" | "532")
        )
    }
}

impl Party {
    /// "postcode city" as a page prints it, when either is stated.
    pub fn town(&self) -> Option<String> {
        let town = [self.postcode.as_deref(), self.city.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        (!town.is_empty()).then_some(town)
    }

    /// The postal address on one line: street lines, then postcode and city, then country.
    pub fn address(&self) -> Option<String> {
        let mut parts: Vec<String> = self.lines.clone();
        parts.extend(self.town());
        parts.extend(self.country.clone());
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}
