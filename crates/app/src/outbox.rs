//! The mail outbox (DESIGN.md, "The daily run", point 5): every message Creanța sends is
//! queued here first, in the transaction that decided to send it, and delivered by
//! [`deliver_outbox`] through SMTP — or, with no SMTP settings, written as an `.eml` file.
//!
//! A message is never lost and never sent twice:
//! - queueing is idempotent: one message per idempotency key ([`enqueue`]);
//! - a sender claims a message (status `sending` with a lease) and commits the claim before
//!   it talks to the server, then records `sent` with the server's answer;
//! - the only window of doubt is the SMTP call itself: a message found `sending` after its
//!   lease ran out was caught there by a crash and becomes `uncertain`. It is never resent
//!   automatically; a person decides with [`resend`], which keeps the same Message-ID so that
//!   a receiving system can recognise a duplicate;
//! - transient failures (4xx, connection refused, timeouts) go back to the queue with
//!   exponential back-off; permanent ones (5xx) and too many attempts end in `failed`;
//! - just before sending, the invoices a message is about are checked again: when none is
//!   still open, the message is `cancelled` with the reason.

use std::path::{Path, PathBuf};
use std::time::Duration;

use creanta_store::Tx;
use creanta_store::repo::events::{self, NewEvent};
use creanta_store::repo::outbox::{self as repo, NewOutboxRow, OutboxRow};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{App, AppError};

/// Who the outbox writes in the activity log.
pub const OUTBOX_ACTOR: &str = "outbox";

/// Waits before the next try after the 1st, 2nd, … transient failure.
const BACKOFF_SECONDS: &[i64] = &[60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600];
/// Attempts after which a message that still fails transiently is `failed`.
pub const MAX_ATTEMPTS: i64 = 6;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain text (only for a relay on the same machine or a test server).
    None,
    /// STARTTLS required (submission, port 587).
    StartTls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
    /// Messages sent at once, each over its own connection (`connections=N`, default 4): a
    /// server answers one message at a time per connection, so parallel connections are what
    /// makes a large morning run go out in minutes.
    pub connections: usize,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .field("connections", &self.connections)
            .finish()
    }
}

impl SmtpSettings {
    /// Reads `smtp://[user[:password]@]host[:port][?tls=none|starttls|tls&timeout=SECONDS&connections=N]` or
    /// `smtps://…` (TLS from the start, port 465). `smtp://` requires STARTTLS unless
    /// `tls=none` is given (port 587, or 25 with `tls=none`). User and password are
    /// percent-decoded.
    pub fn from_url(url: &str) -> Result<SmtpSettings, String> {
        let bad = |why: &str| format!("bad SMTP URL {}: {why}", redact(url));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected smtp://… or smtps://…"))?;
        let mut tls = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => TlsMode::StartTls,
            "smtps" => TlsMode::Tls,
            _ => return Err(bad("the scheme must be smtp or smtps")),
        };
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let authority = authority.trim_end_matches('/');
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let mut timeout = Duration::from_secs(30);
        let mut connections = DEFAULT_CONNECTIONS;
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "tls" => {
                    tls = match v.to_ascii_lowercase().as_str() {
                        "none" | "off" | "false" => TlsMode::None,
                        "starttls" | "required" => TlsMode::StartTls,
                        "tls" | "wrapper" | "smtps" => TlsMode::Tls,
                        _ => return Err(bad("tls must be none, starttls or tls")),
                    }
                }
                "timeout" => {
                    let secs: u64 = v
                        .parse()
                        .map_err(|_| bad("timeout must be a number of seconds"))?;
                    timeout = Duration::from_secs(secs.max(1));
                }
                "connections" => {
                    connections = v
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=64).contains(n))
                        .ok_or_else(|| bad("connections must be a number from 1 to 64"))?;
                }
                _ => return Err(bad(&format!("unknown parameter {k:?}"))),
            }
        }
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || p.chars().all(|c| c.is_ascii_digit()) => (
                h,
                Some(
                    p.parse::<u16>()
                        .map_err(|_| bad("the port is not a number"))?,
                ),
            ),
            _ => (hostport, None),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = port.unwrap_or(match tls {
            TlsMode::Tls => 465,
            TlsMode::StartTls => 587,
            TlsMode::None => 25,
        });
        let (username, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((user, pass)) => (Some(percent_decode(user)?), Some(percent_decode(pass)?)),
                None => (Some(percent_decode(u)?), None),
            },
            None => (None, None),
        };
        Ok(SmtpSettings {
            host: host.to_owned(),
            port,
            tls,
            username,
            password,
            timeout,
            connections,
        })
    }
}

