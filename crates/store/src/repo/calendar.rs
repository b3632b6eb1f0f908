//! The action calendar's rows: policies, templates, the open invoices a run reads with their
//! holds and done steps, and the actions it records.
//!
//! The rules live in `creanta_domain::dunning` and `creanta_app::calendar`; this module only
//! reads and writes.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::sql::{Value, id_list, value_rows};
use crate::{Result, Row, Tx, args};

/// A stored policy; `steps` is the domain's JSON.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRow {
    pub code: String,
    pub name: String,
    pub steps: String,
    pub is_default: bool,
}

pub async fn policies(tx: &mut Tx, org: i64) -> Result<Vec<PolicyRow>> {
    tx.fetch_all(
        "SELECT code, name, steps, is_default FROM policies WHERE org_id = $1 ORDER BY code",
        &args![org],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(PolicyRow {
            code: r.get(0)?,
            name: r.get(1)?,
            steps: r.get(2)?,
            is_default: r.get(3)?,
        })
    })
    .collect()
}

/// Writes a policy (replacing one with the same code). Returns whether anything changed.
/// When it is the default, every other policy stops being one.
pub async fn upsert_policy(tx: &mut Tx, org: i64, p: &PolicyRow, now: Timestamp) -> Result<bool> {
    let before = tx
        .fetch_optional(
            "SELECT name, steps, is_default FROM policies WHERE org_id = $1 AND code = $2",
            &args![org, p.code.as_str()],
        )
        .await?;
    if let Some(r) = &before {
        let same = r.get::<String>(0)? == p.name
            && r.get::<String>(1)? == p.steps
            && r.get::<bool>(2)? == p.is_default;
        if same {
            return Ok(false);
        }
    }
    if p.is_default {
        tx.execute(
            "UPDATE policies SET is_default = $1 WHERE org_id = $2 AND code <> $3 AND is_default = $4",
            &args![false, org, p.code.as_str(), true],
        )
        .await?;
    }
    tx.execute(
        "INSERT INTO policies (org_id, code, name, steps, is_default, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (org_id, code) DO UPDATE SET name = excluded.name, steps = excluded.steps, \
         is_default = excluded.is_default, updated_at = excluded.updated_at",
        &args![
            org,
            p.code.as_str(),
            p.name.as_str(),
            p.steps.as_str(),
            p.is_default,
            now
        ],
    )
    .await?;
    Ok(true)
}

/// A template edited by the organization.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateRow {
    pub code: String,
    pub language: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
}

pub async fn templates(tx: &mut Tx, org: i64) -> Result<Vec<TemplateRow>> {
    tx.fetch_all(
        "SELECT code, language, subject, body_text, body_html FROM templates WHERE org_id = $1 \
         ORDER BY code, language",
        &args![org],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(TemplateRow {
            code: r.get(0)?,
            language: r.get(1)?,
            subject: r.get(2)?,
            body_text: r.get(3)?,
            body_html: r.get(4)?,
        })
    })
    .collect()
}

/// Saves the organization's version of a template (replacing an earlier one).
pub async fn upsert_template(tx: &mut Tx, org: i64, t: &TemplateRow, now: Timestamp) -> Result<()> {
    tx.execute(
        "INSERT INTO templates (org_id, code, language, subject, body_text, body_html, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, code, language) DO UPDATE SET \
         subject = excluded.subject, body_text = excluded.body_text, \
         body_html = excluded.body_html, updated_at = excluded.updated_at",
        &args![
            org,
            t.code.as_str(),
            t.language.as_str(),
            t.subject.as_str(),
            t.body_text.as_str(),
            t.body_html.as_deref(),
            now
        ],
    )
    .await?;
    Ok(())
}

/// Removes the organization's version of a template; true when there was one.
pub async fn delete_template(tx: &mut Tx, org: i64, code: &str, language: &str) -> Result<bool> {
    Ok(tx
        .execute(
            "DELETE FROM templates WHERE org_id = $1 AND code = $2 AND language = $3",
            &args![org, code, language],
        )
        .await?
        > 0)
}

