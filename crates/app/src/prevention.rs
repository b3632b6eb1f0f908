//! The prevention view of the pre-flight check: which of our own mistakes hold money back,
//! where (code, issuing entity, owner, debtor), and whether they are getting fewer (findings
//! opened and closed per month). The web page and the API show this one report.
//!
//! Amounts are kept per currency and never added across currencies.

use std::collections::BTreeMap;

use creanta_domain::check::{Detail, Finding};
use creanta_domain::model::Language;
use creanta_store::repo::findings::StoredFinding;
use creanta_store::repo::prevention::{self as store, GroupBy, GroupLine};
use jiff::civil::Date;

pub use creanta_store::repo::prevention::Filter;

use crate::check::ShownFinding;
use crate::{App, AppError};

/// How many debtors the report lists (those holding the most back).
pub const TOP_DEBTORS: usize = 50;
/// How many months the trend covers, the current one included.
pub const TREND_MONTHS: usize = 12;

/// An amount in minor units of one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    pub currency: String,
    pub minor: i64,
}

/// One group of open findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The finding code, the entity or debtor id, the owner's email (`""`: no owner).
    pub key: String,
    pub label: String,
    pub findings: i64,
    pub invoices: i64,
    /// The open amount (total − paid) of the invoices, one line per currency, largest first.
    pub amounts: Vec<Amount>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    pub opened: i64,
    pub closed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prevention {
    pub findings: i64,
    pub invoices: i64,
    pub amounts: Vec<Amount>,
    /// Most findings first.
    pub by_code: Vec<Group>,
    /// Largest amount first (see [`rank`]).
    pub by_entity: Vec<Group>,
    pub by_owner: Vec<Group>,
    /// The [`TOP_DEBTORS`] debtors holding the most back.
    pub by_debtor: Vec<Group>,
    /// Oldest month first, [`TREND_MONTHS`] of them, ending with the current month.
    pub trend: Vec<Month>,
}

/// Lines per currency merged into groups; the invoices of a group are split among
/// currencies (an invoice has one), so their counts add up.
fn groups(lines: Vec<GroupLine>) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for l in lines {
        let g = match out.iter_mut().position(|g| g.key == l.key) {
            Some(i) => &mut out[i],
            None => {
                out.push(Group {
                    key: l.key.clone(),
                    label: l.label.clone(),
                    findings: 0,
                    invoices: 0,
                    amounts: Vec::new(),
                });
                out.last_mut().expect("pushed")
            }
        };
        g.findings += l.findings;
        g.invoices += l.invoices;
        g.amounts.push(Amount {
            currency: l.currency,
            minor: l.open,
        });
    }
    for g in &mut out {
        g.amounts
            .sort_by(|a, b| b.minor.cmp(&a.minor).then(a.currency.cmp(&b.currency)));
    }
    out
}

/// The amount of a group in one currency (0 without one).
fn amount_in(g: &Group, currency: &str) -> i64 {
    g.amounts
        .iter()
        .find(|a| a.currency == currency)
        .map_or(0, |a| a.minor)
}

/// Orders groups by the amount they hold back. Amounts of different currencies are not
/// comparable without a rate, so the main currency (the one of most affected invoices)
/// decides, then the others in the order of `currencies`, then the number of findings.
fn rank(list: &mut [Group], currencies: &[String]) {
    list.sort_by(|a, b| {
        for c in currencies {
            let o = amount_in(b, c).cmp(&amount_in(a, c));
            if o.is_ne() {
                return o;
            }
        }
        b.findings
            .cmp(&a.findings)
            .then_with(|| a.label.cmp(&b.label))
    });
}

/// The first day of the month `n` months before `today`'s.
fn months_back(today: Date, n: usize) -> Date {
    let first = today.first_of_month();
    first
        .checked_sub(jiff::Span::new().months(n as i64))
        .unwrap_or(first)
}

