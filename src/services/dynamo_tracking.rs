//! The tracking table in DynamoDB, the AWS twin of [`super::SqliteTracking`].
//!
//! Every update is one conditional `UpdateItem`, so two handlers updating the same record never
//! lose each other's changes: `details` is a DynamoDB Map and a patch sets one key of it at a
//! time. A status never moves backwards (see [`super::tracking::status_rank`]): the item keeps a
//! numeric `status_rank` beside `status`, the update is conditional on it, and when that
//! condition fails the update goes again without its status and reason. Records written before
//! this (details as JSON text, no `status_rank`) are read and updated as they are.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use serde_json::{Map, Number, Value};

use super::aws::sdk_error;
use super::tracking::{STATUS_RANKS, UNKNOWN_STATUS_RANK, merge_details, status_rank};
use super::{StoreError, Tracking, TrackingRecord, TrackingUpdate};

type Item = HashMap<String, AttributeValue>;

/// How often one update goes again after a failed condition. Each retry follows a change some
/// other writer made (a later status, details becoming a Map), so a handful is plenty.
const MAX_ATTEMPTS: usize = 8;

pub struct DynamoTracking {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

/// JSON as a DynamoDB value: null → NULL, bool → BOOL, number → N, string → S, array → L,
/// object → M.
pub fn to_attr(v: &Value) -> AttributeValue {
    match v {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(a) => AttributeValue::L(a.iter().map(to_attr).collect()),
        Value::Object(o) => {
            AttributeValue::M(o.iter().map(|(k, v)| (k.clone(), to_attr(v))).collect())
        }
    }
}

/// The inverse of [`to_attr`]. A number comes back as the i64, u64 or f64 it was written from;
/// a Map's keys come back sorted (DynamoDB keeps no order) so results print the same every time.
/// Sets become arrays; binary values, which this table never writes, become null.
pub fn from_attr(a: &AttributeValue) -> Value {
    match a {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::N(n) => number(n),
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::L(l) => Value::Array(l.iter().map(from_attr).collect()),
        AttributeValue::M(m) => {
            let sorted: BTreeMap<&String, &AttributeValue> = m.iter().collect();
            Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| (k.clone(), from_attr(v)))
                    .collect(),
            )
        }
        AttributeValue::Ss(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
        AttributeValue::Ns(v) => Value::Array(v.iter().map(String::as_str).map(number).collect()),
        _ => Value::Null,
    }
}

fn number(n: &str) -> Value {
    if let Ok(i) = n.parse::<i64>() {
        return i.into();
    }
    if let Ok(u) = n.parse::<u64>() {
        return u.into();
    }
    n.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map_or_else(|| Value::String(n.to_string()), Value::Number)
}

/// `details` as stored: a Map for an object (the usual case). Records written before details
/// became a Map hold JSON text in an S, so an S is always read as JSON text, and a details that
/// is itself a string is written that way too.
fn details_to_attr(v: &Value) -> AttributeValue {
    match v {
        Value::String(_) => AttributeValue::S(v.to_string()),
        other => to_attr(other),
    }
}

fn details_from_attr(a: Option<&AttributeValue>) -> Value {
    match a {
        None => Value::Null,
        Some(AttributeValue::S(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
        Some(other) => from_attr(other),
    }
}

fn to_item(r: &TrackingRecord) -> Item {
    let mut item = HashMap::new();
    for (k, v) in [
        ("id", Some(&r.id)),
        ("kind", Some(&r.kind)),
        ("batch_id", r.batch_id.as_ref()),
        ("status", Some(&r.status)),
        ("created_at", Some(&r.created_at)),
        ("updated_at", Some(&r.updated_at)),
        ("source", r.source.as_ref()),
        ("execution", r.execution.as_ref()),
        ("reason", r.reason.as_ref()),
    ] {
        if let Some(v) = v {
            item.insert(k.to_string(), s(v));
        }
    }
    item.insert(
        "status_rank".into(),
        AttributeValue::N(status_rank(&r.status).to_string()),
    );
    item.insert("details".into(), details_to_attr(&r.details));
    item
}

fn from_item(item: &Item) -> TrackingRecord {
    let get = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
    TrackingRecord {
        id: get("id").unwrap_or_default(),
        kind: get("kind").unwrap_or_default(),
        batch_id: get("batch_id"),
        status: get("status").unwrap_or_default(),
        created_at: get("created_at").unwrap_or_default(),
        updated_at: get("updated_at").unwrap_or_default(),
        source: get("source"),
        execution: get("execution"),
        reason: get("reason"),
        details: details_from_attr(item.get("details")),
    }
}

/// The stored rank: `status_rank`, or, on a record written before it existed, from `status`.
fn stored_rank(item: &Item) -> i64 {
    item.get("status_rank")
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            status_rank(
                item.get("status")
                    .and_then(|v| v.as_s().ok())
                    .map_or("", String::as_str),
            )
        })
}

