//! A progress bar on standard error for long runs (networks, `--pass all`,
//! `--compare`, sweeps): work items done of total, elapsed time and an
//! estimate of the rest. Drawn only when stderr is a terminal, so logs,
//! pipes and tests see nothing.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar, or nothing when stderr is not a terminal or there is one item.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// `what` names the items, e.g. "layers" or "design points".
    pub fn new(total: usize, what: &str) -> Progress {
        if total < 2 || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let template =
            format!("{{bar:30}} {{pos}}/{{len}} {what}, {{elapsed}} elapsed, about {{eta}} left");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    /// One item finished (callable from any worker thread).
    pub fn inc(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
