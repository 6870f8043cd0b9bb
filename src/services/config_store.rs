//! Versions of the stack's configuration (document classes and whatever else operators push),
//! and which one is active. A version is written once and never changed: a push takes the next
//! number, and activating one only moves a small pointer, which is what a warm function reads
//! every few seconds. The body is opaque JSON here; what it means is the caller's business.
//!
//! DynamoDB in AWS ([`DynamoConfigStore`], the stack's `ConfigurationTable`, with bodies too big
//! for an item in the working bucket under [`CONFIG_OBJECT_PREFIX`]); SQLite on this machine
//! ([`SqliteConfigStore`], in the local stack's `idpctl.db`). Both give the same answers and the
//! same error texts.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::aws::sdk_error;
use super::{ObjectStore, StoreError, clock};

/// Where configuration bodies live in the working bucket. The bucket's expiry rules leave this
/// prefix alone (see `templates/storage.yaml.hbs`): a version must outlive the scratch data.
pub const CONFIG_OBJECT_PREFIX: &str = "config/";

/// Bodies up to this many bytes (compact JSON) sit in the version's item; larger ones go to
/// the working bucket. DynamoDB's item limit is 400 KB, and the metadata needs room too.
pub const INLINE_BODY_LIMIT: usize = 300 * 1024;

/// The most a version's own text (pushed_by, sources, description) may take, so an item with an
/// inline body always stays under DynamoDB's limit.
pub const MAX_METADATA_BYTES: usize = 32 * 1024;

/// How a version came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Pushed into a running stack by an operator.
    Push,
    /// Written by `deploy`.
    Deploy,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Push => "push",
            Origin::Deploy => "deploy",
        }
    }

    fn parse(text: &str, version: u64) -> Result<Self, StoreError> {
        match text {
            "push" => Ok(Origin::Push),
            "deploy" => Ok(Origin::Deploy),
            other => Err(StoreError::Permanent(format!(
                "configuration version {version} has an unknown origin `{other}` (expected push or deploy)"
            ))),
        }
    }
}

/// What a push says about the version beside its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVersion {
    pub pushed_by: String,
    pub origin: Origin,
    /// The file names it was built from.
    pub sources: Vec<String>,
    pub description: Option<String>,
}

/// A stored version's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigVersion {
    /// 1, 2, 3…; a push that failed half-way may leave a number unused.
    pub version: u64,
    /// Lowercase hex SHA-256 of the canonical JSON body ([`canonical_json`]).
    pub sha256: String,
    /// Bytes of the stored (compact JSON) body.
    pub size_bytes: u64,
    pub pushed_by: String,
    /// RFC 3339, UTC.
    pub pushed_at: String,
    pub origin: Origin,
    pub sources: Vec<String>,
    pub description: Option<String>,
}

/// The pointer to the version functions use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Active {
    pub version: u64,
    pub activated_by: String,
    /// RFC 3339, UTC.
    pub activated_at: String,
}

/// A version with its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredConfig {
    pub meta: ConfigVersion,
    pub body: Value,
}

#[async_trait]
pub trait ConfigStore: Send + Sync {
    /// Stores a new version (next number; never overwrites — two concurrent pushes get different
    /// numbers). The body is stored as written, key order kept; its digest is of the
    /// canonical form ([`canonical_json`]).
    async fn push(&self, body: &Value, new: NewVersion) -> Result<ConfigVersion, StoreError>;
    async fn get(&self, version: u64) -> Result<Option<StoredConfig>, StoreError>;
    /// Only the pointer: one small read, what a warm function does every few seconds.
    async fn active(&self) -> Result<Option<Active>, StoreError>;
    /// Errors (StoreError::Permanent naming the version and the highest one that exists) if the
    /// version does not exist.
    async fn activate(&self, version: u64, by: &str) -> Result<Active, StoreError>;
    /// All versions, oldest first, metadata only.
    async fn list(&self) -> Result<Vec<ConfigVersion>, StoreError>;
}

/// The body as text with every object's keys sorted, no whitespace: equal bodies give equal text
/// (and so an equal [`ConfigVersion::sha256`]) whatever order their keys were written in.
pub fn canonical_json(body: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(body).to_string()
}

