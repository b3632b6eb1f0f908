//! The writing half of an import: resolve references, decide new / updated / unchanged by
//! natural key, write in one transaction, log what changed.

use std::collections::HashMap;
use std::hash::Hash;

use creanta_domain::ids::TaxId;
use creanta_domain::model::DocType;
use creanta_formats::rows::{
    Attrs, ContactRow, ContractRow, DebtorRow, DocumentRow, EntityRow, InvoiceRow, Located,
    PaymentRow,
};
use creanta_formats::table::RowError;
use creanta_store::records::{
    self, Allocation, Contact, Contract, CreditAllocation, Debtor, DebtorGroup, Document, Entity,
    EntityAccount, Invoice, Payment, Record,
};
use creanta_store::repo::{self, events::NewEvent};
use creanta_store::{Tx, blobs::sha256_hex};
use jiff::ToSpan;
use serde_json::json;

use super::{ImportError, ImportKind, ImportOptions, ImportSummary, Progress};
use crate::check::{Scope, distinct};
use crate::{App, AppError};

#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceFile {
    pub label: String,
    pub sha256: String,
}

/// A file that travels with an invoice (the e-Factura XML, ANAF's signature).
#[derive(Debug, Clone)]
pub struct Attachment {
    pub doc_type: DocType,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The date the document states, when given: an acknowledgement of receipt's service date.
    pub dated: Option<jiff::civil::Date>,
}

/// A party of an e-invoice, which may become an entity (seller) or a debtor (buyer).
#[derive(Debug, Clone)]
pub struct Party {
    pub tax_id: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub ibans: Vec<String>,
}

/// An invoice to import, from a table row or an e-invoice.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub file: String,
    pub line: u64,
    pub row: InvoiceRow,
    /// e-invoices may omit BT-9; the due date then follows the contract's or debtor's terms.
    pub due_date_given: bool,
    pub source: &'static str,
    /// Identity of an immutable source document (SHA-256 of an e-invoice's XML); empty for
    /// table rows, which are records that later imports may update.
    pub doc_key: String,
    /// The totals of an e-invoice, for the check's amount rules; `None` for table rows.
    pub ubl_totals: Option<creanta_domain::check::UblTotals>,
    pub seller: Option<Party>,
    pub buyer: Option<Party>,
    pub attachments: Vec<Attachment>,
}

impl Incoming {
    pub(crate) fn from_row(l: Located<InvoiceRow>) -> Incoming {
        Incoming {
            file: l.file,
            line: l.line,
            row: l.row,
            due_date_given: true,
            source: "file",
            doc_key: String::new(),
            ubl_totals: None,
            seller: None,
            buyer: None,
            attachments: Vec::new(),
        }
    }
    fn error(&self, column: &str, message: impl Into<String>) -> RowError {
        RowError::new(&self.file, self.line, Some(column), message)
    }
    fn place(&self) -> Place {
        Place {
            file: self.file.clone(),
            line: self.line,
        }
    }
}

/// Everything read from the files of one import command.
#[derive(Debug)]
pub struct Input {
    pub kind: ImportKind,
    pub sources: Vec<SourceFile>,
    pub entities: Vec<Located<EntityRow>>,
    pub debtors: Vec<Located<DebtorRow>>,
    pub contacts: Vec<Located<ContactRow>>,
    pub contracts: Vec<Located<ContractRow>>,
    pub invoices: Vec<Incoming>,
    pub payments: Vec<Located<PaymentRow>>,
    pub documents: Vec<(Located<DocumentRow>, Vec<u8>)>,
}

impl Input {
    pub fn new(kind: ImportKind) -> Input {
        Input {
            kind,
            sources: Vec::new(),
            entities: Vec::new(),
            debtors: Vec::new(),
            contacts: Vec::new(),
            contracts: Vec::new(),
            invoices: Vec::new(),
            payments: Vec::new(),
            documents: Vec::new(),
        }
    }
}

struct Ctx<'a> {
    app: &'a App,
    tx: Tx,
    org: i64,
    events: Vec<NewEvent>,
    summary: ImportSummary,
    errors: Vec<RowError>,
    progress: &'a dyn Progress,
    /// Debtors whose master data, invoices or payments this import wrote: their line of the
    /// debtors list is refreshed before the commit.
    touched: Vec<i64>,
    /// Debtors whose invoices the check must see again (contacts, contracts, documents).
    recheck: Vec<i64>,
    /// Documents kind: the id of the document each input row names (new or already stored).
    document_ids: Vec<i64>,
}

type Res<T> = Result<T, ImportError>;

