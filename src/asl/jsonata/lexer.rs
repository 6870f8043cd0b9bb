//! The tokenizer: turns expression text into tokens. A `/` starts a regex literal where an
//! operand is expected (after an operator or at the start) and is division elsewhere, as in
//! JavaScript.

use super::error::{Error, Result};

/// A token with its character position.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: Tok,
    /// Character offset of its start.
    pub pos: usize,
}

/// Token kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A number literal.
    Num(f64),
    /// A string literal (escapes resolved).
    Str(String),
    /// A name or a backquoted name; `quoted` names are never keywords.
    Name(String, bool),
    /// `$name` (`$` alone is `""`, `$$` is `"$"`).
    Var(String),
    /// An operator or punctuation.
    Op(&'static str),
    /// `/pattern/flags`.
    Regex(String, String),
    /// End of input.
    End,
}

const OPERATORS: [&str; 35] = [
    "**", "..", ":=", "!=", "<=", ">=", "~>", "?:", "??", ".", "[", "]", "{", "}", "(", ")", ",",
    "@", "#", ";", ":", "?", "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "&", "!", "~",
];

/// Tokenizes `text`.
pub fn tokenize(text: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            let start = i;
            i += 2;
            loop {
                if i + 1 >= chars.len() {
                    return Err(Error::syntax(start, "comment has no closing */"));
                }
                if chars[i] == '*' && chars[i + 1] == '/' {
                    i += 2;
                    break;
                }
                i += 1;
            }
            continue;
        }
        let pos = i;
        if c == '/' && operand_expected(out.last()) {
            let (pattern, flags, next) = regex_literal(&chars, i)?;
            out.push(Token {
                kind: Tok::Regex(pattern, flags),
                pos,
            });
            i = next;
            continue;
        }
        if c == '"' || c == '\'' {
            let (s, next) = string_literal(&chars, i)?;
            out.push(Token {
                kind: Tok::Str(s),
                pos,
            });
            i = next;
            continue;
        }
        if c == '`' {
            let end = chars[i + 1..]
                .iter()
                .position(|&c| c == '`')
                .ok_or_else(|| Error::syntax(pos, "quoted name has no closing `"))?;
            let name: String = chars[i + 1..i + 1 + end].iter().collect();
            out.push(Token {
                kind: Tok::Name(name, true),
                pos,
            });
            i += end + 2;
            continue;
        }
        if c.is_ascii_digit() {
            let (n, next) = number(&chars, i)?;
            out.push(Token {
                kind: Tok::Num(n),
                pos,
            });
            i = next;
            continue;
        }
        if c == '$' {
            let mut j = i + 1;
            if chars.get(j) == Some(&'$') {
                j += 1;
                out.push(Token {
                    kind: Tok::Var("$".into()),
                    pos,
                });
                i = j;
                continue;
            }
            while j < chars.len() && is_name_char(chars[j]) {
                j += 1;
            }
            out.push(Token {
                kind: Tok::Var(chars[i + 1..j].iter().collect()),
                pos,
            });
            i = j;
            continue;
        }
        if let Some(op) = OPERATORS.iter().find(|op| starts_with(&chars, i, op)) {
            // `1..5` lexes as number, `..`, number; `a.b` as name, `.`, name.
            out.push(Token {
                kind: Tok::Op(op),
                pos,
            });
            i += op.chars().count();
            continue;
        }
        if c == 'λ' {
            out.push(Token {
                kind: Tok::Name("function".into(), false),
                pos,
            });
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && is_name_char(chars[j]) {
            j += 1;
        }
        if j == i {
            return Err(Error::syntax(pos, format!("unexpected character {c:?}")));
        }
        out.push(Token {
            kind: Tok::Name(chars[i..j].iter().collect(), false),
            pos,
        });
        i = j;
    }
    out.push(Token {
        kind: Tok::End,
        pos: chars.len(),
    });
    Ok(out)
}

fn starts_with(chars: &[char], i: usize, op: &str) -> bool {
    op.chars()
        .enumerate()
        .all(|(k, c)| chars.get(i + k) == Some(&c))
}

fn is_name_char(c: char) -> bool {
    !c.is_whitespace() && !".[]{}(),@#;:?+-*/%|=<>^&!~\"'`$".contains(c)
}

/// After nothing, an operator (other than a closing bracket) or a keyword operator, a `/`
/// starts a regex.
fn operand_expected(prev: Option<&Token>) -> bool {
    match prev.map(|t| &t.kind) {
        None => true,
        Some(Tok::Op(op)) => !matches!(*op, ")" | "]" | "}"),
        Some(Tok::Name(n, false)) => matches!(n.as_str(), "and" | "or" | "in"),
        _ => false,
    }
}

