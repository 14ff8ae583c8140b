//! `scaidns completions SHELL`: the completion script clap derives from the command tree.

use clap::CommandFactory;

use crate::cli::Cli;

/// Prints the script for `shell` on standard output.
pub fn run(shell: clap_complete::Shell) {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "scaidns", &mut script);
    // Through `print!`, so `… | head` ends quietly like every other command (see main.rs).
    print!("{}", String::from_utf8_lossy(&script));
}