/// An open invoice as the run reads it.
#[derive(Debug, Clone)]
pub struct OpenInvoiceRow {
    pub id: i64,
    pub debtor_id: i64,
    pub entity_id: i64,
    pub contract_id: Option<i64>,
    pub series: String,
    pub number: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub currency: String,
    pub total: i64,
    pub open: i64,
    pub invoice_policy: Option<String>,
    pub contract_policy: Option<String>,
    pub debtor_policy: Option<String>,
    /// The contract's penalty (percent per day) and attributes.
    pub penalty_rate_per_day: Option<String>,
    pub contract_attrs: Option<String>,
    pub contract_number: Option<String>,
}

const OPEN_INVOICES: &str = "SELECT i.id, i.debtor_id, i.entity_id, i.contract_id, i.series, \
     i.number, i.issue_date, i.due_date, i.currency, i.total, i.total - i.paid, i.policy, \
     c.policy, d.policy, c.penalty_rate_per_day, c.attrs, COALESCE(c.number, i.contract_number) \
     FROM invoices i \
     JOIN debtors d ON d.id = i.debtor_id AND d.org_id = i.org_id \
     LEFT JOIN contracts c ON c.id = i.contract_id AND c.org_id = i.org_id \
     WHERE i.org_id = $1 AND i.total > i.paid";

fn open_invoice(r: &Row) -> Result<OpenInvoiceRow> {
    Ok(OpenInvoiceRow {
        id: r.get(0)?,
        debtor_id: r.get(1)?,
        entity_id: r.get(2)?,
        contract_id: r.get(3)?,
        series: r.get(4)?,
        number: r.get(5)?,
        issue_date: r.date(6)?,
        due_date: r.date(7)?,
        currency: r.get(8)?,
        total: r.get(9)?,
        open: r.get(10)?,
        invoice_policy: r.get(11)?,
        contract_policy: r.get(12)?,
        debtor_policy: r.get(13)?,
        penalty_rate_per_day: r.get(14)?,
        contract_attrs: r.get(15)?,
        contract_number: r.get(16)?,
    })
}

/// Every invoice with something still to pay, or those of `debtors`.
pub async fn open_invoices(
    tx: &mut Tx,
    org: i64,
    debtors: Option<&[i64]>,
) -> Result<Vec<OpenInvoiceRow>> {
    let rows = match debtors {
        None => tx.fetch_all(OPEN_INVOICES, &args![org]).await?,
        Some(ids) => {
            let mut rows = Vec::new();
            for chunk in ids.chunks(500) {
                let (list, mut values) = id_list(chunk, 2);
                values.insert(0, org.into());
                let sql = format!("{OPEN_INVOICES} AND i.debtor_id IN ({list})");
                rows.extend(tx.fetch_all(&sql, &values).await?);
            }
            rows
        }
    };
    rows.iter().map(open_invoice).collect()
}

/// Steps done (by an action not cancelled) per invoice, for invoices still open.
pub async fn done_steps(tx: &mut Tx, org: i64) -> Result<HashMap<i64, Vec<String>>> {
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for r in tx
        .fetch_all(
            "SELECT ai.invoice_id, ai.step FROM action_invoices ai \
             JOIN actions a ON a.id = ai.action_id AND a.org_id = ai.org_id \
             JOIN invoices i ON i.id = ai.invoice_id AND i.org_id = ai.org_id \
             WHERE ai.org_id = $1 AND a.status <> $2 AND i.total > i.paid",
            &args![org, "cancelled"],
        )
        .await?
    {
        map.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    Ok(map)
}

/// What reduced each open invoice, and when (`(date, amount)`): its payments and credit notes.
pub async fn reductions_of_open(
    tx: &mut Tx,
    org: i64,
    debtor: Option<i64>,
) -> Result<HashMap<i64, Vec<(Date, i64)>>> {
    // Payments on their dates, and credit notes on their issue dates.
    const PAID: &str = "SELECT a.invoice_id, p.date, a.amount FROM allocations a \
        JOIN payments p ON p.id = a.payment_id AND p.org_id = a.org_id \
        JOIN invoices i ON i.id = a.invoice_id AND i.org_id = a.org_id \
        WHERE a.org_id = $1 AND i.total > i.paid";
    const CREDITED: &str = "SELECT a.invoice_id, a.date, a.amount FROM credit_allocations a \
        JOIN invoices i ON i.id = a.invoice_id AND i.org_id = a.org_id \
        WHERE a.org_id = $1 AND i.total > i.paid";
    let rows = match debtor {
        None => {
            tx.fetch_all(&format!("{PAID} UNION ALL {CREDITED}"), &args![org])
                .await?
        }
        Some(d) => {
            let sql =
                format!("{PAID} AND i.debtor_id = $2 UNION ALL {CREDITED} AND i.debtor_id = $2");
            tx.fetch_all(&sql, &args![org, d]).await?
        }
    };
    let mut map: HashMap<i64, Vec<(Date, i64)>> = HashMap::new();
    for r in rows {
        map.entry(r.get(0)?)
            .or_default()
            .push((r.date(1)?, r.get(2)?));
    }
    Ok(map)
}

/// What may hold an invoice back, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldRow {
    Dispute {
        invoice_id: i64,
        reason: String,
    },
    Promise {
        debtor_id: i64,
        invoice_id: Option<i64>,
        until: Date,
    },
    Hold {
        debtor_id: i64,
        invoice_id: Option<i64>,
        kind: String,
        until: Option<Date>,
        partner: Option<String>,
    },
}

