//! The Distributed Map: a Map state whose `ItemProcessor.ProcessorConfig.Mode` is
//! `DISTRIBUTED`. Each item (or batch of items) runs as a child execution with its own
//! execution id, so its Tasks are journaled under that id; the Map records each finished child
//! in the parent's journal, so a resumed run skips finished children entirely.
//!
//! The fields follow the AWS Step Functions guide:
//! - `ItemReader` (<https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html>):
//!   `arn:aws:states:::s3:getObject` with `ReaderConfig.InputType` `JSON` (an array), `JSONL`
//!   or `CSV` (`CSVHeaderLocation` `FIRST_ROW` or `GIVEN` with `CSVHeaders`, `CSVDelimiter`),
//!   and `arn:aws:states:::s3:listObjectsV2`; `MaxItems`/`MaxItemsPath`. Items are streamed
//!   from the object, never held all at once ([`reader`]).
//! - `ItemBatcher`: `MaxItemsPerBatch(Path)`, `MaxInputBytesPerBatch(Path)`, `BatchInput`;
//!   a child's input is then `{"BatchInput": …, "Items": […]}`.
//! - `ResultWriter` (`arn:aws:states:::s3:putObject`, `Parameters` `Bucket`/`Prefix`): writes
//!   `<Prefix>/<map-run-id>/manifest.json` with `SUCCEEDED_0.json`/`FAILED_0.json` beside it
//!   and the state's result becomes `{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}`
//!   ([`writer`]). Without it the result is the array of child outputs (256 KiB limit).
//! - `ToleratedFailureCount(Path)`/`ToleratedFailurePercentage(Path)`: beyond them (default 0)
//!   the Map fails with `States.ExceedToleratedFailureThreshold`.
//!
//! Not supported, refused when the definition loads: `ReaderConfig.InputType` `MANIFEST` and
//! `PARQUET`, `ResultWriter.WriterConfig`. S3 is reached through an [`ItemStore`]
//! ([`store`]); the local runtime gives the folders of its local buckets.

pub mod reader;
pub mod replay;
pub mod store;
pub mod writer;

use serde_json::Value;

use super::path::ReferencePath;
use super::template::PayloadTemplate;

pub use store::{FolderStore, ItemStore, ObjectInfo, STAGING, StoreFault};

/// Error names of the Distributed Map, as AWS reports them.
pub mod errors {
    /// The ItemReader could not read or parse its source.
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    /// The ResultWriter could not write the results.
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
}

/// `getObject` reads one object; `listObjectsV2` lists keys.
pub const GET_OBJECT: &str = "arn:aws:states:::s3:getObject";
/// Lists the objects under a prefix: each becomes an item.
pub const LIST_OBJECTS_V2: &str = "arn:aws:states:::s3:listObjectsV2";
/// The only ResultWriter resource.
pub const PUT_OBJECT: &str = "arn:aws:states:::s3:putObject";

/// What a Distributed Map adds to a Map state.
#[derive(Debug, Clone, PartialEq)]
pub struct Distributed {
    /// `ItemReader`; without it the items come from `ItemsPath` as for an inline Map.
    pub reader: Option<ItemReader>,
    /// `ItemBatcher`.
    pub batcher: Option<ItemBatcher>,
    /// `ResultWriter`.
    pub writer: Option<ResultWriter>,
    /// `Label` (the Map Run's name; the state name when absent).
    pub label: Option<String>,
}

/// Where items come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `s3:getObject`: one object holding the items.
    GetObject,
    /// `s3:listObjectsV2`: the objects under a prefix are the items.
    ListObjects,
}

/// The format of a `getObject` source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    /// A JSON array (the default).
    Json,
    /// One JSON value per line.
    Jsonl,
    /// Comma- (or other-) separated values; each row becomes an object of strings.
    Csv,
}

/// Where a CSV file's column names come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvHeader {
    /// The first row.
    FirstRow,
    /// `CSVHeaders` in the definition (the first row is data).
    Given(Vec<String>),
}

/// `ItemReader`.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReader {
    pub source: Source,
    /// `Parameters` (`Bucket`, `Key` or `Prefix`), applied to the Map's effective input.
    pub parameters: PayloadTemplate,
    pub input_type: InputType,
    pub csv_header: CsvHeader,
    pub csv_delimiter: u8,
    pub max_items: Option<u64>,
    pub max_items_path: Option<ReferencePath>,
}

/// `ItemBatcher`.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemBatcher {
    pub max_items: Option<u64>,
    pub max_items_path: Option<ReferencePath>,
    pub max_bytes: Option<u64>,
    pub max_bytes_path: Option<ReferencePath>,
    /// `BatchInput`: a payload template on the Map's effective input, or a literal.
    pub batch_input: Option<PayloadTemplate>,
}

/// `ResultWriter`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultWriter {
    /// `Parameters` (`Bucket`, `Prefix`), applied to the Map's effective input.
    pub parameters: PayloadTemplate,
}

fn obj<'a>(v: &'a Value, field: &str) -> Result<&'a serde_json::Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{field} must be a JSON object"))
}