/// Parallel SMTP connections unless the URL says otherwise.
pub const DEFAULT_CONNECTIONS: usize = 4;

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &url[..s + 3], &url[at..]),
        _ => url.to_owned(),
    }
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| "bad %-escape in the SMTP URL".to_owned())?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the SMTP URL's user or password is not UTF-8".to_owned())
}

/// Where and how mail goes.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `None`: messages are written as `.eml` files into `outbox_dir` (the embedded default).
    pub smtp: Option<SmtpSettings>,
    pub outbox_dir: PathBuf,
    /// The sender address when the issuing entity has no `email` attribute.
    pub from_fallback: String,
}

/// Sender address used when neither the entity nor `CREANTA_MAIL_FROM` names one.
pub const DEFAULT_FROM: &str = "facturare@localhost";

impl MailSettings {
    /// No SMTP: `.eml` files under `<data_dir>/outbox/`.
    pub fn files(data_dir: &Path) -> MailSettings {
        MailSettings {
            smtp: None,
            outbox_dir: data_dir.join("outbox"),
            from_fallback: DEFAULT_FROM.to_owned(),
        }
    }

    /// `CREANTA_SMTP_URL` (see [`SmtpSettings::from_url`]) and `CREANTA_MAIL_FROM`; files under
    /// `<data_dir>/outbox/` when no SMTP URL is set.
    pub fn from_env(data_dir: &Path) -> Result<MailSettings, AppError> {
        let mut settings = MailSettings::files(data_dir);
        if let Some(url) = std::env::var("CREANTA_SMTP_URL")
            .ok()
            .filter(|s| !s.trim().is_empty())
        {
            settings.smtp = Some(SmtpSettings::from_url(url.trim()).map_err(AppError::Invalid)?);
        }
        if let Some(from) = std::env::var("CREANTA_MAIL_FROM")
            .ok()
            .filter(|s| !s.trim().is_empty())
        {
            let from = from.trim().to_owned();
            from.parse::<Mailbox>()
                .map_err(|e| AppError::Invalid(format!("CREANTA_MAIL_FROM {from:?}: {e}")))?;
            settings.from_fallback = from;
        }
        Ok(settings)
    }
}

/// What a message is about; stored in `outbox.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Invoice,
    Reminder,
    Notice,
    Statement,
    Other,
}

impl MessageKind {
    pub fn code(self) -> &'static str {
        match self {
            MessageKind::Invoice => "invoice",
            MessageKind::Reminder => "reminder",
            MessageKind::Notice => "notice",
            MessageKind::Statement => "statement",
            MessageKind::Other => "other",
        }
    }
}

/// A stored file attached to a message: its bytes are the blob `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub document_id: Option<i64>,
    pub sha256: String,
    pub file_name: String,
    pub media_type: String,
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// One message per key and organization, ever: `invoice:42`, `reminder:7:+10:2025-03-01`.
    pub idempotency_key: String,
    pub kind: MessageKind,
    pub debtor_id: Option<i64>,
    /// The invoices the message is about: when none is open any more at sending time, the
    /// message is cancelled. Empty: never cancelled for that reason.
    pub invoice_ids: Vec<i64>,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub attachments: Vec<Attachment>,
}

/// The Message-ID of the message with this key: the same on every (re)send, and different
/// between organizations. `<32 hex digits@domain of the sender>`.
pub fn message_id_for(org: i64, idempotency_key: &str, from: &Mailbox) -> String {
    let digest = hex::encode(Sha256::digest(
        format!("{org}:{idempotency_key}").as_bytes(),
    ));
    format!("<{}@{}>", &digest[..32], from.email.domain())
}