/// What one `UpdateItem` does with `details`.
#[derive(Debug, Clone, PartialEq)]
enum DetailsPlan<'a> {
    /// The update has no details.
    Keep,
    /// The patch's keys, one by one, into the stored Map (expects a Map).
    Keys(&'a Map<String, Value>),
    /// A patch that is not an object replaces whatever is there (as [`merge_details`] does).
    Overwrite(&'a Value),
    /// Stored details that are not a Map (an old record) become the merged Map in one go: as
    /// long as they still are the JSON text `was`, or, with `was: None`, still not a Map.
    Replace { value: Value, was: Option<String> },
}

/// One `UpdateItem` attempt.
#[derive(Debug, Clone)]
struct Plan<'a> {
    update: &'a TrackingUpdate,
    /// `false` once the stored status turned out to rank above the update's.
    with_status: bool,
    details: DetailsPlan<'a>,
}

/// An update expression with its condition, names and values.
#[derive(Debug, Default)]
struct Expression {
    sets: Vec<String>,
    conditions: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    /// `#name` for an attribute (`status` is a reserved word: every attribute goes by alias).
    fn name(&mut self, attr: &str) -> String {
        let alias = format!("#{attr}");
        self.names.insert(alias.clone(), attr.to_string());
        alias
    }

    fn value(&mut self, alias: &str, v: AttributeValue) -> String {
        self.values.insert(alias.to_string(), v);
        alias.to_string()
    }

    fn set(&mut self, attr: &str, v: AttributeValue) {
        let name = self.name(attr);
        let value = self.value(&format!(":{attr}"), v);
        self.sets.push(format!("{name} = {value}"));
    }
}

impl<'a> Plan<'a> {
    fn first(update: &'a TrackingUpdate) -> Self {
        Plan {
            update,
            with_status: update.status.is_some(),
            details: match &update.details {
                None => DetailsPlan::Keep,
                Some(Value::Object(keys)) => DetailsPlan::Keys(keys),
                Some(other) => DetailsPlan::Overwrite(other),
            },
        }
    }

    /// The next attempt, after this one's condition failed on `stored`.
    fn after(&self, stored: &Item) -> Self {
        let u = self.update;
        let with_status = self.with_status
            && u.status
                .as_deref()
                .is_some_and(|s| status_rank(s) >= stored_rank(stored));
        let details = match (&self.details, &u.details) {
            (DetailsPlan::Keep | DetailsPlan::Overwrite(_), _) | (_, None) => self.details.clone(),
            (_, Some(patch)) => match (stored.get("details"), patch) {
                (Some(AttributeValue::M(_)), Value::Object(keys)) => DetailsPlan::Keys(keys),
                (Some(AttributeValue::S(text)), _) => DetailsPlan::Replace {
                    value: merge_details(details_from_attr(stored.get("details")), patch),
                    was: Some(text.clone()),
                },
                // Not an object underneath, so the merge is the patch whatever it was.
                _ => DetailsPlan::Replace {
                    value: patch.clone(),
                    was: None,
                },
            },
        };
        Plan {
            update: u,
            with_status,
            details,
        }
    }

    fn expression(&self) -> Expression {
        let u = self.update;
        let mut e = Expression::default();
        let id = e.name("id");
        e.conditions.push(format!("attribute_exists({id})"));
        e.set("updated_at", s(&u.updated_at));
        if let Some(execution) = &u.execution {
            e.set("execution", s(execution));
        }
        match (&u.status, self.with_status) {
            (Some(status), true) => {
                let rank = status_rank(status);
                e.set("status", s(status));
                e.set("status_rank", AttributeValue::N(rank.to_string()));
                if let Some(c) = rank_condition(&mut e, rank) {
                    e.conditions.push(c);
                }
                if let Some(reason) = &u.reason {
                    e.set("reason", s(reason));
                }
            }
            // A backwards status takes its reason with it.
            (Some(_), false) => {}
            (None, _) => {
                if let Some(reason) = &u.reason {
                    e.set("reason", s(reason));
                }
            }
        }
        let details = e.name("details");
        match &self.details {
            DetailsPlan::Keep => {}
            DetailsPlan::Keys(keys) => {
                for (i, (k, v)) in keys.iter().enumerate() {
                    e.names.insert(format!("#d{i}"), k.clone());
                    e.values.insert(format!(":d{i}"), to_attr(v));
                    e.sets.push(format!("{details}.#d{i} = :d{i}"));
                }
                let m = e.value(":map", s("M"));
                e.conditions.push(format!("attribute_type({details}, {m})"));
            }
            DetailsPlan::Overwrite(v) => e.set("details", details_to_attr(v)),
            DetailsPlan::Replace { value, was } => {
                e.set("details", details_to_attr(value));
                match was {
                    Some(text) => {
                        let was = e.value(":was", s(text));
                        e.conditions.push(format!("{details} = {was}"));
                    }
                    None => {
                        let m = e.value(":map", s("M"));
                        e.conditions
                            .push(format!("NOT attribute_type({details}, {m})"));
                    }
                }
            }
        }
        if !e
            .sets
            .iter()
            .chain(&e.conditions)
            .any(|s| s.contains(&details))
        {
            e.names.remove(&details);
        }
        e
    }
}

