//! Where a value is written in a config file: the 1-based line of a path such as
//! `classes[2].properties.PayDate`, found by indentation, so a finding can say `file:line`.
//!
//! The YAML parser gives values without positions; configs are block-style YAML (or pretty
//! JSON), where a key's line is found by walking indentation levels. When a path is not spelled
//! out line by line (flow style, a value that came from elsewhere) the deepest parent that is
//! written is returned, which is still where a person should look.

/// One step of a path: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Splits `classes[2].properties.a` into segments; keys may contain anything but `.` and `[`.
pub fn parse_path(path: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            let key = &rest[..open];
            if !key.is_empty() {
                segs.push(Seg::Key(key.to_string()));
            }
            rest = &rest[open..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(close) = stripped.find(']') else {
                    break;
                };
                if let Ok(i) = stripped[..close].parse() {
                    segs.push(Seg::Index(i));
                }
                rest = &stripped[close + 1..];
            }
        } else if !rest.is_empty() {
            segs.push(Seg::Key(rest.to_string()));
        }
    }
    segs
}

/// Joins segments back into the dotted form findings print.
pub fn display_path(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[derive(Debug)]
struct Token<'a> {
    line: usize,
    indent: usize,
    /// A list item marker (`- `); its first key, if on the same line, is the next token.
    item: bool,
    key: Option<&'a str>,
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        // Brace-only lines are pretty JSON's structure, which carries no keys.
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed
                .trim_end_matches(',')
                .chars()
                .all(|c| "{}[]".contains(c))
        {
            continue;
        }
        let mut indent = raw.len() - trimmed.len();
        let mut rest = trimmed;
        while rest == "-" || rest.starts_with("- ") {
            out.push(Token {
                line: i + 1,
                indent,
                item: true,
                key: None,
            });
            let after = rest[1..].trim_start();
            indent += rest.len() - after.len();
            rest = after;
            if rest.is_empty() {
                break;
            }
        }
        if rest.is_empty() {
            continue;
        }
        out.push(Token {
            line: i + 1,
            indent,
            item: false,
            key: key_of(rest),
        });
    }
    out
}

/// The key of a `key: value` line (quoted keys unquoted), if the line is one.
fn key_of(line: &str) -> Option<&str> {
    let (k, _) = if let Some(q) = line.strip_prefix('"') {
        let end = q.find('"')?;
        return q[end + 1..]
            .trim_start()
            .starts_with(':')
            .then(|| &q[..end]);
    } else if let Some(q) = line.strip_prefix('\'') {
        let end = q.find('\'')?;
        return q[end + 1..]
            .trim_start()
            .starts_with(':')
            .then(|| &q[..end]);
    } else {
        line.split_once(": ")
            .or_else(|| line.strip_suffix(':').map(|k| (k, "")))?
    };
    let k = k.trim_end();
    (!k.is_empty() && !k.contains(['{', '[', ','])).then_some(k)
}

/// The line of `path` in `text`, or of its deepest parent that is written out.
pub fn locate(text: &str, path: &[Seg]) -> Option<usize> {
    let toks = tokens(text);
    let (mut lo, mut hi) = (0, toks.len());
    let mut line = None;
    for seg in path {
        if lo >= hi {
            return line;
        }
        let child = toks[lo].indent;
        let found = match seg {
            Seg::Key(k) => (lo..hi).find(|&j| {
                toks[j].indent == child && !toks[j].item && toks[j].key == Some(k.as_str())
            }),
            Seg::Index(n) => (lo..hi)
                .filter(|&j| toks[j].indent == child && toks[j].item)
                .nth(*n),
        };
        let Some(j) = found else {
            return line;
        };
        line = Some(toks[j].line);
        let own = toks[j].indent;
        lo = j + 1;
        hi = (lo..hi).find(|&k| toks[k].indent <= own).unwrap_or(hi);
    }
    line
}

/// [`locate`] for a dotted path.
pub fn locate_str(text: &str, path: &str) -> Option<usize> {
    locate(text, &parse_path(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# a config
ocr:
  backend: textract
classes:
  - $id: Payslip
    description: >-
      Also labelled 'Employee No.': not a key.
    properties:
      PayDate:
        type: string
  - $id: W2
    properties:
      wages:
        type: number
      items:
        - a
        - b
"#;

    #[test]
    fn finds_keys_in_list_items() {
        assert_eq!(locate_str(TEXT, "ocr.backend"), Some(3));
        assert_eq!(locate_str(TEXT, "classes[0]"), Some(5));
        assert_eq!(locate_str(TEXT, "classes[0].$id"), Some(5));
        assert_eq!(
            locate_str(TEXT, "classes[0].properties.PayDate.type"),
            Some(10)
        );
        assert_eq!(locate_str(TEXT, "classes[1].properties.wages"), Some(13));
        assert_eq!(locate_str(TEXT, "classes[1].properties.items[1]"), Some(17));
    }

    #[test]
    fn missing_paths_fall_back_to_the_deepest_parent() {
        assert_eq!(locate_str(TEXT, "classes[1].properties.nope"), Some(12));
        assert_eq!(locate_str(TEXT, "classes[7]"), Some(4));
        assert_eq!(locate_str(TEXT, "nothing"), None);
    }

    #[test]
    fn block_scalars_are_not_keys() {
        assert_eq!(
            locate_str(TEXT, "classes[0].Also labelled 'Employee No.'"),
            Some(5)
        );
    }

    #[test]
    fn pretty_json_works_too() {
        let json = "{\n  \"classes\": [\n    {\n      \"$id\": \"A\"\n    }\n  ]\n}\n";
        assert_eq!(locate_str(json, "classes"), Some(2));
        // List items are brace lines in JSON: the list's own line is the best answer.
        assert_eq!(locate_str(json, "classes[0].$id"), Some(2));
    }

    #[test]
    fn paths_round_trip() {
        let p = parse_path("classes[2].properties.a[0][1]");
        assert_eq!(display_path(&p), "classes[2].properties.a[0][1]");
    }
}
