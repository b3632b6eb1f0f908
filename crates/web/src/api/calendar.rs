//! The action calendar in the API: the policies, a debtor's actions and late charges, what
//! people do with actions (approve, close with an outcome, record a served notice), disputes
//! that pause the calendar, and a run of the day.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use creanta_app::AppError;
use creanta_app::calendar::actions;
use creanta_app::calendar::holds::{self, NewHold};
use creanta_app::calendar::{self, RunOptions};
use creanta_domain::format_amount;
use creanta_domain::model::Role;
use creanta_store::repo::calendar::ActionRow;
use creanta_store::repo::views;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::records::plain;
use super::{ApiPath, ApiQuery, ApiUser, Problem, ProblemBody, debtor_exists, refused};
use crate::WebState;

pub(super) fn manager(role: Role, what: &str) -> Result<(), Problem> {
    if role.manages() {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "{what} needs the admin or manager role"
        )))
    }
}

/// One step of a policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepOut {
    pub code: String,
    /// Days from the due date (negative: before it).
    pub offset: i32,
    /// `email`, `call`, `letter`, `escalate` or `internal_alert`.
    pub kind: String,
    pub template: String,
    /// Minimum open amount per currency (decimal text).
    pub min_open: std::collections::BTreeMap<String, String>,
    pub needs_approval: bool,
    /// Generated documents attached: `statement`, `notice`.
    pub attach: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyOut {
    pub code: String,
    pub name: String,
    pub is_default: bool,
    pub steps: Vec<StepOut>,
}

#[utoipa::path(get, path = "/api/v1/policies", responses(
    (status = 200, body = Vec<PolicyOut>),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn list_policies(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
) -> Result<Json<Vec<PolicyOut>>, Problem> {
    let (policies, default) = calendar::policies(&s.app(&state.store)).await?;
    Ok(Json(
        policies
            .into_iter()
            .map(|p| PolicyOut {
                is_default: p.code == default,
                code: p.code,
                name: p.name,
                steps: p
                    .steps
                    .into_iter()
                    .map(|st| StepOut {
                        code: st.code,
                        offset: st.offset,
                        kind: st.kind.code().to_owned(),
                        template: st.template,
                        min_open: st
                            .min_open
                            .iter()
                            .map(|(c, m)| (c.as_str().to_owned(), format_amount(*m, *c)))
                            .collect(),
                        needs_approval: st.needs_approval,
                        attach: st.attach.iter().map(|a| a.code().to_owned()).collect(),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// One action of the calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    pub id: i64,
    /// `debtor:policy:step:date`.
    pub key: String,
    pub debtor_id: i64,
    pub run_date: jiff::civil::Date,
    pub policy: String,
    pub step: String,
    pub step_offset: i64,
    pub kind: String,
    /// `open` (a task), `awaiting_approval`, `done` or `cancelled`.
    pub status: String,
    /// The message it went out in.
    pub outbox_id: Option<i64>,
    pub owner: Option<String>,
    /// Why: "invoice X 10 days overdue → step +10 (firm_reminder)".
    pub reason: String,
    pub outcome: Option<String>,
    pub cancelled_reason: Option<String>,
    pub created_at: jiff::Timestamp,
}

fn action_out(a: ActionRow) -> ActionOut {
    ActionOut {
        id: a.id,
        key: a.key,
        debtor_id: a.debtor_id,
        run_date: a.run_date,
        policy: a.policy,
        step: a.step,
        step_offset: a.step_offset,
        kind: a.kind,
        status: a.status,
        outbox_id: a.outbox_id,
        owner: a.owner_email,
        reason: a.reason,
        outcome: a.outcome,
        cancelled_reason: a.cancelled_reason,
        created_at: a.created_at,
    }
}

#[utoipa::path(get, path = "/api/v1/debtors/{id}/actions", params(("id" = i64, Path)), responses(
    (status = 200, body = Vec<ActionOut>, description = "newest first"),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn debtor_actions(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ActionOut>>, Problem> {
    debtor_exists(&state, s.org.id, id).await?;
    let list = actions::of_debtor(&s.app(&state.store), id).await?;
    Ok(Json(list.into_iter().map(action_out).collect()))
}

async fn action_of_org(
    state: &WebState,
    s: &creanta_app::accounts::Session,
    id: i64,
) -> Result<(), Problem> {
    actions::get(&s.app(&state.store), id)
        .await?
        .map(|_| ())
        .ok_or_else(Problem::not_found)
}

#[utoipa::path(post, path = "/api/v1/actions/{id}/approve", params(("id" = i64, Path)), responses(
    (status = 200, body = ActionOut, description = "now a task of the debtor's owner"),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = ProblemBody, content_type = "application/problem+json",
        description = "the action does not wait for approval")),
    security(("token" = [])))]
pub async fn approve_action(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ActionOut>, Problem> {
    manager(s.role(), "approving an action")?;
    action_of_org(&state, &s, id).await?;
    let a = actions::approve(
        &s.app(&state.store),
        id,
        &s.user.email,
        s.role(),
        &state.mail,
    )
    .await
    .map_err(refused)?;
    Ok(Json(action_out(a)))
}

/// What came of a task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// Required, at most 2000 characters: "promised for Friday", "wrong address".
    pub outcome: String,
}

#[utoipa::path(post, path = "/api/v1/actions/{id}/complete", params(("id" = i64, Path)),
    request_body = CompleteRequest, responses(
    (status = 200, body = ActionOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = ProblemBody, content_type = "application/problem+json",
        description = "the action is not an open task")),
    security(("token" = [])))]
pub async fn complete_action(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<CompleteRequest>, JsonRejection>,
) -> Result<Json<ActionOut>, Problem> {
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    plain("outcome", &req.outcome)?;
    if req.outcome.trim().is_empty() || req.outcome.chars().count() > 2000 {
        return Err(Problem::bad_request(
            "outcome must have 1 to 2000 characters",
        ));
    }
    action_of_org(&state, &s, id).await?;
    let a = actions::complete(&s.app(&state.store), id, &s.user.email, &req.outcome)
        .await
        .map_err(refused)?;
    Ok(Json(action_out(a)))
}

/// When the formal notice was received, as the acknowledgement of receipt shows.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    pub served_on: jiff::civil::Date,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceOut {
    pub action_id: i64,
    pub served_on: jiff::civil::Date,
    /// The last day of the 15-day term (art. 1015 of the Code of Civil Procedure).
    pub term_ends: jiff::civil::Date,
}

