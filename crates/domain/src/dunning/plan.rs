//! Planning one day of the action calendar (DESIGN.md, "The daily run", points 1–3), as a
//! pure function of the open invoices, the policies and what was done before.
//!
//! The rules, in the order they apply to each open invoice:
//! 1. its policy is the invoice's, else the contract's, else the debtor's, else the
//!    organization's default ([`choose_policy`]);
//! 2. the step that applies is the **latest** one whose date — due date + offset, moved to the
//!    next business day — is on or before the day ([`step_date`]); older steps never done are
//!    skipped, not sent in a burst (after 40 days of downtime, only the +30 step goes out). A
//!    step before the due date (negative offset) applies only up to the due date: once an
//!    invoice is late, "it falls due soon" would be false ([`step_applies`]);
//! 3. nothing happens when that step, or a later one, was already done for the invoice;
//! 4. a hold (dispute, promise, pause, exclusion, partner hand-off) skips it, with why;
//! 5. the invoices of a debtor at the same step form one action, skipped when their open
//!    amount is below the step's minimum;
//! 6. every action that writes to the debtor on that day goes into **one communication per
//!    debtor**, led by the most advanced step, listing every invoice concerned; a debtor
//!    already written to that day gets nothing more until the next day.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use super::policy::{ActionKind, Policy, Step};
use crate::calendar::next_business_day;
use crate::money::{Currency, Money, format_amount};

/// Why an invoice is not pursued now. Holds that end on a date apply up to and including it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hold {
    /// An open dispute on the invoice, with its reason code.
    Disputed { reason: String },
    /// The debtor promised to pay by this date.
    Promised { until: Date },
    /// Paused by a person (until the date, or until released).
    Paused { until: Option<Date> },
    /// The debtor is excluded from the calendar.
    Excluded,
    /// The case was handed to an external partner.
    AtPartner { partner: String },
}

impl Hold {
    pub fn active_on(&self, day: Date) -> bool {
        match self {
            Hold::Promised { until } | Hold::Paused { until: Some(until) } => day <= *until,
            _ => true,
        }
    }
}

impl fmt::Display for Hold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hold::Disputed { reason } => write!(f, "disputed ({reason})"),
            Hold::Promised { until } => write!(f, "payment promised by {until}"),
            Hold::Paused { until: Some(d) } => write!(f, "paused until {d}"),
            Hold::Paused { until: None } => f.write_str("paused"),
            Hold::Excluded => f.write_str("debtor excluded from the calendar"),
            Hold::AtPartner { partner } => write!(f, "handed over to {partner}"),
        }
    }
}

/// An open invoice as the run sees it.
#[derive(Debug, Clone)]
pub struct RunInvoice {
    pub id: i64,
    pub debtor_id: i64,
    /// `SERIES-NUMBER`, for the reasons.
    pub label: String,
    pub due_date: Date,
    /// What is still owed; invoices with nothing open are ignored.
    pub open: Money,
    /// Policy codes set on the invoice, its contract and its debtor.
    pub policy: PolicyChoice,
    /// Steps already done for this invoice (codes of its policy).
    pub done: Vec<String>,
    /// Holds on the invoice or its debtor; the first active one is reported.
    pub holds: Vec<Hold>,
}

/// Where a policy may be set, most specific first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyChoice {
    pub invoice: Option<String>,
    pub contract: Option<String>,
    pub debtor: Option<String>,
}

/// Invoice > contract > debtor > organization default (DESIGN.md, point 1). Blank codes
/// count as not set.
pub fn choose_policy<'a>(choice: &'a PolicyChoice, default: &'a str) -> &'a str {
    [&choice.invoice, &choice.contract, &choice.debtor]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .unwrap_or(default)
}

/// The day a step falls due for an invoice due on `due`: `due + offset`, moved to the next
/// business day when that is a Saturday, Sunday or Romanian public holiday.
pub fn step_date(due: Date, offset: i32) -> Date {
    let raw = due
        .checked_add(offset.days())
        .expect("step dates stay within the supported range");
    next_business_day(raw)
}

