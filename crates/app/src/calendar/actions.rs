//! What people do with the calendar's actions: approve what waits for a manager, mark a task
//! done with its outcome, and record when a formal notice was served (the acknowledgement of
//! receipt), which starts the 15-day term of art. 1015 of the Code of Civil Procedure.

use creanta_domain::dunning::ActionKind;
use creanta_domain::model::Role;
use creanta_store::repo::calendar::{self as repo, ActionRow, TaskRow};
use creanta_store::repo::events::{self, NewEvent};
use creanta_store::{Tx, args};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use super::messages::Approved;
use crate::outbox::MailSettings;
use crate::{App, AppError};
use creanta_domain::dunning::reasons::{PAID, served_outcome, step_reason};

/// Days the debtor has to pay after receiving a formal notice (CPC art. 1015).
pub const NOTICE_TERM_DAYS: i64 = 15;

async fn load(tx: &mut Tx, org: i64, id: i64) -> Result<ActionRow, AppError> {
    repo::action(tx, org, id)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("no action {id}")))
}

/// The action, when it is in `status`; what to say otherwise.
async fn load_in(
    tx: &mut Tx,
    org: i64,
    id: i64,
    status: &str,
    wanted: &str,
) -> Result<ActionRow, AppError> {
    let a = load(tx, org, id).await?;
    if a.status != status {
        return Err(AppError::Invalid(format!(
            "action {id} is {}, not {wanted}",
            a.status
        )));
    }
    Ok(a)
}

async fn log(
    tx: &mut Tx,
    org: i64,
    actor: &str,
    kind: &str,
    id: i64,
    data: serde_json::Value,
) -> Result<(), AppError> {
    events::append(
        tx,
        org,
        crate::now(),
        &[NewEvent {
            actor: actor.to_owned(),
            kind: kind.into(),
            subject_type: "action".into(),
            subject_id: Some(id),
            data,
        }],
    )
    .await?;
    Ok(())
}

