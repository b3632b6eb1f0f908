//! The messages of the calendar: what a message to a debtor says (its template context, with
//! invoices, charges, IBANs and the owner's signature), its rendering with the PDF letters it
//! attaches (on every core), the letters stored as the debtor's documents, and the messages
//! queued in the outbox and linked to their actions. The daily run queues a day's messages
//! through [`queue_messages`]; an approved step queues its one message the same way.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use creanta_domain::dunning::{
    ActionKind, Communication, DayPlan, DueInvoice, GeneratedDoc, PlannedAction, PolicyChoice,
    RunInvoice,
};
use creanta_domain::interest::{Reduction, Relation};
use creanta_domain::model::{DocType, Language};
use creanta_domain::money::{Currency, Money};
use creanta_store::records::Document;
use creanta_store::repo::calendar::{self as repo, OpenInvoiceRow};
use creanta_store::{Tx, args};
use jiff::Timestamp;
use jiff::civil::Date;
use lettre::message::Mailbox;

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
use crate::outbox::{self, Attachment, MailSettings, MessageKind, NewMessage};
use crate::pdf::Fonts;
use crate::{App, AppError};

/// What the messages need besides the plan: recipients, accounts, templates, rates.
pub(crate) struct MessageInputs {
    fallback: Mailbox,
    contacts: HashMap<i64, Vec<Mailbox>>,
    ibans: HashMap<i64, Vec<String>>,
    saved: HashMap<(String, Language), Template>,
    charges: Option<Charges>,
}

impl MessageInputs {
    /// For the whole organization, or for one debtor; rates and payments only when there will
    /// be messages (`with_charges`).
    pub(crate) async fn load(
        tx: &mut Tx,
        org: i64,
        settings: &MailSettings,
        debtor: Option<i64>,
        with_charges: bool,
    ) -> Result<MessageInputs, AppError> {
        let charges = if with_charges {
            Some(Charges {
                rates: Rates::load(tx, org).await?,
                reductions: repo::reductions_of_open(tx, org, debtor).await?,
            })
        } else {
            None
        };
        Ok(MessageInputs {
            fallback: fallback_sender(&settings.from_fallback)?,
            contacts: finance_contacts(tx, org, debtor).await?,
            ibans: entity_ibans(tx, org).await?,
            saved: super::editor::saved(tx, org).await?,
            charges,
        })
    }

    /// The debtor has a finance contact with a usable e-mail address.
    pub(crate) fn has_recipient(&self, debtor: i64) -> bool {
        self.contacts.get(&debtor).is_some_and(|v| !v.is_empty())
    }
}

/// A plan with everything its messages are written from.
pub(crate) struct Batch<'a> {
    pub plan: &'a DayPlan,
    pub people: &'a People,
    pub facts: &'a HashMap<i64, InvoiceFacts>,
    pub inputs: &'a MessageInputs,
    pub day: Date,
    pub now: Timestamp,
    pub actor: &'a str,
}

/// What came of queueing an approved step's message.
pub(crate) enum Approved {
    /// In the outbox under this id.
    Queued(i64),
    /// The debtor has no finance contact with an e-mail address: the owner sends it.
    NoRecipient,
    /// Every invoice of the action was paid, credited or put on hold in the meantime.
    NothingOpen,
    /// The step was removed from its calendar, or is no longer a message (the reason).
    StepGone(String),
}

/// Queues the message of an approved e-mail or letter step, as written on `day` (today): its
/// invoices still open and not on hold, with the charges to that day. It is the debtor's one
/// message of the day (key `dunning:<debtor>:<day>`, as the daily run's): when the debtor
/// already has one, approving is refused until tomorrow. The letters' bytes are made durable
/// here; the caller commits.
pub(crate) async fn queue_approved(
    tx: &mut Tx,
    app: &App,
    action: &repo::ActionRow,
    settings: &MailSettings,
    actor: &str,
) -> Result<Approved, AppError> {
    let org = app.org_id();
    let day = app.today();
    let (policies, _) = super::policies_in(tx, org).await?;
    let step = policies
        .iter()
        .find(|p| p.code == action.policy)
        .and_then(|p| p.step(&action.step))
        .filter(|s| s.kind.code() == action.kind)
        .cloned();
    let Some(step) = step else {
        return Ok(Approved::StepGone(
            creanta_domain::dunning::reasons::step_gone(&action.policy, &action.step, &action.kind),
        ));
    };
    let wanted = repo::action_invoice_ids(tx, org, action.id).await?;
    let open = repo::open_invoices(tx, org, Some(&[action.debtor_id])).await?;
    let holds = Holds::load(tx, org, day).await?;
    let (invoices, facts) = run_invoices(open, &mut HashMap::new(), &holds);
    let due: Vec<DueInvoice> = invoices
        .iter()
        .filter(|i| wanted.contains(&i.id) && i.holds.is_empty())
        .map(|i| due_on(i, day))
        .collect();
    if due.is_empty() {
        return Ok(Approved::NothingOpen);
    }
    let inputs = MessageInputs::load(tx, org, settings, Some(action.debtor_id), true).await?;
    if !inputs.has_recipient(action.debtor_id) {
        return Ok(Approved::NoRecipient);
    }
    let mut plan = one_action_plan(action.debtor_id, &action.policy, &step, due, day);
    plan.actions[0].key = action.key.clone();
    let people = People::load(tx, org, &plan).await?;
    let queued = queue_messages(
        tx,
        app,
        &Batch {
            plan: &plan,
            people: &people,
            facts: &facts,
            inputs: &inputs,
            day,
            now: crate::now(),
            actor,
        },
        &[(&plan.communications[0], vec![action.id])],
    )
    .await?;
    if let Some(e) = queued.failed.first() {
        return Err(AppError::Invalid(e.1.clone()));
    }
    let key = message_key(&plan.communications[0]);
    let Some(id) = queued.outbox_ids.get(&key).copied() else {
        return Err(AppError::Invalid(format!(
            "{} already has today's message: approve action {} tomorrow",
            people.debtor(action.debtor_id).name,
            action.id
        )));
    };
    if queued.letters > 0 {
        app.store
            .blobs()
            .flush()
            .map_err(creanta_store::StoreError::from)?;
    }
    repo::set_approved_on(tx, org, action.id, day).await?;
    Ok(Approved::Queued(id))
}

