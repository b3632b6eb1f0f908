//! Late-payment interest, penalties and the fixed compensation, in decimal arithmetic
//! (`rust_decimal`), actual/365 day count, rounded half-even to the currency's minor unit once,
//! at the end.
//!
//! Legal basis (see `docs/legal-notes.md` for sources and confidence):
//! - **Legal penalty interest** (dobânda legală penalizatoare), OG 13/2011 art. 3: the BNR
//!   reference rate (its monetary-policy rate, alin. 1) plus 8 percentage points between
//!   professionals (alin. 2¹, added by Legea 72/2013), plus 4 points otherwise (alin. 2). The
//!   20 % reduction of alin. 3 concerns relations that do not arise from running an enterprise;
//!   a creditor using Creanța always invoices in running its enterprise, so it is not applied.
//! - **Which reference rate applies to which day** — the one rule, [`reference_rate_for`]: the
//!   rate in force on the first calendar day of the half-year (1 January, 1 July) applies to
//!   every day of that half-year. This is the reference rate of Directive 2011/7/EU art. 2
//!   pt. 7, which Legea 72/2013 transposes, and the rule the Code of Civil Procedure writes for
//!   payment orders (art. 1018 alin. 1); a court applying the rate in force on each day would
//!   differ only in half-years with a rate change.
//! - **Interest runs** from the day after the due date up to and including the day of the
//!   calculation, on what is still unpaid at the start of each day; a payment dated D stops
//!   interest on its amount from D on.
//! - **Contractual penalty**: when the contract sets a rate per day, it replaces the legal
//!   interest (OG 13/2011 art. 1: the parties are free to set the rate), optionally capped at
//!   the principal.
//! - **Fixed compensation**: 40 EUR per late invoice between professionals (Legea 72/2013),
//!   in RON at the BNR exchange rate of the due date.

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::money::{Currency, Money};

/// One change of the BNR reference rate: `percent` per year from `from` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateChange {
    pub from: Date,
    pub percent: Decimal,
}

/// The history of a rate, sorted by date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateHistory {
    changes: Vec<RateChange>,
}

impl RateHistory {
    /// Sorts the changes; two on the same day are refused.
    pub fn new(mut changes: Vec<RateChange>) -> Result<RateHistory, InterestError> {
        changes.sort_by_key(|c| c.from);
        if let Some(w) = changes.windows(2).find(|w| w[0].from == w[1].from) {
            return Err(InterestError::DuplicateRate { day: w[0].from });
        }
        Ok(RateHistory { changes })
    }

    pub fn changes(&self) -> &[RateChange] {
        &self.changes
    }

    /// The rate in force on `day` (the latest change on or before it).
    pub fn in_force_on(&self, day: Date) -> Option<Decimal> {
        let i = self.changes.partition_point(|c| c.from <= day);
        i.checked_sub(1).map(|i| self.changes[i].percent)
    }
}

/// The first day of the half-year `day` falls in.
pub fn half_year_start(day: Date) -> Date {
    let month = if day.month() <= 6 { 1 } else { 7 };
    Date::new(day.year(), month, 1).expect("1 January and 1 July exist")
}

/// THE rule for which reference rate applies to a day of delay (see the module
/// documentation): the rate in force on the first calendar day of its half-year.
pub fn reference_rate_for(history: &RateHistory, day: Date) -> Option<Decimal> {
    history.in_force_on(half_year_start(day))
}

/// Who the debtor is, for the legal rate and the compensation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// A company or other professional (the debtor has a CUI).
    Professionals,
    /// A natural person not acting as a professional (the debtor has a CNP).
    Consumer,
}

impl Relation {
    /// A debtor is a consumer when its tax id is a CNP (13 digits, even one whose check digit
    /// fails), a professional otherwise.
    pub fn of_tax_id(tax_id: &str) -> Relation {
        let id = tax_id.trim();
        let is_cnp = matches!(crate::ids::TaxId::parse(id), Ok(crate::ids::TaxId::Cnp(_)))
            || (id.len() == 13 && id.bytes().all(|b| b.is_ascii_digit()));
        if is_cnp {
            Relation::Consumer
        } else {
            Relation::Professionals
        }
    }
}