/// Queues a message in the caller's transaction. Returns its id, or `None` when a message
/// with the same idempotency key was queued before (nothing is written then).
pub async fn enqueue(
    tx: &mut Tx,
    org: i64,
    now: jiff::Timestamp,
    actor: &str,
    m: &NewMessage,
) -> Result<Option<i64>, AppError> {
    if m.to.is_empty() {
        return Err(AppError::Invalid(format!(
            "message {}: no recipient",
            m.idempotency_key
        )));
    }
    let message_id = message_id_for(org, &m.idempotency_key, &m.from);
    let to: Vec<String> = m.to.iter().map(ToString::to_string).collect();
    let to_json = serde_json::to_string(&to).expect("strings serialize");
    let attachments = serde_json::to_string(&m.attachments).expect("attachments serialize");
    let from = m.from.to_string();
    let reply_to = m.reply_to.as_ref().map(ToString::to_string);
    let row = NewOutboxRow {
        idempotency_key: &m.idempotency_key,
        message_id: &message_id,
        kind: m.kind.code(),
        debtor_id: m.debtor_id,
        from_addr: &from,
        reply_to: reply_to.as_deref(),
        to_addrs: &to_json,
        subject: &m.subject,
        body_text: &m.body_text,
        body_html: m.body_html.as_deref(),
        attachments: &attachments,
        next_attempt_at: now.as_second(),
    };
    let id = repo::insert(tx, org, &row, &m.invoice_ids, now).await?;
    if let Some(id) = id {
        events::append(
            tx,
            org,
            now,
            &[NewEvent {
                actor: actor.to_owned(),
                kind: "outbox.queued".into(),
                subject_type: "outbox".into(),
                subject_id: Some(id),
                data: serde_json::json!({
                    "key": m.idempotency_key, "message_id": message_id, "kind": m.kind.code(),
                    "to": to, "subject": m.subject, "invoice_ids": m.invoice_ids,
                }),
            }],
        )
        .await?;
    }
    Ok(id)
}

/// Queues many messages in the caller's transaction (one multi-row insert per few hundred,
/// one batch of `outbox.queued` events); returns the ids of those that were new, by key.
pub async fn enqueue_many(
    tx: &mut Tx,
    org: i64,
    now: jiff::Timestamp,
    actor: &str,
    messages: &[NewMessage],
) -> Result<std::collections::HashMap<String, i64>, AppError> {
    struct Prepared {
        message_id: String,
        to: Vec<String>,
        to_json: String,
        attachments: String,
        from: String,
        reply_to: Option<String>,
    }
    let mut prepared = Vec::with_capacity(messages.len());
    for m in messages {
        if m.to.is_empty() {
            return Err(AppError::Invalid(format!(
                "message {}: no recipient",
                m.idempotency_key
            )));
        }
        let to: Vec<String> = m.to.iter().map(ToString::to_string).collect();
        prepared.push(Prepared {
            message_id: message_id_for(org, &m.idempotency_key, &m.from),
            to_json: serde_json::to_string(&to).expect("strings serialize"),
            to,
            attachments: serde_json::to_string(&m.attachments).expect("attachments serialize"),
            from: m.from.to_string(),
            reply_to: m.reply_to.as_ref().map(ToString::to_string),
        });
    }
    let rows: Vec<(NewOutboxRow<'_>, &[i64])> = messages
        .iter()
        .zip(&prepared)
        .map(|(m, p)| {
            (
                NewOutboxRow {
                    idempotency_key: &m.idempotency_key,
                    message_id: &p.message_id,
                    kind: m.kind.code(),
                    debtor_id: m.debtor_id,
                    from_addr: &p.from,
                    reply_to: p.reply_to.as_deref(),
                    to_addrs: &p.to_json,
                    subject: &m.subject,
                    body_text: &m.body_text,
                    body_html: m.body_html.as_deref(),
                    attachments: &p.attachments,
                    next_attempt_at: now.as_second(),
                },
                m.invoice_ids.as_slice(),
            )
        })
        .collect();
    let ids = repo::insert_many(tx, org, &rows, now).await?;
    let evs: Vec<NewEvent> = messages
        .iter()
        .zip(&prepared)
        .filter_map(|(m, p)| {
            ids.get(&m.idempotency_key).map(|id| NewEvent {
                actor: actor.to_owned(),
                kind: "outbox.queued".into(),
                subject_type: "outbox".into(),
                subject_id: Some(*id),
                data: serde_json::json!({
                    "key": m.idempotency_key, "message_id": p.message_id, "kind": m.kind.code(),
                    "to": p.to, "subject": m.subject, "invoice_ids": m.invoice_ids,
                }),
            })
        })
        .collect();
    events::append(tx, org, now, &evs).await?;
    Ok(ids)
}

/// What one delivery round did to one message.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: i64,
    pub message_id: String,
    pub kind: String,
    /// `sent`, `written`, `retrying`, `failed`, `uncertain` or `cancelled`.
    pub result: String,
    pub detail: String,
}

/// What [`deliver_outbox`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OutboxReport {
    /// Accepted by the SMTP server.
    pub sent: usize,
    /// Written as `.eml` files (no SMTP settings).
    pub written: usize,
    /// Failed transiently; back in the queue for a later try.
    pub retrying: usize,
    pub failed: usize,
    /// Found interrupted in the SMTP call: a person must decide.
    pub uncertain: usize,
    pub cancelled: usize,
    pub outcomes: Vec<Outcome>,
}

