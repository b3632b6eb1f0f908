//! Changing one record by id (the API's `PATCH`): a JSON merge patch (RFC 7396) of its
//! editable fields. The patched record goes through the very cell checks of an import — it is
//! written out as one row of an import table and read back — and is stored with an event that
//! holds `{field: [old, new]}`, as imports log their updates. Natural keys and computed fields
//! cannot change; a field the record does not have is refused by name. All or nothing: any
//! problem and nothing is written.

use std::collections::HashMap;

use creanta_domain::ids::TaxId;
use creanta_domain::model::DocType;
use creanta_domain::money::{Currency, format_amount};
use creanta_formats::rows::{self, Located};
use creanta_formats::table::{RowError, Table, TableRow};
use creanta_store::records::{self, Contact, Contract, Debtor, DebtorGroup, Invoice, Record};
use creanta_store::repo::{self, api_views, events::NewEvent};
use creanta_store::{StoreError, Tx};
use serde_json::{Map, Value, json};

use crate::{App, AppError};

/// The kinds of record that can be changed by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKind {
    Debtor,
    Contact,
    Contract,
    Invoice,
}

/// How a field is written in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A string: text, a date (`YYYY-MM-DD`), a code, or an amount as decimal text.
    Text,
    /// A whole number.
    Int,
    Bool,
    /// A list of document types.
    List,
}

const DEBTOR_FIELDS: &[(&str, Shape)] = &[
    ("name", Shape::Text),
    ("tax_id", Shape::Text),
    ("registration_no", Shape::Text),
    ("group", Shape::Text),
    ("country", Shape::Text),
    ("city", Shape::Text),
    ("address", Shape::Text),
    ("language", Shape::Text),
    ("owner", Shape::Text),
    ("policy", Shape::Text),
    ("payment_terms_days", Shape::Int),
    ("requires_po", Shape::Bool),
    ("required_mention", Shape::Text),
    ("required_documents", Shape::List),
    ("requires_confirmation", Shape::Bool),
];

const CONTACT_FIELDS: &[(&str, Shape)] = &[
    ("email", Shape::Text),
    ("phone", Shape::Text),
    ("role", Shape::Text),
    ("primary", Shape::Bool),
];

const CONTRACT_FIELDS: &[(&str, Shape)] = &[
    ("signed_on", Shape::Text),
    ("valid_from", Shape::Text),
    ("valid_until", Shape::Text),
    ("payment_terms_days", Shape::Int),
    ("currency", Shape::Text),
    ("penalty_rate_per_day", Shape::Text),
    ("requires_po", Shape::Bool),
    ("required_mention", Shape::Text),
    ("required_documents", Shape::List),
    ("requires_confirmation", Shape::Bool),
];

const INVOICE_FIELDS: &[(&str, Shape)] = &[
    ("issue_date", Shape::Text),
    ("due_date", Shape::Text),
    ("buyer_tax_id", Shape::Text),
    ("buyer_name", Shape::Text),
    ("currency", Shape::Text),
    ("total", Shape::Text),
    ("po_number", Shape::Text),
    ("contract_number", Shape::Text),
    ("mentions", Shape::Text),
    ("iban", Shape::Text),
    ("sent_to", Shape::Text),
    ("sent_on", Shape::Text),
];

/// What may still change on an e-Factura invoice: the document itself is immutable.
const E_INVOICE_FIELDS: &[&str] = &["sent_to", "sent_on"];