fn regex_literal(chars: &[char], start: usize) -> Result<(String, String, usize)> {
    let mut i = start + 1;
    let mut pattern = String::new();
    loop {
        match chars.get(i) {
            None => return Err(Error::syntax(start, "regex has no closing /")),
            Some('\\') => {
                pattern.push('\\');
                if let Some(c) = chars.get(i + 1) {
                    pattern.push(*c);
                }
                i += 2;
            }
            Some('/') => break,
            Some(c) => {
                pattern.push(*c);
                i += 1;
            }
        }
    }
    if pattern.is_empty() {
        return Err(Error::syntax(start, "empty regex"));
    }
    i += 1;
    let mut flags = String::new();
    while let Some(c) = chars.get(i).filter(|c| c.is_ascii_alphabetic()) {
        if !matches!(c, 'i' | 'm') {
            return Err(Error::syntax(i, format!("unsupported regex flag {c:?}")));
        }
        flags.push(*c);
        i += 1;
    }
    Ok((pattern, flags, i))
}

fn string_literal(chars: &[char], start: usize) -> Result<(String, usize)> {
    let quote = chars[start];
    let mut i = start + 1;
    let mut s = String::new();
    loop {
        match chars.get(i) {
            None => return Err(Error::syntax(start, "string has no closing quote")),
            Some(c) if *c == quote => return Ok((s, i + 1)),
            Some('\\') => {
                let e = chars
                    .get(i + 1)
                    .ok_or_else(|| Error::syntax(i, "unfinished escape"))?;
                i += 2;
                match e {
                    '"' | '\\' | '/' | '\'' => s.push(*e),
                    'b' => s.push('\u{8}'),
                    'f' => s.push('\u{c}'),
                    'n' => s.push('\n'),
                    'r' => s.push('\r'),
                    't' => s.push('\t'),
                    'u' => {
                        let hex: String = chars.get(i..i + 4).unwrap_or(&[]).iter().collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .map_err(|_| Error::syntax(i, "\\u needs four hex digits"))?;
                        i += 4;
                        // A surrogate pair spells one character.
                        if (0xD800..0xDC00).contains(&code)
                            && chars.get(i) == Some(&'\\')
                            && chars.get(i + 1) == Some(&'u')
                        {
                            let hex2: String =
                                chars.get(i + 2..i + 6).unwrap_or(&[]).iter().collect();
                            if let Ok(low) = u32::from_str_radix(&hex2, 16)
                                && (0xDC00..0xE000).contains(&low)
                            {
                                let c = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                s.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                                i += 6;
                                continue;
                            }
                        }
                        s.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                    other => {
                        return Err(Error::syntax(
                            i - 1,
                            format!("unsupported escape sequence \\{other}"),
                        ));
                    }
                }
            }
            Some(c) => {
                s.push(*c);
                i += 1;
            }
        }
    }
}

fn number(chars: &[char], start: usize) -> Result<(f64, usize)> {
    let mut i = start;
    let digits = |i: &mut usize| {
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
    };
    digits(&mut i);
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
        i += 1;
        digits(&mut i);
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        if matches!(chars.get(j), Some('+' | '-')) {
            j += 1;
        }
        if chars.get(j).is_some_and(char::is_ascii_digit) {
            i = j;
            digits(&mut i);
        }
    }
    let text: String = chars[start..i].iter().collect();
    let n: f64 = text
        .parse()
        .map_err(|_| Error::syntax(start, format!("bad number {text}")))?;
    if !n.is_finite() {
        return Err(Error::syntax(start, format!("number out of range: {text}")));
    }
    Ok((n, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn tokens_of_a_path_and_a_range() {
        assert_eq!(
            kinds("a.b[1..5]"),
            [
                Tok::Name("a".into(), false),
                Tok::Op("."),
                Tok::Name("b".into(), false),
                Tok::Op("["),
                Tok::Num(1.0),
                Tok::Op(".."),
                Tok::Num(5.0),
                Tok::Op("]"),
                Tok::End
            ]
        );
    }

    #[test]
    fn slash_is_regex_or_division_by_position() {
        assert_eq!(kinds("$x / 2")[1..3], [Tok::Op("/"), Tok::Num(2.0)]);
        assert_eq!(
            kinds("$match(s, /a\\/b/i)")[4],
            Tok::Regex("a\\/b".into(), "i".into())
        );
    }

    #[test]
    fn strings_variables_and_comments() {
        assert_eq!(
            kinds(r#"/* c */ $$ & "a\"\u00e9" & `x y` & $v1"#),
            [
                Tok::Var("$".into()),
                Tok::Op("&"),
                Tok::Str("a\"é".into()),
                Tok::Op("&"),
                Tok::Name("x y".into(), true),
                Tok::Op("&"),
                Tok::Var("v1".into()),
                Tok::End
            ]
        );
        assert!(tokenize("'open").is_err());
        assert!(tokenize("/* open").is_err());
        assert!(tokenize("\"\\q\"").is_err());
    }
}
