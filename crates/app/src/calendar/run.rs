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
    ActionKind, Communication, Context, DayPlan, DueInvoice, PlannedAction, PolicyChoice,
    RunInvoice, Skipped, plan_day,
};
use creanta_domain::model::Language;
use creanta_domain::money::{Currency, Money};
use creanta_store::Tx;
use creanta_store::args;
use creanta_store::repo::calendar::{self as repo, NewAction, OpenInvoiceRow};
use creanta_store::repo::events::{self, NewEvent};
use jiff::civil::Date;
use serde::Serialize;

use super::holds::Holds;
use super::letters::Letter;
use super::templates::{
    self, IbanVars, InvoiceVars, PartyVars, Rendered, StepVars, Template, TemplateContext,
    TotalVars,
};
use crate::interest::{ChargeInput, Rates, charge_of, totals_of};
use crate::mailing::{
    amount_text, date_text, entity_ibans, fallback_sender, finance_contacts, reply_to, sender,
};
use crate::outbox::{self, Attachment, MailSettings, MessageKind, NewMessage, OutboxReport};
use crate::pdf::Fonts;
use crate::{App, AppError};
use creanta_domain::dunning::GeneratedDoc;
use creanta_domain::interest::{Reduction, Relation};
use creanta_domain::model::DocType;
use creanta_store::records::Document;

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
    /// `no_recipient` (a task: no finance contact with an e-mail), or `planned` (dry run).
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
    let fallback = fallback_sender(&settings.from_fallback)?;
    let contacts = finance_contacts(&mut tx, org).await?;
    let ibans = entity_ibans(&mut tx, org).await?;
    let saved = super::editor::saved(&mut tx, org).await?;
    let charges = if plan.communications.is_empty() {
        None
    } else {
        Some(Charges {
            rates: Rates::load(&mut tx, org).await?,
            reductions: repo::reductions_of_open(&mut tx, org, None).await?,
        })
    };
    tracing::debug!(
        ms = ms(lap),
        "run: contacts, IBANs, templates and rates read"
    );
    let mut statuses: Vec<Option<(String, Option<String>, bool)>> = vec![None; plan.actions.len()];
    let mut blobs_written = false;
    let mut evs = Vec::new();
    let has_recipient = |debtor: i64| contacts.get(&debtor).is_some_and(|v| !v.is_empty());

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
    let lap = Instant::now();
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

    // 2. The messages of the communications that have a new action and a recipient: their
    // contexts here, their rendering (templates and PDF letters) on every core at once.
    let mut drafts = Vec::new();
    for c in &plan.communications {
        if !has_recipient(c.debtor_id) {
            continue;
        }
        let action_ids: Vec<i64> = c
            .actions
            .iter()
            .filter_map(|&a| new_ids.get(&plan.actions[a].key).copied())
            .collect();
        if action_ids.is_empty() {
            continue;
        }
        let lead = &plan.actions[c.lead];
        let lang = people.debtor(c.debtor_id).language;
        let template = super::editor::effective(&saved, &lead.step.template, lang)?;
        let charges = charges
            .as_ref()
            .expect("loaded when there are communications");
        let mut ctx = context(c, &plan, &people, &facts, &ibans, charges, opts.date, lang);
        let letters: Vec<Letter> = lead.step.attach.iter().map(|g| letter_of(*g)).collect();
        ctx.attachments = letters.iter().map(|l| l.file_name(&ctx, lang)).collect();
        drafts.push(Draft {
            communication: c,
            action_ids,
            template,
            ctx,
            letters,
            lang,
        });
    }
    tracing::debug!(
        ms = ms(lap),
        drafts = drafts.len(),
        "run: messages prepared"
    );
    let render_started = Instant::now();
    let rendered = render_all(&drafts)?;
    rendering += render_started.elapsed();
    let lap = Instant::now();

    let mut attachments = store_letters(&mut tx, app, &drafts, &rendered).await?;
    blobs_written |= attachments.iter().any(|a| !a.is_empty());
    tracing::debug!(ms = ms(lap), "run: letters stored");
    let lap = Instant::now();

    let mut messages = Vec::with_capacity(drafts.len());
    let mut message_actions = Vec::with_capacity(drafts.len());
    for ((d, (text, _)), attachments) in drafts.iter().zip(rendered).zip(attachments.drain(..)) {
        let c = d.communication;
        let lead = &plan.actions[c.lead];
        let entity = people.entity(facts[&lead.invoices[0].invoice_id].entity_id);
        let debtor = people.debtor(c.debtor_id);
        messages.push(NewMessage {
            idempotency_key: message_key(c),
            kind: match lead.step.kind {
                ActionKind::Letter => MessageKind::Notice,
                _ => MessageKind::Reminder,
            },
            debtor_id: Some(c.debtor_id),
            invoice_ids: c
                .actions
                .iter()
                .flat_map(|&a| plan.actions[a].invoices.iter().map(|i| i.invoice_id))
                .collect(),
            from: sender(&entity.name, &entity.attrs, &fallback),
            reply_to: reply_to(debtor.owner_email.as_deref()),
            to: contacts[&c.debtor_id].clone(),
            subject: text.subject,
            body_text: text.body_text,
            body_html: text.body_html,
            attachments,
        });
        message_actions.push(d.action_ids.clone());
    }
    drop(drafts);
    tracing::debug!(ms = ms(lap), "run: messages built");
    let lap = Instant::now();
    let queued = outbox::enqueue_many(&mut tx, org, now, &opts.actor, &messages).await?;
    tracing::debug!(
        ms = ms(lap),
        messages = queued.len(),
        "run: messages queued"
    );
    let lap = Instant::now();
    report.messages_queued = queued.len();
    let pairs: Vec<(i64, i64)> = messages
        .iter()
        .zip(&message_actions)
        .filter_map(|(m, ids)| queued.get(&m.idempotency_key).map(|o| (ids, *o)))
        .flat_map(|(ids, o)| ids.iter().map(move |a| (*a, o)))
        .collect();
    repo::link_outbox(&mut tx, org, &pairs).await?;
    tracing::debug!(ms = ms(lap), "run: actions linked to their messages");
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

