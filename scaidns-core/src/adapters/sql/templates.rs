//! Record templates and pending zone templates (compiled once per engine, see `super`).
//! Records and variables are JSON text; system templates have no tenant.

use ::sqlx::Pool;
use chrono::Utc;

use super::common::{finish, write_one};
use super::dynamic_query;
use super::sqlx;
use super::{Db, begin_write};
use crate::adapters::sql::types::{Arg, Filter, Ts, corrupt, db_err};
use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::ids::{TemplateId, TenantId, ZoneId};
use crate::paging::{Page, PageRequest};
use crate::ports::template_store::PendingTemplate;
use crate::template::{Template, TemplateType};

const COLUMNS: &str =
    "id, tenant_id, name, description, records, variables, created_at, updated_at";

fn template_exists() -> Error {
    Error::conflict("template_exists", "A template of that name already exists")
}

fn template_missing() -> Error {
    Error::new(
        crate::error::ErrorKind::NotFound,
        "template_not_found",
        "Template not found",
    )
}

#[derive(sqlx::FromRow)]
pub(crate) struct TemplateRow {
    id: String,
    tenant_id: Option<String>,
    name: String,
    description: Option<String>,
    records: String,
    variables: String,
    created_at: Ts,
    updated_at: Ts,
}

impl TemplateRow {
    fn into_model(self) -> Result<Template> {
        const T: &str = "record_templates";
        let id = self.id.clone();
        let bad =
            |column: &str, e: &dyn std::fmt::Display| corrupt(T, &id, format!("{column}: {e}"));
        Ok(Template {
            id: self.id.parse().map_err(|e: Error| bad("id", &e))?,
            tenant_id: self
                .tenant_id
                .as_deref()
                .map(str::parse::<TenantId>)
                .transpose()
                .map_err(|e| bad("tenant_id", &e))?,
            name: self.name,
            description: self.description,
            records: serde_json::from_str(&self.records).map_err(|e| bad("records", &e))?,
            variables: serde_json::from_str(&self.variables).map_err(|e| bad("variables", &e))?,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

fn json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(format!("template JSON: {e}")))
}

pub(crate) async fn insert_template(
    pool: &Pool<Db>,
    t: &Template,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query(
        "INSERT INTO record_templates (id, tenant_id, name, description, records, variables, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(t.id.to_string())
    .bind(t.tenant_id.map(|id| id.to_string()))
    .bind(t.name.clone())
    .bind(t.description.clone())
    .bind(json(&t.records)?)
    .bind(json(&t.variables)?)
    .bind(Ts::from(t.created_at))
    .bind(Ts::from(t.updated_at));
    write_one(pool, query, events, template_exists, None).await
}

pub(crate) async fn update_template(
    pool: &Pool<Db>,
    t: &Template,
    events: &[AuditEvent],
) -> Result<()> {
    // Only custom templates are ever written: system rows (no tenant) stay as shipped.
    let query = sqlx::query(
        "UPDATE record_templates SET name = ?, description = ?, records = ?, variables = ?, \
         updated_at = ? WHERE id = ? AND tenant_id IS NOT NULL",
    )
    .bind(t.name.clone())
    .bind(t.description.clone())
    .bind(json(&t.records)?)
    .bind(json(&t.variables)?)
    .bind(Ts::from(t.updated_at))
    .bind(t.id.to_string());
    write_one(
        pool,
        query,
        events,
        template_exists,
        Some(template_missing()),
    )
    .await
}

pub(crate) async fn delete_template(
    pool: &Pool<Db>,
    id: TemplateId,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query("DELETE FROM record_templates WHERE id = ? AND tenant_id IS NOT NULL")
        .bind(id.to_string());
    write_one(
        pool,
        query,
        events,
        template_exists,
        Some(template_missing()),
    )
    .await
}

pub(crate) async fn get_template(pool: &Pool<Db>, id: TemplateId) -> Result<Option<Template>> {
    let sql = format!("SELECT {COLUMNS} FROM record_templates WHERE id = ?");
    let row: Option<TemplateRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(TemplateRow::into_model).transpose()
}

pub(crate) async fn list_templates(
    pool: &Pool<Db>,
    tenant_id: TenantId,
    template_type: Option<TemplateType>,
    page: PageRequest,
) -> Result<Page<Template>> {
    let mut f = Filter::default();
    let tenant = Arg::Text(tenant_id.to_string());
    match template_type {
        Some(TemplateType::System) => f.and("tenant_id IS NULL", []),
        Some(TemplateType::Custom) => f.and("tenant_id = ?", [tenant]),
        None => f.and("(tenant_id IS NULL OR tenant_id = ?)", [tenant]),
    }
    let (rows, total) = dynamic_query::page::<TemplateRow>(
        pool,
        "record_templates",
        COLUMNS,
        f,
        "CASE WHEN tenant_id IS NULL THEN 0 ELSE 1 END, name, id",
        page,
    )
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(TemplateRow::into_model)
            .collect::<Result<_>>()?,
        total,
    })
}

pub(crate) async fn set_pending(pool: &Pool<Db>, pending: &PendingTemplate) -> Result<()> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let result = async {
        sqlx::query("DELETE FROM zone_pending_templates WHERE zone_id = ?")
            .bind(pending.zone_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO zone_pending_templates (zone_id, template_id, variables, created_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(pending.zone_id.to_string())
        .bind(pending.template_id.to_string())
        .bind(json(&pending.variables)?)
        .bind(Ts::from(Utc::now()))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }
    .await;
    finish(tx, result).await
}

pub(crate) async fn pending(pool: &Pool<Db>, zone_id: ZoneId) -> Result<Option<PendingTemplate>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT template_id, variables FROM zone_pending_templates WHERE zone_id = ?",
    )
    .bind(zone_id.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    let Some((template_id, variables)) = row else {
        return Ok(None);
    };
    let bad = |e: &dyn std::fmt::Display| {
        corrupt(
            "zone_pending_templates",
            &zone_id.to_string(),
            e.to_string(),
        )
    };
    Ok(Some(PendingTemplate {
        zone_id,
        template_id: template_id.parse().map_err(|e: Error| bad(&e))?,
        variables: serde_json::from_str(&variables).map_err(|e| bad(&e))?,
    }))
}

pub(crate) async fn clear_pending(
    pool: &Pool<Db>,
    zone_id: ZoneId,
    events: &[AuditEvent],
) -> Result<()> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let result = async {
        sqlx::query("DELETE FROM zone_pending_templates WHERE zone_id = ?")
            .bind(zone_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        super::audit::insert(&mut tx, events).await
    }
    .await;
    finish(tx, result).await
}
