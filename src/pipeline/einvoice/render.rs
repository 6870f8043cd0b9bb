//! An e-invoice delivered as a bare XML file (XRechnung, Peppol UBL) has no page: this lays
//! out what it states as a plain-text invoice, labelled in English, so it is split, classified
//! and read like any other document, and a person reviewing it sees an invoice, not markup.

use crate::model::einvoice::{EInvoice, Party};

/// The invoice as text: title, header fields, parties, a tab-separated line-item table, totals.
pub fn as_text(inv: &EInvoice) -> String {
    let mut out: Vec<String> = vec![
        if inv.is_credit_note() {
            "Credit note"
        } else {
            "Invoice"
        }
        .to_string(),
        String::new(),
    ];
    let mut field = |label: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push(format!("{label}: {v}"));
        }
    };
    field("Invoice number", &inv.number);
    field("Invoice date", &inv.issue_date);
    field("Due date", &inv.due_date);
    field("PO number", &inv.order_reference);
    field("Currency", &inv.currency);
    for (label, party) in [
        ("Seller", &inv.seller),
        ("Bill to", &inv.buyer),
        ("Ship to", &inv.ship_to),
    ] {
        if let Some(p) = party {
            out.push(String::new());
            out.push(format!("{label}:"));
            out.extend(block(p));
        }
    }
    if !inv.items.is_empty() {
        out.push(String::new());
        out.push("Description\tQuantity\tUnit price\tAmount".into());
        for i in &inv.items {
            let cell = |v: &Option<String>| v.clone().unwrap_or_default();
            out.push(format!(
                "{}\t{}\t{}\t{}",
                cell(&i.name),
                cell(&i.quantity),
                cell(&i.unit_price),
                cell(&i.line_total)
            ));
        }
    }
    out.push(String::new());
    let cur = inv
        .currency
        .as_deref()
        .map(|c| format!(" {c}"))
        .unwrap_or_default();
    let mut amount = |label: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push(format!("{label}: {v}{cur}"));
        }
    };
    amount(
        "Subtotal",
        &inv.tax_basis.clone().or(inv.line_total.clone()),
    );
    amount("Tax", &inv.tax_total);
    amount("Total", &inv.grand_total);
    if inv.due_payable != inv.grand_total {
        amount("Amount due", &inv.due_payable);
    }
    if let Some(t) = &inv.payment_terms {
        out.push(format!("Payment terms: {t}"));
    }
    out.join("\n")
}

fn block(p: &Party) -> Vec<String> {
    let mut lines: Vec<String> = p.name.iter().cloned().collect();
    lines.extend(p.lines.iter().cloned());
    let town = [p.postcode.as_deref(), p.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !town.is_empty() {
        lines.push(town);
    }
    lines.extend(p.country.iter().cloned());
    lines
}
