//! Browser sessions (only the token's hash is stored) and failed-login records.

use crate::{Result, Store, Tx, args};

/// A live session joined with its user.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub org_id: i64,
    pub user_id: i64,
    pub csrf_token: String,
    pub expires_at: jiff::Timestamp,
}

pub async fn insert(
    tx: &mut Tx,
    token_hash: &str,
    org: i64,
    user_id: i64,
    csrf_token: &str,
    now: jiff::Timestamp,
    expires_at: jiff::Timestamp,
) -> Result<()> {
    tx.execute(
        "INSERT INTO sessions (token_hash, org_id, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &args![
            token_hash,
            org,
            user_id,
            csrf_token,
            now,
            expires_at.as_second()
        ],
    )
    .await?;
    Ok(())
}

/// The session with this token hash, if it has not expired and its user is still active.
pub async fn find(
    store: &Store,
    token_hash: &str,
    now: jiff::Timestamp,
) -> Result<Option<SessionRow>> {
    let row = store
        .fetch_optional(
            "SELECT s.org_id, s.user_id, s.csrf_token, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = $3",
            &args![token_hash, now.as_second(), true],
        )
        .await?;
    row.map(|r| {
        Ok(SessionRow {
            org_id: r.get(0)?,
            user_id: r.get(1)?,
            csrf_token: r.get(2)?,
            expires_at: jiff::Timestamp::from_second(r.get(3)?)
                .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
        })
    })
    .transpose()
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM sessions WHERE token_hash = $1",
        &args![token_hash],
    )
    .await?;
    Ok(())
}

/// Ends every session of a user (password change, disabling).
pub async fn delete_for_user(tx: &mut Tx, org: i64, user_id: i64) -> Result<()> {
    tx.execute(
        "DELETE FROM sessions WHERE org_id = $1 AND user_id = $2",
        &args![org, user_id],
    )
    .await?;
    Ok(())
}

pub async fn record_failure(tx: &mut Tx, email: &str, now: jiff::Timestamp) -> Result<()> {
    tx.execute(
        "INSERT INTO login_failures (email, failed_at) VALUES ($1, $2)",
        &args![email, now.as_second()],
    )
    .await?;
    Ok(())
}

pub async fn failures_since(store: &Store, email: &str, since: jiff::Timestamp) -> Result<i64> {
    store
        .fetch_optional(
            "SELECT COUNT(*) FROM login_failures WHERE email = $1 AND failed_at > $2",
            &args![email, since.as_second()],
        )
        .await?
        .map(|r| r.get(0))
        .unwrap_or(Ok(0))
}

pub async fn clear_failures(tx: &mut Tx, email: &str) -> Result<()> {
    tx.execute("DELETE FROM login_failures WHERE email = $1", &args![email])
        .await?;
    Ok(())
}

/// An API token's owner, if the token is known and not revoked.
pub async fn find_token(store: &Store, token_hash: &str) -> Result<Option<(i64, i64)>> {
    store
        .fetch_optional(
            "SELECT org_id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked = $2",
            &args![token_hash, false],
        )
        .await?
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .transpose()
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: jiff::Timestamp,
    pub revoked: bool,
}

pub async fn insert_token(
    tx: &mut Tx,
    org: i64,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: jiff::Timestamp,
) -> Result<i64> {
    tx.fetch_one(
        "INSERT INTO api_tokens (org_id, user_id, name, token_hash, created_at, revoked) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        &args![org, user_id, name, token_hash, now, false],
    )
    .await?
    .get(0)
}

pub async fn list_tokens(store: &Store, org: i64) -> Result<Vec<TokenInfo>> {
    store
        .fetch_all(
            "SELECT id, user_id, name, created_at, revoked FROM api_tokens WHERE org_id = $1 ORDER BY id",
            &args![org],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(TokenInfo {
                id: r.get(0)?,
                user_id: r.get(1)?,
                name: r.get(2)?,
                created_at: r.timestamp(3)?,
                revoked: r.get(4)?,
            })
        })
        .collect()
}

pub async fn revoke_token(tx: &mut Tx, org: i64, id: i64) -> Result<u64> {
    tx.execute(
        "UPDATE api_tokens SET revoked = $1 WHERE org_id = $2 AND id = $3",
        &args![true, org, id],
    )
    .await
}
