//! Helpers the JSONata evaluator tests share: the reference's order example data and
//! evaluation that panics with the expression on an unexpected result.

use serde_json::{Value, json};

use super::{Error, Expression};

/// The "Account" order data of the JSONata reference (docs.jsonata.org, sorting and grouping).
pub(super) fn orders() -> Value {
    json!({"Account": {"Account Name": "Firefly", "Order": [
        {"OrderID": "order103", "Product": [
            {"Product Name": "Bowler Hat", "ProductID": 858383, "SKU": "0406654608", "Price": 34.45, "Quantity": 2},
            {"Product Name": "Trilby hat", "ProductID": 858236, "SKU": "0406634348", "Price": 21.67, "Quantity": 1}]},
        {"OrderID": "order104", "Product": [
            {"Product Name": "Bowler Hat", "ProductID": 858383, "SKU": "040657863", "Price": 34.45, "Quantity": 4},
            {"Product Name": "Cloak", "ProductID": 345664, "SKU": "0406654603", "Price": 107.99, "Quantity": 1}]}]}})
}

/// Evaluates `expr` over `input`; a parse or evaluation error fails the test.
pub(super) fn eval(expr: &str, input: &Value) -> Option<Value> {
    Expression::parse(expr)
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
        .evaluate_plain(input)
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
}

/// The error of `expr` over `input`; a value fails the test.
pub(super) fn fails(expr: &str, input: &Value) -> Error {
    match Expression::parse(expr).and_then(|e| e.evaluate_plain(input)) {
        Err(e) => e,
        Ok(v) => panic!("{expr} gave {v:?}"),
    }
}
