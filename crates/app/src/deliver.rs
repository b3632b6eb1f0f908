//! `creanta deliver`: every checked invoice without open errors goes by e-mail to the
//! debtor's finance contacts, with its PDF (or, when no PDF was imported, its e-Factura XML)
//! and the supporting documents the debtor or the contract requires (issue 4, point 2).
//!
//! Which invoices are candidates: still open (total ≠ paid), issued on or before the delivery
//! date, and never queued for delivery by Creanța. An invoice imported with a `sent_on` date was
//! already sent by the invoicing program and is left alone, unless a manager overrode its
//! delivery (how an invoice that went to `office@` reaches the finance contact after all).
//! Then:
//! - never checked → reported as `not_checked`, not sent;
//! - open errors → `blocked` with the finding codes, unless a manager overrode the block with a
//!   reason ([`override_delivery`]; logged as `invoice.delivery_overridden`);
//! - no finance contact with an e-mail, or no invoice file → reported, not sent;
//! - otherwise one message per invoice is queued in the outbox under the key `invoice:{id}`
//!   (so running delivery again queues nothing new) and the outbox is delivered.
//!
//! `invoices.sent_to` / `sent_on` are set when the message is actually sent (or written as an
//! `.eml` file), not when it is queued: they record a fact.

use std::collections::HashMap;

use creanta_domain::check::doc_label;
use creanta_domain::model::{DocType, Language};
use creanta_store::repo::events::{self, NewEvent};
use creanta_store::repo::{outbox as outbox_repo, users};
use creanta_store::{Row, args};
use jiff::civil::Date;
use serde::Serialize;

use crate::mailing::{
    amount_text, date_text, entity_ibans, fallback_sender, finance_contacts, reply_to, sender,
};
use crate::outbox::{
    self, Attachment, MailSettings, MessageKind, NewMessage, OutboxReport, deliver_outbox_at,
};
use crate::{App, AppError};

/// An invoice named in a report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InvoiceRef {
    pub invoice_id: i64,
    pub entity_tax_id: String,
    pub series: String,
    pub number: String,
    pub debtor_code: String,
}

impl InvoiceRef {
    /// `ENTITY:SERIESNUMBER`, as `--override` takes it.
    pub fn label(&self) -> String {
        format!("{}:{}{}", self.entity_tax_id, self.series, self.number)
    }
}

/// An invoice held back, with why.
#[derive(Debug, Clone, Serialize)]
pub struct Held {
    #[serde(flatten)]
    pub invoice: InvoiceRef,
    /// Finding codes of the open errors (`blocked`), or the reason in words.
    pub reasons: Vec<String>,
}

/// What [`deliver_invoices`] did.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryReport {
    pub date: Date,
    /// Messages queued by this run (one per invoice).
    pub queued: usize,
    /// Among them, invoices sent despite open errors by a manager's decision.
    pub overridden: Vec<InvoiceRef>,
    /// Open errors of the check and no override.
    pub blocked: Vec<Held>,
    /// Never checked: run `creanta check` first.
    pub not_checked: Vec<InvoiceRef>,
    /// No finance contact with an e-mail address.
    pub no_recipient: Vec<InvoiceRef>,
    /// Neither an invoice PDF nor an e-Factura XML was imported for the invoice.
    pub no_invoice_file: Vec<InvoiceRef>,
    /// Imported with a `sent_on` date: the invoicing program sent it already.
    pub sent_elsewhere: usize,
    /// What the outbox did in this run (also with messages queued earlier).
    pub outbox: OutboxReport,
}

struct Candidate {
    r: InvoiceRef,
    entity_id: i64,
    debtor_id: i64,
    kind: String,
    issue_date: Date,
    due_date: Date,
    currency: String,
    total: i64,
    paid: i64,
    po_number: Option<String>,
    contract_number: Option<String>,
    invoice_iban: Option<String>,
    entity_name: String,
    entity_attrs: String,
    debtor_name: String,
    language: String,
    owner_email: Option<String>,
    required: Vec<DocType>,
    checked: bool,
    open_errors: i64,
    overridden: bool,
    sent_elsewhere: bool,
}

