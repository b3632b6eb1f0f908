//! The mail outbox: queued messages, their claims by a sender, and what became of them.
//!
//! The rules (who may send what, when to retry) live in `creanta_app::outbox`; this module only
//! reads and writes rows. Times the sender compares (`next_attempt_at`, `lease_until`) are Unix
//! seconds on both backends.

use serde::Serialize;

use crate::sql::{Value, value_rows};
use crate::{Backend, Result, Row, Store, Tx, args};

/// A message to queue; the JSON columns are already serialized by the caller.
#[derive(Debug, Clone)]
pub struct NewOutboxRow<'a> {
    pub idempotency_key: &'a str,
    pub message_id: &'a str,
    pub kind: &'a str,
    pub debtor_id: Option<i64>,
    pub from_addr: &'a str,
    pub reply_to: Option<&'a str>,
    /// JSON list of mailboxes.
    pub to_addrs: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: Option<&'a str>,
    /// JSON list of attachments.
    pub attachments: &'a str,
    pub next_attempt_at: i64,
}

/// One stored message.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub idempotency_key: String,
    pub message_id: String,
    pub kind: String,
    pub debtor_id: Option<i64>,
    pub from_addr: String,
    pub reply_to: Option<String>,
    pub to_addrs: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub attachments: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub lease_until: Option<i64>,
    pub transport: Option<String>,
    pub smtp_response: Option<String>,
    pub last_error: Option<String>,
    pub created_at: jiff::Timestamp,
    pub sent_at: Option<jiff::Timestamp>,
    pub cancelled_reason: Option<String>,
}

const COLUMNS: &str = "id, idempotency_key, message_id, kind, debtor_id, from_addr, reply_to, \
     to_addrs, subject, body_text, body_html, attachments, status, attempts, next_attempt_at, \
     lease_until, transport, smtp_response, last_error, created_at, sent_at, cancelled_reason";

fn opt_timestamp(r: &Row, i: usize) -> Result<Option<jiff::Timestamp>> {
    Ok(r.get::<Option<jiff_sqlx::Timestamp>>(i)?
        .map(|t| t.to_jiff()))
}

fn from_row(r: &Row) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        idempotency_key: r.get(1)?,
        message_id: r.get(2)?,
        kind: r.get(3)?,
        debtor_id: r.get(4)?,
        from_addr: r.get(5)?,
        reply_to: r.get(6)?,
        to_addrs: r.get(7)?,
        subject: r.get(8)?,
        body_text: r.get(9)?,
        body_html: r.get(10)?,
        attachments: r.get(11)?,
        status: r.get(12)?,
        attempts: r.get(13)?,
        next_attempt_at: r.get(14)?,
        lease_until: r.get(15)?,
        transport: r.get(16)?,
        smtp_response: r.get(17)?,
        last_error: r.get(18)?,
        created_at: r.timestamp(19)?,
        sent_at: opt_timestamp(r, 20)?,
        cancelled_reason: r.get(21)?,
    })
}

/// Queues a message unless one with the same idempotency key exists: returns its id, or `None`
/// when the key was already queued (exactly-once queueing, also between concurrent writers).
pub async fn insert(
    tx: &mut Tx,
    org: i64,
    m: &NewOutboxRow<'_>,
    invoice_ids: &[i64],
    now: jiff::Timestamp,
) -> Result<Option<i64>> {
    let id: Option<i64> = tx
        .fetch_optional(
            "INSERT INTO outbox (org_id, idempotency_key, message_id, kind, debtor_id, from_addr, \
             reply_to, to_addrs, subject, body_text, body_html, attachments, status, attempts, \
             next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (org_id, idempotency_key) DO NOTHING RETURNING id",
            &args![
                org,
                m.idempotency_key,
                m.message_id,
                m.kind,
                m.debtor_id,
                m.from_addr,
                m.reply_to,
                m.to_addrs,
                m.subject,
                m.body_text,
                m.body_html,
                m.attachments,
                "queued",
                0i64,
                m.next_attempt_at,
                now
            ],
        )
        .await?
        .map(|r| r.get(0))
        .transpose()?;
    if let Some(id) = id {
        for invoice in invoice_ids {
            tx.execute(
                "INSERT INTO outbox_invoices (outbox_id, org_id, invoice_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
                &args![id, org, *invoice],
            )
            .await?;
        }
    }
    Ok(id)
}

