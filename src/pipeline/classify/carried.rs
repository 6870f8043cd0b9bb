//! A PDF that carries its invoice as XML (Factur-X, ZUGFeRD, XRechnung) says what it is in
//! machine-readable form: its document type code (380 invoice, 381 credit note, …) settles
//! the class, whatever words the pages print (a ZUGFeRD invoice for goods laid out like a
//! till slip is still an invoice).

use super::PageClass;
use crate::model::PageContent;
use crate::pipeline::config::ClassConfig;

/// Confidence of a class the embedded invoice decided: two sources agree only when the
/// configuration has the class, and the XML is the seller's own statement of it.
const CARRIED_CONFIDENCE: f32 = 0.95;

/// The class a document whose first page carries an e-invoice is, on every page.
#[derive(Debug, Clone)]
pub struct Carried {
    class: String,
    why: String,
}

impl Carried {
    /// The verdict for one page of the document.
    pub fn page(&self, page_number: u32) -> PageClass {
        PageClass {
            page_number,
            class: self.class.clone(),
            confidence: CARRIED_CONFIDENCE,
            evidence: vec![self.why.clone()],
        }
    }
}

/// The class of a document whose first page carries an e-invoice, when a class of the
/// configuration is that type (a credit note class for a credit note, else the invoice
/// class); `None` when the document carries none or no class is its type.
pub fn verdict(config: &ClassConfig, pages: &[PageContent]) -> Option<Carried> {
    let inv = pages.first()?.einvoice.as_ref()?;
    let claims = |concept: &str| {
        config
            .classes
            .iter()
            .find(|c| c.evidence.concepts.iter().any(|k| k == concept))
    };
    let class = inv
        .is_credit_note()
        .then(|| claims("credit_note"))
        .flatten()
        .or_else(|| claims("invoice"))?;
    Some(Carried {
        class: class.name.clone(),
        why: format!(
            "the document carries its invoice as XML ({}, type code {})",
            inv.source,
            inv.type_code.as_deref().unwrap_or("none")
        ),
    })
}
