//! `scaidns tenants update|suspend|resume`, `scaidns partners list|show` and
//! `scaidns config list|get|set`: platform administration through the client (platform admins).

use scaidns_client::Client;
use scaidns_client::types::{
    ConfigItem, ConfigSetRequest, PartnerResponse, TenantResponse, TenantStatusDto,
    TenantUpdateRequest,
};
use serde_json::json;

use crate::cli::{ConfigCommand, Output, PartnersCommand, TenantsCommand};
use crate::output::{Failure, INVALID, print_json, print_table, when};

/// Runs one `tenants` subcommand.
pub async fn tenants(client: &Client, cmd: &TenantsCommand, output: Output) -> Result<(), Failure> {
    let (id, body) = match cmd {
        TenantsCommand::Update {
            tenant,
            name,
            settings,
        } => {
            let settings =
                match settings {
                    Some(text) => Some(serde_json::from_str(text).map_err(|e| {
                        Failure::new(INVALID, format!("--settings is not JSON: {e}"))
                    })?),
                    None => None,
                };
            (
                tenant,
                TenantUpdateRequest {
                    name: name.clone(),
                    settings,
                    status: None,
                },
            )
        }
        TenantsCommand::Suspend { tenant } => (tenant, status(TenantStatusDto::Suspended)),
        TenantsCommand::Resume { tenant } => (tenant, status(TenantStatusDto::Active)),
    };
    let tenant = client.tenant_update(id, &body).await?.into_inner();
    match output {
        Output::Json => print_json(&serde_json::to_value(&tenant).unwrap_or_default()),
        Output::Text => print_tenant(&tenant),
    }
    Ok(())
}

fn status(status: TenantStatusDto) -> TenantUpdateRequest {
    TenantUpdateRequest {
        name: None,
        settings: None,
        status: Some(status),
    }
}

fn print_tenant(t: &TenantResponse) {
    let by = if t.suspended_locally { " (here)" } else { "" };
    print_table(
        &["ID", "SLUG", "NAME", "STATUS", "PARTNER"],
        &[vec![
            t.id.clone(),
            t.slug.clone(),
            t.name.clone(),
            format!("{}{by}", t.status),
            t.partner_id.clone().unwrap_or_default(),
        ]],
    );
}

/// Runs one `partners` subcommand.
pub async fn partners(
    client: &Client,
    cmd: &PartnersCommand,
    output: Output,
) -> Result<(), Failure> {
    let partners = match cmd {
        PartnersCommand::List => client.partner_list().await?.into_inner().data,
        PartnersCommand::Show { partner } => vec![client.partner_get(partner).await?.into_inner()],
    };
    match (output, cmd) {
        (Output::Json, PartnersCommand::List) => {
            print_json(&json!({ "data": partners, "total": partners.len() }))
        }
        (Output::Json, PartnersCommand::Show { .. }) => {
            print_json(&serde_json::to_value(&partners[0]).unwrap_or_default())
        }
        (Output::Text, _) => print_table(
            &["ID", "PROVIDER ID", "NAME", "STATUS", "UPDATED"],
            &partners.iter().map(partner_row).collect::<Vec<_>>(),
        ),
    }
    Ok(())
}

fn partner_row(p: &PartnerResponse) -> Vec<String> {
    vec![
        p.id.clone(),
        p.scaikey_partner_id.clone(),
        p.name.clone(),
        p.status.clone(),
        when(&p.updated_at),
    ]
}

/// Runs one `config` subcommand.
pub async fn config(client: &Client, cmd: &ConfigCommand, output: Output) -> Result<(), Failure> {
    let items = match cmd {
        ConfigCommand::List => client.config_list().await?.into_inner().configs,
        ConfigCommand::Get { key } => vec![client.config_get(key).await?.into_inner()],
        ConfigCommand::Set { key, value } => vec![
            client
                .config_set(
                    key,
                    &ConfigSetRequest {
                        value: value.clone(),
                    },
                )
                .await?
                .into_inner(),
        ],
    };
    match (output, cmd) {
        (Output::Json, ConfigCommand::List) => print_json(&json!({ "configs": items })),
        (Output::Json, _) => print_json(&serde_json::to_value(&items[0]).unwrap_or_default()),
        (Output::Text, _) => print_table(
            &["KEY", "VALUE", "SOURCE", "DEFAULT", "DESCRIPTION"],
            &items.iter().map(config_row).collect::<Vec<_>>(),
        ),
    }
    Ok(())
}

fn config_row(c: &ConfigItem) -> Vec<String> {
    vec![
        c.key.clone(),
        c.value.clone(),
        c.source.clone(),
        c.default.clone(),
        c.description.clone(),
    ]
}