/// Queues many messages at once (multi-row inserts), each with the invoices it is about;
/// returns the ids of those that were new, by idempotency key.
pub async fn insert_many(
    tx: &mut Tx,
    org: i64,
    rows: &[(NewOutboxRow<'_>, &[i64])],
    now: jiff::Timestamp,
) -> Result<std::collections::HashMap<String, i64>> {
    const WIDTH: usize = 16;
    const ROWS: usize = 200;
    let mut ids = std::collections::HashMap::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO outbox (org_id, idempotency_key, message_id, kind, debtor_id, from_addr, \
             reply_to, to_addrs, subject, body_text, body_html, attachments, status, attempts, \
             next_attempt_at, created_at) VALUES {} \
             ON CONFLICT (org_id, idempotency_key) DO NOTHING RETURNING id, idempotency_key",
            value_rows(chunk.len(), WIDTH)
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * WIDTH);
        for (m, _) in chunk {
            values.extend([
                Value::from(org),
                Value::from(m.idempotency_key),
                Value::from(m.message_id),
                Value::from(m.kind),
                Value::from(m.debtor_id),
                Value::from(m.from_addr),
                Value::from(m.reply_to),
                Value::from(m.to_addrs),
                Value::from(m.subject),
                Value::from(m.body_text),
                Value::from(m.body_html),
                Value::from(m.attachments),
                Value::from("queued"),
                Value::from(0i64),
                Value::from(m.next_attempt_at),
                Value::from(now),
            ]);
        }
        for r in tx.fetch_all(&sql, &values).await? {
            ids.insert(r.get::<String>(1)?, r.get::<i64>(0)?);
        }
    }
    let links: Vec<(i64, i64)> = rows
        .iter()
        .filter_map(|(m, invoices)| ids.get(m.idempotency_key).map(|id| (*id, *invoices)))
        .flat_map(|(id, invoices)| invoices.iter().map(move |inv| (id, *inv)))
        .collect();
    for chunk in links.chunks(400) {
        let sql = format!(
            "INSERT INTO outbox_invoices (outbox_id, org_id, invoice_id) VALUES {} \
             ON CONFLICT DO NOTHING",
            value_rows(chunk.len(), 3)
        );
        let values: Vec<Value> = chunk
            .iter()
            .flat_map(|(id, invoice)| [Value::from(*id), Value::from(org), Value::from(*invoice)])
            .collect();
        tx.execute(&sql, &values).await?;
    }
    Ok(ids)
}

/// `FOR UPDATE SKIP LOCKED` on PostgreSQL, so that concurrent senders never take the same
/// row; SQLite's write transaction (BEGIN IMMEDIATE) already serializes them.
fn lock_clause(tx: &Tx) -> &'static str {
    match tx.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    }
}

/// The next queued message that is due at `now` (Unix seconds), locked for this transaction.
pub async fn next_due(tx: &mut Tx, org: i64, now: i64) -> Result<Option<OutboxRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE org_id = $1 AND status = $2 AND next_attempt_at <= $3 \
         ORDER BY next_attempt_at, id LIMIT 1{}",
        lock_clause(tx)
    );
    tx.fetch_optional(&sql, &args![org, "queued", now])
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// Messages left in 'sending' whose lease ran out before `now`: their sender died.
pub async fn expired_leases(tx: &mut Tx, org: i64, now: i64) -> Result<Vec<OutboxRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE org_id = $1 AND status = $2 AND lease_until < $3 \
         ORDER BY id{}",
        lock_clause(tx)
    );
    tx.fetch_all(&sql, &args![org, "sending", now])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Marks a message as being sent until `lease_until`; one more attempt.
pub async fn set_sending(
    tx: &mut Tx,
    org: i64,
    id: i64,
    lease_until: i64,
    transport: &str,
) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET status = $1, lease_until = $2, transport = $3, attempts = attempts + 1 \
         WHERE org_id = $4 AND id = $5",
        &args!["sending", lease_until, transport, org, id],
    )
    .await?;
    Ok(())
}

/// Records a delivered message with the server's answer.
pub async fn set_sent(
    tx: &mut Tx,
    org: i64,
    id: i64,
    response: &str,
    at: jiff::Timestamp,
) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET status = $1, smtp_response = $2, sent_at = $3, lease_until = NULL, \
         last_error = NULL WHERE org_id = $4 AND id = $5",
        &args!["sent", response, at, org, id],
    )
    .await?;
    Ok(())
}

/// Back to the queue after a transient failure, to be tried again at `next_attempt_at`.
pub async fn set_retry(
    tx: &mut Tx,
    org: i64,
    id: i64,
    error: &str,
    smtp_response: Option<&str>,
    next_attempt_at: i64,
) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET status = $1, last_error = $2, smtp_response = $3, next_attempt_at = $4, \
         lease_until = NULL WHERE org_id = $5 AND id = $6",
        &args!["queued", error, smtp_response, next_attempt_at, org, id],
    )
    .await?;
    Ok(())
}

/// A final state other than 'sent': 'failed', 'uncertain' or 'cancelled'.
pub async fn set_final(
    tx: &mut Tx,
    org: i64,
    id: i64,
    status: &str,
    error: Option<&str>,
    smtp_response: Option<&str>,
    cancelled_reason: Option<&str>,
) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET status = $1, last_error = COALESCE($2, last_error), \
         smtp_response = COALESCE($3, smtp_response), cancelled_reason = $4, lease_until = NULL \
         WHERE org_id = $5 AND id = $6",
        &args![status, error, smtp_response, cancelled_reason, org, id],
    )
    .await?;
    Ok(())
}