/// The condition that lets a status of rank `rank` replace the stored one: `status_rank` is not
/// above it, or, on a record from before `status_rank`, `status` is not one that ranks above it.
/// `None` when any stored status may be replaced.
fn rank_condition(e: &mut Expression, rank: i64) -> Option<String> {
    let above: Vec<&str> = STATUS_RANKS
        .iter()
        .filter(|(_, r)| *r > rank)
        .map(|(s, _)| *s)
        .collect();
    let unknown_ok = UNKNOWN_STATUS_RANK <= rank;
    if above.is_empty() && unknown_ok {
        return None;
    }
    let (status, status_rank) = (e.name("status"), e.name("status_rank"));
    let legacy = if unknown_ok {
        let list = (0..above.len())
            .map(|i| e.value(&format!(":s{i}"), s(above[i])))
            .collect::<Vec<_>>()
            .join(", ");
        format!("NOT {status} IN ({list})")
    } else {
        let at_most: Vec<&str> = STATUS_RANKS
            .iter()
            .filter(|(_, r)| *r <= rank)
            .map(|(s, _)| *s)
            .collect();
        let list = (0..at_most.len())
            .map(|i| e.value(&format!(":s{i}"), s(at_most[i])))
            .collect::<Vec<_>>()
            .join(", ");
        format!("{status} IN ({list})")
    };
    Some(format!(
        "({status_rank} <= :status_rank OR (attribute_not_exists({status_rank}) AND {legacy}))"
    ))
}

impl DynamoTracking {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        DynamoTracking {
            client,
            table: table.into(),
        }
    }

    async fn query(
        &self,
        index: &str,
        key: &str,
        value: &str,
    ) -> Result<Vec<TrackingRecord>, StoreError> {
        let mut out = Vec::new();
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            // `status` is a DynamoDB reserved word: every expression names attributes by alias.
            .key_condition_expression("#k = :v")
            .expression_attribute_names("#k", key)
            .expression_attribute_values(":v", s(value))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("Query", e))?;
            out.extend(page.items().iter().map(from_item));
        }
        Ok(out)
    }

    /// The document records of `status` created at or after `since` (all when `None`), newest
    /// first, at most `max` of them; `true` with them when more were left unread. One paginated
    /// Query of the `by_status` index: read units are spent on every item of that status in the
    /// range up to the cap, upload records included (the filter on `kind` only saves transfer).
    pub async fn recent_documents(
        &self,
        status: &str,
        since: Option<&str>,
        max: usize,
    ) -> Result<(Vec<TrackingRecord>, bool), StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("by_status")
            .scan_index_forward(false)
            .filter_expression("#kind = :document")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_values(":status", s(status))
            .expression_attribute_values(":document", s("document"));
        query = match since {
            Some(t) => query
                .key_condition_expression("#status = :status AND #created >= :since")
                .expression_attribute_names("#created", "created_at")
                .expression_attribute_values(":since", s(t)),
            None => query.key_condition_expression("#status = :status"),
        };
        let mut pages = query.into_paginator().send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("Query", e))?;
            for item in page.items() {
                if out.len() == max {
                    return Ok((out, true));
                }
                out.push(from_item(item));
            }
        }
        Ok((out, false))
    }

    /// One attempt: `Ok(None)` when it applied, `Ok(Some(item))` when its condition failed on
    /// the stored `item`.
    async fn attempt(&self, id: &str, plan: &Plan<'_>) -> Result<Option<Item>, StoreError> {
        let e = plan.expression();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", s(id))
            .update_expression(format!("SET {}", e.sets.join(", ")))
            .condition_expression(e.conditions.join(" AND "))
            .set_expression_attribute_names(Some(e.names))
            .set_expression_attribute_values(Some(e.values))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(None),
            Err(err) => match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(c)) => match c.item() {
                    Some(item) => Ok(Some(item.clone())),
                    None => Err(StoreError::Permanent(format!(
                        "tracking record {id} does not exist"
                    ))),
                },
                _ => Err(sdk_error("UpdateItem", err)),
            },
        }
    }
}

