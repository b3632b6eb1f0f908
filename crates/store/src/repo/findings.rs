//! The pre-flight check's data: what it reads in bulk (invoices, their linked documents,
//! invoices sharing a number) and what it writes (findings opened and closed, and one
//! `invoice_checks` row per invoice with its open counts).
//!
//! Reads take an optional set of debtors: `None` is the whole organization (one scan per
//! table, which is what checking a million invoices needs), `Some` a few debtors (an import
//! of one file, an edit), read through the `(org_id, debtor_id …)` indexes.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::sql::{Row, Value, id_list};
use crate::{Result, Tx, args};

/// Debtor ids per statement in `IN (…)` lists: far below both backends' parameter limits.
const IN_CHUNK: usize = 500;

/// Runs `sql_head` (ending in a `WHERE org_id = $1` clause) for the whole organization, or
/// once per chunk of `debtors` with `AND {column} IN (…)` appended.
async fn fetch_scoped(
    tx: &mut Tx,
    org: i64,
    sql_head: &str,
    column: &str,
    debtors: Option<&[i64]>,
) -> Result<Vec<Row>> {
    let Some(debtors) = debtors else {
        return tx.fetch_all(sql_head, &args![org]).await;
    };
    let mut rows = Vec::new();
    for chunk in debtors.chunks(IN_CHUNK) {
        let (list, ids) = id_list(chunk, 2);
        let sql = format!("{sql_head} AND {column} IN ({list})");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() + 1);
        values.push(org.into());
        values.extend(ids);
        rows.extend(tx.fetch_all(&sql, &values).await?);
    }
    Ok(rows)
}

/// An invoice as the check reads it.
#[derive(Debug, Clone)]
pub struct InvoiceRowForCheck {
    pub id: i64,
    pub entity_id: i64,
    pub debtor_id: i64,
    pub series: String,
    pub number: String,
    pub kind: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub currency: String,
    pub total: i64,
    pub buyer_tax_id: String,
    pub buyer_name: Option<String>,
    pub po_number: Option<String>,
    pub contract_number: Option<String>,
    pub mentions: Option<String>,
    pub iban: Option<String>,
    pub sent_to: Option<String>,
    /// The import's extra attributes (JSON object), which hold the UBL buyer reference.
    pub attrs: String,
    /// JSON of the e-invoice totals.
    pub ubl_totals: Option<String>,
    /// `(open_errors, open_warnings)` of its last check; `None`: never checked.
    pub previous: Option<(i64, i64)>,
}

const INVOICE_COLUMNS: &str = "SELECT i.id, i.entity_id, i.debtor_id, i.series, i.number, i.kind, \
     i.issue_date, i.due_date, i.currency, i.total, i.buyer_tax_id, i.buyer_name, i.po_number, \
     i.contract_number, i.mentions, i.iban, i.sent_to, i.attrs, i.ubl_totals, \
     c.open_errors, c.open_warnings FROM invoices i \
     LEFT JOIN invoice_checks c ON c.invoice_id = i.id AND c.org_id = i.org_id \
     WHERE i.org_id = $1";

fn invoice_row(r: &Row) -> Result<InvoiceRowForCheck> {
    Ok(InvoiceRowForCheck {
        id: r.get(0)?,
        entity_id: r.get(1)?,
        debtor_id: r.get(2)?,
        series: r.get(3)?,
        number: r.get(4)?,
        kind: r.get(5)?,
        issue_date: r.date(6)?,
        due_date: r.date(7)?,
        currency: r.get(8)?,
        total: r.get(9)?,
        buyer_tax_id: r.get(10)?,
        buyer_name: r.get(11)?,
        po_number: r.get(12)?,
        contract_number: r.get(13)?,
        mentions: r.get(14)?,
        iban: r.get(15)?,
        sent_to: r.get(16)?,
        attrs: r.get(17)?,
        ubl_totals: r.get(18)?,
        previous: match (r.get::<Option<i64>>(19)?, r.get::<Option<i64>>(20)?) {
            (Some(e), Some(w)) => Some((e, w)),
            _ => None,
        },
    })
}

/// The invoices of these debtors (every invoice when `None`), in id order, each with its
/// last check's counts.
pub async fn invoices(
    tx: &mut Tx,
    org: i64,
    debtors: Option<&[i64]>,
) -> Result<Vec<InvoiceRowForCheck>> {
    let rows = match debtors {
        // See `invoices_after`: the whole organization is read along the primary key.
        None => {
            let sql = INVOICE_COLUMNS.replace("WHERE i.org_id = $1", "WHERE +i.org_id = $1");
            tx.fetch_all(&sql, &args![org]).await?
        }
        Some(_) => fetch_scoped(tx, org, INVOICE_COLUMNS, "i.debtor_id", debtors).await?,
    };
    let mut out: Vec<InvoiceRowForCheck> = rows.iter().map(invoice_row).collect::<Result<_>>()?;
    out.sort_unstable_by_key(|i| i.id);
    Ok(out)
}

