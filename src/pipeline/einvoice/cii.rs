//! UN/CEFACT Cross Industry Invoice: Factur-X, ZUGFeRD 2.x and XRechnung CII
//! (`CrossIndustryInvoice`, D16B) and ZUGFeRD 1.0 (`CrossIndustryDocument`), whose element
//! names differ in the trade transaction (`SpecifiedSupplyChainTradeTransaction`,
//! `ApplicableSupplyChainTradeAgreement`) but not in the parties, amounts and dates read here.

use super::tree::Node;
use crate::model::einvoice::{EInvoice, Item, Party};

/// Header-level elements are searched outside the line items, which repeat their names.
const LINES: &[&str] = &["IncludedSupplyChainTradeLineItem"];

/// The invoice a CII root states, `None` when it has no document header.
pub fn read(root: &Node) -> Option<EInvoice> {
    let head = root
        .child("ExchangedDocument")
        .or_else(|| root.child("HeaderExchangedDocument"))?;
    let tx = root
        .child("SupplyChainTradeTransaction")
        .or_else(|| root.child("SpecifiedSupplyChainTradeTransaction"));
    let profile = root
        .find("GuidelineSpecifiedDocumentContextParameter", &[])
        .and_then(|n| n.text_at(&["ID"]));
    let mut inv = EInvoice {
        source: match profile {
            Some(p) => format!("CII {p}"),
            None => "CII".into(),
        },
        type_code: head.text_at(&["TypeCode"]),
        number: head.text_at(&["ID"]),
        issue_date: head.child("IssueDateTime").and_then(date),
        ..EInvoice::default()
    };
    let Some(tx) = tx else {
        return Some(inv);
    };
    let find = |name: &str| tx.find(name, LINES);
    inv.seller = find("SellerTradeParty").map(party);
    inv.buyer = find("BuyerTradeParty").map(party);
    inv.ship_to = find("ShipToTradeParty").map(party);
    inv.order_reference = find("BuyerOrderReferencedDocument").and_then(|n| {
        n.text_at(&["IssuerAssignedID"])
            .or_else(|| n.text_at(&["ID"]))
    });
    inv.currency = find("InvoiceCurrencyCode").and_then(|n| n.text_at(&[]));
    if let Some(terms) = find("SpecifiedTradePaymentTerms") {
        inv.payment_terms = terms.text_at(&["Description"]);
        inv.due_date = terms.child("DueDateDateTime").and_then(date);
    }
    let sums = find("SpecifiedTradeSettlementHeaderMonetarySummation")
        .or_else(|| find("SpecifiedTradeSettlementMonetarySummation"));
    if let Some(s) = sums {
        inv.line_total = s.text_at(&["LineTotalAmount"]);
        inv.tax_basis = s.text_at(&["TaxBasisTotalAmount"]);
        // A second tax total may be in the tax currency (BT-111): the invoice's own first.
        let cur = inv.currency.as_deref();
        let taxes: Vec<&Node> = s.children_named("TaxTotalAmount").collect();
        inv.tax_total = taxes
            .iter()
            .find(|t| cur.is_some() && t.attr("currencyID") == cur)
            .or(taxes.first())
            .and_then(|t| t.text_at(&[]));
        inv.grand_total = s.text_at(&["GrandTotalAmount"]);
        inv.due_payable = s.text_at(&["DuePayableAmount"]);
    }
    inv.items = tx
        .children_named("IncludedSupplyChainTradeLineItem")
        .map(item)
        .collect();
    Some(inv)
}

fn item(n: &Node) -> Item {
    Item {
        name: n
            .find("SpecifiedTradeProduct", &[])
            .and_then(|p| p.text_at(&["Name"])),
        quantity: n.find("BilledQuantity", &[]).and_then(|q| q.text_at(&[])),
        unit_price: n
            .find("NetPriceProductTradePrice", &[])
            .and_then(|p| p.text_at(&["ChargeAmount"])),
        line_total: n.find("LineTotalAmount", &[]).and_then(|t| t.text_at(&[])),
    }
}

fn party(n: &Node) -> Party {
    let addr = n.child("PostalTradeAddress");
    let get = |k: &str| addr.and_then(|a| a.text_at(&[k]));
    Party {
        name: n.text_at(&["Name"]),
        lines: ["LineOne", "LineTwo", "LineThree"]
            .iter()
            .filter_map(|k| get(k))
            .collect(),
        postcode: get("PostcodeCode"),
        city: get("CityName"),
        country: get("CountryID"),
    }
}

/// A CII date (`<udt:DateTimeString format="102">20260131</…>`) as ISO `2026-01-31`.
fn date(n: &Node) -> Option<String> {
    let s = n.find("DateTimeString", &[]).unwrap_or(n);
    let t = s.text.trim();
    let format = s.attr("format").unwrap_or("102");
    if format != "102" || t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..]))
}