/// Open disputes, promises not cancelled whose date is today or later, and holds not released
/// (those ending before `day` are left out).
pub async fn holds(tx: &mut Tx, org: i64, day: Date) -> Result<Vec<HoldRow>> {
    let mut out = Vec::new();
    for r in tx
        .fetch_all(
            "SELECT invoice_id, reason FROM disputes WHERE org_id = $1 AND resolved_at IS NULL \
             ORDER BY id",
            &args![org],
        )
        .await?
    {
        out.push(HoldRow::Dispute {
            invoice_id: r.get(0)?,
            reason: r.get(1)?,
        });
    }
    for r in tx
        .fetch_all(
            "SELECT debtor_id, invoice_id, promised_for FROM promises WHERE org_id = $1 \
             AND cancelled_at IS NULL AND promised_for >= $2 ORDER BY id",
            &args![org, day],
        )
        .await?
    {
        out.push(HoldRow::Promise {
            debtor_id: r.get(0)?,
            invoice_id: r.get(1)?,
            until: r.date(2)?,
        });
    }
    for r in tx
        .fetch_all(
            "SELECT debtor_id, invoice_id, kind, until, partner FROM holds WHERE org_id = $1 \
             AND released_at IS NULL AND (until IS NULL OR until >= $2) ORDER BY id",
            &args![org, day],
        )
        .await?
    {
        out.push(HoldRow::Hold {
            debtor_id: r.get(0)?,
            invoice_id: r.get(1)?,
            kind: r.get(2)?,
            until: r.opt_date(3)?,
            partner: r.get(4)?,
        });
    }
    Ok(out)
}

