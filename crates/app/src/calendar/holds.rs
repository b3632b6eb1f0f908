//! What pauses the calendar — disputes, promises to pay, pauses, exclusions, partner
//! hand-offs — and the rule that a change takes effect at once (DESIGN.md, "The daily run",
//! point 6): pending actions that no longer apply are cancelled, with the reason logged.

use std::collections::{BTreeMap, HashMap};

use creanta_domain::dunning::Hold;
use creanta_domain::money::Currency;
use creanta_store::repo::calendar::{self as repo, HoldRow};
use creanta_store::repo::events::{self, NewEvent};
use creanta_store::repo::outbox as outbox_repo;
use creanta_store::{Tx, args};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::{App, AppError};

/// The holds of the organization on `day`, per invoice and per debtor.
#[derive(Debug, Default)]
pub struct Holds {
    pub by_invoice: HashMap<i64, Vec<Hold>>,
    pub by_debtor: HashMap<i64, Vec<Hold>>,
}

impl Holds {
    pub async fn load(tx: &mut Tx, org: i64, day: Date) -> creanta_store::Result<Holds> {
        let mut h = Holds::default();
        for row in repo::holds(tx, org, day).await? {
            let (debtor, invoice, hold) = match row {
                HoldRow::Dispute { invoice_id, reason } => {
                    (None, Some(invoice_id), Hold::Disputed { reason })
                }
                HoldRow::Promise {
                    debtor_id,
                    invoice_id,
                    until,
                } => (Some(debtor_id), invoice_id, Hold::Promised { until }),
                HoldRow::Hold {
                    debtor_id,
                    invoice_id,
                    kind,
                    until,
                    partner,
                } => {
                    let hold = match kind.as_str() {
                        "excluded" => Hold::Excluded,
                        "partner" => Hold::AtPartner {
                            partner: partner.unwrap_or_default(),
                        },
                        _ => Hold::Paused { until },
                    };
                    (Some(debtor_id), invoice_id, hold)
                }
            };
            match (invoice, debtor) {
                (Some(i), _) => h.by_invoice.entry(i).or_default().push(hold),
                (None, Some(d)) => h.by_debtor.entry(d).or_default().push(hold),
                (None, None) => {}
            }
        }
        Ok(h)
    }

    /// Every hold on an invoice: its own, then its debtor's.
    pub fn of(&self, invoice: i64, debtor: i64) -> Vec<Hold> {
        let mut out = self.by_invoice.get(&invoice).cloned().unwrap_or_default();
        out.extend(self.by_debtor.get(&debtor).cloned().unwrap_or_default());
        out
    }
}

/// An action cancelled because it no longer applies.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cancelled {
    pub action_id: i64,
    pub outbox_id: Option<i64>,
    pub reason: String,
}

/// A pending action with its invoices `(id, still open)`.
struct Pending {
    debtor: i64,
    outbox_id: Option<i64>,
    invoices: Vec<(i64, bool)>,
}

/// Cancels the pending actions of `debtors` that no longer apply on `day`: every invoice they
/// are about is paid (or credited), or held. Their messages not yet sent are cancelled too.
/// Called in the transaction that made the change (a payment import, a dispute, a promise…).
pub async fn cancel_stale(
    tx: &mut Tx,
    org: i64,
    debtors: &[i64],
    day: Date,
    actor: &str,
    now: Timestamp,
) -> creanta_store::Result<Vec<Cancelled>> {
    if debtors.is_empty() {
        return Ok(Vec::new());
    }
    let rows = repo::pending_actions(tx, org, debtors).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let holds = Holds::load(tx, org, day).await?;
    let mut actions: BTreeMap<i64, Pending> = BTreeMap::new();
    for r in rows {
        actions
            .entry(r.action_id)
            .or_insert(Pending {
                debtor: r.debtor_id,
                outbox_id: r.outbox_id,
                invoices: Vec::new(),
            })
            .invoices
            .push((r.invoice_id, r.invoice_open));
    }
    let mut out = Vec::new();
    let mut evs = Vec::new();
    for (
        action_id,
        Pending {
            debtor,
            outbox_id,
            invoices,
        },
    ) in actions
    {
        let mut reasons = Vec::new();
        let mut applies = false;
        for (invoice, open) in &invoices {
            if !open {
                continue;
            }
            match holds
                .of(*invoice, debtor)
                .into_iter()
                .find(|h| h.active_on(day))
            {
                Some(h) => reasons.push(h.to_string()),
                None => applies = true,
            }
        }
        if applies {
            continue;
        }
        reasons.dedup();
        let reason = if reasons.is_empty() {
            creanta_domain::dunning::reasons::PAID.to_owned()
        } else {
            reasons.join("; ")
        };
        repo::cancel_action(tx, org, action_id, &reason, now).await?;
        if let Some(id) = outbox_id {
            outbox_repo::cancel_pending(tx, org, id, &reason).await?;
        }
        evs.push(NewEvent {
            actor: actor.to_owned(),
            kind: "action.cancelled".into(),
            subject_type: "action".into(),
            subject_id: Some(action_id),
            data: serde_json::json!({ "debtor_id": debtor, "outbox_id": outbox_id, "reason": reason }),
        });
        out.push(Cancelled {
            action_id,
            outbox_id,
            reason,
        });
    }
    events::append(tx, org, now, &evs).await?;
    Ok(out)
}