#[utoipa::path(post, path = "/api/v1/actions/{id}/service", params(("id" = i64, Path)),
    request_body = ServiceRequest, responses(
    (status = 200, body = ServiceOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = ProblemBody, content_type = "application/problem+json",
        description = "the action is not a letter, or was cancelled")),
    security(("token" = [])))]
pub async fn record_service(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<ServiceRequest>, JsonRejection>,
) -> Result<Json<ServiceOut>, Problem> {
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    action_of_org(&state, &s, id).await?;
    let r = actions::record_service(&s.app(&state.store), id, req.served_on, None, &s.user.email)
        .await
        .map_err(refused)?;
    Ok(Json(ServiceOut {
        action_id: r.action_id,
        served_on: r.served_on,
        term_ends: r.term_ends,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChargesQuery {
    /// The day to compute to, included (default: today).
    pub date: Option<jiff::civil::Date>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceChargesOut {
    pub invoice_id: i64,
    pub number: String,
    pub due_date: jiff::civil::Date,
    pub days_late: i64,
    pub currency: String,
    /// Decimal text.
    pub open: String,
    /// Interest or contractual penalty (decimal text, in the invoice's currency).
    pub interest: Option<String>,
    /// `legal_interest` or `contract_penalty`.
    pub basis: Option<String>,
    /// The fixed compensation (decimal text) and its currency (RON for RON invoices, else EUR).
    pub compensation: Option<String>,
    pub compensation_currency: Option<String>,
    /// Why something could not be computed.
    pub problem: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChargeTotalsOut {
    pub currency: String,
    pub open: String,
    pub interest: String,
    pub compensation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChargesOut {
    pub date: jiff::civil::Date,
    /// `professionals` (+8 points, compensation) or `consumer` (+4 points).
    pub relation: String,
    pub invoices: Vec<InvoiceChargesOut>,
    pub totals: Vec<ChargeTotalsOut>,
}

#[utoipa::path(get, path = "/api/v1/debtors/{id}/charges", params(("id" = i64, Path), ChargesQuery),
    responses(
    (status = 200, body = ChargesOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn debtor_charges(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ChargesQuery>,
) -> Result<Json<ChargesOut>, Problem> {
    debtor_exists(&state, s.org.id, id).await?;
    let app = s.app(&state.store);
    let day = q.date.unwrap_or_else(|| app.today());
    let c = creanta_app::interest::charges(&app, id, day).await?;
    let text = |m: creanta_domain::Money| format_amount(m.minor, m.currency);
    Ok(Json(ChargesOut {
        date: c.day,
        relation: match c.relation {
            creanta_domain::interest::Relation::Professionals => "professionals",
            creanta_domain::interest::Relation::Consumer => "consumer",
        }
        .to_owned(),
        invoices: c
            .invoices
            .iter()
            .map(|i| InvoiceChargesOut {
                invoice_id: i.invoice_id,
                number: i.label.clone(),
                due_date: i.due_date,
                days_late: i.days_late,
                currency: i.open.currency.as_str().to_owned(),
                open: text(i.open),
                interest: i.charge.as_ref().map(|ch| text(ch.amount)),
                basis: i.charge.as_ref().map(|ch| {
                    match ch.basis {
                        creanta_domain::interest::ChargeBasis::LegalInterest { .. } => {
                            "legal_interest"
                        }
                        creanta_domain::interest::ChargeBasis::ContractPenalty { .. } => {
                            "contract_penalty"
                        }
                    }
                    .to_owned()
                }),
                compensation: i.compensation.map(text),
                compensation_currency: i.compensation.map(|m| m.currency.as_str().to_owned()),
                problem: (!i.problems.is_empty()).then(|| {
                    let texts: Vec<String> = i.problems.iter().map(ToString::to_string).collect();
                    texts.join("; ")
                }),
            })
            .collect(),
        totals: c
            .totals
            .iter()
            .map(|t| ChargeTotalsOut {
                currency: t.currency.as_str().to_owned(),
                open: format_amount(t.open, t.currency),
                interest: format_amount(t.interest, t.currency),
                compensation: format_amount(t.compensation, t.currency),
            })
            .collect(),
    }))
}

/// An objection on an invoice: the calendar pauses for it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeRequest {
    pub invoice_id: i64,
    /// A reason code of the taxonomy (`wrong_entity`, `po_missing`, … `quality_complaint`,
    /// `not_received`, `cash_flow`, `bad_faith`, `other`).
    pub reason: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisputeOut {
    pub id: i64,
    /// Pending actions cancelled because of it.
    pub cancelled_actions: usize,
}

#[utoipa::path(post, path = "/api/v1/disputes", request_body = DisputeRequest, responses(
    (status = 201, body = DisputeOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn open_dispute(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    body: Result<Json<DisputeRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<DisputeOut>), Problem> {
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    plain("reason", &req.reason)?;
    if let Some(n) = &req.note {
        plain("note", n)?;
        if n.chars().count() > 2000 {
            return Err(Problem::bad_request(
                "note must have at most 2000 characters",
            ));
        }
    }
    views::invoice(&state.store, s.org.id, req.invoice_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    if !holds::dispute_reasons().contains(&req.reason.as_str()) {
        return Err(Problem::bad_request(format!(
            "reason {:?} is not one of: {}",
            req.reason,
            holds::dispute_reasons().join(", ")
        )));
    }
    let (id, cancelled) = holds::add(
        &s.app(&state.store),
        &NewHold::Dispute {
            invoice_id: req.invoice_id,
            reason: req.reason,
            note: req.note,
        },
        &s.user.email,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(DisputeOut {
            id,
            cancelled_actions: cancelled.len(),
        }),
    ))
}

/// A promise to pay, a pause, an exclusion or a hand-off to a partner: the calendar holds the
/// debtor's invoices (or the one named) back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    pub debtor_id: i64,
    /// `promise`, `pause`, `exclude` or `hand_off`.
    pub kind: String,
    /// For a promise or pause: only this invoice of the debtor.
    pub invoice_id: Option<i64>,
    /// A promise's date (required), or the end of a pause (none: until released).
    pub until: Option<jiff::civil::Date>,
    /// A promise's amount (decimal text) and currency.
    pub amount: Option<String>,
    pub currency: Option<String>,
    /// A hand-off's partner (required).
    pub partner: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldOut {
    pub id: i64,
    pub cancelled_actions: usize,
}

#[utoipa::path(post, path = "/api/v1/holds", request_body = HoldRequest, responses(
    (status = 201, body = HoldOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn add_hold(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    body: Result<Json<HoldRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<HoldOut>), Problem> {
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    for (name, v) in [
        ("kind", Some(&req.kind)),
        ("amount", req.amount.as_ref()),
        ("currency", req.currency.as_ref()),
        ("partner", req.partner.as_ref()),
        ("note", req.note.as_ref()),
    ] {
        if let Some(v) = v {
            plain(name, v)?;
            if v.chars().count() > 2000 {
                return Err(Problem::bad_request(format!(
                    "{name} must have at most 2000 characters"
                )));
            }
        }
    }
    debtor_exists(&state, s.org.id, req.debtor_id).await?;
    if let Some(i) = req.invoice_id {
        let inv = views::invoice(&state.store, s.org.id, i)
            .await?
            .ok_or_else(Problem::not_found)?;
        if inv.debtor_id != req.debtor_id {
            return Err(Problem::bad_request(format!(
                "invoice {i} is not the debtor's"
            )));
        }
    }
    let hold = match req.kind.as_str() {
        "promise" => {
            let until = req
                .until
                .ok_or_else(|| Problem::bad_request("until: a promise needs its date"))?;
            let currency = creanta_domain::Currency::parse(req.currency.as_deref().unwrap_or(""))
                .map_err(|e| Problem::bad_request(format!("currency: {e}")))?;
            let amount =
                creanta_domain::parse_amount(req.amount.as_deref().unwrap_or(""), currency)
                    .map_err(|e| Problem::bad_request(format!("amount: {e}")))?;
            if amount <= 0 {
                return Err(Problem::bad_request("amount: a promise must be positive"));
            }
            NewHold::Promise {
                debtor_id: req.debtor_id,
                invoice_id: req.invoice_id,
                amount,
                currency,
                until,
                note: req.note,
            }
        }
        "pause" => NewHold::Pause {
            debtor_id: req.debtor_id,
            invoice_id: req.invoice_id,
            until: req.until,
            note: req.note,
        },
        "exclude" => NewHold::Exclude {
            debtor_id: req.debtor_id,
            note: req.note,
        },
        "hand_off" => NewHold::HandOff {
            debtor_id: req.debtor_id,
            partner: req
                .partner
                .filter(|p| !p.trim().is_empty())
                .ok_or_else(|| Problem::bad_request("partner: a hand-off names its partner"))?,
            note: req.note,
        },
        other => {
            return Err(Problem::bad_request(format!(
                "kind {other:?} is not one of promise, pause, exclude, hand_off"
            )));
        }
    };
    let (id, cancelled) = holds::add(&s.app(&state.store), &hold, &s.user.email)
        .await
        .map_err(|e| match e {
            AppError::Invalid(m) => Problem::bad_request(m),
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(HoldOut {
            id,
            cancelled_actions: cancelled.len(),
        }),
    ))
}

/// Which day to run.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Default: today in the organization's time zone.
    pub date: Option<jiff::civil::Date>,
    /// Plan and report only.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunOut {
    pub date: jiff::civil::Date,
    pub dry_run: bool,
    /// Actions planned for the day (recorded now or by an earlier run of the same day).
    pub actions: usize,
    pub recorded: usize,
    pub messages_queued: usize,
    pub tasks_created: usize,
    pub skipped: usize,
    pub up_to_date: usize,
    pub not_yet_due: usize,
}

#[utoipa::path(post, path = "/api/v1/calendar/runs", request_body = RunRequest, responses(
    (status = 200, body = RunOut, description = "queued messages leave with the next delivery (every minute in the server)"),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn run_day(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    body: Result<Json<RunRequest>, JsonRejection>,
) -> Result<Json<RunOut>, Problem> {
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    manager(s.role(), "running the calendar")?;
    let app = s.app(&state.store);
    let opts = RunOptions {
        date: req.date.unwrap_or_else(|| app.today()),
        dry_run: req.dry_run,
        send: false,
        actor: s.user.email.clone(),
    };
    let r = calendar::run(&app, &opts, &state.mail).await?;
    Ok(Json(RunOut {
        date: r.date,
        dry_run: r.dry_run,
        actions: r.actions.len(),
        recorded: r.recorded,
        messages_queued: r.messages_queued,
        tasks_created: r.tasks_created,
        skipped: r.skipped.len(),
        up_to_date: r.up_to_date,
        not_yet_due: r.not_yet_due,
    }))
}