pub async fn apply(
    app: &App,
    kind: ImportKind,
    input: Input,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Res<ImportSummary> {
    Ok(apply_with_ids(app, kind, input, options, progress).await?.0)
}

/// [`apply`], and for a documents import the id of the document each input row names, in
/// input order (the API answers an upload with the document it stored).
pub async fn apply_with_ids(
    app: &App,
    kind: ImportKind,
    input: Input,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Res<(ImportSummary, Vec<i64>)> {
    let tx = app.store.begin().await?;
    let mut ctx = Ctx {
        app,
        tx,
        org: app.org_id(),
        events: Vec::new(),
        summary: ImportSummary {
            kind: kind.name().to_owned(),
            files: input.sources.len(),
            ..Default::default()
        },
        errors: Vec::new(),
        progress,
        touched: Vec::new(),
        recheck: Vec::new(),
        document_ids: Vec::new(),
    };
    let sources = input.sources.clone();
    match kind {
        ImportKind::Entities => entities(&mut ctx, input.entities).await?,
        ImportKind::Debtors => debtors(&mut ctx, input.debtors).await?,
        ImportKind::Contacts => contacts(&mut ctx, input.contacts).await?,
        ImportKind::Contracts => contracts(&mut ctx, input.contracts).await?,
        ImportKind::Invoices => invoices(&mut ctx, input.invoices, options).await?,
        ImportKind::Payments => payments(&mut ctx, input.payments).await?,
        ImportKind::Documents => documents(&mut ctx, input.documents).await?,
    }
    if !ctx.errors.is_empty() {
        // Dropping the transaction rolls back whatever this import wrote.
        return Err(ImportError::rejected(ctx.errors));
    }
    let s = &ctx.summary;
    let changed = s.new
        + s.updated
        + s.documents_stored
        + s.entities_created
        + s.debtors_created
        + s.payments_allocated
        + s.credit_notes_applied;
    // A repeated import changes nothing, not even the log.
    if changed > 0 {
        ctx.events.push(NewEvent {
            actor: "import".into(),
            kind: "import.completed".into(),
            subject_type: "import".into(),
            subject_id: None,
            data: json!({ "kind": kind.name(), "files": sources, "summary": ctx.summary }),
        });
        repo::events::append(&mut ctx.tx, ctx.org, crate::now(), &ctx.events).await?;
        repo::debtor_list::refresh(&mut ctx.tx, ctx.org, &ctx.touched).await?;
        if !options.defer_check {
            let scope = match kind {
                // Our names and accounts concern every invoice.
                ImportKind::Entities => Some(Scope::All),
                ImportKind::Debtors | ImportKind::Invoices => {
                    Some(Scope::Debtors(distinct(&ctx.touched)))
                }
                ImportKind::Contacts | ImportKind::Contracts | ImportKind::Documents => {
                    Some(Scope::Debtors(distinct(&ctx.recheck)))
                }
                ImportKind::Payments => None,
            };
            if let Some(scope) = scope {
                let checked =
                    crate::check::check_in(&mut ctx.tx, ctx.org, &scope, "import", crate::now())
                        .await?;
                ctx.summary.findings_opened = checked.findings_opened;
                ctx.summary.findings_closed = checked.findings_closed;
            }
        }
        if matches!(kind, ImportKind::Payments | ImportKind::Invoices) {
            // A payment or a credit note takes effect at once (DESIGN.md, "The daily run",
            // point 6): reminders about invoices now paid are cancelled before they go out.
            let cancelled = crate::calendar::holds::cancel_stale(
                &mut ctx.tx,
                ctx.org,
                &distinct(&ctx.touched),
                ctx.app.today(),
                "import",
                crate::now(),
            )
            .await?;
            ctx.summary.actions_cancelled = cancelled.len();
        }
    }
    ctx.tx.commit().await?;
    Ok((ctx.summary, ctx.document_ids))
}

fn attrs_json(attrs: &Attrs) -> String {
    serde_json::to_string(attrs).expect("a string map serializes")
}

fn doc_list(types: &[DocType]) -> String {
    types.iter().map(|t| t.code()).collect::<Vec<_>>().join(";")
}

fn tax_id_valid(tax_id: &str) -> bool {
    TaxId::parse(tax_id).is_ok()
}

/// Uppercase letters and digits of series + number: how payments and documents name an
/// invoice ("FCT 0042", "FCT-0042" and "fct0042" are the same invoice).
pub fn match_key(series: &str, number: &str) -> String {
    series
        .chars()
        .chain(number.chars())
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Where a record came from: a line of a table, or an XML file (line 0).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    file: String,
    line: u64,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}", self.file),
            n => write!(f, "{}:{n}", self.file),
        }
    }
}

impl Place {
    fn of<T>(l: &Located<T>) -> Place {
        Place {
            file: l.file.clone(),
            line: l.line,
        }
    }
    fn error(&self, column: Option<&str>, message: impl Into<String>) -> RowError {
        RowError::new(&self.file, self.line, column, message)
    }
}

/// One record to write, with its natural key and where it came from.
struct Keyed<K, R> {
    key: K,
    record: R,
    place: Place,
}

/// What [`upsert`] did: the id of every incoming key, and which keys it wrote.
struct Upserted<K> {
    ids: HashMap<K, i64>,
    written: std::collections::HashSet<K>,
}

/// Writes `incoming` against `existing` by key: inserts the new, updates the changed (with an
/// event holding the differences), leaves the rest. A key repeated in the same import must
/// carry the same values each time (it is then written once); otherwise every repeat is an error.
async fn upsert<K, R>(
    ctx: &mut Ctx<'_>,
    subject: &str,
    key_column: &str,
    existing: &HashMap<K, (i64, R)>,
    incoming: Vec<Keyed<K, R>>,
) -> Res<Upserted<K>>
where
    K: Hash + Eq + Clone + std::fmt::Debug,
    R: Record,
{
    let mut first: HashMap<K, usize> = HashMap::with_capacity(incoming.len());
    let mut unique: Vec<Keyed<K, R>> = Vec::with_capacity(incoming.len());
    for item in incoming {
        match first.get(&item.key) {
            Some(&i) if unique[i].record == item.record => ctx.summary.unchanged += 1,
            Some(&i) => ctx.errors.push(item.place.error(
                Some(key_column),
                format!(
                    "{subject} {:?} appears again with different values (first at {})",
                    item.key, unique[i].place
                ),
            )),
            None => {
                first.insert(item.key.clone(), unique.len());
                unique.push(item);
            }
        }
    }
    let mut ids: HashMap<K, i64> = HashMap::with_capacity(unique.len());
    let mut written = std::collections::HashSet::new();
    let mut fresh: Vec<Keyed<K, R>> = Vec::new();
    for item in unique {
        match existing.get(&item.key) {
            Some((id, old)) if old == &item.record => {
                ids.insert(item.key, *id);
                ctx.summary.unchanged += 1;
            }
            Some((id, old)) => {
                repo::update(&mut ctx.tx, ctx.org, *id, &item.record).await?;
                ctx.summary.updated += 1;
                ctx.events.push(NewEvent {
                    actor: "import".into(),
                    kind: format!("{subject}.updated"),
                    subject_type: subject.into(),
                    subject_id: Some(*id),
                    data: json!({ "source": item.place.to_string(), "changes": records::diff(old, &item.record)? }),
                });
                written.insert(item.key.clone());
                ids.insert(item.key, *id);
            }
            None => fresh.push(item),
        }
    }
    ctx.progress.start("writing", fresh.len() as u64);
    for chunk in fresh.chunks(5000) {
        let recs: Vec<R> = chunk.iter().map(|k| k.record.clone()).collect();
        let new_ids = repo::insert_many(&mut ctx.tx, ctx.org, &recs).await?;
        for (k, id) in chunk.iter().zip(new_ids) {
            ids.insert(k.key.clone(), id);
            written.insert(k.key.clone());
        }
        ctx.progress.advance(chunk.len() as u64);
    }
    ctx.progress.finish();
    ctx.summary.new += fresh.len();
    Ok(Upserted { ids, written })
}