/// One page of the organization's invoices: the `limit` first with an id above `after`.
/// A whole-organization check reads its invoices this way, so that a million of them never
/// sit in memory at once.
pub async fn invoices_after(
    tx: &mut Tx,
    org: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<InvoiceRowForCheck>> {
    // `+i.org_id`: with a plain `org_id = $1`, SQLite walks an (org_id, …) index and sorts
    // every remaining invoice for each page; the id range of the primary key is the way.
    let sql = format!(
        "{} AND i.id > $2 ORDER BY i.id LIMIT $3",
        INVOICE_COLUMNS.replace("WHERE i.org_id = $1", "WHERE +i.org_id = $1")
    );
    tx.fetch_all(&sql, &args![org, after, limit])
        .await?
        .iter()
        .map(invoice_row)
        .collect()
}

/// `(invoice_id, doc_type)` of every document linked to an invoice of the scope.
pub async fn linked_document_types(
    tx: &mut Tx,
    org: i64,
    debtors: Option<&[i64]>,
) -> Result<Vec<(i64, String)>> {
    let head = "SELECT d.invoice_id, d.doc_type FROM documents d \
                JOIN invoices i ON i.id = d.invoice_id AND i.org_id = d.org_id \
                WHERE d.org_id = $1";
    let rows = match debtors {
        // The whole organization: no join needed.
        None => {
            tx.fetch_all(
                "SELECT invoice_id, doc_type FROM documents WHERE org_id = $1 AND invoice_id IS NOT NULL",
                &args![org],
            )
            .await?
        }
        Some(_) => fetch_scoped(tx, org, head, "i.debtor_id", debtors).await?,
    };
    rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}

/// An invoice that shares its entity, series and number with another one.
#[derive(Debug, Clone)]
pub struct SameNumberRow {
    pub id: i64,
    pub entity_id: i64,
    pub series: String,
    pub number: String,
    pub issue_date: Date,
    pub currency: String,
    pub total: i64,
}

/// Every invoice whose (entity, series, number) is used more than once in the organization
/// — whatever the scope, since the other invoice may belong to another debtor.
pub async fn shared_numbers(tx: &mut Tx, org: i64) -> Result<Vec<SameNumberRow>> {
    let rows = tx
        .fetch_all(
            "SELECT i.id, i.entity_id, i.series, i.number, i.issue_date, i.currency, i.total \
             FROM invoices i JOIN ( \
                 SELECT entity_id, series, number FROM invoices WHERE org_id = $1 \
                 GROUP BY entity_id, series, number HAVING COUNT(*) > 1 \
             ) d ON d.entity_id = i.entity_id AND d.series = i.series AND d.number = i.number \
             WHERE i.org_id = $1 ORDER BY i.id",
            &args![org],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SameNumberRow {
                id: r.get(0)?,
                entity_id: r.get(1)?,
                series: r.get(2)?,
                number: r.get(3)?,
                issue_date: r.date(4)?,
                currency: r.get(5)?,
                total: r.get(6)?,
            })
        })
        .collect()
}

/// A finding that is still open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFinding {
    pub id: i64,
    pub invoice_id: i64,
    pub code: String,
    pub detail: String,
}

pub async fn open_findings(
    tx: &mut Tx,
    org: i64,
    debtors: Option<&[i64]>,
) -> Result<Vec<OpenFinding>> {
    let rows = match debtors {
        None => {
            tx.fetch_all(
                "SELECT id, invoice_id, code, detail FROM findings \
                 WHERE org_id = $1 AND closed_at IS NULL",
                &args![org],
            )
            .await?
        }
        Some(_) => {
            fetch_scoped(
                tx,
                org,
                "SELECT f.id, f.invoice_id, f.code, f.detail FROM findings f \
                 JOIN invoices i ON i.id = f.invoice_id AND i.org_id = f.org_id \
                 WHERE f.org_id = $1 AND f.closed_at IS NULL",
                "i.debtor_id",
                debtors,
            )
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            Ok(OpenFinding {
                id: r.get(0)?,
                invoice_id: r.get(1)?,
                code: r.get(2)?,
                detail: r.get(3)?,
            })
        })
        .collect()
}