const CANDIDATES: &str = "SELECT i.id, e.tax_id, i.series, i.number, d.code, i.entity_id, i.debtor_id, i.kind, \
     i.issue_date, i.due_date, i.currency, i.total, i.paid, i.po_number, i.contract_number, i.iban, \
     e.name, e.attrs, d.name, d.language, d.owner_email, d.required_documents, d.requires_confirmation, \
     c.required_documents, c.requires_confirmation, \
     CAST(CASE WHEN ch.invoice_id IS NULL THEN 0 ELSE 1 END AS BIGINT), CAST(COALESCE(ch.open_errors, 0) AS BIGINT), \
     CAST(CASE WHEN ov.invoice_id IS NULL THEN 0 ELSE 1 END AS BIGINT), \
     CAST(CASE WHEN i.sent_on IS NULL THEN 0 ELSE 1 END AS BIGINT) \
     FROM invoices i \
     JOIN entities e ON e.id = i.entity_id AND e.org_id = i.org_id \
     JOIN debtors d ON d.id = i.debtor_id AND d.org_id = i.org_id \
     LEFT JOIN contracts c ON c.id = i.contract_id AND c.org_id = i.org_id \
     LEFT JOIN invoice_checks ch ON ch.invoice_id = i.id AND ch.org_id = i.org_id \
     LEFT JOIN delivery_overrides ov ON ov.invoice_id = i.id AND ov.org_id = i.org_id \
     WHERE i.org_id = $1 AND i.total <> i.paid AND i.issue_date <= $2 \
     AND NOT EXISTS (SELECT 1 FROM outbox_invoices l JOIN outbox m ON m.id = l.outbox_id AND m.org_id = l.org_id \
       WHERE l.org_id = i.org_id AND l.invoice_id = i.id AND m.kind = 'invoice') \
     ORDER BY i.id";

fn required_types(list: &str) -> Vec<DocType> {
    list.split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|s| DocType::parse_lenient(s).ok())
        .collect()
}

fn candidate(r: &Row) -> Result<Candidate, AppError> {
    let mut required = required_types(&r.get::<String>(21)?);
    if r.get::<bool>(22)? || r.get::<Option<bool>>(24)?.unwrap_or(false) {
        required.push(DocType::OrderConfirmation);
    }
    required.extend(required_types(
        &r.get::<Option<String>>(23)?.unwrap_or_default(),
    ));
    required.sort();
    required.dedup();
    Ok(Candidate {
        r: InvoiceRef {
            invoice_id: r.get(0)?,
            entity_tax_id: r.get(1)?,
            series: r.get(2)?,
            number: r.get(3)?,
            debtor_code: r.get(4)?,
        },
        entity_id: r.get(5)?,
        debtor_id: r.get(6)?,
        kind: r.get(7)?,
        issue_date: r.date(8)?,
        due_date: r.date(9)?,
        currency: r.get(10)?,
        total: r.get(11)?,
        paid: r.get(12)?,
        po_number: r.get(13)?,
        contract_number: r.get(14)?,
        invoice_iban: r.get(15)?,
        entity_name: r.get(16)?,
        entity_attrs: r.get(17)?,
        debtor_name: r.get(18)?,
        language: r.get(19)?,
        owner_email: r.get(20)?,
        required,
        checked: r.get::<i64>(25)? == 1,
        open_errors: r.get(26)?,
        overridden: r.get::<i64>(27)? == 1,
        sent_elsewhere: r.get::<i64>(28)? == 1,
    })
}

/// Delivers the invoices that are ready on `date`, then the outbox.
pub async fn deliver_invoices(
    app: &App,
    date: Date,
    actor: &str,
    settings: &MailSettings,
) -> Result<DeliveryReport, AppError> {
    deliver_invoices_at(app, date, actor, settings, crate::now()).await
}