/// The legal penalty rate (percent per year) for a reference rate.
pub fn legal_penalty_rate(reference: Decimal, relation: Relation) -> Decimal {
    match relation {
        Relation::Professionals => reference + Decimal::from(8),
        Relation::Consumer => reference + Decimal::from(4),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterestError {
    #[error("no BNR reference rate known for {day} (import the rates with `creanta rates import`)")]
    NoRate { day: Date },
    #[error("two reference rates start on {day}")]
    DuplicateRate { day: Date },
    #[error(
        "no EUR exchange rate known for {day} (import BNR's rates: `creanta rates import --kind EUR nbrfxrates{}.xml`)",
        day.year()
    )]
    NoExchangeRate { day: Date },
}

/// A payment (or credit) that reduced what is owed, from its date on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reduction {
    pub date: Date,
    pub minor: i64,
}

/// Days with the same balance and rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// First and last day of delay counted.
    pub first: Date,
    pub last: Date,
    pub days: i64,
    /// What was unpaid on those days, in minor units.
    pub balance: i64,
    /// Percent per year (legal interest) or per day (contractual penalty).
    pub rate: Decimal,
    /// Interest of the segment in minor units, unrounded (for display: the total is computed
    /// from the exact products and divided once, so that the pieces' rounding never adds up).
    pub amount: Decimal,
    #[serde(skip)]
    numerator: Decimal,
}

/// What is due for late payment of one invoice on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateCharge {
    pub basis: ChargeBasis,
    /// Rounded half-even once, from the sum of the segments.
    pub amount: Money,
    pub segments: Vec<Segment>,
    /// The contractual penalty reached its cap (the principal).
    pub capped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChargeBasis {
    /// OG 13/2011 art. 3: reference rate + 8 or + 4 points.
    LegalInterest { relation: Relation },
    /// The contract's penalty: percent per day.
    ContractPenalty {
        percent_per_day: Decimal,
        capped_at_principal: bool,
    },
}

/// An invoice, as the interest sees it.
#[derive(Debug, Clone)]
pub struct LateInvoice {
    pub due: Date,
    /// What was owed on the due date.
    pub principal: Money,
    /// Payments and credits, any order.
    pub reductions: Vec<Reduction>,
}

impl LateInvoice {
    /// Unpaid at the start of `day`: reductions dated on or before it count.
    fn balance_on(&self, day: Date) -> i64 {
        self.principal.minor
            - self
                .reductions
                .iter()
                .filter(|r| r.date <= day)
                .map(|r| r.minor)
                .sum::<i64>()
    }
}

fn next_day(d: Date) -> Date {
    d.checked_add(1.day()).expect("dates stay in range")
}

/// Percent per year over actual/365, or percent per day.
fn divisor(per_year: bool) -> Decimal {
    Decimal::from(if per_year { 100 * 365 } else { 100 })
}

fn total(segments: &[Segment], per_year: bool) -> Decimal {
    segments.iter().map(|s| s.numerator).sum::<Decimal>() / divisor(per_year)
}

fn round_to_minor(amount: Decimal) -> i64 {
    amount
        .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven)
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// The half-year starts after `first` up to `last`: where the legal rate may change.
fn half_year_cuts(first: Date, last: Date) -> Vec<Date> {
    let mut cuts = Vec::new();
    let mut d = half_year_start(first);
    loop {
        d = d.checked_add(6.months()).expect("dates stay in range");
        if d > last {
            return cuts;
        }
        cuts.push(d);
    }
}

