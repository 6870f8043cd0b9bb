//! Tesseract through its CLI (`tesseract stdin stdout tsv`): no C bindings to build, and the
//! engine on the machine is the one that runs. `OMP_THREAD_LIMIT=1` because Tesseract's OpenMP
//! threads fight each other on small machines (5–7× slower on 2 cores without it); parallelism
//! belongs to the caller, one page per process. The program runs on a blocking thread, so an
//! async caller's runtime keeps serving while a page is read.
//!
//! Every page is read in English first; a page whose words say it is in another language
//! ([`language`]) is read again with that language's pack when it is installed ([`packs`]), and
//! the stronger reading is kept. English pages are read once.

use std::borrow::Cow;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use super::packs::{self, Languages};
use super::{OcrEngine, OcrError, Recognized, flatten, language, tsv, upscale};
use crate::model::Word;
use crate::model::page::PageImage;
use crate::pipeline::config::sections::OcrSection;

/// How to install the engine, said whenever it is missing.
pub const INSTALL_HINT: &str = "install it with `apt-get install tesseract-ocr` (Debian/Ubuntu), \
     `dnf install tesseract` (Amazon Linux/Fedora) or `brew install tesseract` (macOS), or set \
     TESSERACT_PATH to the binary";

#[derive(Debug, Clone)]
pub struct Tesseract {
    /// Binary to run; `TESSERACT_PATH` or `tesseract` from PATH by default.
    pub binary: String,
    /// The pack of the first reading, and those a page may be read again in.
    pub languages: Languages,
    /// Page segmentation mode; 3 (automatic) reads forms and letters alike.
    pub psm: u32,
    /// The packs the binary has, asked once (clones share the answer).
    pub(super) installed: Arc<OnceLock<Vec<String>>>,
}

impl Default for Tesseract {
    fn default() -> Self {
        Self {
            binary: std::env::var("TESSERACT_PATH").unwrap_or_else(|_| "tesseract".into()),
            languages: Languages::default(),
            psm: 3,
            installed: Arc::default(),
        }
    }
}

/// An image as the program is given it: the page's own bytes, or an enlarged or flattened copy.
struct Input<'a> {
    bytes: Cow<'a, [u8]>,
    dpi: Option<u32>,
    size: (u32, u32),
}

impl Tesseract {
    /// The engine with the `engines.tesseract.languages` setting.
    pub fn with_languages(languages: Languages) -> Self {
        Self {
            languages,
            ..Self::default()
        }
    }

    /// The engine running another binary (a wrapper, or one that is not there).
    pub fn with_binary(binary: impl Into<String>) -> Self {
        Self {
            binary: binary.into(),
            ..Self::default()
        }
    }

    /// The packs the binary has (asked on the first call).
    pub fn installed(&self) -> &[String] {
        self.installed
            .get_or_init(|| packs::installed(&self.binary))
    }

    /// What to tell a user once about the setting's packs this machine lacks (pages in those
    /// languages are read as before, in the first pack only); `None` when nothing is missing or
    /// the program cannot list its packs (it is then missing itself, which is said elsewhere).
    pub fn language_note(&self) -> Option<String> {
        let installed = self.installed();
        if installed.is_empty() {
            return None;
        }
        self.languages.note(installed)
    }

    /// The engine's version line (`tesseract 5.3.0`), or why it cannot run.
    pub fn version(&self) -> Result<String, OcrError> {
        let out = Command::new(&self.binary)
            .arg("--version")
            .output()
            .map_err(|_| self.missing())?;
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(all.lines().next().unwrap_or("tesseract").trim().to_string())
    }

    fn missing(&self) -> OcrError {
        OcrError::EngineMissing {
            engine: self.binary.clone(),
            fix: INSTALL_HINT.into(),
        }
    }
}

#[async_trait]
impl OcrEngine for Tesseract {
    fn name(&self) -> &str {
        "tesseract"
    }

    fn note(&self) -> Option<String> {
        self.language_note()
    }

    async fn recognize(
        &self,
        image: &PageImage,
        page_number: u32,
        _settings: &OcrSection,
    ) -> Result<Recognized, OcrError> {
        let engine = self.clone();
        let image = image.clone();
        let words = tokio::task::spawn_blocking(move || engine.read(&image, page_number))
            .await
            .map_err(|e| self.failed(page_number, format!("the OCR thread stopped: {e}")))??;
        Ok(Recognized {
            words,
            metering: super::one_page("OCR/tesseract"),
        })
    }
}