fn keyed_existing<K: Hash + Eq, R: Record>(
    rows: Vec<(i64, R)>,
    key: impl Fn(&R) -> K,
) -> HashMap<K, (i64, R)> {
    rows.into_iter().map(|(id, r)| (key(&r), (id, r))).collect()
}

async fn entities(ctx: &mut Ctx<'_>, rows: Vec<Located<EntityRow>>) -> Res<()> {
    let existing = keyed_existing(repo::load_all::<Entity>(&mut ctx.tx, ctx.org).await?, |e| {
        e.tax_id.clone()
    });
    let incoming = rows
        .iter()
        .map(|l| Keyed {
            key: l.row.tax_id.clone(),
            record: Entity {
                tax_id: l.row.tax_id.clone(),
                tax_id_valid: tax_id_valid(&l.row.tax_id),
                name: l.row.name.clone(),
                registration_no: l.row.registration_no.clone(),
                address: l.row.address.clone(),
                city: l.row.city.clone(),
                country: l.row.country.clone(),
                attrs: attrs_json(&l.row.attrs),
            },
            place: Place::of(l),
        })
        .collect();
    let ids = upsert(ctx, "entity", "tax_id", &existing, incoming)
        .await?
        .ids;
    let accounts = repo::load_all::<EntityAccount>(&mut ctx.tx, ctx.org).await?;
    let mut owner: HashMap<String, i64> = accounts
        .into_iter()
        .map(|(_, a)| (a.iban, a.entity_id))
        .collect();
    let mut new_accounts = Vec::new();
    for l in &rows {
        let entity_id = ids[&l.row.tax_id];
        for iban in &l.row.ibans {
            match owner.get(iban) {
                Some(id) if *id == entity_id => {}
                Some(_) => ctx.errors.push(l.error(
                    Some("ibans"),
                    format!("{iban} already belongs to another entity"),
                )),
                None => {
                    owner.insert(iban.clone(), entity_id);
                    new_accounts.push(EntityAccount {
                        entity_id,
                        iban: iban.clone(),
                    });
                }
            }
        }
    }
    repo::insert_many(&mut ctx.tx, ctx.org, &new_accounts).await?;
    // New accounts of an existing entity are a change of that entity: logged, and counted as
    // an update unless its fields changed too (then it already is one).
    let updated: std::collections::HashSet<i64> = ctx
        .events
        .iter()
        .filter(|e| e.kind == "entity.updated")
        .filter_map(|e| e.subject_id)
        .collect();
    let existing_ids: std::collections::HashSet<i64> =
        existing.values().map(|(id, _)| *id).collect();
    let mut grown: Vec<i64> = new_accounts
        .iter()
        .map(|a| a.entity_id)
        .filter(|id| existing_ids.contains(id))
        .collect();
    grown.sort_unstable();
    grown.dedup();
    for id in grown {
        if !updated.contains(&id) {
            ctx.summary.updated += 1;
            ctx.summary.unchanged -= 1;
        }
        let added: Vec<&String> = new_accounts
            .iter()
            .filter(|a| a.entity_id == id)
            .map(|a| &a.iban)
            .collect();
        ctx.events.push(NewEvent {
            actor: "import".into(),
            kind: "entity.accounts_added".into(),
            subject_type: "entity".into(),
            subject_id: Some(id),
            data: json!({ "ibans": added }),
        });
    }
    Ok(())
}

async fn debtors(ctx: &mut Ctx<'_>, rows: Vec<Located<DebtorRow>>) -> Res<()> {
    let mut groups: HashMap<String, i64> = repo::load_all::<DebtorGroup>(&mut ctx.tx, ctx.org)
        .await?
        .into_iter()
        .map(|(id, g)| (g.name, id))
        .collect();
    let mut missing: Vec<String> = rows
        .iter()
        .filter_map(|l| l.row.group.clone())
        .filter(|g| !groups.contains_key(g))
        .collect();
    missing.sort();
    missing.dedup();
    let new_groups: Vec<DebtorGroup> = missing
        .iter()
        .map(|name| DebtorGroup { name: name.clone() })
        .collect();
    let new_ids = repo::insert_many(&mut ctx.tx, ctx.org, &new_groups).await?;
    groups.extend(missing.into_iter().zip(new_ids));

    let codes = policy_codes(ctx).await?;
    for l in &rows {
        if let Some(m) = crate::calendar::unknown_policy(l.row.policy.as_ref(), &codes) {
            ctx.errors.push(l.error(Some("policy"), m));
        }
    }
    if !ctx.errors.is_empty() {
        return Ok(());
    }
    let existing = keyed_existing(repo::load_all::<Debtor>(&mut ctx.tx, ctx.org).await?, |d| {
        d.code.clone()
    });
    let incoming = rows
        .iter()
        .map(|l| {
            let r = &l.row;
            Keyed {
                key: r.code.clone(),
                record: Debtor {
                    code: r.code.clone(),
                    name: r.name.clone(),
                    tax_id: r.tax_id.clone(),
                    tax_id_valid: tax_id_valid(&r.tax_id),
                    registration_no: r.registration_no.clone(),
                    group_id: r.group.as_ref().map(|g| groups[g]),
                    country: r.country.clone(),
                    city: r.city.clone(),
                    address: r.address.clone(),
                    language: r.language.map(|l| l.code()).unwrap_or("ro").to_owned(),
                    owner_email: r.owner.clone(),
                    policy: r.policy.clone(),
                    payment_terms_days: r.payment_terms_days,
                    requires_po: r.requires_po,
                    required_mention: r.required_mention.clone(),
                    required_documents: doc_list(&r.required_documents),
                    requires_confirmation: r.requires_confirmation,
                    attrs: attrs_json(&r.attrs),
                },
                place: Place::of(l),
            }
        })
        .collect();
    let done = upsert(ctx, "debtor", "code", &existing, incoming).await?;
    let touched: Vec<i64> = done.written.iter().map(|k| done.ids[k]).collect();
    ctx.touched.extend(touched);
    Ok(())
}

async fn code_map(ctx: &mut Ctx<'_>, table: &str, key: &str) -> Res<HashMap<String, i64>> {
    Ok(repo::ids_by(&mut ctx.tx, ctx.org, table, key, key).await?)
}

