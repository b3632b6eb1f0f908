//! The records of the API one by one: contacts, contracts, payments and documents (list with
//! filters and a cursor, get by id), document upload and download, and changes by id
//! (`PATCH`, a JSON merge patch) of debtors, contacts, contracts and invoices. The queries are
//! in `creanta_store::repo::api_views`, the changes in `creanta_app::edit`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use creanta_app::edit::{self, EditError, EditKind};
use creanta_app::import::{self, ImportError};
use creanta_domain::ids::TaxId;
use creanta_domain::model::{ContactRole, DocType};
use creanta_store::repo::api_views::{self, Page};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, schema::SchemaType};
use utoipa::{IntoParams, ToSchema};

use super::{
    ApiMultipart, ApiPath, ApiQuery, ApiUser, FieldError, Problem, ProblemBody, ProblemItem, limit,
    may_change, money, parse_cursor,
};
use crate::WebState;

pub(super) fn page_of(cursor: &Option<String>, l: Option<u32>) -> Result<Page, Problem> {
    Ok(Page {
        after: parse_cursor(cursor)?,
        limit: Some(limit(l)?),
    })
}

pub(super) fn next(after: Option<i64>) -> Option<String> {
    after.map(|a| a.to_string())
}

fn doc_types(list: &str) -> Vec<String> {
    list.split(';')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A string parameter limited to a closed list of codes.
pub(super) fn codes_schema(codes: Vec<&'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .enum_values(Some(codes))
        .into()
}

fn contact_roles() -> RefOr<Schema> {
    codes_schema(ContactRole::ALL.iter().map(|r| r.code()).collect())
}

fn languages() -> RefOr<Schema> {
    codes_schema(vec!["ro", "en"])
}

fn document_types() -> RefOr<Schema> {
    codes_schema(DocType::ALL.iter().map(|t| t.code()).collect())
}

/// Text that goes into a query: PostgreSQL refuses NUL characters.
pub(super) fn plain(name: &str, value: &str) -> Result<(), Problem> {
    if value.contains('\0') {
        return Err(Problem::bad_request(format!(
            "{name} must not contain NUL characters"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Contacts

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub id: i64,
    pub debtor_id: i64,
    pub debtor_code: String,
    pub name: String,
    /// `finance`, `purchasing`, `management`, `legal` or `general`.
    pub role: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub primary: bool,
}

impl From<api_views::ContactItem> for ContactOut {
    fn from(c: api_views::ContactItem) -> Self {
        ContactOut {
            id: c.id,
            debtor_id: c.contact.debtor_id,
            debtor_code: c.debtor_code,
            name: c.contact.name,
            role: c.contact.role,
            email: c.contact.email,
            phone: c.contact.phone,
            primary: c.contact.is_primary,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    pub items: Vec<ContactOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Only the contacts of this debtor.
    pub debtor_id: Option<i64>,
    /// Only contacts with this role.
    #[param(schema_with = contact_roles)]
    pub role: Option<String>,
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The contacts of a debtor, all of them (the debtor page of the API shows them).
pub(super) async fn contacts_of(
    state: &WebState,
    org: i64,
    debtor_id: i64,
) -> Result<Vec<ContactOut>, Problem> {
    let filter = api_views::ContactFilter {
        debtor_id: Some(debtor_id),
        ..Default::default()
    };
    Ok(api_views::contacts(&state.store, org, &filter, Page::ALL)
        .await?
        .items
        .into_iter()
        .map(ContactOut::from)
        .collect())
}

#[utoipa::path(get, path = "/api/v1/contacts", params(ContactQuery), responses(
    (status = 200, body = ContactPage),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn list_contacts(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> Result<Json<ContactPage>, Problem> {
    let page = page_of(&q.cursor, q.limit)?;
    let role = match q.role.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(
            r.parse::<ContactRole>()
                .map_err(|e| Problem::bad_request(format!("role: {e}")))?,
        ),
        None => None,
    };
    let filter = api_views::ContactFilter {
        id: None,
        debtor_id: q.debtor_id,
        role: role.map(|r| r.code()),
    };
    let list = api_views::contacts(&state.store, s.org.id, &filter, page).await?;
    Ok(Json(ContactPage {
        items: list.items.into_iter().map(ContactOut::from).collect(),
        next_cursor: next(list.next_after),
    }))
}

async fn contact_out(state: &WebState, org: i64, id: i64) -> Result<ContactOut, Problem> {
    api_views::contact(&state.store, org, id)
        .await?
        .map(ContactOut::from)
        .ok_or_else(Problem::not_found)
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = ContactOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn get_contact(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ContactOut>, Problem> {
    Ok(Json(contact_out(&state, s.org.id, id).await?))
}

// ---------------------------------------------------------------------------------------
// Contracts

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractOut {
    pub id: i64,
    pub debtor_id: i64,
    pub debtor_code: String,
    pub number: String,
    /// Name of the issuing entity.
    pub entity: String,
    pub entity_tax_id: String,
    pub signed_on: Option<jiff::civil::Date>,
    pub valid_from: Option<jiff::civil::Date>,
    pub valid_until: Option<jiff::civil::Date>,
    pub payment_terms_days: Option<i64>,
    pub currency: Option<String>,
    /// Percent per day, as decimal text.
    pub penalty_rate_per_day: Option<String>,
    pub requires_po: bool,
    pub required_mention: Option<String>,
    pub required_documents: Vec<String>,
    pub requires_confirmation: bool,
}

impl From<api_views::ContractItem> for ContractOut {
    fn from(i: api_views::ContractItem) -> Self {
        let c = i.contract;
        ContractOut {
            id: i.id,
            debtor_id: c.debtor_id,
            debtor_code: i.debtor_code,
            number: c.number,
            entity: i.entity_name,
            entity_tax_id: i.entity_tax_id,
            signed_on: c.signed_on,
            valid_from: c.valid_from,
            valid_until: c.valid_until,
            payment_terms_days: c.payment_terms_days,
            currency: c.currency,
            penalty_rate_per_day: c.penalty_rate_per_day,
            requires_po: c.requires_po,
            required_mention: c.required_mention,
            required_documents: doc_types(&c.required_documents),
            requires_confirmation: c.requires_confirmation,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractPage {
    pub items: Vec<ContractOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    /// Only the contracts of this debtor.
    pub debtor_id: Option<i64>,
    /// Only the contracts of this issuing entity, by its tax id (CUI, with or without `RO`).
    pub entity: Option<String>,
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Every contract of a debtor.
pub(super) async fn contracts_of(
    state: &WebState,
    org: i64,
    debtor_id: i64,
) -> Result<Vec<ContractOut>, Problem> {
    let filter = api_views::ContractFilter {
        debtor_id: Some(debtor_id),
        ..Default::default()
    };
    Ok(api_views::contracts(&state.store, org, &filter, Page::ALL)
        .await?
        .items
        .into_iter()
        .map(ContractOut::from)
        .collect())
}

#[utoipa::path(get, path = "/api/v1/contracts", params(ContractQuery), responses(
    (status = 200, body = ContractPage),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn list_contracts(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiQuery(q): ApiQuery<ContractQuery>,
) -> Result<Json<ContractPage>, Problem> {
    let page = page_of(&q.cursor, q.limit)?;
    let entity = q
        .entity
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(|e| plain("entity", e).map(|_| TaxId::normalize_loose(e)))
        .transpose()?;
    let filter = api_views::ContractFilter {
        id: None,
        debtor_id: q.debtor_id,
        entity_tax_id: entity.as_deref(),
    };
    let list = api_views::contracts(&state.store, s.org.id, &filter, page).await?;
    Ok(Json(ContractPage {
        items: list.items.into_iter().map(ContractOut::from).collect(),
        next_cursor: next(list.next_after),
    }))
}

async fn contract_out(state: &WebState, org: i64, id: i64) -> Result<ContractOut, Problem> {
    api_views::contract(&state.store, org, id)
        .await?
        .map(ContractOut::from)
        .ok_or_else(Problem::not_found)
}

#[utoipa::path(get, path = "/api/v1/contracts/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = ContractOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn get_contract(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ContractOut>, Problem> {
    Ok(Json(contract_out(&state, s.org.id, id).await?))
}

// ---------------------------------------------------------------------------------------
// Payments

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentItem {
    pub id: i64,
    /// The bank's transaction id, or `h:` and a hash of the payment line when it had none.
    pub transaction_id: String,
    pub date: jiff::civil::Date,
    /// Decimal text, e.g. "1234.56": exact, never a float.
    pub amount: String,
    pub currency: String,
    pub payer_name: Option<String>,
    pub payer_tax_id: Option<String>,
    pub payer_iban: Option<String>,
    pub reference: Option<String>,
    /// The invoice the payment names, as written by the payer.
    pub invoice_number: Option<String>,
    pub debtor_id: Option<i64>,
    /// The part allocated to invoices, and the rest.
    pub allocated: String,
    pub unallocated: String,
}

impl From<&api_views::PaymentItem> for PaymentItem {
    fn from(i: &api_views::PaymentItem) -> Self {
        let p = &i.payment;
        PaymentItem {
            id: i.id,
            transaction_id: p.transaction_id.clone(),
            date: p.date,
            amount: money(p.amount, &p.currency),
            currency: p.currency.clone(),
            payer_name: p.payer_name.clone(),
            payer_tax_id: p.payer_tax_id.clone(),
            payer_iban: p.payer_iban.clone(),
            reference: p.reference.clone(),
            invoice_number: p.invoice_number.clone(),
            debtor_id: p.debtor_id,
            allocated: money(i.allocated, &p.currency),
            unallocated: money(p.amount - i.allocated, &p.currency),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentPage {
    pub items: Vec<PaymentItem>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentQuery {
    /// Only the payments of this debtor.
    pub debtor_id: Option<i64>,
    /// Only payments on or after this date (`YYYY-MM-DD`).
    pub date_from: Option<jiff::civil::Date>,
    /// Only payments on or before this date (`YYYY-MM-DD`).
    pub date_to: Option<jiff::civil::Date>,
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/payments", params(PaymentQuery), responses(
    (status = 200, body = PaymentPage),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn list_payments(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiQuery(q): ApiQuery<PaymentQuery>,
) -> Result<Json<PaymentPage>, Problem> {
    let page = page_of(&q.cursor, q.limit)?;
    let filter = api_views::PaymentFilter {
        id: None,
        debtor_id: q.debtor_id,
        from: q.date_from,
        to: q.date_to,
    };
    let list = api_views::payments(&state.store, s.org.id, &filter, page).await?;
    Ok(Json(PaymentPage {
        items: list.items.iter().map(PaymentItem::from).collect(),
        next_cursor: next(list.next_after),
    }))
}

/// The part of a payment allocated to one invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationOut {
    pub invoice_id: i64,
    pub series: String,
    pub number: String,
    /// Decimal text, in the payment's currency.
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentDetail {
    #[serde(flatten)]
    pub payment: PaymentItem,
    pub allocations: Vec<AllocationOut>,
}

#[utoipa::path(get, path = "/api/v1/payments/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = PaymentDetail),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn get_payment(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PaymentDetail>, Problem> {
    let p = api_views::payment(&state.store, s.org.id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let allocations = api_views::allocations_of_payment(&state.store, s.org.id, id).await?;
    Ok(Json(PaymentDetail {
        payment: PaymentItem::from(&p),
        allocations: allocations
            .into_iter()
            .map(|a| AllocationOut {
                invoice_id: a.invoice_id,
                series: a.series,
                number: a.number,
                amount: money(a.amount, &p.payment.currency),
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------
// Documents

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: i64,
    /// `invoice_pdf`, `invoice_xml`, `cmr`, `delivery_note`, …
    pub doc_type: String,
    pub file_name: String,
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    pub sha256: String,
    pub debtor_id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub contract_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    /// Where to download the file.
    pub content_url: String,
}

impl From<api_views::DocumentItem> for DocumentOut {
    fn from(i: api_views::DocumentItem) -> Self {
        let d = i.document;
        DocumentOut {
            id: i.id,
            doc_type: d.doc_type,
            file_name: d.file_name,
            media_type: d.media_type,
            size: d.size,
            sha256: d.sha256,
            debtor_id: d.debtor_id,
            invoice_id: d.invoice_id,
            contract_id: d.contract_id,
            created_at: i.created_at,
            content_url: format!("/api/v1/documents/{}/content", i.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentPage {
    pub items: Vec<DocumentOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// Only the documents of this invoice.
    pub invoice_id: Option<i64>,
    /// Only the documents linked to this debtor (directly or through an invoice or contract).
    pub debtor_id: Option<i64>,
    /// Only documents of this type.
    #[param(schema_with = document_types)]
    pub doc_type: Option<String>,
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Every document of an invoice.
pub(super) async fn documents_of_invoice(
    state: &WebState,
    org: i64,
    invoice_id: i64,
) -> Result<Vec<DocumentOut>, Problem> {
    let filter = api_views::DocumentFilter {
        invoice_id: Some(invoice_id),
        ..Default::default()
    };
    Ok(api_views::documents(&state.store, org, &filter, Page::ALL)
        .await?
        .items
        .into_iter()
        .map(DocumentOut::from)
        .collect())
}

#[utoipa::path(get, path = "/api/v1/documents", params(DocumentQuery), responses(
    (status = 200, body = DocumentPage),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn list_documents(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiQuery(q): ApiQuery<DocumentQuery>,
) -> Result<Json<DocumentPage>, Problem> {
    let page = page_of(&q.cursor, q.limit)?;
    let doc_type = match q.doc_type.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Some(
            t.parse::<DocType>()
                .map_err(|e| Problem::bad_request(format!("doc_type: {e}")))?,
        ),
        None => None,
    };
    let filter = api_views::DocumentFilter {
        id: None,
        invoice_id: q.invoice_id,
        debtor_id: q.debtor_id,
        doc_type: doc_type.map(|t| t.code()),
    };
    let list = api_views::documents(&state.store, s.org.id, &filter, page).await?;
    Ok(Json(DocumentPage {
        items: list.items.into_iter().map(DocumentOut::from).collect(),
        next_cursor: next(list.next_after),
    }))
}

#[utoipa::path(get, path = "/api/v1/documents/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = DocumentOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn get_document(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DocumentOut>, Problem> {
    api_views::document(&state.store, s.org.id, id)
        .await?
        .map(|d| Json(DocumentOut::from(d)))
        .ok_or_else(Problem::not_found)
}

/// `attachment; filename="…"` with an ASCII fallback and the exact name in UTF-8 (RFC 6266).
fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/content", params(("id" = i64, Path)), responses(
    (status = 200, description = "The file, with the media type it was stored with.", content(
        ("application/pdf"), ("application/xml"), ("image/png"), ("image/jpeg"),
        ("message/rfc822"), ("text/plain"), ("application/zip"), ("application/octet-stream"))),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn document_content(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Problem> {
    let d = api_views::document(&state.store, s.org.id, id)
        .await?
        .ok_or_else(Problem::not_found)?
        .document;
    let store = state.store.clone();
    let sha = d.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || store.blobs().get(&sha))
        .await
        .map_err(|e| creanta_app::AppError::Invalid(format!("reading a blob: {e}")))?
        .map_err(creanta_store::StoreError::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, d.media_type),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(&d.file_name),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The multipart form of a document upload, for the description.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// The file; its name is kept.
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// `invoice_pdf`, `order`, `cmr`, `delivery_note`, `acceptance_report`, … (Romanian names
    /// such as "aviz" or "PV de recepție" are understood too).
    #[schema(schema_with = document_types)]
    doc_type: String,
    /// The invoice it belongs to (series and number, as payments name it).
    invoice_number: Option<String>,
    /// The debtor it belongs to.
    debtor_code: Option<String>,
    /// The contract it belongs to.
    contract_number: Option<String>,
    /// The date the document states (`YYYY-MM-DD`, not after today): for an
    /// acknowledgement of receipt (`receipt_ack`), when the formal notice was received.
    date: Option<String>,
}

/// The form fields of an upload and the import columns they fill.
const UPLOAD_FIELDS: &[(&str, &str)] = &[
    ("doc_type", "type"),
    ("invoice_number", "invoice_number"),
    ("debtor_code", "debtor_code"),
    ("contract_number", "contract_number"),
    ("date", "date"),
];

/// Stores a document (a supporting file of an invoice, debtor or contract) with the checks and
/// all-or-nothing rule of a documents import. The same file with the same type and links is
/// stored once: sending it again answers 200 with the document already stored.
#[utoipa::path(post, path = "/api/v1/documents",
    request_body(content = inline(DocumentUpload), content_type = "multipart/form-data",
        description = "a `file` part and the metadata fields; at least one of invoice_number, debtor_code, contract_number"),
    responses(
        (status = 201, body = DocumentOut, description = "stored"),
        (status = 200, body = DocumentOut, description = "already stored"),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn upload_document(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiMultipart(mut form): ApiMultipart,
) -> Result<Response, Problem> {
    may_change(&s)?;
    let bad = |e: axum::extract::multipart::MultipartError| Problem::bad_request(e.body_text());
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut meta: HashMap<&'static str, String> = HashMap::new();
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field
                .file_name()
                .and_then(crate::imports::safe_file_name)
                .map(|n| n.replace(char::is_control, "_"))
                .unwrap_or_else(|| "document".to_owned());
            let bytes = field.bytes().await.map_err(bad)?;
            if file.replace((file_name, bytes.to_vec())).is_some() {
                return Err(Problem::bad_request("send one `file` part per request"));
            }
        } else if let Some((_, column)) = UPLOAD_FIELDS.iter().find(|(f, _)| *f == name) {
            let value = field.text().await.map_err(bad)?;
            plain(&name, &value)?;
            meta.insert(column, value);
        } else {
            return Err(Problem::unknown_field(
                &name,
                "the form takes file, doc_type, invoice_number, debtor_code, contract_number and date",
            ));
        }
    }
    let Some((file_name, bytes)) = file else {
        return Err(Problem::bad_request("send the file as a `file` part"));
    };
    if bytes.is_empty() {
        return Err(Problem::bad_request("the file is empty"));
    }
    let mut headers = vec!["file".to_owned()];
    let mut cells = vec![file_name.clone()];
    for (_, column) in UPLOAD_FIELDS {
        headers.push((*column).to_owned());
        cells.push(meta.remove(column).unwrap_or_default());
    }
    let table = creanta_formats::table::Table {
        file: "request".into(),
        headers,
        rows: vec![creanta_formats::table::TableRow { line: 1, cells }],
    };
    let files = HashMap::from([(file_name, bytes)]);
    let app = s.app(&state.store);
    let (summary, ids) = match import::import_documents(&app, &table, &files).await {
        Ok(done) => done,
        Err(ImportError::Rejected { errors, .. }) => {
            let mut p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_rejected",
                format!("{} problems; nothing was stored", errors.len()),
            );
            p.0.errors = errors
                .into_iter()
                .map(|e| ProblemItem {
                    file: e.file,
                    line: e.line,
                    // The API calls the import's `type` column `doc_type`.
                    column: e
                        .column
                        .map(|c| if c == "type" { "doc_type".into() } else { c }),
                    message: e.message,
                })
                .collect();
            return Err(p);
        }
        Err(ImportError::Store(e)) => return Err(e.into()),
    };
    let id = *ids
        .first()
        .ok_or_else(|| creanta_app::AppError::Invalid("the upload stored nothing".into()))?;
    let d = api_views::document(&state.store, s.org.id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let status = if summary.new > 0 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(DocumentOut::from(d))).into_response())
}

// ---------------------------------------------------------------------------------------
// Changes by id

/// Changes of a debtor: any subset of these fields; `null` clears an optional one.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct DebtorPatch {
    #[serde(default)]
    #[schema(min_length = 1)]
    name: String,
    /// CUI (with or without `RO`), CNP, or a foreign tax id; one failing its check digit is
    /// kept and flagged (`tax_id_valid`), as imports do.
    #[serde(default)]
    #[schema(min_length = 1)]
    tax_id: String,
    registration_no: Option<String>,
    /// Group name; a new name creates the group.
    group: Option<String>,
    country: Option<String>,
    city: Option<String>,
    address: Option<String>,
    /// `ro` or `en`.
    #[schema(schema_with = languages)]
    language: Option<String>,
    /// The owner's email.
    #[schema(format = Email)]
    owner: Option<String>,
    policy: Option<String>,
    #[schema(minimum = 0, maximum = 3650)]
    payment_terms_days: Option<i64>,
    requires_po: Option<bool>,
    required_mention: Option<String>,
    required_documents: Option<Vec<String>>,
    requires_confirmation: Option<bool>,
}

/// Changes of a contact. Its debtor and name are its key and do not change.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[schema(format = Email)]
    email: Option<String>,
    phone: Option<String>,
    #[serde(default)]
    #[schema(schema_with = contact_roles)]
    role: String,
    primary: Option<bool>,
}

/// Changes of a contract. Its number and entity are its key; its debtor does not change.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct ContractPatch {
    signed_on: Option<jiff::civil::Date>,
    valid_from: Option<jiff::civil::Date>,
    valid_until: Option<jiff::civil::Date>,
    #[schema(minimum = 0, maximum = 3650)]
    payment_terms_days: Option<i64>,
    /// ISO 4217 code.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    currency: Option<String>,
    /// Percent per day, as decimal text, e.g. "0.1".
    #[schema(pattern = "^[0-9]{1,3}([.,][0-9]{1,4})?$")]
    penalty_rate_per_day: Option<String>,
    requires_po: Option<bool>,
    required_mention: Option<String>,
    required_documents: Option<Vec<String>>,
    requires_confirmation: Option<bool>,
}

/// Changes of an invoice. Its entity, series and number are its key; `paid` follows the
/// payments. An e-Factura invoice is an immutable document: only `sent_to` and `sent_on`
/// change.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct InvoicePatch {
    #[serde(default)]
    issue_date: jiff::civil::Date,
    #[serde(default)]
    due_date: jiff::civil::Date,
    #[serde(default)]
    #[schema(min_length = 1)]
    buyer_tax_id: String,
    buyer_name: Option<String>,
    /// ISO 4217 code; read together with `total` (the amount is kept in the new currency).
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z]{3}$")]
    currency: String,
    /// Decimal text, e.g. "1234.56" (never a JSON number); negative for a credit note.
    #[serde(default)]
    #[schema(example = "1234.56", pattern = "^-?[0-9]{1,12}([.][0-9]{1,2})?$")]
    total: String,
    po_number: Option<String>,
    contract_number: Option<String>,
    mentions: Option<String>,
    iban: Option<String>,
    #[schema(format = Email)]
    sent_to: Option<String>,
    sent_on: Option<jiff::civil::Date>,
}

impl From<EditError> for Problem {
    fn from(e: EditError) -> Problem {
        match e {
            EditError::NotFound => Problem::not_found(),
            EditError::NotAnObject => Problem::bad_request(e.to_string()),
            EditError::UnknownField { ref field, .. } => {
                let field = field.clone();
                let mut p = Problem::new(StatusCode::BAD_REQUEST, "unknown_field", e.to_string());
                p.0.field = Some(field);
                p
            }
            EditError::ReadOnly { ref field, .. } => {
                let field = field.clone();
                let mut p = Problem::new(StatusCode::BAD_REQUEST, "read_only_field", e.to_string());
                p.0.field = Some(field);
                p
            }
            EditError::Invalid { ref problems } => {
                let fields: Vec<FieldError> = problems
                    .iter()
                    .map(|p| FieldError {
                        field: p.field.clone(),
                        message: p.message.clone(),
                    })
                    .collect();
                let mut p = Problem::new(StatusCode::BAD_REQUEST, "invalid_value", e.to_string());
                p.0.field = fields.first().map(|f| f.field.clone());
                p.0.fields = fields;
                p
            }
            EditError::Store(e) => e.into(),
        }
    }
}

/// Reads a patch body and applies it; the caller then answers with the record as it is now.
async fn apply_patch(
    state: &WebState,
    s: &creanta_app::accounts::Session,
    kind: EditKind,
    id: i64,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(), Problem> {
    may_change(s)?;
    let Json(patch) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    edit::edit(&s.app(&state.store), &s.user.email, kind, id, &patch).await?;
    Ok(())
}

#[utoipa::path(patch, path = "/api/v1/debtors/{id}", params(("id" = i64, Path)),
    request_body(description = "JSON merge patch (RFC 7396) of the fields to change", content(
        (DebtorPatch = "application/merge-patch+json"), (DebtorPatch = "application/json"))),
    responses(
        (status = 200, body = super::DebtorDetail, description = "the debtor as changed"),
        (status = 400, body = ProblemBody, content_type = "application/problem+json",
            description = "`unknown_field`, `read_only_field`, `invalid_value` (with `fields`) or `bad_request`; nothing changed"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn patch_debtor(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<super::DebtorDetail>, Problem> {
    apply_patch(&state, &s, EditKind::Debtor, id, body).await?;
    Ok(Json(super::debtor_detail(&state, s.org.id, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", params(("id" = i64, Path)),
    request_body(description = "JSON merge patch (RFC 7396) of the fields to change", content(
        (ContactPatch = "application/merge-patch+json"), (ContactPatch = "application/json"))),
    responses(
        (status = 200, body = ContactOut, description = "the contact as changed"),
        (status = 400, body = ProblemBody, content_type = "application/problem+json",
            description = "`unknown_field`, `read_only_field`, `invalid_value` (with `fields`) or `bad_request`; nothing changed"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn patch_contact(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<ContactOut>, Problem> {
    apply_patch(&state, &s, EditKind::Contact, id, body).await?;
    Ok(Json(contact_out(&state, s.org.id, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/contracts/{id}", params(("id" = i64, Path)),
    request_body(description = "JSON merge patch (RFC 7396) of the fields to change", content(
        (ContractPatch = "application/merge-patch+json"), (ContractPatch = "application/json"))),
    responses(
        (status = 200, body = ContractOut, description = "the contract as changed"),
        (status = 400, body = ProblemBody, content_type = "application/problem+json",
            description = "`unknown_field`, `read_only_field`, `invalid_value` (with `fields`) or `bad_request`; nothing changed"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn patch_contract(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<ContractOut>, Problem> {
    apply_patch(&state, &s, EditKind::Contract, id, body).await?;
    Ok(Json(contract_out(&state, s.org.id, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/invoices/{id}", params(("id" = i64, Path)),
    request_body(description = "JSON merge patch (RFC 7396) of the fields to change", content(
        (InvoicePatch = "application/merge-patch+json"), (InvoicePatch = "application/json"))),
    responses(
        (status = 200, body = super::InvoiceDetail, description = "the invoice as changed"),
        (status = 400, body = ProblemBody, content_type = "application/problem+json",
            description = "`unknown_field`, `read_only_field`, `invalid_value` (with `fields`) or `bad_request`; nothing changed"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn patch_invoice(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<super::InvoiceDetail>, Problem> {
    apply_patch(&state, &s, EditKind::Invoice, id, body).await?;
    Ok(Json(super::invoice_detail(&state, s.org.id, id).await?))
}