/// Splits the days of delay `(due, to]` where the balance changes (a reduction) or the rate
/// may change (`rate_cuts`), and prices each piece.
fn segments(
    inv: &LateInvoice,
    to: Date,
    rate_cuts: Vec<Date>,
    rate_for: &dyn Fn(Date) -> Result<Decimal, InterestError>,
    per_year: bool,
) -> Result<Vec<Segment>, InterestError> {
    if to <= inv.due {
        return Ok(Vec::new());
    }
    let first = next_day(inv.due);
    let mut cuts: Vec<Date> = inv
        .reductions
        .iter()
        .map(|r| r.date)
        .chain(rate_cuts)
        .filter(|d| *d > first && *d <= to)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts.push(next_day(to));
    let divisor = divisor(per_year);
    let mut out = Vec::new();
    let mut start = first;
    for cut in cuts {
        let last = cut.yesterday().expect("dates stay in range");
        let balance = inv.balance_on(start);
        if balance > 0 {
            let rate = rate_for(start)?;
            let days = i64::from((cut - start).get_days());
            let numerator = Decimal::from(balance) * rate * Decimal::from(days);
            out.push(Segment {
                first: start,
                last,
                days,
                balance,
                rate,
                amount: numerator / divisor,
                numerator,
            });
        }
        start = cut;
    }
    Ok(out)
}

/// The legal penalty interest of `inv` up to and including `to`.
pub fn legal_interest(
    inv: &LateInvoice,
    to: Date,
    relation: Relation,
    rates: &RateHistory,
) -> Result<LateCharge, InterestError> {
    let rate_for = |day: Date| {
        reference_rate_for(rates, day)
            .map(|r| legal_penalty_rate(r, relation))
            .ok_or(InterestError::NoRate {
                day: half_year_start(day),
            })
    };
    let cuts = half_year_cuts(next_day(inv.due), to);
    let segments = segments(inv, to, cuts, &rate_for, true)?;
    let total = total(&segments, true);
    Ok(LateCharge {
        basis: ChargeBasis::LegalInterest { relation },
        amount: Money::new(round_to_minor(total), inv.principal.currency),
        segments,
        capped: false,
    })
}

/// The contract's penalty (`percent_per_day`) of `inv` up to and including `to`, capped at
/// the principal when the contract says so.
pub fn contract_penalty(
    inv: &LateInvoice,
    to: Date,
    percent_per_day: Decimal,
    capped_at_principal: bool,
) -> LateCharge {
    let rate_for = |_: Date| Ok(percent_per_day);
    let segments =
        segments(inv, to, Vec::new(), &rate_for, false).expect("a fixed rate never fails");
    let total = total(&segments, false);
    let mut minor = round_to_minor(total);
    let capped = capped_at_principal && minor > inv.principal.minor;
    if capped {
        minor = inv.principal.minor;
    }
    LateCharge {
        basis: ChargeBasis::ContractPenalty {
            percent_per_day,
            capped_at_principal,
        },
        amount: Money::new(minor, inv.principal.currency),
        segments,
        capped,
    }
}

