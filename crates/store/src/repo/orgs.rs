//! Organizations: the tenants. Everything else hangs off one.

use serde::Serialize;

use crate::{Result, Store, StoreError, args};

pub const DEFAULT_ORG: &str = "default";

#[derive(Debug, Clone, Serialize)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
}

pub async fn list(store: &Store) -> Result<Vec<Organization>> {
    let mut orgs: Vec<Organization> = store
        .fetch_all("SELECT id, name, time_zone FROM organizations", &[])
        .await?
        .iter()
        .map(|r| {
            Ok(Organization {
                id: r.get(0)?,
                name: r.get(1)?,
                time_zone: r.get(2)?,
            })
        })
        .collect::<Result<_>>()?;
    // Sorted here: the backends' text collations differ.
    orgs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(orgs)
}

/// Creates the organization if it does not exist; returns it either way.
pub async fn ensure(store: &Store, name: &str, now: jiff::Timestamp) -> Result<Organization> {
    let mut tx = store.begin().await?;
    tx.execute(
        "INSERT INTO organizations (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &args![name, now],
    )
    .await?;
    tx.commit().await?;
    find(store, name).await
}

pub async fn find(store: &Store, name: &str) -> Result<Organization> {
    let row = store
        .fetch_optional(
            "SELECT id, name, time_zone FROM organizations WHERE name = $1",
            &args![name],
        )
        .await?
        .ok_or_else(|| StoreError::UnknownOrg(name.to_owned()))?;
    Ok(Organization {
        id: row.get(0)?,
        name: row.get(1)?,
        time_zone: row.get(2)?,
    })
}

pub async fn find_by_id(store: &Store, id: i64) -> Result<Organization> {
    let row = store
        .fetch_optional(
            "SELECT id, name, time_zone FROM organizations WHERE id = $1",
            &args![id],
        )
        .await?
        .ok_or_else(|| StoreError::UnknownOrg(format!("#{id}")))?;
    Ok(Organization {
        id: row.get(0)?,
        name: row.get(1)?,
        time_zone: row.get(2)?,
    })
}
