//! One module per command group. Server and operator commands use the core and the server
//! crate directly; client commands go through the typed client.

mod api_keys;
mod audit;
mod auth;
mod authoritative_domains;
mod axfr;
mod completions;
mod connection;
mod dnssec;
mod domains;
mod env_lines;
mod grants;
mod groups;
mod health;
mod identity;
mod import;
mod json_file;
mod local;
mod login;
mod nameservers;
mod operator;
mod permissions;
mod plan;
mod platform;
mod records;
mod records_bulk;
mod records_edit;
mod reverse;
mod roles;
mod templates;
mod tenants;
mod users;
mod validation;
mod webhooks;
mod whoami;
mod zone_export;
mod zone_history;
mod zone_ref;

use connection::client;

use crate::cli::{Cli, Command};
use crate::output::Failure;

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
        Command::ApiKeys(cmd) => {
            let (client, key) = connection::client_and_key(&cli)?;
            api_keys::run(&client, &key, cmd, output).await
        }
        Command::Audit(cmd) => audit::run(&client(&cli)?, cmd, output).await,
        Command::Domains(cmd) => domains::run(&client(&cli)?, cmd, output).await,
        Command::Validation(cmd) => validation::run(&client(&cli)?, cmd, output).await,
        Command::Records(cmd) => records::run(&client(&cli)?, cmd, output).await,
        Command::Dnssec(cmd) => dnssec::run(&client(&cli)?, cmd, output).await,
        Command::Login { insecure } => login::login(&cli, *insecure, output).await,
        Command::Logout => login::logout(&cli, output),
        Command::Whoami { context } => whoami::run(&client(&cli)?, *context, output).await,
        Command::Permissions(cmd) => permissions::run(&client(&cli)?, cmd, output).await,
        Command::Auth(cmd) => auth::run(&connection::anonymous(&cli)?, cmd, output).await,
        Command::Health { strict, live } => {
            health::run(&connection::anonymous(&cli)?, *strict, *live, output).await
        }
        Command::Completions { shell } => {
            completions::run(*shell);
            Ok(())
        }
        Command::Groups(cmd) => groups::run(&client(&cli)?, cmd, output).await,
        Command::Roles(cmd) => roles::run(&client(&cli)?, cmd, output).await,
        Command::Grants(cmd) => grants::run(&client(&cli)?, cmd, output).await,
        Command::Nameservers(cmd) => nameservers::run(&client(&cli)?, cmd, output).await,
        Command::AuthoritativeDomains(cmd) => {
            authoritative_domains::run(&client(&cli)?, cmd, output).await
        }
        Command::Tenants(cmd) => tenants::run(&client(&cli)?, cmd, output).await,
        Command::ReverseZones(cmd) => reverse::zones(&client(&cli)?, cmd, output).await,
        Command::Ptr(cmd) => reverse::ptr(&client(&cli)?, cmd, output).await,
        Command::Templates(cmd) => templates::run(&client(&cli)?, cmd, output).await,
        Command::Webhooks(cmd) => webhooks::run(&client(&cli)?, cmd, output).await,
        Command::Partners(cmd) => platform::partners(&client(&cli)?, cmd, output).await,
        Command::Users(cmd) => users::users(&client(&cli)?, cmd, output).await,
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