/// Stores the rendered letters as documents of their debtors and returns each draft's
/// attachments. The blobs are written on every core; their rows go in bulk.
async fn store_letters(
    tx: &mut Tx,
    app: &App,
    drafts: &[Draft<'_>],
    rendered: &[RenderedDraft],
) -> Result<Vec<Vec<Attachment>>, AppError> {
    let org = app.org_id();
    let files: Vec<(i64, &Letter, &String, &Vec<u8>)> = drafts
        .iter()
        .zip(rendered)
        .flat_map(|(d, (_, files))| {
            files
                .iter()
                .map(|(letter, name, bytes)| (d.communication.debtor_id, letter, name, bytes))
        })
        .collect();
    let blobs = app.store.blobs();
    let shas = on_every_core(&files, |(_, _, _, bytes)| blobs.put(bytes))
        .into_iter()
        .collect::<Result<Vec<String>, _>>()
        .map_err(creanta_store::StoreError::from)?;
    let sizes: Vec<(String, i64)> = shas
        .iter()
        .zip(&files)
        .map(|(sha, f)| (sha.clone(), f.3.len() as i64))
        .collect();
    creanta_store::repo::register_blobs(tx, org, &sizes).await?;
    let docs: Vec<Document> = files
        .iter()
        .zip(&shas)
        .map(|(&(debtor, letter, name, bytes), sha)| Document {
            sha256: sha.clone(),
            doc_type: match letter {
                Letter::Statement => DocType::Statement,
                Letter::Notice => DocType::Notice,
            }
            .code()
            .into(),
            file_name: name.clone(),
            media_type: "application/pdf".into(),
            size: bytes.len() as i64,
            debtor_id: Some(debtor),
            invoice_id: None,
            contract_id: None,
            link_key: Document::link_key_for(Some(debtor), None, None),
        })
        .collect();
    let ids = repo::insert_generated_documents(tx, org, &docs).await?;
    let mut stored = docs.into_iter().zip(ids);
    Ok(rendered
        .iter()
        .map(|(_, files)| {
            files
                .iter()
                .map(|_| {
                    let (doc, id) = stored.next().expect("one document per file");
                    Attachment {
                        document_id: Some(id),
                        sha256: doc.sha256,
                        file_name: doc.file_name,
                        media_type: doc.media_type,
                    }
                })
                .collect()
        })
        .collect())
}

/// `f` over `items` on every core, results in order.
fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.is_empty() {
        return Vec::new();
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len());
    let per = items.len().div_ceil(workers);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    })
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

fn message_key(c: &Communication) -> String {
    format!("dunning:{}", c.key)
}

/// What the run keeps about an open invoice beyond what planning needs.
struct InvoiceFacts {
    entity_id: i64,
    issue_date: Date,
    total: i64,
    currency: String,
    penalty_per_day: Option<String>,
    capped: bool,
    contract: Option<String>,
}

