//! The activity log: append-only and hash-chained per organization, so it can serve as
//! evidence. Each event's hash covers its content and the previous hash.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::sql::{Value, value_rows};
use crate::{Backend, Result, StoreError, Tx, args};

/// Hash of the (absent) event before the first one.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize)]
pub struct NewEvent {
    pub actor: String,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub seq: i64,
    pub occurred_at: jiff::Timestamp,
    pub actor: String,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub data: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

fn chain_hash(prev: &str, seq: i64, at: &jiff::Timestamp, e: &NewEvent) -> String {
    chain_hash_with(prev, seq, at, e, &e.data.to_string())
}

/// [`chain_hash`] with the event's data already written as JSON (`data_text`): the hashed
/// text is the event's JSON object, its `data` member spliced in as written rather than
/// cloned and written again (a run appends 100k events).
fn chain_hash_with(
    prev: &str,
    seq: i64,
    at: &jiff::Timestamp,
    e: &NewEvent,
    data_text: &str,
) -> String {
    let body = serde_json::json!({
        "seq": seq,
        "occurred_at": at.to_string(),
        "actor": e.actor,
        "kind": e.kind,
        "subject_type": e.subject_type,
        "subject_id": e.subject_id,
        "data": serde_json::Value::Null,
    })
    .to_string();
    // Inside a JSON string every quote is escaped, so this unescaped key is the member.
    let body = body.replacen("\"data\":null", &format!("\"data\":{data_text}"), 1);
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// Appends events in order. The organization row is locked first (PostgreSQL), so two
/// writers never fork the chain; SQLite's write lock does the same.
pub async fn append(tx: &mut Tx, org: i64, at: jiff::Timestamp, events: &[NewEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    // The database keeps microseconds; hash exactly what will be read back.
    let at = at
        .round(jiff::Unit::Microsecond)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if tx.backend() == Backend::Postgres {
        tx.execute(
            "SELECT id FROM organizations WHERE id = $1 FOR UPDATE",
            &args![org],
        )
        .await?;
    }
    let last = tx
        .fetch_optional(
            "SELECT seq, hash FROM events WHERE org_id = $1 ORDER BY seq DESC LIMIT 1",
            &args![org],
        )
        .await?;
    let (mut seq, mut prev) = match last {
        Some(r) => (r.get::<i64>(0)?, r.get::<String>(1)?),
        None => (0, GENESIS.to_owned()),
    };
    // Hashes are chained in order; the rows then go in multi-row INSERTs, because a check
    // that opens 100k findings logs 100k events in its transaction.
    let mut rows: Vec<(i64, String, String, String)> = Vec::with_capacity(events.len());
    for e in events {
        seq += 1;
        let data = e.data.to_string();
        let hash = chain_hash_with(&prev, seq, &at, e, &data);
        let previous = std::mem::replace(&mut prev, hash.clone());
        rows.push((seq, previous, hash, data));
    }
    const WIDTH: usize = 10;
    let per_statement = (tx.backend().max_params() / WIDTH).clamp(1, 500);
    for (chunk, chunk_rows) in events.chunks(per_statement).zip(rows.chunks(per_statement)) {
        let sql = format!(
            "INSERT INTO events (org_id, seq, occurred_at, actor, kind, subject_type, \
             subject_id, data, prev_hash, hash) VALUES {}",
            value_rows(chunk.len(), WIDTH)
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * WIDTH);
        for (e, (seq, previous, hash, data)) in chunk.iter().zip(chunk_rows) {
            values.extend([
                Value::from(org),
                Value::from(*seq),
                Value::from(at),
                Value::from(e.actor.as_str()),
                Value::from(e.kind.as_str()),
                Value::from(e.subject_type.as_str()),
                Value::from(e.subject_id),
                Value::from(data.as_str()),
                Value::from(previous.as_str()),
                Value::from(hash.as_str()),
            ]);
        }
        tx.execute(&sql, &values).await?;
    }
    Ok(())
}

pub async fn list(tx: &mut Tx, org: i64) -> Result<Vec<StoredEvent>> {
    tx.fetch_all(
        "SELECT seq, occurred_at, actor, kind, subject_type, subject_id, data, prev_hash, hash \
         FROM events WHERE org_id = $1 ORDER BY seq",
        &args![org],
    )
    .await?
    .iter()
    .map(|r| {
        let data: String = r.get(6)?;
        Ok(StoredEvent {
            seq: r.get(0)?,
            occurred_at: r.timestamp(1)?,
            actor: r.get(2)?,
            kind: r.get(3)?,
            subject_type: r.get(4)?,
            subject_id: r.get(5)?,
            data: serde_json::from_str(&data)
                .map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?,
            prev_hash: r.get(7)?,
            hash: r.get(8)?,
        })
    })
    .collect()
}

/// Recomputes the chain; returns the first sequence number whose hash does not match.
pub fn verify(events: &[StoredEvent]) -> Option<i64> {
    let mut prev = GENESIS.to_owned();
    for e in events {
        let new = NewEvent {
            actor: e.actor.clone(),
            kind: e.kind.clone(),
            subject_type: e.subject_type.clone(),
            subject_id: e.subject_id,
            data: e.data.clone(),
        };
        if e.prev_hash != prev || chain_hash(&prev, e.seq, &e.occurred_at, &new) != e.hash {
            return Some(e.seq);
        }
        prev = e.hash.clone();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash as first written (the whole object serialized at once): events logged before
    /// the splice in [`chain_hash_with`] must still verify.
    fn first_chain_hash(prev: &str, seq: i64, at: &jiff::Timestamp, e: &NewEvent) -> String {
        let body = serde_json::json!({
            "seq": seq,
            "occurred_at": at.to_string(),
            "actor": e.actor,
            "kind": e.kind,
            "subject_type": e.subject_type,
            "subject_id": e.subject_id,
            "data": e.data,
        });
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(body.to_string().as_bytes());
        hex::encode(h.finalize())
    }

    #[test]
    fn the_spliced_hash_is_the_hash_of_the_whole_event() {
        let at: jiff::Timestamp = "2026-12-04T08:00:00.123456Z".parse().unwrap();
        for (actor, data) in [
            (
                "import",
                serde_json::json!({ "key": "1:standard:reminder:2026-12-04" }),
            ),
            (
                "a \"data\":null actor",
                serde_json::json!({ "note": "\"data\":null", "list": [1, {"x": null}], "ă": "ț" }),
            ),
            ("x", serde_json::Value::Null),
        ] {
            let e = NewEvent {
                actor: actor.into(),
                kind: "action.planned".into(),
                subject_type: "action".into(),
                subject_id: Some(7),
                data,
            };
            assert_eq!(
                chain_hash(GENESIS, 3, &at, &e),
                first_chain_hash(GENESIS, 3, &at, &e),
                "{actor}"
            );
        }
    }
}
