//! YAML in, JSON values out: every YAML file idpctl reads (profiles, stack definitions, rendered
//! template parts) becomes a `serde_json::Value`, with CloudFormation's short-form tags
//! (`!Ref X`, `!GetAtt A.B`, `!Sub …`) turned into their long forms.
//!
//! Working on JSON values everywhere means one representation for merging, validating and
//! writing, and key order is kept (serde_json's `preserve_order`), so output is byte-stable.

use serde_json::{Map, Value};
use yaml_serde::Value as Yaml;

/// Why a YAML document could not be turned into a value.
#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    #[error("{message}")]
    Syntax {
        message: String,
        line: Option<usize>,
        column: Option<usize>,
    },
    #[error("unsupported tag `!{tag}`{}", at(path))]
    UnknownTag { tag: String, path: String },
    #[error("`!GetAtt {value}` needs the form Resource.Attribute{}", at(path))]
    BadGetAtt { value: String, path: String },
    #[error("mapping key {key} is not a string{}", at(path))]
    NonStringKey { key: String, path: String },
}

fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at `{path}`")
    }
}

/// Parses YAML text into a JSON value, converting CloudFormation short-form tags.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    let yaml: Yaml = yaml_serde::from_str(text).map_err(|e| {
        let loc = e.location();
        YamlError::Syntax {
            message: e.to_string(),
            line: loc.as_ref().map(|l| l.line()),
            column: loc.as_ref().map(|l| l.column()),
        }
    })?;
    to_json(yaml, "")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn to_json(yaml: Yaml, path: &str) -> Result<Value, YamlError> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| to_json(v, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    other => {
                        return Err(YamlError::NonStringKey {
                            key: format!("{other:?}"),
                            path: path.to_string(),
                        });
                    }
                };
                let child = to_json(v, &join(path, &key))?;
                out.insert(key, child);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let tag = tag.trim_start_matches('!').to_string();
            let inner = to_json(tagged.value, path)?;
            intrinsic(&tag, inner, path)?
        }
    })
}

/// Long form of one short-form CloudFormation tag.
fn intrinsic(tag: &str, inner: Value, path: &str) -> Result<Value, YamlError> {
    let name = match tag {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "GetAtt" => {
            // `!GetAtt A.B.C` means resource A, attribute `B.C`; the list form passes through.
            if let Value::String(s) = &inner {
                let Some((res, attr)) = s.split_once('.') else {
                    return Err(YamlError::BadGetAtt {
                        value: s.clone(),
                        path: path.to_string(),
                    });
                };
                return Ok(single("Fn::GetAtt", serde_json::json!([res, attr])));
            }
            "Fn::GetAtt"
        }
        "Sub" | "If" | "Equals" | "Not" | "And" | "Or" | "Join" | "Select" | "Split"
        | "FindInMap" | "Base64" | "Cidr" | "GetAZs" | "ImportValue" | "Length"
        | "ToJsonString" => {
            return Ok(single(&format!("Fn::{tag}"), inner));
        }
        other => {
            return Err(YamlError::UnknownTag {
                tag: other.to_string(),
                path: path.to_string(),
            });
        }
    };
    Ok(single(name, inner))
}

fn single(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.to_string(), value);
    Value::Object(map)
}

/// Writes a value as YAML (long-form intrinsics, keys in insertion order).
pub fn to_string(value: &Value) -> String {
    // Serializing a serde_json::Value cannot fail: every key is a string.
    yaml_serde::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_tags_become_long_form() {
        let v = parse(
            "a: !Ref Bucket\nb: !GetAtt Fn.Arn\nc: !Sub '${AWS::StackName}-x'\nd: !If [Cond, 1, !Ref AWS::NoValue]\ne: !GetAtt [A, B]\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({
                "a": {"Ref": "Bucket"},
                "b": {"Fn::GetAtt": ["Fn", "Arn"]},
                "c": {"Fn::Sub": "${AWS::StackName}-x"},
                "d": {"Fn::If": ["Cond", 1, {"Ref": "AWS::NoValue"}]},
                "e": {"Fn::GetAtt": ["A", "B"]},
            })
        );
    }

    #[test]
    fn getatt_with_nested_attribute_keeps_the_rest() {
        let v = parse("x: !GetAtt Db.Endpoint.Address").unwrap();
        assert_eq!(v, json!({"x": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}));
    }

    #[test]
    fn unknown_tag_names_the_path() {
        let err = parse("a:\n  b: !Bogus x").unwrap_err();
        assert_eq!(err.to_string(), "unsupported tag `!Bogus` at `a.b`");
    }

    #[test]
    fn syntax_errors_carry_a_location() {
        let err = parse("a: [1, 2\n").unwrap_err();
        assert!(
            matches!(err, YamlError::Syntax { line: Some(_), .. }),
            "{err:?}"
        );
    }

    #[test]
    fn key_order_survives_a_round_trip() {
        let v = parse("z: 1\na: 2\nm: 3\n").unwrap();
        assert_eq!(to_string(&v), "z: 1\na: 2\nm: 3\n");
    }
}
