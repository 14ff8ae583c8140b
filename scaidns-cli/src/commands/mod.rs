//! One module per command group. Server and operator commands use the core and the server
//! crate directly; client commands go through the typed client.

mod api_keys;
mod local;
// domains, records, validation: one module each, added next to api_keys.

use scaidns_client::Client;

use crate::cli::{Cli, Command};
use crate::output::{Failure, USAGE};

/// Runs the parsed command.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let output = cli.output();
    match &cli.command {
        Command::Serve { local, no_migrate } => local::serve(local.dev, *no_migrate).await,
        Command::Migrate { local } => local::migrate(local.dev, output).await,
        Command::Bootstrap { local, email } => local::bootstrap(local.dev, email, output).await,
        Command::ApiKeys(cmd) => api_keys::run(&client(&cli)?, cmd, output).await,
    }
}

/// The authenticated API client for client commands.
fn client(cli: &Cli) -> Result<Client, Failure> {
    let key = cli.api_key.as_deref().ok_or_else(|| {
        Failure::new(
            USAGE,
            "an API key is needed: pass --api-key or set SCAIDNS_API_KEY",
        )
    })?;
    Client::with_api_key(&cli.url, key).map_err(|e| Failure::new(USAGE, e.to_string()))
}
