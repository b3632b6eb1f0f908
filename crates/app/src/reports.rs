//! Read-only views: invoice lists and aging.

pub use creanta_store::repo::reports::InvoiceFilter;
use creanta_store::repo::reports::{self, AgingRow, InvoiceView};
use jiff::civil::Date;
use serde::Serialize;

use crate::{App, AppError};

pub async fn invoices(app: &App, filter: &InvoiceFilter) -> Result<Vec<InvoiceView>, AppError> {
    Ok(reports::invoices(&app.store, app.org_id(), filter).await?)
}

/// Aging per debtor plus one total line per currency.
#[derive(Debug, Clone, Serialize)]
pub struct Aging {
    pub date: Date,
    pub rows: Vec<AgingRow>,
    pub totals: Vec<AgingRow>,
}

pub async fn aging(app: &App, date: Date) -> Result<Aging, AppError> {
    let rows = reports::aging(&app.store, app.org_id(), date).await?;
    let mut totals: Vec<AgingRow> = Vec::new();
    for r in &rows {
        let t = match totals.iter_mut().find(|t| t.currency == r.currency) {
            Some(t) => t,
            None => {
                totals.push(AgingRow {
                    debtor_code: "TOTAL".into(),
                    debtor_name: String::new(),
                    currency: r.currency.clone(),
                    not_due: 0,
                    d1_30: 0,
                    d31_60: 0,
                    d61_90: 0,
                    over_90: 0,
                    total: 0,
                });
                totals.last_mut().expect("just pushed")
            }
        };
        t.not_due += r.not_due;
        t.d1_30 += r.d1_30;
        t.d31_60 += r.d31_60;
        t.d61_90 += r.d61_90;
        t.over_90 += r.over_90;
        t.total += r.total;
    }
    totals.sort_by(|a, b| a.currency.cmp(&b.currency));
    Ok(Aging { date, rows, totals })
}