fn reference(v: &Value, field: &str) -> Result<ReferencePath, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("{field} must be a string path"))?;
    ReferencePath::parse(s).map_err(|e| format!("{field}: {e}"))
}

fn count(v: &Value, field: &str) -> Result<u64, String> {
    v.as_u64()
        .ok_or_else(|| format!("{field} must be a non-negative integer, not {v}"))
}

fn template(v: &Value, field: &str) -> Result<PayloadTemplate, String> {
    PayloadTemplate::compile(v).map_err(|e| format!("{field}: {e}"))
}

/// Parses the Distributed Map fields of a Map state. `distributed` is whether its processor's
/// Mode is `DISTRIBUTED`; the fields belong to that mode only.
pub fn parse(
    distributed: bool,
    item_reader: Option<&Value>,
    item_batcher: Option<&Value>,
    result_writer: Option<&Value>,
    label: Option<&str>,
) -> Result<Option<Distributed>, String> {
    if !distributed {
        for (field, v) in [
            ("ItemReader", item_reader),
            ("ItemBatcher", item_batcher),
            ("ResultWriter", result_writer),
        ] {
            if v.is_some() {
                return Err(format!(
                    "{field} needs ItemProcessor.ProcessorConfig.Mode DISTRIBUTED (this Map runs INLINE)"
                ));
            }
        }
        return Ok(None);
    }
    if let Some(l) = label
        && (l.is_empty()
            || l.chars().count() > 40
            || l.chars()
                .any(|c| c.is_whitespace() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)))
    {
        return Err(format!(
            "Label {l:?} must be 1-40 characters without spaces or any of <>{{}}[]?*\"#%\\^|~`$&,;:/"
        ));
    }
    Ok(Some(Distributed {
        reader: item_reader.map(parse_reader).transpose()?,
        batcher: item_batcher.map(parse_batcher).transpose()?,
        writer: result_writer.map(parse_writer).transpose()?,
        label: label.map(str::to_string),
    }))
}

fn parse_reader(v: &Value) -> Result<ItemReader, String> {
    let m = obj(v, "ItemReader")?;
    let mut source = None;
    let mut parameters = None;
    let mut reader_config = None;
    for (k, val) in m {
        match k.as_str() {
            "Resource" => {
                source = Some(match val.as_str() {
                    Some(GET_OBJECT) => Source::GetObject,
                    Some(LIST_OBJECTS_V2) => Source::ListObjects,
                    _ => {
                        return Err(format!(
                            "ItemReader.Resource must be {GET_OBJECT} or {LIST_OBJECTS_V2}, not {val}"
                        ));
                    }
                })
            }
            "Parameters" => parameters = Some(template(val, "ItemReader.Parameters")?),
            "ReaderConfig" => reader_config = Some(obj(val, "ItemReader.ReaderConfig")?),
            other => return Err(format!("ItemReader: unknown field {other:?}")),
        }
    }
    let source = source.ok_or("ItemReader.Resource is required")?;
    let parameters = parameters.ok_or("ItemReader.Parameters is required")?;
    let mut reader = ItemReader {
        source,
        parameters,
        input_type: InputType::Json,
        csv_header: CsvHeader::FirstRow,
        csv_delimiter: b',',
        max_items: None,
        max_items_path: None,
    };
    let mut header_location = None;
    let mut headers: Option<Vec<String>> = None;
    for (k, val) in reader_config.into_iter().flatten() {
        let field = format!("ItemReader.ReaderConfig.{k}");
        match k.as_str() {
            "InputType" => {
                reader.input_type = match val.as_str() {
                    Some("JSON") => InputType::Json,
                    Some("JSONL") => InputType::Jsonl,
                    Some("CSV") => InputType::Csv,
                    Some(t @ ("MANIFEST" | "PARQUET")) => {
                        return Err(format!(
                            "{field} {t} is not supported (JSON, JSONL and CSV are)"
                        ));
                    }
                    _ => return Err(format!("{field} must be JSON, JSONL or CSV, not {val}")),
                }
            }
            "CSVHeaderLocation" => header_location = Some(val.as_str().unwrap_or_default()),
            "CSVHeaders" => {
                let list = val
                    .as_array()
                    .and_then(|a| a.iter().map(|h| h.as_str().map(str::to_string)).collect())
                    .ok_or_else(|| format!("{field} must be an array of strings"))?;
                headers = Some(list);
            }
            "CSVDelimiter" => {
                reader.csv_delimiter = match val.as_str() {
                    Some("COMMA") => b',',
                    Some("PIPE") => b'|',
                    Some("SEMICOLON") => b';',
                    Some("SPACE") => b' ',
                    Some("TAB") => b'\t',
                    _ => {
                        return Err(format!(
                            "{field} must be COMMA, PIPE, SEMICOLON, SPACE or TAB, not {val}"
                        ));
                    }
                }
            }
            "MaxItems" => reader.max_items = Some(count(val, &field)?),
            "MaxItemsPath" => reader.max_items_path = Some(reference(val, &field)?),
            other => return Err(format!("ItemReader.ReaderConfig: unknown field {other:?}")),
        }
    }
    if reader.max_items.is_some() && reader.max_items_path.is_some() {
        return Err("MaxItems and MaxItemsPath exclude each other".into());
    }
    reader.csv_header = match (header_location, headers) {
        (None | Some("FIRST_ROW"), None) => CsvHeader::FirstRow,
        (Some("GIVEN"), Some(h)) if !h.is_empty() => CsvHeader::Given(h),
        (Some("GIVEN"), _) => {
            return Err("CSVHeaderLocation GIVEN needs a non-empty CSVHeaders list".into());
        }
        (None | Some("FIRST_ROW"), Some(_)) => {
            return Err("CSVHeaders needs CSVHeaderLocation GIVEN".into());
        }
        (Some(other), _) => {
            return Err(format!(
                "CSVHeaderLocation must be FIRST_ROW or GIVEN, not {other:?}"
            ));
        }
    };
    Ok(reader)
}

