//! `scaidns roles …`: roles, their assignment to users and groups, and effective permissions.

use scaidns_client::Client;
use scaidns_client::types::{
    RoleAssignRequest, RoleAssignmentResponse, RoleCreateRequest, RoleResponse, RoleUpdateRequest,
    ScopeDto,
};
use serde_json::json;

use super::zone_ref::{Deleted, Purpose, zone_id};
use crate::cli::{Output, Principal, RolesCommand, Who};
use crate::output::{Failure, INVALID, or_dash, print_json, print_json_of, print_table};

/// Runs one `roles` subcommand.
pub async fn run(client: &Client, cmd: &RolesCommand, output: Output) -> Result<(), Failure> {
    let role = match cmd {
        RolesCommand::List => {
            let roles = client.role_list().await?.into_inner().data;
            match output {
                Output::Json => print_json(&json!({ "data": roles, "total": roles.len() })),
                Output::Text => print_roles(&roles),
            }
            return Ok(());
        }
        RolesCommand::Permissions => {
            let list = client.permission_list().await?.into_inner();
            match output {
                Output::Json => print_json_of(&list),
                Output::Text => print_table(
                    &["PERMISSION", "DESCRIPTION"],
                    &list
                        .data
                        .iter()
                        .map(|p| vec![p.permission.clone(), p.description.clone()])
                        .collect::<Vec<_>>(),
                ),
            }
            return Ok(());
        }
        RolesCommand::Show { role } => client.role_get(role).await?.into_inner(),
        RolesCommand::Create {
            name,
            description,
            permissions,
        } => {
            let body = RoleCreateRequest {
                name: name.clone(),
                description: description.clone(),
                permissions: permissions.clone(),
            };
            client.role_create(&body).await?.into_inner()
        }
        RolesCommand::Update {
            role,
            name,
            description,
            permissions,
        } => {
            let body = RoleUpdateRequest {
                name: name.clone(),
                description: description.clone(),
                permissions: permissions.clone(),
            };
            client.role_update(role, &body).await?.into_inner()
        }
        RolesCommand::Delete { role } => {
            client.role_delete(role).await?;
            match output {
                Output::Json => print_json(&json!({ "deleted": role })),
                Output::Text => println!("deleted role {role}"),
            }
            return Ok(());
        }
        RolesCommand::Assign {
            principal,
            role,
            scope,
            zone,
        } => return assign(client, principal, role, scope, zone.as_deref(), output).await,
        RolesCommand::Revoke {
            principal,
            assignment,
        } => {
            match principal.who() {
                Who::User(id) => client.user_role_revoke(id, assignment).await?,
                Who::Group(id) => client.group_role_revoke(id, assignment).await?,
            };
            match output {
                Output::Json => print_json(&json!({ "revoked": assignment })),
                Output::Text => println!("revoked role assignment {assignment}"),
            }
            return Ok(());
        }
        RolesCommand::Assignments { principal } => {
            let list = match principal.who() {
                Who::User(id) => client.user_role_list(id).await?,
                Who::Group(id) => client.group_role_list(id).await?,
            }
            .into_inner();
            match output {
                Output::Json => print_json_of(&list),
                Output::Text => print_assignments(&list.data),
            }
            return Ok(());
        }
        RolesCommand::Effective { user } => {
            let perms = client.user_permission_list(user).await?.into_inner();
            match output {
                Output::Json => print_json_of(&perms),
                Output::Text => {
                    let mut rows = vec![
                        vec![
                            "platform".to_owned(),
                            "-".to_owned(),
                            perms.platform.join(" "),
                        ],
                        vec!["tenant".to_owned(), "-".to_owned(), perms.tenant.join(" ")],
                    ];
                    rows.extend(perms.assignments.iter().map(|a| {
                        vec![
                            format!("{} ({})", a.assignment.role_name, a.assignment.scope),
                            or_dash(a.assignment.scope_id.as_deref()),
                            a.permissions.join(" "),
                        ]
                    }));
                    print_table(&["FROM", "SCOPE ID", "PERMISSIONS"], &rows);
                }
            }
            return Ok(());
        }
    };
    match output {
        Output::Json => print_json_of(&role),
        Output::Text => print_roles(std::slice::from_ref(&role)),
    }
    Ok(())
}

async fn assign(
    client: &Client,
    principal: &Principal,
    role: &str,
    scope: &str,
    zone: Option<&str>,
    output: Output,
) -> Result<(), Failure> {
    let scope: ScopeDto = scope.parse().map_err(|_| {
        Failure::new(
            INVALID,
            format!("unknown --scope {scope:?}: platform, tenant or domain"),
        )
    })?;
    let scope_id = match (&scope, zone) {
        (ScopeDto::Domain, Some(zone)) => {
            Some(zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?)
        }
        (ScopeDto::Domain, None) => {
            return Err(Failure::new(INVALID, "--scope domain needs --zone"));
        }
        (_, Some(_)) => {
            return Err(Failure::new(
                INVALID,
                "--zone goes with --scope domain only",
            ));
        }
        (_, None) => None,
    };
    let body = RoleAssignRequest {
        role_name: role.to_owned(),
        scope,
        scope_id,
    };
    let assignment = match principal.who() {
        Who::User(id) => client.user_role_assign(id, &body).await?,
        Who::Group(id) => client.group_role_assign(id, &body).await?,
    }
    .into_inner();
    match output {
        Output::Json => print_json_of(&assignment),
        Output::Text => print_assignments(std::slice::from_ref(&assignment)),
    }
    Ok(())
}

fn print_roles(roles: &[RoleResponse]) {
    let rows: Vec<Vec<String>> = roles
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.name.clone(),
                if r.is_system { "system" } else { "custom" }.to_owned(),
                r.permissions.join(" "),
            ]
        })
        .collect();
    print_table(&["ID", "NAME", "KIND", "PERMISSIONS"], &rows);
}

fn print_assignments(assignments: &[RoleAssignmentResponse]) {
    let rows: Vec<Vec<String>> = assignments
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.role_name.clone(),
                format!("{} {}", a.principal_type, a.principal_id),
                a.scope.clone(),
                or_dash(a.scope_id.as_deref()),
            ]
        })
        .collect();
    print_table(&["ID", "ROLE", "PRINCIPAL", "SCOPE", "SCOPE ID"], &rows);
}
