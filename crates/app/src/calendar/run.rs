//! `creanta run`: one day of the action calendar (DESIGN.md, "The daily run").
//!
//! In one transaction: read the open invoices with their policies, holds and done steps; plan
//! the day ([`creanta_domain::dunning::plan_day`]); record each action under its key
//! `debtor:policy:step:date` and queue the day's one message per debtor in the outbox under
//! `dunning:debtor:date`. Running the same date again, or several runs at once, records and
//! queues nothing twice: the keys are unique, and on PostgreSQL a concurrent run waits on the
//! first one's keys and then finds them taken. Then, unless told not to, the outbox is
//! delivered — a crash before that only leaves messages queued for the next delivery.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use creanta_domain::dunning::{
    ActionKind, Communication, Context, DueInvoice, PlannedAction, Skipped, plan_day,
};
use creanta_store::repo::calendar::{self as repo, NewAction};
use creanta_store::repo::events::{self, NewEvent};
use jiff::civil::Date;
use serde::Serialize;

use super::holds::Holds;
use super::messages::{
    Batch, MessageInputs, People, message_key, ms, queue_messages, run_invoices,
};
use crate::outbox::{self, MailSettings, OutboxReport};
use crate::{App, AppError};

/// How to run a day.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub date: Date,
    /// Plan and report only; nothing is written.
    pub dry_run: bool,
    /// Deliver the outbox after queueing (`--no-send` turns it off).
    pub send: bool,
    pub actor: String,
}

/// One action of the day, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct ActionReport {
    pub key: String,
    pub debtor_id: i64,
    pub debtor_code: String,
    pub debtor_name: String,
    pub policy: String,
    pub step: String,
    pub offset: i32,
    pub kind: ActionKind,
    /// `queued` (in the day's message), `task` (for the owner), `awaiting_approval`,
    /// `no_recipient` (a task: no finance contact with an e-mail), `message_failed` (a task: the
    /// template does not render for this debtor; the log says why), or `planned` (dry run).
    pub status: String,
    /// Key of the message it goes out in.
    pub message: Option<String>,
    /// False when an earlier (or concurrent) run of the same date had recorded it.
    pub recorded: bool,
    pub invoices: Vec<DueInvoice>,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub date: Date,
    pub dry_run: bool,
    pub actions: Vec<ActionReport>,
    pub skipped: Vec<Skipped>,
    pub not_yet_due: usize,
    pub up_to_date: usize,
    /// Actions written by this run.
    pub recorded: usize,
    pub messages_queued: usize,
    pub tasks_created: usize,
    pub outbox: Option<OutboxReport>,
    /// Where the time went, in milliseconds (delivery excluded).
    pub timing: RunTiming,
}

/// Phases of a run, in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunTiming {
    /// Reading open invoices, policies, holds and done steps.
    pub read_ms: u64,
    pub plan_ms: u64,
    /// Rendering messages and letters (templates and PDFs), within `write_ms`.
    pub render_ms: u64,
    /// Recording actions, queueing messages and committing.
    pub write_ms: u64,
}

