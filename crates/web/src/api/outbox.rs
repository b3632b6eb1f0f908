//! The mail outbox and invoice delivery in the API: messages (listed newest first with a
//! cursor, or one with its text), resending a failed or uncertain one, running the delivery,
//! and a manager's override of an invoice held by open errors.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use creanta_app::deliver::{self, DeliveryReport, InvoiceRef};
use creanta_app::outbox::{self, OutboxMessage};
use creanta_store::repo::views;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, ToSchema};

use super::records::{codes_schema, plain};
use super::{ApiPath, ApiQuery, ApiUser, Problem, ProblemBody, refused};
use crate::WebState;

const STATUSES: [&str; 6] = [
    "queued",
    "sending",
    "sent",
    "failed",
    "uncertain",
    "cancelled",
];

fn statuses() -> RefOr<Schema> {
    codes_schema(STATUSES.to_vec())
}

fn kinds() -> RefOr<Schema> {
    codes_schema(vec!["invoice", "reminder", "notice", "statement", "other"])
}

/// A file attached to a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    /// The stored document it came from, when it is one.
    pub document_id: Option<i64>,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
}

/// One message of the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: i64,
    /// One message per key, ever: `invoice:42`, later `reminder:…`.
    pub idempotency_key: String,
    /// The same on every (re)send of the message.
    pub message_id: String,
    #[schema(schema_with = kinds)]
    pub kind: String,
    /// `queued` → `sending` → `sent`; or `failed`, `uncertain` (interrupted in the SMTP call:
    /// a person decides), `cancelled` (its invoices were paid before it left).
    #[schema(schema_with = statuses)]
    pub status: String,
    pub debtor_id: Option<i64>,
    pub from: String,
    pub reply_to: Option<String>,
    pub to: Vec<String>,
    pub subject: String,
    pub attachments: Vec<AttachmentOut>,
    pub attempts: i64,
    /// While queued: not before this moment.
    pub next_attempt_at: Option<jiff::Timestamp>,
    /// The SMTP server's answer (or where the `.eml` file was written).
    pub smtp_response: Option<String>,
    pub last_error: Option<String>,
    pub created_at: jiff::Timestamp,
    pub sent_at: Option<jiff::Timestamp>,
    pub cancelled_reason: Option<String>,
    /// `true` for failed and uncertain messages (admin or manager).
    pub can_resend: bool,
}