/// Debtors that have a communication of the calendar dated `day` (outbox key
/// `dunning:{debtor}:{day}`).
pub async fn contacted_on(tx: &mut Tx, org: i64, day: Date) -> Result<Vec<i64>> {
    tx.fetch_all(
        "SELECT debtor_id FROM actions WHERE org_id = $1 AND run_date = $2 \
         AND outbox_id IS NOT NULL \
         UNION SELECT debtor_id FROM actions WHERE org_id = $1 AND approved_on = $2",
        &args![org, day],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// An action to record.
#[derive(Debug, Clone)]
pub struct NewAction<'a> {
    pub key: &'a str,
    pub debtor_id: i64,
    pub run_date: Date,
    pub policy: &'a str,
    pub step: &'a str,
    pub step_offset: i32,
    pub kind: &'a str,
    pub status: &'a str,
    pub owner_email: Option<&'a str>,
    pub reason: &'a str,
    /// `(invoice_id, step)` of every invoice it covers.
    pub invoices: Vec<(i64, &'a str)>,
}

/// A recorded action.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    pub id: i64,
    pub key: String,
    pub debtor_id: i64,
    pub run_date: Date,
    pub policy: String,
    pub step: String,
    pub step_offset: i64,
    pub kind: String,
    pub status: String,
    pub outbox_id: Option<i64>,
    pub owner_email: Option<String>,
    pub reason: String,
    pub created_at: Timestamp,
    pub cancelled_reason: Option<String>,
    pub closed_by: Option<String>,
    /// What came of a task, or when a notice was served.
    pub outcome: Option<String>,
}

const ACTION_COLUMNS: &str = "id, key, debtor_id, run_date, policy, step, step_offset, kind, \
     status, outbox_id, owner_email, reason, created_at, cancelled_reason, closed_by, outcome";

fn action_row(r: &Row) -> Result<ActionRow> {
    Ok(ActionRow {
        id: r.get(0)?,
        key: r.get(1)?,
        debtor_id: r.get(2)?,
        run_date: r.date(3)?,
        policy: r.get(4)?,
        step: r.get(5)?,
        step_offset: r.get(6)?,
        kind: r.get(7)?,
        status: r.get(8)?,
        outbox_id: r.get(9)?,
        owner_email: r.get(10)?,
        reason: r.get(11)?,
        created_at: r.timestamp(12)?,
        cancelled_reason: r.get(13)?,
        closed_by: r.get(14)?,
        outcome: r.get(15)?,
    })
}

pub async fn action(tx: &mut Tx, org: i64, id: i64) -> Result<Option<ActionRow>> {
    let sql = format!("SELECT {ACTION_COLUMNS} FROM actions WHERE org_id = $1 AND id = $2");
    tx.fetch_optional(&sql, &args![org, id])
        .await?
        .as_ref()
        .map(action_row)
        .transpose()
}

/// The invoices of the actions `ids`, as `(label, due date)` per action: what the pages
/// explain the actions with.
pub async fn action_invoices_of(
    tx: &mut Tx,
    org: i64,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(String, Date)>>> {
    let mut map: HashMap<i64, Vec<(String, Date)>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let (list, mut values) = id_list(chunk, 2);
        values.insert(0, org.into());
        let sql = format!(
            "SELECT ai.action_id, i.series, i.number, i.due_date FROM action_invoices ai \
             JOIN invoices i ON i.id = ai.invoice_id AND i.org_id = ai.org_id \
             WHERE ai.org_id = $1 AND ai.action_id IN ({list}) \
             ORDER BY ai.action_id, i.due_date, i.id"
        );
        for r in tx.fetch_all(&sql, &values).await? {
            let label = format!("{}{}", r.get::<String>(1)?, r.get::<String>(2)?);
            map.entry(r.get(0)?).or_default().push((label, r.date(3)?));
        }
    }
    Ok(map)
}

/// An action still waiting for a person, with its debtor and the number to call.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub action: ActionRow,
    pub debtor_code: String,
    pub debtor_name: String,
    /// The debtor's owner now (tasks follow the debtor when its owner changes).
    pub debtor_owner: Option<String>,
    /// A phone number of the debtor: a finance contact's first, the primary one first.
    pub phone: Option<String>,
}

/// Tasks and approvals still open (`open`, `awaiting_approval`), oldest first; only those of
/// the debtors `owner` owns when given. At most `limit`.
pub async fn open_tasks(
    tx: &mut Tx,
    org: i64,
    owner: Option<&str>,
    limit: i64,
) -> Result<Vec<TaskRow>> {
    let columns = ACTION_COLUMNS
        .split(", ")
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns}, d.code, d.name, d.owner_email, \
           (SELECT c.phone FROM contacts c \
             WHERE c.org_id = a.org_id AND c.debtor_id = a.debtor_id \
               AND c.phone IS NOT NULL AND c.phone <> '' \
             ORDER BY (c.role = 'finance') DESC, c.is_primary DESC, c.id LIMIT 1) \
         FROM actions a JOIN debtors d ON d.id = a.debtor_id AND d.org_id = a.org_id \
         WHERE a.org_id = $1 AND a.status IN ('open', 'awaiting_approval') \
           AND ($2 = '' OR d.owner_email = $2) \
         ORDER BY a.run_date, d.code, a.step_offset DESC, a.id LIMIT $3"
    );
    tx.fetch_all(&sql, &args![org, owner.unwrap_or(""), limit])
        .await?
        .iter()
        .map(|r| {
            Ok(TaskRow {
                action: action_row(r)?,
                debtor_code: r.get(16)?,
                debtor_name: r.get(17)?,
                debtor_owner: r.get(18)?,
                phone: r.get(19)?,
            })
        })
        .collect()
}