impl OutboxReport {
    fn merge(&mut self, other: OutboxReport) {
        self.sent += other.sent;
        self.written += other.written;
        self.retrying += other.retrying;
        self.failed += other.failed;
        self.uncertain += other.uncertain;
        self.cancelled += other.cancelled;
        self.outcomes.extend(other.outcomes);
    }

    fn push(&mut self, row: &OutboxRow, result: &str, detail: String) {
        match result {
            "sent" => self.sent += 1,
            "written" => self.written += 1,
            "retrying" => self.retrying += 1,
            "failed" => self.failed += 1,
            "uncertain" => self.uncertain += 1,
            "cancelled" => self.cancelled += 1,
            _ => {}
        }
        self.outcomes.push(Outcome {
            id: row.id,
            message_id: row.message_id.clone(),
            kind: row.kind.clone(),
            result: result.to_owned(),
            detail,
        });
    }
}

/// Delivers every due message now.
pub async fn deliver_outbox(app: &App, settings: &MailSettings) -> Result<OutboxReport, AppError> {
    deliver_outbox_at(app, settings, crate::now()).await
}

/// How the sender reaches the world.
#[derive(Clone)]
enum Transport {
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    Files(PathBuf),
}

impl Transport {
    fn new(settings: &MailSettings) -> Result<Transport, AppError> {
        let Some(s) = &settings.smtp else {
            return Ok(Transport::Files(settings.outbox_dir.clone()));
        };
        let smtp_err = |e: lettre::transport::smtp::Error| {
            AppError::Invalid(format!("SMTP settings for {}: {e}", s.host))
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.as_str())
            .port(s.port)
            .timeout(Some(s.timeout));
        b = match s.tls {
            TlsMode::None => b.tls(Tls::None),
            TlsMode::StartTls => b.tls(Tls::Required(
                TlsParameters::new(s.host.clone()).map_err(smtp_err)?,
            )),
            TlsMode::Tls => b.tls(Tls::Wrapper(
                TlsParameters::new(s.host.clone()).map_err(smtp_err)?,
            )),
        };
        if let Some(user) = &s.username {
            b = b.credentials(Credentials::new(
                user.clone(),
                s.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Transport::Smtp(Box::new(b.build())))
    }

    fn code(&self) -> &'static str {
        match self {
            Transport::Smtp(_) => "smtp",
            Transport::Files(_) => "file",
        }
    }
}

/// How long a claim protects a message being sent: past this, its sender is taken for dead.
fn lease_seconds(settings: &MailSettings) -> i64 {
    match &settings.smtp {
        Some(s) => 2 * s.timeout.as_secs() as i64 + 60,
        None => 60,
    }
}

/// Delivers every message due at `now` (tests pass a later `now` to skip the back-off).
pub async fn deliver_outbox_at(
    app: &App,
    settings: &MailSettings,
    now: jiff::Timestamp,
) -> Result<OutboxReport, AppError> {
    let transport = Transport::new(settings)?;
    let mut report = OutboxReport::default();
    recover_expired(app, settings, now, &mut report).await?;
    let workers = settings.smtp.as_ref().map_or(1, |s| s.connections.max(1));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (app, transport, settings) = (app.clone(), transport.clone(), settings.clone());
        set.spawn(async move { deliver_worker(&app, &transport, &settings, now).await });
    }
    let mut failure = None;
    while let Some(done) = set.join_next().await {
        match done {
            Ok(Ok(part)) => report.merge(part),
            Ok(Err(e)) => failure = Some(e),
            Err(e) => failure = Some(AppError::Invalid(format!("a mail sender stopped: {e}"))),
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    report.outcomes.sort_by_key(|o| o.id);
    Ok(report)
}

/// One sender: claims due messages one at a time until none is left. Several run at once;
/// a claim is a committed lease (and `SKIP LOCKED` on PostgreSQL), so no two take the same.
async fn deliver_worker(
    app: &App,
    transport: &Transport,
    settings: &MailSettings,
    now: jiff::Timestamp,
) -> Result<OutboxReport, AppError> {
    let mut report = OutboxReport::default();
    let org = app.org_id();
    let now_s = now.as_second();
    loop {
        // Claim one message and commit the claim before talking to the server, so that the
        // window of doubt is the SMTP call alone.
        let mut tx = app.store.begin().await?;
        let Some(row) = repo::next_due(&mut tx, org, now_s).await? else {
            break;
        };
        let linked = repo::invoice_ids(&mut tx, org, row.id).await?;
        if !linked.is_empty() && repo::open_invoice_count(&mut tx, org, row.id).await? == 0 {
            let reason = if linked.len() == 1 {
                "the invoice was paid or credited in full before sending".to_owned()
            } else {
                format!(
                    "all {} invoices were paid or credited in full before sending",
                    linked.len()
                )
            };
            repo::set_final(&mut tx, org, row.id, "cancelled", None, None, Some(&reason)).await?;
            log(
                &mut tx,
                org,
                now,
                "outbox.cancelled",
                &row,
                json_reason(&reason),
            )
            .await?;
            tx.commit().await?;
            report.push(&row, "cancelled", reason);
            continue;
        }
        repo::set_sending(
            &mut tx,
            org,
            row.id,
            now_s + lease_seconds(settings),
            transport.code(),
        )
        .await?;
        tx.commit().await?;
        let attempts = row.attempts + 1;

        let result = send(app, transport, &row).await;

        let mut tx = app.store.begin().await?;
        match result {
            Ok(Delivered::Smtp(answer)) => {
                record_sent(&mut tx, app, now, &row, &linked, &answer).await?;
                report.push(&row, "sent", answer);
            }
            Ok(Delivered::File(path)) => {
                let answer = format!("written to {}", path.display());
                record_sent(&mut tx, app, now, &row, &linked, &answer).await?;
                report.push(&row, "written", answer);
            }
            Err(SendError::Transient(e)) if attempts < MAX_ATTEMPTS => {
                let wait = BACKOFF_SECONDS[(attempts as usize - 1).min(BACKOFF_SECONDS.len() - 1)];
                let next = now_s + wait;
                repo::set_retry(&mut tx, org, row.id, &e, Some(&e), next).await?;
                log(
                    &mut tx,
                    org,
                    now,
                    "outbox.retry",
                    &row,
                    serde_json::json!({ "error": e, "attempts": attempts, "next_attempt_at": next }),
                )
                .await?;
                report.push(
                    &row,
                    "retrying",
                    format!("{e} (attempt {attempts}, next in {} min)", wait / 60),
                );
            }
            Err(SendError::Transient(e) | SendError::Permanent(e)) => {
                let e = if attempts >= MAX_ATTEMPTS {
                    format!("{e} (gave up after {attempts} attempts)")
                } else {
                    e
                };
                repo::set_final(&mut tx, org, row.id, "failed", Some(&e), Some(&e), None).await?;
                log(
                    &mut tx,
                    org,
                    now,
                    "outbox.failed",
                    &row,
                    serde_json::json!({ "error": e, "attempts": attempts }),
                )
                .await?;
                report.push(&row, "failed", e);
            }
            Err(SendError::Broken(e)) => {
                // The message cannot be built (a blob is missing, an address is invalid):
                // nothing was sent, and trying again would fail the same way.
                repo::set_final(&mut tx, org, row.id, "failed", Some(&e), None, None).await?;
                log(
                    &mut tx,
                    org,
                    now,
                    "outbox.failed",
                    &row,
                    serde_json::json!({ "error": e, "attempts": attempts }),
                )
                .await?;
                report.push(&row, "failed", e);
            }
        }
        tx.commit().await?;
    }
    Ok(report)
}

fn json_reason(reason: &str) -> serde_json::Value {
    serde_json::json!({ "reason": reason })
}

async fn log(
    tx: &mut Tx,
    org: i64,
    now: jiff::Timestamp,
    kind: &str,
    row: &OutboxRow,
    mut data: serde_json::Value,
) -> Result<(), AppError> {
    if let Some(obj) = data.as_object_mut() {
        obj.insert("message_id".into(), row.message_id.clone().into());
        obj.insert("key".into(), row.idempotency_key.clone().into());
    }
    events::append(
        tx,
        org,
        now,
        &[NewEvent {
            actor: OUTBOX_ACTOR.into(),
            kind: kind.into(),
            subject_type: "outbox".into(),
            subject_id: Some(row.id),
            data,
        }],
    )
    .await?;
    Ok(())
}

/// Records a delivered message; an invoice message also marks its invoices as sent (to the
/// message's recipients, on the organization's date of sending) and logs `invoice.delivered`.
async fn record_sent(
    tx: &mut Tx,
    app: &App,
    now: jiff::Timestamp,
    row: &OutboxRow,
    invoice_ids: &[i64],
    answer: &str,
) -> Result<(), AppError> {
    let org = app.org_id();
    repo::set_sent(tx, org, row.id, answer, now).await?;
    log(
        tx,
        org,
        now,
        "outbox.sent",
        row,
        serde_json::json!({ "response": answer, "to": recipients(row) }),
    )
    .await?;
    if row.kind == MessageKind::Invoice.code() {
        let to: Vec<String> = recipients(row)
            .iter()
            .map(|m| {
                m.parse::<Mailbox>()
                    .map(|mb| mb.email.to_string())
                    .unwrap_or_else(|_| m.clone())
            })
            .collect();
        let sent_to = to.join(", ");
        let tz = jiff::tz::TimeZone::get(&app.org.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let day = now.to_zoned(tz).date();
        let mut evs = Vec::new();
        for id in invoice_ids {
            tx.execute(
                "UPDATE invoices SET sent_to = $1, sent_on = $2 WHERE org_id = $3 AND id = $4",
                &creanta_store::args![sent_to.as_str(), day, org, *id],
            )
            .await?;
            evs.push(NewEvent {
                actor: OUTBOX_ACTOR.into(),
                kind: "invoice.delivered".into(),
                subject_type: "invoice".into(),
                subject_id: Some(*id),
                data: serde_json::json!({
                    "outbox_id": row.id, "message_id": row.message_id, "to": to, "on": day,
                    "response": answer,
                }),
            });
        }
        events::append(tx, org, now, &evs).await?;
    }
    Ok(())
}

fn recipients(row: &OutboxRow) -> Vec<String> {
    serde_json::from_str(&row.to_addrs).unwrap_or_default()
}

/// Messages whose sender died while holding them. Written to a file: the file tells whether
/// it got out (the rename is atomic), so these are settled. Sent by SMTP: nobody can know;
/// they become `uncertain` for a person to decide.
async fn recover_expired(
    app: &App,
    settings: &MailSettings,
    now: jiff::Timestamp,
    report: &mut OutboxReport,
) -> Result<(), AppError> {
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let expired = repo::expired_leases(&mut tx, org, now.as_second()).await?;
    for row in &expired {
        if row.transport.as_deref() == Some("file") {
            let path = eml_path(&settings.outbox_dir, &row.message_id);
            if path.exists() {
                let linked = repo::invoice_ids(&mut tx, org, row.id).await?;
                let answer = format!(
                    "written to {} (found after an interruption)",
                    path.display()
                );
                record_sent(&mut tx, app, now, row, &linked, &answer).await?;
                report.push(row, "written", answer);
            } else {
                let e = "interrupted before the file was written";
                repo::set_retry(&mut tx, org, row.id, e, None, now.as_second()).await?;
            }
            continue;
        }
        let e = format!(
            "the sender stopped during the SMTP call (attempt {}): the message may or may not \
             have been delivered; resend it only after checking",
            row.attempts
        );
        repo::set_final(&mut tx, org, row.id, "uncertain", Some(&e), None, None).await?;
        log(
            &mut tx,
            org,
            now,
            "outbox.uncertain",
            row,
            serde_json::json!({ "error": e, "attempts": row.attempts }),
        )
        .await?;
        report.push(row, "uncertain", e);
    }
    tx.commit().await?;
    Ok(())
}

enum Delivered {
    Smtp(String),
    File(PathBuf),
}

enum SendError {
    /// Worth trying again later: 4xx, connection refused, timeout, TLS hiccup.
    Transient(String),
    /// The server refused for good (5xx).
    Permanent(String),
    /// The message cannot be built.
    Broken(String),
}

async fn send(app: &App, transport: &Transport, row: &OutboxRow) -> Result<Delivered, SendError> {
    let message = build_message(app, row).await.map_err(SendError::Broken)?;
    match transport {
        Transport::Smtp(t) => match t.send(message).await {
            Ok(resp) => {
                let lines: Vec<&str> = resp.message().collect();
                Ok(Delivered::Smtp(format!(
                    "{} {}",
                    resp.code(),
                    lines.join(" ")
                )))
            }
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        },
        Transport::Files(dir) => {
            let path = eml_path(dir, &row.message_id);
            let bytes = message.formatted();
            let target = path.clone();
            tokio::task::spawn_blocking(move || write_atomically(&target, &bytes))
                .await
                .map_err(|e| SendError::Transient(format!("writing the message: {e}")))?
                .map_err(|e| SendError::Transient(format!("writing {}: {e}", path.display())))?;
            Ok(Delivered::File(path))
        }
    }
}

/// `<dir>/<Message-ID without <>, and only letters, digits, `.-_@`>.eml`.
pub fn eml_path(dir: &Path, message_id: &str) -> PathBuf {
    let name: String = message_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        .collect();
    dir.join(format!("{name}.eml"))
}

/// Temporary file, `fsync`, rename, `fsync` of the folder: a crash leaves the whole file or
/// none.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().expect("an outbox file has a folder");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("message")
    ));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The RFC 5322 message of a stored row, attachments read from the blob store.
async fn build_message(app: &App, row: &OutboxRow) -> Result<Message, String> {
    let mailbox = |s: &str| {
        s.parse::<Mailbox>()
            .map_err(|e| format!("address {s:?}: {e}"))
    };
    let mut b = Message::builder()
        .message_id(Some(row.message_id.clone()))
        .from(mailbox(&row.from_addr)?)
        .subject(row.subject.clone());
    if let Some(r) = &row.reply_to {
        b = b.reply_to(mailbox(r)?);
    }
    let to = recipients(row);
    if to.is_empty() {
        return Err("no recipient".into());
    }
    for t in &to {
        b = b.to(mailbox(t)?);
    }
    let attachments: Vec<Attachment> =
        serde_json::from_str(&row.attachments).map_err(|e| format!("stored attachments: {e}"))?;
    let text = SinglePart::plain(row.body_text.clone());
    let body = match &row.body_html {
        Some(html) => MultiPart::alternative()
            .singlepart(text)
            .singlepart(SinglePart::html(html.clone())),
        None if attachments.is_empty() => {
            return b.singlepart(text).map_err(|e| e.to_string());
        }
        None => MultiPart::mixed().singlepart(text),
    };
    let mut mixed = if row.body_html.is_some() {
        MultiPart::mixed().multipart(body)
    } else {
        body
    };
    for a in &attachments {
        let store = app.store.clone();
        let sha = a.sha256.clone();
        let bytes = tokio::task::spawn_blocking(move || store.blobs().get(&sha))
            .await
            .map_err(|e| format!("reading {}: {e}", a.file_name))?
            .map_err(|e| format!("reading {} ({}): {e}", a.file_name, a.sha256))?;
        let content_type = ContentType::parse(&a.media_type)
            .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("valid"));
        mixed = mixed.singlepart(
            lettre::message::Attachment::new(a.file_name.clone()).body(bytes, content_type),
        );
    }
    b.multipart(mixed).map_err(|e| e.to_string())
}