/// [`deliver_invoices`] at a given instant (tests).
pub async fn deliver_invoices_at(
    app: &App,
    date: Date,
    actor: &str,
    settings: &MailSettings,
    now: jiff::Timestamp,
) -> Result<DeliveryReport, AppError> {
    let org = app.org_id();
    let mut report = DeliveryReport {
        date,
        queued: 0,
        overridden: Vec::new(),
        blocked: Vec::new(),
        not_checked: Vec::new(),
        no_recipient: Vec::new(),
        no_invoice_file: Vec::new(),
        sent_elsewhere: 0,
        outbox: OutboxReport::default(),
    };
    let mut tx = app.store.begin().await?;
    let candidates: Vec<Candidate> = tx
        .fetch_all(CANDIDATES, &args![org, date])
        .await?
        .iter()
        .map(candidate)
        .collect::<Result<_, _>>()?;

    let mut ready = Vec::new();
    let mut blocked_ids = Vec::new();
    for c in candidates {
        if c.sent_elsewhere && !c.overridden {
            report.sent_elsewhere += 1;
        } else if !c.checked {
            report.not_checked.push(c.r.clone());
        } else if c.open_errors > 0 && !c.overridden {
            blocked_ids.push(c.r.invoice_id);
            report.blocked.push(Held {
                invoice: c.r.clone(),
                reasons: Vec::new(),
            });
        } else {
            ready.push(c);
        }
    }
    if !blocked_ids.is_empty() {
        let codes = open_error_codes(&mut tx, org).await?;
        for b in &mut report.blocked {
            b.reasons = codes
                .get(&b.invoice.invoice_id)
                .cloned()
                .unwrap_or_default();
        }
    }

    let contacts = finance_contacts(&mut tx, org, None).await?;
    let ibans = entity_ibans(&mut tx, org).await?;
    let fallback = fallback_sender(&settings.from_fallback)?;
    for c in ready {
        let Some(to) = contacts.get(&c.debtor_id).filter(|v| !v.is_empty()) else {
            report.no_recipient.push(c.r.clone());
            continue;
        };
        let attachments = attachments_for(&mut tx, org, &c).await?;
        if attachments.is_empty() {
            report.no_invoice_file.push(c.r.clone());
            continue;
        }
        let lang: Language = c.language.parse().unwrap_or(Language::Ro);
        let from = sender(&c.entity_name, &c.entity_attrs, &fallback);
        let reply_to = reply_to(c.owner_email.as_deref());
        let accounts: Vec<String> = match ibans.get(&c.entity_id) {
            Some(list) if !list.is_empty() => list.clone(),
            _ => c.invoice_iban.iter().cloned().collect(),
        };
        let (subject, body_text) = compose(&c, lang, &accounts, &attachments);
        let message = NewMessage {
            idempotency_key: format!("invoice:{}", c.r.invoice_id),
            kind: MessageKind::Invoice,
            debtor_id: Some(c.debtor_id),
            invoice_ids: vec![c.r.invoice_id],
            from,
            reply_to,
            to: to.clone(),
            subject,
            body_text,
            body_html: None,
            attachments: attachments.into_iter().map(|(_, a)| a).collect(),
        };
        if outbox::enqueue(&mut tx, org, now, actor, &message)
            .await?
            .is_some()
        {
            report.queued += 1;
            if c.open_errors > 0 {
                report.overridden.push(c.r.clone());
            }
        }
    }
    tx.commit().await?;
    report.outbox = deliver_outbox_at(app, settings, now).await?;
    Ok(report)
}

