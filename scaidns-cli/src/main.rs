//! `scaidns`: the server, operator commands, and a client for the API.
//!
//! Exit codes scripts can rely on (interface decision 26): 0 success, 2 usage, 3 not found,
//! 4 not authenticated or not allowed, 5 conflict or invalid input, 6 server or backend
//! unavailable.

mod cli;
mod commands;
mod config_file;
mod output;
mod progress;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

use crate::output::Failure;

#[tokio::main]
async fn main() {
    quiet_on_closed_stdout();
    let matches = cli::Cli::command().get_matches();
    let mut cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli.api_key_on_command_line = matches.value_source("api_key") == Some(ValueSource::CommandLine);
    let code = match commands::run(cli).await {
        Ok(()) => 0,
        Err(Failure { code, message }) => {
            eprintln!("error: {message}");
            code
        }
    };
    std::process::exit(code);
}

/// `scaidns domains list | head` closes stdout early and `println!` then panics; a pipeline
/// expects the command to stop quietly instead.
fn quiet_on_closed_stdout() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("failed printing to stdout") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
}