/// What a person records that pauses the calendar.
#[derive(Debug, Clone)]
pub enum NewHold {
    /// An objection on one invoice, with a reason code of the taxonomy.
    Dispute {
        invoice_id: i64,
        reason: String,
        note: Option<String>,
    },
    /// The debtor promises to pay `amount` by `until` (for one invoice, or all of them).
    Promise {
        debtor_id: i64,
        invoice_id: Option<i64>,
        amount: i64,
        currency: Currency,
        until: Date,
        note: Option<String>,
    },
    /// Paused, until a date or until released.
    Pause {
        debtor_id: i64,
        invoice_id: Option<i64>,
        until: Option<Date>,
        note: Option<String>,
    },
    Exclude {
        debtor_id: i64,
        note: Option<String>,
    },
    HandOff {
        debtor_id: i64,
        partner: String,
        note: Option<String>,
    },
}

/// Dispute reason codes: the taxonomy of DESIGN.md ("Words"), internal then external causes.
pub fn dispute_reasons() -> Vec<&'static str> {
    let mut v: Vec<&str> = creanta_domain::FindingCode::ALL
        .iter()
        .map(|c| c.code())
        .collect();
    v.extend([
        "quality_complaint",
        "not_received",
        "cash_flow",
        "bad_faith",
        "other",
    ]);
    v
}

/// Records a hold, logs it, and cancels the pending actions it stops. Returns the new row's id
/// and what was cancelled.
pub async fn add(
    app: &App,
    hold: &NewHold,
    actor: &str,
) -> Result<(i64, Vec<Cancelled>), AppError> {
    let org = app.org_id();
    let now = crate::now();
    let mut tx = app.store.begin().await?;
    let (table, sql, values, debtor, kind): (&str, &str, Vec<creanta_store::Value>, i64, &str) =
        match hold {
            NewHold::Dispute {
                invoice_id,
                reason,
                note,
            } => {
                if !dispute_reasons().contains(&reason.as_str()) {
                    return Err(AppError::Invalid(format!(
                        "reason: {reason:?} is not one of: {}",
                        dispute_reasons().join(", ")
                    )));
                }
                let debtor = debtor_of(&mut tx, org, *invoice_id).await?;
                (
                    "dispute",
                    "INSERT INTO disputes (org_id, invoice_id, reason, note, opened_at, opened_by) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    args![
                        org,
                        *invoice_id,
                        reason.as_str(),
                        note.as_deref(),
                        now,
                        actor
                    ]
                    .to_vec(),
                    debtor,
                    "dispute.opened",
                )
            }
            NewHold::Promise {
                debtor_id,
                invoice_id,
                amount,
                currency,
                until,
                note,
            } => {
                if *amount <= 0 {
                    return Err(AppError::Invalid(
                        "amount: a promise must be positive".into(),
                    ));
                }
                (
                    "promise",
                    "INSERT INTO promises (org_id, debtor_id, invoice_id, amount, currency, \
                     promised_for, note, created_at, created_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    args![
                        org,
                        *debtor_id,
                        *invoice_id,
                        *amount,
                        currency.as_str(),
                        *until,
                        note.as_deref(),
                        now,
                        actor
                    ]
                    .to_vec(),
                    *debtor_id,
                    "promise.recorded",
                )
            }
            NewHold::Pause {
                debtor_id,
                invoice_id,
                until,
                note,
            } => (
                "hold",
                HOLD_INSERT,
                args![
                    org,
                    *debtor_id,
                    *invoice_id,
                    "paused",
                    *until,
                    None::<String>,
                    note.as_deref(),
                    now,
                    actor
                ]
                .to_vec(),
                *debtor_id,
                "calendar.paused",
            ),
            NewHold::Exclude { debtor_id, note } => (
                "hold",
                HOLD_INSERT,
                args![
                    org,
                    *debtor_id,
                    None::<i64>,
                    "excluded",
                    None::<Date>,
                    None::<String>,
                    note.as_deref(),
                    now,
                    actor
                ]
                .to_vec(),
                *debtor_id,
                "calendar.excluded",
            ),
            NewHold::HandOff {
                debtor_id,
                partner,
                note,
            } => (
                "hold",
                HOLD_INSERT,
                args![
                    org,
                    *debtor_id,
                    None::<i64>,
                    "partner",
                    None::<Date>,
                    partner.as_str(),
                    note.as_deref(),
                    now,
                    actor
                ]
                .to_vec(),
                *debtor_id,
                "case.handed_off",
            ),
        };
    let exists = tx
        .fetch_optional(
            "SELECT 1 FROM debtors WHERE org_id = $1 AND id = $2",
            &args![org, debtor],
        )
        .await?;
    if exists.is_none() {
        return Err(AppError::Invalid(format!("no debtor {debtor}")));
    }
    let id: i64 = tx.fetch_one(sql, &values).await?.get(0)?;
    events::append(
        &mut tx,
        org,
        now,
        &[NewEvent {
            actor: actor.to_owned(),
            kind: kind.into(),
            subject_type: table.into(),
            subject_id: Some(id),
            data: serde_json::json!({ "debtor_id": debtor, "hold": format!("{hold:?}") }),
        }],
    )
    .await?;
    let cancelled = cancel_stale(&mut tx, org, &[debtor], app.today(), actor, now).await?;
    tx.commit().await?;
    Ok((id, cancelled))
}

