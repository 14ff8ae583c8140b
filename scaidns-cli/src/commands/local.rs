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
pub async fn serve(dev: bool, no_migrate: bool) -> Result<(), Failure> {
    let mut config = config(dev)?;
    if no_migrate {
        config.auto_migrate = false;
    }
    scaidns_server::telemetry::init(config.log_level, config.log_format);
    scaidns_server::serve(config)
        .await
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))
}

/// `scaidns migrate`.
pub async fn migrate(dev: bool, output: Output) -> Result<(), Failure> {
    let config = config(dev)?;
    wiring::migrate(&config)
        .await
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))?;
    match output {
        Output::Json => print_json(&json!({ "migrated": true })),
        Output::Text => println!("database is up to date"),
    }
    Ok(())
}

/// `scaidns bootstrap --email`.
pub async fn bootstrap(dev: bool, email: &str, output: Output) -> Result<(), Failure> {
    let config = config(dev)?;
    let service = wiring::service(&config, Needs::Store)
        .await
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))?;
    let done = service.bootstrap(email).await?;
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
