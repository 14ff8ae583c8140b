//! `scaidns groups list|show|create|update|delete` and `scaidns groups members list|add|remove`.

use scaidns_client::Client;
use scaidns_client::types::{
    GroupCreateRequest, GroupMemberRequest, GroupMembers, GroupResponse, GroupUpdateRequest,
};
use serde_json::json;

use crate::cli::{GroupMembersCommand, GroupsCommand, Output};
use crate::output::{Failure, or_dash, print_json, print_json_of, print_table};

/// Runs one `groups` subcommand.
pub async fn run(client: &Client, cmd: &GroupsCommand, output: Output) -> Result<(), Failure> {
    let group = match cmd {
        GroupsCommand::List { tenant } => return list(client, tenant.as_deref(), output).await,
        GroupsCommand::Members(cmd) => return members(client, cmd, output).await,
        GroupsCommand::Show { group } => client.group_get(group).await?.into_inner(),
        GroupsCommand::Create {
            name,
            description,
            group_type,
            tenant,
        } => {
            let body = GroupCreateRequest {
                name: name.clone(),
                description: description.clone(),
                group_type: group_type.clone(),
                tenant_id: tenant.clone(),
            };
            client.group_create(&body).await?.into_inner()
        }
        GroupsCommand::Update {
            group,
            name,
            description,
            group_type,
        } => {
            let body = GroupUpdateRequest {
                name: name.clone(),
                description: description.clone(),
                group_type: group_type.clone(),
            };
            client.group_update(group, &body).await?.into_inner()
        }
        GroupsCommand::Delete { group } => {
            client.group_delete(group).await?;
            match output {
                Output::Json => print_json(&json!({ "deleted": group })),
                Output::Text => println!("deleted group {group}"),
            }
            return Ok(());
        }
    };
    match output {
        Output::Json => print_json_of(&group),
        Output::Text => print_groups(std::slice::from_ref(&group)),
    }
    Ok(())
}

async fn list(client: &Client, tenant: Option<&str>, output: Output) -> Result<(), Failure> {
    let groups: Vec<GroupResponse> = scaidns_client::collect_pages(100, |page, size| async move {
        let r = client
            .group_list(Some(page), Some(size), tenant)
            .await?
            .into_inner();
        Ok::<_, Failure>((r.data, r.total))
    })
    .await?;
    match output {
        Output::Json => print_json(&json!({ "data": groups, "total": groups.len() })),
        Output::Text => print_groups(&groups),
    }
    Ok(())
}

fn print_groups(groups: &[GroupResponse]) {
    let rows: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            vec![
                g.id.clone(),
                g.name.clone(),
                g.group_type.clone(),
                g.tenant_id.clone(),
                or_dash(g.description.as_deref()),
            ]
        })
        .collect();
    print_table(&["ID", "NAME", "TYPE", "TENANT", "DESCRIPTION"], &rows);
}

async fn members(
    client: &Client,
    cmd: &GroupMembersCommand,
    output: Output,
) -> Result<(), Failure> {
    let (group, members): (&str, GroupMembers) = match cmd {
        GroupMembersCommand::List { group } => {
            (group, client.group_member_list(group).await?.into_inner())
        }
        GroupMembersCommand::Add { group, user } => {
            let body = GroupMemberRequest {
                user_id: user.clone(),
            };
            (
                group,
                client.group_member_add(group, &body).await?.into_inner(),
            )
        }
        GroupMembersCommand::Remove { group, user } => {
            client.group_member_remove(group, user).await?;
            // The removal answers 204: show what is left.
            (group, client.group_member_list(group).await?.into_inner())
        }
    };
    match output {
        Output::Json => print_json(&json!({ "group_id": group, "user_ids": members.user_ids })),
        Output::Text => print_table(
            &["USER ID"],
            &members
                .user_ids
                .iter()
                .map(|u| vec![u.clone()])
                .collect::<Vec<_>>(),
        ),
    }
    Ok(())
}
