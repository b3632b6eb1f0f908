//! Rate tables as data (`creanta rates import|list`): the BNR reference rate, shipped as a
//! starting table with its sources (`crates/app/data/bnr-reference-rates.csv`, written into a
//! new organization the first time it is needed) and updated by the user; exchange rates for
//! the fixed compensation, imported from BNR's XML files or a CSV.

use std::path::Path;
use std::str::FromStr;

use creanta_domain::interest::{RateChange, RateHistory};
use creanta_domain::money::Currency;
use creanta_formats::rates::{RateRow as FileRow, read_bnr_fx_xml, read_rate_table};
use creanta_formats::table::TableFormat;
use creanta_store::Tx;
use creanta_store::repo::calendar::{self as repo, RateRow};
use creanta_store::repo::events::{self, NewEvent};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::{App, AppError};

const SHIPPED_REFERENCE: &[u8] = include_bytes!("../data/bnr-reference-rates.csv");

/// Which history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateKind {
    /// The BNR reference (monetary-policy) rate, percent per year.
    Reference,
    /// RON per unit of a currency.
    Exchange(Currency),
}

impl RateKind {
    pub fn code(self) -> String {
        match self {
            RateKind::Reference => "bnr_reference".to_owned(),
            RateKind::Exchange(c) => format!("fx_{c}"),
        }
    }

    /// `reference`, or a currency code (`EUR`).
    pub fn parse(s: &str) -> Result<RateKind, AppError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "reference" | "bnr_reference" | "ref" => Ok(RateKind::Reference),
            other => Currency::parse(other).map(RateKind::Exchange).map_err(|_| {
                AppError::Invalid(format!(
                    "rate kind {s:?}: use `reference` or a currency code such as EUR"
                ))
            }),
        }
    }
}

fn to_history(rows: &[RateRow], kind: RateKind) -> Result<RateHistory, AppError> {
    let changes = rows
        .iter()
        .map(|r| {
            Decimal::from_str(&r.value)
                .map(|percent| RateChange {
                    from: r.effective_from,
                    percent,
                })
                .map_err(|_| {
                    AppError::Invalid(format!(
                        "stored {} rate of {} is not a number: {:?}",
                        kind.code(),
                        r.effective_from,
                        r.value
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    RateHistory::new(changes).map_err(|e| AppError::Invalid(e.to_string()))
}

/// The history of `kind`; the reference rate starts from the shipped table.
pub async fn history_in(tx: &mut Tx, org: i64, kind: RateKind) -> Result<RateHistory, AppError> {
    let mut rows = repo::rates(tx, org, &kind.code()).await?;
    if rows.is_empty() && kind == RateKind::Reference {
        let shipped = read_rate_table(
            "bnr-reference-rates.csv",
            SHIPPED_REFERENCE,
            TableFormat::Csv,
        )
        .map_err(|e| AppError::Invalid(format!("shipped reference rates: {}", e[0])))?;
        for r in &shipped {
            repo::upsert_rate(tx, org, &kind.code(), &stored(r)).await?;
        }
        rows = repo::rates(tx, org, &kind.code()).await?;
    }
    to_history(&rows, kind)
}

fn stored(r: &FileRow) -> RateRow {
    RateRow {
        effective_from: r.from,
        value: r.value.to_string(),
        source: r.source.clone(),
    }
}

/// The stored history of `kind`, oldest first.
pub async fn list(app: &App, kind: RateKind) -> Result<Vec<RateRow>, AppError> {
    let mut tx = app.store.begin().await?;
    history_in(&mut tx, app.org_id(), kind).await?;
    let rows = repo::rates(&mut tx, app.org_id(), &kind.code()).await?;
    tx.commit().await?;
    Ok(rows)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RatesImport {
    pub new_or_changed: usize,
    pub unchanged: usize,
}

/// Imports a rate file: CSV/XLSX (`effective_from,rate_percent` or `date,rate`), or for an
/// exchange rate BNR's XML. All or nothing; importing the same file again changes nothing.
pub async fn import(
    app: &App,
    kind: RateKind,
    path: &Path,
    actor: &str,
) -> Result<RatesImport, AppError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| AppError::Invalid(format!("{name}: {e}")))?;
    let is_xml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    let rows = match (is_xml, kind) {
        (true, RateKind::Exchange(c)) => read_bnr_fx_xml(&name, &bytes, c.as_str())
            .map_err(|e| AppError::Invalid(e.to_string()))?,
        (true, RateKind::Reference) => {
            return Err(AppError::Invalid(format!(
                "{name}: the reference rate is read from CSV or XLSX (effective_from,rate_percent)"
            )));
        }
        (false, _) => {
            let format = TableFormat::from_path(path).unwrap_or(TableFormat::Csv);
            read_rate_table(&name, &bytes, format).map_err(|errs| {
                AppError::Invalid(
                    errs.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            })?
        }
    };
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    history_in(&mut tx, org, kind).await?;
    let mut report = RatesImport::default();
    for r in &rows {
        if repo::upsert_rate(&mut tx, org, &kind.code(), &stored(r)).await? {
            report.new_or_changed += 1;
        } else {
            report.unchanged += 1;
        }
    }
    if report.new_or_changed > 0 {
        events::append(
            &mut tx,
            org,
            crate::now(),
            &[NewEvent {
                actor: actor.to_owned(),
                kind: "rates.imported".into(),
                subject_type: "rates".into(),
                subject_id: None,
                data: serde_json::json!({ "kind": kind.code(), "file": name,
                    "new_or_changed": report.new_or_changed }),
            }],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(report)
}
