//! Queries. Generic ones work on any [`Record`]; the modules hold the specific ones.

pub mod api_views;
pub mod calendar;
pub mod debtor_list;
pub mod entities;
pub mod events;
pub mod findings;
pub mod orgs;
pub mod outbox;
pub mod prevention;
pub mod reports;
pub mod sessions;
pub mod users;
pub mod views;

use crate::records::Record;
use crate::sql::Value;
use crate::{Result, Tx, args};

/// Every row of a table in one organization, with its id.
pub async fn load_all<R: Record>(tx: &mut Tx, org: i64) -> Result<Vec<(i64, R)>> {
    let sql = format!(
        "SELECT id, {} FROM {} WHERE org_id = $1 ORDER BY id",
        R::COLUMNS.join(", "),
        R::TABLE
    );
    tx.fetch_all(&sql, &args![org])
        .await?
        .iter()
        .map(|row| Ok((row.get(0)?, R::from_row(row, 1)?)))
        .collect()
}

/// The rows of a table whose `column` is one of `ids`, with their ids, in id order.
pub async fn load_in<R: Record>(
    tx: &mut Tx,
    org: i64,
    column: &str,
    ids: &[i64],
) -> Result<Vec<(i64, R)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT id, {} FROM {} WHERE org_id = $1 AND {column} IN ({})",
            R::COLUMNS.join(", "),
            R::TABLE,
            marks.join(",")
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() + 1);
        values.push(org.into());
        values.extend(chunk.iter().map(|&id| Value::from(id)));
        for row in tx.fetch_all(&sql, &values).await? {
            out.push((row.get(0)?, R::from_row(&row, 1)?));
        }
    }
    out.sort_by_key(|(id, _)| *id);
    Ok(out)
}

/// Inserts records in multi-row statements and returns their ids in input order.
pub async fn insert_many<R: Record>(tx: &mut Tx, org: i64, records: &[R]) -> Result<Vec<i64>> {
    let width = R::COLUMNS.len() + 1;
    let per_statement = (tx.backend().max_params() / width).clamp(1, 1000);
    let mut ids = Vec::with_capacity(records.len());
    for chunk in records.chunks(per_statement) {
        let mut sql = format!(
            "INSERT INTO {} (org_id, {}) VALUES ",
            R::TABLE,
            R::COLUMNS.join(", ")
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * width);
        for (i, record) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${}", i * width + c + 1));
            }
            sql.push(')');
            values.push(org.into());
            values.extend(record.values());
        }
        sql.push_str(" RETURNING id");
        let mut chunk_ids: Vec<i64> = tx
            .fetch_all(&sql, &values)
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect::<Result<_>>()?;
        // Both backends number the rows of one VALUES list in order; RETURNING's order is
        // not promised, the ids' order is.
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// Inserts plain rows (no ids returned) in multi-row statements.
pub async fn insert_rows(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<()> {
    let width = columns.len();
    let per_statement = (tx.backend().max_params() / width).clamp(1, 1000);
    for chunk in rows.chunks(per_statement) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * width);
        for (i, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), width);
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${}", i * width + c + 1));
            }
            sql.push(')');
            values.extend(row.iter().cloned());
        }
        tx.execute(&sql, &values).await?;
    }
    Ok(())
}

/// Overwrites every column of one record.
pub async fn update<R: Record>(tx: &mut Tx, org: i64, id: i64, record: &R) -> Result<()> {
    let sets: Vec<String> = R::COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let n = R::COLUMNS.len();
    let sql = format!(
        "UPDATE {} SET {} WHERE org_id = ${} AND id = ${}",
        R::TABLE,
        sets.join(", "),
        n + 1,
        n + 2
    );
    let mut values = record.values();
    values.push(org.into());
    values.push(id.into());
    tx.execute(&sql, &values).await?;
    Ok(())
}

/// Counts the rows of a table in one organization (tests, summaries).
pub async fn count(tx: &mut Tx, org: i64, table: &str) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE org_id = $1");
    tx.fetch_one(&sql, &args![org]).await?.get(0)
}

/// `key column -> id` for a table; when keys repeat, the row with the smallest `order` value
/// wins. Ordered here rather than in SQL, because PostgreSQL sorts text by locale and SQLite
/// by bytes.
pub async fn ids_by(
    tx: &mut Tx,
    org: i64,
    table: &str,
    key: &str,
    order: &str,
) -> Result<std::collections::HashMap<String, i64>> {
    let sql = format!("SELECT {key}, id, {order} FROM {table} WHERE org_id = $1");
    let mut rows: Vec<(String, i64, String)> = tx
        .fetch_all(&sql, &args![org])
        .await?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .collect::<Result<_>>()?;
    rows.sort_by(|a, b| a.2.cmp(&b.2).then(a.1.cmp(&b.1)));
    let mut map = std::collections::HashMap::with_capacity(rows.len());
    for (k, id, _) in rows {
        map.entry(k).or_insert(id);
    }
    Ok(map)
}

