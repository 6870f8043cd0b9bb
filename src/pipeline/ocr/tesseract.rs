//! Tesseract through its CLI (`tesseract stdin stdout tsv`): no C bindings to build, and the
//! engine on the machine is the one that runs. `OMP_THREAD_LIMIT=1` because Tesseract's OpenMP
//! threads fight each other on small machines (5–7× slower on 2 cores without it); parallelism
//! belongs to the caller, one page per process. The program runs on a blocking thread, so an
//! async caller's runtime keeps serving while a page is read.

use std::io::Write;
use std::process::{Command, Stdio};

use async_trait::async_trait;

use super::{OcrEngine, OcrError, Recognized, flatten, tsv, upscale};
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
    /// Languages (`eng`, `eng+deu`).
    pub languages: String,
    /// Page segmentation mode; 3 (automatic) reads forms and letters alike.
    pub psm: u32,
}

impl Default for Tesseract {
    fn default() -> Self {
        Self {
            binary: std::env::var("TESSERACT_PATH").unwrap_or_else(|_| "tesseract".into()),
            languages: "eng".into(),
            psm: 3,
        }
    }
}

impl Tesseract {
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
    /// ([`flatten`]), and the reading with more legible words is kept.
    fn read(&self, image: &PageImage, page_number: u32) -> Result<Vec<Word>, OcrError> {
        let enlarged = upscale::enlarge(&image.bytes);
        let first = match &enlarged {
            Some((big, f)) => {
                let dpi = image.dpi.map(|d| (d as f32 * f).round() as u32);
                self.read_bytes(&upscale::pgm(big), dpi, big.dimensions(), page_number)?
            }
            None => self.read_bytes(
                &image.bytes,
                image.dpi,
                (image.width, image.height),
                page_number,
            )?,
        };
        let seen = flatten::legible(&first);
        if seen >= flatten::POOR_READING {
            return Ok(first);
        }
        let flat = match &enlarged {
            Some((big, f)) => flatten::flatten_gray(big).map(|g| {
                (
                    upscale::pgm(&g),
                    image.dpi.map(|d| (d as f32 * f).round() as u32),
                    g.dimensions(),
                )
            }),
            None => {
                flatten::flatten(&image.bytes).map(|b| (b, image.dpi, (image.width, image.height)))
            }
        };
        let Some((flat, dpi, size)) = flat else {
            return Ok(first);
        };
        let second = self.read_bytes(&flat, dpi, size, page_number)?;
        Ok(if flatten::legible(&second) > seen {
            second
        } else {
            first
        })
    }

    /// Runs the program on `bytes` (the page's image, or a cleaned or enlarged copy of it, of
    /// `size` pixels rendered at `dpi`).
    fn read_bytes(
        &self,
        bytes: &[u8],
        dpi: Option<u32>,
        size: (u32, u32),
        page_number: u32,
    ) -> Result<Vec<Word>, OcrError> {
        let mut cmd = Command::new(&self.binary);
        cmd.args(["stdin", "stdout", "-l", &self.languages, "--psm"])
            .arg(self.psm.to_string());
        if let Some(dpi) = dpi {
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
        let bytes = bytes.to_vec();
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
        Ok(tsv::parse(&String::from_utf8_lossy(&out.stdout), size))
    }

    fn failed(&self, page: u32, reason: String) -> OcrError {
        OcrError::Failed {
            engine: self.name().into(),
            page,
            reason,
        }
    }
}