const HOLD_INSERT: &str = "INSERT INTO holds (org_id, debtor_id, invoice_id, kind, until, partner, \
     note, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";

/// Ends a dispute (resolved), a hold (released) or a promise (withdrawn); the next run
/// pursues the invoices again.
pub async fn release(app: &App, what: &Released, actor: &str) -> Result<(), AppError> {
    let org = app.org_id();
    let now = crate::now();
    let mut tx = app.store.begin().await?;
    let (changed, kind, subject, id) = match what {
        Released::Dispute { id, resolution } => (
            tx.execute(
                "UPDATE disputes SET resolved_at = $1, resolved_by = $2, resolution = $3 \
                 WHERE org_id = $4 AND id = $5 AND resolved_at IS NULL",
                &args![now, actor, resolution.as_str(), org, *id],
            )
            .await?,
            "dispute.resolved",
            "dispute",
            *id,
        ),
        Released::Hold { id } => (
            tx.execute(
                "UPDATE holds SET released_at = $1, released_by = $2 \
                 WHERE org_id = $3 AND id = $4 AND released_at IS NULL",
                &args![now, actor, org, *id],
            )
            .await?,
            "calendar.released",
            "hold",
            *id,
        ),
        Released::Promise { id } => (
            tx.execute(
                "UPDATE promises SET cancelled_at = $1 \
                 WHERE org_id = $2 AND id = $3 AND cancelled_at IS NULL",
                &args![now, org, *id],
            )
            .await?,
            "promise.cancelled",
            "promise",
            *id,
        ),
    };
    if changed == 0 {
        return Err(AppError::Invalid(format!("no open {subject} {id}")));
    }
    events::append(
        &mut tx,
        org,
        now,
        &[NewEvent {
            actor: actor.to_owned(),
            kind: kind.into(),
            subject_type: subject.into(),
            subject_id: Some(id),
            data: serde_json::json!({ "released": format!("{what:?}") }),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What [`release`] ends.
#[derive(Debug, Clone)]
pub enum Released {
    Dispute { id: i64, resolution: String },
    Hold { id: i64 },
    Promise { id: i64 },
}

async fn debtor_of(tx: &mut Tx, org: i64, invoice: i64) -> Result<i64, AppError> {
    tx.fetch_optional(
        "SELECT debtor_id FROM invoices WHERE org_id = $1 AND id = $2",
        &args![org, invoice],
    )
    .await?
    .map(|r| r.get::<i64>(0))
    .transpose()?
    .ok_or_else(|| AppError::Invalid(format!("no invoice {invoice}")))
}
