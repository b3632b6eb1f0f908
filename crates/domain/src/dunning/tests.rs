use std::collections::HashSet;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;

use super::*;
use crate::money::{Currency, Money};

fn ron(minor: i64) -> Money {
    Money::new(minor, Currency::RON)
}

fn invoice(id: i64, debtor_id: i64, due: Date, open: i64) -> RunInvoice {
    RunInvoice {
        id,
        debtor_id,
        label: format!("A-{id}"),
        due_date: due,
        open: ron(open),
        policy: PolicyChoice::default(),
        done: Vec::new(),
        holds: Vec::new(),
    }
}

fn plan_on(day: Date, invoices: &[RunInvoice]) -> DayPlan {
    plan_with(day, invoices, &HashSet::new(), &[Policy::standard()])
}

fn plan_with(
    day: Date,
    invoices: &[RunInvoice],
    contacted: &HashSet<i64>,
    policies: &[Policy],
) -> DayPlan {
    plan_day(
        &Context {
            day,
            policies,
            default_policy: STANDARD_POLICY,
            contacted_today: contacted,
        },
        invoices,
    )
}

/// What recording the plan leaves behind: every planned step done for its invoices, and the
/// debtors written to.
fn apply(plan: &DayPlan, invoices: &mut [RunInvoice], contacted: &mut HashSet<i64>) {
    for a in &plan.actions {
        for due in &a.invoices {
            let inv = invoices
                .iter_mut()
                .find(|i| i.id == due.invoice_id)
                .unwrap();
            inv.done.push(a.step.code.clone());
        }
    }
    contacted.extend(plan.communications.iter().map(|c| c.debtor_id));
}