async fn contacts(ctx: &mut Ctx<'_>, rows: Vec<Located<ContactRow>>) -> Res<()> {
    let debtors = code_map(ctx, "debtors", "code").await?;
    let existing = keyed_existing(
        repo::load_all::<Contact>(&mut ctx.tx, ctx.org).await?,
        |c| (c.debtor_id, c.name.clone()),
    );
    let mut incoming = Vec::new();
    for l in &rows {
        let Some(&debtor_id) = debtors.get(&l.row.debtor_code) else {
            ctx.errors
                .push(l.error(Some("debtor_code"), unknown_debtor(&l.row.debtor_code)));
            continue;
        };
        incoming.push(Keyed {
            key: (debtor_id, l.row.name.clone()),
            record: Contact {
                debtor_id,
                name: l.row.name.clone(),
                email: l.row.email.clone(),
                phone: l.row.phone.clone(),
                role: l.row.role.code().to_owned(),
                is_primary: l.row.primary,
                attrs: attrs_json(&l.row.attrs),
            },
            place: Place::of(l),
        });
    }
    if ctx.errors.is_empty() {
        let done = upsert(ctx, "contact", "name", &existing, incoming).await?;
        ctx.recheck
            .extend(done.written.iter().map(|(debtor_id, _)| *debtor_id));
    }
    Ok(())
}

fn unknown_debtor(code: &str) -> String {
    format!("no debtor with code {code:?} (import debtors first)")
}

fn unknown_entity(tax_id: &str) -> String {
    format!("{tax_id} is not one of your entities (import entities first)")
}

/// The organization's calendar codes, to check a `policy` column against.
async fn policy_codes(ctx: &mut Ctx<'_>) -> Res<Vec<String>> {
    let (policies, _) = crate::calendar::policies_in(&mut ctx.tx, ctx.org)
        .await
        .map_err(|e| match e {
            AppError::Store(e) => ImportError::Store(e),
            other => ImportError::Store(creanta_store::StoreError::Corrupt(other.to_string())),
        })?;
    Ok(policies.into_iter().map(|p| p.code).collect())
}

async fn contracts(ctx: &mut Ctx<'_>, rows: Vec<Located<ContractRow>>) -> Res<()> {
    let debtors = code_map(ctx, "debtors", "code").await?;
    let entities = code_map(ctx, "entities", "tax_id").await?;
    let existing = keyed_existing(
        repo::load_all::<Contract>(&mut ctx.tx, ctx.org).await?,
        |c| (c.entity_id, c.number.clone()),
    );
    let codes = policy_codes(ctx).await?;
    let mut incoming = Vec::new();
    for l in &rows {
        let r = &l.row;
        if let Some(m) = crate::calendar::unknown_policy(r.policy.as_ref(), &codes) {
            ctx.errors.push(l.error(Some("policy"), m));
        }
        let debtor = debtors.get(&r.debtor_code).copied();
        let entity = entities.get(&r.entity_tax_id).copied();
        if debtor.is_none() {
            ctx.errors
                .push(l.error(Some("debtor_code"), unknown_debtor(&r.debtor_code)));
        }
        if entity.is_none() {
            ctx.errors
                .push(l.error(Some("entity_tax_id"), unknown_entity(&r.entity_tax_id)));
        }
        let (Some(debtor_id), Some(entity_id)) = (debtor, entity) else {
            continue;
        };
        incoming.push(Keyed {
            key: (entity_id, r.number.clone()),
            record: Contract {
                debtor_id,
                entity_id,
                number: r.number.clone(),
                signed_on: r.signed_on,
                valid_from: r.valid_from,
                valid_until: r.valid_until,
                payment_terms_days: r.payment_terms_days,
                currency: r.currency.map(|c| c.as_str().to_owned()),
                penalty_rate_per_day: r.penalty_rate_per_day.clone(),
                policy: r.policy.clone(),
                requires_po: r.requires_po,
                required_mention: r.required_mention.clone(),
                required_documents: doc_list(&r.required_documents),
                requires_confirmation: r.requires_confirmation,
                attrs: attrs_json(&r.attrs),
            },
            place: Place::of(l),
        });
    }
    if ctx.errors.is_empty() {
        let debtor_of: HashMap<(i64, String), i64> = incoming
            .iter()
            .map(|k| (k.key.clone(), k.record.debtor_id))
            .collect();
        let done = upsert(ctx, "contract", "number", &existing, incoming).await?;
        ctx.recheck.extend(
            done.written
                .iter()
                .filter_map(|k| debtor_of.get(k).copied()),
        );
    }
    Ok(())
}

/// Natural key of an invoice: issuing entity, series, number and source document
/// (e-invoices are immutable, see [`Incoming::doc_key`]).
type InvoiceKey = (i64, String, String, String);

fn invoice_key(i: &Invoice) -> InvoiceKey {
    (
        i.entity_id,
        i.series.clone(),
        i.number.clone(),
        i.doc_key.clone(),
    )
}

/// The stored form of an incoming invoice once its entity and debtor are known. The contract
/// and a missing due date are completed by the caller, which knows them.
pub fn invoice_record(inc: &Incoming, entity_id: i64, debtor_id: i64) -> Invoice {
    let r = &inc.row;
    Invoice {
        entity_id,
        debtor_id,
        contract_id: None,
        series: r.series.clone(),
        number: r.number.clone(),
        match_key: match_key(&r.series, &r.number),
        doc_key: inc.doc_key.clone(),
        kind: if r.total < 0 {
            "credit_note"
        } else {
            "invoice"
        }
        .into(),
        issue_date: r.issue_date,
        due_date: r.due_date,
        currency: r.currency.as_str().to_owned(),
        total: r.total,
        buyer_tax_id: r.buyer_tax_id.clone(),
        buyer_name: r.buyer_name.clone(),
        po_number: r.po_number.clone(),
        contract_number: r.contract_number.clone(),
        mentions: r.mentions.clone(),
        iban: r.iban.clone(),
        sent_to: r.sent_to.clone(),
        sent_on: r.sent_on,
        source: inc.source.into(),
        injected_errors: r.injected_errors.clone().unwrap_or_default(),
        attrs: attrs_json(&r.attrs),
        ubl_totals: inc
            .ubl_totals
            .as_ref()
            .map(|t| serde_json::to_string(t).expect("totals serialize")),
        policy: r.policy.clone(),
        corrects: r.corrects.clone().filter(|_| r.total < 0),
    }
}

