//! `scaidns`: the server, operator commands, and a client for the API.
//!
//! Exit codes scripts can rely on (interface decision 26): 0 success, 2 usage, 3 not found,
//! 4 not authenticated or not allowed, 5 conflict or invalid input, 6 server or backend
//! unavailable.

mod cli;
mod commands;
mod output;

use clap::Parser;

use crate::output::Failure;

#[tokio::main]
async fn main() {
    let cli = cli::Cli::parse();
    let code = match commands::run(cli).await {
        Ok(()) => 0,
        Err(Failure { code, message }) => {
            eprintln!("error: {message}");
            code
        }
    };
    std::process::exit(code);
}
