//! The accelerator's `invoice` class exactly as it ships (every field `type: string`, no
//! `x-idpctl-*` hints), and a run of plain-text invoices through the real binary with it: shared by
//! the tests of generic extraction.

use std::path::Path;

use serde_json::Value;

pub const INVOICE_CLASS: &str = r#"classes:
  - $schema: https://json-schema.org/draft/2020-12/schema
    $id: invoice
    type: object
    x-aws-idp-document-type: invoice
    description: >-
      A billing document listing items/services, quantities, prices, payment
      terms, and transaction totals
    properties:
      InvoiceNumber: {type: string, description: Unique identifier for the invoice}
      InvoiceDate: {type: string, description: Date when the invoice was issued}
      DueDate: {type: string, description: Payment deadline}
      VendorName: {type: string, description: Name of the business providing goods or services}
      VendorAddress: {type: string, description: Physical location of the vendor}
      CustomerName: {type: string, description: Name of the person or entity being billed}
      CustomerAddress: {type: string, description: Address where invoice is sent}
      Items: {type: string, description: Descriptions of products or services}
      Quantities: {type: string, description: Number of each item}
      UnitPrices: {type: string, description: Cost per unit of each item}
      Subtotal: {type: string, description: Sum before tax and other charges}
      Tax: {type: string, description: Tax amount charged}
      TotalAmount: {type: string, description: Final amount to be paid}
      PoNumber: {type: string, description: Purchase order reference number}
      PaymentTerms: {type: string, description: "Payment conditions (30 days, COD, etc.)"}
"#;

/// Writes each `(file name, text)` into `dir`, processes them with [`INVOICE_CLASS`] and returns
/// each document's `result.json`, in the order given.
pub fn process(dir: &Path, docs: &[(&str, &str)]) -> Vec<(String, Value)> {
    let folder = dir.join("docs");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, text) in docs {
        std::fs::write(folder.join(name), text).unwrap();
    }
    let class = dir.join("invoice.yaml");
    std::fs::write(&class, INVOICE_CLASS).unwrap();
    let out = dir.join("out");
    let r = super::idpctl(&[
        "--classes",
        class.to_str().unwrap(),
        "--classes-mode",
        "replace",
        "process",
        folder.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    docs.iter()
        .map(|(n, _)| {
            let text = std::fs::read_to_string(out.join(n).join("result.json")).unwrap();
            (n.to_string(), serde_json::from_str(&text).unwrap())
        })
        .collect()
}

/// The document's one section, which must be classified as an invoice.
pub fn invoice_section(result: &Value) -> &Value {
    let s = &result["sections"][0];
    assert_eq!(s["classification"], "invoice", "{result:#}");
    s
}

/// Fields whose value differs from `want`, as lines to print.
pub fn misses(name: &str, section: &Value, want: &[(&str, &str)]) -> Vec<String> {
    want.iter()
        .filter(|(field, value)| section["attributes"][field] != *value)
        .map(|(field, value)| {
            format!(
                "{name}: {field}: got {}, want {value:?}",
                section["attributes"][field]
            )
        })
        .collect()
}

/// Values at or above their field's threshold that `want` does not hold: confident and wrong.
pub fn confident_unexpected(name: &str, section: &Value, want: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    for (field, f) in section["fields"].as_object().unwrap() {
        let conf = f["confidence"].as_f64().unwrap();
        let threshold = f["confidence_threshold"].as_f64().unwrap();
        if conf >= threshold && !f["value"].is_null() {
            let expected = want.iter().find(|(k, _)| k == field).map(|(_, v)| *v);
            if expected.map(Value::from) != Some(f["value"].clone()) {
                out.push(format!(
                    "{name}: {field} = {} is confident ({conf})",
                    f["value"]
                ));
            }
        }
    }
    out
}