/// Runs `opts.date` for the organization (see the module documentation).
pub async fn run(
    app: &App,
    opts: &RunOptions,
    settings: &MailSettings,
) -> Result<RunReport, AppError> {
    let now = crate::now();
    let org = app.org_id();
    let started = Instant::now();
    let mut timing = RunTiming::default();
    let mut tx = app.store.begin().await?;
    let (policies, default) = super::policies_in(&mut tx, org).await?;
    let open = repo::open_invoices(&mut tx, org, None).await?;
    let mut done = repo::done_steps(&mut tx, org).await?;
    let holds = Holds::load(&mut tx, org, opts.date).await?;
    let contacted: HashSet<i64> = repo::contacted_on(&mut tx, org, opts.date)
        .await?
        .into_iter()
        .collect();
    let (invoices, facts) = run_invoices(open, &mut done, &holds);
    timing.read_ms = ms(started);
    let planning = Instant::now();
    let plan = plan_day(
        &Context {
            day: opts.date,
            policies: &policies,
            default_policy: &default,
            contacted_today: &contacted,
        },
        &invoices,
    );
    drop(invoices);
    timing.plan_ms = ms(planning);
    let writing = Instant::now();
    let mut rendering = Duration::ZERO;
    let mut report = RunReport {
        date: opts.date,
        dry_run: opts.dry_run,
        actions: Vec::with_capacity(plan.actions.len()),
        skipped: Vec::new(),
        not_yet_due: plan.not_yet_due,
        up_to_date: plan.up_to_date,
        recorded: 0,
        messages_queued: 0,
        tasks_created: 0,
        outbox: None,
        timing: RunTiming::default(),
    };
    let lap = Instant::now();
    let people = People::load(&mut tx, org, &plan).await?;
    tracing::debug!(ms = ms(lap), "run: debtors and entities read");
    if opts.dry_run {
        for a in &plan.actions {
            let status = "planned".to_owned();
            let message = a
                .communication
                .map(|c| message_key(&plan.communications[c]));
            report
                .actions
                .push(action_report(a, &people, status, message, false));
        }
        report.skipped = plan.skipped;
        report.timing = timing;
        return Ok(report);
    }

    let lap = Instant::now();
    let inputs = MessageInputs::load(
        &mut tx,
        org,
        settings,
        None,
        !plan.communications.is_empty(),
    )
    .await?;
    tracing::debug!(
        ms = ms(lap),
        "run: contacts, IBANs, templates and rates read"
    );
    let mut statuses: Vec<Option<(String, Option<String>, bool)>> = vec![None; plan.actions.len()];
    let mut blobs_written = false;
    let mut evs = Vec::new();
    let has_recipient = |debtor: i64| inputs.has_recipient(debtor);

    // 1. Every action of the day, recorded in bulk under its unique key.
    let status_of: Vec<&str> = plan
        .actions
        .iter()
        .map(|a| match a.communication {
            Some(_) if !has_recipient(a.debtor_id) || a.step.kind == ActionKind::Letter => "open",
            Some(_) => "done",
            None if a.step.needs_approval => "awaiting_approval",
            None => "open",
        })
        .collect();
    let reasons: Vec<String> = plan.actions.iter().map(reason_of).collect();
    let rows: Vec<NewAction<'_>> = plan
        .actions
        .iter()
        .zip(&status_of)
        .zip(&reasons)
        .map(|((a, status), reason)| NewAction {
            key: &a.key,
            debtor_id: a.debtor_id,
            run_date: opts.date,
            policy: &a.policy,
            step: &a.step.code,
            step_offset: a.step.offset,
            kind: a.step.kind.code(),
            status,
            owner_email: people.debtor(a.debtor_id).owner_email.as_deref(),
            reason,
            invoices: a
                .invoices
                .iter()
                .map(|i| (i.invoice_id, a.step.code.as_str()))
                .collect(),
        })
        .collect();
    let lap = Instant::now();
    let new_ids = repo::insert_actions(&mut tx, org, &rows, now).await?;
    drop(rows);
    tracing::debug!(
        ms = ms(lap),
        actions = new_ids.len(),
        "run: actions recorded"
    );
    for (i, a) in plan.actions.iter().enumerate() {
        let id = new_ids.get(&a.key).copied();
        let status = status_of[i];
        if let Some(id) = id {
            report.recorded += 1;
            if status != "done" {
                report.tasks_created += 1;
            }
            evs.push(action_event(opts, id, a, status));
        }
        let (label, message) = match a.communication {
            Some(c) if has_recipient(a.debtor_id) => {
                ("queued", Some(message_key(&plan.communications[c])))
            }
            Some(c) => ("no_recipient", Some(message_key(&plan.communications[c]))),
            None if status == "open" => ("task", None),
            None => (status, None),
        };
        statuses[i] = Some((label.to_owned(), message, id.is_some()));
    }

    // 2. The messages of the communications that have a new action and a recipient.
    let communications: Vec<(&Communication, Vec<i64>)> = plan
        .communications
        .iter()
        .filter(|c| inputs.has_recipient(c.debtor_id))
        .map(|c| {
            let ids = c
                .actions
                .iter()
                .filter_map(|&a| new_ids.get(&plan.actions[a].key).copied())
                .collect::<Vec<i64>>();
            (c, ids)
        })
        .filter(|(_, ids)| !ids.is_empty())
        .collect();
    let queued = queue_messages(
        &mut tx,
        app,
        &Batch {
            plan: &plan,
            people: &people,
            facts: &facts,
            inputs: &inputs,
            day: opts.date,
            now,
            actor: &opts.actor,
        },
        &communications,
    )
    .await?;
    report.messages_queued = queued.messages;
    if !queued.failed.is_empty() {
        // Their owner writes to the debtor instead: the actions become open tasks, and the
        // log says why.
        let index_of: HashMap<i64, usize> = plan
            .actions
            .iter()
            .enumerate()
            .filter_map(|(i, a)| new_ids.get(&a.key).map(|id| (*id, i)))
            .collect();
        for (ids, error) in &queued.failed {
            for id in ids {
                repo::set_action_status(&mut tx, org, *id, "open", None, None).await?;
                evs.push(NewEvent {
                    actor: opts.actor.clone(),
                    kind: "action.message_failed".into(),
                    subject_type: "action".into(),
                    subject_id: Some(*id),
                    data: serde_json::json!({ "error": error }),
                });
                if let Some(s) = index_of.get(id).and_then(|&i| statuses[i].as_mut()) {
                    s.0 = "message_failed".into();
                }
            }
        }
        tracing::warn!(
            failed = queued.failed.len(),
            "run: messages that could not be written"
        );
    }
    rendering += queued.rendering;
    blobs_written |= queued.letters > 0;
    let lap = Instant::now();

    evs.push(NewEvent {
        actor: opts.actor.clone(),
        kind: "calendar.run".into(),
        subject_type: "organization".into(),
        subject_id: Some(org),
        data: serde_json::json!({
            "date": opts.date, "recorded": report.recorded,
            "messages_queued": report.messages_queued, "tasks_created": report.tasks_created,
            "skipped": plan.skipped.len(),
        }),
    });
    if report.recorded > 0 {
        events::append(&mut tx, org, now, &evs).await?;
    }
    tracing::debug!(ms = ms(lap), events = evs.len(), "run: events appended");
    let lap = Instant::now();
    if blobs_written {
        // The letters' bytes are durable before the rows that point at them commit.
        app.store
            .blobs()
            .flush()
            .map_err(creanta_store::StoreError::from)?;
    }
    tx.commit().await?;
    tracing::debug!(ms = ms(lap), "run: blobs synced and committed");
    timing.write_ms = ms(writing);
    timing.render_ms = rendering.as_millis() as u64;
    report.timing = timing;

    for (a, s) in plan.actions.iter().zip(statuses) {
        let (status, message, recorded) = s.expect("every action has a status");
        report
            .actions
            .push(action_report(a, &people, status, message, recorded));
    }
    report.skipped = plan.skipped;
    if opts.send {
        report.outbox = Some(outbox::deliver_outbox_at(app, settings, now).await?);
    }
    Ok(report)
}

