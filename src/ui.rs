//! How idpctl talks to people: data on stdout, messages on stderr, colour only on a terminal and
//! never with `NO_COLOR`, and a verbosity level that every command honours.

use std::io::IsTerminal;

use clap::ValueEnum;
use serde::Serialize;

/// `--output`: text for people, JSON for scripts. Both come from the same serializable value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

/// Where messages go and how loud they are. Built once from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub output: OutputFormat,
    /// -1 quiet, 0 normal, 1+ verbose.
    pub verbosity: i8,
    pub color: bool,
}

impl Ui {
    pub fn new(output: OutputFormat, verbose: u8, quiet: bool) -> Self {
        let verbosity = if quiet { -1 } else { verbose.min(3) as i8 };
        Ui {
            output,
            verbosity,
            color: color_enabled(std::io::stderr().is_terminal()),
        }
    }

    /// Progress and notes: hidden with `-q`.
    pub fn info(&self, msg: impl AsRef<str>) {
        if self.verbosity >= 0 {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// Detail that only `-v` asks for.
    pub fn debug(&self, msg: impl AsRef<str>) {
        if self.verbosity >= 1 {
            eprintln!("{}", self.paint(Style::Dim, msg.as_ref()));
        }
    }

    pub fn warn(&self, msg: impl AsRef<str>) {
        if self.verbosity >= 0 {
            eprintln!(
                "{}: {}",
                self.paint(Style::Warning, "warning"),
                msg.as_ref()
            );
        }
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        paint(self.color, style, text)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Style {
    Error,
    Warning,
    Hint,
    Good,
    Dim,
    Bold,
}

pub fn paint(color: bool, style: Style, text: &str) -> String {
    if !color {
        return text.to_string();
    }
    let code = match style {
        Style::Error => "1;31",
        Style::Warning => "1;33",
        Style::Hint => "1;36",
        Style::Good => "32",
        Style::Dim => "2",
        Style::Bold => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// `NO_COLOR` (any non-empty value) wins over a terminal; see no-color.org.
pub fn color_enabled(is_terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    is_terminal && !no_color
}

/// Prints a serializable result as pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    Ok(())
}
