//! `creanta check`: runs the pre-flight rules of `domain::check` over stored invoices and
//! keeps the findings up to date — new ones opened, corrected ones closed, each change
//! logged as an event — so that delivery, the pages and the API read one stored state.
//!
//! Imports call it for the debtors they touched (an entities import, for everyone: an IBAN
//! or a name of ours concerns every invoice), in their own transaction, so that the data and
//! its findings never disagree.

use std::collections::{HashMap, HashSet};

use creanta_domain::check::{
    self as rules, ContactFacts, ContractFacts, DebtorFacts, EntityFacts, Facts, Finding,
    GroupCompany, InvoiceFacts, Requirements, SameNumber, UblTotals,
};
use creanta_domain::ids::{Iban, TaxId};
use creanta_domain::model::{ContactRole, DocType, InvoiceKind, Language};
use creanta_domain::money::{Currency, Money};
use creanta_store::records::{Contact, Contract, Debtor, Entity, EntityAccount};
use creanta_store::repo::events::NewEvent;
use creanta_store::repo::findings::{self as store, CheckState, InvoiceRowForCheck, NewFinding};
use creanta_store::repo::{self, events};
use creanta_store::{Result as StoreResult, StoreError, Tx, args};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError};

/// Which invoices to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Every invoice of these debtors.
    Debtors(Vec<i64>),
}

impl Scope {
    fn debtors(&self) -> Option<&[i64]> {
        match self {
            Scope::All => None,
            Scope::Debtors(ids) => Some(ids),
        }
    }
}

/// One checked invoice and what is wrong with it now.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedInvoice {
    pub invoice_id: i64,
    pub entity_tax_id: String,
    pub series: String,
    pub number: String,
    pub debtor_code: String,
    pub findings: Vec<Finding>,
}

