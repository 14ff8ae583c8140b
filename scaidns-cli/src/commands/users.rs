//! `scaidns users list|show|create|update|disable|reset-password|invite|resend-invite`:
//! `/api/v1/admin/users/` through the client. Passwords are read from standard input, never
//! from the command line (where `ps` and shell history would keep them).

use std::io::BufRead;

use scaidns_client::Client;
use scaidns_client::types::{
    UserCreateRequest, UserInviteRequest, UserPasswordRequest, UserResponse, UserStatusDto,
    UserUpdateRequest,
};
use serde_json::json;

use crate::cli::{Output, UsersCommand};
use crate::output::{Failure, INVALID, print_json, print_table, when};

/// The first line of standard input, without its line ending.
fn password_from_stdin() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::new(INVALID, format!("cannot read the password: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(Failure::new(INVALID, "no password on standard input"));
    }
    Ok(password)
}

/// Runs one `users` subcommand.
pub async fn users(client: &Client, cmd: &UsersCommand, output: Output) -> Result<(), Failure> {
    let user = match cmd {
        UsersCommand::List {
            tenant,
            search,
            status,
            page,
            page_size,
        } => {
            let status = match status.as_deref() {
                Some("inactive") => Some(UserStatusDto::Inactive),
                Some(_) => Some(UserStatusDto::Active),
                None => None,
            };
            let list = client
                .user_list(
                    *page,
                    *page_size,
                    search.as_deref(),
                    status,
                    tenant.as_deref(),
                )
                .await?
                .into_inner();
            match output {
                Output::Json => print_json(&serde_json::to_value(&list).unwrap_or_default()),
                Output::Text => print_users(&list.data),
            }
            return Ok(());
        }
        UsersCommand::Show { user } => client.user_get(user).await?.into_inner(),
        UsersCommand::Create {
            email,
            first_name,
            last_name,
            display_name,
            tenant,
            password_stdin,
        } => {
            let password = if *password_stdin {
                Some(password_from_stdin()?)
            } else {
                None
            };
            let body = UserCreateRequest {
                email: email.clone(),
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                display_name: display_name.clone(),
                password,
                tenant_id: tenant.clone(),
            };
            client.user_create(&body).await?.into_inner()
        }
        UsersCommand::Update {
            user,
            first_name,
            last_name,
            display_name,
            enable,
        } => {
            let body = UserUpdateRequest {
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                display_name: display_name.clone(),
                status: enable.then_some(UserStatusDto::Active),
            };
            client.user_update(user, &body).await?.into_inner()
        }
        UsersCommand::Disable { user } => client.user_disable(user).await?.into_inner(),
        UsersCommand::ResetPassword { user } => {
            let body = UserPasswordRequest {
                password: password_from_stdin()?,
            };
            client.user_password_reset(user, &body).await?.into_inner()
        }
        UsersCommand::Invite {
            email,
            first_name,
            last_name,
            tenant,
        } => {
            let body = UserInviteRequest {
                email: email.clone(),
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                display_name: None,
                tenant_id: tenant.clone(),
            };
            client.user_invite(&body).await?.into_inner()
        }
        UsersCommand::ResendInvite { user } => client.user_resend_invite(user).await?.into_inner(),
    };
    match output {
        Output::Json => print_json(&json!(user)),
        Output::Text => print_users(std::slice::from_ref(&user)),
    }
    Ok(())
}

fn print_users(users: &[UserResponse]) {
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| {
            let role = match (u.is_platform_admin, u.is_tenant_admin) {
                (true, _) => "platform admin",
                (false, true) => "tenant admin",
                _ => "",
            };
            vec![
                u.id.clone(),
                u.email.clone(),
                u.name.clone(),
                u.status.clone(),
                role.to_owned(),
                u.scaikey_user_id.clone().unwrap_or_default(),
                when(&u.updated_at),
            ]
        })
        .collect();
    print_table(
        &[
            "ID",
            "EMAIL",
            "NAME",
            "STATUS",
            "ROLE",
            "SCAIKEY ID",
            "UPDATED",
        ],
        &rows,
    );
}