#[async_trait]
impl Tracking for DynamoTracking {
    async fn create(&self, r: &TrackingRecord) -> Result<bool, StoreError> {
        put_if_absent(&self.client, &self.table, to_item(r)).await
    }

    async fn update(&self, id: &str, u: &TrackingUpdate) -> Result<(), StoreError> {
        let mut plan = Plan::first(u);
        for _ in 0..MAX_ATTEMPTS {
            match self.attempt(id, &plan).await? {
                None => return Ok(()),
                Some(stored) => plan = plan.after(&stored),
            }
        }
        Err(StoreError::Transient(format!(
            "tracking record {id}: still changing under {MAX_ATTEMPTS} attempts to update it"
        )))
    }

    async fn get(&self, id: &str) -> Result<Option<TrackingRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", s(id))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", e))?;
        Ok(out.item().map(from_item))
    }

    async fn by_batch(&self, batch_id: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        self.query("by_batch", "batch_id", batch_id).await
    }

    async fn by_status(&self, status: &str) -> Result<Vec<TrackingRecord>, StoreError> {
        self.query("by_status", "status", status).await
    }
}

/// One conditional PutItem keyed on `id`: `false` when an item with that id already exists,
/// which is how both tables of the stack refuse to overwrite.
pub(crate) async fn put_if_absent(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    item: HashMap<String, AttributeValue>,
) -> Result<bool, StoreError> {
    let result = client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(id)")
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(sdk_error("PutItem", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trips_through_attribute_values() {
        let v = json!({
            "null": null, "yes": true, "no": false, "text": "", "unicode": "é ✓",
            "int": -3, "big": u64::MAX, "min": i64::MIN, "float": 2.5, "whole_float": 3.0,
            "tiny": 1e-7, "list": [1, "a", [null], {"k": {}}], "nested": {"b": {"c": [true]}},
        });
        let back = from_attr(&to_attr(&v));
        assert_eq!(back, v);
        // Each number comes back as the kind it was.
        assert!(back["int"].is_i64() && back["big"].is_u64() && back["min"].is_i64());
        assert!(back["float"].is_f64() && back["whole_float"].is_f64());
        assert_eq!(back["big"].as_u64(), Some(u64::MAX));
        // A map's keys come back sorted.
        let keys: Vec<&String> = back.as_object().unwrap().keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn each_json_kind_has_its_attribute_kind() {
        assert_eq!(to_attr(&json!(null)), AttributeValue::Null(true));
        assert_eq!(to_attr(&json!(true)), AttributeValue::Bool(true));
        assert_eq!(to_attr(&json!(7)), AttributeValue::N("7".into()));
        assert_eq!(to_attr(&json!(0.5)), AttributeValue::N("0.5".into()));
        assert_eq!(to_attr(&json!("x")), AttributeValue::S("x".into()));
        assert_eq!(
            to_attr(&json!([1])),
            AttributeValue::L(vec![AttributeValue::N("1".into())])
        );
        assert_eq!(
            to_attr(&json!({"a": "b"})),
            AttributeValue::M(HashMap::from([("a".into(), s("b"))]))
        );
        assert_eq!(
            from_attr(&AttributeValue::Ss(vec!["a".into()])),
            json!(["a"])
        );
        assert_eq!(
            from_attr(&AttributeValue::Ns(vec!["1".into(), "1.5".into()])),
            json!([1, 1.5])
        );
        // DynamoDB's own spellings of numbers.
        assert_eq!(number("1E+2"), json!(100.0));
        assert_eq!(number("-0"), json!(0));
    }

    fn record(details: Value) -> TrackingRecord {
        TrackingRecord {
            id: "d1".into(),
            kind: "document".into(),
            batch_id: Some("b1".into()),
            status: "COMPLETED".into(),
            created_at: "t0".into(),
            updated_at: "t0".into(),
            source: None,
            execution: None,
            reason: None,
            details,
        }
    }

    #[test]
    fn items_keep_details_as_a_map_and_read_the_old_text_form() {
        let r = record(json!({"pages": 3, "sections": [{"class": "W2"}]}));
        let item = to_item(&r);
        assert!(item["details"].is_m());
        assert_eq!(item["status_rank"], AttributeValue::N("2".into()));
        assert_eq!(from_item(&item), r);

        let mut old = item.clone();
        old.insert(
            "details".into(),
            s(r#"{"pages":3,"sections":[{"class":"W2"}]}"#),
        );
        old.remove("status_rank");
        assert_eq!(from_item(&old), r);

        for details in [json!("just text"), json!(null), json!([1, 2])] {
            let r = record(details);
            assert_eq!(from_item(&to_item(&r)), r);
        }
    }

    fn update(status: Option<&str>, details: Option<Value>) -> TrackingUpdate {
        TrackingUpdate {
            status: status.map(str::to_string),
            reason: Some("why".into()),
            execution: Some("arn:exec".into()),
            details,
            updated_at: "t1".into(),
        }
    }

    #[test]
    fn an_update_is_one_expression_with_one_set_per_details_key() {
        let u = update(Some("RUNNING"), Some(json!({"a": 1, "b": {"c": 2}})));
        let e = Plan::first(&u).expression();
        assert_eq!(
            e.sets,
            [
                "#updated_at = :updated_at",
                "#execution = :execution",
                "#status = :status",
                "#status_rank = :status_rank",
                "#reason = :reason",
                "#details.#d0 = :d0",
                "#details.#d1 = :d1",
            ]
        );
        assert_eq!(
            e.conditions,
            [
                "attribute_exists(#id)",
                "(#status_rank <= :status_rank OR (attribute_not_exists(#status_rank) \
                 AND NOT #status IN (:s0, :s1)))",
                "attribute_type(#details, :map)",
            ]
        );
        assert_eq!(e.names["#d1"], "b");
        assert_eq!(e.values[":s0"], s("COMPLETED"));
        assert_eq!(e.values[":status_rank"], AttributeValue::N("1".into()));
        assert!(e.values[":d1"].is_m());

        // QUEUED may only replace QUEUED on an old record; a terminal status replaces anything.
        let e = Plan::first(&update(Some("QUEUED"), None)).expression();
        assert!(e.conditions[1].ends_with("AND #status IN (:s0)))"), "{e:?}");
        assert_eq!(e.values[":s0"], s("QUEUED"));
        assert!(!e.names.contains_key("#details"));
        let e = Plan::first(&update(Some("FAILED"), None)).expression();
        assert_eq!(e.conditions, ["attribute_exists(#id)"]);
    }

    #[test]
    fn a_failed_condition_drops_a_backwards_status_with_its_reason() {
        let u = update(Some("RUNNING"), Some(json!({"a": 1})));
        let stored = to_item(&record(json!({"pages": 3})));
        let next = Plan::first(&u).after(&stored);
        assert!(!next.with_status);
        assert_eq!(next.details, Plan::first(&u).details);
        let e = next.expression();
        assert!(
            !e.sets
                .iter()
                .any(|s| s.contains("status") || s.contains("reason"))
        );
        assert!(e.sets.contains(&"#execution = :execution".to_string()));
        assert!(e.sets.contains(&"#details.#d0 = :d0".to_string()));
        assert_eq!(
            e.conditions,
            ["attribute_exists(#id)", "attribute_type(#details, :map)"]
        );

        // On an old record the rank comes from the status.
        let mut old = stored.clone();
        old.remove("status_rank");
        assert!(!Plan::first(&u).after(&old).with_status);
        old.insert("status".into(), s("QUEUED"));
        assert!(Plan::first(&u).after(&old).with_status);
    }

    #[test]
    fn old_text_details_are_replaced_by_the_merged_map_while_unchanged() {
        let u = update(None, Some(json!({"a": 1})));
        let mut old = to_item(&record(Value::Null));
        old.insert("details".into(), s(r#"{"pages":3}"#));
        let next = Plan::first(&u).after(&old);
        assert_eq!(
            next.details,
            DetailsPlan::Replace {
                value: json!({"pages": 3, "a": 1}),
                was: Some(r#"{"pages":3}"#.into()),
            }
        );
        let e = next.expression();
        assert!(e.sets.contains(&"#details = :details".to_string()));
        assert!(e.values[":details"].is_m());
        assert_eq!(e.conditions[1], "#details = :was");

        let null = to_item(&record(Value::Null));
        let e = Plan::first(&u).after(&null).expression();
        assert_eq!(e.conditions[1], "NOT attribute_type(#details, :map)");
        assert_eq!(from_attr(&e.values[":details"]), json!({"a": 1}));

        // Once it is a Map, keys again.
        let map = to_item(&record(json!({})));
        assert!(matches!(next.after(&map).details, DetailsPlan::Keys(_)));
    }
}