impl CheckedInvoice {
    /// `SERIES-NUMBER`, or the number alone when there is no series.
    pub fn label(&self) -> String {
        if self.series.is_empty() {
            self.number.clone()
        } else {
            format!("{}-{}", self.series, self.number)
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub checked: usize,
    pub with_errors: usize,
    pub with_warnings_only: usize,
    pub findings_opened: usize,
    pub findings_closed: usize,
    /// The checked invoices in id order: every one for a check of some debtors, only those
    /// with findings for a check of the whole organization.
    pub invoices: Vec<CheckedInvoice>,
}

/// Checks the invoices of `scope` and stores the result, in one transaction.
pub async fn check(app: &App, scope: &Scope, actor: &str) -> Result<CheckReport, AppError> {
    let mut tx = app.store.begin().await?;
    let report = check_in(&mut tx, app.org_id(), scope, actor, crate::now()).await?;
    tx.commit().await?;
    Ok(report)
}

/// The debtor an invoice reference `ENTITY:SERIES-NUMBER` names, and the invoices it
/// matches (more than one only when the number is used twice, which the check reports).
/// The entity is its tax id, written in any usual form (`RO 185 472 90`); series and number
/// are compared by their letters and digits, as payments name invoices.
pub async fn find_invoice(app: &App, reference: &str) -> Result<Vec<(i64, i64)>, AppError> {
    let bad = || {
        AppError::Invalid(format!(
            "{reference:?} is not an invoice reference: write ENTITY_TAX_ID:SERIES-NUMBER, e.g. RO18547290:TCG-1001"
        ))
    };
    let (entity, invoice) = reference.split_once(':').ok_or_else(bad)?;
    let key = crate::import::match_key("", invoice);
    if key.is_empty() {
        return Err(bad());
    }
    let wanted = TaxId::normalize_loose(entity);
    let mut tx = app.store.begin().await?;
    let entity_ids: Vec<i64> = repo::load_all::<Entity>(&mut tx, app.org_id())
        .await?
        .into_iter()
        .filter(|(_, e)| TaxId::normalize_loose(&e.tax_id) == wanted)
        .map(|(id, _)| id)
        .collect();
    let [entity_id] = entity_ids[..] else {
        return Err(AppError::Invalid(format!(
            "{entity:?} is not the tax id of one of your entities"
        )));
    };
    let found: Vec<(i64, i64)> = tx
        .fetch_all(
            "SELECT id, debtor_id FROM invoices WHERE org_id = $1 AND entity_id = $2 AND match_key = $3 ORDER BY id",
            &args![app.org_id(), entity_id, key],
        )
        .await?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect::<StoreResult<_>>()?;
    if found.is_empty() {
        return Err(AppError::Invalid(format!("no invoice {reference}")));
    }
    Ok(found)
}

/// The id of the debtor with this code.
pub async fn find_debtor(app: &App, code: &str) -> Result<i64, AppError> {
    app.store
        .fetch_optional(
            "SELECT id FROM debtors WHERE org_id = $1 AND code = $2",
            &args![app.org_id(), code],
        )
        .await?
        .map(|r| r.get(0))
        .transpose()?
        .ok_or_else(|| AppError::Invalid(format!("no debtor with code {code:?}")))
}

/// Everything the rules read besides the invoices, loaded once per run.
struct MasterData {
    entities: Vec<EntityFacts>,
    entity_index: HashMap<i64, usize>,
    debtors: HashMap<i64, DebtorFacts>,
    /// Per debtor, its contracts (with the number to find them by).
    contracts: HashMap<i64, Vec<ContractFacts>>,
}

async fn master_data(tx: &mut Tx, org: i64, debtor_ids: Option<&[i64]>) -> StoreResult<MasterData> {
    let mut ibans: HashMap<i64, Vec<Iban>> = HashMap::new();
    for (_, a) in repo::load_all::<EntityAccount>(tx, org).await? {
        // Our accounts were validated when imported; one that no longer parses is not ours.
        if let Ok(iban) = Iban::parse(&a.iban) {
            ibans.entry(a.entity_id).or_default().push(iban);
        }
    }
    let mut entities = Vec::new();
    let mut entity_index = HashMap::new();
    let mut entity_tax: HashMap<i64, String> = HashMap::new();
    for (id, e) in repo::load_all::<Entity>(tx, org).await? {
        entity_index.insert(id, entities.len());
        entity_tax.insert(id, e.tax_id.clone());
        entities.push(EntityFacts {
            tax_id: e.tax_id,
            name: e.name,
            ibans: ibans.remove(&id).unwrap_or_default(),
        });
    }

    let debtor_rows: Vec<(i64, Debtor)> = match debtor_ids {
        None => repo::load_all::<Debtor>(tx, org).await?,
        Some(ids) => repo::load_in::<Debtor>(tx, org, "id", ids).await?,
    };
    let contacts: Vec<(i64, Contact)> = match debtor_ids {
        None => repo::load_all::<Contact>(tx, org).await?,
        Some(ids) => repo::load_in::<Contact>(tx, org, "debtor_id", ids).await?,
    };
    let contract_rows: Vec<(i64, Contract)> = match debtor_ids {
        None => repo::load_all::<Contract>(tx, org).await?,
        Some(ids) => repo::load_in::<Contract>(tx, org, "debtor_id", ids).await?,
    };

    // The companies of every group, to name the one an invoice went to by mistake.
    let mut groups: HashMap<i64, Vec<(i64, GroupCompany)>> = HashMap::new();
    for r in tx
        .fetch_all(
            "SELECT id, code, name, tax_id, group_id FROM debtors WHERE org_id = $1 AND group_id IS NOT NULL ORDER BY id",
            &args![org],
        )
        .await?
    {
        groups.entry(r.get(4)?).or_default().push((
            r.get(0)?,
            GroupCompany {
                code: r.get(1)?,
                name: r.get(2)?,
                tax_id: r.get(3)?,
            },
        ));
    }

    let mut contacts_of: HashMap<i64, Vec<ContactFacts>> = HashMap::new();
    for (_, c) in contacts {
        // A role outside the taxonomy cannot be stored (CHECK constraint); skip defensively.
        let Ok(role) = c.role.parse::<ContactRole>() else {
            continue;
        };
        contacts_of
            .entry(c.debtor_id)
            .or_default()
            .push(ContactFacts {
                name: c.name,
                role,
                email: c.email,
            });
    }

    let mut debtors = HashMap::with_capacity(debtor_rows.len());
    for (id, d) in debtor_rows {
        let group = d
            .group_id
            .and_then(|g| groups.get(&g))
            .map(|members| {
                members
                    .iter()
                    .filter(|(member, _)| *member != id)
                    .map(|(_, c)| c.clone())
                    .collect()
            })
            .unwrap_or_default();
        debtors.insert(
            id,
            DebtorFacts {
                code: d.code,
                name: d.name,
                tax_id: d.tax_id,
                group,
                payment_terms_days: d.payment_terms_days,
                requirements: Requirements {
                    requires_po: d.requires_po,
                    required_mention: d.required_mention,
                    required_documents: doc_types(&d.required_documents),
                    requires_confirmation: d.requires_confirmation,
                },
                contacts: contacts_of.remove(&id).unwrap_or_default(),
            },
        );
    }

    let mut contracts: HashMap<i64, Vec<ContractFacts>> = HashMap::new();
    for (_, c) in contract_rows {
        contracts
            .entry(c.debtor_id)
            .or_default()
            .push(ContractFacts {
                number: c.number,
                entity_tax_id: entity_tax.get(&c.entity_id).cloned().unwrap_or_default(),
                signed_on: c.signed_on,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                payment_terms_days: c.payment_terms_days,
                currency: c.currency.as_deref().and_then(|c| Currency::parse(c).ok()),
                requirements: Requirements {
                    requires_po: c.requires_po,
                    required_mention: c.required_mention,
                    required_documents: doc_types(&c.required_documents),
                    requires_confirmation: c.requires_confirmation,
                },
            });
    }
    Ok(MasterData {
        entities,
        entity_index,
        debtors,
        contracts,
    })
}

/// `required_documents` as stored: codes separated by `;`.
fn doc_types(list: &str) -> Vec<DocType> {
    list.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|s| DocType::parse_lenient(s).ok())
        .collect()
}

/// The contract an invoice is issued under: by the debtor and the number it names, or the
/// debtor's only contract when it names none. Never by the issuing entity (see `Facts`).
fn contract_of<'a>(
    contracts: Option<&'a Vec<ContractFacts>>,
    number: Option<&str>,
) -> Option<&'a ContractFacts> {
    let contracts = contracts?;
    match number.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => contracts.iter().find(|c| c.number == n),
        None => match contracts.as_slice() {
            [only] => Some(only),
            _ => None,
        },
    }
}