/// The fixed compensation for one invoice paid late between professionals: 40 EUR, or its
/// RON value at the exchange rate in force on the due date when the invoice is in RON
/// (`eur_ron`: RON per 1 EUR).
/// `None` when nothing is owed (not late, or not between professionals).
pub fn fixed_compensation(
    due: Date,
    to: Date,
    relation: Relation,
    currency: Currency,
    eur_ron: &RateHistory,
) -> Result<Option<Money>, InterestError> {
    if relation != Relation::Professionals || to <= due {
        return Ok(None);
    }
    // In minor units: 40.00 EUR.
    let forty_eur = Decimal::from(4000);
    if currency != Currency::RON {
        return Ok(Some(Money::new(4000, Currency::EUR)));
    }
    let rate = eur_ron
        .in_force_on(due)
        .ok_or(InterestError::NoExchangeRate { day: due })?;
    Ok(Some(Money::new(
        round_to_minor(forty_eur * rate),
        Currency::RON,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// The BNR changes around 2024 (as in the shipped table): 7.00 % from 11 January 2023,
    /// 6.75 % from 8 July 2024, 6.50 % from 8 August 2024.
    fn bnr() -> RateHistory {
        RateHistory::new(vec![
            RateChange {
                from: date(2023, 1, 11),
                percent: d("7.00"),
            },
            RateChange {
                from: date(2024, 7, 8),
                percent: d("6.75"),
            },
            RateChange {
                from: date(2024, 8, 8),
                percent: d("6.50"),
            },
        ])
        .unwrap()
    }

    fn ron(minor: i64) -> Money {
        Money::new(minor, Currency::RON)
    }

    fn late(due: Date, principal: i64, payments: &[(Date, i64)]) -> LateInvoice {
        LateInvoice {
            due,
            principal: ron(principal),
            reductions: payments
                .iter()
                .map(|&(date, minor)| Reduction { date, minor })
                .collect(),
        }
    }

    /// Worked examples, each checked by hand (amount × rate × days / 36 500, rounded
    /// half-even to the ban).
    #[test]
    fn worked_examples_of_legal_interest() {
        let b2b = Relation::Professionals;
        let cases: &[(&str, LateInvoice, Date, Relation, i64)] = &[
            // 30 days in H1 2025 at 6.50 + 8 = 14.50 %: 10 000 × 14.5 % × 30 / 365 = 119.178…
            (
                "one half-year",
                late(date(2025, 1, 31), 1_000_000, &[]),
                date(2025, 3, 2),
                b2b,
                11_918,
            ),
            // September 2024 uses the rate of 1 July 2024 (7.00, not 6.50): 15 %.
            (
                "rate of the half-year's first day",
                late(date(2024, 8, 31), 1_000_000, &[]),
                date(2024, 9, 30),
                b2b,
                12_329,
            ),
            // 16 days of December 2024 at 15 %, 14 days of January 2025 at 14.50 %.
            (
                "across two half-years",
                late(date(2024, 12, 15), 1_000_000, &[]),
                date(2025, 1, 14),
                b2b,
                12_137,
            ),
            // 9 days on 10 000, then 21 days on 6 000 after a payment of 4 000 on 10 February.
            (
                "after a partial payment",
                late(
                    date(2025, 1, 31),
                    1_000_000,
                    &[(date(2025, 2, 10), 400_000)],
                ),
                date(2025, 3, 2),
                b2b,
                8_581,
            ),
            // Not between professionals: 6.50 + 4 = 10.50 %.
            (
                "consumer",
                late(date(2025, 1, 31), 1_000_000, &[]),
                date(2025, 3, 2),
                Relation::Consumer,
                8_630,
            ),
            // 1.00 RON for a year at 14.50 % is 14.5 bani: half-even gives 14; 3.00 RON gives 43.5 → 44.
            (
                "half-even down",
                late(date(2025, 1, 1), 100, &[]),
                date(2026, 1, 1),
                b2b,
                14,
            ),
            (
                "half-even up",
                late(date(2025, 1, 1), 300, &[]),
                date(2026, 1, 1),
                b2b,
                44,
            ),
            // Paid in full on day 10: interest for days 1–9 only.
            (
                "paid late",
                late(
                    date(2025, 1, 31),
                    1_000_000,
                    &[(date(2025, 2, 10), 1_000_000)],
                ),
                date(2025, 3, 31),
                b2b,
                3_575,
            ),
            (
                "not late yet",
                late(date(2025, 1, 31), 1_000_000, &[]),
                date(2025, 1, 31),
                b2b,
                0,
            ),
        ];
        for (name, inv, to, relation, want) in cases {
            let got = legal_interest(inv, *to, *relation, &bnr()).unwrap();
            assert_eq!(got.amount, ron(*want), "{name}: {:#?}", got.segments);
        }
        let split = legal_interest(&cases[2].1, cases[2].2, b2b, &bnr()).unwrap();
        let pieces: Vec<(i64, Decimal)> = split.segments.iter().map(|s| (s.days, s.rate)).collect();
        assert_eq!(pieces, [(16, d("15.00")), (14, d("14.50"))]);
    }

    #[test]
    fn without_a_known_rate_the_interest_is_refused_not_guessed() {
        let inv = late(date(2022, 6, 1), 1_000_000, &[]);
        let e =
            legal_interest(&inv, date(2022, 7, 1), Relation::Professionals, &bnr()).unwrap_err();
        assert_eq!(
            e,
            InterestError::NoRate {
                day: date(2022, 1, 1)
            }
        );
    }

    #[test]
    fn contract_penalties_replace_interest_and_may_stop_at_the_principal() {
        let inv = late(date(2025, 1, 31), 1_000_000, &[]);
        // 0.1 % a day for 30 days: 300.00 RON.
        let p = contract_penalty(&inv, date(2025, 3, 2), d("0.1"), false);
        assert_eq!(p.amount, ron(30_000));
        // 0.5 % a day for 300 days would be 150 % of the principal: capped at 10 000.00.
        let p = contract_penalty(&inv, date(2025, 11, 27), d("0.5"), true);
        assert_eq!((p.amount, p.capped), (ron(1_000_000), true));
        let p = contract_penalty(&inv, date(2025, 11, 27), d("0.5"), false);
        assert_eq!((p.amount, p.capped), (ron(1_500_000), false));
    }

    #[test]
    fn the_fixed_compensation_is_forty_euro_in_ron_of_the_due_date() {
        // A made-up exchange-rate table for the test: 4.9771 RON per EUR from 30 January 2025.
        let eur = RateHistory::new(vec![
            RateChange {
                from: date(2025, 1, 30),
                percent: d("4.9771"),
            },
            RateChange {
                from: date(2025, 2, 3),
                percent: d("5.1000"),
            },
        ])
        .unwrap();
        let due = date(2025, 1, 31);
        let b2b = Relation::Professionals;
        assert_eq!(
            fixed_compensation(due, date(2025, 3, 1), b2b, Currency::RON, &eur).unwrap(),
            Some(ron(19_908))
        );
        assert_eq!(
            fixed_compensation(due, date(2025, 3, 1), b2b, Currency::EUR, &eur).unwrap(),
            Some(Money::new(4_000, Currency::EUR))
        );
        assert_eq!(
            fixed_compensation(due, due, b2b, Currency::RON, &eur).unwrap(),
            None
        );
        assert_eq!(
            fixed_compensation(
                due,
                date(2025, 3, 1),
                Relation::Consumer,
                Currency::RON,
                &eur
            )
            .unwrap(),
            None
        );
        assert!(
            fixed_compensation(date(2024, 1, 1), date(2025, 3, 1), b2b, Currency::RON, &eur)
                .is_err()
        );
    }

    #[test]
    fn persons_are_consumers_and_companies_professionals() {
        assert_eq!(Relation::of_tax_id("1800101221144"), Relation::Consumer);
        assert_eq!(Relation::of_tax_id(" 1800101221145 "), Relation::Consumer);
        assert_eq!(Relation::of_tax_id("RO14840784"), Relation::Professionals);
        assert_eq!(Relation::of_tax_id("14840784"), Relation::Professionals);
        assert_eq!(Relation::of_tax_id("DE123456789"), Relation::Professionals);
    }

    #[test]
    fn the_half_year_rule_uses_the_first_day_of_january_or_july() {
        assert_eq!(half_year_start(date(2024, 9, 30)), date(2024, 7, 1));
        assert_eq!(half_year_start(date(2024, 6, 30)), date(2024, 1, 1));
        assert_eq!(
            reference_rate_for(&bnr(), date(2024, 9, 30)),
            Some(d("7.00"))
        );
        assert_eq!(bnr().in_force_on(date(2024, 9, 30)), Some(d("6.50")));
        assert_eq!(
            reference_rate_for(&bnr(), date(2025, 2, 1)),
            Some(d("6.50"))
        );
        assert!(
            RateHistory::new(vec![
                RateChange {
                    from: date(2025, 1, 1),
                    percent: d("1")
                },
                RateChange {
                    from: date(2025, 1, 1),
                    percent: d("2")
                },
            ])
            .is_err()
        );
    }
}