impl Tesseract {
    /// Reads one page, blocking until it is done. A page with small print is enlarged first
    /// ([`upscale`]); a page read poorly is read again with its background flattened
    /// ([`flatten`]), and the reading with more legible words is kept; then a page in another
    /// language is read in it ([`Self::in_own_language`]).
    fn read(&self, image: &PageImage, page_number: u32) -> Result<Vec<Word>, OcrError> {
        let enlarged = upscale::enlarge(&image.bytes);
        let scaled_dpi = |f: f32| image.dpi.map(|d| (d as f32 * f).round() as u32);
        let input = match &enlarged {
            Some((big, f)) => Input {
                bytes: Cow::Owned(upscale::pgm(big)),
                dpi: scaled_dpi(*f),
                size: big.dimensions(),
            },
            None => Input {
                bytes: Cow::Borrowed(&image.bytes),
                dpi: image.dpi,
                size: (image.width, image.height),
            },
        };
        let first_pack = self.languages.first.clone();
        let first = self.read_bytes(&input, &first_pack, page_number)?;
        let seen = flatten::legible(&first);
        if seen >= flatten::POOR_READING {
            return Ok(self.in_own_language(&input, first, page_number));
        }
        let flat = match &enlarged {
            Some((big, f)) => flatten::flatten_gray(big).map(|g| Input {
                bytes: Cow::Owned(upscale::pgm(&g)),
                dpi: scaled_dpi(*f),
                size: g.dimensions(),
            }),
            None => flatten::flatten(&image.bytes).map(|b| Input {
                bytes: Cow::Owned(b),
                dpi: image.dpi,
                size: (image.width, image.height),
            }),
        };
        let Some(flat) = flat else {
            return Ok(self.in_own_language(&input, first, page_number));
        };
        let second = self.read_bytes(&flat, &first_pack, page_number)?;
        Ok(if flatten::legible(&second) > seen {
            self.in_own_language(&flat, second, page_number)
        } else {
            self.in_own_language(&input, first, page_number)
        })
    }

    /// `reading` of `input`, or a reading of it with the page's own language pack when the
    /// words say the page is in another language, that pack is installed and the setting allows
    /// it, and that reading is stronger ([`strength`]). A second reading that fails leaves the
    /// first one standing.
    fn in_own_language(&self, input: &Input, reading: Vec<Word>, page_number: u32) -> Vec<Word> {
        let Some(detected) = language::evidence(reading.iter().map(|w| w.text.as_str())).language()
        else {
            return reading;
        };
        let Some(packs) = self.languages.second_reading(detected, self.installed()) else {
            return reading;
        };
        match self.read_bytes(input, &packs, page_number) {
            Ok(own) if strength(&own) > strength(&reading) => own,
            _ => reading,
        }
    }

    /// Runs the program on `input` with the packs `languages` (`eng`, `deu+eng`).
    fn read_bytes(
        &self,
        input: &Input,
        languages: &str,
        page_number: u32,
    ) -> Result<Vec<Word>, OcrError> {
        let mut cmd = Command::new(&self.binary);
        cmd.args(["stdin", "stdout", "-l", languages, "--psm"])
            .arg(self.psm.to_string());
        if let Some(dpi) = input.dpi {
            cmd.args(["--dpi", &dpi.to_string()]);
        }
        let mut child = cmd
            .arg("tsv")
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    self.missing()
                }
                _ => self.failed(page_number, e.to_string()),
            })?;
        // Feed stdin from a thread: tesseract may start writing before it has read everything,
        // and a full stdout pipe would then deadlock a single-threaded writer.
        let mut stdin = child.stdin.take().expect("piped");
        let bytes = input.bytes.to_vec();
        let feeder = std::thread::spawn(move || stdin.write_all(&bytes));
        let out = child
            .wait_with_output()
            .map_err(|e| self.failed(page_number, e.to_string()))?;
        let _ = feeder.join();
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let reason = err
                .lines()
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or("no message")
                .to_string();
            return Err(self.failed(page_number, format!("{} ({reason})", out.status)));
        }
        Ok(tsv::parse(
            &String::from_utf8_lossy(&out.stdout),
            input.size,
        ))
    }

    fn failed(&self, page: u32, reason: String) -> OcrError {
        OcrError::Failed {
            engine: self.name().into(),
            page,
            reason,
        }
    }
}

/// How strong a reading is: the confidence summed over its legible words, so a reading that is
/// surer of the same words wins, and one that finds more words too.
fn strength(words: &[Word]) -> f32 {
    words
        .iter()
        .filter(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .map(|w| w.confidence)
        .sum()
}
