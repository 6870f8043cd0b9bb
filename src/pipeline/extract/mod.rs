//! Extract: a section's pages + its class → the class's fields, each with a typed value,
//! confidence and source (page + box). Labels are found by their words, values right of or
//! below them; tables by their column headers. No model, no network: this is the embedded
//! engine the local runtime and Lambda use when no LLM is configured. A PDF that carries its
//! invoice as XML has each stated value matched to where the page prints it ([`carried`]).

pub mod adjustments;
pub mod arithmetic;
pub mod candidates;
mod carried;
pub mod dated_title;
pub mod field;
pub mod generic;
mod greeting;
pub mod items;
pub mod label_words;
pub mod labels;
pub mod result;
pub mod roles;
mod stamped_date;
pub mod table;
pub mod tax_table;
pub mod terms;
pub mod titled_number;
pub mod values;
pub mod view;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::model::{FieldResult, PageContent};
use crate::pipeline::config::ClassDef;
use view::PageView;

/// What extraction produced for one section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionExtraction {
    /// Nested like the schema: `{"employer_info": {"ein": "37-2766773"}}`.
    pub attributes: Map<String, Value>,
    /// Dotted path → details (`employer_info.ein`, `state_taxes_table[0].state_name`).
    pub fields: BTreeMap<String, FieldResult>,
}

/// Extract every field of `class` from the section's pages (in page order).
pub fn extract_section(class: &ClassDef, pages: &[&PageContent]) -> SectionExtraction {
    let views: Vec<PageView> = pages.iter().map(|p| PageView::new(p)).collect();
    let mut out = SectionExtraction::default();
    for f in &class.fields {
        let r = field::find_field(&views, f);
        insert(&mut out.attributes, &f.path, r.value.clone());
        out.fields.insert(f.dotted(), r);
    }
    for (path, cols) in &class.tables {
        let name = path.join(".");
        let (rows, details) = table::find_table(&views, &name, cols);
        insert(&mut out.attributes, path, Value::Array(rows));
        out.fields.extend(details);
    }
    // Check what the labels found first: an amount inferred from the others agrees by making.
    arithmetic::cross_check(class, &mut out);
    arithmetic::fill_missing(class, &views, &mut out);
    // The invoice the PDF carries as XML has the last word: it is the seller's own statement.
    if let Some(inv) = pages.first().and_then(|p| p.einvoice.as_deref()) {
        for f in &class.fields {
            let key = f.dotted();
            if let Some(r) = out.fields.remove(&key) {
                let r = carried::settle(&views, inv, f, r);
                insert(&mut out.attributes, &f.path, r.value.clone());
                out.fields.insert(key, r);
            }
        }
    }
    out
}

/// Set `value` at `path` in nested maps, creating the maps on the way.
pub(crate) fn insert(root: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = root;
    for p in parents {
        let entry = cur
            .entry(p.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        cur = entry.as_object_mut().expect("just made an object");
    }
    cur.insert(last.clone(), value);
}

#[cfg(test)]
mod conflict_tests;
#[cfg(test)]
mod dev_eval;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod generic_tests;
#[cfg(test)]
mod tests;
