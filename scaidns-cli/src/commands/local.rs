//! Commands that run against the configuration directly: `serve`, `migrate`, `bootstrap`.

use scaidns_server::Config;
use scaidns_server::wiring::{self, Needs};
use serde_json::json;

use crate::cli::Output;
use crate::output::{Failure, INVALID, UNAVAILABLE, print_json};

fn config(dev: bool) -> Result<Config, Failure> {
    Config::from_env(dev).map_err(|e| Failure::new(INVALID, e.to_string()))
}

/// `scaidns serve`.
pub async fn serve(dev: bool, no_migrate: bool, no_jobs: bool) -> Result<(), Failure> {
    let mut config = config(dev)?;
    if no_migrate {
        config.auto_migrate = false;
    }
    if no_jobs {
        config.run_jobs = false;
    }
    scaidns_server::telemetry::init_for(&config);
    scaidns_server::serve(config)
        .await
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))
}

/// `scaidns migrate`.
pub async fn migrate(dev: bool, output: Output) -> Result<(), Failure> {
    let config = config(dev)?;
    let applied = wiring::migrate(&config)
        .await
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))?;
    match output {
        Output::Json => print_json(&json!({ "migrated": true, "applied": applied })),
        Output::Text if applied == 0 => println!("database is up to date (no migration to apply)"),
        Output::Text => println!("applied {applied} migrations; database is up to date"),
    }
    Ok(())
}

/// `scaidns bootstrap --email`.
pub async fn bootstrap(dev: bool, email: &str, output: Output) -> Result<(), Failure> {
    let config = config(dev)?;
    let service = wiring::service(&config, Needs::Store)
        .await
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))?;
    let done = service.bootstrap(email).await.map_err(|e| {
        let hint = if e.code() == "already_bootstrapped" {
            "; to make an existing user a platform admin run `scaidns assign-admin --user-email <email>`; \
             to get another API key ask an admin to run `scaidns api-keys create --name <label> --user <id>` \
             (`scaidns api-keys list` and `revoke` manage existing keys)"
        } else {
            ""
        };
        let mut failure = Failure::from(e);
        failure.message.push_str(hint);
        failure
    })?;
    match output {
        Output::Json => print_json(&json!({
            "user_id": done.user.id.to_string(),
            "tenant_id": done.tenant.id.to_string(),
            "api_key": done.secret.expose(),
        })),
        Output::Text => {
            println!("platform tenant: {}", done.tenant.id);
            println!("platform admin:  {} ({})", done.user.email, done.user.id);
            println!(
                "API key (shown once, store it now):\n{}",
                done.secret.expose()
            );
        }
    }
    Ok(())
}
