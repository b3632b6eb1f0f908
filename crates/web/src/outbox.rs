//! The mail outbox in the browser: every message with its status and the SMTP answer, one
//! message in full, "resend" for failed and uncertain ones, the "deliver invoices now" button
//! with what the delivery did, and the manager's override of a blocked invoice.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use creanta_app::AppError;
use creanta_app::deliver::{self, DeliveryReport, InvoiceRef};
use creanta_app::outbox::{self, OutboxMessage};
use creanta_domain::model::{Language, Role};
use creanta_store::repo::{outbox as outbox_store, views};
use serde::Deserialize;

use crate::auth::{CsrfOnly, CurrentUser};
use crate::findings::moment;
use crate::i18n::{self, MailTexts, Texts};
use crate::pages::{Frame, frame};
use crate::{WebError, WebState};

const PAGE: i64 = 50;
const STATUSES: [&str; 6] = [
    "queued",
    "sending",
    "sent",
    "failed",
    "uncertain",
    "cancelled",
];

/// Who sees the outbox and may start a delivery: the organization's people.
fn staff(user: &CurrentUser) -> Result<(), WebError> {
    match user.0.role() {
        Role::Partner => Err(WebError::Forbidden),
        _ => Ok(()),
    }
}

/// Resending may deliver a message twice (an uncertain one), so a manager decides it.
pub fn can_resend(user: &CurrentUser) -> bool {
    user.0.role().manages()
}

/// One message as a row of the list or the head of its page.
pub struct MessageView {
    pub id: i64,
    pub created: String,
    pub kind: String,
    pub kind_code: String,
    pub to: String,
    pub from: String,
    pub reply_to: String,
    pub subject: String,
    pub status: String,
    pub status_label: String,
    pub attempts: i64,
    pub answer: String,
    pub sent_at: String,
    pub next_attempt: String,
    pub attachments: Vec<String>,
    pub message_id: String,
    pub can_resend: bool,
}

pub fn message_view(m: &OutboxMessage, lang: Language, tz: &str) -> MessageView {
    let answer = match (&m.smtp_response, &m.last_error, &m.cancelled_reason) {
        (_, _, Some(c)) if m.status == "cancelled" => c.clone(),
        (Some(r), _, _) if m.status == "sent" => r.clone(),
        (_, Some(e), _) => e.clone(),
        (Some(r), None, _) => r.clone(),
        _ => String::new(),
    };
    MessageView {
        id: m.id,
        created: moment(m.created_at, tz, lang),
        kind: i18n::message_kind_label(&m.kind, lang).to_owned(),
        kind_code: m.kind.clone(),
        to: m.to.join(", "),
        from: m.from.clone(),
        reply_to: m.reply_to.clone().unwrap_or_default(),
        subject: m.subject.clone(),
        status: m.status.clone(),
        status_label: i18n::outbox_status_label(&m.status, lang).to_owned(),
        attempts: m.attempts,
        answer,
        sent_at: m.sent_at.map(|t| moment(t, tz, lang)).unwrap_or_default(),
        next_attempt: m
            .next_attempt_at
            .map(|t| moment(t, tz, lang))
            .unwrap_or_default(),
        attachments: m.attachments.iter().map(|a| a.file_name.clone()).collect(),
        message_id: m.message_id.clone(),
        can_resend: m.can_resend,
    }
}

/// An invoice the delivery report names, with a link to its page.
pub struct HeldView {
    pub id: i64,
    pub label: String,
    pub debtor: String,
    pub reasons: String,
}

fn held(r: &InvoiceRef, reasons: String) -> HeldView {
    HeldView {
        id: r.invoice_id,
        label: format!("{}{}", r.series, r.number),
        debtor: r.debtor_code.clone(),
        reasons,
    }
}

/// Invoices the delivery held back (or let through) for one reason.
pub struct HeldGroup {
    pub id: &'static str,
    pub title: &'static str,
    pub items: Vec<HeldView>,
}

/// What one press of "deliver invoices now" did.
pub struct ReportView {
    pub queued: usize,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    pub uncertain: usize,
    pub cancelled: usize,
    pub sent_elsewhere: usize,
    pub groups: Vec<HeldGroup>,
}

