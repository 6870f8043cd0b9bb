//! An e-invoice delivered as a bare XML file (XRechnung, Peppol UBL) has no page: this lays
//! out what it states as a plain-text invoice, labelled in English, so it is split, classified
//! and read like any other document, and a person reviewing it sees an invoice, not markup.

use crate::model::einvoice::{EInvoice, Party};

/// The invoice as text: title, header fields, parties, a line-item table, totals.
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
        out.extend(item_table(inv));
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

/// Space between the item table's columns: wide enough that the table reader sees columns.
const COLUMN_GAP: usize = 4;

/// The line items as a table whose columns line up (names vary in length, so tabs would not),
/// numbers as people print them ("2.0000" → "2.00").
fn item_table(inv: &EInvoice) -> Vec<String> {
    let cell = |v: &Option<String>, number: bool| match v {
        Some(v) if number => tidy_number(v),
        Some(v) => v.clone(),
        None => String::new(),
    };
    let mut rows: Vec<[String; 4]> = vec![[
        "Description".into(),
        "Quantity".into(),
        "Unit price".into(),
        "Amount".into(),
    ]];
    for i in &inv.items {
        rows.push([
            cell(&i.name, false),
            cell(&i.quantity, true),
            cell(&i.unit_price, true),
            cell(&i.line_total, true),
        ]);
    }
    let mut widths = [0usize; 4];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (k, (c, w)) in r.iter().zip(widths).enumerate() {
                line.push_str(c);
                if k < 3 {
                    line.push_str(&" ".repeat(w - c.chars().count() + COLUMN_GAP));
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// An XML decimal as people print it: "2.0000" → "2.00", "9.9900" → "9.99", "4" → "4".
pub fn tidy_number(v: &str) -> String {
    match v.split_once('.') {
        Some((int, frac)) if frac.bytes().all(|b| b.is_ascii_digit()) => {
            let frac = frac.trim_end_matches('0');
            format!("{int}.{frac:0<2}")
        }
        _ => v.to_string(),
    }
}

fn block(p: &Party) -> Vec<String> {
    let mut lines: Vec<String> = p.name.iter().cloned().collect();
    lines.extend(p.lines.iter().cloned());
    lines.extend(p.town());
    lines.extend(p.country.iter().cloned());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::einvoice::Item;

    #[test]
    fn item_columns_line_up_and_numbers_are_tidy() {
        let item = |n: &str, q: &str| Item {
            name: Some(n.into()),
            quantity: Some(q.into()),
            unit_price: Some("9.9000".into()),
            line_total: None,
        };
        let inv = EInvoice {
            items: vec![item("Bolt", "2.0000"), item("Hex nut M8 galvanised", "10")],
            ..EInvoice::default()
        };
        let text = as_text(&inv);
        let rows: Vec<&str> = text.lines().filter(|l| l.contains("9.90")).collect();
        assert_eq!(rows.len(), 2, "{text}");
        // Each column starts at the same place on every row, after a gap of spaces.
        let at = |row: &str, cell: &str| row.find(cell).unwrap();
        assert_eq!(at(rows[0], "2.00"), at(rows[1], "10"));
        assert_eq!(at(rows[0], "9.90"), at(rows[1], "9.90"));
        assert!(rows[1].contains("galvanised    10"), "{text}");
        assert_eq!(tidy_number("-1.5000"), "-1.50");
        assert_eq!(tidy_number("4"), "4");
        assert_eq!(tidy_number("1.2.3"), "1.2.3");
    }
}