fn reason_of(a: &PlannedAction) -> String {
    a.invoices
        .iter()
        .map(|i| i.reason.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn action_event(opts: &RunOptions, id: i64, a: &PlannedAction, status: &str) -> NewEvent {
    NewEvent {
        actor: opts.actor.clone(),
        kind: "action.planned".into(),
        subject_type: "action".into(),
        subject_id: Some(id),
        data: serde_json::json!({
            "key": a.key, "debtor_id": a.debtor_id, "policy": a.policy, "step": a.step.code,
            "kind": a.step.kind, "status": status,
            "invoices": a.invoices.iter().map(|i| serde_json::json!({
                "invoice_id": i.invoice_id, "open": i.open.minor, "currency": i.open.currency,
                "reason": i.reason,
            })).collect::<Vec<_>>(),
        }),
    }
}

fn action_report(
    a: &PlannedAction,
    people: &People,
    status: String,
    message: Option<String>,
    recorded: bool,
) -> ActionReport {
    let d = people.debtor(a.debtor_id);
    ActionReport {
        key: a.key.clone(),
        debtor_id: a.debtor_id,
        debtor_code: d.code.clone(),
        debtor_name: d.name.clone(),
        policy: a.policy.clone(),
        step: a.step.code.clone(),
        offset: a.step.offset,
        kind: a.step.kind,
        status,
        message,
        recorded,
        invoices: a.invoices.clone(),
    }
}
