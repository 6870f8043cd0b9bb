//! Text formats → pages of words with approximate boxes.
//!
//! TXT, CSV, Markdown, HTML and DOCX have no page geometry, so words are laid out on a virtual
//! monospace grid (column / 100, line / 60) and marked approximate: enough for "right of" and
//! "below" to mean what they mean in the text, without pretending to be measured.

use crate::model::{BoundingBox, PageContent, TextSource, Word};
use crate::pipeline::layout;

/// Lines per virtual page when the text has no page breaks of its own.
const LINES_PER_PAGE: usize = 60;
/// Columns across a virtual page; longer lines are squeezed to fit.
const COLUMNS: usize = 100;

/// Plain text (CSV cells become tab-separated columns) → pages. Form feeds break pages.
pub fn text_pages(text: &str, csv: bool) -> Vec<PageContent> {
    let mut pages = Vec::new();
    for chunk in text.split('\x0c') {
        let lines: Vec<String> = chunk
            .lines()
            .map(|l| if csv { csv_line(l) } else { l.to_string() })
            .collect();
        for part in lines.chunks(LINES_PER_PAGE) {
            if part.iter().all(|l| l.trim().is_empty()) && !pages.is_empty() {
                continue;
            }
            pages.push(page_of(pages.len() as u32 + 1, part));
        }
    }
    if pages.is_empty() {
        pages.push(page_of(1, &[]));
    }
    pages
}

/// Cells separated by tabs; quotes removed (a quoted comma stays inside its cell).
fn csv_line(line: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' | ';' if !quoted => out.push('\t'),
            c => out.push(c),
        }
    }
    out
}

fn page_of(page_number: u32, lines: &[String]) -> PageContent {
    let mut words = Vec::new();
    let width = lines
        .iter()
        .map(|l| expand_tabs(l).chars().count())
        .max()
        .unwrap_or(0)
        .max(COLUMNS) as f32;
    for (row, line) in lines.iter().enumerate() {
        let line = expand_tabs(line);
        let top = (row as f32 + 0.1) / LINES_PER_PAGE as f32;
        let bottom = (row as f32 + 0.9) / LINES_PER_PAGE as f32;
        let mut col = 0usize;
        for piece in line.split(' ') {
            let len = piece.chars().count();
            if len > 0 {
                let mut w = Word::new(
                    piece,
                    BoundingBox::from_edges(
                        col as f32 / width,
                        top,
                        (col + len) as f32 / width,
                        bottom,
                    ),
                    1.0,
                );
                w.approximate = true;
                words.push(w);
            }
            col += len + 1;
        }
    }
    let text = layout::text_of(&words);
    PageContent {
        page_number,
        text_source: TextSource::Native,
        words,
        text,
        needs_ocr: false,
        einvoice: None,
        image: None,
    }
}

/// Tabs to the next multiple of 8, and at least three spaces so a tab always reads as a
/// column gap.
fn expand_tabs(line: &str) -> String {
    let mut out = String::new();
    for c in line.chars() {
        if c == '\t' {
            out.push_str("   ");
            while !out.chars().count().is_multiple_of(8) {
                out.push(' ');
            }
        } else if !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// HTML → text: scripts and styles dropped, block elements become line breaks, cells become
/// columns, the common entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after[..gt].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        rest = &after[gt + 1..];
        if !tag.starts_with('/') && (name == "script" || name == "style") {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = match lower.find(&close) {
                Some(i) => &rest[i..],
                None => "",
            };
            continue;
        }
        match name.as_str() {
            "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            | "table" | "section" | "article" | "header" | "footer" | "title" => out.push('\n'),
            "td" | "th" if !tag.starts_with('/') => out.push('\t'),
            _ => {}
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_become_columns() {
        let pages = text_pages("name,amount\n\"Doe, John\",12.50\n", true);
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].text, "name\tamount\nDoe, John\t12.50");
        assert!(pages[0].words.iter().all(|w| w.approximate));
    }

    #[test]
    fn long_text_is_paged_and_form_feeds_break() {
        let long = "line\n".repeat(130);
        assert_eq!(text_pages(&long, false).len(), 3);
        assert_eq!(text_pages("a\x0cb", false).len(), 2);
    }

    #[test]
    fn html_is_stripped() {
        let t = html_to_text(
            "<html><head><style>p{}</style><script>var x='<p>';</script></head>\
             <body><p>Total&nbsp;due:</p><table><tr><td>A</td><td>&amp;B</td></tr></table></body>",
        );
        assert!(t.contains("Total due:"));
        assert!(t.contains("A\t&B"));
        assert!(!t.contains("var x"));
    }
}
