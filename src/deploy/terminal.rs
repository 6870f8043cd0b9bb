//! The [`Interaction`] a person gets: prompts through dialoguer only when standard input is a
//! terminal (a script gets an error naming the flag instead of a hang), the change table on
//! stdout, and stack events on stderr — redrawn in place on a terminal, one line each otherwise.

use std::io::{IsTerminal as _, Write as _};

use super::changes::{self, ChangeRow};
use super::events::{self, LiveView};
use super::flow::{FlowError, Interaction};
use super::types::StackEvent;
use crate::ui::{OutputFormat, Ui, color_enabled};

pub struct Terminal<'a> {
    ui: &'a Ui,
    can_ask: bool,
    live: Option<(LiveView, usize)>,
}

impl<'a> Terminal<'a> {
    pub fn new(ui: &'a Ui) -> Self {
        let live = std::io::stderr().is_terminal() && ui.verbosity >= 0;
        Terminal {
            ui,
            can_ask: std::io::stdin().is_terminal(),
            live: live.then(|| (LiveView::default(), 0)),
        }
    }
}

impl Interaction for Terminal<'_> {
    fn confirm(&mut self, question: &str, flag: &'static str) -> Result<bool, FlowError> {
        let needs = || FlowError::NeedsConsent {
            question: question.to_string(),
            flag,
        };
        if !self.can_ask {
            return Err(needs());
        }
        dialoguer::Confirm::new()
            .with_prompt(question)
            .default(false)
            .interact()
            .map_err(|_| needs())
    }

    fn show_changes(&mut self, rows: &[ChangeRow]) {
        // In JSON mode the changes are part of the one result document.
        if self.ui.output == OutputFormat::Text {
            print!(
                "{}",
                changes::render(rows, color_enabled(std::io::stdout().is_terminal()))
            );
            let _ = std::io::stdout().flush();
        }
    }

    fn event(&mut self, event: &StackEvent) {
        if self.ui.verbosity < 0 {
            return;
        }
        match &mut self.live {
            Some((view, drawn)) => {
                view.apply(event);
                let mut err = std::io::stderr().lock();
                if *drawn > 0 {
                    // Up to the first line of the previous drawing, then clear to the end.
                    let _ = write!(err, "\x1b[{}A\x1b[J", *drawn);
                }
                let lines = view.lines(self.ui.color);
                for line in &lines {
                    let _ = writeln!(err, "{line}");
                }
                *drawn = lines.len();
            }
            None => eprintln!("{}", events::format_line(event, self.ui.color)),
        }
    }

    fn note(&mut self, message: &str) {
        // A note ends the live block; the next events start a fresh one below it.
        if let Some((view, drawn)) = &mut self.live {
            *view = LiveView::default();
            *drawn = 0;
        }
        self.ui.info(message);
    }
}
