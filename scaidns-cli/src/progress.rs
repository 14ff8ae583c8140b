//! Progress for long imports and transfers (indicatif), drawn on standard error and only for
//! a person watching: hidden when standard output is not a terminal (scripts, pipes, tests)
//! and with JSON output, so what a script reads is never interleaved with bar redraws.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::Output;

/// A spinner saying `message` with a running count (`{pos}` in the message), or a hidden one.
pub fn spinner(output: Output, message: &'static str) -> ProgressBar {
    if output == Output::Json || !std::io::stdout().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!("{{spinner}} {message} ({{elapsed}})"))
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