fn invoice_facts(
    row: &InvoiceRowForCheck,
    entity_tax_id: String,
    linked: Vec<DocType>,
    same_number: Vec<SameNumber>,
) -> std::result::Result<InvoiceFacts, StoreError> {
    let currency = Currency::parse(&row.currency)
        .map_err(|e| StoreError::Corrupt(format!("invoice {}: currency: {e}", row.id)))?;
    let attrs: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&row.attrs).unwrap_or_default();
    let ubl: Option<UblTotals> = match &row.ubl_totals {
        Some(t) => Some(
            serde_json::from_str(t)
                .map_err(|e| StoreError::Corrupt(format!("invoice {}: ubl_totals: {e}", row.id)))?,
        ),
        None => None,
    };
    Ok(InvoiceFacts {
        entity_tax_id,
        series: row.series.clone(),
        number: row.number.clone(),
        kind: row.kind.parse().unwrap_or(InvoiceKind::Invoice),
        issue_date: row.issue_date,
        due_date: row.due_date,
        total: Money::new(row.total, currency),
        buyer_tax_id: row.buyer_tax_id.clone(),
        buyer_name: row.buyer_name.clone(),
        po_number: row.po_number.clone(),
        buyer_reference: attrs
            .get("buyer_reference")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        mentions: row.mentions.iter().cloned().collect(),
        ibans: row.iban.iter().cloned().collect(),
        sent_to: row.sent_to.clone(),
        linked_documents: linked,
        ubl,
        same_number,
    })
}

/// A finding's identity across runs: the same code with the same facts is the same
/// finding; changed facts (another wrong amount, another missing document) are a new one.
fn identity(code: &str, detail: &str) -> (String, String) {
    (code.to_owned(), detail.to_owned())
}

/// What a run carries from one invoice to the next: the data the rules read besides the
/// invoice, and what the run found so far.
struct Run {
    master: MasterData,
    linked: HashMap<i64, Vec<DocType>>,
    by_number: HashMap<(i64, String, String), Vec<store::SameNumberRow>>,
    /// Open findings per invoice, by identity.
    open: HashMap<i64, HashMap<(String, String), Vec<i64>>>,
    /// Report clean invoices too (a scoped check: the CLI shows the invoice it was asked for).
    keep_clean: bool,
    report: CheckReport,
    to_open: Vec<NewFinding>,
    to_close: Vec<(i64, i64, String)>,
    states: Vec<CheckState>,
}