/// Marks an action approved on `day` (its message written that day).
pub async fn set_approved_on(tx: &mut Tx, org: i64, id: i64, day: Date) -> Result<()> {
    tx.execute(
        "UPDATE actions SET approved_on = $1 WHERE org_id = $2 AND id = $3",
        &args![day, org, id],
    )
    .await?;
    Ok(())
}

/// Adds credit-note allocations, adding to the amount of a pair applied before (a credit
/// note applied in parts as its invoice's open amount changes).
pub async fn add_credit_allocations(
    tx: &mut Tx,
    org: i64,
    rows: &[crate::records::CreditAllocation],
) -> Result<()> {
    for chunk in rows.chunks(BULK_ROWS) {
        let sql = format!(
            "INSERT INTO credit_allocations (org_id, credit_note_id, invoice_id, amount, date) \
             VALUES {} ON CONFLICT (credit_note_id, invoice_id) DO UPDATE SET \
             amount = credit_allocations.amount + excluded.amount",
            value_rows(chunk.len(), 5)
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 5);
        for r in chunk {
            values.extend([
                Value::from(org),
                Value::from(r.credit_note_id),
                Value::from(r.invoice_id),
                Value::from(r.amount),
                Value::from(r.date),
            ]);
        }
        tx.execute(&sql, &values).await?;
    }
    Ok(())
}