fn run_invoices(
    open: Vec<OpenInvoiceRow>,
    done: &mut HashMap<i64, Vec<String>>,
    holds: &Holds,
) -> (Vec<RunInvoice>, HashMap<i64, InvoiceFacts>) {
    let mut facts = HashMap::with_capacity(open.len());
    let mut out = Vec::with_capacity(open.len());
    for r in open {
        // An invoice in a currency we cannot read is not pursued rather than mis-stated.
        let Ok(currency) = Currency::parse(&r.currency) else {
            continue;
        };
        facts.insert(
            r.id,
            InvoiceFacts {
                entity_id: r.entity_id,
                issue_date: r.issue_date,
                total: r.total,
                currency: r.currency,
                penalty_per_day: r.penalty_rate_per_day,
                capped: crate::interest::capped(r.contract_attrs.as_deref()),
                contract: r.contract_number,
            },
        );
        out.push(RunInvoice {
            id: r.id,
            debtor_id: r.debtor_id,
            label: format!("{}{}", r.series, r.number),
            due_date: r.due_date,
            open: Money::new(r.open, currency),
            policy: PolicyChoice {
                invoice: r.invoice_policy,
                contract: r.contract_policy,
                debtor: r.debtor_policy,
            },
            done: done.remove(&r.id).unwrap_or_default(),
            holds: holds.of(r.id, r.debtor_id),
        });
    }
    (out, facts)
}

fn reason_of(a: &PlannedAction) -> String {
    a.invoices
        .iter()
        .map(|i| i.reason.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A message to render: its communication, the new actions it carries, and what it is made of.
struct Draft<'a> {
    communication: &'a Communication,
    action_ids: Vec<i64>,
    template: Template,
    ctx: TemplateContext,
    letters: Vec<Letter>,
    lang: Language,
}

type RenderedDraft = (Rendered, Vec<(Letter, String, Vec<u8>)>);

/// Renders every draft's text and letters, the drafts shared out between the machine's cores:
/// rendering (PDF letters above all) is the CPU-heavy part of a large run.
fn render_all(drafts: &[Draft<'_>]) -> Result<Vec<RenderedDraft>, AppError> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let fonts = Fonts::load();
    let render = |d: &Draft<'_>| -> Result<RenderedDraft, AppError> {
        let text = d
            .template
            .render(&d.ctx)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let files = d
            .letters
            .iter()
            .zip(&d.ctx.attachments)
            .map(|(l, name)| (*l, name.clone(), l.render(&d.ctx, d.lang, &fonts)))
            .collect();
        Ok((text, files))
    };
    on_every_core(drafts, render).into_iter().collect()
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

struct DebtorInfo {
    code: String,
    name: String,
    tax_id: String,
    address: String,
    language: Language,
    owner_email: Option<String>,
}

struct EntityInfo {
    name: String,
    tax_id: String,
    address: String,
    attrs: String,
}

/// Debtors with an action today, every entity, and the users who sign.
struct People {
    debtors: HashMap<i64, DebtorInfo>,
    entities: HashMap<i64, EntityInfo>,
    users: HashMap<String, String>,
    unknown_debtor: DebtorInfo,
    unknown_entity: EntityInfo,
}

impl People {
    async fn load(tx: &mut Tx, org: i64, plan: &DayPlan) -> Result<People, AppError> {
        let mut wanted: Vec<i64> = plan.actions.iter().map(|a| a.debtor_id).collect();
        wanted.dedup();
        let mut debtors = HashMap::with_capacity(wanted.len());
        for chunk in wanted.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT id, code, name, tax_id, address, city, language, owner_email FROM debtors \
                 WHERE org_id = $1 AND id IN ({})",
                marks.join(",")
            );
            let mut values = vec![creanta_store::Value::from(org)];
            values.extend(chunk.iter().map(|&d| creanta_store::Value::from(d)));
            for r in tx.fetch_all(&sql, &values).await? {
                let language: String = r.get(6)?;
                debtors.insert(
                    r.get::<i64>(0)?,
                    DebtorInfo {
                        code: r.get(1)?,
                        name: r.get(2)?,
                        tax_id: r.get(3)?,
                        address: join_address(r.get(4)?, r.get(5)?),
                        language: language.parse().unwrap_or(Language::Ro),
                        owner_email: r.get(7)?,
                    },
                );
            }
        }
        let mut entities = HashMap::new();
        for r in tx
            .fetch_all(
                "SELECT id, name, tax_id, address, city, attrs FROM entities WHERE org_id = $1",
                &args![org],
            )
            .await?
        {
            entities.insert(
                r.get::<i64>(0)?,
                EntityInfo {
                    name: r.get(1)?,
                    tax_id: r.get(2)?,
                    address: join_address(r.get(3)?, r.get(4)?),
                    attrs: r.get(5)?,
                },
            );
        }
        let mut users = HashMap::new();
        for r in tx
            .fetch_all(
                "SELECT email, name FROM users WHERE org_id = $1",
                &args![org],
            )
            .await?
        {
            users.insert(r.get::<String>(0)?.to_lowercase(), r.get(1)?);
        }
        Ok(People {
            debtors,
            entities,
            users,
            unknown_debtor: DebtorInfo {
                code: String::new(),
                name: String::new(),
                tax_id: String::new(),
                address: String::new(),
                language: Language::Ro,
                owner_email: None,
            },
            unknown_entity: EntityInfo {
                name: String::new(),
                tax_id: String::new(),
                address: String::new(),
                attrs: "{}".into(),
            },
        })
    }

    fn debtor(&self, id: i64) -> &DebtorInfo {
        self.debtors.get(&id).unwrap_or(&self.unknown_debtor)
    }

    fn entity(&self, id: i64) -> &EntityInfo {
        self.entities.get(&id).unwrap_or(&self.unknown_entity)
    }
}

