//! Rows of the identity-cache tables added by migration 0003, and their
//! conversion to the core's models. Like [`super::rows`], reading back goes through the models'
//! own parsers, so a hand-edited row surfaces as a "corrupt row" error.

use super::types::{Ts, corrupt};
use crate::error::Result;
use crate::tenant::Group;

/// Columns of `user_groups` in [`GroupRow`] order.
macro_rules! group_columns {
    () => {
        "id, tenant_id, name, description, group_type, scaikey_group_id, created_at, updated_at"
    };
}
pub(crate) use group_columns;

fn parse<T: std::str::FromStr>(table: &str, id: &str, column: &str, text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| corrupt(table, id, format!("{column}: {e}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct GroupRow {
    id: String,
    tenant_id: String,
    name: String,
    description: Option<String>,
    group_type: String,
    scaikey_group_id: Option<String>,
    created_at: Ts,
    updated_at: Ts,
}

impl GroupRow {
    pub(crate) fn into_model(self) -> Result<Group> {
        const T: &str = "user_groups";
        let id = &self.id;
        Ok(Group {
            id: parse(T, id, "id", id)?,
            tenant_id: parse(T, id, "tenant_id", &self.tenant_id)?,
            name: self.name,
            description: self.description,
            group_type: parse(T, id, "group_type", &self.group_type)?,
            scaikey_group_id: self.scaikey_group_id,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

/// Group columns looked up by.
#[derive(Debug, Clone, Copy)]
pub(crate) enum GroupKey {
    Id,
    ScaikeyId,
}