/// The SHA-256 a version of this body records: equal configurations, equal digests.
pub fn body_sha256(body: &Value) -> String {
    sha256_hex(&canonical_json(body))
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The stored text of a body and the metadata of the version it will become.
fn prepare(
    body: &Value,
    new: NewVersion,
    version: u64,
) -> Result<(String, ConfigVersion), StoreError> {
    let metadata = new.pushed_by.len()
        + new.sources.iter().map(String::len).sum::<usize>()
        + new.description.as_ref().map_or(0, String::len);
    if metadata > MAX_METADATA_BYTES {
        return Err(StoreError::Permanent(format!(
            "a configuration version's pushed_by, sources and description take {metadata} bytes; \
             at most {MAX_METADATA_BYTES} fit beside the body"
        )));
    }
    // Stored as written: key order is meaning to people (a class's properties are its fields
    // in order), while the digest is over the canonical form, so key order does not change it.
    let text = serde_json::to_string(body)
        .map_err(|e| StoreError::Permanent(format!("the configuration is not JSON: {e}")))?;
    let meta = ConfigVersion {
        version,
        sha256: body_sha256(body),
        size_bytes: text.len() as u64,
        pushed_by: new.pushed_by,
        pushed_at: clock::now_rfc3339(),
        origin: new.origin,
        sources: new.sources,
        description: new.description,
    };
    Ok((text, meta))
}

/// Reads a stored body back, checking it is the one the version records.
fn parse_body(meta: &ConfigVersion, text: &str, from: &str) -> Result<Value, StoreError> {
    let body: Value = serde_json::from_str(text).map_err(|e| {
        StoreError::Permanent(format!(
            "configuration version {}: the body in {from} is not JSON: {e}",
            meta.version
        ))
    })?;
    let sha = body_sha256(&body);
    if sha != meta.sha256 {
        return Err(StoreError::Permanent(format!(
            "configuration version {}: the body in {from} has sha256 {sha}, the version records {}",
            meta.version, meta.sha256
        )));
    }
    Ok(body)
}

/// The error for activating a version that does not exist (the same text from both stores).
fn missing_version(version: u64, highest: Option<u64>) -> StoreError {
    StoreError::Permanent(match highest {
        Some(h) => format!("configuration version {version} does not exist (the highest is {h})"),
        None => {
            format!("configuration version {version} does not exist (no version has been pushed)")
        }
    })
}

// ---- DynamoDB ------------------------------------------------------------------------------------

type Item = HashMap<String, AttributeValue>;

/// How often a push takes a new number after finding its number already used (only possible
/// when the counter item fell behind the versions, e.g. someone deleted it).
const PUSH_ATTEMPTS: usize = 5;

/// The stack's `ConfigurationTable` (hash key `id` only), holding
/// - `id = "version#0000000001"`: one item per version, its metadata, and the body inline (`body`)
///   or the working-bucket key of the body (`body_key`, written before the item, so an item never
///   points at a missing object);
/// - `id = "counter"`: `latest`, the last number handed out (an atomic `ADD`);
/// - `id = "active"`: the pointer (`version`, `activated_by`, `activated_at`).
pub struct DynamoConfigStore {
    ddb: aws_sdk_dynamodb::Client,
    table: String,
    objects: Arc<dyn ObjectStore>,
    working_bucket: String,
}

const COUNTER_ID: &str = "counter";
const ACTIVE_ID: &str = "active";
const VERSION_PREFIX: &str = "version#";
/// Every attribute of a version item but the body (what `list` reads).
const METADATA_ATTRIBUTES: [&str; 9] = [
    "id",
    "version",
    "sha256",
    "size_bytes",
    "pushed_by",
    "pushed_at",
    "origin",
    "sources",
    "description",
];

fn version_id(version: u64) -> String {
    format!("{VERSION_PREFIX}{version:010}")
}

/// The working-bucket key of a body too large for its item.
pub fn body_object_key(version: u64) -> String {
    format!("{CONFIG_OBJECT_PREFIX}versions/{version:010}.json")
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// `#a, #b, …` for attribute names, with the aliases (several are DynamoDB reserved words).
fn projection(attrs: &[&str]) -> (String, HashMap<String, String>) {
    let names: HashMap<String, String> = attrs
        .iter()
        .map(|a| (format!("#{a}"), a.to_string()))
        .collect();
    let expr = attrs
        .iter()
        .map(|a| format!("#{a}"))
        .collect::<Vec<_>>()
        .join(", ");
    (expr, names)
}

fn version_item(meta: &ConfigVersion) -> Item {
    let mut item = HashMap::from([
        ("id".to_string(), s(&version_id(meta.version))),
        ("version".to_string(), n(meta.version)),
        ("sha256".to_string(), s(&meta.sha256)),
        ("size_bytes".to_string(), n(meta.size_bytes)),
        ("pushed_by".to_string(), s(&meta.pushed_by)),
        ("pushed_at".to_string(), s(&meta.pushed_at)),
        ("origin".to_string(), s(meta.origin.as_str())),
        (
            "sources".to_string(),
            AttributeValue::L(meta.sources.iter().map(|x| s(x)).collect()),
        ),
    ]);
    if let Some(d) = &meta.description {
        item.insert("description".into(), s(d));
    }
    item
}

/// Reads one attribute of an item, naming what is missing or malformed.
struct Reader<'a> {
    item: &'a Item,
    what: String,
}

impl Reader<'_> {
    fn bad(&self, attr: &str, expected: &str) -> StoreError {
        StoreError::Permanent(format!(
            "{}: attribute `{attr}` is missing or not {expected}",
            self.what
        ))
    }

    fn opt_s(&self, attr: &str) -> Option<String> {
        self.item.get(attr).and_then(|v| v.as_s().ok()).cloned()
    }

    fn s(&self, attr: &str) -> Result<String, StoreError> {
        self.opt_s(attr).ok_or_else(|| self.bad(attr, "a string"))
    }

    fn n(&self, attr: &str) -> Result<u64, StoreError> {
        self.item
            .get(attr)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| self.bad(attr, "a whole number"))
    }

    fn list(&self, attr: &str) -> Result<Vec<String>, StoreError> {
        match self.item.get(attr) {
            None => Ok(Vec::new()),
            Some(AttributeValue::L(items)) => items
                .iter()
                .map(|v| {
                    v.as_s()
                        .cloned()
                        .map_err(|_| self.bad(attr, "a list of strings"))
                })
                .collect(),
            Some(_) => Err(self.bad(attr, "a list of strings")),
        }
    }
}