fn report_view(r: &DeliveryReport, lang: Language) -> ReportView {
    let m = i18n::mail_texts(lang);
    let plain = |list: &[InvoiceRef]| -> Vec<HeldView> {
        list.iter().map(|i| held(i, String::new())).collect()
    };
    let blocked = r
        .blocked
        .iter()
        .map(|h| {
            let reasons = h
                .reasons
                .iter()
                .map(|c| i18n::finding_label(c, lang).to_owned())
                .collect::<Vec<_>>()
                .join(", ");
            held(&h.invoice, reasons)
        })
        .collect();
    let groups = vec![
        ("held-blocked", m.blocked, blocked),
        ("held-overridden", m.overridden, plain(&r.overridden)),
        ("held-not-checked", m.not_checked, plain(&r.not_checked)),
        ("held-no-recipient", m.no_recipient, plain(&r.no_recipient)),
        ("held-no-file", m.no_invoice_file, plain(&r.no_invoice_file)),
    ];
    ReportView {
        queued: r.queued,
        sent: r.outbox.sent + r.outbox.written,
        retrying: r.outbox.retrying,
        failed: r.outbox.failed,
        uncertain: r.outbox.uncertain,
        cancelled: r.outbox.cancelled,
        sent_elsewhere: r.sent_elsewhere,
        groups: groups
            .into_iter()
            .filter(|(_, _, items)| !items.is_empty())
            .map(|(id, title, items)| HeldGroup { id, title, items })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    t: &'static Texts,
    m: &'static MailTexts,
    frame: Frame,
    status: String,
    tabs: Vec<(String, String, i64)>,
    total: i64,
    messages: Vec<MessageView>,
    newer: Option<String>,
    older: Option<String>,
    notice: Option<&'static str>,
    report: Option<ReportView>,
    may_resend: bool,
}

#[derive(Deserialize, Default)]
pub struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    resent: Option<String>,
}