/// Codes of the open errors per invoice.
async fn open_error_codes(
    tx: &mut creanta_store::Tx,
    org: i64,
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for r in tx
        .fetch_all(
            "SELECT invoice_id, code FROM findings WHERE org_id = $1 AND closed_at IS NULL \
             AND severity = $2 ORDER BY invoice_id, code",
            &args![org, "error"],
        )
        .await?
    {
        let codes = map.entry(r.get(0)?).or_default();
        let code: String = r.get(1)?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(map)
}

/// The invoice file (every `invoice_pdf`, or else the e-Factura XML) and the linked documents
/// of the required types, each with its type.
async fn attachments_for(
    tx: &mut creanta_store::Tx,
    org: i64,
    c: &Candidate,
) -> Result<Vec<(DocType, Attachment)>, AppError> {
    let docs: Vec<(DocType, Attachment)> = tx
        .fetch_all(
            "SELECT id, sha256, doc_type, file_name, media_type FROM documents \
             WHERE org_id = $1 AND invoice_id = $2 ORDER BY id",
            &args![org, c.r.invoice_id],
        )
        .await?
        .iter()
        .filter_map(|r| {
            let t: String = r.get(2).ok()?;
            Some((
                t.parse::<DocType>().ok()?,
                Attachment {
                    document_id: r.get(0).ok()?,
                    sha256: r.get(1).ok()?,
                    file_name: r.get(3).ok()?,
                    media_type: r.get(4).ok()?,
                },
            ))
        })
        .collect();
    let pdfs: Vec<_> = docs
        .iter()
        .filter(|(t, _)| *t == DocType::InvoicePdf)
        .cloned()
        .collect();
    let mut out = if pdfs.is_empty() {
        docs.iter()
            .filter(|(t, _)| *t == DocType::InvoiceXml)
            .take(1)
            .cloned()
            .collect()
    } else {
        pdfs
    };
    if out.is_empty() {
        return Ok(out);
    }
    for (t, a) in &docs {
        if c.required.contains(t) && !out.iter().any(|(_, b)| b.sha256 == a.sha256) {
            out.push((*t, a.clone()));
        }
    }
    Ok(out)
}

/// Subject and plain-text body in the debtor's language.
fn compose(
    c: &Candidate,
    lang: Language,
    ibans: &[String],
    attachments: &[(DocType, Attachment)],
) -> (String, String) {
    let number = format!("{}{}", c.r.series, c.r.number);
    let credit = c.kind == "credit_note";
    let issued = date_text(c.issue_date, lang);
    let due = date_text(c.due_date, lang);
    let total = amount_text(c.total, &c.currency, lang);
    let open = c.total - c.paid;
    let mut b = String::new();
    let subject;
    match lang {
        Language::Ro => {
            let what = if credit {
                "Factura de stornare"
            } else {
                "Factura"
            };
            subject = format!("{what} {number} din {issued} — {}", c.entity_name);
            b.push_str("Bună ziua,\n\n");
            b.push_str(&format!(
                "Vă transmitem {} {number} emisă de {} (CUI {}) către {}.\n\n",
                what.to_lowercase(),
                c.entity_name,
                c.r.entity_tax_id,
                c.debtor_name
            ));
            b.push_str(&format!("Număr: {number}\n"));
            b.push_str(&format!("Data emiterii: {issued}\n"));
            b.push_str(&format!("Data scadenței: {due}\n"));
            b.push_str(&format!("Total: {total}\n"));
            if open != c.total {
                b.push_str(&format!(
                    "Rest de plată: {}\n",
                    amount_text(open, &c.currency, lang)
                ));
            }
            if let Some(po) = c.po_number.as_deref().filter(|s| !s.is_empty()) {
                b.push_str(&format!("Comanda: {po}\n"));
            }
            if let Some(k) = c.contract_number.as_deref().filter(|s| !s.is_empty()) {
                b.push_str(&format!("Contract: {k}\n"));
            }
            if !credit && !ibans.is_empty() {
                b.push_str("\nVă rugăm să efectuați plata în contul:\n");
                for i in ibans {
                    b.push_str(&format!("  {i}\n"));
                }
            }
            b.push_str("\nDocumente atașate:\n");
            for (t, a) in attachments {
                b.push_str(&format!("  - {}: {}\n", doc_label(*t, lang), a.file_name));
            }
            b.push_str(
                "\nVă rugăm să ne confirmați primirea. Pentru orice întrebare, răspundeți la acest mesaj.\n\n",
            );
            b.push_str(&format!("Cu stimă,\n{}\n", c.entity_name));
        }
        Language::En => {
            let what = if credit { "Credit note" } else { "Invoice" };
            subject = format!("{what} {number} of {issued} — {}", c.entity_name);
            b.push_str("Hello,\n\n");
            b.push_str(&format!(
                "Please find attached {} {number} issued by {} (tax id {}) to {}.\n\n",
                what.to_lowercase(),
                c.entity_name,
                c.r.entity_tax_id,
                c.debtor_name
            ));
            b.push_str(&format!("Number: {number}\n"));
            b.push_str(&format!("Issue date: {issued}\n"));
            b.push_str(&format!("Due date: {due}\n"));
            b.push_str(&format!("Total: {total}\n"));
            if open != c.total {
                b.push_str(&format!(
                    "Amount due: {}\n",
                    amount_text(open, &c.currency, lang)
                ));
            }
            if let Some(po) = c.po_number.as_deref().filter(|s| !s.is_empty()) {
                b.push_str(&format!("Purchase order: {po}\n"));
            }
            if let Some(k) = c.contract_number.as_deref().filter(|s| !s.is_empty()) {
                b.push_str(&format!("Contract: {k}\n"));
            }
            if !credit && !ibans.is_empty() {
                b.push_str("\nPlease pay into:\n");
                for i in ibans {
                    b.push_str(&format!("  {i}\n"));
                }
            }
            b.push_str("\nAttached documents:\n");
            for (t, a) in attachments {
                b.push_str(&format!("  - {}: {}\n", doc_label(*t, lang), a.file_name));
            }
            b.push_str("\nPlease confirm receipt. For any question, reply to this message.\n\n");
            b.push_str(&format!("Kind regards,\n{}\n", c.entity_name));
        }
    }
    (subject, b)
}

/// A manager (or admin) lets an invoice with open errors be delivered anyway. The reason is
/// required and logged (`invoice.delivery_overridden`, with the errors it overrides); the next
/// delivery sends the invoice.
pub async fn override_delivery(
    app: &App,
    invoice_id: i64,
    manager_email: &str,
    reason: &str,
) -> Result<(), AppError> {
    let org = app.org_id();
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Invalid(
            "overriding a blocked delivery needs a reason".into(),
        ));
    }
    if reason.chars().count() > 2000 {
        return Err(AppError::Invalid(
            "the reason must have at most 2000 characters".into(),
        ));
    }
    let user = users::find(&app.store, org, manager_email.trim())
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::Invalid(format!("no active user {manager_email}")))?;
    if user.role != "manager" && user.role != "admin" {
        return Err(AppError::Invalid(format!(
            "{} is a {}: only a manager or an admin may override a blocked delivery",
            user.email, user.role
        )));
    }
    let now = crate::now();
    let mut tx = app.store.begin().await?;
    let inv = tx
        .fetch_optional(
            "SELECT i.series, i.number, e.tax_id, i.total, i.paid FROM invoices i \
             JOIN entities e ON e.id = i.entity_id AND e.org_id = i.org_id \
             WHERE i.org_id = $1 AND i.id = $2",
            &args![org, invoice_id],
        )
        .await?
        .ok_or_else(|| AppError::Invalid(format!("no invoice {invoice_id}")))?;
    let label = format!(
        "{}:{}{}",
        inv.get::<String>(2)?,
        inv.get::<String>(0)?,
        inv.get::<String>(1)?
    );
    if inv.get::<i64>(3)? == inv.get::<i64>(4)? {
        return Err(AppError::Invalid(format!(
            "invoice {label} has nothing left to pay: there is nothing to deliver"
        )));
    }
    let delivered = tx
        .fetch_optional(
            "SELECT m.status FROM outbox_invoices l JOIN outbox m ON m.id = l.outbox_id AND m.org_id = l.org_id \
             WHERE l.org_id = $1 AND l.invoice_id = $2 AND m.kind = $3",
            &args![org, invoice_id, "invoice"],
        )
        .await?;
    if let Some(r) = delivered {
        return Err(AppError::Invalid(format!(
            "invoice {label} is already in the outbox ({})",
            r.get::<String>(0)?
        )));
    }
    let errors: Vec<String> = tx
        .fetch_all(
            "SELECT code FROM findings WHERE org_id = $1 AND invoice_id = $2 AND closed_at IS NULL \
             AND severity = $3 ORDER BY code",
            &args![org, invoice_id, "error"],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?;
    outbox_repo::upsert_override(&mut tx, org, invoice_id, &user.email, reason, now).await?;
    events::append(
        &mut tx,
        org,
        now,
        &[NewEvent {
            actor: user.email.clone(),
            kind: "invoice.delivery_overridden".into(),
            subject_type: "invoice".into(),
            subject_id: Some(invoice_id),
            data: serde_json::json!({
                "invoice": label, "by": user.email, "role": user.role, "reason": reason,
                "open_errors": errors,
            }),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The one invoice `ENTITY_TAX_ID:SERIES-NUMBER` names (see [`crate::check::find_invoice`]);
/// an error when the number is used by several e-invoices.
pub async fn find_invoice(app: &App, reference: &str) -> Result<i64, AppError> {
    match crate::check::find_invoice(app, reference).await?.as_slice() {
        [(id, _)] => Ok(*id),
        found => Err(AppError::Invalid(format!(
            "{reference} names {} invoices (e-invoices with the same number): use the web page",
            found.len()
        ))),
    }
}
