//! ItemReader: streams the items of an S3 object (or listing) to a callback one at a time, so
//! a manifest of any length costs the memory of one item. JSON arrays are read element by
//! element through serde's sequence visitor; JSONL line by line; CSV record by record (a small
//! RFC 4180 reader: quoted fields, doubled quotes, line breaks inside quotes).

use std::io::{BufRead, BufReader, Read};

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use super::errors::ITEM_READER_FAILED;
use super::store::ItemStore;
use super::{CsvHeader, InputType, ItemReader, Source};
use crate::asl::error::StatesError;

fn failed(cause: impl Into<String>) -> StatesError {
    StatesError::new(ITEM_READER_FAILED, cause)
}

fn param<'a>(params: &'a Value, name: &str, source: &str) -> Result<&'a str, StatesError> {
    params.get(name).and_then(Value::as_str).ok_or_else(|| {
        failed(format!(
            "ItemReader.Parameters must give a string {name} for {source}, got {params}"
        ))
    })
}

/// Calls `each` with every item (at most `max_items`) until it returns false; returns how
/// many items it was given. `params` is ItemReader.Parameters evaluated on the Map's input.
pub fn read_items(
    reader: &ItemReader,
    params: &Value,
    store: &dyn ItemStore,
    max_items: Option<u64>,
    each: &mut dyn FnMut(Value) -> bool,
) -> Result<u64, StatesError> {
    let mut given = 0u64;
    let mut sink = |item: Value| -> bool {
        if max_items.is_some_and(|m| given >= m) {
            return false;
        }
        given += 1;
        each(item) && max_items.is_none_or(|m| given < m)
    };
    match reader.source {
        Source::ListObjects => {
            let bucket = param(params, "Bucket", "s3:listObjectsV2")?;
            let prefix = params.get("Prefix").and_then(Value::as_str).unwrap_or("");
            let listing = store
                .list(bucket, prefix)
                .map_err(|e| failed(format!("listing s3://{bucket}/{prefix}: {e}")))?;
            for o in listing {
                let mut item = json!({"Key": o.key, "Size": o.size});
                if let Some(t) = o.last_modified {
                    item["LastModified"] = json!(t);
                }
                if !sink(item) {
                    break;
                }
            }
        }
        Source::GetObject => {
            let bucket = param(params, "Bucket", "s3:getObject")?;
            let key = param(params, "Key", "s3:getObject")?;
            let body = store
                .get(bucket, key)
                .map_err(|e| failed(format!("reading s3://{bucket}/{key}: {e}")))?;
            let at = format!("s3://{bucket}/{key}");
            match reader.input_type {
                InputType::Json => json_array(body, &mut sink),
                InputType::Jsonl => json_lines(body, &mut sink),
                InputType::Csv => csv(body, reader, &mut sink),
            }
            .map_err(|e| failed(format!("{at}: {e}")))?;
        }
    }
    Ok(given)
}

/// Elements of a top-level JSON array, one at a time.
fn json_array(
    body: Box<dyn Read + Send>,
    each: &mut dyn FnMut(Value) -> bool,
) -> Result<(), String> {
    struct Each<'a>(&'a mut dyn FnMut(Value) -> bool);
    impl<'de> Visitor<'de> for Each<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON array of items")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(item) = seq.next_element::<Value>()? {
                if !(self.0)(item) {
                    // Stop reading; the rest of the file is never parsed.
                    return Err(serde::de::Error::custom(Stop));
                }
            }
            Ok(())
        }
    }
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("\u{0}stop")
        }
    }
    let mut de = serde_json::Deserializer::from_reader(body);
    match (&mut de).deserialize_seq(Each(each)) {
        Ok(()) => de
            .end()
            .map_err(|e| format!("not a JSON array of items: {e}")),
        Err(e) if e.to_string().starts_with('\u{0}') => Ok(()),
        Err(e) => Err(format!("not a JSON array of items: {e}")),
    }
}

/// One JSON value per non-blank line.
fn json_lines(
    body: Box<dyn Read + Send>,
    each: &mut dyn FnMut(Value) -> bool,
) -> Result<(), String> {
    for (n, line) in BufReader::new(body).lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let item: Value =
            serde_json::from_str(&line).map_err(|e| format!("line {}: not JSON: {e}", n + 1))?;
        if !each(item) {
            break;
        }
    }
    Ok(())
}

fn csv(
    body: Box<dyn Read + Send>,
    reader: &ItemReader,
    each: &mut dyn FnMut(Value) -> bool,
) -> Result<(), String> {
    let mut records = CsvRecords {
        input: BufReader::new(body),
        delimiter: reader.csv_delimiter,
        line: 0,
    };
    let headers = match &reader.csv_header {
        CsvHeader::Given(h) => h.clone(),
        CsvHeader::FirstRow => match records.next_record()? {
            Some(h) => h,
            None => return Ok(()),
        },
    };
    while let Some(row) = records.next_record()? {
        if row.len() != headers.len() {
            return Err(format!(
                "row {} has {} fields but there are {} headers",
                records.line,
                row.len(),
                headers.len()
            ));
        }
        let item: Map<String, Value> = headers
            .iter()
            .cloned()
            .zip(row.into_iter().map(Value::String))
            .collect();
        if !each(Value::Object(item)) {
            break;
        }
    }
    Ok(())
}