fn version_from_item(item: &Item) -> Result<ConfigVersion, StoreError> {
    let id = item.get("id").and_then(|v| v.as_s().ok());
    let r = Reader {
        item,
        what: format!(
            "configuration item {}",
            id.map_or("without an id", String::as_str)
        ),
    };
    let version = r.n("version")?;
    Ok(ConfigVersion {
        version,
        sha256: r.s("sha256")?,
        size_bytes: r.n("size_bytes")?,
        pushed_by: r.s("pushed_by")?,
        pushed_at: r.s("pushed_at")?,
        origin: Origin::parse(&r.s("origin")?, version)?,
        sources: r.list("sources")?,
        description: r.opt_s("description"),
    })
}

fn active_from_item(item: &Item) -> Result<Active, StoreError> {
    let r = Reader {
        item,
        what: "configuration item active".into(),
    };
    Ok(Active {
        version: r.n("version")?,
        activated_by: r.s("activated_by")?,
        activated_at: r.s("activated_at")?,
    })
}

impl DynamoConfigStore {
    pub fn new(
        ddb: aws_sdk_dynamodb::Client,
        table: String,
        objects: Arc<dyn ObjectStore>,
        working_bucket: String,
    ) -> Self {
        DynamoConfigStore {
            ddb,
            table,
            objects,
            working_bucket,
        }
    }