/// Invoices: the parties are resolved to an entity and a debtor (creating them from an
/// e-invoice where the rules allow), the contract is looked up, the due date completed.
async fn invoices(ctx: &mut Ctx<'_>, rows: Vec<Incoming>, options: &ImportOptions) -> Res<()> {
    let mut entities = code_map(ctx, "entities", "tax_id").await?;
    let may_add_entities = options.add_entities || entities.is_empty();
    let debtor_rows = repo::load_all::<Debtor>(&mut ctx.tx, ctx.org).await?;
    let mut debtor_by_code: HashMap<String, i64> = HashMap::new();
    let mut debtor_by_tax: HashMap<String, i64> = HashMap::new();
    let mut debtor_terms: HashMap<i64, Option<i64>> = HashMap::new();
    let mut sorted = debtor_rows;
    sorted.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    for (id, d) in &sorted {
        debtor_by_code.insert(d.code.clone(), *id);
        debtor_by_tax.entry(d.tax_id.clone()).or_insert(*id);
        debtor_terms.insert(*id, d.payment_terms_days);
    }
    let contracts: HashMap<(i64, String), (i64, Contract)> = keyed_existing(
        repo::load_all::<Contract>(&mut ctx.tx, ctx.org).await?,
        |c| (c.entity_id, c.number.clone()),
    );

    // Every unknown seller becomes an entity while that is allowed (first import into an
    // empty organization, or --add-entities) — before any buyer is judged, so the outcome does
    // not depend on the order of the files.
    if may_add_entities {
        for inc in &rows {
            if let Some(seller) = &inc.seller
                && !entities.contains_key(&seller.tax_id)
            {
                let id = create_entity(ctx, seller, &inc.place().to_string()).await?;
                entities.insert(seller.tax_id.clone(), id);
            }
        }
    }

    // First pass: parties. New entities and debtors are written at once (inside this
    // transaction) so that later rows of the same import find them.
    let codes = policy_codes(ctx).await?;
    let mut resolved: Vec<(Incoming, i64, i64)> = Vec::with_capacity(rows.len());
    for inc in rows {
        let r = &inc.row;
        if let Some(m) = crate::calendar::unknown_policy(r.policy.as_ref(), &codes) {
            ctx.errors.push(inc.error("policy", m));
            continue;
        }
        let buyer_is_ours = entities.contains_key(&r.buyer_tax_id);
        let entity_id = match entities.get(&r.entity_tax_id) {
            // Seller and buyer both ours: an intra-group invoice, a receivable of the seller.
            Some(id) => *id,
            None if buyer_is_ours && options.skip_supplier_invoices => {
                ctx.summary.supplier_invoices_skipped += 1;
                continue;
            }
            None if buyer_is_ours => {
                ctx.errors.push(inc.error(
                    "buyer_tax_id",
                    format!(
                        "the buyer {} is one of your entities and the seller {} is not: \
                         this is a supplier invoice, not a receivable (leave such invoices out \
                         with --skip-supplier-invoices)",
                        r.buyer_tax_id, r.entity_tax_id
                    ),
                ));
                continue;
            }
            None => match (&inc.seller, may_add_entities) {
                (Some(seller), true) => {
                    let id = create_entity(ctx, seller, &inc.place().to_string()).await?;
                    entities.insert(seller.tax_id.clone(), id);
                    id
                }
                (Some(_), false) => {
                    ctx.errors.push(inc.error(
                        "seller",
                        format!(
                            "the seller {} is not one of your entities; add it with `creanta import entities` \
                             or import again with --add-entities",
                            r.entity_tax_id
                        ),
                    ));
                    continue;
                }
                (None, _) => {
                    ctx.errors
                        .push(inc.error("entity_tax_id", unknown_entity(&r.entity_tax_id)));
                    continue;
                }
            },
        };
        let debtor_id = if let Some(code) = &r.debtor_code {
            match debtor_by_code.get(code) {
                Some(id) => *id,
                None => {
                    ctx.errors
                        .push(inc.error("debtor_code", unknown_debtor(code)));
                    continue;
                }
            }
        } else if let Some(id) = debtor_by_tax.get(&r.buyer_tax_id) {
            *id
        } else {
            let party = inc.buyer.clone().unwrap_or(Party {
                tax_id: r.buyer_tax_id.clone(),
                name: r.buyer_name.clone(),
                address: None,
                city: None,
                country: None,
                ibans: Vec::new(),
            });
            if party.name.is_none() {
                ctx.errors.push(inc.error(
                    "buyer_tax_id",
                    format!("no debtor has tax id {}; give debtor_code or buyer_name, or import debtors first", r.buyer_tax_id),
                ));
                continue;
            }
            if debtor_by_code.contains_key(&party.tax_id) {
                ctx.errors.push(inc.error(
                    "buyer_tax_id",
                    format!(
                        "a debtor with code {} exists with another tax id",
                        party.tax_id
                    ),
                ));
                continue;
            }
            let id = create_debtor(ctx, &party, &inc.place().to_string()).await?;
            debtor_by_code.insert(party.tax_id.clone(), id);
            debtor_by_tax.insert(party.tax_id.clone(), id);
            debtor_terms.insert(id, None);
            id
        };
        resolved.push((inc, entity_id, debtor_id));
    }
    if !ctx.errors.is_empty() {
        return Ok(());
    }

    let existing = keyed_existing(
        repo::load_all::<Invoice>(&mut ctx.tx, ctx.org).await?,
        invoice_key,
    );
    let mut incoming = Vec::with_capacity(resolved.len());
    let mut debtor_of: HashMap<InvoiceKey, i64> = HashMap::with_capacity(resolved.len());
    let mut attachments: Vec<(InvoiceKey, Vec<Attachment>, Option<i64>)> = Vec::new();
    for (inc, entity_id, debtor_id) in resolved {
        let r = &inc.row;
        let contract = r
            .contract_number
            .as_ref()
            .and_then(|n| contracts.get(&(entity_id, n.clone())));
        let mut record = invoice_record(&inc, entity_id, debtor_id);
        record.contract_id = contract.map(|(id, _)| *id);
        if !inc.due_date_given {
            let terms = contract
                .and_then(|(_, c)| c.payment_terms_days)
                .or(debtor_terms.get(&debtor_id).copied().flatten());
            let mut attrs = r.attrs.clone();
            attrs.insert(
                "due_date_source".into(),
                match terms {
                    Some(_) => "payment terms",
                    None => "issue date (no due date on the invoice)",
                }
                .into(),
            );
            record.attrs = attrs_json(&attrs);
            record.due_date = r
                .issue_date
                .checked_add(terms.unwrap_or(0).days())
                .unwrap_or(r.issue_date);
        }
        let key = invoice_key(&record);
        debtor_of.insert(key.clone(), debtor_id);
        if !inc.attachments.is_empty() {
            attachments.push((key.clone(), inc.attachments.clone(), Some(debtor_id)));
        }
        incoming.push(Keyed {
            key,
            record,
            place: inc.place(),
        });
    }
    let done = upsert(ctx, "invoice", "number", &existing, incoming).await?;
    if !ctx.errors.is_empty() {
        return Ok(());
    }
    let touched: Vec<i64> = done.written.iter().map(|k| debtor_of[k]).collect();
    ctx.touched.extend(touched);
    settle_credit_notes(ctx).await?;
    let ids = done.ids;
    let mut docs = Vec::new();
    for (key, files, debtor_id) in attachments {
        let invoice_id = ids[&key];
        for a in files {
            let link = Link {
                debtor_id,
                invoice_id: Some(invoice_id),
                contract_id: None,
            };
            docs.push((a, link));
        }
    }
    store_documents(ctx, docs).await.map(|_| ())
}