/// Cancels a message that was not sent yet (queued, or failed and waiting for a person); a
/// message being sent, sent, or uncertain is left alone. Returns whether it was cancelled.
pub async fn cancel_pending(tx: &mut Tx, org: i64, id: i64, reason: &str) -> Result<bool> {
    let n = tx
        .execute(
            "UPDATE outbox SET status = $1, cancelled_reason = $2, lease_until = NULL \
             WHERE org_id = $3 AND id = $4 AND status IN ($5, $6)",
            &args!["cancelled", reason, org, id, "queued", "failed"],
        )
        .await?;
    Ok(n > 0)
}

/// Puts a failed or uncertain message back in the queue, keeping its Message-ID.
pub async fn requeue(tx: &mut Tx, org: i64, id: i64, now: i64) -> Result<u64> {
    tx.execute(
        "UPDATE outbox SET status = $1, attempts = 0, next_attempt_at = $2, lease_until = NULL \
         WHERE org_id = $3 AND id = $4 AND status IN ('failed', 'uncertain')",
        &args!["queued", now, org, id],
    )
    .await
}

/// The invoices a message is about.
pub async fn invoice_ids(tx: &mut Tx, org: i64, id: i64) -> Result<Vec<i64>> {
    tx.fetch_all(
        "SELECT invoice_id FROM outbox_invoices WHERE org_id = $1 AND outbox_id = $2 ORDER BY invoice_id",
        &args![org, id],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// How many of a message's invoices still have an amount open (total ≠ paid).
pub async fn open_invoice_count(tx: &mut Tx, org: i64, id: i64) -> Result<i64> {
    tx.fetch_one(
        "SELECT COUNT(*) FROM outbox_invoices l JOIN invoices i ON i.id = l.invoice_id AND i.org_id = l.org_id \
         WHERE l.org_id = $1 AND l.outbox_id = $2 AND i.total <> i.paid",
        &args![org, id],
    )
    .await?
    .get(0)
}

pub async fn get(tx: &mut Tx, org: i64, id: i64) -> Result<Option<OutboxRow>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE org_id = $1 AND id = $2");
    tx.fetch_optional(&sql, &args![org, id])
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// Messages for a list page, newest first, optionally of one status; `before`: only ids below
/// it (the cursor of the next page).
pub async fn list(
    store: &Store,
    org: i64,
    status: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<OutboxRow>> {
    let mut params: Vec<Value> = args![org].to_vec();
    let mut sql = format!("SELECT {COLUMNS} FROM outbox WHERE org_id = $1");
    if let Some(s) = status {
        params.push(s.into());
        sql.push_str(&format!(" AND status = ${}", params.len()));
    }
    if let Some(b) = before {
        params.push(b.into());
        sql.push_str(&format!(" AND id < ${}", params.len()));
    }
    params.push(limit.into());
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", params.len()));
    store
        .fetch_all(&sql, &params)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The messages about one invoice (its delivery, later its reminders), newest first.
pub async fn of_invoice(store: &Store, org: i64, invoice_id: i64) -> Result<Vec<OutboxRow>> {
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("m.{c}")).collect();
    let sql = format!(
        "SELECT {} FROM outbox m JOIN outbox_invoices l ON l.outbox_id = m.id AND l.org_id = m.org_id \
         WHERE m.org_id = $1 AND l.invoice_id = $2 ORDER BY m.id DESC",
        columns.join(", ")
    );
    store
        .fetch_all(&sql, &args![org, invoice_id])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// A manager's decision to deliver an invoice despite its open errors.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryOverride {
    pub decided_by: String,
    pub reason: String,
    pub decided_at: jiff::Timestamp,
}

pub async fn override_of(
    store: &Store,
    org: i64,
    invoice_id: i64,
) -> Result<Option<DeliveryOverride>> {
    store
        .fetch_optional(
            "SELECT decided_by, reason, decided_at FROM delivery_overrides \
             WHERE org_id = $1 AND invoice_id = $2",
            &args![org, invoice_id],
        )
        .await?
        .map(|r| {
            Ok(DeliveryOverride {
                decided_by: r.get(0)?,
                reason: r.get(1)?,
                decided_at: r.timestamp(2)?,
            })
        })
        .transpose()
}

/// Number of messages per status.
pub async fn count_by_status(store: &Store, org: i64) -> Result<Vec<(String, i64)>> {
    store
        .fetch_all(
            "SELECT status, COUNT(*) FROM outbox WHERE org_id = $1 GROUP BY status ORDER BY status",
            &args![org],
        )
        .await?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect()
}

/// Records (or replaces) a manager's decision to deliver an invoice despite open errors.
pub async fn upsert_override(
    tx: &mut Tx,
    org: i64,
    invoice_id: i64,
    decided_by: &str,
    reason: &str,
    at: jiff::Timestamp,
) -> Result<()> {
    tx.execute(
        "INSERT INTO delivery_overrides (invoice_id, org_id, decided_by, reason, decided_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (invoice_id) DO UPDATE SET \
         decided_by = excluded.decided_by, reason = excluded.reason, decided_at = excluded.decided_at",
        &args![invoice_id, org, decided_by, reason, at],
    )
    .await?;
    Ok(())
}
