//! What a debtor owes for paying late, invoice by invoice, on a day: the contract's penalty
//! when it has one, else the legal penalty interest, and the fixed compensation between
//! professionals (rules and legal basis: `creanta_domain::interest`).

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use creanta_domain::interest::{
    InterestError, LateCharge, LateInvoice, RateHistory, Reduction, Relation, contract_penalty,
    fixed_compensation, legal_interest,
};
use creanta_domain::money::{Currency, Money};
use creanta_store::{Tx, args};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::rates::{RateKind, history_in};
use crate::{App, AppError};

/// Late charges of one invoice.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceCharges {
    pub invoice_id: i64,
    pub label: String,
    pub due_date: Date,
    pub days_late: i64,
    pub open: Money,
    /// Interest or contractual penalty; `None` when it cannot be computed (see `problems`).
    pub charge: Option<LateCharge>,
    pub compensation: Option<Money>,
    /// Why something is missing (no reference rate, no exchange rate…): one entry for the
    /// interest and one for the compensation when both are.
    #[serde(serialize_with = "as_texts")]
    pub problems: Vec<InterestError>,
}

fn as_texts<S: serde::Serializer>(problems: &[InterestError], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(problems.iter().map(ToString::to_string))
}

/// Totals per currency.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChargeTotals {
    pub currency: Currency,
    pub open: i64,
    pub interest: i64,
    pub compensation: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DebtorCharges {
    pub day: Date,
    pub relation: Relation,
    pub invoices: Vec<InvoiceCharges>,
    pub totals: Vec<ChargeTotals>,
}

/// Late charges of a debtor's overdue invoices on `day`, in the caller's transaction.
pub async fn charges_in(
    tx: &mut Tx,
    org: i64,
    debtor: i64,
    day: Date,
) -> Result<DebtorCharges, AppError> {
    let Rates { reference, eur } = Rates::load(tx, org).await?;
    let tax_id: String = tx
        .fetch_optional(
            "SELECT tax_id FROM debtors WHERE org_id = $1 AND id = $2",
            &args![org, debtor],
        )
        .await?
        .ok_or_else(|| AppError::Invalid(format!("no debtor {debtor}")))?
        .get(0)?;
    let relation = Relation::of_tax_id(&tax_id);
    let rows = tx
        .fetch_all(
            "SELECT i.id, i.series, i.number, i.due_date, i.currency, i.total, i.paid, \
             c.penalty_rate_per_day, c.attrs FROM invoices i \
             LEFT JOIN contracts c ON c.id = i.contract_id AND c.org_id = i.org_id \
             WHERE i.org_id = $1 AND i.debtor_id = $2 AND i.total > i.paid AND i.due_date < $3 \
             ORDER BY i.due_date, i.id",
            &args![org, debtor, day],
        )
        .await?;
    let mut paid: HashMap<i64, Vec<Reduction>> =
        creanta_store::repo::calendar::reductions_of_open(tx, org, Some(debtor))
            .await?
            .into_iter()
            .map(|(id, v)| {
                let list = v
                    .into_iter()
                    .map(|(date, minor)| Reduction { date, minor })
                    .collect();
                (id, list)
            })
            .collect();
    let inputs: Vec<ChargeInput> = rows
        .iter()
        .map(|r| {
            let id: i64 = r.get(0)?;
            let series: String = r.get(1)?;
            let number: String = r.get(2)?;
            let attrs: Option<String> = r.get(8)?;
            Ok(ChargeInput {
                id,
                label: format!("{series}{number}"),
                due: r.date(3)?,
                currency: r.get(4)?,
                total: r.get(5)?,
                open: r.get::<i64>(5)? - r.get::<i64>(6)?,
                penalty_per_day: r.get(7)?,
                capped: capped(attrs.as_deref()),
                reductions: paid.remove(&id).unwrap_or_default(),
            })
        })
        .collect::<Result<_, AppError>>()?;
    let rates = Rates { reference, eur };
    let invoices: Vec<InvoiceCharges> = inputs
        .into_iter()
        .filter_map(|i| charge_of(i, day, relation, &rates))
        .collect();
    Ok(DebtorCharges {
        day,
        relation,
        totals: totals_of(&invoices),
        invoices,
    })
}

