//! Read models for the CLI and, later, the web pages.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use crate::sql::Value;
use crate::{Result, Store, StoreError, args};

#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub debtor_code: Option<String>,
    pub open_only: bool,
    /// Only invoices whose due date is before this day and that are still open.
    pub overdue_on: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceView {
    pub entity_tax_id: String,
    pub entity_name: String,
    pub series: String,
    pub number: String,
    pub kind: String,
    pub debtor_code: String,
    pub debtor_name: String,
    pub buyer_tax_id: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub currency: String,
    pub total: i64,
    pub paid: i64,
    pub open: i64,
}

pub async fn invoices(store: &Store, org: i64, f: &InvoiceFilter) -> Result<Vec<InvoiceView>> {
    let mut sql = String::from(
        "SELECT e.tax_id, e.name, i.series, i.number, i.kind, d.code, d.name, i.issue_date, \
         i.due_date, i.currency, i.total, i.paid, i.buyer_tax_id \
         FROM invoices i JOIN entities e ON e.id = i.entity_id AND e.org_id = i.org_id \
         JOIN debtors d ON d.id = i.debtor_id AND d.org_id = i.org_id \
         WHERE i.org_id = $1",
    );
    let mut params: Vec<Value> = args![org].to_vec();
    if let Some(code) = &f.debtor_code {
        params.push(code.into());
        sql.push_str(&format!(" AND d.code = ${}", params.len()));
    }
    if f.open_only || f.overdue_on.is_some() {
        sql.push_str(" AND i.total <> i.paid");
    }
    if let Some(day) = f.overdue_on {
        params.push(day.into());
        sql.push_str(&format!(" AND i.due_date < ${}", params.len()));
    }
    let mut list: Vec<InvoiceView> = store
        .fetch_all(&sql, &params)
        .await?
        .iter()
        .map(|r| {
            let total: i64 = r.get(10)?;
            let paid: i64 = r.get(11)?;
            Ok(InvoiceView {
                entity_tax_id: r.get(0)?,
                entity_name: r.get(1)?,
                series: r.get(2)?,
                number: r.get(3)?,
                kind: r.get(4)?,
                debtor_code: r.get(5)?,
                debtor_name: r.get(6)?,
                buyer_tax_id: r.get(12)?,
                issue_date: r.date(7)?,
                due_date: r.date(8)?,
                currency: r.get(9)?,
                total,
                paid,
                open: total - paid,
            })
        })
        .collect::<Result<_>>()?;
    // Sorted here, not in SQL: PostgreSQL orders text by locale, SQLite by bytes.
    list.sort_by(|a, b| {
        (&a.debtor_code, a.due_date, &a.series, &a.number).cmp(&(
            &b.debtor_code,
            b.due_date,
            &b.series,
            &b.number,
        ))
    });
    Ok(list)
}

/// Open amounts of one debtor in one currency, by how late they are.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AgingRow {
    pub debtor_code: String,
    pub debtor_name: String,
    pub currency: String,
    pub not_due: i64,
    pub d1_30: i64,
    pub d31_60: i64,
    pub d61_90: i64,
    pub over_90: i64,
    pub total: i64,
}

/// Aging per debtor and currency on `today`. Bucket edges are computed here, so the SQL
/// only compares dates and works the same on both backends.
pub async fn aging(store: &Store, org: i64, today: Date) -> Result<Vec<AgingRow>> {
    let back = |days: i64| {
        today
            .checked_sub(days.days())
            .map_err(|e| StoreError::Corrupt(format!("date out of range: {e}")))
    };
    let (d30, d60, d90) = (back(30)?, back(60)?, back(90)?);
    let open = "(i.total - i.paid)";
    let sql = format!(
        "SELECT d.code, d.name, i.currency, \
         CAST(SUM(CASE WHEN i.due_date >= $2 THEN {open} ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN i.due_date < $2 AND i.due_date >= $3 THEN {open} ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN i.due_date < $3 AND i.due_date >= $4 THEN {open} ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN i.due_date < $4 AND i.due_date >= $5 THEN {open} ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN i.due_date < $5 THEN {open} ELSE 0 END) AS BIGINT), \
         CAST(SUM({open}) AS BIGINT) \
         FROM invoices i JOIN debtors d ON d.id = i.debtor_id AND d.org_id = i.org_id \
         WHERE i.org_id = $1 AND i.total <> i.paid \
         GROUP BY d.code, d.name, i.currency"
    );
    let mut rows: Vec<AgingRow> = store
        .fetch_all(&sql, &args![org, today, d30, d60, d90])
        .await?
        .iter()
        .map(|r| {
            Ok(AgingRow {
                debtor_code: r.get(0)?,
                debtor_name: r.get(1)?,
                currency: r.get(2)?,
                not_due: r.get(3)?,
                d1_30: r.get(4)?,
                d31_60: r.get(5)?,
                d61_90: r.get(6)?,
                over_90: r.get(7)?,
                total: r.get(8)?,
            })
        })
        .collect::<Result<_>>()?;
    rows.sort_by(|a, b| (&a.debtor_code, &a.currency).cmp(&(&b.debtor_code, &b.currency)));
    Ok(rows)
}