/// An open invoice as due on `day` for a message written that day.
fn due_on(i: &RunInvoice, day: Date) -> DueInvoice {
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
}

/// A plan of one action of `step` for `debtor` on `day`, in one communication.
fn one_action_plan(
    debtor: i64,
    policy: &str,
    step: &creanta_domain::dunning::Step,
    invoices: Vec<DueInvoice>,
    day: Date,
) -> DayPlan {
    DayPlan {
        actions: vec![PlannedAction {
            key: format!("{debtor}:{policy}:{}:{day}", step.code),
            debtor_id: debtor,
            policy: policy.to_owned(),
            step: step.clone(),
            invoices,
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
    }
}

/// What [`queue_messages`] did.
pub(crate) struct Queued {
    /// Messages new in the outbox (a key queued before is left alone).
    pub messages: usize,
    pub letters: usize,
    pub rendering: Duration,
    /// The outbox id of each communication's message, by its key.
    pub outbox_ids: HashMap<String, i64>,
    /// The actions of each message that could not be written, with why.
    pub failed: Vec<(Vec<i64>, String)>,
}

/// Renders, stores and queues the message of each communication, which carries the new
/// actions given with it (their ids), and links those actions to it. Rendering (templates
/// and PDF letters) runs on every core.
pub(crate) async fn queue_messages(
    tx: &mut Tx,
    app: &App,
    b: &Batch<'_>,
    communications: &[(&Communication, Vec<i64>)],
) -> Result<Queued, AppError> {
    let org = app.org_id();
    let lap = Instant::now();
    let mut drafts = Vec::with_capacity(communications.len());
    for (c, action_ids) in communications {
        let lead = &b.plan.actions[c.lead];
        let lang = b.people.debtor(c.debtor_id).language;
        let template = super::editor::effective(&b.inputs.saved, &lead.step.template, lang)?;
        let charges = b
            .inputs
            .charges
            .as_ref()
            .expect("loaded when there are communications");
        let mut ctx = context(
            c,
            b.plan,
            b.people,
            b.facts,
            &b.inputs.ibans,
            charges,
            b.day,
            lang,
        );
        let letters: Vec<Letter> = lead.step.attach.iter().map(|g| letter_of(*g)).collect();
        ctx.attachments = letters.iter().map(|l| l.file_name(&ctx, lang)).collect();
        drafts.push(Draft {
            communication: c,
            action_ids: action_ids.clone(),
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
    let results = render_all(&drafts);
    let rendering = render_started.elapsed();
    // A message that does not render (a template that fails on this debtor's data) is left
    // to its owner; the others go out.
    let mut failed = Vec::new();
    let mut ok_drafts = Vec::with_capacity(drafts.len());
    let mut rendered = Vec::with_capacity(drafts.len());
    for (d, r) in drafts.into_iter().zip(results) {
        match r {
            Ok(r) => {
                ok_drafts.push(d);
                rendered.push(r);
            }
            Err(e) => failed.push((d.action_ids, e.to_string())),
        }
    }
    let drafts = ok_drafts;
    let lap = Instant::now();
    let mut attachments = store_letters(tx, app, &drafts, &rendered).await?;
    let letters = attachments.iter().map(Vec::len).sum();
    tracing::debug!(ms = ms(lap), letters, "run: letters stored");

    let lap = Instant::now();
    let mut messages = Vec::with_capacity(drafts.len());
    let mut message_actions = Vec::with_capacity(drafts.len());
    for ((d, (text, _)), attachments) in drafts.iter().zip(rendered).zip(attachments.drain(..)) {
        let c = d.communication;
        let lead = &b.plan.actions[c.lead];
        let entity = b
            .people
            .entity(b.facts[&lead.invoices[0].invoice_id].entity_id);
        let debtor = b.people.debtor(c.debtor_id);
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
                .flat_map(|&a| b.plan.actions[a].invoices.iter().map(|i| i.invoice_id))
                .collect(),
            from: sender(&entity.name, &entity.attrs, &b.inputs.fallback),
            reply_to: reply_to(debtor.owner_email.as_deref()),
            to: b.inputs.contacts[&c.debtor_id].clone(),
            subject: text.subject,
            body_text: text.body_text,
            body_html: text.body_html,
            attachments,
        });
        message_actions.push(d.action_ids.clone());
    }
    drop(drafts);
    let queued = outbox::enqueue_many(tx, org, b.now, b.actor, &messages).await?;
    tracing::debug!(
        ms = ms(lap),
        messages = queued.len(),
        "run: messages queued"
    );
    let lap = Instant::now();
    let pairs: Vec<(i64, i64)> = messages
        .iter()
        .zip(&message_actions)
        .filter_map(|(m, ids)| queued.get(&m.idempotency_key).map(|o| (ids, *o)))
        .flat_map(|(ids, o)| ids.iter().map(move |a| (*a, o)))
        .collect();
    repo::link_outbox(tx, org, &pairs).await?;
    tracing::debug!(ms = ms(lap), "run: actions linked to their messages");
    Ok(Queued {
        messages: queued.len(),
        letters,
        rendering,
        outbox_ids: queued,
        failed,
    })
}

pub(crate) fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
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

pub(crate) fn message_key(c: &Communication) -> String {
    format!("dunning:{}", c.key)
}

/// What the run keeps about an open invoice beyond what planning needs.
pub(crate) struct InvoiceFacts {
    entity_id: i64,
    issue_date: Date,
    total: i64,
    currency: String,
    penalty_per_day: Option<String>,
    capped: bool,
    contract: Option<String>,
}

pub(crate) fn run_invoices(
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
fn render_all(drafts: &[Draft<'_>]) -> Vec<Result<RenderedDraft, AppError>> {
    if drafts.is_empty() {
        return Vec::new();
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
    // Seconds of CPU on a large day: off the runtime's worker threads, so the server that runs
    // the scheduler keeps answering (a current-thread runtime, as in tests, just runs it).
    let run = || on_every_core(drafts, render);
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(run),
        _ => run(),
    }
}

pub(crate) struct DebtorInfo {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) tax_id: String,
    pub(crate) address: String,
    pub(crate) language: Language,
    pub(crate) owner_email: Option<String>,
}

pub(crate) struct EntityInfo {
    pub(crate) name: String,
    pub(crate) tax_id: String,
    pub(crate) address: String,
    pub(crate) attrs: String,
}

/// Debtors with an action today, every entity, and the users who sign.
pub(crate) struct People {
    debtors: HashMap<i64, DebtorInfo>,
    entities: HashMap<i64, EntityInfo>,
    users: HashMap<String, String>,
    unknown_debtor: DebtorInfo,
    unknown_entity: EntityInfo,
}

impl People {
    pub(crate) async fn load(tx: &mut Tx, org: i64, plan: &DayPlan) -> Result<People, AppError> {
        let mut wanted: Vec<i64> = plan.actions.iter().map(|a| a.debtor_id).collect();
        wanted.sort_unstable();
        wanted.dedup();
        const COLUMNS: &str = "id, code, name, tax_id, address, city, language, owner_email";
        // A large day reads every debtor in one scan: cheaper than hundreds of IN lists.
        let rows = if wanted.len() > 2_000 {
            tx.fetch_all(
                &format!("SELECT {COLUMNS} FROM debtors WHERE org_id = $1"),
                &args![org],
            )
            .await?
        } else {
            let mut rows = Vec::new();
            for chunk in wanted.chunks(500) {
                let (list, ids) = creanta_store::sql::id_list(chunk, 2);
                let mut values = vec![creanta_store::Value::from(org)];
                values.extend(ids);
                let sql =
                    format!("SELECT {COLUMNS} FROM debtors WHERE org_id = $1 AND id IN ({list})");
                rows.extend(tx.fetch_all(&sql, &values).await?);
            }
            rows
        };
        let mut debtors = HashMap::with_capacity(wanted.len());
        for r in rows {
            let id: i64 = r.get(0)?;
            if wanted.binary_search(&id).is_err() {
                continue;
            }
            let language: String = r.get(6)?;
            debtors.insert(
                id,
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

    pub(crate) fn debtor(&self, id: i64) -> &DebtorInfo {
        self.debtors.get(&id).unwrap_or(&self.unknown_debtor)
    }

    pub(crate) fn entity(&self, id: i64) -> &EntityInfo {
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
    let mut due: Vec<DueInvoice> = invoices.iter().map(|i| due_on(i, day)).collect();
    if due.iter().any(|i| i.days_late > 0) {
        due.retain(|i| i.days_late > 0);
    }
    if due.is_empty() {
        return Ok(None);
    }
    let plan = one_action_plan(debtor, policy, step, due, day);
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
pub(crate) struct Charges {
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