/// Applies every credit note that names the invoice it corrects (`corrects`, BT-25) and still
/// has credit left to that invoice (same entity and debtor), up to what the invoice has open:
/// the invoice is closed by it at once, so its reminders stop (DESIGN.md, "The daily run",
/// point 6). Idempotent: what was applied is kept per pair and never applied twice.
async fn settle_credit_notes(ctx: &mut Ctx<'_>) -> Res<()> {
    let pending = repo::credit_notes_to_settle(&mut ctx.tx, ctx.org, |n| match_key("", n)).await?;
    if pending.is_empty() {
        return Ok(());
    }
    let mut allocations = Vec::new();
    // Several credit notes may correct one invoice: each sees what the earlier ones left.
    let mut open: HashMap<i64, i64> = HashMap::new();
    for c in pending {
        let left = open.entry(c.invoice_id).or_insert(c.invoice_open);
        let amount = c.credit_left.min(*left);
        if amount <= 0 {
            continue;
        }
        *left -= amount;
        repo::add_paid(&mut ctx.tx, ctx.org, c.invoice_id, amount).await?;
        repo::add_paid(&mut ctx.tx, ctx.org, c.credit_note_id, -amount).await?;
        ctx.touched.push(c.debtor_id);
        ctx.summary.credit_notes_applied += 1;
        ctx.events.push(NewEvent {
            actor: "import".into(),
            kind: "invoice.credited".into(),
            subject_type: "invoice".into(),
            subject_id: Some(c.invoice_id),
            data: json!({ "credit_note_id": c.credit_note_id, "amount": amount, "date": c.date }),
        });
        allocations.push(CreditAllocation {
            credit_note_id: c.credit_note_id,
            invoice_id: c.invoice_id,
            amount,
            date: c.date,
        });
    }
    repo::calendar::add_credit_allocations(&mut ctx.tx, ctx.org, &allocations).await?;
    Ok(())
}

async fn create_entity(ctx: &mut Ctx<'_>, p: &Party, place: &str) -> Res<i64> {
    let entity = Entity {
        tax_id: p.tax_id.clone(),
        tax_id_valid: tax_id_valid(&p.tax_id),
        name: p.name.clone().unwrap_or_else(|| p.tax_id.clone()),
        registration_no: None,
        address: p.address.clone(),
        city: p.city.clone(),
        country: p.country.clone(),
        attrs: "{}".into(),
    };
    let id = repo::insert_many(&mut ctx.tx, ctx.org, std::slice::from_ref(&entity)).await?[0];
    // An invoice may name the same account in several PaymentMeans; an IBAN already
    // recorded for another entity stays with it.
    let known = code_map(ctx, "entity_accounts", "iban").await?;
    let mut ibans: Vec<&String> = p.ibans.iter().filter(|i| !known.contains_key(*i)).collect();
    ibans.sort();
    ibans.dedup();
    let accounts: Vec<EntityAccount> = ibans
        .into_iter()
        .map(|iban| EntityAccount {
            entity_id: id,
            iban: iban.clone(),
        })
        .collect();
    repo::insert_many(&mut ctx.tx, ctx.org, &accounts).await?;
    ctx.summary.entities_created += 1;
    ctx.events.push(NewEvent {
        actor: "import".into(),
        kind: "entity.created".into(),
        subject_type: "entity".into(),
        subject_id: Some(id),
        data: json!({ "source": place, "from": "e-invoice seller", "entity": entity, "ibans": p.ibans }),
    });
    Ok(id)
}

async fn create_debtor(ctx: &mut Ctx<'_>, p: &Party, place: &str) -> Res<i64> {
    let debtor = Debtor {
        code: p.tax_id.clone(),
        name: p.name.clone().unwrap_or_else(|| p.tax_id.clone()),
        tax_id: p.tax_id.clone(),
        tax_id_valid: tax_id_valid(&p.tax_id),
        registration_no: None,
        group_id: None,
        country: p.country.clone(),
        city: p.city.clone(),
        address: p.address.clone(),
        language: if p.country.as_deref().is_none_or(|c| c == "RO") {
            "ro"
        } else {
            "en"
        }
        .into(),
        owner_email: None,
        policy: None,
        payment_terms_days: None,
        requires_po: false,
        required_mention: None,
        required_documents: String::new(),
        requires_confirmation: false,
        attrs: "{}".into(),
    };
    let id = repo::insert_many(&mut ctx.tx, ctx.org, std::slice::from_ref(&debtor)).await?[0];
    ctx.summary.debtors_created += 1;
    ctx.touched.push(id);
    ctx.events.push(NewEvent {
        actor: "import".into(),
        kind: "debtor.created".into(),
        subject_type: "debtor".into(),
        subject_id: Some(id),
        data: json!({ "source": place, "from": "e-invoice buyer", "debtor": debtor }),
    });
    Ok(id)
}