fn parse_batcher(v: &Value) -> Result<ItemBatcher, String> {
    let m = obj(v, "ItemBatcher")?;
    let mut b = ItemBatcher {
        max_items: None,
        max_items_path: None,
        max_bytes: None,
        max_bytes_path: None,
        batch_input: None,
    };
    for (k, val) in m {
        let field = format!("ItemBatcher.{k}");
        match k.as_str() {
            "MaxItemsPerBatch" => b.max_items = Some(count(val, &field)?.max(1)),
            "MaxItemsPerBatchPath" => b.max_items_path = Some(reference(val, &field)?),
            "MaxInputBytesPerBatch" => b.max_bytes = Some(count(val, &field)?),
            "MaxInputBytesPerBatchPath" => b.max_bytes_path = Some(reference(val, &field)?),
            "BatchInput" => b.batch_input = Some(template(val, &field)?),
            other => return Err(format!("ItemBatcher: unknown field {other:?}")),
        }
    }
    if b.max_items.is_none()
        && b.max_items_path.is_none()
        && b.max_bytes.is_none()
        && b.max_bytes_path.is_none()
    {
        return Err(
            "ItemBatcher needs MaxItemsPerBatch(Path) or MaxInputBytesPerBatch(Path)".into(),
        );
    }
    Ok(b)
}

fn parse_writer(v: &Value) -> Result<ResultWriter, String> {
    let m = obj(v, "ResultWriter")?;
    let mut parameters = None;
    for (k, val) in m {
        match k.as_str() {
            "Resource" if val.as_str() == Some(PUT_OBJECT) => {}
            "Resource" => {
                return Err(format!(
                    "ResultWriter.Resource must be {PUT_OBJECT}, not {val}"
                ));
            }
            "Parameters" => parameters = Some(template(val, "ResultWriter.Parameters")?),
            "WriterConfig" => {
                return Err("ResultWriter.WriterConfig is not supported".into());
            }
            other => return Err(format!("ResultWriter: unknown field {other:?}")),
        }
    }
    if !m.contains_key("Resource") {
        return Err("ResultWriter.Resource is required".into());
    }
    Ok(ResultWriter {
        parameters: parameters.ok_or("ResultWriter.Parameters is required")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_parse_and_mistakes_are_named() {
        let r = json!({"Resource": GET_OBJECT, "Parameters": {"Bucket": "b", "Key.$": "$.k"},
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                             "CSVHeaders": ["a", "b"], "CSVDelimiter": "PIPE", "MaxItems": 3}});
        let d = parse(true, Some(&r), None, None, Some("Docs"))
            .unwrap()
            .unwrap();
        let reader = d.reader.unwrap();
        assert_eq!(reader.input_type, InputType::Csv);
        assert_eq!(
            reader.csv_header,
            CsvHeader::Given(vec!["a".into(), "b".into()])
        );
        assert_eq!((reader.csv_delimiter, reader.max_items), (b'|', Some(3)));

        let inline = parse(false, Some(&r), None, None, None).unwrap_err();
        assert!(inline.contains("DISTRIBUTED"), "{inline}");
        let bad = |v: Value| parse(true, Some(&v), None, None, None).unwrap_err();
        assert!(
            bad(json!({"Resource": "arn:aws:states:::s3:nope", "Parameters": {}}))
                .contains("Resource")
        );
        assert!(
            bad(json!({"Resource": GET_OBJECT, "Parameters": {},
            "ReaderConfig": {"InputType": "PARQUET"}}))
            .contains("not supported")
        );
        assert!(
            bad(json!({"Resource": GET_OBJECT, "Parameters": {},
            "ReaderConfig": {"CSVHeaderLocation": "GIVEN"}}))
            .contains("CSVHeaders")
        );
        let batcher = parse(true, None, Some(&json!({"BatchInput": {}})), None, None).unwrap_err();
        assert!(batcher.contains("MaxItemsPerBatch"), "{batcher}");
        let writer = parse(
            true,
            None,
            None,
            Some(&json!({"Resource": PUT_OBJECT,
            "Parameters": {"Bucket": "b"}, "WriterConfig": {}})),
            None,
        )
        .unwrap_err();
        assert!(writer.contains("WriterConfig"), "{writer}");
        assert!(parse(true, None, None, None, Some("has space")).is_err());
    }
}
