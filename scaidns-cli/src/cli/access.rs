//! Clap definitions of who may do what: `groups`, `roles` and `grants`.

use clap::{Args, Subcommand};

/// `scaidns groups …`
#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// List groups (every page).
    #[command(after_help = "Example: scaidns groups list --json")]
    List {
        /// Only this tenant's groups (platform admins).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Show one group.
    #[command(after_help = "Example: scaidns groups show 3f1c…")]
    Show {
        /// Group id.
        group: String,
    },
    /// Create a local group.
    #[command(after_help = "Example: scaidns groups create --name dns-editors")]
    Create {
        /// Name, unique in the tenant.
        #[arg(long)]
        name: String,
        /// Free text.
        #[arg(long)]
        description: Option<String>,
        /// Group type (default: the server's).
        #[arg(long = "type")]
        group_type: Option<String>,
        /// Tenant the group belongs to (platform admins; default: yours).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Rename a group or change its description or type.
    #[command(after_help = "Example: scaidns groups update 3f1c… --description \"Zone editors\"")]
    Update {
        /// Group id.
        group: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// New type.
        #[arg(long = "type")]
        group_type: Option<String>,
    },
    /// Delete a group.
    #[command(after_help = "Example: scaidns groups delete 3f1c…")]
    Delete {
        /// Group id.
        group: String,
    },
    /// List, add or remove a group's members.
    #[command(subcommand, after_help = "Example: scaidns groups members list 3f1c…")]
    Members(GroupMembersCommand),
}

/// `scaidns groups members …`
#[derive(Debug, Subcommand)]
pub enum GroupMembersCommand {
    /// The group's member user ids.
    #[command(after_help = "Example: scaidns groups members list 3f1c…")]
    List {
        /// Group id.
        group: String,
    },
    /// Add a user to the group.
    #[command(after_help = "Example: scaidns groups members add 3f1c… 9a2b…")]
    Add {
        /// Group id.
        group: String,
        /// User id.
        user: String,
    },
    /// Remove a user from the group.
    #[command(after_help = "Example: scaidns groups members remove 3f1c… 9a2b…")]
    Remove {
        /// Group id.
        group: String,
        /// User id.
        user: String,
    },
}

/// A user or a group, from `--user`/`--group` (whose role assignments, who a grant is for).
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Principal {
    /// A user id.
    #[arg(long)]
    pub user: Option<String>,
    /// A group id.
    #[arg(long)]
    pub group: Option<String>,
}

/// A user's or a group's id, from `--user`/`--group`.
pub enum Who<'a> {
    /// `--user`.
    User(&'a str),
    /// `--group`.
    Group(&'a str),
}

impl Principal {
    /// Which of `--user`/`--group` was given (clap makes exactly one present).
    pub fn who(&self) -> Who<'_> {
        match (&self.user, &self.group) {
            (Some(user), _) => Who::User(user),
            (None, group) => Who::Group(group.as_deref().unwrap_or_default()),
        }
    }
}

/// `scaidns roles …`
#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// The roles you can assign: system roles and your tenant's own.
    #[command(after_help = "Example: scaidns roles list")]
    List,
    /// One role with its permissions.
    #[command(after_help = "Example: scaidns roles show 3f1c…")]
    Show {
        /// Role id.
        role: String,
    },
    /// Create a custom role in your tenant.
    #[command(
        after_help = "Example: scaidns roles create --name record-editor --permission records:read --permission records:write"
    )]
    Create {
        /// Name, unique in the tenant.
        #[arg(long)]
        name: String,
        /// Free text.
        #[arg(long)]
        description: Option<String>,
        /// A permission the role grants (repeatable; see `roles permissions`).
        #[arg(long = "permission", required = true)]
        permissions: Vec<String>,
    },
    /// Change a custom role; --permission replaces the whole list.
    #[command(after_help = "Example: scaidns roles update 3f1c… --permission records:read")]
    Update {
        /// Role id.
        role: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// The new permissions (repeatable; replaces the list).
        #[arg(long = "permission")]
        permissions: Vec<String>,
    },
    /// Delete a custom role.
    #[command(after_help = "Example: scaidns roles delete 3f1c…")]
    Delete {
        /// Role id.
        role: String,
    },
    /// Every permission a role can grant.
    #[command(after_help = "Example: scaidns roles permissions")]
    Permissions,
    /// Give a user or a group a role, on the platform, the tenant or one zone.
    #[command(
        after_help = "Example: scaidns roles assign --user 9a2b… domain_admin --scope domain --zone example.com"
    )]
    Assign {
        /// Who.
        #[command(flatten)]
        principal: Principal,
        /// Role name.
        role: String,
        /// platform, tenant (default) or domain.
        #[arg(long, default_value = "tenant")]
        scope: String,
        /// The zone (name or id) of a domain-scoped assignment.
        #[arg(long)]
        zone: Option<String>,
    },
    /// Take back a role assignment (see `roles assignments`).
    #[command(after_help = "Example: scaidns roles revoke --user 9a2b… 5e6f…")]
    Revoke {
        /// Whose.
        #[command(flatten)]
        principal: Principal,
        /// Assignment id.
        assignment: String,
    },
    /// A user's or a group's role assignments.
    #[command(after_help = "Example: scaidns roles assignments --group 3f1c…")]
    Assignments {
        /// Whose.
        #[command(flatten)]
        principal: Principal,
    },
    /// A user's effective permissions: platform, tenant and per assignment.
    #[command(after_help = "Example: scaidns roles effective 9a2b…")]
    Effective {
        /// User id.
        user: String,
    },
}

