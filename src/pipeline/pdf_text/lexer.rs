//! A content-stream tokenizer that keeps only what text extraction needs.
//!
//! lopdf's `Content::decode` builds an `Object` tree of every operand of every operator (paths,
//! colours, marked content) before anything is read from it; on text PDFs that was a fifth of the
//! text layer's time. This lexer walks the bytes once, keeps numbers, names and strings of the
//! current operator's operands, and hands each operator to a callback. It never panics on any
//! input: unknown bytes are skipped, unterminated strings end at the end of the stream, nesting is
//! capped, and inline images (`BI … ID <binary> EI`) are stepped over.

/// One operand of a content-stream operator.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand<'a> {
    Number(f64),
    Name(&'a [u8]),
    /// A literal or hexadecimal string, escapes resolved.
    String(Vec<u8>),
    /// An array (the operand of `TJ`).
    Array(Vec<Operand<'a>>),
    /// Anything text extraction does not read (dictionaries, booleans, null).
    Other,
}

impl Operand<'_> {
    pub fn number(&self) -> Option<f64> {
        match self {
            Operand::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// Arrays and dictionaries nested deeper than this are skipped whole: no honest content stream
/// nests operands more than a couple of levels.
const MAX_DEPTH: usize = 32;

/// Operands kept for one operator; a stream that piles up more (garbage) keeps the last ones.
const MAX_OPERANDS: usize = 64;

/// Calls `op(operator, operands)` for every operator of `data`, in order. Stops early when the
/// callback returns `false`.
pub fn for_each_op<'a>(data: &'a [u8], mut op: impl FnMut(&'a [u8], &[Operand<'a>]) -> bool) {
    let mut lx = Lexer { data, pos: 0 };
    let mut operands: Vec<Operand<'a>> = Vec::with_capacity(8);
    while let Some(tok) = lx.next_token(0) {
        match tok {
            Token::Operand(o) => {
                if operands.len() == MAX_OPERANDS {
                    operands.remove(0);
                }
                operands.push(o);
            }
            Token::Operator(name) => {
                if name == b"BI" {
                    lx.skip_inline_image();
                } else if !op(name, &operands) {
                    return;
                }
                operands.clear();
            }
            // A stray `]` or `>>` at top level: ignore it as PDF readers do.
            Token::Close => {}
        }
    }
}

enum Token<'a> {
    Operand(Operand<'a>),
    Operator(&'a [u8]),
    Close,
}

struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_white_and_comments(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn regular_run(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(is_regular) {
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    fn next_token(&mut self, depth: usize) -> Option<Token<'a>> {
        self.skip_white_and_comments();
        let b = self.peek()?;
        Some(match b {
            b'/' => {
                self.pos += 1;
                Token::Operand(Operand::Name(self.regular_run()))
            }
            b'(' => {
                self.pos += 1;
                Token::Operand(Operand::String(self.literal_string()))
            }
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                self.skip_until_close(b">>", depth);
                Token::Operand(Operand::Other)
            }
            b'<' => {
                self.pos += 1;
                Token::Operand(Operand::String(self.hex_string()))
            }
            b'[' => {
                self.pos += 1;
                if depth >= MAX_DEPTH {
                    self.skip_until_close(b"]", depth);
                    return Some(Token::Operand(Operand::Other));
                }
                let mut items = Vec::new();
                loop {
                    match self.next_token(depth + 1) {
                        None | Some(Token::Close) => break,
                        Some(Token::Operand(o)) => items.push(o),
                        // An operator inside an array is malformed; keep reading the array.
                        Some(Token::Operator(_)) => {}
                    }
                }
                Token::Operand(Operand::Array(items))
            }
            b']' => {
                self.pos += 1;
                Token::Close
            }
            b'>' => {
                self.pos += if self.data.get(self.pos + 1) == Some(&b'>') {
                    2
                } else {
                    1
                };
                Token::Close
            }
            b')' | b'{' | b'}' => {
                self.pos += 1;
                Token::Operand(Operand::Other)
            }
            _ => {
                let word = self.regular_run();
                if word.is_empty() {
                    // Not reachable for a non-white, non-delimiter byte; step on to be sure.
                    self.pos += 1;
                    return Some(Token::Operand(Operand::Other));
                }
                match word[0] {
                    b'0'..=b'9' | b'+' | b'-' | b'.' => Token::Operand(parse_number(word)),
                    _ => match word {
                        b"true" | b"false" | b"null" => Token::Operand(Operand::Other),
                        _ => Token::Operator(word),
                    },
                }
            }
        })
    }

    /// Skips a dictionary (or an over-deep array) up to its matching close, counting nesting.
    fn skip_until_close(&mut self, close: &[u8], _depth: usize) {
        let mut level = 1usize;
        while let Some(b) = self.peek() {
            match b {
                b'(' => {
                    self.pos += 1;
                    self.literal_string();
                }
                b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                    self.pos += 2;
                    if close == b">>" {
                        level += 1;
                    }
                }
                b'<' => {
                    self.pos += 1;
                    self.hex_string();
                }
                b'>' if close == b">>" && self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    level -= 1;
                    if level == 0 {
                        return;
                    }
                }
                b'[' if close == b"]" => {
                    self.pos += 1;
                    level += 1;
                }
                b']' if close == b"]" => {
                    self.pos += 1;
                    level -= 1;
                    if level == 0 {
                        return;
                    }
                }
                _ => self.pos += 1,
            }
        }
    }

    fn literal_string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut level = 1usize;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'(' => {
                    level += 1;
                    out.push(b);
                }
                b')' => {
                    level -= 1;
                    if level == 0 {
                        break;
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        // A backslash at the end of a line continues the string on the next.
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(b) = self.peek() {
            self.pos += 1;
            let v = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                b'>' => break,
                _ => continue,
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        // An odd digit count: the last digit is followed by an implied 0.
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    /// After `BI`: skips the image dictionary, `ID`, the binary data and `EI`.
    fn skip_inline_image(&mut self) {
        // The dictionary's keys and values are ordinary tokens up to the `ID` operator.
        loop {
            match self.next_token(0) {
                None => return,
                Some(Token::Operator(b"ID")) => break,
                Some(_) => {}
            }
        }
        // One white-space byte follows ID; the data ends at white space + `EI` + white space
        // (or the end). Binary data can contain "EI" by chance; requiring the delimiters on both
        // sides is what other readers do too.
        self.pos += 1;
        while self.pos < self.data.len() {
            let rest = &self.data[self.pos..];
            if rest.len() >= 3
                && is_white(rest[0])
                && rest[1] == b'E'
                && rest[2] == b'I'
                && rest.get(3).is_none_or(|&b| is_white(b) || is_delim(b))
            {
                self.pos += 3;
                return;
            }
            self.pos += 1;
        }
    }
}

fn parse_number(word: &[u8]) -> Operand<'static> {
    // PDF numbers are plain decimals; producers sometimes write oddities such as `--5` or `1.2.3`.
    // Parse the longest prefix that makes sense and read the rest as 0, like other readers.
    let s = std::str::from_utf8(word).unwrap_or("0");
    if let Ok(v) = s.parse::<f64>() {
        return Operand::Number(if v.is_finite() { v } else { 0.0 });
    }
    let trimmed = s.trim_start_matches(['+', '-']);
    let negative = s.len() - trimmed.len() > 0 && s.starts_with('-');
    let end = trimmed
        .char_indices()
        .scan(false, |seen_dot, (i, c)| match c {
            '0'..='9' => Some(i + 1),
            '.' if !*seen_dot => {
                *seen_dot = true;
                Some(i + 1)
            }
            _ => None,
        })
        .last()
        .unwrap_or(0);
    let v = trimmed[..end].parse::<f64>().unwrap_or(0.0);
    Operand::Number(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(data: &[u8]) -> Vec<(String, Vec<Operand<'_>>)> {
        let mut v = Vec::new();
        for_each_op(data, |name, operands| {
            v.push((
                String::from_utf8_lossy(name).into_owned(),
                operands.to_vec(),
            ));
            true
        });
        v
    }

    #[test]
    fn reads_text_operators_and_operands() {
        let v = ops(
            b"BT /F1 12 Tf 1 0 0 1 72.5 -.5 Tm (a\\(b\\)c\\101\\\nd) Tj [(x) -250 <4142 3>] TJ ET",
        );
        let names: Vec<&str> = v.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["BT", "Tf", "Tm", "Tj", "TJ", "ET"]);
        assert_eq!(v[1].1, [Operand::Name(b"F1"), Operand::Number(12.0)]);
        assert_eq!(v[2].1[5], Operand::Number(-0.5));
        assert_eq!(v[3].1, [Operand::String(b"a(b)cAd".to_vec())]);
        assert_eq!(
            v[4].1,
            [Operand::Array(vec![
                Operand::String(b"x".to_vec()),
                Operand::Number(-250.0),
                Operand::String(vec![0x41, 0x42, 0x30]),
            ])]
        );
    }

    #[test]
    fn skips_dictionaries_comments_and_inline_images() {
        let v = ops(
            b"/Span <</ActualText (x) /N <</a [1 2]>> >> BDC % comment Tj\n\
              BI /W 2 /H 2 ID \x00EI\xffEI\x01 EI Q EMC",
        );
        let names: Vec<&str> = v.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["BDC", "Q", "EMC"]);
        assert_eq!(v[0].1, [Operand::Name(b"Span"), Operand::Other]);
    }

    #[test]
    fn garbage_never_panics() {
        for data in [
            &b"((((("[..],
            b"<<<<<<",
            b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            b"(\\",
            b"BI /W 1 ID",
            b"--5 1.2.3 +. Tz ]]] >> ) }",
            b"<a",
        ] {
            let _ = ops(data);
        }
        assert_eq!(
            ops(b"--5 1.2.3 Td")[0].1,
            [Operand::Number(-5.0), Operand::Number(1.2)]
        );
    }
}
