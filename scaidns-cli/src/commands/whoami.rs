//! `scaidns whoami [--context]`: who the API key acts for (`GET /me`), or with its tenant in
//! full and the permissions it holds (`GET /me/context`).

use scaidns_client::Client;
use scaidns_client::types::Me;

use crate::cli::Output;
use crate::output::{Failure, or_dash, print_json_of, print_table};

/// Prints the caller.
pub async fn run(client: &Client, context: bool, output: Output) -> Result<(), Failure> {
    if context {
        return run_context(client, output).await;
    }
    let me = client.me_get().await?.into_inner();
    match output {
        Output::Json => print_json_of(&me),
        Output::Text => print_me(&me.data),
    }
    Ok(())
}

async fn run_context(client: &Client, output: Output) -> Result<(), Failure> {
    let context = client.me_context().await?.into_inner();
    if output == Output::Json {
        print_json_of(&context);
        return Ok(());
    }
    let data = context.data;
    print_me(&data.user);
    let tenant = &data.tenant;
    println!(
        "\ntenant {} ({}): {}{}",
        tenant.slug,
        tenant.id,
        tenant.status,
        if tenant.is_platform {
            ", the platform tenant"
        } else {
            ""
        }
    );
    println!(
        "permissions in the tenant: {}",
        listed(&data.permissions.tenant)
    );
    println!(
        "permissions everywhere: {}",
        listed(&data.permissions.platform)
    );
    Ok(())
}

fn listed(permissions: &[String]) -> String {
    if permissions.is_empty() {
        "-".to_owned()
    } else {
        permissions.join(" ")
    }
}

fn print_me(me: &Me) {
    let admin = match (me.is_platform_admin, me.is_tenant_admin) {
        (true, _) => "platform admin",
        (false, true) => "tenant admin",
        (false, false) => "-",
    };
    print_table(
        &["USER", "EMAIL", "TENANT", "AUTH", "ADMIN", "GROUPS"],
        &[vec![
            or_dash(me.id.as_deref()),
            or_dash(me.email.as_deref()),
            me.tenant.slug.clone(),
            me.auth_method.clone(),
            admin.to_owned(),
            me.groups.join(","),
        ]],
    );
}
