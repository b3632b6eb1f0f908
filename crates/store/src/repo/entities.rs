//! The organization's own companies (entities) and their bank accounts, as the settings page
//! reads and edits them. Every query is scoped by the organization.

use crate::records::{Entity, Record};
use crate::{Result, Store, Tx, args};

/// An entity with its id and its IBANs (electronic form, sorted).
#[derive(Debug, Clone, PartialEq)]
pub struct EntityWithAccounts {
    pub id: i64,
    pub entity: Entity,
    pub ibans: Vec<String>,
}

fn select_entities(filter: &str) -> String {
    format!(
        "SELECT id, {} FROM entities WHERE org_id = $1{filter}",
        Entity::COLUMNS.join(", ")
    )
}

/// Every entity of the organization with its accounts, sorted by name (here rather than in
/// SQL: the backends' text collations differ).
pub async fn list(store: &Store, org: i64) -> Result<Vec<EntityWithAccounts>> {
    let rows = store.fetch_all(&select_entities(""), &args![org]).await?;
    let accounts = store
        .fetch_all(
            "SELECT entity_id, iban FROM entity_accounts WHERE org_id = $1",
            &args![org],
        )
        .await?;
    let mut by_entity: std::collections::HashMap<i64, Vec<String>> =
        std::collections::HashMap::new();
    for a in &accounts {
        by_entity.entry(a.get(0)?).or_default().push(a.get(1)?);
    }
    let mut out = rows
        .iter()
        .map(|r| {
            let id: i64 = r.get(0)?;
            let mut ibans = by_entity.remove(&id).unwrap_or_default();
            ibans.sort();
            Ok(EntityWithAccounts {
                id,
                entity: Entity::from_row(r, 1)?,
                ibans,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| a.entity.name.cmp(&b.entity.name).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// One entity of the organization, or `None` (also for another organization's id).
pub async fn find(tx: &mut Tx, org: i64, id: i64) -> Result<Option<Entity>> {
    tx.fetch_optional(&select_entities(" AND id = $2"), &args![org, id])
        .await?
        .as_ref()
        .map(|r| Entity::from_row(r, 1))
        .transpose()
}

/// The IBANs of one entity, sorted.
pub async fn ibans(tx: &mut Tx, org: i64, entity_id: i64) -> Result<Vec<String>> {
    let mut ibans: Vec<String> = tx
        .fetch_all(
            "SELECT iban FROM entity_accounts WHERE org_id = $1 AND entity_id = $2",
            &args![org, entity_id],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    ibans.sort();
    Ok(ibans)
}

/// The entity (id and name) an IBAN belongs to in the organization, if any.
pub async fn iban_owner(tx: &mut Tx, org: i64, iban: &str) -> Result<Option<(i64, String)>> {
    tx.fetch_optional(
        "SELECT e.id, e.name FROM entity_accounts a \
         JOIN entities e ON e.id = a.entity_id AND e.org_id = a.org_id \
         WHERE a.org_id = $1 AND a.iban = $2",
        &args![org, iban],
    )
    .await?
    .map(|r| Ok((r.get(0)?, r.get(1)?)))
    .transpose()
}

pub async fn add_iban(tx: &mut Tx, org: i64, entity_id: i64, iban: &str) -> Result<i64> {
    tx.fetch_one(
        "INSERT INTO entity_accounts (org_id, entity_id, iban) VALUES ($1, $2, $3) RETURNING id",
        &args![org, entity_id, iban],
    )
    .await?
    .get(0)
}

/// Removes one account of one entity; returns how many rows went (0 or 1).
pub async fn remove_iban(tx: &mut Tx, org: i64, entity_id: i64, iban: &str) -> Result<u64> {
    tx.execute(
        "DELETE FROM entity_accounts WHERE org_id = $1 AND entity_id = $2 AND iban = $3",
        &args![org, entity_id, iban],
    )
    .await
}