impl EditKind {
    /// The subject of its events: `debtor.updated`, …
    pub fn subject(self) -> &'static str {
        match self {
            EditKind::Debtor => "debtor",
            EditKind::Contact => "contact",
            EditKind::Contract => "contract",
            EditKind::Invoice => "invoice",
        }
    }

    fn fields(self) -> &'static [(&'static str, Shape)] {
        match self {
            EditKind::Debtor => DEBTOR_FIELDS,
            EditKind::Contact => CONTACT_FIELDS,
            EditKind::Contract => CONTRACT_FIELDS,
            EditKind::Invoice => INVOICE_FIELDS,
        }
    }

    /// The fields a patch may carry.
    pub fn editable(self) -> Vec<&'static str> {
        self.fields().iter().map(|(f, _)| *f).collect()
    }

    /// Fields the API shows that a patch may not change: natural keys and computed values.
    pub fn read_only(self) -> &'static [&'static str] {
        match self {
            EditKind::Debtor => &["id", "code", "tax_id_valid", "contacts"],
            EditKind::Contact => &["id", "debtor_id", "debtor_code", "name"],
            EditKind::Contract => &[
                "id",
                "debtor_id",
                "debtor_code",
                "number",
                "entity",
                "entity_tax_id",
            ],
            EditKind::Invoice => &[
                "id",
                "entity_tax_id",
                "series",
                "number",
                "kind",
                "debtor_id",
                "debtor_code",
                "paid",
                "open",
                "documents",
                "payments",
            ],
        }
    }

    /// The import columns the record is checked as.
    fn columns(self) -> &'static [&'static str] {
        match self {
            EditKind::Debtor => rows::columns::DEBTORS,
            EditKind::Contact => rows::columns::CONTACTS,
            EditKind::Contract => rows::columns::CONTRACTS,
            EditKind::Invoice => rows::columns::INVOICES,
        }
    }
}

