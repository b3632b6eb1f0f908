//! Users of an organization. Passwords arrive here already hashed (Argon2, in `app`).

use serde::Serialize;

use crate::{Result, Store, Tx, args};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub language: String,
    pub active: bool,
    #[serde(skip)]
    pub password_hash: Option<String>,
}

const COLUMNS: &str = "id, org_id, email, name, role, language, active, password_hash";

fn from_row(r: &crate::Row) -> Result<User> {
    Ok(User {
        id: r.get(0)?,
        org_id: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        role: r.get(4)?,
        language: r.get(5)?,
        active: r.get(6)?,
        password_hash: r.get(7)?,
    })
}

pub async fn list(store: &Store, org: i64) -> Result<Vec<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE org_id = $1");
    let mut users: Vec<User> = store
        .fetch_all(&sql, &args![org])
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<_>>()?;
    users.sort_by(|a, b| a.email.cmp(&b.email));
    Ok(users)
}

pub async fn count(store: &Store, org: i64) -> Result<i64> {
    store
        .fetch_optional("SELECT COUNT(*) FROM users WHERE org_id = $1", &args![org])
        .await?
        .map(|r| r.get(0))
        .unwrap_or(Ok(0))
}

pub async fn find(store: &Store, org: i64, email: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE org_id = $1 AND email = $2");
    store
        .fetch_optional(&sql, &args![org, email])
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn find_by_id(store: &Store, org: i64, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE org_id = $1 AND id = $2");
    store
        .fetch_optional(&sql, &args![org, id])
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Every account with this email, in any organization (login picks among them).
pub async fn find_any_org(store: &Store, email: &str) -> Result<Vec<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    store
        .fetch_all(&sql, &args![email])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// A user to create; the password is already hashed.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub language: &'a str,
    pub password_hash: &'a str,
}

pub async fn insert(tx: &mut Tx, org: i64, u: &NewUser<'_>, now: jiff::Timestamp) -> Result<i64> {
    tx.fetch_one(
        "INSERT INTO users (org_id, email, name, role, language, password_hash, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        &args![org, u.email, u.name, u.role, u.language, u.password_hash, true, now],
    )
    .await?
    .get(0)
}

pub async fn set_password(tx: &mut Tx, org: i64, user_id: i64, hash: &str) -> Result<u64> {
    tx.execute(
        "UPDATE users SET password_hash = $1 WHERE org_id = $2 AND id = $3",
        &args![hash, org, user_id],
    )
    .await
}

pub async fn set_active(tx: &mut Tx, org: i64, user_id: i64, active: bool) -> Result<u64> {
    tx.execute(
        "UPDATE users SET active = $1 WHERE org_id = $2 AND id = $3",
        &args![active, org, user_id],
    )
    .await
}

pub async fn set_language(tx: &mut Tx, org: i64, user_id: i64, language: &str) -> Result<u64> {
    tx.execute(
        "UPDATE users SET language = $1 WHERE org_id = $2 AND id = $3",
        &args![language, org, user_id],
    )
    .await
}

pub async fn set_role(tx: &mut Tx, org: i64, user_id: i64, role: &str) -> Result<u64> {
    tx.execute(
        "UPDATE users SET role = $1 WHERE org_id = $2 AND id = $3",
        &args![role, org, user_id],
    )
    .await
}

pub async fn set_name(tx: &mut Tx, org: i64, user_id: i64, name: &str) -> Result<u64> {
    tx.execute(
        "UPDATE users SET name = $1 WHERE org_id = $2 AND id = $3",
        &args![name, org, user_id],
    )
    .await
}

/// Active admins of the organization other than `user_id`, counted inside the transaction
/// that is about to demote or disable `user_id`. On PostgreSQL the organization row is locked
/// first, so that two such changes cannot both see the other admin and leave none; SQLite's
/// write lock (`BEGIN IMMEDIATE`) does the same.
pub async fn other_active_admins(tx: &mut Tx, org: i64, user_id: i64) -> Result<i64> {
    if tx.backend() == crate::Backend::Postgres {
        tx.execute(
            "SELECT id FROM organizations WHERE id = $1 FOR UPDATE",
            &args![org],
        )
        .await?;
    }
    tx.fetch_one(
        "SELECT COUNT(*) FROM users WHERE org_id = $1 AND role = $2 AND active = $3 AND id <> $4",
        &args![org, "admin", true, user_id],
    )
    .await?
    .get(0)
}

/// The user as the transaction sees it (after the organization lock, when there is one).
pub async fn find_by_id_tx(tx: &mut Tx, org: i64, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE org_id = $1 AND id = $2");
    tx.fetch_optional(&sql, &args![org, id])
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}