impl Run {
    fn invoice(&mut self, row: &InvoiceRowForCheck) -> StoreResult<()> {
        let master = &self.master;
        let Some(debtor) = master.debtors.get(&row.debtor_id) else {
            return Err(StoreError::Corrupt(format!(
                "invoice {} names debtor {}, which is not in the organization",
                row.id, row.debtor_id
            )));
        };
        let entity_tax_id = master
            .entity_index
            .get(&row.entity_id)
            .map(|&i| master.entities[i].tax_id.clone())
            .unwrap_or_default();
        let same_number = self
            .by_number
            .get(&(row.entity_id, row.series.clone(), row.number.clone()))
            .map(|rows| {
                rows.iter()
                    .filter(|r| r.id != row.id)
                    .filter_map(|r| {
                        let currency = Currency::parse(&r.currency).ok()?;
                        Some(SameNumber {
                            issue_date: r.issue_date,
                            total: Money::new(r.total, currency),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let facts_invoice = invoice_facts(
            row,
            entity_tax_id,
            self.linked.remove(&row.id).unwrap_or_default(),
            same_number,
        )?;
        let contract = contract_of(
            master.contracts.get(&row.debtor_id),
            row.contract_number.as_deref(),
        );
        let findings = rules::check(&Facts {
            invoice: &facts_invoice,
            debtor,
            contract,
            entities: &master.entities,
        });

        let mut still_open = self.open.remove(&row.id).unwrap_or_default();
        for f in &findings {
            let detail = serde_json::to_string(&f.detail).expect("a finding's detail serializes");
            let key = identity(f.code.code(), &detail);
            match still_open.get_mut(&key).and_then(Vec::pop) {
                Some(_) => {}
                None => self.to_open.push(NewFinding {
                    invoice_id: row.id,
                    code: f.code.code().to_owned(),
                    severity: f.severity.code().to_owned(),
                    field: f.field.code().to_owned(),
                    detail,
                }),
            }
        }
        for ((code, _), ids) in still_open {
            self.to_close
                .extend(ids.into_iter().map(|id| (id, row.id, code.clone())));
        }

        let errors = findings.iter().filter(|f| f.is_error()).count() as i64;
        let warnings = findings.len() as i64 - errors;
        self.report.checked += 1;
        if errors > 0 {
            self.report.with_errors += 1;
        } else if warnings > 0 {
            self.report.with_warnings_only += 1;
        }
        // Unchanged counts are not rewritten: a re-check of a million clean invoices then
        // writes nothing.
        if row.previous != Some((errors, warnings)) {
            self.states.push(CheckState {
                invoice_id: row.id,
                open_errors: errors,
                open_warnings: warnings,
            });
        }
        if self.keep_clean || !findings.is_empty() {
            self.report.invoices.push(CheckedInvoice {
                invoice_id: row.id,
                entity_tax_id: facts_invoice.entity_tax_id,
                series: row.series.clone(),
                number: row.number.clone(),
                debtor_code: debtor.code.clone(),
                findings,
            });
        }
        Ok(())
    }
}

/// Invoices read at a time by a whole-organization check.
const PAGE: i64 = 20_000;

/// [`check`] inside the caller's transaction.
pub(crate) async fn check_in(
    tx: &mut Tx,
    org: i64,
    scope: &Scope,
    actor: &str,
    at: jiff::Timestamp,
) -> StoreResult<CheckReport> {
    let debtor_ids = scope.debtors();
    if debtor_ids.is_some_and(<[i64]>::is_empty) {
        return Ok(CheckReport::default());
    }
    let started = std::time::Instant::now();
    let lap = |phase: &str| {
        tracing::debug!(
            phase,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "check"
        )
    };
    let master = master_data(tx, org, debtor_ids).await?;
    let mut linked: HashMap<i64, Vec<DocType>> = HashMap::new();
    for (invoice_id, doc_type) in store::linked_document_types(tx, org, debtor_ids).await? {
        if let Ok(t) = doc_type.parse::<DocType>() {
            linked.entry(invoice_id).or_default().push(t);
        }
    }
    let mut by_number: HashMap<(i64, String, String), Vec<store::SameNumberRow>> = HashMap::new();
    for r in store::shared_numbers(tx, org).await? {
        by_number
            .entry((r.entity_id, r.series.clone(), r.number.clone()))
            .or_default()
            .push(r);
    }
    let mut open: HashMap<i64, HashMap<(String, String), Vec<i64>>> = HashMap::new();
    for f in store::open_findings(tx, org, debtor_ids).await? {
        open.entry(f.invoice_id)
            .or_default()
            .entry(identity(&f.code, &f.detail))
            .or_default()
            .push(f.id);
    }
    lap("master data, documents, numbers, findings");
    let mut run = Run {
        master,
        linked,
        by_number,
        open,
        keep_clean: debtor_ids.is_some(),
        report: CheckReport::default(),
        to_open: Vec::new(),
        to_close: Vec::new(),
        states: Vec::new(),
    };
    if debtor_ids.is_some() {
        for row in &store::invoices(tx, org, debtor_ids).await? {
            run.invoice(row)?;
        }
    } else {
        // Reading the invoices costs as much as checking them (a row at a time through the
        // driver), so the rules run on a thread of their own while the next page is read.
        let (pages, mut received) = tokio::sync::mpsc::channel::<Vec<InvoiceRowForCheck>>(2);
        let worker = tokio::task::spawn_blocking(move || -> StoreResult<Run> {
            while let Some(page) = received.blocking_recv() {
                for row in &page {
                    run.invoice(row)?;
                }
            }
            Ok(run)
        });
        let mut after = 0;
        loop {
            let page = store::invoices_after(tx, org, after, PAGE).await?;
            let next = match page.last() {
                Some(last) if page.len() as i64 == PAGE => Some(last.id),
                _ => None,
            };
            // A closed channel means the rules stopped on an error: the worker reports it.
            if pages.send(page).await.is_err() {
                break;
            }
            match next {
                Some(id) => after = id,
                None => break,
            }
        }
        drop(pages);
        run = worker
            .await
            .map_err(|e| StoreError::Corrupt(format!("the check's worker stopped: {e}")))??;
    }
    lap("rules");
    let Run {
        mut report,
        to_open,
        mut to_close,
        states,
        ..
    } = run;

    let opened_ids = store::open(tx, org, at, &to_open).await?;
    to_close.sort_unstable();
    store::close(
        tx,
        org,
        at,
        &to_close.iter().map(|(id, _, _)| *id).collect::<Vec<_>>(),
    )
    .await?;
    store::record_checks(tx, org, at, &states).await?;

    let mut log: Vec<NewEvent> = Vec::with_capacity(to_open.len() + to_close.len());
    for (f, id) in to_open.iter().zip(&opened_ids) {
        log.push(NewEvent {
            actor: actor.to_owned(),
            kind: "finding.opened".into(),
            subject_type: "invoice".into(),
            subject_id: Some(f.invoice_id),
            data: json!({
                "finding_id": id,
                "code": f.code,
                "severity": f.severity,
                "field": f.field,
                "detail": serde_json::from_str::<serde_json::Value>(&f.detail).unwrap_or_default(),
            }),
        });
    }
    for (id, invoice_id, code) in &to_close {
        log.push(NewEvent {
            actor: actor.to_owned(),
            kind: "finding.closed".into(),
            subject_type: "invoice".into(),
            subject_id: Some(*invoice_id),
            data: json!({ "finding_id": id, "code": code, "reason": "no longer found" }),
        });
    }
    events::append(tx, org, at, &log).await?;
    lap("written");
    report.findings_opened = to_open.len();
    report.findings_closed = to_close.len();
    Ok(report)
}

/// The message and fix of a finding in `lang`, as the CLI, pages and API show it.
#[derive(Debug, Clone, Serialize)]
pub struct ShownFinding {
    pub code: String,
    pub severity: String,
    pub field: String,
    pub message: String,
    pub fix: String,
}

impl ShownFinding {
    pub fn of(f: &Finding, lang: Language) -> ShownFinding {
        ShownFinding {
            code: f.code.code().to_owned(),
            severity: f.severity.code().to_owned(),
            field: f.field.code().to_owned(),
            message: f.message(lang),
            fix: f.fix(lang),
        }
    }
}

/// Debtors whose invoices an import should check again, without repeats.
pub(crate) fn distinct(ids: &[i64]) -> Vec<i64> {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}