/// The invoices an action is about.
pub async fn action_invoice_ids(tx: &mut Tx, org: i64, action: i64) -> Result<Vec<i64>> {
    tx.fetch_all(
        "SELECT invoice_id FROM action_invoices WHERE org_id = $1 AND action_id = $2 \
         ORDER BY invoice_id",
        &args![org, action],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// Moves an action to `status`, recording who closed it and how (`closed_by`, `outcome`).
pub async fn set_action_status(
    tx: &mut Tx,
    org: i64,
    id: i64,
    status: &str,
    closed_by: Option<&str>,
    outcome: Option<&str>,
) -> Result<()> {
    let closed_at = Value::Timestamp(closed_by.map(|_| Timestamp::now()));
    tx.execute(
        "UPDATE actions SET status = $1, closed_by = COALESCE($2, closed_by), \
         outcome = COALESCE($3, outcome), closed_at = COALESCE($4, closed_at) \
         WHERE org_id = $5 AND id = $6",
        &[
            status.into(),
            closed_by.into(),
            outcome.into(),
            closed_at,
            org.into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The actions of a debtor, newest first.
pub async fn actions_of_debtor(tx: &mut Tx, org: i64, debtor: i64) -> Result<Vec<ActionRow>> {
    let sql = format!(
        "SELECT {ACTION_COLUMNS} FROM actions WHERE org_id = $1 AND debtor_id = $2 \
         ORDER BY run_date DESC, step_offset DESC, id DESC"
    );
    tx.fetch_all(&sql, &args![org, debtor])
        .await?
        .iter()
        .map(action_row)
        .collect()
}

/// A pending action (a task, an approval, or a message not yet sent) and one of its invoices.
#[derive(Debug, Clone)]
pub struct PendingRow {
    pub action_id: i64,
    pub debtor_id: i64,
    pub outbox_id: Option<i64>,
    pub invoice_id: i64,
    /// The invoice still has something to pay.
    pub invoice_open: bool,
}

/// Pending actions of `debtors`, one row per (action, invoice).
pub async fn pending_actions(tx: &mut Tx, org: i64, debtors: &[i64]) -> Result<Vec<PendingRow>> {
    let mut out = Vec::new();
    for chunk in debtors.chunks(500) {
        let (list, mut values) = id_list(chunk, 6);
        let mut all: Vec<Value> =
            args![org, "open", "awaiting_approval", "queued", "failed"].to_vec();
        all.append(&mut values);
        let sql = format!(
            "SELECT a.id, a.debtor_id, a.outbox_id, ai.invoice_id, i.total > i.paid \
             FROM actions a \
             JOIN action_invoices ai ON ai.action_id = a.id AND ai.org_id = a.org_id \
             JOIN invoices i ON i.id = ai.invoice_id AND i.org_id = ai.org_id \
             LEFT JOIN outbox o ON o.id = a.outbox_id AND o.org_id = a.org_id \
             WHERE a.org_id = $1 AND a.debtor_id IN ({list}) \
             AND (a.status IN ($2, $3) OR o.status IN ($4, $5)) ORDER BY a.id"
        );
        for r in tx.fetch_all(&sql, &all).await? {
            out.push(PendingRow {
                action_id: r.get(0)?,
                debtor_id: r.get(1)?,
                outbox_id: r.get(2)?,
                invoice_id: r.get(3)?,
                invoice_open: r.get(4)?,
            });
        }
    }
    Ok(out)
}

/// Cancels an action with its reason.
pub async fn cancel_action(
    tx: &mut Tx,
    org: i64,
    id: i64,
    reason: &str,
    now: Timestamp,
) -> Result<u64> {
    tx.execute(
        "UPDATE actions SET status = $1, cancelled_reason = $2, closed_at = $3 \
         WHERE org_id = $4 AND id = $5 AND status <> $1",
        &args!["cancelled", reason, now, org, id],
    )
    .await
}

/// One stored rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateRow {
    pub effective_from: Date,
    pub value: String,
    pub source: Option<String>,
}

pub async fn rates(tx: &mut Tx, org: i64, kind: &str) -> Result<Vec<RateRow>> {
    tx.fetch_all(
        "SELECT effective_from, value, source FROM rates WHERE org_id = $1 AND kind = $2 \
         ORDER BY effective_from",
        &args![org, kind],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(RateRow {
            effective_from: r.date(0)?,
            value: r.get(1)?,
            source: r.get(2)?,
        })
    })
    .collect()
}

/// Writes a rate; returns whether it was new or changed.
pub async fn upsert_rate(tx: &mut Tx, org: i64, kind: &str, r: &RateRow) -> Result<bool> {
    let before = tx
        .fetch_optional(
            "SELECT value, source FROM rates WHERE org_id = $1 AND kind = $2 AND effective_from = $3",
            &args![org, kind, r.effective_from],
        )
        .await?;
    if let Some(b) = before
        && b.get::<String>(0)? == r.value
        && b.get::<Option<String>>(1)? == r.source
    {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO rates (org_id, kind, effective_from, value, source) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (org_id, kind, effective_from) DO UPDATE SET value = excluded.value, \
         source = excluded.source",
        &args![org, kind, r.effective_from, r.value.as_str(), r.source.as_deref()],
    )
    .await?;
    Ok(true)
}

/// Registers generated documents (letters) in bulk and returns their ids, in order. A document
/// already there (same bytes, type and links) keeps its row and id.
pub async fn insert_generated_documents(
    tx: &mut Tx,
    org: i64,
    docs: &[crate::records::Document],
) -> Result<Vec<i64>> {
    const WIDTH: usize = 10;
    type Identity = (String, String, String);
    let identity = |d: &crate::records::Document| -> Identity {
        (d.sha256.clone(), d.doc_type.clone(), d.link_key.clone())
    };
    let mut ids: HashMap<Identity, i64> = HashMap::with_capacity(docs.len());
    for chunk in docs.chunks(BULK_ROWS) {
        let sql = format!(
            "INSERT INTO documents (org_id, sha256, doc_type, file_name, media_type, size, \
             debtor_id, invoice_id, contract_id, link_key) VALUES {} \
             ON CONFLICT (org_id, sha256, doc_type, link_key) DO NOTHING \
             RETURNING id, sha256, doc_type, link_key",
            value_rows(chunk.len(), WIDTH)
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * WIDTH);
        for d in chunk {
            values.extend([
                Value::from(org),
                Value::from(d.sha256.as_str()),
                Value::from(d.doc_type.as_str()),
                Value::from(d.file_name.as_str()),
                Value::from(d.media_type.as_str()),
                Value::from(d.size),
                Value::from(d.debtor_id),
                Value::from(d.invoice_id),
                Value::from(d.contract_id),
                Value::from(d.link_key.as_str()),
            ]);
        }
        for r in tx.fetch_all(&sql, &values).await? {
            ids.insert((r.get(1)?, r.get(2)?, r.get(3)?), r.get(0)?);
        }
    }
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let key = identity(d);
        let id = match ids.get(&key) {
            Some(id) => *id,
            // Stored before this call: the conflict returned nothing, so look it up.
            None => {
                let id: i64 = tx
                    .fetch_one(
                        "SELECT id FROM documents WHERE org_id = $1 AND sha256 = $2 \
                         AND doc_type = $3 AND link_key = $4",
                        &args![org, key.0.as_str(), key.1.as_str(), key.2.as_str()],
                    )
                    .await?
                    .get(0)?;
                ids.insert(key, id);
                id
            }
        };
        out.push(id);
    }
    Ok(out)
}

/// Rows per multi-row statement of the bulk writes below: far below both backends' limits.
const BULK_ROWS: usize = 400;

/// Records many actions at once (multi-row inserts); returns the ids of those that were new,
/// by key. A key recorded before — by an earlier run of the same day, or by a concurrent one
/// (the unique key decides; on PostgreSQL the second writer waits for the first to commit) —
/// is left alone.
pub async fn insert_actions(
    tx: &mut Tx,
    org: i64,
    actions: &[NewAction<'_>],
    now: Timestamp,
) -> Result<HashMap<String, i64>> {
    const WIDTH: usize = 12;
    let mut ids = HashMap::with_capacity(actions.len());
    for chunk in actions.chunks(BULK_ROWS) {
        let sql = format!(
            "INSERT INTO actions (org_id, key, debtor_id, run_date, policy, step, step_offset, \
             kind, status, owner_email, reason, created_at) VALUES {} \
             ON CONFLICT (org_id, key) DO NOTHING RETURNING id, key",
            value_rows(chunk.len(), WIDTH)
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * WIDTH);
        for a in chunk {
            values.extend([
                Value::from(org),
                Value::from(a.key),
                Value::from(a.debtor_id),
                Value::from(a.run_date),
                Value::from(a.policy),
                Value::from(a.step),
                Value::from(a.step_offset),
                Value::from(a.kind),
                Value::from(a.status),
                Value::from(a.owner_email),
                Value::from(a.reason),
                Value::from(now),
            ]);
        }
        for r in tx.fetch_all(&sql, &values).await? {
            ids.insert(r.get::<String>(1)?, r.get::<i64>(0)?);
        }
    }
    let links: Vec<(i64, i64, &str)> = actions
        .iter()
        .filter_map(|a| ids.get(a.key).map(|id| (*id, a)))
        .flat_map(|(id, a)| a.invoices.iter().map(move |(inv, step)| (id, *inv, *step)))
        .collect();
    for chunk in links.chunks(BULK_ROWS) {
        let sql = format!(
            "INSERT INTO action_invoices (action_id, org_id, invoice_id, step) VALUES {}",
            value_rows(chunk.len(), 4)
        );
        let values: Vec<Value> = chunk
            .iter()
            .flat_map(|(id, invoice, step)| {
                [
                    Value::from(*id),
                    Value::from(org),
                    Value::from(*invoice),
                    Value::from(*step),
                ]
            })
            .collect();
        tx.execute(&sql, &values).await?;
    }
    Ok(ids)
}

/// Points actions at the message they went out in: `(action id, outbox id)` pairs.
pub async fn link_outbox(tx: &mut Tx, org: i64, pairs: &[(i64, i64)]) -> Result<()> {
    for chunk in pairs.chunks(BULK_ROWS) {
        let mut sql = String::from("UPDATE actions SET outbox_id = CASE id");
        let mut values: Vec<Value> = vec![Value::from(org)];
        for (action, outbox) in chunk {
            let n = values.len();
            sql.push_str(&format!(" WHEN ${} THEN ${}", n + 1, n + 2));
            values.extend([Value::from(*action), Value::from(*outbox)]);
        }
        let n = values.len();
        let marks: Vec<String> = (0..chunk.len())
            .map(|i| format!("${}", n + 1 + i))
            .collect();
        sql.push_str(&format!(
            " END WHERE org_id = $1 AND id IN ({})",
            marks.join(",")
        ));
        values.extend(chunk.iter().map(|(a, _)| Value::from(*a)));
        tx.execute(&sql, &values).await?;
    }
    Ok(())
}
