//! Which Tesseract language packs read a page: the setting (`engines.tesseract.languages`,
//! `IDPCTL_TESSERACT_LANGUAGES`) and the packs installed where the engine runs.
//!
//! A missing pack is not an error: a page in that language is read in English, as it was before
//! pages were read in their own language, and `process -v` says which packs are missing.

use std::fmt;
use std::process::Command;

use super::language;

/// The setting's default: English first, then a page's own language among the installed packs
/// the detector knows.
pub const AUTO: &str = "auto";

/// What the setting asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Languages {
    /// The pack every page is read with first (`eng`).
    pub first: String,
    /// The packs a page may be read again in; `None` for every pack the detector knows.
    pub others: Option<Vec<String>>,
}

impl Default for Languages {
    fn default() -> Self {
        Self {
            first: "eng".into(),
            others: None,
        }
    }
}

/// The setting as written in a profile (`auto`, `eng+deu`), so a resolved setting reads back.
impl fmt::Display for Languages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.others {
            None if self.first == "eng" => f.write_str(AUTO),
            others => {
                f.write_str(&self.first)?;
                for pack in others.iter().flatten() {
                    write!(f, "+{pack}")?;
                }
                Ok(())
            }
        }
    }
}

impl serde::Serialize for Languages {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Languages {
    /// `auto`, or packs joined by `+` (`eng+deu+fra`): the first reads every page, the others
    /// are the languages a page may be read again in (`eng` alone: never a second reading).
    /// The error says which pack is not one the detector knows.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() || s == AUTO {
            return Ok(Self::default());
        }
        let packs: Vec<String> = s.split('+').map(|p| p.trim().to_string()).collect();
        if let Some(bad) = packs.iter().find(|p| !language::is_known(p)) {
            return Err(format!(
                "`{bad}` is not a language idpctl tells pages apart in (`{s}`)"
            ));
        }
        Ok(Self {
            first: packs[0].clone(),
            others: Some(packs[1..].to_vec()),
        })
    }

    /// The `-l` argument of a page's second reading, once the page is found to be in `detected`:
    /// `None` when the setting leaves that pack out or it is not in `installed`.
    pub fn second_reading(&self, detected: &str, installed: &[String]) -> Option<String> {
        let wanted = match &self.others {
            None => true,
            Some(others) => others.iter().any(|p| p == detected),
        };
        (wanted && detected != self.first && installed.iter().any(|p| p == detected))
            .then(|| format!("{detected}+{}", self.first))
    }

    /// The packs the setting would use that `installed` lacks, in the detector's order.
    pub fn missing(&self, installed: &[String]) -> Vec<String> {
        let wanted: Vec<String> = match &self.others {
            None => language::packs().map(str::to_string).collect(),
            Some(others) => others.clone(),
        };
        wanted
            .into_iter()
            .filter(|p| p != &self.first && !installed.contains(p))
            .collect()
    }

    /// The one note to give when packs are missing (for `process -v`); `None` when none is.
    pub fn note(&self, installed: &[String]) -> Option<String> {
        let missing = self.missing(installed);
        if missing.is_empty() {
            return None;
        }
        let apt: Vec<String> = missing
            .iter()
            .map(|p| format!("tesseract-ocr-{p}"))
            .collect();
        Some(format!(
            "OCR: no Tesseract language pack for {}; pages in those languages are read with `{}` \
             only (install them with `apt-get install {}`)",
            missing.join(", "),
            self.first,
            apt.join(" ")
        ))
    }
}

/// The packs `binary` has (`tesseract --list-langs`); empty when it cannot say, so that every
/// page is then read with the first pack only.
pub fn installed(binary: &str) -> Vec<String> {
    // stdin a closed pipe, not `output()`'s /dev/null: a container root may have no /dev, and a
    // failed spawn would read as "no packs", every page then read in English alone.
    let Ok(out) = Command::new(binary)
        .arg("--list-langs")
        .stdin(std::process::Stdio::piped())
        .output()
    else {
        return Vec::new();
    };
    // Tesseract 4 prints the list on stderr, 5 on stdout; the heading line ends with a colon.
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    parse_list(&text)
}

fn parse_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.contains(' ')
                && !l.ends_with(':')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packs(s: &[&str]) -> Vec<String> {
        s.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_setting_reads_back_as_written() {
        for written in ["auto", "eng", "eng+deu+fra", "deu+eng"] {
            let parsed = Languages::parse(written).unwrap();
            assert_eq!(parsed.to_string(), written);
            assert_eq!(Languages::parse(&parsed.to_string()).unwrap(), parsed);
        }
        assert_eq!(
            Languages::parse(" eng + deu ").unwrap().to_string(),
            "eng+deu"
        );
        assert_eq!(serde_json::json!(Languages::default()), "auto");
    }

    #[test]
    fn the_setting_is_auto_or_known_packs() {
        assert_eq!(Languages::parse("auto").unwrap(), Languages::default());
        assert_eq!(Languages::parse("").unwrap(), Languages::default());
        let l = Languages::parse("eng+deu+fra").unwrap();
        assert_eq!(l.first, "eng");
        assert_eq!(l.others, Some(packs(&["deu", "fra"])));
        let err = Languages::parse("eng+klingon").unwrap_err();
        assert!(err.contains("`klingon`"), "{err}");
    }

    #[test]
    fn a_second_reading_needs_the_pack_and_the_setting() {
        let installed = packs(&["eng", "osd", "deu", "fra"]);
        let auto = Languages::default();
        assert_eq!(
            auto.second_reading("deu", &installed).as_deref(),
            Some("deu+eng")
        );
        // Not installed: read as before, in English only.
        assert_eq!(auto.second_reading("ces", &installed), None);
        let only_english = Languages::parse("eng").unwrap();
        assert_eq!(only_english.second_reading("deu", &installed), None);
        let german = Languages::parse("eng+deu").unwrap();
        assert_eq!(german.second_reading("fra", &installed), None);
        assert!(german.second_reading("deu", &installed).is_some());
    }

    #[test]
    fn missing_packs_make_one_note() {
        let auto = Languages::default();
        let all: Vec<String> = std::iter::once("eng")
            .chain(language::packs())
            .map(str::to_string)
            .collect();
        assert_eq!(auto.note(&all), None);
        let note = auto.note(&packs(&["eng", "osd", "deu"])).unwrap();
        assert!(note.contains("fra") && !note.contains(" deu,"), "{note}");
        assert!(note.contains("apt-get install tesseract-ocr-fra"), "{note}");
        assert_eq!(
            Languages::parse("eng").unwrap().note(&packs(&["eng"])),
            None
        );
    }

    #[test]
    fn the_list_is_read_from_either_stream() {
        let out = "List of available languages in \"/usr/share/tesseract-ocr/5/tessdata/\" (3):\n\
                   deu\neng\nosd\n";
        assert_eq!(parse_list(out), packs(&["deu", "eng", "osd"]));
        assert!(installed("/nonexistent/tesseract").is_empty());
    }
}
