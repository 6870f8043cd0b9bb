//! OASIS UBL 2.1 `Invoice` and `CreditNote` (XRechnung UBL, Peppol BIS, Factur-X's UBL
//! fixtures): the same fields as the CII reader, from UBL's element names.

use super::tree::Node;
use crate::model::einvoice::{EInvoice, Item, Party};

/// The invoice a UBL root states.
pub fn read(root: &Node) -> Option<EInvoice> {
    let credit = root.name == "CreditNote";
    let mut inv = EInvoice {
        source: match root.text_at(&["CustomizationID"]) {
            Some(p) => format!("UBL {p}"),
            None => "UBL".into(),
        },
        type_code: root
            .text_at(&[if credit {
                "CreditNoteTypeCode"
            } else {
                "InvoiceTypeCode"
            }])
            .or_else(|| credit.then(|| "381".to_string())),
        number: root.text_at(&["ID"]),
        issue_date: root.text_at(&["IssueDate"]),
        due_date: root.text_at(&["DueDate"]).or_else(|| {
            root.children_named("PaymentMeans")
                .find_map(|p| p.text_at(&["PaymentDueDate"]))
        }),
        seller: root.at(&["AccountingSupplierParty", "Party"]).map(party),
        buyer: root.at(&["AccountingCustomerParty", "Party"]).map(party),
        ship_to: root.child("Delivery").and_then(delivery),
        order_reference: root.text_at(&["OrderReference", "ID"]),
        currency: root.text_at(&["DocumentCurrencyCode"]),
        payment_terms: root.text_at(&["PaymentTerms", "Note"]),
        ..EInvoice::default()
    };
    let cur = inv.currency.clone();
    inv.tax_total = root
        .children_named("TaxTotal")
        .filter_map(|t| t.child("TaxAmount"))
        .find(|a| cur.is_none() || a.attr("currencyID") == cur.as_deref())
        .and_then(|a| a.text_at(&[]));
    if let Some(m) = root.child("LegalMonetaryTotal") {
        inv.line_total = m.text_at(&["LineExtensionAmount"]);
        inv.tax_basis = m.text_at(&["TaxExclusiveAmount"]);
        inv.grand_total = m.text_at(&["TaxInclusiveAmount"]);
        inv.due_payable = m.text_at(&["PayableAmount"]);
    }
    let line = if credit {
        "CreditNoteLine"
    } else {
        "InvoiceLine"
    };
    let qty = if credit {
        "CreditedQuantity"
    } else {
        "InvoicedQuantity"
    };
    inv.items = root
        .children_named(line)
        .map(|l| Item {
            name: l
                .text_at(&["Item", "Name"])
                .or_else(|| l.text_at(&["Item", "Description"])),
            quantity: l.text_at(&[qty]),
            unit_price: l.text_at(&["Price", "PriceAmount"]),
            line_total: l.text_at(&["LineExtensionAmount"]),
        })
        .collect();
    Some(inv)
}

fn party(p: &Node) -> Party {
    let mut out = p.child("PostalAddress").map(address).unwrap_or_default();
    out.name = p
        .text_at(&["PartyName", "Name"])
        .or_else(|| p.text_at(&["PartyLegalEntity", "RegistrationName"]));
    out
}

fn address(a: &Node) -> Party {
    let mut lines: Vec<String> = ["StreetName", "AdditionalStreetName"]
        .iter()
        .filter_map(|k| a.text_at(&[*k]))
        .collect();
    lines.extend(
        a.children_named("AddressLine")
            .filter_map(|l| l.text_at(&["Line"])),
    );
    Party {
        name: None,
        lines,
        postcode: a.text_at(&["PostalZone"]),
        city: a.text_at(&["CityName"]),
        country: a.text_at(&["Country", "IdentificationCode"]),
    }
}

fn delivery(d: &Node) -> Option<Party> {
    let mut p = d.at(&["DeliveryLocation", "Address"]).map(address)?;
    p.name = d.text_at(&["DeliveryParty", "PartyName", "Name"]);
    Some(p)
}