/// A finding to store.
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub invoice_id: i64,
    pub code: String,
    pub severity: String,
    pub field: String,
    pub detail: String,
}

/// Stores new findings and returns their ids in input order.
pub async fn open(tx: &mut Tx, org: i64, at: Timestamp, new: &[NewFinding]) -> Result<Vec<i64>> {
    const WIDTH: usize = 7;
    let mut ids = Vec::with_capacity(new.len());
    for chunk in new.chunks((tx.backend().max_params() / WIDTH).clamp(1, 1000)) {
        let mut sql = String::from(
            "INSERT INTO findings (org_id, invoice_id, code, severity, field, detail, opened_at) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * WIDTH);
        for (i, f) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let marks: Vec<String> = (1..=WIDTH).map(|c| format!("${}", i * WIDTH + c)).collect();
            sql.push_str(&format!("({})", marks.join(",")));
            values.extend([
                Value::from(org),
                Value::from(f.invoice_id),
                Value::from(f.code.as_str()),
                Value::from(f.severity.as_str()),
                Value::from(f.field.as_str()),
                Value::from(f.detail.as_str()),
                Value::from(at),
            ]);
        }
        sql.push_str(" RETURNING id");
        let mut chunk_ids: Vec<i64> = tx
            .fetch_all(&sql, &values)
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect::<Result<_>>()?;
        // Rows of one VALUES list are numbered in order; RETURNING's order is not promised.
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// Closes findings (they are never deleted: the log and the trend read them).
pub async fn close(tx: &mut Tx, org: i64, at: Timestamp, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(IN_CHUNK) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "UPDATE findings SET closed_at = $1 WHERE org_id = $2 AND closed_at IS NULL AND id IN ({})",
            marks.join(",")
        );
        let mut values: Vec<Value> = vec![at.into(), org.into()];
        values.extend(chunk.iter().map(|&id| Value::from(id)));
        tx.execute(&sql, &values).await?;
    }
    Ok(())
}

/// The check's result for one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckState {
    pub invoice_id: i64,
    pub open_errors: i64,
    pub open_warnings: i64,
}

/// Writes (or overwrites) each invoice's check row.
pub async fn record_checks(
    tx: &mut Tx,
    org: i64,
    at: Timestamp,
    states: &[CheckState],
) -> Result<()> {
    const WIDTH: usize = 5;
    for chunk in states.chunks((tx.backend().max_params() / WIDTH).clamp(1, 1000)) {
        let mut sql = String::from(
            "INSERT INTO invoice_checks (invoice_id, org_id, checked_at, open_errors, open_warnings) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * WIDTH);
        for (i, s) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let marks: Vec<String> = (1..=WIDTH).map(|c| format!("${}", i * WIDTH + c)).collect();
            sql.push_str(&format!("({})", marks.join(",")));
            values.extend([
                Value::from(s.invoice_id),
                Value::from(org),
                Value::from(at),
                Value::from(s.open_errors),
                Value::from(s.open_warnings),
            ]);
        }
        sql.push_str(
            " ON CONFLICT (invoice_id) DO UPDATE SET checked_at = excluded.checked_at, \
             open_errors = excluded.open_errors, open_warnings = excluded.open_warnings",
        );
        tx.execute(&sql, &values).await?;
    }
    Ok(())
}

/// A stored finding, open or closed, for pages and the API.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredFinding {
    pub id: i64,
    pub invoice_id: i64,
    pub code: String,
    pub severity: String,
    pub field: String,
    pub detail: String,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

fn stored(r: &Row) -> Result<StoredFinding> {
    Ok(StoredFinding {
        id: r.get(0)?,
        invoice_id: r.get(1)?,
        code: r.get(2)?,
        severity: r.get(3)?,
        field: r.get(4)?,
        detail: r.get(5)?,
        opened_at: r.timestamp(6)?,
        closed_at: r.opt_timestamp(7)?,
    })
}

/// Every finding of one invoice, open ones first, newest first.
pub async fn of_invoice(tx: &mut Tx, org: i64, invoice_id: i64) -> Result<Vec<StoredFinding>> {
    let rows = tx
        .fetch_all(
            "SELECT id, invoice_id, code, severity, field, detail, opened_at, closed_at \
             FROM findings WHERE org_id = $1 AND invoice_id = $2 \
             ORDER BY CASE WHEN closed_at IS NULL THEN 0 ELSE 1 END, id DESC",
            &args![org, invoice_id],
        )
        .await?;
    rows.iter().map(stored).collect()
}