fn steps_of(plan: &DayPlan) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = plan
        .actions
        .iter()
        .flat_map(|a| {
            a.invoices
                .iter()
                .map(|i| (i.invoice_id, a.step.code.clone()))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_latest_due_step_applies_with_its_reason() {
    // Due Monday 2 November 2026; Thursday 12 November is day +10.
    let inv = invoice(1, 7, date(2026, 11, 2), 150_000);
    let plan = plan_on(date(2026, 11, 12), &[inv]);
    assert_eq!(steps_of(&plan), [(1, "firm_reminder".to_owned())]);
    let a = &plan.actions[0];
    assert_eq!(a.key, "7:standard:firm_reminder:2026-11-12");
    assert_eq!(
        a.invoices[0].reason,
        "invoice A-1 10 days overdue → step +10 (firm_reminder)"
    );
    assert_eq!(a.invoices[0].days_late, 10);
    assert_eq!(plan.communications.len(), 1);
    assert_eq!(plan.communications[0].key, "7:2026-11-12");
}

#[test]
fn nothing_before_the_first_step_and_nothing_for_paid_invoices() {
    let due = date(2026, 11, 20);
    let plan = plan_on(
        date(2026, 11, 10),
        &[invoice(1, 1, due, 100), invoice(2, 1, date(2026, 10, 1), 0)],
    );
    assert!(plan.actions.is_empty());
    assert_eq!(plan.not_yet_due, 1);
    assert!(plan.skipped.is_empty());
}

#[test]
fn the_same_day_twice_creates_nothing_new() {
    let mut invoices = vec![
        invoice(1, 1, date(2026, 11, 2), 100),
        invoice(2, 1, date(2026, 11, 11), 100),
        invoice(3, 2, date(2026, 11, 7), 100),
    ];
    let day = date(2026, 11, 12);
    let mut contacted = HashSet::new();
    let first = plan_with(day, &invoices, &contacted, &[Policy::standard()]);
    assert!(!first.actions.is_empty());
    apply(&first, &mut invoices, &mut contacted);
    let again = plan_with(day, &invoices, &contacted, &[Policy::standard()]);
    assert!(again.actions.is_empty(), "{:?}", again.actions);
    assert!(again.communications.is_empty());
    assert_eq!(again.up_to_date, 3);
}

#[test]
fn after_forty_days_of_downtime_only_the_latest_step_goes_out() {
    // Due 2 November; the run last happened before the due date and comes back on 14
    // December (day +42): only the +30 escalation applies, none of the missed steps.
    let mut invoices = vec![invoice(1, 1, date(2026, 11, 2), 100)];
    invoices[0].done.push("before_due".into());
    let plan = plan_on(date(2026, 12, 14), &invoices);
    assert_eq!(steps_of(&plan), [(1, "escalation".to_owned())]);
    // Escalation is a task for approval: nothing is written to the debtor.
    assert!(plan.communications.is_empty());
}

#[test]
fn one_communication_per_debtor_led_by_the_most_advanced_step() {
    let day = date(2026, 11, 12);
    let invoices = [
        invoice(1, 1, date(2026, 11, 2), 100),  // +10 firm reminder
        invoice(2, 1, date(2026, 11, 11), 100), // +1 reminder
        invoice(3, 1, date(2026, 11, 15), 100), // −3 before due (12 Nov)
        invoice(4, 2, date(2026, 11, 11), 100), // another debtor
    ];
    let plan = plan_on(day, &invoices);
    assert_eq!(plan.actions.len(), 4);
    assert_eq!(plan.communications.len(), 2);
    let c = &plan.communications[0];
    assert_eq!(c.debtor_id, 1);
    assert_eq!(c.actions.len(), 3);
    assert_eq!(plan.actions[c.lead].step.code, "firm_reminder");
    let listed: Vec<i64> = c
        .actions
        .iter()
        .flat_map(|&a| plan.actions[a].invoices.iter().map(|i| i.invoice_id))
        .collect();
    assert_eq!(listed.len(), 3);
    assert!(plan.actions[3].communication == Some(1));
    let before = plan
        .actions
        .iter()
        .find(|a| a.step.code == "before_due")
        .unwrap();
    assert_eq!(
        before.invoices[0].reason,
        "invoice A-3 due in 3 days → step -3 (before_due)"
    );
}

#[test]
fn a_debtor_already_written_to_today_waits_but_tasks_do_not() {
    let day = date(2026, 11, 12);
    let invoices = [
        invoice(1, 1, date(2026, 11, 11), 100), // +1 reminder (email)
        invoice(2, 1, date(2026, 11, 7), 100),  // +5 call: Thursday 12 November
    ];
    let contacted = HashSet::from([1]);
    let plan = plan_with(day, &invoices, &contacted, &[Policy::standard()]);
    assert_eq!(steps_of(&plan), [(2, "call".to_owned())]);
    assert!(plan.communications.is_empty());
    assert_eq!(plan.skipped.len(), 1);
    assert!(matches!(
        plan.skipped[0].reason,
        SkipReason::ContactedToday { .. }
    ));
}

#[test]
fn step_dates_move_off_weekends_and_public_holidays() {
    // Due Friday 4 December 2026: −3 is Tuesday 1 December (Ziua Națională) → Wednesday 2;
    // +1 is Saturday 5 December → Monday 7.
    let due = date(2026, 12, 4);
    assert_eq!(step_date(due, -3), date(2026, 12, 2));
    assert_eq!(step_date(due, 1), date(2026, 12, 7));
    let inv = [invoice(1, 1, due, 100)];
    assert!(plan_on(date(2026, 12, 1), &inv).actions.is_empty());
    assert_eq!(
        steps_of(&plan_on(date(2026, 12, 2), &inv)),
        [(1, "before_due".to_owned())]
    );
    // The −3 reminder may still go out on the due date, missed until then (say the runs
    // stopped): "falls due soon" is still true.
    assert_eq!(
        steps_of(&plan_on(date(2026, 12, 4), &inv)),
        [(1, "before_due".to_owned())]
    );
    // On Saturday the invoice is late and the +1 step is not due yet: a missed −3 reminder
    // would say something false, so nothing goes out until Monday.
    let saturday = plan_on(date(2026, 12, 5), &inv);
    assert!(saturday.actions.is_empty());
    assert_eq!(saturday.not_yet_due, 1);
    let monday = plan_on(date(2026, 12, 7), &inv);
    assert_eq!(steps_of(&monday), [(1, "reminder".to_owned())]);
    assert_eq!(
        monday.actions[0].invoices[0].reason,
        "invoice A-1 3 days overdue → step +1 (reminder) (step date 2026-12-05 moved to the business day 2026-12-07)"
    );
    // Due Sunday 28 December 2025: the −3 step (Thursday 25, Christmas) moves to Monday 29,
    // the first business day, which is still the last day to pay (Civil Code art. 2553): a
    // calendar whose next step is +5 sends the reminder that Monday, and not on Tuesday.
    let mut late_start = Policy::standard();
    late_start.steps.retain(|s| s.offset < 0 || s.offset >= 5);
    let inv = [invoice(2, 1, date(2025, 12, 28), 100)];
    let on = |day| {
        steps_of(&plan_with(
            day,
            &inv,
            &HashSet::new(),
            std::slice::from_ref(&late_start),
        ))
    };
    assert_eq!(on(date(2025, 12, 29)), [(2, "before_due".to_owned())]);
    assert!(on(date(2025, 12, 30)).is_empty());
    // Easter Monday 2027 is 3 May: a +1 step of an invoice due Friday 30 April moves past
    // the weekend and the holiday to Tuesday 4 May.
    assert_eq!(step_date(date(2027, 4, 30), 1), date(2027, 5, 4));
}

#[test]
fn every_hold_skips_the_invoice_and_says_why() {
    let day = date(2026, 11, 12);
    let cases = [
        (
            Hold::Disputed {
                reason: "quality_complaint".into(),
            },
            "disputed (quality_complaint)",
        ),
        (
            Hold::Promised {
                until: date(2026, 11, 20),
            },
            "payment promised by 2026-11-20",
        ),
        (
            Hold::Paused {
                until: Some(date(2026, 11, 12)),
            },
            "paused until 2026-11-12",
        ),
        (Hold::Paused { until: None }, "paused"),
        (Hold::Excluded, "debtor excluded from the calendar"),
        (
            Hold::AtPartner {
                partner: "Cabinet Ionescu".into(),
            },
            "handed over to Cabinet Ionescu",
        ),
    ];
    for (hold, why) in cases {
        let mut inv = invoice(1, 1, date(2026, 11, 2), 100);
        inv.holds.push(hold.clone());
        let plan = plan_on(day, &[inv]);
        assert!(plan.actions.is_empty(), "{hold:?}");
        assert_eq!(plan.skipped.len(), 1);
        assert_eq!(plan.skipped[0].why, why);
        assert_eq!(plan.skipped[0].step.as_deref(), Some("firm_reminder"));
    }
}

#[test]
fn an_expired_promise_or_pause_no_longer_holds() {
    let mut inv = invoice(1, 1, date(2026, 11, 2), 100);
    inv.holds = vec![
        Hold::Promised {
            until: date(2026, 11, 11),
        },
        Hold::Paused {
            until: Some(date(2026, 11, 1)),
        },
    ];
    let plan = plan_on(date(2026, 11, 12), &[inv]);
    assert_eq!(steps_of(&plan), [(1, "firm_reminder".to_owned())]);
}

#[test]
fn the_minimum_applies_to_what_the_debtor_owes_at_the_step() {
    let mut policy = Policy::standard();
    for s in &mut policy.steps {
        s.min_open.insert(Currency::RON, 10_000);
    }
    let due = date(2026, 11, 2);
    let day = date(2026, 11, 12);
    let small = [invoice(1, 1, due, 4_000), invoice(2, 1, due, 5_000)];
    let plan = plan_with(day, &small, &HashSet::new(), std::slice::from_ref(&policy));
    assert!(plan.actions.is_empty());
    assert_eq!(plan.skipped.len(), 2);
    assert_eq!(
        plan.skipped[0].why,
        "below minimum: 90.00 RON open, step firm_reminder needs 100.00 RON"
    );
    let enough = [invoice(1, 1, due, 4_000), invoice(2, 1, due, 6_000)];
    let plan = plan_with(day, &enough, &HashSet::new(), std::slice::from_ref(&policy));
    assert_eq!(plan.actions.len(), 1);
    assert_eq!(plan.actions[0].invoices.len(), 2);
    // No minimum set for EUR: a 1-cent EUR invoice is pursued.
    let mut eur = invoice(3, 2, due, 1);
    eur.open = Money::new(1, Currency::EUR);
    let plan = plan_with(day, &[eur], &HashSet::new(), &[policy]);
    assert_eq!(plan.actions.len(), 1);
}

#[test]
fn the_most_specific_policy_wins_and_unknown_ones_are_reported() {
    let mut quick = Policy::standard();
    quick.code = "quick".into();
    quick.steps.retain(|s| s.offset <= 1);
    let policies = [Policy::standard(), quick];
    let mut inv = invoice(1, 1, date(2026, 11, 2), 100);
    inv.policy.debtor = Some("standard".into());
    inv.policy.contract = Some("quick".into());
    let plan = plan_with(
        date(2026, 11, 12),
        &[inv.clone()],
        &HashSet::new(),
        &policies,
    );
    assert_eq!(plan.actions[0].policy, "quick");
    assert_eq!(plan.actions[0].step.code, "reminder");
    inv.policy.invoice = Some("lawyers".into());
    let plan = plan_with(date(2026, 11, 12), &[inv], &HashSet::new(), &policies);
    assert!(plan.actions.is_empty());
    assert_eq!(plan.skipped[0].why, "unknown policy \"lawyers\"");
    assert_eq!(
        choose_policy(
            &PolicyChoice {
                invoice: Some(" ".into()),
                ..PolicyChoice::default()
            },
            "standard"
        ),
        "standard"
    );
}

#[test]
fn a_step_waiting_for_approval_is_not_part_of_the_day_s_message() {
    let mut policy = Policy::standard();
    policy
        .steps
        .iter_mut()
        .find(|s| s.code == "formal_notice")
        .unwrap()
        .needs_approval = true;
    let invoices = [
        invoice(1, 1, date(2026, 10, 23), 100), // +20 on 12 November
        invoice(2, 1, date(2026, 11, 11), 100), // +1
    ];
    let plan = plan_with(date(2026, 11, 12), &invoices, &HashSet::new(), &[policy]);
    assert_eq!(plan.actions.len(), 2);
    assert_eq!(plan.communications.len(), 1);
    let lead = &plan.actions[plan.communications[0].lead];
    assert_eq!(lead.step.code, "reminder");
    let notice = plan
        .actions
        .iter()
        .find(|a| a.step.code == "formal_notice")
        .unwrap();
    assert_eq!(notice.communication, None);
}

/// The latest step of `policy` due on `day` for an invoice due on `due`, by brute force.
fn latest_due(policy: &Policy, due: Date, day: Date) -> Option<String> {
    let mut best: Option<&Step> = None;
    for s in &policy.steps {
        let mut d = due.checked_add(s.offset.days()).unwrap();
        while !crate::calendar::is_business_day(d) {
            d = d.tomorrow().unwrap();
        }
        let mut last_day_to_pay = due;
        while !crate::calendar::is_business_day(last_day_to_pay) {
            last_day_to_pay = last_day_to_pay.tomorrow().unwrap();
        }
        let before_due_and_late = s.offset < 0 && day > last_day_to_pay;
        if d <= day && !before_due_and_late && best.is_none_or(|b| b.offset < s.offset) {
            best = Some(s);
        }
    }
    best.map(|s| s.code.clone())
}

fn arb_invoices() -> impl Strategy<Value = Vec<RunInvoice>> {
    prop::collection::vec((0i64..6, -40i32..80, 1i64..50_000), 1..40).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (debtor, due_offset, open))| {
                let due = date(2026, 11, 1).checked_add(due_offset.days()).unwrap();
                invoice(i as i64 + 1, debtor, due, open)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn daily_runs_send_each_step_once_and_only_the_latest(
        invoices in arb_invoices(),
        gaps in prop::collection::vec(1i32..45, 1..6),
    ) {
        let policy = Policy::standard();
        let mut invoices = invoices;
        let mut day = date(2026, 11, 1);
        let mut sent: HashSet<(i64, String)> = HashSet::new();
        for gap in gaps {
            day = day.checked_add(gap.days()).unwrap();
            let mut contacted = HashSet::new();
            let plan = plan_with(day, &invoices, &contacted, std::slice::from_ref(&policy));
            // At most one communication per debtor, and each invoice in at most one action.
            let mut debtors = HashSet::new();
            for c in &plan.communications {
                prop_assert!(debtors.insert(c.debtor_id));
            }
            let mut seen = HashSet::new();
            for a in &plan.actions {
                for i in &a.invoices {
                    prop_assert!(seen.insert(i.invoice_id));
                    let inv = invoices.iter().find(|x| x.id == i.invoice_id).unwrap();
                    // Only the latest due step, never an older one.
                    prop_assert_eq!(Some(a.step.code.clone()), latest_due(&policy, inv.due_date, day));
                    prop_assert!(i.step_date <= day);
                    // Never the same step twice for an invoice.
                    prop_assert!(sent.insert((i.invoice_id, a.step.code.clone())));
                }
            }
            apply(&plan, &mut invoices, &mut contacted);
            // Running the same day again creates nothing.
            let again = plan_with(day, &invoices, &contacted, std::slice::from_ref(&policy));
            prop_assert!(again.actions.is_empty());
        }
    }
}
