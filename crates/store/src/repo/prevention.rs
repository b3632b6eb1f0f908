//! Read models of the pre-flight check for the pages and the API: the findings of an invoice
//! or of a filter (paged by id), open counts per invoice of a debtor, and the prevention
//! aggregates — open findings grouped by code, entity, owner and debtor with the open amount
//! of the invoices they hold back (per currency), and findings opened and closed per month.
//!
//! Everything is aggregated in SQL and scoped by `org_id`. The open findings are read through
//! the partial index `findings_open` (`closed_at IS NULL`), grouped per invoice first so that
//! an invoice with several findings counts its amount once, then joined to `invoices` by
//! primary key: the cost follows the number of open findings, not of invoices.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::repo::api_views::{Page, Paged};
use crate::repo::findings::StoredFinding;
use crate::sql::Value;
use crate::{Backend, Result, Row, Store, args};

const FINDING_COLUMNS: &str =
    "f.id, f.invoice_id, f.code, f.severity, f.field, f.detail, f.opened_at, f.closed_at";

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

/// Every finding of one invoice, open ones first, newest first. Outside a transaction (the
/// pages only read; SQLite's transactions take the write lock).
pub async fn of_invoice(store: &Store, org: i64, invoice_id: i64) -> Result<Vec<StoredFinding>> {
    store
        .fetch_all(
            &format!(
                "SELECT {FINDING_COLUMNS} FROM findings f WHERE f.org_id = $1 AND f.invoice_id = $2 \
                 ORDER BY CASE WHEN f.closed_at IS NULL THEN 0 ELSE 1 END, f.id DESC"
            ),
            &args![org, invoice_id],
        )
        .await?
        .iter()
        .map(stored)
        .collect()
}

/// Open or closed findings, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Open,
    Closed,
    All,
}

#[derive(Debug, Clone, Default)]
pub struct FindingFilter<'a> {
    pub invoice_id: Option<i64>,
    pub debtor_id: Option<i64>,
    pub code: Option<&'a str>,
    pub status: Status,
}

/// Findings matching a filter, by id, one page at a time.
pub async fn list(
    store: &Store,
    org: i64,
    filter: &FindingFilter<'_>,
    page: Page,
) -> Result<Paged<StoredFinding>> {
    let mut sql = format!("SELECT {FINDING_COLUMNS} FROM findings f");
    let mut params: Vec<Value> = vec![org.into()];
    if let Some(d) = filter.debtor_id {
        params.push(d.into());
        sql.push_str(&format!(
            " JOIN invoices i ON i.id = f.invoice_id AND i.org_id = f.org_id AND i.debtor_id = ${}",
            params.len()
        ));
    }
    sql.push_str(" WHERE f.org_id = $1");
    if let Some(i) = filter.invoice_id {
        params.push(i.into());
        sql.push_str(&format!(" AND f.invoice_id = ${}", params.len()));
    }
    if let Some(c) = filter.code {
        params.push(c.into());
        sql.push_str(&format!(" AND f.code = ${}", params.len()));
    }
    match filter.status {
        Status::Open => sql.push_str(" AND f.closed_at IS NULL"),
        Status::Closed => sql.push_str(" AND f.closed_at IS NOT NULL"),
        Status::All => {}
    }
    params.push(page.after.into());
    sql.push_str(&format!(" AND f.id > ${} ORDER BY f.id", params.len()));
    if let Some(limit) = page.limit {
        params.push((limit as i64 + 1).into());
        sql.push_str(&format!(" LIMIT ${}", params.len()));
    }
    let mut items: Vec<StoredFinding> = store
        .fetch_all(&sql, &params)
        .await?
        .iter()
        .map(stored)
        .collect::<Result<_>>()?;
    let mut next_after = None;
    if let Some(limit) = page.limit
        && items.len() > limit
    {
        items.truncate(limit);
        next_after = items.last().map(|f| f.id);
    }
    Ok(Paged { items, next_after })
}

/// Open errors and warnings of each checked invoice of a debtor, by invoice id.
pub async fn open_counts_of_debtor(
    store: &Store,
    org: i64,
    debtor_id: i64,
) -> Result<HashMap<i64, (i64, i64)>> {
    store
        .fetch_all(
            "SELECT c.invoice_id, c.open_errors, c.open_warnings FROM invoice_checks c \
             JOIN invoices i ON i.id = c.invoice_id AND i.org_id = c.org_id \
             WHERE c.org_id = $1 AND i.debtor_id = $2",
            &args![org, debtor_id],
        )
        .await?
        .iter()
        .map(|r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .collect()
}

/// Narrows the prevention aggregates to one issuing entity and/or one owner (`""`: debtors
/// without an owner).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub entity_id: Option<i64>,
    pub owner: Option<String>,
}

/// One line of an aggregate, for one currency: the open findings, the invoices that carry
/// them, and the open amount (total − paid, minor units) of those invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLine {
    pub key: String,
    pub label: String,
    pub currency: String,
    pub findings: i64,
    pub invoices: i64,
    pub open: i64,
}

/// What the open findings are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Code,
    Entity,
    Owner,
    Debtor,
}

