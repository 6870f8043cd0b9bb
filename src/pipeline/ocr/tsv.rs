//! Tesseract's TSV output → words. Columns: level, page, block, paragraph, line, word, left,
//! top, width, height, conf, text. Level 5 rows are words; level 1 gives the page size.

use crate::model::{BoundingBox, Word};

/// Parse TSV; boxes are divided by the page size from the level-1 row, or by `fallback` when
/// the row is missing.
pub fn parse(tsv: &str, fallback: (u32, u32)) -> Vec<Word> {
    let mut size = (fallback.0.max(1) as f32, fallback.1.max(1) as f32);
    let mut words = Vec::new();
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.splitn(12, '\t').collect();
        if cols.len() < 11 {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<f32>().unwrap_or(-1.0);
        match cols[0] {
            "1" if num(8) > 0.0 && num(9) > 0.0 => size = (num(8), num(9)),
            "5" => {
                let text = cols.get(11).map(|t| t.trim()).unwrap_or("");
                let conf = num(10);
                if text.is_empty() || conf < 0.0 {
                    continue;
                }
                let (l, t, w, h) = (num(6), num(7), num(8), num(9));
                words.push(Word::new(
                    text,
                    BoundingBox::from_edges(
                        l / size.0,
                        t / size.1,
                        (l + w) / size.0,
                        (t + h) / size.1,
                    ),
                    conf / 100.0,
                ));
            }
            _ => {}
        }
    }
    words
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_normalised() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t1000\t2000\t-1\t\n\
                   4\t1\t1\t1\t1\t0\t100\t200\t300\t40\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t100\t200\t100\t40\t96.5\tTotal:\n\
                   5\t1\t1\t1\t1\t2\t250\t200\t50\t40\t-1\t \n";
        let words = super::parse(tsv, (1, 1));
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].text, "Total:");
        assert!((words[0].bbox.left - 0.1).abs() < 1e-6);
        assert!((words[0].bbox.top - 0.1).abs() < 1e-6);
        assert!((words[0].confidence - 0.965).abs() < 1e-6);
    }
}
