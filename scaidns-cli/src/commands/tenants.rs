//! `scaidns tenants list|show|create|update|suspend|resume` (platform admins).

use scaidns_client::Client;
use scaidns_client::types::{
    TenantCreateRequest, TenantResponse, TenantStatusDto, TenantUpdateRequest,
};
use serde_json::json;

use crate::cli::{Output, TenantsCommand};
use crate::output::{Failure, INVALID, json_object, print_json, print_json_of, print_table};

/// Runs one `tenants` subcommand.
pub async fn run(client: &Client, cmd: &TenantsCommand, output: Output) -> Result<(), Failure> {
    let tenant = match cmd {
        TenantsCommand::List { search, status } => {
            return list(client, search.as_deref(), status.as_deref(), output).await;
        }
        TenantsCommand::Show { tenant } => client.tenant_get(tenant).await?.into_inner(),
        TenantsCommand::Create {
            name,
            slug,
            scaikey_tenant_id,
            partner,
            settings,
        } => {
            let body = TenantCreateRequest {
                name: name.clone(),
                slug: slug.clone(),
                scaikey_tenant_id: scaikey_tenant_id.clone(),
                partner_id: partner.clone(),
                settings: json_object("--settings", settings.as_deref())?,
            };
            client.tenant_create(&body).await?.into_inner()
        }
        TenantsCommand::Update {
            tenant,
            name,
            settings,
        } => {
            let body = TenantUpdateRequest {
                name: name.clone(),
                settings: json_object("--settings", settings.as_deref())?,
                status: None,
            };
            client.tenant_update(tenant, &body).await?.into_inner()
        }
        TenantsCommand::Suspend { tenant } => client
            .tenant_update(tenant, &status(TenantStatusDto::Suspended))
            .await?
            .into_inner(),
        TenantsCommand::Resume { tenant } => client
            .tenant_update(tenant, &status(TenantStatusDto::Active))
            .await?
            .into_inner(),
    };
    match output {
        Output::Json => print_json_of(&tenant),
        Output::Text => print_tenants(std::slice::from_ref(&tenant)),
    }
    Ok(())
}

async fn list(
    client: &Client,
    search: Option<&str>,
    status: Option<&str>,
    output: Output,
) -> Result<(), Failure> {
    let status = status
        .map(|s| {
            s.parse::<TenantStatusDto>().map_err(|_| {
                Failure::new(
                    INVALID,
                    format!("unknown --status {s:?}: active or suspended"),
                )
            })
        })
        .transpose()?;
    let tenants: Vec<TenantResponse> =
        scaidns_client::collect_pages(100, |page, size| async move {
            let r = client
                .tenant_list(Some(page), Some(size), search, status)
                .await?
                .into_inner();
            Ok::<_, Failure>((r.data, r.total))
        })
        .await?;
    match output {
        Output::Json => print_json(&json!({ "data": tenants, "total": tenants.len() })),
        Output::Text => print_tenants(&tenants),
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

fn print_tenants(tenants: &[TenantResponse]) {
    let rows: Vec<Vec<String>> = tenants
        .iter()
        .map(|t| {
            let by = if t.suspended_locally { " (here)" } else { "" };
            vec![
                t.id.clone(),
                t.slug.clone(),
                t.name.clone(),
                format!("{}{by}", t.status),
                t.partner_id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["ID", "SLUG", "NAME", "STATUS", "PARTNER"], &rows);
}