/// The rate histories the charges need.
pub struct Rates {
    pub reference: RateHistory,
    pub eur: RateHistory,
}

impl Rates {
    pub async fn load(tx: &mut Tx, org: i64) -> Result<Rates, AppError> {
        Ok(Rates {
            reference: history_in(tx, org, RateKind::Reference).await?,
            eur: history_in(tx, org, RateKind::Exchange(Currency::EUR)).await?,
        })
    }
}

/// An open invoice with what its charges depend on.
#[derive(Debug, Clone)]
pub struct ChargeInput {
    pub id: i64,
    pub label: String,
    pub due: Date,
    pub currency: String,
    pub total: i64,
    pub open: i64,
    /// The contract's penalty, percent per day (decimal text).
    pub penalty_per_day: Option<String>,
    pub capped: bool,
    pub reductions: Vec<Reduction>,
}

/// The charges of one invoice on `day`; `None` for a currency that cannot be read.
pub fn charge_of(
    i: ChargeInput,
    day: Date,
    relation: Relation,
    rates: &Rates,
) -> Option<InvoiceCharges> {
    let currency = Currency::parse(&i.currency).ok()?;
    let mut reductions = i.reductions;
    // Paid without a dated allocation (an invoicing program's balance): counted as paid on
    // the due date, so that what we cannot date never earns interest.
    let unexplained = i.total - i.open - reductions.iter().map(|r| r.minor).sum::<i64>();
    if unexplained > 0 {
        reductions.push(Reduction {
            date: i.due,
            minor: unexplained,
        });
    }
    let late = LateInvoice {
        due: i.due,
        principal: Money::new(i.total, currency),
        reductions,
    };
    let mut problems = Vec::new();
    let charge = match i.penalty_per_day.as_deref().map(Decimal::from_str) {
        Some(Ok(rate)) => Some(contract_penalty(&late, day, rate, i.capped)),
        _ => match legal_interest(&late, day, relation, &rates.reference) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(e);
                None
            }
        },
    };
    let compensation = match fixed_compensation(i.due, day, relation, currency, &rates.eur) {
        Ok(c) => c,
        Err(e) => {
            problems.push(e);
            None
        }
    };
    Some(InvoiceCharges {
        invoice_id: i.id,
        label: i.label,
        due_date: i.due,
        days_late: i64::from((day - i.due).get_days()),
        open: Money::new(i.open, currency),
        charge,
        compensation,
        problems,
    })
}

/// Totals per currency. The compensation counts in the invoice's currency only when it is
/// expressed in it (RON invoices); for others it is 40 EUR, added to EUR.
pub fn totals_of(invoices: &[InvoiceCharges]) -> Vec<ChargeTotals> {
    let mut totals: BTreeMap<Currency, ChargeTotals> = BTreeMap::new();
    let blank = |currency| ChargeTotals {
        currency,
        open: 0,
        interest: 0,
        compensation: 0,
    };
    for i in invoices {
        let t = totals
            .entry(i.open.currency)
            .or_insert_with(|| blank(i.open.currency));
        t.open += i.open.minor;
        t.interest += i.charge.as_ref().map_or(0, |c| c.amount.minor);
        if let Some(c) = i.compensation {
            totals
                .entry(c.currency)
                .or_insert_with(|| blank(c.currency))
                .compensation += c.minor;
        }
    }
    totals.into_values().collect()
}

/// The contract's `penalty_capped` attribute (an extra column of the contracts import):
/// the penalty stops at the principal.
pub fn capped(attrs: Option<&str>) -> bool {
    let Some(attrs) = attrs else { return false };
    let v: serde_json::Value = serde_json::from_str(attrs).unwrap_or_default();
    v.get("penalty_capped")
        .and_then(|v| v.as_str())
        .and_then(|s| creanta_formats::rows::parse_bool(s).ok())
        .unwrap_or(false)
}

/// Late charges of a debtor on `day`.
pub async fn charges(app: &App, debtor: i64, day: Date) -> Result<DebtorCharges, AppError> {
    let mut tx = app.store.begin().await?;
    let out = charges_in(&mut tx, app.org_id(), debtor, day).await?;
    tx.commit().await?;
    Ok(out)
}