/// A manager (or admin) approves an action that waits for approval. A task becomes the
/// owner's (for an escalation: hand the case over); an e-mail or letter step has its message
/// written now, for its invoices still open, and queued for the outbox (a letter also stays
/// a registered-letter task). Without a finance contact to write to, the message becomes the
/// owner's task; when everything was paid meanwhile, the action is cancelled.
pub async fn approve(
    app: &App,
    id: i64,
    actor: &str,
    role: Role,
    settings: &MailSettings,
) -> Result<ActionRow, AppError> {
    if !matches!(role, Role::Admin | Role::Manager) {
        return Err(AppError::Invalid(
            "only a manager or an admin approves an action".into(),
        ));
    }
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let a = load_in(&mut tx, org, id, "awaiting_approval", "awaiting approval").await?;
    let kind: ActionKind = a
        .kind
        .parse()
        .map_err(|_| AppError::Invalid(format!("action {id} has an unknown kind {}", a.kind)))?;
    let mut data = serde_json::json!({ "key": a.key });
    if kind.contacts_debtor() {
        match super::messages::queue_approved(&mut tx, app, &a, settings, actor).await? {
            Approved::Queued(outbox_id) => {
                let status = if kind == ActionKind::Letter {
                    "open"
                } else {
                    "done"
                };
                repo::set_action_status(&mut tx, org, id, status, None, None).await?;
                data["outbox_id"] = outbox_id.into();
            }
            Approved::NoRecipient => {
                repo::set_action_status(&mut tx, org, id, "open", None, None).await?;
                data["no_recipient"] = true.into();
            }
            Approved::NothingOpen => {
                repo::cancel_action(&mut tx, org, id, PAID, crate::now()).await?;
                data["cancelled"] = PAID.into();
            }
            Approved::StepGone(reason) => {
                repo::cancel_action(&mut tx, org, id, &reason, crate::now()).await?;
                data["cancelled"] = reason.into();
            }
        }
    } else {
        repo::set_action_status(&mut tx, org, id, "open", None, None).await?;
    }
    log(&mut tx, org, actor, "action.approved", id, data).await?;
    let out = load(&mut tx, org, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The owner marks a task done, with what came of it ("promised for Friday", "wrong
/// address").
pub async fn complete(
    app: &App,
    id: i64,
    actor: &str,
    outcome: &str,
) -> Result<ActionRow, AppError> {
    let outcome = outcome.trim();
    if outcome.is_empty() {
        return Err(AppError::Invalid("outcome: say what came of it".into()));
    }
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let a = load_in(&mut tx, org, id, "open", "open").await?;
    repo::set_action_status(&mut tx, org, id, "done", Some(actor), Some(outcome)).await?;
    log(
        &mut tx,
        org,
        actor,
        "action.done",
        id,
        serde_json::json!({ "key": a.key, "outcome": outcome }),
    )
    .await?;
    let out = load(&mut tx, org, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// When a formal notice was served, and until when the debtor may pay.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Service {
    pub action_id: i64,
    pub served_on: Date,
    /// The last day of the 15-day term.
    pub term_ends: Date,
}

/// Records the acknowledgement of receipt of a formal notice sent by registered letter: the
/// letter task is done, and the 15-day term runs from `served_on`.
pub async fn record_service(
    app: &App,
    id: i64,
    served_on: Date,
    document_id: Option<i64>,
    actor: &str,
) -> Result<Service, AppError> {
    if served_on > app.today() {
        return Err(AppError::Invalid(format!(
            "served_on {served_on} is after today: record the date on the receipt"
        )));
    }
    let mut tx = app.store.begin().await?;
    let out = record_service_in(&mut tx, app.org_id(), id, served_on, document_id, actor).await?;
    tx.commit().await?;
    Ok(out)
}

/// [`record_service`] in the caller's transaction (an import of the receipt).
pub async fn record_service_in(
    tx: &mut Tx,
    org: i64,
    id: i64,
    served_on: Date,
    document_id: Option<i64>,
    actor: &str,
) -> Result<Service, AppError> {
    let a = load(tx, org, id).await?;
    if a.kind != "letter" {
        return Err(AppError::Invalid(format!(
            "action {id} is a {} step, not a letter",
            a.kind
        )));
    }
    if a.status != "open" && a.status != "done" {
        return Err(AppError::Invalid(format!(
            "action {id} is {}: a notice is served only once it was sent",
            a.status
        )));
    }
    if served_on < a.run_date {
        return Err(AppError::Invalid(format!(
            "served_on {served_on} is before the notice was sent ({})",
            a.run_date
        )));
    }
    Ok(serve(tx, org, &a, served_on, document_id, actor).await?)
}

/// Marks a letter task served (the caller checked that it is one).
async fn serve(
    tx: &mut Tx,
    org: i64,
    a: &ActionRow,
    served_on: Date,
    document_id: Option<i64>,
    actor: &str,
) -> creanta_store::Result<Service> {
    let term_ends = served_on
        .checked_add(NOTICE_TERM_DAYS.days())
        .unwrap_or(Date::MAX);
    let outcome = served_outcome(served_on, term_ends);
    repo::set_action_status(tx, org, a.id, "done", Some(actor), Some(&outcome)).await?;
    events::append(
        tx,
        org,
        crate::now(),
        &[NewEvent {
            actor: actor.to_owned(),
            kind: "notice.served".into(),
            subject_type: "action".into(),
            subject_id: Some(a.id),
            data: serde_json::json!({
                "key": a.key, "debtor_id": a.debtor_id, "served_on": served_on,
                "term_ends": term_ends, "document_id": document_id,
            }),
        }],
    )
    .await?;
    Ok(Service {
        action_id: a.id,
        served_on,
        term_ends,
    })
}

/// An acknowledgement of receipt stored for `debtor` serves its oldest formal notice still
/// waiting for one (in the caller's transaction). Returns what it served, if anything.
pub async fn receipt_stored(
    tx: &mut Tx,
    org: i64,
    debtor: i64,
    served_on: Date,
    document_id: i64,
    actor: &str,
) -> creanta_store::Result<Option<Service>> {
    let letters = open_letters(tx, org, debtor).await?;
    let Some(first) = letters.first() else {
        return Ok(None);
    };
    let Some(a) = repo::action(tx, org, *first).await? else {
        return Ok(None);
    };
    serve(tx, org, &a, served_on, Some(document_id), actor)
        .await
        .map(Some)
}

/// The letter tasks still open for a debtor (the notices waiting for their receipt).
pub async fn open_letters(tx: &mut Tx, org: i64, debtor: i64) -> creanta_store::Result<Vec<i64>> {
    tx.fetch_all(
        "SELECT id FROM actions WHERE org_id = $1 AND debtor_id = $2 AND kind = $3 \
             AND status = $4 ORDER BY run_date, id",
        &args![org, debtor, "letter", "open"],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// One action of the organization.
pub async fn get(app: &App, id: i64) -> Result<Option<ActionRow>, AppError> {
    let mut tx = app.store.begin().await?;
    let out = repo::action(&mut tx, app.org_id(), id).await?;
    drop(tx);
    Ok(out)
}

/// A debtor's actions, newest first, each with why it was planned in `lang` ("factura A1
/// restantă de 10 zile → pasul +10 (firm_reminder)"); the stored English reason when its
/// invoices cannot be read back.
pub async fn of_debtor_explained(
    app: &App,
    debtor: i64,
    lang: creanta_domain::model::Language,
) -> Result<Vec<(ActionRow, String)>, AppError> {
    let mut tx = app.store.begin().await?;
    let rows = repo::actions_of_debtor(&mut tx, app.org_id(), debtor).await?;
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let invoices = repo::action_invoices_of(&mut tx, app.org_id(), &ids).await?;
    drop(tx);
    Ok(rows
        .into_iter()
        .map(|a| {
            let why = explain(&a, invoices.get(&a.id), lang);
            (a, why)
        })
        .collect())
}

/// Why an action was planned, in `lang`, from its invoices; the stored English reason when
/// they cannot be read back.
fn explain(
    a: &ActionRow,
    invoices: Option<&Vec<(String, Date)>>,
    lang: creanta_domain::model::Language,
) -> String {
    match invoices {
        Some(list) => list
            .iter()
            .map(|(label, due)| {
                step_reason(label, *due, a.step_offset as i32, &a.step, a.run_date, lang)
            })
            .collect::<Vec<_>>()
            .join("; "),
        None => a.reason.clone(),
    }
}

/// Most tasks an agenda lists at once; the oldest come first.
pub const AGENDA_LIMIT: i64 = 500;

/// The agenda: tasks and approvals still waiting for a person, oldest first, each with why
/// in `lang`; only those of `owner`'s debtors when given.
pub async fn agenda(
    app: &App,
    owner: Option<&str>,
    lang: creanta_domain::model::Language,
) -> Result<Vec<(TaskRow, String)>, AppError> {
    let mut tx = app.store.begin().await?;
    let rows = repo::open_tasks(&mut tx, app.org_id(), owner, AGENDA_LIMIT).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.action.id).collect();
    let invoices = repo::action_invoices_of(&mut tx, app.org_id(), &ids).await?;
    drop(tx);
    Ok(rows
        .into_iter()
        .map(|r| {
            let why = explain(&r.action, invoices.get(&r.action.id), lang);
            (r, why)
        })
        .collect())
}

/// A debtor's actions, newest first.
pub async fn of_debtor(app: &App, debtor: i64) -> Result<Vec<ActionRow>, AppError> {
    let mut tx = app.store.begin().await?;
    let out = repo::actions_of_debtor(&mut tx, app.org_id(), debtor).await?;
    drop(tx);
    Ok(out)
}