/// Whether `step` has come for an invoice due on `due` by `day`: its date has arrived, and a
/// reminder before the due date is not sent after it (the invoice waits for the first step
/// after the due date instead — e.g. when downtime made the −3 step late). A due date on a
/// weekend or holiday runs to the next business day (Civil Code art. 2553), so a before-due
/// step moved onto that day still goes out.
pub fn step_applies(step: &Step, due: Date, day: Date) -> bool {
    step_date(due, step.offset) <= day && (step.offset >= 0 || day <= next_business_day(due))
}

/// One invoice in an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueInvoice {
    pub invoice_id: i64,
    pub label: String,
    pub due_date: Date,
    /// Days after the due date on the day of the run (negative before it).
    pub days_late: i64,
    /// When the step fell due for this invoice (after moving off weekends and holidays).
    pub step_date: Date,
    pub open: Money,
    /// "invoice A-7 10 days overdue → step +10 (firm_reminder)".
    pub reason: String,
}

/// One step for one debtor on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedAction {
    /// `debtor:policy:step:date` — one action per key, ever.
    pub key: String,
    pub debtor_id: i64,
    pub policy: String,
    pub step: Step,
    pub invoices: Vec<DueInvoice>,
    /// Index in [`DayPlan::communications`] of the message this action goes out in.
    pub communication: Option<usize>,
}

/// The day's one message to a debtor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Communication {
    /// `debtor:date` — at most one communication per debtor per day.
    pub key: String,
    pub debtor_id: i64,
    /// Index in [`DayPlan::actions`] of the most advanced step: its template is used.
    pub lead: usize,
    /// Every action the message covers (the lead included), in [`DayPlan::actions`].
    pub actions: Vec<usize>,
}

/// Why an invoice that had a step due gets nothing today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    Hold(Hold),
    BelowMinimum {
        step: String,
        open: Money,
        minimum: Money,
    },
    ContactedToday {
        step: String,
    },
    UnknownPolicy {
        policy: String,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let amount = |m: &Money| format!("{} {}", format_amount(m.minor, m.currency), m.currency);
        match self {
            SkipReason::Hold(h) => h.fmt(f),
            SkipReason::BelowMinimum {
                step,
                open,
                minimum,
            } => write!(
                f,
                "below minimum: {} open, step {step} needs {}",
                amount(open),
                amount(minimum)
            ),
            SkipReason::ContactedToday { step } => write!(
                f,
                "debtor already written to today; step {step} waits for the next run"
            ),
            SkipReason::UnknownPolicy { policy } => write!(f, "unknown policy {policy:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub invoice_id: i64,
    pub debtor_id: i64,
    pub label: String,
    /// The step it would have had.
    pub step: Option<String>,
    pub reason: SkipReason,
    /// The reason in words.
    pub why: String,
}

/// What the day holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DayPlan {
    pub actions: Vec<PlannedAction>,
    pub communications: Vec<Communication>,
    pub skipped: Vec<Skipped>,
    /// Open invoices with no step due yet: their first step is still ahead, or they are late
    /// and wait for their first step after the due date (a missed before-due step is not sent).
    pub not_yet_due: usize,
    /// Open invoices whose latest due step was already done.
    pub up_to_date: usize,
}

/// What the run knows besides the invoices.
pub struct Context<'a> {
    pub day: Date,
    pub policies: &'a [Policy],
    pub default_policy: &'a str,
    /// Debtors already sent a communication dated `day`.
    pub contacted_today: &'a HashSet<i64>,
}