/// Reads CSV records from a line-oriented input.
struct CsvRecords<R> {
    input: R,
    delimiter: u8,
    line: usize,
}

impl<R: BufRead> CsvRecords<R> {
    fn next_record(&mut self) -> Result<Option<Vec<String>>, String> {
        let mut fields = Vec::new();
        let mut field = Vec::new();
        let mut quoted = false;
        let mut buf = Vec::new();
        let mut started = false;
        loop {
            buf.clear();
            let n = self
                .input
                .read_until(b'\n', &mut buf)
                .map_err(|e| e.to_string())?;
            if n == 0 {
                if quoted {
                    return Err(format!("row {}: a quoted field never ends", self.line));
                }
                if !started {
                    return Ok(None);
                }
                fields.push(String::from_utf8_lossy(&field).into_owned());
                return Ok(Some(fields));
            }
            self.line += 1;
            if !started && !quoted && buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue; // blank lines between records
            }
            started = true;
            let mut i = 0;
            while i < buf.len() {
                let c = buf[i];
                if quoted {
                    if c == b'"' {
                        if buf.get(i + 1) == Some(&b'"') {
                            field.push(b'"');
                            i += 1;
                        } else {
                            quoted = false;
                        }
                    } else {
                        field.push(c);
                    }
                } else if c == b'"' && field.is_empty() {
                    quoted = true;
                } else if c == self.delimiter {
                    fields.push(String::from_utf8_lossy(&field).into_owned());
                    field.clear();
                } else if c == b'\n' || (c == b'\r' && buf.get(i + 1) == Some(&b'\n')) {
                    fields.push(String::from_utf8_lossy(&field).into_owned());
                    return Ok(Some(fields));
                } else {
                    field.push(c);
                }
                i += 1;
            }
            if !quoted {
                // The last line of the file without a line break.
                fields.push(String::from_utf8_lossy(&field).into_owned());
                return Ok(Some(fields));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input_type: InputType, body: &str, header: CsvHeader) -> Result<Vec<Value>, String> {
        let reader = ItemReader {
            source: Source::GetObject,
            parameters: crate::asl::template::PayloadTemplate::compile(&json!({})).unwrap(),
            input_type,
            csv_header: header,
            csv_delimiter: b',',
            max_items: None,
            max_items_path: None,
        };
        let mut out = Vec::new();
        let body: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(body.as_bytes().to_vec()));
        let mut each = |v: Value| {
            out.push(v);
            true
        };
        match input_type {
            InputType::Json => json_array(body, &mut each),
            InputType::Jsonl => json_lines(body, &mut each),
            InputType::Csv => csv(body, &reader, &mut each),
        }?;
        Ok(out)
    }

    #[test]
    fn each_input_type_streams_its_items() {
        assert_eq!(
            all(
                InputType::Json,
                r#" [1, {"a": [2]}, "x"] "#,
                CsvHeader::FirstRow
            )
            .unwrap(),
            vec![json!(1), json!({"a": [2]}), json!("x")]
        );
        assert!(all(InputType::Json, r#"{"a": 1}"#, CsvHeader::FirstRow).is_err());
        assert!(all(InputType::Json, r#"[1, 2"#, CsvHeader::FirstRow).is_err());
        assert_eq!(
            all(InputType::Jsonl, "{\"a\":1}\n\n[2]\n", CsvHeader::FirstRow).unwrap(),
            vec![json!({"a": 1}), json!([2])]
        );
        let e = all(InputType::Jsonl, "{\"a\":1}\nnope\n", CsvHeader::FirstRow).unwrap_err();
        assert!(e.starts_with("line 2"), "{e}");
        let rows = all(
            InputType::Csv,
            "name,note\r\na.pdf,\"says \"\"hi\"\", twice\"\n\"b\nc.pdf\",plain",
            CsvHeader::FirstRow,
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![
                json!({"name": "a.pdf", "note": "says \"hi\", twice"}),
                json!({"name": "b\nc.pdf", "note": "plain"})
            ]
        );
        let given = all(
            InputType::Csv,
            "1,2\n3,4\n",
            CsvHeader::Given(vec!["x".into(), "y".into()]),
        )
        .unwrap();
        assert_eq!(
            given,
            vec![json!({"x": "1", "y": "2"}), json!({"x": "3", "y": "4"})]
        );
        let e = all(InputType::Csv, "a,b\n1\n", CsvHeader::FirstRow).unwrap_err();
        assert!(e.contains("1 fields but there are 2 headers"), "{e}");
    }

    #[test]
    fn a_stop_ends_the_json_stream_early() {
        let body: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(b"[1,2,3,".to_vec()));
        let mut seen = Vec::new();
        json_array(body, &mut |v| {
            seen.push(v);
            seen.len() < 2
        })
        .unwrap();
        assert_eq!(seen, vec![json!(1), json!(2)]);
    }
}