async fn render_outbox(
    state: &WebState,
    user: &CurrentUser,
    q: &OutboxQuery,
    report: Option<ReportView>,
) -> Result<Response, WebError> {
    staff(user)?;
    let app = user.0.app(&state.store);
    let (t, lang) = (user.texts(), user.0.language());
    let status = STATUSES
        .iter()
        .find(|s| **s == q.status)
        .copied()
        .map(str::to_owned)
        .unwrap_or_default();
    let counts = outbox::counts(&app).await?;
    let count_of = |s: &str| {
        counts
            .iter()
            .find(|(k, _)| k == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let tabs = STATUSES
        .iter()
        .map(|s| {
            (
                (*s).to_owned(),
                i18n::outbox_status_label(s, lang).to_owned(),
                count_of(s),
            )
        })
        .collect();
    let list = outbox::list(
        &app,
        (!status.is_empty()).then_some(status.as_str()),
        q.before,
        PAGE + 1,
    )
    .await?;
    let has_more = list.len() as i64 > PAGE;
    let tz = user.0.org.time_zone.clone();
    let messages: Vec<MessageView> = list
        .iter()
        .take(PAGE as usize)
        .map(|m| message_view(m, lang, &tz))
        .collect();
    let with_status = |before: Option<i64>| {
        let mut url = format!("/outbox?status={status}");
        if let Some(b) = before {
            url.push_str(&format!("&before={b}"));
        }
        url
    };
    let page = OutboxPage {
        t,
        m: i18n::mail_texts(lang),
        frame: frame(user, "/outbox"),
        total: counts.iter().map(|(_, n)| n).sum(),
        tabs,
        older: has_more
            .then(|| messages.last().map(|m| with_status(Some(m.id))))
            .flatten(),
        newer: q.before.map(|_| with_status(None)),
        messages,
        status,
        notice: q.resent.as_ref().map(|_| i18n::mail_texts(lang).resent),
        report,
        may_resend: can_resend(user),
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn outbox_page(
    State(state): State<WebState>,
    user: CurrentUser,
    Query(q): Query<OutboxQuery>,
) -> Result<Response, WebError> {
    render_outbox(&state, &user, &q, None).await
}

/// "Deliver invoices now": the same delivery as `creanta deliver`, for today.
pub async fn deliver_now(
    State(state): State<WebState>,
    user: CurrentUser,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    staff(&user)?;
    let app = user.0.app(&state.store);
    let report =
        deliver::deliver_invoices(&app, app.today(), &user.0.user.email, &state.mail).await?;
    let view = report_view(&report, user.0.language());
    render_outbox(&state, &user, &OutboxQuery::default(), Some(view)).await
}

#[derive(Template)]
#[template(path = "outbox_message.html")]
struct MessagePage {
    t: &'static Texts,
    m: &'static MailTexts,
    frame: Frame,
    msg: MessageView,
    body: String,
    debtor: Option<(i64, String)>,
    invoices: Vec<(i64, String)>,
    may_resend: bool,
}

pub async fn message_page(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff(&user)?;
    let app = user.0.app(&state.store);
    let lang = user.0.language();
    let (msg, body) = outbox::get(&app, id).await?.ok_or(WebError::NotFound)?;
    let mut invoices = Vec::new();
    for invoice_id in outbox::invoice_ids(&app, id).await? {
        if let Some(i) = views::invoice(&state.store, app.org_id(), invoice_id).await? {
            invoices.push((invoice_id, format!("{}{}", i.series, i.number)));
        }
    }
    let debtor = match msg.debtor_id {
        Some(d) => views::debtor(&state.store, app.org_id(), d)
            .await?
            .map(|(row, _)| (d, row.name)),
        None => None,
    };
    let page = MessagePage {
        t: user.texts(),
        debtor,
        m: i18n::mail_texts(lang),
        frame: frame(&user, &format!("/outbox/{id}")),
        msg: message_view(&msg, lang, &user.0.org.time_zone),
        body,
        invoices,
        may_resend: can_resend(&user),
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn resend(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    staff(&user)?;
    if !can_resend(&user) {
        return Err(WebError::Forbidden);
    }
    let app = user.0.app(&state.store);
    outbox::get(&app, id).await?.ok_or(WebError::NotFound)?;
    match outbox::resend(&app, id, &user.0.user.email).await {
        Ok(()) => Ok(Redirect::to("/outbox?resent=1").into_response()),
        Err(AppError::Invalid(m)) => Err(WebError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}

/// The invoice page's delivery card: the messages that carried it, the override on record,
/// and whether the override form is offered.
pub struct DeliveryView {
    pub messages: Vec<MessageView>,
    pub override_by: Option<String>,
    pub can_override: bool,
}

pub async fn delivery_of_invoice(
    state: &WebState,
    user: &CurrentUser,
    invoice_id: i64,
    open_errors: usize,
    still_open: bool,
) -> Result<DeliveryView, WebError> {
    let app = user.0.app(&state.store);
    let lang = user.0.language();
    let tz = &user.0.org.time_zone;
    let messages: Vec<MessageView> = outbox::of_invoice(&app, invoice_id)
        .await?
        .iter()
        .map(|m| message_view(m, lang, tz))
        .collect();
    let decision = outbox_store::override_of(&state.store, app.org_id(), invoice_id).await?;
    let delivered = messages.iter().any(|m| m.kind_code == "invoice");
    Ok(DeliveryView {
        override_by: decision.map(|d| {
            format!(
                "{} · {} · „{}”",
                d.decided_by,
                moment(d.decided_at, tz, lang),
                d.reason
            )
        }),
        can_override: open_errors > 0 && still_open && !delivered && user.0.role().manages(),
        messages,
    })
}

#[derive(Deserialize)]
pub struct OverrideForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// A manager lets an invoice with open errors go with the next delivery.
pub async fn override_delivery(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<OverrideForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    staff(&user)?;
    if !user.0.role().manages() {
        return Err(WebError::Forbidden);
    }
    let app = user.0.app(&state.store);
    views::invoice(&state.store, app.org_id(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    let m = i18n::mail_texts(user.0.language());
    if form.reason.trim().is_empty() {
        return Err(WebError::BadRequest(m.reason_needed.to_owned()));
    }
    match deliver::override_delivery(&app, id, &user.0.user.email, &form.reason).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/invoices/{id}?overridden=1#delivery")).into_response())
        }
        Err(AppError::Invalid(msg)) => {
            Err(WebError::Conflict(format!("{} {msg}", m.override_refused)))
        }
        Err(e) => Err(e.into()),
    }
}