fn media_type(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "eml" => "message/rfc822",
        "txt" => "text/plain",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// What a document is attached to.
#[derive(Debug, Clone, Copy, Default)]
struct Link {
    debtor_id: Option<i64>,
    invoice_id: Option<i64>,
    contract_id: Option<i64>,
}

/// Where each document of [`store_documents`] ended up: stored before, or the n-th new one.
enum Stored {
    Existing(i64),
    Fresh(usize),
}

/// Stores files as content-addressed blobs and links them; the same file linked to the same
/// things again is not stored twice. Returns the id of each input's document, in order.
async fn store_documents(ctx: &mut Ctx<'_>, docs: Vec<(Attachment, Link)>) -> Res<Vec<i64>> {
    let existing: HashMap<(String, String, String), i64> =
        repo::load_all::<Document>(&mut ctx.tx, ctx.org)
            .await?
            .into_iter()
            .map(|(id, d)| ((d.sha256, d.doc_type, d.link_key), id))
            .collect();
    let mut fresh: Vec<(Document, Vec<u8>)> = Vec::new();
    let mut dated: Vec<Option<jiff::civil::Date>> = Vec::new();
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    let mut placed: Vec<Stored> = Vec::with_capacity(docs.len());
    for (
        a,
        Link {
            debtor_id,
            invoice_id,
            contract_id,
        },
    ) in docs
    {
        let sha = sha256_hex(&a.bytes);
        let link_key = Document::link_key_for(debtor_id, invoice_id, contract_id);
        let key = (sha.clone(), a.doc_type.code().to_owned(), link_key.clone());
        if let Some(id) = existing.get(&key) {
            placed.push(Stored::Existing(*id));
            continue;
        }
        if let Some(n) = seen.get(&key) {
            placed.push(Stored::Fresh(*n));
            continue;
        }
        seen.insert(key, fresh.len());
        placed.push(Stored::Fresh(fresh.len()));
        dated.push(a.dated);
        fresh.push((
            Document {
                sha256: sha,
                doc_type: a.doc_type.code().into(),
                media_type: media_type(&a.file_name).into(),
                file_name: a.file_name,
                size: a.bytes.len() as i64,
                debtor_id,
                invoice_id,
                contract_id,
                link_key,
            },
            a.bytes,
        ));
    }
    let mut blob_rows: Vec<(String, i64)> = Vec::new();
    ctx.progress.start("documents", fresh.len() as u64);
    for (d, bytes) in &fresh {
        ctx.app
            .store
            .blobs()
            .put(bytes)
            .map_err(creanta_store::StoreError::from)?;
        blob_rows.push((d.sha256.clone(), d.size));
        ctx.progress.advance(1);
    }
    ctx.app
        .store
        .blobs()
        .flush()
        .map_err(creanta_store::StoreError::from)?;
    ctx.progress.finish();
    blob_rows.sort();
    blob_rows.dedup();
    repo::register_blobs(&mut ctx.tx, ctx.org, &blob_rows).await?;
    let records: Vec<Document> = fresh.into_iter().map(|(d, _)| d).collect();
    ctx.recheck
        .extend(records.iter().filter_map(|d| d.debtor_id));
    let new_ids = repo::insert_many(&mut ctx.tx, ctx.org, &records).await?;
    ctx.summary.documents_stored += records.len();
    // An acknowledgement of receipt serves the debtor's oldest formal notice still waiting for
    // one: its letter task is done and the 15-day term runs from the date the receipt gives
    // (the `date` column), else from today.
    let today = ctx.app.today();
    for ((d, id), dated) in records.iter().zip(&new_ids).zip(&dated) {
        let (Some(debtor), true) = (d.debtor_id, d.doc_type == DocType::ReceiptAck.code()) else {
            continue;
        };
        crate::calendar::actions::receipt_stored(
            &mut ctx.tx,
            ctx.org,
            debtor,
            dated.unwrap_or(today),
            *id,
            "import",
        )
        .await?;
    }
    Ok(placed
        .into_iter()
        .map(|p| match p {
            Stored::Existing(id) => id,
            Stored::Fresh(n) => new_ids[n],
        })
        .collect())
}

async fn documents(ctx: &mut Ctx<'_>, rows: Vec<(Located<DocumentRow>, Vec<u8>)>) -> Res<()> {
    let debtors = code_map(ctx, "debtors", "code").await?;
    let balances = repo::invoice_balances(&mut ctx.tx, ctx.org).await?;
    let mut invoices: HashMap<&str, Vec<&repo::InvoiceBalance>> = HashMap::new();
    for b in &balances {
        invoices.entry(b.match_key.as_str()).or_default().push(b);
    }
    let mut contracts: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for (id, c) in repo::load_all::<Contract>(&mut ctx.tx, ctx.org).await? {
        contracts
            .entry(c.number.clone())
            .or_default()
            .push((id, c.debtor_id));
    }
    let mut docs = Vec::new();
    for (l, bytes) in rows {
        let r = &l.row;
        let mut debtor_id = None;
        let mut invoice_id = None;
        let mut contract_id = None;
        if let Some(code) = &r.debtor_code {
            match debtors.get(code) {
                Some(id) => debtor_id = Some(*id),
                None => ctx
                    .errors
                    .push(l.error(Some("debtor_code"), unknown_debtor(code))),
            }
        }
        if let Some(number) = &r.invoice_number {
            match invoices
                .get(match_key("", number).as_str())
                .map(Vec::as_slice)
            {
                Some([one]) => {
                    invoice_id = Some(one.id);
                    debtor_id = debtor_id.or(Some(one.debtor_id));
                }
                Some(many) if many.len() > 1 => ctx.errors.push(l.error(
                    Some("invoice_number"),
                    format!(
                        "{number:?} names {} invoices (of different entities)",
                        many.len()
                    ),
                )),
                _ => ctx
                    .errors
                    .push(l.error(Some("invoice_number"), format!("no invoice {number:?}"))),
            }
        }
        if let Some(number) = &r.contract_number {
            match contracts.get(number).map(Vec::as_slice) {
                Some([(id, debtor)]) => {
                    contract_id = Some(*id);
                    debtor_id = debtor_id.or(Some(*debtor));
                }
                Some(many) if many.len() > 1 => ctx.errors.push(l.error(
                    Some("contract_number"),
                    format!("{number:?} names {} contracts", many.len()),
                )),
                _ => ctx
                    .errors
                    .push(l.error(Some("contract_number"), format!("no contract {number:?}"))),
            }
        }
        if let Some(d) = r.date
            && d > ctx.app.today()
        {
            ctx.errors.push(l.error(
                Some("date"),
                format!("{d} is after today: a document cannot state a later date"),
            ));
        }
        let file_name = std::path::Path::new(&r.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| r.file.clone());
        docs.push((
            Attachment {
                doc_type: r.doc_type,
                file_name,
                bytes,
                dated: r.date,
            },
            Link {
                debtor_id,
                invoice_id,
                contract_id,
            },
        ));
    }
    if !ctx.errors.is_empty() {
        return Ok(());
    }
    let before = ctx.summary.documents_stored;
    let total = docs.len();
    ctx.document_ids = store_documents(ctx, docs).await?;
    let stored = ctx.summary.documents_stored - before;
    ctx.summary.new += stored;
    ctx.summary.unchanged += total - stored;
    Ok(())
}

/// Payments: keyed by the bank's transaction id, or by a hash of their content when the file
/// has none; allocated to the invoice they name, never beyond what is open.
async fn payments(ctx: &mut Ctx<'_>, rows: Vec<Located<PaymentRow>>) -> Res<()> {
    let debtor_by_tax = repo::ids_by(&mut ctx.tx, ctx.org, "debtors", "tax_id", "code").await?;
    let mut balances = repo::invoice_balances(&mut ctx.tx, ctx.org).await?;
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, b) in balances.iter().enumerate() {
        by_key.entry(b.match_key.clone()).or_default().push(i);
    }
    let existing = keyed_existing(
        repo::load_all::<Payment>(&mut ctx.tx, ctx.org).await?,
        |p| p.transaction_id.clone(),
    );
    let mut occurrences: HashMap<(&str, String), usize> = HashMap::new();
    let mut incoming = Vec::with_capacity(rows.len());
    let mut candidates_of: HashMap<String, Vec<usize>> = HashMap::new();
    for l in &rows {
        let r = &l.row;
        let transaction_id = match &r.transaction_id {
            Some(t) => t.clone(),
            None => {
                // Without a bank transaction id a payment is known by its content. Two equal
                // lines in one file are two payments: the occurrence count within the file keeps
                // them apart, and keeps the key stable when the file is imported again.
                let content = format!(
                    "{}|{}|{}|{}|{}|{}|{}",
                    r.date,
                    r.amount,
                    r.currency,
                    r.payer_iban.as_deref().unwrap_or(""),
                    r.payer_tax_id.as_deref().unwrap_or(""),
                    r.reference.as_deref().unwrap_or(""),
                    r.invoice_number.as_deref().unwrap_or("")
                );
                let n = occurrences
                    .entry((l.file.as_str(), content.clone()))
                    .or_insert(0);
                *n += 1;
                format!(
                    "h:{}",
                    &sha256_hex(format!("{content}#{n}").as_bytes())[..24]
                )
            }
        };
        // Invoices the payment names, in its currency, oldest due first.
        let candidates: Vec<usize> = r
            .invoice_number
            .as_ref()
            .and_then(|n| by_key.get(&match_key("", n)))
            .map(|c| {
                c.iter()
                    .copied()
                    .filter(|&i| balances[i].currency == r.currency.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let debtor_id = r
            .payer_tax_id
            .as_ref()
            .and_then(|t| debtor_by_tax.get(t).copied())
            .or(candidates.first().map(|&i| balances[i].debtor_id));
        candidates_of
            .entry(transaction_id.clone())
            .or_insert(candidates);
        incoming.push(Keyed {
            key: transaction_id.clone(),
            record: Payment {
                transaction_id,
                date: r.date,
                amount: r.amount,
                currency: r.currency.as_str().to_owned(),
                payer_name: r.payer_name.clone(),
                payer_tax_id: r.payer_tax_id.clone(),
                payer_iban: r.payer_iban.clone(),
                reference: r.reference.clone(),
                invoice_number: r.invoice_number.clone(),
                debtor_id,
                attrs: attrs_json(&r.attrs),
            },
            place: Place::of(l),
        });
    }
    let allocated: std::collections::HashSet<i64> =
        repo::load_all::<Allocation>(&mut ctx.tx, ctx.org)
            .await?
            .into_iter()
            .map(|(_, a)| a.payment_id)
            .collect();
    let amounts: HashMap<String, i64> = incoming
        .iter()
        .map(|k| (k.key.clone(), k.record.amount))
        .collect();
    let done = upsert(ctx, "payment", "transaction_id", &existing, incoming).await?;
    if !ctx.errors.is_empty() {
        return Ok(());
    }
    let index_of: HashMap<i64, usize> = balances
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id, i))
        .collect();
    let mut allocations = Vec::new();
    // In file order, so that earlier payments settle older invoices first.
    let mut order: Vec<(&String, &i64)> = done.ids.iter().collect();
    order.sort_by_key(|(_, id)| **id);
    for (tid, &payment_id) in order {
        let changed = done.written.contains(tid);
        // Written now (new or changed), or waiting since an earlier import for its invoice.
        if !changed && allocated.contains(&payment_id) {
            continue;
        }
        if changed && existing.contains_key(tid) {
            for (invoice_id, amount) in
                repo::take_allocations(&mut ctx.tx, ctx.org, payment_id).await?
            {
                repo::add_paid(&mut ctx.tx, ctx.org, invoice_id, -amount).await?;
                if let Some(&i) = index_of.get(&invoice_id) {
                    balances[i].paid -= amount;
                    ctx.touched.push(balances[i].debtor_id);
                }
            }
        }
        let candidates = &candidates_of[tid];
        let target = candidates
            .iter()
            .copied()
            .find(|&i| balances[i].total - balances[i].paid > 0);
        let Some(i) = target.filter(|_| amounts[tid] > 0) else {
            if changed {
                ctx.summary.payments_unallocated += 1;
            }
            continue;
        };
        let b = &mut balances[i];
        let part = amounts[tid].min(b.total - b.paid);
        b.paid += part;
        repo::add_paid(&mut ctx.tx, ctx.org, b.id, part).await?;
        ctx.touched.push(b.debtor_id);
        allocations.push(Allocation {
            payment_id,
            invoice_id: b.id,
            amount: part,
        });
        ctx.summary.payments_allocated += 1;
    }
    repo::insert_many(&mut ctx.tx, ctx.org, &allocations).await?;
    Ok(())
}