/// One bad value of a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("no such record in the organization")]
    NotFound,
    #[error("the body must be a JSON object of the fields to change")]
    NotAnObject,
    #[error("unknown field {field:?}; the fields that can change are: {}", editable.join(", "))]
    UnknownField {
        field: String,
        editable: Vec<&'static str>,
    },
    #[error("{field} cannot be changed: {why}")]
    ReadOnly { field: String, why: String },
    #[error("{}", problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "))]
    Invalid { problems: Vec<FieldProblem> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EditError {
    fn invalid(field: &str, message: impl Into<String>) -> EditError {
        EditError::Invalid {
            problems: vec![FieldProblem {
                field: field.to_owned(),
                message: message.into(),
            }],
        }
    }
}

/// What an edit changed: `{field: [old, new]}` (empty when the patch changed nothing).
#[derive(Debug, Clone, Default)]
pub struct Edited {
    pub changes: Map<String, Value>,
}

/// Applies `patch` to the record `id` of `kind`; `actor` (the user's email) is logged.
pub async fn edit(
    app: &App,
    actor: &str,
    kind: EditKind,
    id: i64,
    patch: &Value,
) -> Result<Edited, EditError> {
    let Value::Object(patch) = patch else {
        return Err(EditError::NotAnObject);
    };
    let fields = kind.fields();
    for field in patch.keys() {
        if kind.read_only().contains(&field.as_str()) {
            return Err(EditError::ReadOnly {
                field: field.clone(),
                why: "it is a key or computed".into(),
            });
        }
        if !fields.iter().any(|(f, _)| f == field) {
            return Err(EditError::UnknownField {
                field: field.clone(),
                editable: kind.editable(),
            });
        }
    }
    let mut tx = app.store.begin().await?;
    let org = app.org_id();
    if let Some(Value::String(policy)) = patch.get("policy") {
        let (policies, _) =
            crate::calendar::policies_in(&mut tx, org)
                .await
                .map_err(|e| match e {
                    AppError::Store(e) => EditError::Store(e),
                    other => {
                        EditError::Store(creanta_store::StoreError::Corrupt(other.to_string()))
                    }
                })?;
        let codes: Vec<String> = policies.into_iter().map(|p| p.code).collect();
        if let Some(message) = crate::calendar::unknown_policy(Some(policy), &codes) {
            return Err(EditError::Invalid {
                problems: vec![FieldProblem {
                    field: "policy".into(),
                    message,
                }],
            });
        }
    }
    // The debtor whose line of the debtors list (name, owner, group, open amounts) may change.
    let mut listed: Option<i64> = None;
    // Every edit here is of data the pre-flight check reads: the debtor's invoices are
    // checked again in the same transaction.
    let rechecked: i64;
    let changes = match kind {
        EditKind::Debtor => {
            let old = load::<Debtor>(&mut tx, org, id).await?;
            let row = check(kind, debtor_cells(&mut tx, org, &old).await?, patch)?;
            let new = patch_debtor(&mut tx, org, &old, &row, patch).await?;
            listed = Some(id);
            rechecked = id;
            store(&mut tx, org, id, &old, &new).await?
        }
        EditKind::Contact => {
            let old = load::<Contact>(&mut tx, org, id).await?;
            let row = check(kind, contact_cells(&mut tx, org, &old).await?, patch)?;
            let new = patch_contact(&old, &row, patch);
            rechecked = old.debtor_id;
            store(&mut tx, org, id, &old, &new).await?
        }
        EditKind::Contract => {
            let old = load::<Contract>(&mut tx, org, id).await?;
            let row = check(kind, contract_cells(&mut tx, org, &old).await?, patch)?;
            let new = patch_contract(&old, &row, patch);
            rechecked = old.debtor_id;
            store(&mut tx, org, id, &old, &new).await?
        }
        EditKind::Invoice => {
            let old = load::<Invoice>(&mut tx, org, id).await?;
            if !old.doc_key.is_empty()
                && let Some(field) = patch
                    .keys()
                    .find(|f| !E_INVOICE_FIELDS.contains(&f.as_str()))
            {
                return Err(EditError::ReadOnly {
                    field: field.clone(),
                    why: format!(
                        "the invoice is an e-Factura document; only {} can change",
                        E_INVOICE_FIELDS.join(" and ")
                    ),
                });
            }
            let row = check(kind, invoice_cells(&mut tx, org, &old).await?, patch)?;
            let new = patch_invoice(&mut tx, org, id, &old, &row, patch).await?;
            listed = Some(old.debtor_id);
            rechecked = old.debtor_id;
            store(&mut tx, org, id, &old, &new).await?
        }
    };
    if changes.is_empty() {
        return Ok(Edited::default());
    }
    let event = NewEvent {
        actor: actor.to_owned(),
        kind: format!("{}.updated", kind.subject()),
        subject_type: kind.subject().to_owned(),
        subject_id: Some(id),
        data: json!({ "source": "api", "changes": changes }),
    };
    repo::events::append(&mut tx, org, crate::now(), &[event]).await?;
    if let Some(debtor) = listed {
        repo::debtor_list::refresh(&mut tx, org, &[debtor]).await?;
    }
    crate::check::check_in(
        &mut tx,
        org,
        &crate::check::Scope::Debtors(vec![rechecked]),
        actor,
        crate::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Edited { changes })
}

async fn load<R: Record>(tx: &mut Tx, org: i64, id: i64) -> Result<R, EditError> {
    api_views::load_one::<R>(tx, org, id)
        .await?
        .ok_or(EditError::NotFound)
}

/// Writes `new` over `old` when they differ, and returns the differences.
async fn store<R: Record>(
    tx: &mut Tx,
    org: i64,
    id: i64,
    old: &R,
    new: &R,
) -> Result<Map<String, Value>, EditError> {
    let changes = records::diff(old, new)?;
    if !changes.is_empty() {
        repo::update(tx, org, id, new).await?;
    }
    Ok(changes)
}

/// The record as import cells, by column.
type Cells = HashMap<&'static str, String>;

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn date(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn flag(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

fn days(d: Option<i64>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A patch value as the text of an import cell, or what is wrong with its JSON type.
fn cell(field: &str, shape: Shape, value: &Value) -> Result<String, String> {
    let no_nul = |s: &str| {
        if s.contains('\0') {
            Err("must not contain NUL characters".to_owned())
        } else {
            Ok(s.to_owned())
        }
    };
    match (shape, value) {
        (_, Value::Null) => Ok(String::new()),
        (Shape::Text, Value::String(s)) => no_nul(s),
        (Shape::Text, _) if field == "total" => Err(
            "must be a decimal string such as \"1234.56\" (amounts are never JSON numbers)".into(),
        ),
        (Shape::Text, _) => Err("must be a string".into()),
        (Shape::Int, Value::Number(n)) if n.is_i64() => Ok(n.to_string()),
        (Shape::Int, _) => Err("must be a whole number".into()),
        (Shape::Bool, Value::Bool(b)) => Ok(flag(*b)),
        (Shape::Bool, _) => Err("must be true or false".into()),
        (Shape::List, Value::Array(items)) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => parts.push(no_nul(s)?),
                    _ => return Err("must be a list of document types (strings)".into()),
                }
            }
            Ok(parts.join(";"))
        }
        (Shape::List, _) => Err("must be a list of document types".into()),
    }
}

/// The patched record's cells checked as one row of an import table; every problem is
/// reported with its field.
fn check(kind: EditKind, mut cells: Cells, patch: &Map<String, Value>) -> Result<Row, EditError> {
    let mut problems = Vec::new();
    for (field, value) in patch {
        let (name, shape) = kind
            .fields()
            .iter()
            .find(|(f, _)| f == field)
            .copied()
            .expect("fields were checked");
        match cell(name, shape, value) {
            Ok(text) => {
                cells.insert(name, text);
            }
            Err(message) => problems.push(FieldProblem {
                field: name.to_owned(),
                message,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(EditError::Invalid { problems });
    }
    let columns = kind.columns();
    let table = Table {
        file: "request".into(),
        headers: columns.iter().map(|c| (*c).to_owned()).collect(),
        rows: vec![TableRow {
            line: 1,
            cells: columns
                .iter()
                .map(|c| cells.get(c).cloned().unwrap_or_default())
                .collect(),
        }],
    };
    let problems = |errors: Vec<RowError>| EditError::Invalid {
        problems: errors
            .into_iter()
            .map(|e| FieldProblem {
                field: e.column.unwrap_or_default(),
                message: e.message,
            })
            .collect(),
    };
    fn one<T>(mut rows: Vec<Located<T>>) -> T {
        rows.pop().expect("one row in, one row out").row
    }
    Ok(match kind {
        EditKind::Debtor => Row::Debtor(one(rows::read_debtors(&table).map_err(problems)?)),
        EditKind::Contact => Row::Contact(one(rows::read_contacts(&table).map_err(problems)?)),
        EditKind::Contract => Row::Contract(one(rows::read_contracts(&table).map_err(problems)?)),
        EditKind::Invoice => Row::Invoice(one(rows::read_invoices(&table).map_err(problems)?)),
    })
}

enum Row {
    Debtor(rows::DebtorRow),
    Contact(rows::ContactRow),
    Contract(rows::ContractRow),
    Invoice(rows::InvoiceRow),
}

fn doc_list(types: &[DocType]) -> String {
    types.iter().map(|t| t.code()).collect::<Vec<_>>().join(";")
}

async fn debtor_cells(tx: &mut Tx, org: i64, d: &Debtor) -> Result<Cells, EditError> {
    let group = match d.group_id {
        Some(g) => api_views::group_name(tx, org, g).await?,
        None => None,
    };
    Ok(HashMap::from([
        ("code", d.code.clone()),
        ("name", d.name.clone()),
        ("tax_id", d.tax_id.clone()),
        ("registration_no", text(&d.registration_no)),
        ("group", group.unwrap_or_default()),
        ("country", text(&d.country)),
        ("city", text(&d.city)),
        ("address", text(&d.address)),
        ("language", d.language.clone()),
        ("owner", text(&d.owner_email)),
        ("policy", text(&d.policy)),
        ("payment_terms_days", days(d.payment_terms_days)),
        ("requires_po", flag(d.requires_po)),
        ("required_mention", text(&d.required_mention)),
        ("required_documents", d.required_documents.clone()),
        ("requires_confirmation", flag(d.requires_confirmation)),
    ]))
}

async fn patch_debtor(
    tx: &mut Tx,
    org: i64,
    old: &Debtor,
    row: &Row,
    patch: &Map<String, Value>,
) -> Result<Debtor, EditError> {
    let Row::Debtor(r) = row else {
        unreachable!("a debtor row")
    };
    let mut d = old.clone();
    for field in patch.keys() {
        match field.as_str() {
            "name" => d.name = r.name.clone(),
            "tax_id" => {
                d.tax_id = r.tax_id.clone();
                d.tax_id_valid = TaxId::parse(&r.tax_id).is_ok();
            }
            "registration_no" => d.registration_no = r.registration_no.clone(),
            "group" => {
                d.group_id = match &r.group {
                    None => None,
                    Some(name) => Some(match api_views::group_id(tx, org, name).await? {
                        Some(id) => id,
                        None => {
                            let group = DebtorGroup { name: name.clone() };
                            repo::insert_many(tx, org, std::slice::from_ref(&group)).await?[0]
                        }
                    }),
                }
            }
            "country" => d.country = r.country.clone(),
            "city" => d.city = r.city.clone(),
            "address" => d.address = r.address.clone(),
            "language" => d.language = r.language.map(|l| l.code()).unwrap_or("ro").to_owned(),
            "owner" => d.owner_email = r.owner.clone(),
            "policy" => d.policy = r.policy.clone(),
            "payment_terms_days" => d.payment_terms_days = r.payment_terms_days,
            "requires_po" => d.requires_po = r.requires_po,
            "required_mention" => d.required_mention = r.required_mention.clone(),
            "required_documents" => d.required_documents = doc_list(&r.required_documents),
            "requires_confirmation" => d.requires_confirmation = r.requires_confirmation,
            other => unreachable!("{other} was checked"),
        }
    }
    Ok(d)
}

async fn contact_cells(tx: &mut Tx, org: i64, c: &Contact) -> Result<Cells, EditError> {
    let code = api_views::debtor_code(tx, org, c.debtor_id).await?;
    Ok(HashMap::from([
        ("debtor_code", code.unwrap_or_default()),
        ("name", c.name.clone()),
        ("email", text(&c.email)),
        ("phone", text(&c.phone)),
        ("role", c.role.clone()),
        ("primary", flag(c.is_primary)),
    ]))
}

fn patch_contact(old: &Contact, row: &Row, patch: &Map<String, Value>) -> Contact {
    let Row::Contact(r) = row else {
        unreachable!("a contact row")
    };
    let mut c = old.clone();
    for field in patch.keys() {
        match field.as_str() {
            "email" => c.email = r.email.clone(),
            "phone" => c.phone = r.phone.clone(),
            "role" => c.role = r.role.code().to_owned(),
            "primary" => c.is_primary = r.primary,
            other => unreachable!("{other} was checked"),
        }
    }
    c
}

async fn contract_cells(tx: &mut Tx, org: i64, c: &Contract) -> Result<Cells, EditError> {
    let code = api_views::debtor_code(tx, org, c.debtor_id).await?;
    let entity = api_views::entity_tax_id(tx, org, c.entity_id).await?;
    Ok(HashMap::from([
        ("debtor_code", code.unwrap_or_default()),
        ("number", c.number.clone()),
        ("entity_tax_id", entity.unwrap_or_default()),
        ("signed_on", date(c.signed_on)),
        ("valid_from", date(c.valid_from)),
        ("valid_until", date(c.valid_until)),
        ("payment_terms_days", days(c.payment_terms_days)),
        ("currency", text(&c.currency)),
        ("penalty_rate_per_day", text(&c.penalty_rate_per_day)),
        ("requires_po", flag(c.requires_po)),
        ("required_mention", text(&c.required_mention)),
        ("required_documents", c.required_documents.clone()),
        ("requires_confirmation", flag(c.requires_confirmation)),
    ]))
}

fn patch_contract(old: &Contract, row: &Row, patch: &Map<String, Value>) -> Contract {
    let Row::Contract(r) = row else {
        unreachable!("a contract row")
    };
    let mut c = old.clone();
    for field in patch.keys() {
        match field.as_str() {
            "signed_on" => c.signed_on = r.signed_on,
            "valid_from" => c.valid_from = r.valid_from,
            "valid_until" => c.valid_until = r.valid_until,
            "payment_terms_days" => c.payment_terms_days = r.payment_terms_days,
            "currency" => c.currency = r.currency.map(|c| c.as_str().to_owned()),
            "penalty_rate_per_day" => c.penalty_rate_per_day = r.penalty_rate_per_day.clone(),
            "requires_po" => c.requires_po = r.requires_po,
            "required_mention" => c.required_mention = r.required_mention.clone(),
            "required_documents" => c.required_documents = doc_list(&r.required_documents),
            "requires_confirmation" => c.requires_confirmation = r.requires_confirmation,
            other => unreachable!("{other} was checked"),
        }
    }
    c
}

async fn invoice_cells(tx: &mut Tx, org: i64, i: &Invoice) -> Result<Cells, EditError> {
    let entity = api_views::entity_tax_id(tx, org, i.entity_id).await?;
    let currency = Currency::parse(&i.currency).unwrap_or(Currency::RON);
    Ok(HashMap::from([
        ("entity_tax_id", entity.unwrap_or_default()),
        ("series", i.series.clone()),
        ("number", i.number.clone()),
        ("issue_date", i.issue_date.to_string()),
        ("due_date", i.due_date.to_string()),
        ("buyer_tax_id", i.buyer_tax_id.clone()),
        ("buyer_name", text(&i.buyer_name)),
        ("currency", i.currency.clone()),
        ("total", format_amount(i.total, currency)),
        ("po_number", text(&i.po_number)),
        ("contract_number", text(&i.contract_number)),
        ("mentions", text(&i.mentions)),
        ("iban", text(&i.iban)),
        ("sent_to", text(&i.sent_to)),
        ("sent_on", date(i.sent_on)),
    ]))
}

async fn patch_invoice(
    tx: &mut Tx,
    org: i64,
    id: i64,
    old: &Invoice,
    row: &Row,
    patch: &Map<String, Value>,
) -> Result<Invoice, EditError> {
    let Row::Invoice(r) = row else {
        unreachable!("an invoice row")
    };
    let mut i = old.clone();
    for field in patch.keys() {
        match field.as_str() {
            "issue_date" => i.issue_date = r.issue_date,
            "due_date" => i.due_date = r.due_date,
            "buyer_tax_id" => i.buyer_tax_id = r.buyer_tax_id.clone(),
            "buyer_name" => i.buyer_name = r.buyer_name.clone(),
            // An amount means nothing without its currency: both are read together.
            "currency" | "total" => {
                i.currency = r.currency.as_str().to_owned();
                i.total = r.total;
                i.kind = if r.total < 0 {
                    "credit_note"
                } else {
                    "invoice"
                }
                .into();
            }
            "po_number" => i.po_number = r.po_number.clone(),
            "contract_number" => {
                i.contract_number = r.contract_number.clone();
                i.contract_id = match &r.contract_number {
                    Some(n) => api_views::contract_id(tx, org, i.entity_id, n).await?,
                    None => None,
                };
            }
            "mentions" => i.mentions = r.mentions.clone(),
            "iban" => i.iban = r.iban.clone(),
            "sent_to" => i.sent_to = r.sent_to.clone(),
            "sent_on" => i.sent_on = r.sent_on,
            other => unreachable!("{other} was checked"),
        }
    }
    if i.currency != old.currency || i.total != old.total {
        let paid = api_views::invoice_paid(tx, org, id).await?;
        if paid != 0 && i.currency != old.currency {
            return Err(EditError::invalid(
                "currency",
                format!(
                    "payments in {} are allocated to this invoice; its currency cannot change",
                    old.currency
                ),
            ));
        }
        if paid > 0 && i.total < paid {
            let currency = Currency::parse(&i.currency).unwrap_or(Currency::RON);
            return Err(EditError::invalid(
                "total",
                format!(
                    "{} is less than the {} already paid",
                    format_amount(i.total, currency),
                    format_amount(paid, currency)
                ),
            ));
        }
    }
    Ok(i)
}
