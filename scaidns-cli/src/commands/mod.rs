//! One module per command group. Server and operator commands use the core and the server
//! crate directly; client commands go through the typed client.

mod api_keys;
mod audit;
mod axfr;
mod dnssec;
mod domains;
mod env_lines;
mod identity;
mod import;
mod local;
mod operator;
mod platform;
mod records;
mod records_bulk;
mod templates;
mod validation;
mod zone_export;
mod zone_ref;

use scaidns_client::Client;

use crate::cli::{Cli, Command};
use crate::output::{Failure, USAGE};

/// Runs the parsed command.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let output = cli.output();
    match &cli.command {
        Command::Serve {
            local,
            no_migrate,
            no_jobs,
        } => local::serve(local.dev, *no_migrate, *no_jobs).await,
        Command::Migrate { local } => local::migrate(local.dev, output).await,
        Command::Bootstrap { local, email } => local::bootstrap(local.dev, email, output).await,
        Command::ApiKeys(cmd) => api_keys::run(&client(&cli)?, cmd, output).await,
        Command::Audit(cmd) => audit::run(&client(&cli)?, cmd, output).await,
        Command::Domains(cmd) => domains::run(&client(&cli)?, cmd, output).await,
        Command::Validation(cmd) => validation::run(&client(&cli)?, cmd, output).await,
        Command::Records(cmd) => records::run(&client(&cli)?, cmd, output).await,
        Command::Dnssec(cmd) => dnssec::run(&client(&cli)?, cmd, output).await,
        Command::Templates(cmd) => templates::run(&client(&cli)?, cmd, output).await,
        Command::Tenants(cmd) => platform::tenants(&client(&cli)?, cmd, output).await,
        Command::Partners(cmd) => platform::partners(&client(&cli)?, cmd, output).await,
        Command::Config(cmd) => platform::config(&client(&cli)?, cmd, output).await,
        Command::Worker { local, once } => operator::worker(local.dev, *once, output).await,
        Command::Reconcile { local, fix } => operator::reconcile(local.dev, *fix, output).await,
        Command::Sync { local, users_only } => identity::sync(local.dev, *users_only, output).await,
        Command::AssignAdmin {
            local,
            user_email,
            revoke,
        } => identity::assign_admin(local.dev, user_email, *revoke, output).await,
        Command::RegisterScaikey {
            public_url,
            scaikey_url,
            email,
            scope,
            name,
            data_dir,
            interval,
            timeout,
            yes,
            env_file,
        } => {
            identity::register(
                identity::RegisterArgs {
                    scaikey_url: scaikey_url.clone(),
                    public_url: public_url.clone(),
                    email: email.clone(),
                    scope: scope.clone(),
                    name: name.clone(),
                    data_dir: data_dir.clone(),
                    interval: *interval,
                    timeout: *timeout,
                    write_env: *yes,
                    env_file: env_file.clone(),
                },
                output,
            )
            .await
        }
    }
}

/// What the server's audit log records as the CLI's user agent.
const USER_AGENT: &str = concat!("scaidns-cli/", env!("CARGO_PKG_VERSION"));

/// The authenticated API client for client commands.
fn client(cli: &Cli) -> Result<Client, Failure> {
    let key = cli
        .api_key
        .as_deref()
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| {
            Failure::new(
                USAGE,
                "an API key is needed: pass --api-key or set SCAIDNS_API_KEY",
            )
        })?;
    Client::with_api_key_as(&cli.url, key, USER_AGENT)
        .map_err(|e| Failure::new(USAGE, e.to_string()))
}