pub async fn report(app: &App, filter: &Filter) -> Result<Prevention, AppError> {
    let (s, org) = (&app.store, app.org_id());
    let mut by_code = groups(store::open_by(s, org, GroupBy::Code, filter).await?);
    let by_entity_lines = store::open_by(s, org, GroupBy::Entity, filter).await?;
    // Totals from a grouping where each invoice is in exactly one group.
    let (mut findings, mut invoices) = (0, 0);
    let mut totals: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for l in &by_entity_lines {
        findings += l.findings;
        invoices += l.invoices;
        let t = totals.entry(l.currency.clone()).or_default();
        t.0 += l.open;
        t.1 += l.invoices;
    }
    // Main currency first: the one with the most affected invoices.
    let mut currencies: Vec<(String, i64)> = totals.iter().map(|(c, t)| (c.clone(), t.1)).collect();
    currencies.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let currencies: Vec<String> = currencies.into_iter().map(|(c, _)| c).collect();
    let amounts = currencies
        .iter()
        .map(|c| Amount {
            currency: c.clone(),
            minor: totals[c].0,
        })
        .collect();

    by_code.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.key.cmp(&b.key)));
    let mut by_entity = groups(by_entity_lines);
    rank(&mut by_entity, &currencies);
    let mut by_owner = groups(store::open_by(s, org, GroupBy::Owner, filter).await?);
    rank(&mut by_owner, &currencies);
    let mut by_debtor = groups(store::open_by(s, org, GroupBy::Debtor, filter).await?);
    rank(&mut by_debtor, &currencies);
    by_debtor.truncate(TOP_DEBTORS);

    let today = app.today();
    let start = months_back(today, TREND_MONTHS - 1);
    let since = start
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| AppError::Invalid(e.to_string()))?
        .timestamp();
    let counted = store::trend(s, org, since, filter).await?;
    let trend = (0..TREND_MONTHS)
        .map(|i| {
            let m = months_back(today, TREND_MONTHS - 1 - i);
            let key = m.strftime("%Y-%m").to_string();
            let (opened, closed) = counted
                .iter()
                .find(|(k, _, _)| *k == key)
                .map_or((0, 0), |(_, o, c)| (*o, *c));
            Month {
                month: key,
                opened,
                closed,
            }
        })
        .collect();
    Ok(Prevention {
        findings,
        invoices,
        amounts,
        by_code,
        by_entity,
        by_owner,
        by_debtor,
        trend,
    })
}

/// A stored finding as the user reads it, in `lang`. Its stored facts give the message and
/// fix; facts written by an older version that no longer read show the code alone.
pub fn shown(f: &StoredFinding, lang: Language) -> ShownFinding {
    match serde_json::from_str::<Detail>(&f.detail) {
        Ok(detail) => ShownFinding::of(&Finding::new(detail), lang),
        Err(_) => ShownFinding {
            code: f.code.clone(),
            severity: f.severity.clone(),
            field: f.field.clone(),
            message: f.code.clone(),
            fix: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: &str, currency: &str, findings: i64, open: i64) -> GroupLine {
        GroupLine {
            key: key.into(),
            label: key.into(),
            currency: currency.into(),
            findings,
            invoices: 1,
            open,
        }
    }

    #[test]
    fn groups_keep_currencies_apart_and_rank_by_the_main_currency() {
        let mut g = groups(vec![
            line("a", "EUR", 1, 90_000),
            line("a", "RON", 2, 10_000),
            line("b", "RON", 1, 50_000),
        ]);
        assert_eq!(g[0].findings, 3);
        assert_eq!(g[0].invoices, 2);
        assert_eq!(
            g[0].amounts,
            vec![
                Amount {
                    currency: "EUR".into(),
                    minor: 90_000
                },
                Amount {
                    currency: "RON".into(),
                    minor: 10_000
                }
            ]
        );
        rank(&mut g, &["RON".into(), "EUR".into()]);
        assert_eq!(g[0].key, "b");
    }

    #[test]
    fn the_trend_starts_eleven_months_back() {
        let d = jiff::civil::date(2026, 12, 3);
        assert_eq!(months_back(d, 11), jiff::civil::date(2026, 1, 1));
        assert_eq!(months_back(d, 0), jiff::civil::date(2026, 12, 1));
    }
}