/// Open state of the invoices, for allocating payments: `(id, debtor_id, currency, total, paid, match_key)`.
pub async fn invoice_balances(tx: &mut Tx, org: i64) -> Result<Vec<InvoiceBalance>> {
    tx.fetch_all(
        "SELECT id, debtor_id, currency, total, paid, match_key FROM invoices WHERE org_id = $1 ORDER BY due_date, id",
        &args![org],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(InvoiceBalance {
            id: r.get(0)?,
            debtor_id: r.get(1)?,
            currency: r.get(2)?,
            total: r.get(3)?,
            paid: r.get(4)?,
            match_key: r.get(5)?,
        })
    })
    .collect()
}

#[derive(Debug, Clone)]
pub struct InvoiceBalance {
    pub id: i64,
    pub debtor_id: i64,
    pub currency: String,
    pub total: i64,
    pub paid: i64,
    pub match_key: String,
}

/// A credit note with credit left, and the invoice it corrects.
#[derive(Debug, Clone)]
pub struct CreditToSettle {
    pub credit_note_id: i64,
    pub invoice_id: i64,
    pub debtor_id: i64,
    /// The credit note's issue date.
    pub date: jiff::civil::Date,
    /// Credit not applied yet (positive minor units).
    pub credit_left: i64,
    pub invoice_open: i64,
}

/// Every credit note that names the invoice it corrects and still has credit left, with that
/// invoice: same entity, debtor and currency, and the same number once `key_of` normalizes
/// it (the most recent such invoice, if several).
pub async fn credit_notes_to_settle(
    tx: &mut Tx,
    org: i64,
    key_of: impl Fn(&str) -> String,
) -> Result<Vec<CreditToSettle>> {
    let credits = tx
        .fetch_all(
            "SELECT c.id, c.entity_id, c.debtor_id, c.currency, c.issue_date, c.corrects, \
             CAST(-c.total - COALESCE((SELECT SUM(a.amount) FROM credit_allocations a \
                WHERE a.org_id = c.org_id AND a.credit_note_id = c.id), 0) AS BIGINT) \
             FROM invoices c WHERE c.org_id = $1 AND c.kind = 'credit_note' \
             AND c.corrects IS NOT NULL ORDER BY c.issue_date, c.id",
            &args![org],
        )
        .await?;
    let mut out = Vec::new();
    for c in credits {
        let left: i64 = c.get(6)?;
        if left <= 0 {
            continue;
        }
        let corrects: String = c.get(5)?;
        let target = tx
            .fetch_optional(
                "SELECT id, total - paid FROM invoices WHERE org_id = $1 AND entity_id = $2 \
                 AND debtor_id = $3 AND currency = $4 AND match_key = $5 AND kind = 'invoice' \
                 ORDER BY issue_date DESC, id DESC LIMIT 1",
                &args![
                    org,
                    c.get::<i64>(1)?,
                    c.get::<i64>(2)?,
                    c.get::<String>(3)?,
                    key_of(&corrects)
                ],
            )
            .await?;
        if let Some(t) = target {
            out.push(CreditToSettle {
                credit_note_id: c.get(0)?,
                invoice_id: t.get(0)?,
                debtor_id: c.get(2)?,
                date: c.date(4)?,
                credit_left: left,
                invoice_open: t.get(1)?,
            });
        }
    }
    Ok(out)
}

/// Adds `delta` to what was paid on an invoice.
pub async fn add_paid(tx: &mut Tx, org: i64, invoice_id: i64, delta: i64) -> Result<()> {
    tx.execute(
        "UPDATE invoices SET paid = paid + $1 WHERE org_id = $2 AND id = $3",
        &args![delta, org, invoice_id],
    )
    .await?;
    Ok(())
}

/// Removes a payment's allocations (before allocating it again) and returns them.
pub async fn take_allocations(tx: &mut Tx, org: i64, payment_id: i64) -> Result<Vec<(i64, i64)>> {
    let rows = tx
        .fetch_all(
            "SELECT invoice_id, amount FROM allocations WHERE org_id = $1 AND payment_id = $2",
            &args![org, payment_id],
        )
        .await?;
    let taken: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect::<Result<_>>()?;
    tx.execute(
        "DELETE FROM allocations WHERE org_id = $1 AND payment_id = $2",
        &args![org, payment_id],
    )
    .await?;
    Ok(taken)
}

/// Records blobs (SHA-256, size) for an organization; already known ones are left alone.
pub async fn register_blobs(tx: &mut Tx, org: i64, blobs: &[(String, i64)]) -> Result<()> {
    for chunk in blobs.chunks(1000) {
        let sql = format!(
            "INSERT INTO blobs (org_id, sha256, size) VALUES {} ON CONFLICT DO NOTHING",
            crate::sql::value_rows(chunk.len(), 3)
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
        for (sha, size) in chunk {
            values.extend([
                Value::from(org),
                Value::from(sha.as_str()),
                Value::from(*size),
            ]);
        }
        tx.execute(&sql, &values).await?;
    }
    Ok(())
}