    /// The next number from the counter item (created by the first `ADD`).
    async fn next_number(&self) -> Result<u64, StoreError> {
        let out = self
            .ddb
            .update_item()
            .table_name(&self.table)
            .key("id", s(COUNTER_ID))
            .update_expression("ADD #latest :one")
            .expression_attribute_names("#latest", "latest")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| sdk_error("UpdateItem", e))?;
        out.attributes()
            .and_then(|a| a.get("latest"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                StoreError::Permanent(format!(
                    "{}: the counter update returned no number",
                    self.table
                ))
            })
    }

    /// Moves the counter up to the highest existing version, after a push found its number
    /// taken (the counter is behind). Never moves it down.
    async fn catch_up_counter(&self) -> Result<(), StoreError> {
        let Some(highest) = self.list().await?.last().map(|v| v.version) else {
            return Ok(());
        };
        let result = self
            .ddb
            .update_item()
            .table_name(&self.table)
            .key("id", s(COUNTER_ID))
            .update_expression("SET #latest = :h")
            .condition_expression("attribute_not_exists(#latest) OR #latest < :h")
            .expression_attribute_names("#latest", "latest")
            .expression_attribute_values(":h", n(highest))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Someone else moved it at least as far.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(sdk_error("UpdateItem", e)),
        }
    }

    async fn get_item(&self, id: &str, attrs: Option<&[&str]>) -> Result<Option<Item>, StoreError> {
        let mut req = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .key("id", s(id))
            .consistent_read(true);
        if let Some(attrs) = attrs {
            let (expr, names) = projection(attrs);
            req = req
                .projection_expression(expr)
                .set_expression_attribute_names(Some(names));
        }
        let out = req.send().await.map_err(|e| sdk_error("GetItem", e))?;
        Ok(out.item().cloned())
    }

    /// One attempt at storing version `version`: `Ok(false)` when the number is already used.
    async fn put_version(&self, text: &str, meta: &ConfigVersion) -> Result<bool, StoreError> {
        let mut item = version_item(meta);
        if text.len() <= INLINE_BODY_LIMIT {
            item.insert("body".into(), s(text));
        } else {
            let key = body_object_key(meta.version);
            // A body object already there belongs to a version item that has the number (bodies
            // are written before items): never overwrite it.
            if self.objects.exists(&self.working_bucket, &key).await? {
                return Ok(false);
            }
            self.objects
                .put(
                    &self.working_bucket,
                    &key,
                    text.as_bytes().to_vec(),
                    "application/json",
                )
                .await?;
            item.insert("body_key".into(), s(&key));
        }
        super::dynamo_tracking::put_if_absent(&self.ddb, &self.table, item).await
    }
}

#[async_trait]
impl ConfigStore for DynamoConfigStore {
    async fn push(&self, body: &Value, new: NewVersion) -> Result<ConfigVersion, StoreError> {
        let (text, mut meta) = prepare(body, new, 0)?;
        for attempt in 0..PUSH_ATTEMPTS {
            if attempt > 0 {
                self.catch_up_counter().await?;
            }
            meta.version = self.next_number().await?;
            if self.put_version(&text, &meta).await? {
                return Ok(meta);
            }
        }
        Err(StoreError::Transient(format!(
            "{}: every configuration version number the counter gave in {PUSH_ATTEMPTS} attempts \
             was already used",
            self.table
        )))
    }