/// Plans `ctx.day` for `invoices` (see the module documentation for the rules).
pub fn plan_day(ctx: &Context<'_>, invoices: &[RunInvoice]) -> DayPlan {
    let mut plan = DayPlan::default();
    let policies: BTreeMap<&str, &Policy> =
        ctx.policies.iter().map(|p| (p.code.as_str(), p)).collect();
    // (debtor, policy, step offset, step code) → invoices; ordered so that the output is too.
    let mut groups: BTreeMap<(i64, &str, i32, &str), Vec<&RunInvoice>> = BTreeMap::new();
    let skip = |plan: &mut DayPlan, inv: &RunInvoice, step: Option<&str>, reason: SkipReason| {
        plan.skipped.push(Skipped {
            invoice_id: inv.id,
            debtor_id: inv.debtor_id,
            label: inv.label.clone(),
            step: step.map(str::to_owned),
            why: reason.to_string(),
            reason,
        });
    };

    for inv in invoices.iter().filter(|i| i.open.is_positive()) {
        let code = choose_policy(&inv.policy, ctx.default_policy);
        let Some(policy) = policies.get(code) else {
            skip(
                &mut plan,
                inv,
                None,
                SkipReason::UnknownPolicy {
                    policy: code.to_owned(),
                },
            );
            continue;
        };
        let Some(pos) = policy
            .steps
            .iter()
            .rposition(|s| step_applies(s, inv.due_date, ctx.day))
        else {
            plan.not_yet_due += 1;
            continue;
        };
        if policy.steps[pos..]
            .iter()
            .any(|s| inv.done.contains(&s.code))
        {
            plan.up_to_date += 1;
            continue;
        }
        let step = &policy.steps[pos];
        if let Some(hold) = inv.holds.iter().find(|h| h.active_on(ctx.day)) {
            skip(
                &mut plan,
                inv,
                Some(&step.code),
                SkipReason::Hold(hold.clone()),
            );
            continue;
        }
        groups
            .entry((inv.debtor_id, policy.code.as_str(), step.offset, &step.code))
            .or_default()
            .push(inv);
    }

    for ((debtor_id, policy_code, _, step_code), members) in groups {
        let step = policies[policy_code]
            .step(step_code)
            .expect("grouped by an existing step");
        // The minimum applies to what the debtor owes at this step, per currency.
        let mut open: BTreeMap<Currency, i64> = BTreeMap::new();
        for inv in &members {
            *open.entry(inv.open.currency).or_default() += inv.open.minor;
        }
        let mut kept = Vec::new();
        for inv in members {
            let total = Money::new(open[&inv.open.currency], inv.open.currency);
            match step.minimum(inv.open.currency) {
                Some(minimum) if total.minor < minimum.minor => skip(
                    &mut plan,
                    inv,
                    Some(step_code),
                    SkipReason::BelowMinimum {
                        step: step_code.to_owned(),
                        open: total,
                        minimum,
                    },
                ),
                _ => kept.push(inv),
            }
        }
        if kept.is_empty() {
            continue;
        }
        if step.kind.contacts_debtor() && ctx.contacted_today.contains(&debtor_id) {
            for inv in kept {
                skip(
                    &mut plan,
                    inv,
                    Some(step_code),
                    SkipReason::ContactedToday {
                        step: step_code.to_owned(),
                    },
                );
            }
            continue;
        }
        let invoices = kept
            .into_iter()
            .map(|inv| {
                let date = step_date(inv.due_date, step.offset);
                let days_late = i64::from((ctx.day - inv.due_date).get_days());
                DueInvoice {
                    invoice_id: inv.id,
                    label: inv.label.clone(),
                    due_date: inv.due_date,
                    days_late,
                    step_date: date,
                    open: inv.open,
                    reason: super::reasons::step_reason(
                        &inv.label,
                        inv.due_date,
                        step.offset,
                        &step.code,
                        ctx.day,
                        crate::model::Language::En,
                    ),
                }
            })
            .collect();
        plan.actions.push(PlannedAction {
            key: format!("{debtor_id}:{policy_code}:{step_code}:{}", ctx.day),
            debtor_id,
            policy: policy_code.to_owned(),
            step: step.clone(),
            invoices,
            communication: None,
        });
    }

    // One communication per debtor: actions are sorted by debtor, so a debtor's are adjacent.
    let mut i = 0;
    while i < plan.actions.len() {
        let debtor_id = plan.actions[i].debtor_id;
        let mut members = Vec::new();
        while i < plan.actions.len() && plan.actions[i].debtor_id == debtor_id {
            let a = &plan.actions[i];
            if a.step.kind.contacts_debtor() && !a.step.needs_approval {
                members.push(i);
            }
            i += 1;
        }
        let Some(&lead) = members.iter().max_by_key(|&&a| {
            let s = &plan.actions[a].step;
            (s.offset, s.kind == ActionKind::Letter)
        }) else {
            continue;
        };
        let index = plan.communications.len();
        for &a in &members {
            plan.actions[a].communication = Some(index);
        }
        plan.communications.push(Communication {
            key: format!("{debtor_id}:{}", ctx.day),
            debtor_id,
            lead,
            actions: members,
        });
    }
    plan
}