fn join_address(address: Option<String>, city: Option<String>) -> String {
    [address, city]
        .into_iter()
        .flatten()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a message of `step` (policy `policy`) to `debtor` would say on `day`, in `lang`:
/// the context of every overdue open invoice of the debtor (every open one when none is
/// overdue yet), with the names of the letters the step attaches. `None` when the debtor has
/// nothing open. The template editor previews drafts with it.
pub(crate) async fn debtor_context(
    tx: &mut Tx,
    org: i64,
    debtor: i64,
    policy: &str,
    step: &creanta_domain::dunning::Step,
    day: Date,
    lang: Language,
) -> Result<Option<TemplateContext>, AppError> {
    let open = repo::open_invoices(tx, org, Some(&[debtor])).await?;
    let (invoices, facts) = run_invoices(open, &mut HashMap::new(), &Holds::default());
    let due = |i: &RunInvoice| {
        let days_late = i.due_date.until(day).map(|s| s.get_days()).unwrap_or(0) as i64;
        DueInvoice {
            invoice_id: i.id,
            label: i.label.clone(),
            due_date: i.due_date,
            days_late,
            step_date: day,
            open: i.open,
            reason: String::new(),
        }
    };
    let mut due: Vec<DueInvoice> = invoices.iter().map(due).collect();
    if due.iter().any(|i| i.days_late > 0) {
        due.retain(|i| i.days_late > 0);
    }
    if due.is_empty() {
        return Ok(None);
    }
    let plan = DayPlan {
        actions: vec![PlannedAction {
            key: format!("{debtor}:{policy}:{}:{day}", step.code),
            debtor_id: debtor,
            policy: policy.to_owned(),
            step: step.clone(),
            invoices: due,
            communication: Some(0),
        }],
        communications: vec![Communication {
            key: format!("{debtor}:{day}"),
            debtor_id: debtor,
            lead: 0,
            actions: vec![0],
        }],
        skipped: Vec::new(),
        not_yet_due: 0,
        up_to_date: 0,
    };
    let people = People::load(tx, org, &plan).await?;
    let ibans = entity_ibans(tx, org).await?;
    let charges = Charges {
        rates: Rates::load(tx, org).await?,
        reductions: repo::reductions_of_open(tx, org, Some(debtor)).await?,
    };
    let mut ctx = context(
        &plan.communications[0],
        &plan,
        &people,
        &facts,
        &ibans,
        &charges,
        day,
        lang,
    );
    ctx.attachments = step
        .attach
        .iter()
        .map(|g| letter_of(*g).file_name(&ctx, lang))
        .collect();
    Ok(Some(ctx))
}

fn letter_of(g: GeneratedDoc) -> Letter {
    match g {
        GeneratedDoc::Statement => Letter::Statement,
        GeneratedDoc::Notice => Letter::Notice,
    }
}

/// What the interest lines of the day's messages need.
struct Charges {
    rates: Rates,
    reductions: HashMap<i64, Vec<(Date, i64)>>,
}

#[allow(clippy::too_many_arguments)]
fn context(
    c: &Communication,
    plan: &DayPlan,
    people: &People,
    facts: &HashMap<i64, InvoiceFacts>,
    ibans: &HashMap<i64, Vec<String>>,
    charges: &Charges,
    day: Date,
    lang: Language,
) -> TemplateContext {
    let lead = &plan.actions[c.lead];
    let debtor = people.debtor(c.debtor_id);
    let mut invoices: Vec<&DueInvoice> = c
        .actions
        .iter()
        .flat_map(|&a| plan.actions[a].invoices.iter())
        .collect();
    invoices.sort_by_key(|i| (i.due_date, i.invoice_id));
    let relation = Relation::of_tax_id(&debtor.tax_id);
    let mut computed = Vec::new();
    let mut contractual = false;
    let mut entity_ids: Vec<i64> = Vec::new();
    let vars: Vec<InvoiceVars> = invoices
        .iter()
        .map(|i| {
            let f = &facts[&i.invoice_id];
            contractual |= f.penalty_per_day.is_some();
            let input = ChargeInput {
                id: i.invoice_id,
                label: i.label.clone(),
                due: i.due_date,
                currency: f.currency.clone(),
                total: f.total,
                open: i.open.minor,
                penalty_per_day: f.penalty_per_day.clone(),
                capped: f.capped,
                reductions: charges
                    .reductions
                    .get(&i.invoice_id)
                    .map(|v| {
                        v.iter()
                            .map(|&(date, minor)| Reduction { date, minor })
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let charge = charge_of(input, day, relation, &charges.rates);
            let interest = charge
                .as_ref()
                .and_then(|c| c.charge.as_ref())
                .filter(|c| c.amount.minor > 0)
                .map(|c| amount_text(c.amount.minor, c.amount.currency.as_str(), lang))
                .unwrap_or_default();
            computed.extend(charge);
            if !entity_ids.contains(&f.entity_id) {
                entity_ids.push(f.entity_id);
            }
            InvoiceVars {
                number: i.label.clone(),
                issue_date: date_text(f.issue_date, lang),
                due_date: date_text(i.due_date, lang),
                total: amount_text(f.total, &f.currency, lang),
                open: amount_text(i.open.minor, &f.currency, lang),
                days_late: i.days_late,
                late: templates::late_text(i.days_late, lang),
                interest,
                contract: f.contract.clone().unwrap_or_default(),
                entity: people.entity(f.entity_id).name.clone(),
            }
        })
        .collect();
    let lead_entity = people.entity(facts[&lead.invoices[0].invoice_id].entity_id);
    let owner_email = debtor.owner_email.clone().unwrap_or_default();
    let owner_name = people
        .users
        .get(&owner_email.to_lowercase())
        .cloned()
        .unwrap_or_default();
    TemplateContext {
        entity: PartyVars {
            name: lead_entity.name.clone(),
            code: String::new(),
            tax_id: lead_entity.tax_id.clone(),
            address: lead_entity.address.clone(),
            email: String::new(),
        },
        debtor: PartyVars {
            name: debtor.name.clone(),
            code: debtor.code.clone(),
            tax_id: debtor.tax_id.clone(),
            address: debtor.address.clone(),
            email: String::new(),
        },
        owner: PartyVars {
            name: owner_name,
            code: String::new(),
            tax_id: String::new(),
            address: String::new(),
            email: owner_email,
        },
        step: StepVars {
            code: lead.step.code.clone(),
            offset: lead.step.offset,
            kind: lead.step.kind.code().to_owned(),
        },
        today: date_text(day, lang),
        payment_reference: vars
            .iter()
            .map(|i| i.number.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        invoices: vars,
        totals: totals_of(&computed)
            .into_iter()
            .map(|t| {
                let c = t.currency.as_str();
                let text = |minor: i64| {
                    if minor == 0 {
                        String::new()
                    } else {
                        amount_text(minor, c, lang)
                    }
                };
                TotalVars {
                    open: amount_text(t.open, c, lang),
                    interest: text(t.interest),
                    compensation: text(t.compensation),
                    with_charges: amount_text(t.open + t.interest + t.compensation, c, lang),
                    currency: c.to_owned(),
                }
            })
            .collect(),
        ibans: entity_ids
            .iter()
            .flat_map(|e| {
                let name = people.entity(*e).name.clone();
                ibans
                    .get(e)
                    .into_iter()
                    .flatten()
                    .map(move |iban| IbanVars {
                        entity: name.clone(),
                        iban: iban.clone(),
                    })
            })
            .collect(),
        attachments: Vec::new(),
        interest_basis: templates::interest_basis(contractual, lang).to_owned(),
    }
}