    async fn get(&self, version: u64) -> Result<Option<StoredConfig>, StoreError> {
        let Some(item) = self.get_item(&version_id(version), None).await? else {
            return Ok(None);
        };
        let meta = version_from_item(&item)?;
        let body = match (item.get("body"), item.get("body_key")) {
            (Some(AttributeValue::S(text)), _) => parse_body(
                &meta,
                text,
                &format!("{}/{}", self.table, version_id(version)),
            )?,
            (_, Some(AttributeValue::S(key))) => {
                let bytes = self.objects.get(&self.working_bucket, key).await?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    StoreError::Permanent(format!(
                        "configuration version {version}: s3://{}/{key} is not UTF-8 text",
                        self.working_bucket
                    ))
                })?;
                parse_body(&meta, &text, &format!("s3://{}/{key}", self.working_bucket))?
            }
            _ => {
                return Err(StoreError::Permanent(format!(
                    "configuration item {}: neither `body` nor `body_key` is a string",
                    version_id(version)
                )));
            }
        };
        Ok(Some(StoredConfig { meta, body }))
    }

    async fn active(&self) -> Result<Option<Active>, StoreError> {
        let attrs = ["version", "activated_by", "activated_at"];
        self.get_item(ACTIVE_ID, Some(&attrs))
            .await?
            .map(|item| active_from_item(&item))
            .transpose()
    }

    /// Reads the version first, then writes the pointer: DynamoDB cannot condition one item on
    /// another. The race (the version vanishing in between) cannot happen, as versions are never
    /// deleted or changed.
    async fn activate(&self, version: u64, by: &str) -> Result<Active, StoreError> {
        if self
            .get_item(&version_id(version), Some(&["id"]))
            .await?
            .is_none()
        {
            let highest = self.list().await?.last().map(|v| v.version);
            return Err(missing_version(version, highest));
        }
        let active = Active {
            version,
            activated_by: by.to_string(),
            activated_at: clock::now_rfc3339(),
        };
        self.ddb
            .put_item()
            .table_name(&self.table)
            .item("id", s(ACTIVE_ID))
            .item("version", n(active.version))
            .item("activated_by", s(&active.activated_by))
            .item("activated_at", s(&active.activated_at))
            .send()
            .await
            .map_err(|e| sdk_error("PutItem", e))?;
        Ok(active)
    }

    /// A Scan (the table has no other key), so it reads every item once; the body attribute is
    /// left out of the answer.
    async fn list(&self) -> Result<Vec<ConfigVersion>, StoreError> {
        let (expr, names) = projection(&METADATA_ATTRIBUTES);
        let mut pages = self
            .ddb
            .scan()
            .table_name(&self.table)
            .consistent_read(true)
            .filter_expression("begins_with(#id, :prefix)")
            .expression_attribute_values(":prefix", s(VERSION_PREFIX))
            .projection_expression(expr)
            .set_expression_attribute_names(Some(names))
            .into_paginator()
            .send();
        let mut versions = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("Scan", e))?;
            for item in page.items() {
                versions.push(version_from_item(item)?);
            }
        }
        versions.sort_by_key(|v| v.version);
        Ok(versions)
    }
}

// ---- SQLite --------------------------------------------------------------------------------------

/// The local twin: two tables in the local stack's database (`LocalLayout::database()`), bodies
/// inline. Numbers come from `MAX(version) + 1` inside a `BEGIN IMMEDIATE` transaction, which
/// takes the write lock first, so two processes pushing at once get different numbers.
pub struct SqliteConfigStore {
    conn: Mutex<Connection>,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::sqlite("configuration", e)
}

const SQL_COLUMNS: &str =
    "version, sha256, size_bytes, pushed_by, pushed_at, origin, sources, description";

/// A row as read, before its text columns are checked.
struct Row {
    version: i64,
    sha256: String,
    size_bytes: i64,
    pushed_by: String,
    pushed_at: String,
    origin: String,
    sources: String,
    description: Option<String>,
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        version: r.get(0)?,
        sha256: r.get(1)?,
        size_bytes: r.get(2)?,
        pushed_by: r.get(3)?,
        pushed_at: r.get(4)?,
        origin: r.get(5)?,
        sources: r.get(6)?,
        description: r.get(7)?,
    })
}

impl Row {
    fn into_version(self) -> Result<ConfigVersion, StoreError> {
        let version = self.version as u64;
        Ok(ConfigVersion {
            version,
            sha256: self.sha256,
            size_bytes: self.size_bytes as u64,
            pushed_by: self.pushed_by,
            pushed_at: self.pushed_at,
            origin: Origin::parse(&self.origin, version)?,
            sources: serde_json::from_str(&self.sources).map_err(|e| {
                StoreError::Permanent(format!(
                    "configuration version {version}: sources are not a JSON list of names: {e}"
                ))
            })?,
            description: self.description,
        })
    }
}

/// Version numbers as SQLite integers (i64); anything larger is refused, not wrapped.
fn sql_version(version: u64) -> Option<i64> {
    i64::try_from(version).ok()
}