/// The `WHERE` conditions of a filter on `i` (invoices) and `d` (debtors), numbered from
/// `$2`.
fn filter_sql(filter: &Filter, params: &mut Vec<Value>) -> String {
    let mut sql = String::new();
    if let Some(e) = filter.entity_id {
        params.push(e.into());
        sql.push_str(&format!(" AND i.entity_id = ${}", params.len()));
    }
    if let Some(o) = &filter.owner {
        if o.is_empty() {
            sql.push_str(" AND d.owner_email IS NULL");
        } else {
            params.push(o.into());
            sql.push_str(&format!(" AND d.owner_email = ${}", params.len()));
        }
    }
    sql
}

/// Open findings grouped by `by`, one line per group and currency.
pub async fn open_by(
    store: &Store,
    org: i64,
    by: GroupBy,
    filter: &Filter,
) -> Result<Vec<GroupLine>> {
    // Per invoice (and code, when grouping by code) first: an invoice's amount counts once.
    let (inner, key, label, joins) = match by {
        GroupBy::Code => (
            "SELECT f.code AS code, f.invoice_id AS invoice_id, COUNT(*) AS n FROM findings f \
             WHERE f.org_id = $1 AND f.closed_at IS NULL GROUP BY f.code, f.invoice_id",
            "x.code",
            "x.code",
            "",
        ),
        GroupBy::Entity => (
            "SELECT f.invoice_id AS invoice_id, COUNT(*) AS n FROM findings f \
             WHERE f.org_id = $1 AND f.closed_at IS NULL GROUP BY f.invoice_id",
            "CAST(e.id AS TEXT)",
            "e.name",
            " JOIN entities e ON e.id = i.entity_id AND e.org_id = i.org_id",
        ),
        GroupBy::Owner => (
            "SELECT f.invoice_id AS invoice_id, COUNT(*) AS n FROM findings f \
             WHERE f.org_id = $1 AND f.closed_at IS NULL GROUP BY f.invoice_id",
            "COALESCE(d.owner_email, '')",
            "COALESCE(d.owner_email, '')",
            "",
        ),
        GroupBy::Debtor => (
            "SELECT f.invoice_id AS invoice_id, COUNT(*) AS n FROM findings f \
             WHERE f.org_id = $1 AND f.closed_at IS NULL GROUP BY f.invoice_id",
            "CAST(d.id AS TEXT)",
            "d.code || ' · ' || d.name",
            "",
        ),
    };
    let mut params: Vec<Value> = vec![org.into()];
    let conditions = filter_sql(filter, &mut params);
    let sql = format!(
        "SELECT {key}, {label}, i.currency, CAST(SUM(x.n) AS BIGINT), CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(i.total - i.paid) AS BIGINT) \
         FROM ({inner}) x \
         JOIN invoices i ON i.id = x.invoice_id AND i.org_id = $1 \
         JOIN debtors d ON d.id = i.debtor_id AND d.org_id = i.org_id{joins} \
         WHERE 1 = 1{conditions} \
         GROUP BY {key}, {label}, i.currency ORDER BY 1, 3"
    );
    store
        .fetch_all(&sql, &params)
        .await?
        .iter()
        .map(|r| {
            Ok(GroupLine {
                key: r.get(0)?,
                label: r.get(1)?,
                currency: r.get(2)?,
                findings: r.get(3)?,
                invoices: r.get(4)?,
                open: r.get(5)?,
            })
        })
        .collect()
}

/// `YYYY-MM` of a timestamp column, in UTC.
fn month_of(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("substr({column}, 1, 7)"),
        Backend::Postgres => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"),
    }
}

/// Findings opened and closed per month (`YYYY-MM`, UTC) since `since`: `(month, opened,
/// closed)`, months without either left out.
pub async fn trend(
    store: &Store,
    org: i64,
    since: Timestamp,
    filter: &Filter,
) -> Result<Vec<(String, i64, i64)>> {
    let mut by_month: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    let filtered = filter.entity_id.is_some() || filter.owner.is_some();
    for (column, opened) in [("f.opened_at", true), ("f.closed_at", false)] {
        let mut params: Vec<Value> = vec![org.into(), since.into()];
        let joins = if filtered {
            " JOIN invoices i ON i.id = f.invoice_id AND i.org_id = f.org_id \
              JOIN debtors d ON d.id = i.debtor_id AND d.org_id = i.org_id"
        } else {
            ""
        };
        let conditions = filter_sql(filter, &mut params);
        let month = month_of(store.backend(), column);
        let sql = format!(
            "SELECT {month}, CAST(COUNT(*) AS BIGINT) FROM findings f{joins} \
             WHERE f.org_id = $1 AND {column} >= $2{conditions} GROUP BY {month}"
        );
        for r in store.fetch_all(&sql, &params).await? {
            let (m, n): (String, i64) = (r.get(0)?, r.get(1)?);
            let e = by_month.entry(m).or_default();
            if opened {
                e.0 += n;
            } else {
                e.1 += n;
            }
        }
    }
    Ok(by_month.into_iter().map(|(m, (o, c))| (m, o, c)).collect())
}