/// `scaidns grants …`: access to one zone for a user or group outside the zone's tenant roles.
#[derive(Debug, Subcommand)]
pub enum GrantsCommand {
    /// A zone's grants.
    #[command(after_help = "Example: scaidns grants list example.com")]
    List {
        /// Zone name or id.
        zone: String,
        /// Include expired grants.
        #[arg(long)]
        include_expired: bool,
    },
    /// One grant.
    #[command(after_help = "Example: scaidns grants show example.com 5e6f…")]
    Show {
        /// Zone name or id.
        zone: String,
        /// Grant id.
        grant: String,
    },
    /// Grant a user or a group a role on a zone, optionally limited to some records.
    #[command(
        after_help = "Example: scaidns grants create example.com --user 9a2b… --role domain_editor --record-pattern '*.shop' --record-type A"
    )]
    Create {
        /// Zone name or id.
        zone: String,
        /// Who.
        #[command(flatten)]
        grantee: Principal,
        /// Role name.
        #[arg(long)]
        role: String,
        /// Only records whose name matches this pattern.
        #[arg(long)]
        record_pattern: Option<String>,
        /// Only records of this type (repeatable).
        #[arg(long = "record-type")]
        record_types: Vec<String>,
        /// Expiry, RFC 3339.
        #[arg(long)]
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
        /// Free text.
        #[arg(long)]
        notes: Option<String>,
    },
    /// Change a grant's role, limits, expiry or notes.
    #[command(after_help = "Example: scaidns grants update example.com 5e6f… --role domain_viewer")]
    Update {
        /// Zone name or id.
        zone: String,
        /// Grant id.
        grant: String,
        /// New role name.
        #[arg(long)]
        role: Option<String>,
        /// New record name pattern.
        #[arg(long)]
        record_pattern: Option<String>,
        /// New record types (repeatable; replaces the list).
        #[arg(long = "record-type")]
        record_types: Vec<String>,
        /// New expiry, RFC 3339.
        #[arg(long)]
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
        /// New notes.
        #[arg(long)]
        notes: Option<String>,
    },
    /// Delete a grant.
    #[command(after_help = "Example: scaidns grants delete example.com 5e6f…")]
    Delete {
        /// Zone name or id.
        zone: String,
        /// Grant id.
        grant: String,
    },
}
