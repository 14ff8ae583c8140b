//! `scaidns whoami`: who the API key acts for (`GET /me`).

use scaidns_client::Client;

use crate::cli::Output;
use crate::output::{Failure, or_dash, print_json_of, print_table};

/// Prints the caller.
pub async fn run(client: &Client, output: Output) -> Result<(), Failure> {
    let me = client.me_get().await?.into_inner();
    match output {
        Output::Json => print_json_of(&me),
        Output::Text => {
            let me = me.data;
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
    }
    Ok(())
}