const CONFIG_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS config_versions (
        version INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL,
        pushed_by TEXT NOT NULL, pushed_at TEXT NOT NULL, origin TEXT NOT NULL,
        sources TEXT NOT NULL, description TEXT, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS config_active (
        id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL,
        activated_by TEXT NOT NULL, activated_at TEXT NOT NULL);";

impl SqliteConfigStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::init(Some(path))
    }

    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(None)
    }

    fn init(path: Option<&Path>) -> Result<Self, StoreError> {
        Ok(SqliteConfigStore {
            conn: Mutex::new(super::sqlite::open(path, "configuration", CONFIG_SCHEMA)?),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Permanent("configuration database lock poisoned".into()))?;
        f(&mut conn)
    }

    fn highest(c: &Connection) -> Result<Option<u64>, StoreError> {
        c.query_row("SELECT MAX(version) FROM config_versions", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .map(|v| v.map(|v| v as u64))
        .map_err(db_err)
    }
}

#[async_trait]
impl ConfigStore for SqliteConfigStore {
    async fn push(&self, body: &Value, new: NewVersion) -> Result<ConfigVersion, StoreError> {
        let (text, mut meta) = prepare(body, new, 0)?;
        let sources = serde_json::to_string(&meta.sources)
            .map_err(|e| StoreError::Permanent(format!("configuration sources: {e}")))?;
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let version = Self::highest(&tx)?.unwrap_or(0) + 1;
            meta.version = version;
            tx.execute(
                &format!("INSERT INTO config_versions ({SQL_COLUMNS}, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    version as i64,
                    meta.sha256,
                    meta.size_bytes as i64,
                    meta.pushed_by,
                    meta.pushed_at,
                    meta.origin.as_str(),
                    sources,
                    meta.description,
                    text
                ],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)
        })?;
        Ok(meta)
    }

    async fn get(&self, version: u64) -> Result<Option<StoredConfig>, StoreError> {
        let Some(v) = sql_version(version) else {
            return Ok(None);
        };
        let row = self.with(|c| {
            c.query_row(
                &format!("SELECT {SQL_COLUMNS}, body FROM config_versions WHERE version = ?1"),
                params![v],
                |r| Ok((read_row(r)?, r.get::<_, String>(8)?)),
            )
            .optional()
            .map_err(db_err)
        })?;
        let Some((row, text)) = row else {
            return Ok(None);
        };
        let meta = row.into_version()?;
        let body = parse_body(&meta, &text, "config_versions")?;
        Ok(Some(StoredConfig { meta, body }))
    }

    async fn active(&self) -> Result<Option<Active>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT version, activated_by, activated_at FROM config_active WHERE id = 1",
                [],
                |r| {
                    Ok(Active {
                        version: r.get::<_, i64>(0)? as u64,
                        activated_by: r.get(1)?,
                        activated_at: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(db_err)
        })
    }

    async fn activate(&self, version: u64, by: &str) -> Result<Active, StoreError> {
        let active = Active {
            version,
            activated_by: by.to_string(),
            activated_at: clock::now_rfc3339(),
        };
        self.with(|c| {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let exists = match sql_version(version) {
                Some(v) => tx
                    .query_row(
                        "SELECT 1 FROM config_versions WHERE version = ?1",
                        params![v],
                        |_| Ok(()),
                    )
                    .optional()
                    .map_err(db_err)?
                    .is_some(),
                None => false,
            };
            if !exists {
                return Err(missing_version(version, Self::highest(&tx)?));
            }
            tx.execute(
                "INSERT INTO config_active (id, version, activated_by, activated_at)
                 VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET version = excluded.version,
                     activated_by = excluded.activated_by, activated_at = excluded.activated_at",
                params![version as i64, active.activated_by, active.activated_at],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)
        })?;
        Ok(active)
    }

    async fn list(&self) -> Result<Vec<ConfigVersion>, StoreError> {
        let rows = self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {SQL_COLUMNS} FROM config_versions ORDER BY version"
                ))
                .map_err(db_err)?;
            let rows = stmt.query_map([], read_row).map_err(db_err)?;
            rows.collect::<rusqlite::Result<Vec<Row>>>().map_err(db_err)
        })?;
        rows.into_iter().map(Row::into_version).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn new(by: &str) -> NewVersion {
        NewVersion {
            pushed_by: by.into(),
            origin: Origin::Push,
            sources: vec!["w2.yaml".into(), "payslip.yaml".into()],
            description: Some("first cut".into()),
        }
    }

    #[tokio::test]
    async fn bodies_keep_their_key_order() {
        let store = SqliteConfigStore::in_memory().unwrap();
        let body = json!({"classes": [{"x-aws-idp-document-type": "A",
            "properties": {"zeta": {"type": "string"}, "alpha": {"type": "string"}}}]});
        let v = store.push(&body, new("me")).await.unwrap();
        let back = store.get(v.version).await.unwrap().unwrap().body;
        let keys: Vec<&String> = back["classes"][0]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["zeta", "alpha"]);
        assert_eq!(v.sha256, body_sha256(&body));
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let a = json!({"b": 1, "a": {"y": [{"q": 1, "p": 2}], "x": null}});
        let b: Value =
            serde_json::from_str(r#"{"a": {"x": null, "y": [{"p": 2, "q": 1}]}, "b": 1}"#).unwrap();
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"x":null,"y":[{"p":2,"q":1}]},"b":1}"#
        );
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_ne!(
            canonical_json(&json!([1, 2])),
            canonical_json(&json!([2, 1]))
        );
    }

    #[test]
    fn origin_is_lowercase_text() {
        assert_eq!(serde_json::to_value(Origin::Push).unwrap(), json!("push"));
        assert_eq!(
            serde_json::to_value(Origin::Deploy).unwrap(),
            json!("deploy")
        );
        assert_eq!(Origin::parse("deploy", 1).unwrap(), Origin::Deploy);
        assert!(Origin::parse("Push", 1).is_err());
    }

    #[test]
    fn keys_sort_as_numbers() {
        assert_eq!(version_id(1), "version#0000000001");
        assert_eq!(body_object_key(12), "config/versions/0000000012.json");
        assert!(body_object_key(1).starts_with(CONFIG_OBJECT_PREFIX));
        assert!(version_id(9) < version_id(10));
    }

    #[test]
    fn version_items_read_back() {
        let (_, meta) = prepare(&json!({"classes": []}), new("ana"), 4).unwrap();
        assert_eq!(version_from_item(&version_item(&meta)).unwrap(), meta);
        let mut bare = NewVersion {
            sources: vec![],
            description: None,
            ..new("ana")
        };
        bare.origin = Origin::Deploy;
        let (_, meta) = prepare(&json!(1), bare, 5).unwrap();
        assert_eq!(version_from_item(&version_item(&meta)).unwrap(), meta);
        let mut broken = version_item(&meta);
        broken.remove("sha256");
        let err = version_from_item(&broken).unwrap_err().to_string();
        assert_eq!(
            err,
            "configuration item version#0000000005: attribute `sha256` is missing or not a string"
        );
    }

    #[test]
    fn oversized_metadata_is_refused() {
        let mut big = new("ana");
        big.description = Some("x".repeat(MAX_METADATA_BYTES + 1));
        assert!(matches!(
            prepare(&json!({}), big, 1),
            Err(StoreError::Permanent(m)) if m.contains("at most 32768")
        ));
    }

    #[tokio::test]
    async fn pushes_number_versions_and_bodies_round_trip() {
        let store = SqliteConfigStore::in_memory().unwrap();
        let body1 = json!({"classes": [{"name": "W2", "fields": ["wages", "ssn"]}], "b": 1.5});
        let body2 = json!({"classes": []});
        let v1 = store.push(&body1, new("ana")).await.unwrap();
        let v2 = store.push(&body2, new("bo")).await.unwrap();
        assert_eq!((v1.version, v2.version), (1, 2));
        assert_eq!(v1.size_bytes, body1.to_string().len() as u64);
        assert_eq!(v1.sources, ["w2.yaml", "payslip.yaml"]);

        let got = store.get(1).await.unwrap().unwrap();
        assert_eq!(got.body, body1);
        assert_eq!(got.meta, v1);
        assert_eq!(store.get(2).await.unwrap().unwrap().body, body2);
        assert_eq!(store.get(3).await.unwrap(), None);
        assert_eq!(store.get(u64::MAX).await.unwrap(), None);

        // The same body, keys in another order: the same hash, a new version.
        let again: Value = serde_json::from_str(
            r#"{"b": 1.5, "classes": [{"fields": ["wages", "ssn"], "name": "W2"}]}"#,
        )
        .unwrap();
        let v3 = store.push(&again, new("ana")).await.unwrap();
        assert_eq!(v3.version, 3);
        assert_eq!(v3.sha256, v1.sha256);
        assert_ne!(v2.sha256, v1.sha256);
        assert_eq!(v1.sha256.len(), 64);

        let listed = store.list().await.unwrap();
        assert_eq!(
            listed.iter().map(|v| v.version).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(listed[0], v1);
    }

    #[tokio::test]
    async fn activate_moves_the_pointer_only_to_versions_that_exist() {
        let store = SqliteConfigStore::in_memory().unwrap();
        assert_eq!(store.active().await.unwrap(), None);
        let err = store.activate(1, "ana").await.unwrap_err();
        assert!(matches!(err, StoreError::Permanent(_)));
        assert_eq!(
            err.to_string(),
            "configuration version 1 does not exist (no version has been pushed)"
        );

        store.push(&json!({"a": 1}), new("ana")).await.unwrap();
        store.push(&json!({"a": 2}), new("ana")).await.unwrap();
        let err = store.activate(7, "ana").await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration version 7 does not exist (the highest is 2)"
        );
        assert_eq!(store.active().await.unwrap(), None);

        let a = store.activate(2, "ana").await.unwrap();
        assert_eq!(store.active().await.unwrap(), Some(a.clone()));
        assert_eq!((a.version, a.activated_by.as_str()), (2, "ana"));
        let b = store.activate(1, "bo").await.unwrap();
        assert_eq!(store.active().await.unwrap(), Some(b));
    }

    #[test]
    fn concurrent_pushes_from_two_processes_get_distinct_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("idpctl.db");
        // Each thread has its own connection, as two processes would.
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = SqliteConfigStore::open(&path).unwrap();
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .build()
                        .unwrap();
                    (0..20)
                        .map(|i| {
                            rt.block_on(store.push(&json!({"t": t, "i": i}), new("x")))
                                .unwrap()
                                .version
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<u64> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        all.sort();
        assert_eq!(all, (1..=40).collect::<Vec<_>>());
        let store = SqliteConfigStore::open(&path).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(rt.block_on(store.list()).unwrap().len(), 40);
    }

    #[test]
    fn shares_the_local_stacks_database_with_tracking() {
        let dir = tempfile::tempdir().unwrap();
        let layout = super::super::local::LocalLayout::new(dir.path());
        let _tracking = super::super::SqliteTracking::open(&layout.database()).unwrap();
        let store = SqliteConfigStore::open(&layout.database()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(
            rt.block_on(store.push(&json!({}), new("x")))
                .unwrap()
                .version,
            1
        );
    }

    /// The working bucket's expiry rules must cover every prefix the pipeline writes scratch data
    /// under, and never `config/`.
    #[test]
    fn working_bucket_expiry_spares_configuration_bodies() {
        let template = include_str!("../../templates/storage.yaml.hbs");
        let start = template.find("\n  WorkingBucket:").unwrap();
        let end = template.find("\n  WorkingBucketPolicy:").unwrap();
        let bucket = &template[start..end];
        let prefixes: Vec<&str> = bucket
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Prefix: "))
            .collect();
        assert!(!prefixes.is_empty(), "{bucket}");
        // Every expiring rule names a prefix (a rule without one would expire the whole bucket).
        let expirations = bucket.matches("ExpirationInDays:").count();
        assert_eq!(expirations, prefixes.len(), "{bucket}");
        for p in &prefixes {
            assert!(!CONFIG_OBJECT_PREFIX.starts_with(p) && !p.starts_with(CONFIG_OBJECT_PREFIX));
        }
        let scratch = [
            "documents/d-1/pages/1.json".to_string(),
            crate::handlers::hook_dispatch::test_outcome_key("idpctl-hook-test-1"),
        ];
        for key in scratch {
            assert!(
                prefixes.iter().any(|p| key.starts_with(p)),
                "{key} does not expire"
            );
        }
    }
}