fn message_out(m: OutboxMessage) -> MessageOut {
    MessageOut {
        id: m.id,
        idempotency_key: m.idempotency_key,
        message_id: m.message_id,
        kind: m.kind,
        status: m.status,
        debtor_id: m.debtor_id,
        from: m.from,
        reply_to: m.reply_to,
        to: m.to,
        subject: m.subject,
        attachments: m
            .attachments
            .into_iter()
            .map(|a| AttachmentOut {
                document_id: a.document_id,
                file_name: a.file_name,
                media_type: a.media_type,
                sha256: a.sha256,
            })
            .collect(),
        attempts: m.attempts,
        next_attempt_at: m.next_attempt_at,
        smtp_response: m.smtp_response,
        last_error: m.last_error,
        created_at: m.created_at,
        sent_at: m.sent_at,
        cancelled_reason: m.cancelled_reason,
        can_resend: m.can_resend,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePage {
    /// Newest first.
    pub items: Vec<MessageOut>,
    /// Pass as `cursor` to get the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// Only messages with this status.
    #[param(schema_with = statuses)]
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/outbox", params(MessageQuery), responses(
    (status = 200, body = MessagePage),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn list_messages(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiQuery(q): ApiQuery<MessageQuery>,
) -> Result<Json<MessagePage>, Problem> {
    let limit = super::limit(q.limit)?;
    // Newest first: the cursor is the last id given, the next page is below it.
    let before = Some(super::parse_cursor(&q.cursor)?).filter(|c| *c > 0);
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(st) => {
            plain("status", st)?;
            Some(*STATUSES.iter().find(|known| **known == st).ok_or_else(|| {
                Problem::bad_request(format!(
                    "status {st:?} is not one of {}",
                    STATUSES.join(", ")
                ))
            })?)
        }
        None => None,
    };
    let app = s.app(&state.store);
    let mut items = outbox::list(&app, status, before, limit as i64 + 1).await?;
    let more = items.len() > limit;
    items.truncate(limit);
    let next_cursor = more
        .then(|| items.last().map(|m| m.id.to_string()))
        .flatten();
    Ok(Json(MessagePage {
        items: items.into_iter().map(message_out).collect(),
        next_cursor,
    }))
}

/// One message with its text and the invoices it is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDetail {
    #[serde(flatten)]
    pub message: MessageOut,
    pub body_text: String,
    pub invoice_ids: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/outbox/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = MessageDetail),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn get_message(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MessageDetail>, Problem> {
    let app = s.app(&state.store);
    let (m, body_text) = outbox::get(&app, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(MessageDetail {
        message: message_out(m),
        body_text,
        invoice_ids: outbox::invoice_ids(&app, id).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/outbox/{id}/resend", params(("id" = i64, Path)), responses(
    (status = 200, body = MessageOut, description = "queued again, with the same Message-ID"),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = ProblemBody, content_type = "application/problem+json",
        description = "the message is neither failed nor uncertain")),
    security(("token" = [])))]
pub async fn resend_message(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MessageOut>, Problem> {
    if !s.role().manages() {
        return Err(Problem::forbidden(
            "resending a message needs the admin or manager role",
        ));
    }
    let app = s.app(&state.store);
    outbox::get(&app, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    outbox::resend(&app, id, &s.user.email)
        .await
        .map_err(refused)?;
    let (m, _) = outbox::get(&app, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(message_out(m)))
}

/// When to deliver: invoices issued after `date` wait.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryRequest {
    /// Default: today in the organization's time zone.
    pub date: Option<jiff::civil::Date>,
}

/// An invoice a delivery names.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryInvoice {
    pub invoice_id: i64,
    pub entity_tax_id: String,
    pub series: String,
    pub number: String,
    pub debtor_code: String,
    /// For `blocked`: the codes of its open errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

fn delivery_invoice(r: &InvoiceRef, reasons: Vec<String>) -> DeliveryInvoice {
    DeliveryInvoice {
        invoice_id: r.invoice_id,
        entity_tax_id: r.entity_tax_id.clone(),
        series: r.series.clone(),
        number: r.number.clone(),
        debtor_code: r.debtor_code.clone(),
        reasons,
    }
}

/// What the outbox did during the delivery (also with messages queued earlier).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxCounts {
    pub sent: u64,
    /// Written as `.eml` files (no SMTP settings).
    pub written: u64,
    pub retrying: u64,
    pub failed: u64,
    pub uncertain: u64,
    pub cancelled: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    pub date: jiff::civil::Date,
    /// Messages queued now, one per invoice.
    pub queued: u64,
    pub overridden: Vec<DeliveryInvoice>,
    /// Held by open errors of the check.
    pub blocked: Vec<DeliveryInvoice>,
    pub not_checked: Vec<DeliveryInvoice>,
    /// No finance contact with an email address.
    pub no_recipient: Vec<DeliveryInvoice>,
    /// Neither an invoice PDF nor an e-Factura XML.
    pub no_invoice_file: Vec<DeliveryInvoice>,
    /// Imported with a `sent_on` date: sent by the invoicing program.
    pub sent_elsewhere: u64,
    pub outbox: OutboxCounts,
}

fn delivery_out(r: &DeliveryReport) -> DeliveryOut {
    let plain = |list: &[InvoiceRef]| -> Vec<DeliveryInvoice> {
        list.iter()
            .map(|i| delivery_invoice(i, Vec::new()))
            .collect()
    };
    DeliveryOut {
        date: r.date,
        queued: r.queued as u64,
        overridden: plain(&r.overridden),
        blocked: r
            .blocked
            .iter()
            .map(|h| delivery_invoice(&h.invoice, h.reasons.clone()))
            .collect(),
        not_checked: plain(&r.not_checked),
        no_recipient: plain(&r.no_recipient),
        no_invoice_file: plain(&r.no_invoice_file),
        sent_elsewhere: r.sent_elsewhere as u64,
        outbox: OutboxCounts {
            sent: r.outbox.sent as u64,
            written: r.outbox.written as u64,
            retrying: r.outbox.retrying as u64,
            failed: r.outbox.failed as u64,
            uncertain: r.outbox.uncertain as u64,
            cancelled: r.outbox.cancelled as u64,
        },
    }
}

#[utoipa::path(post, path = "/api/v1/deliveries",
    request_body(content = DeliveryRequest, description = "`{}` for today, or `{\"date\": \"2026-12-04\"}`"),
    responses(
        (status = 200, body = DeliveryOut),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn run_delivery(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    body: Result<Json<DeliveryRequest>, JsonRejection>,
) -> Result<Json<DeliveryOut>, Problem> {
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    let app = s.app(&state.store);
    let date = req.date.unwrap_or_else(|| app.today());
    let report = deliver::deliver_invoices(&app, date, &s.user.email, &state.mail).await?;
    Ok(Json(delivery_out(&report)))
}

/// Why the invoice may go despite its open errors.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    /// Required, at most 2000 characters; logged with the errors it overrides.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideOut {
    pub invoice_id: i64,
    pub decided_by: String,
    pub reason: String,
    pub decided_at: jiff::Timestamp,
}

#[utoipa::path(post, path = "/api/v1/invoices/{id}/delivery-override", params(("id" = i64, Path)),
    request_body(content = OverrideRequest),
    responses(
        (status = 200, body = OverrideOut, description = "the invoice goes with the next delivery"),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json",
            description = "the invoice is already in the outbox")),
    security(("token" = [])))]
pub async fn override_delivery(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<OverrideRequest>, JsonRejection>,
) -> Result<Json<OverrideOut>, Problem> {
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    if !s.role().manages() {
        return Err(Problem::forbidden(
            "overriding a blocked delivery needs the admin or manager role",
        ));
    }
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(Problem::bad_request(
            "reason: say in 1 to 2000 characters why the invoice goes despite its errors",
        ));
    }
    plain("reason", reason)?;
    views::invoice(&state.store, s.org.id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let app = s.app(&state.store);
    deliver::override_delivery(&app, id, &s.user.email, reason)
        .await
        .map_err(refused)?;
    let d = creanta_store::repo::outbox::override_of(&state.store, s.org.id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(OverrideOut {
        invoice_id: id,
        decided_by: d.decided_by,
        reason: d.reason,
        decided_at: d.decided_at,
    }))
}