/// Puts a `failed` or `uncertain` message back in the queue, with the same Message-ID, for
/// the next delivery. A person decides this: for an `uncertain` one, after checking that it
/// did not arrive.
pub async fn resend(app: &App, id: i64, actor: &str) -> Result<(), AppError> {
    let org = app.org_id();
    let now = crate::now();
    let mut tx = app.store.begin().await?;
    let row = repo::get(&mut tx, org, id)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("no message {id} in the outbox")))?;
    if row.status != "failed" && row.status != "uncertain" {
        return Err(AppError::Invalid(format!(
            "message {id} is {}: only failed or uncertain messages can be resent",
            row.status
        )));
    }
    repo::requeue(&mut tx, org, id, now.as_second()).await?;
    events::append(
        &mut tx,
        org,
        now,
        &[NewEvent {
            actor: actor.to_owned(),
            kind: "outbox.resend".into(),
            subject_type: "outbox".into(),
            subject_id: Some(id),
            data: serde_json::json!({
                "message_id": row.message_id, "previous_status": row.status,
                "last_error": row.last_error,
            }),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One message for the outbox page.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub idempotency_key: String,
    pub message_id: String,
    pub kind: String,
    pub status: String,
    pub debtor_id: Option<i64>,
    pub from: String,
    pub reply_to: Option<String>,
    pub to: Vec<String>,
    pub subject: String,
    pub attachments: Vec<Attachment>,
    pub attempts: i64,
    pub next_attempt_at: Option<jiff::Timestamp>,
    pub smtp_response: Option<String>,
    pub last_error: Option<String>,
    pub created_at: jiff::Timestamp,
    pub sent_at: Option<jiff::Timestamp>,
    pub cancelled_reason: Option<String>,
    /// A person may put it back in the queue ([`resend`]).
    pub can_resend: bool,
}

impl From<OutboxRow> for OutboxMessage {
    fn from(r: OutboxRow) -> Self {
        OutboxMessage {
            to: recipients(&r),
            attachments: serde_json::from_str(&r.attachments).unwrap_or_default(),
            next_attempt_at: (r.status == "queued")
                .then(|| jiff::Timestamp::from_second(r.next_attempt_at).ok())
                .flatten(),
            can_resend: r.status == "failed" || r.status == "uncertain",
            id: r.id,
            idempotency_key: r.idempotency_key,
            message_id: r.message_id,
            kind: r.kind,
            status: r.status,
            debtor_id: r.debtor_id,
            from: r.from_addr,
            reply_to: r.reply_to,
            subject: r.subject,
            attempts: r.attempts,
            smtp_response: r.smtp_response,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
            cancelled_reason: r.cancelled_reason,
        }
    }
}

/// Messages, newest first; `status` filters (`queued`, `sent`, `failed`, `uncertain`, …);
/// `before` continues a list after its last id.
pub async fn list(
    app: &App,
    status: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<OutboxMessage>, AppError> {
    Ok(repo::list(
        &app.store,
        app.org_id(),
        status,
        before,
        limit.clamp(1, 1000),
    )
    .await?
    .into_iter()
    .map(OutboxMessage::from)
    .collect())
}

/// The messages about one invoice, newest first.
pub async fn of_invoice(app: &App, invoice_id: i64) -> Result<Vec<OutboxMessage>, AppError> {
    Ok(repo::of_invoice(&app.store, app.org_id(), invoice_id)
        .await?
        .into_iter()
        .map(OutboxMessage::from)
        .collect())
}

/// One message with its text, for the message page.
pub async fn get(app: &App, id: i64) -> Result<Option<(OutboxMessage, String)>, AppError> {
    let mut tx = app.store.begin().await?;
    let row = repo::get(&mut tx, app.org_id(), id).await?;
    Ok(row.map(|r| {
        let body = r.body_text.clone();
        (OutboxMessage::from(r), body)
    }))
}

/// The invoices a message is about.
pub async fn invoice_ids(app: &App, id: i64) -> Result<Vec<i64>, AppError> {
    let mut tx = app.store.begin().await?;
    Ok(repo::invoice_ids(&mut tx, app.org_id(), id).await?)
}

/// Messages per status, for the page header and the metrics.
pub async fn counts(app: &App) -> Result<Vec<(String, i64)>, AppError> {
    Ok(repo::count_by_status(&app.store, app.org_id()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        let s = SmtpSettings::from_url("smtp://ana%40x.ro:p%3Ass@mail.x.ro:2525?tls=none").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.tls),
            ("mail.x.ro", 2525, TlsMode::None)
        );
        assert_eq!(s.username.as_deref(), Some("ana@x.ro"));
        assert_eq!(s.password.as_deref(), Some("p:ss"));
        let s = SmtpSettings::from_url("smtps://mail.x.ro").unwrap();
        assert_eq!((s.port, s.tls), (465, TlsMode::Tls));
        let s = SmtpSettings::from_url("smtp://mail.x.ro?timeout=5").unwrap();
        assert_eq!(
            (s.port, s.tls, s.timeout.as_secs()),
            (587, TlsMode::StartTls, 5)
        );
        assert!(SmtpSettings::from_url("http://x").is_err());
        assert!(SmtpSettings::from_url("smtp://x?tls=maybe").is_err());
        let err = SmtpSettings::from_url("smtp://u:secret@x:abc").unwrap_err();
        assert!(!err.contains("secret"), "{err}");
        assert!(
            !format!("{:?}", SmtpSettings::from_url("smtp://u:secret@x").unwrap())
                .contains("secret")
        );
    }

    #[test]
    fn message_ids_are_stable_per_key_and_org() {
        let from: Mailbox = "Firma Mică SRL <facturare@firma.ro>".parse().unwrap();
        let a = message_id_for(1, "invoice:7", &from);
        assert_eq!(a, message_id_for(1, "invoice:7", &from));
        assert_ne!(a, message_id_for(2, "invoice:7", &from));
        assert_ne!(a, message_id_for(1, "invoice:8", &from));
        assert!(a.starts_with('<') && a.ends_with("@firma.ro>"), "{a}");
        assert_eq!(a.len(), 1 + 32 + 1 + "firma.ro".len() + 1);
    }

    #[test]
    fn mailboxes_with_diacritics_round_trip() {
        let m = Mailbox::new(
            Some("Termoconstruct Grup, Iași SRL".into()),
            "facturare@termo.ro".parse().unwrap(),
        );
        let back: Mailbox = m.to_string().parse().unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn tls_transports_build_without_a_network() {
        // The rustls provider (ring) is compiled in: STARTTLS and TLS settings build.
        for url in ["smtp://mail.example.ro", "smtps://u:p@mail.example.ro"] {
            let settings = MailSettings {
                smtp: Some(SmtpSettings::from_url(url).unwrap()),
                ..MailSettings::files(Path::new("/nonexistent"))
            };
            assert_eq!(Transport::new(&settings).unwrap().code(), "smtp", "{url}");
        }
    }

    #[test]
    fn eml_names_are_safe() {
        let p = eml_path(Path::new("/x"), "<ab/../c@d.ro>");
        assert_eq!(p, Path::new("/x/ab..c@d.ro.eml"));
    }
}
