//! JSON API under `/api/v1`, described by OpenAPI at `/api/openapi.json` (Swagger UI at
//! `/api/docs`). Machine clients authenticate with a personal API token
//! (`Authorization: Bearer crt_…`); the browser may use its session, with the CSRF token in
//! `X-CSRF-Token` for anything that changes data. Errors are RFC 9457 problem documents with a
//! stable `code`.

use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use creanta_app::accounts::{self, Session};
use creanta_app::import::{self, ImportError, ImportKind, ImportOptions, NoProgress};
use creanta_domain::model::Role;
use creanta_domain::money::{Currency, format_amount};
use creanta_store::repo::views;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::WebState;
use crate::auth::{SESSION_COOKIE, cookie, same_token};

mod calendar;
mod findings;
mod outbox;
mod records;
mod templates;

/// A problem document (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// A URI that names the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, for programs: `unauthorized`, `forbidden`, `csrf`, `not_found`, `bad_request`,
    /// `unknown_field`, `read_only_field`, `invalid_value`, `import_rejected`, `internal`.
    pub code: String,
    /// For `import_rejected`: every problem found, with file, line and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
    /// For `unknown_field`, `read_only_field` and `invalid_value`: the (first) field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `invalid_value`: every bad value of the request, by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemItem {
    pub file: String,
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

/// A problem on its way out; boxed, because it travels in every `Result` of the handlers.
#[derive(Debug)]
pub struct Problem(Box<ProblemBody>);

impl Problem {
    fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Problem {
        Problem(Box::new(ProblemBody {
            kind: format!("https://creanta.dev/problems/{code}"),
            title: status.canonical_reason().unwrap_or("error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            errors: Vec::new(),
            field: None,
            fields: Vec::new(),
        }))
    }
    pub fn not_found() -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such resource in your organization",
        )
    }
    /// A refusal the caller can act on: the record is not in a state that allows it.
    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, "conflict", detail)
    }
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }
    /// A field the request may not carry.
    pub fn unknown_field(field: &str, hint: &str) -> Problem {
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "unknown_field",
            format!("unknown field {field:?}; {hint}"),
        );
        p.0.field = Some(field.to_owned());
        p
    }
}

/// Creating and changing records needs the admin or manager role (as imports do).
fn may_change(s: &Session) -> Result<(), Problem> {
    if s.role().manages() {
        Ok(())
    } else {
        Err(Problem::forbidden(
            "changing records needs the admin or manager role",
        ))
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (status, Json(&*self.0)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            "application/problem+json".parse().expect("static"),
        );
        r
    }
}

impl From<creanta_app::AppError> for Problem {
    fn from(e: creanta_app::AppError) -> Problem {
        tracing::error!(error = %e, "internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred",
        )
    }
}

/// A use case's refusal (`AppError::Invalid`) as a 409; anything else stays internal.
pub(super) fn refused(e: creanta_app::AppError) -> Problem {
    match e {
        creanta_app::AppError::Invalid(m) => Problem::conflict(m),
        other => other.into(),
    }
}

impl From<creanta_store::StoreError> for Problem {
    fn from(e: creanta_store::StoreError) -> Problem {
        creanta_app::AppError::from(e).into()
    }
}

/// `Path` whose rejection is a problem document.
pub struct ApiPath<T>(pub T);

impl<T> FromRequestParts<WebState> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Problem> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e| Problem::bad_request(e.body_text()))
    }
}

/// `Query` whose rejection is a problem document.
pub struct ApiQuery<T>(pub T);

impl<T> FromRequestParts<WebState> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Problem> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| Problem::bad_request(e.body_text()))
    }
}

/// `Multipart` whose rejection is a problem document.
pub struct ApiMultipart(pub Multipart);

impl axum::extract::FromRequest<WebState> for ApiMultipart {
    type Rejection = Problem;
    async fn from_request(req: axum::extract::Request, state: &WebState) -> Result<Self, Problem> {
        Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(|e| Problem::bad_request(e.body_text()))
    }
}

/// The caller of an API request: a token's user, or a browser session.
pub struct ApiUser(pub Session);

impl FromRequestParts<WebState> for ApiUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Problem> {
        let unauthorized = || {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send Authorization: Bearer <API token>, or sign in",
            )
        };
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let session = if let Some(token) = bearer {
            accounts::token_session(&state.store, token.trim()).await?
        } else if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            let session = accounts::session(&state.store, &token).await?;
            // A cookie is sent by the browser on its own: changes need the CSRF header too.
            if let Some(s) = &session
                && !matches!(parts.method, Method::GET | Method::HEAD)
            {
                let sent = parts
                    .headers
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !same_token(sent, &s.csrf_token) {
                    return Err(Problem::new(
                        StatusCode::FORBIDDEN,
                        "csrf",
                        "missing or wrong X-CSRF-Token header",
                    ));
                }
            }
            session
        } else {
            None
        };
        let session = session.ok_or_else(unauthorized)?;
        if session.role() == Role::Partner {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "partners have no access to this API yet",
            ));
        }
        Ok(ApiUser(session))
    }
}

fn money(minor: i64, currency: &str) -> String {
    format_amount(minor, Currency::parse(currency).unwrap_or(Currency::RON))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DebtorOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub tax_id: String,
    /// False when the CUI/CNP fails its check digit.
    pub tax_id_valid: bool,
    pub group: Option<String>,
    pub owner: Option<String>,
    pub city: Option<String>,
}

impl From<&views::DebtorSummary> for DebtorOut {
    fn from(d: &views::DebtorSummary) -> Self {
        DebtorOut {
            id: d.id,
            code: d.code.clone(),
            name: d.name.clone(),
            tax_id: d.tax_id.clone(),
            tax_id_valid: d.tax_id_valid,
            group: d.group.clone(),
            owner: d.owner_email.clone(),
            city: d.city.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DebtorPage {
    pub items: Vec<DebtorOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DebtorQuery {
    /// Name, code or tax id (case and diacritics ignored).
    pub q: Option<String>,
    /// Owner's email.
    pub owner: Option<String>,
    pub group: Option<String>,
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

fn parse_cursor(cursor: &Option<String>) -> Result<i64, Problem> {
    match cursor.as_deref() {
        None | Some("") => Ok(0),
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| Problem::bad_request(format!("cursor {c:?} is not one we gave out"))),
    }
}

fn limit(l: Option<u32>) -> Result<usize, Problem> {
    match l {
        None => Ok(100),
        Some(n @ 1..=500) => Ok(n as usize),
        Some(n) => Err(Problem::bad_request(format!("limit {n} is outside 1–500"))),
    }
}

/// Items after the cursor, ordered by id, and the cursor of the next page.
fn page<T>(
    mut items: Vec<T>,
    id: impl Fn(&T) -> i64,
    cursor: i64,
    limit: usize,
) -> (Vec<T>, Option<String>) {
    items.sort_by_key(&id);
    items.retain(|i| id(i) > cursor);
    let next = (items.len() > limit).then(|| id(&items[limit - 1]).to_string());
    items.truncate(limit);
    (items, next)
}

#[utoipa::path(get, path = "/api/v1/debtors", params(DebtorQuery), responses(
    (status = 200, body = DebtorPage), (status = 400, body = ProblemBody, content_type = "application/problem+json"), (status = 401, body = ProblemBody, content_type = "application/problem+json"), (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
async fn list_debtors(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiQuery(q): ApiQuery<DebtorQuery>,
) -> Result<Json<DebtorPage>, Problem> {
    let (cursor, limit) = (parse_cursor(&q.cursor)?, limit(q.limit)?);
    let list = views::debtors(
        &state.store,
        s.org.id,
        q.q.as_deref(),
        q.owner.as_deref(),
        q.group.as_deref(),
    )
    .await?;
    let (items, next_cursor) = page(
        list.iter().map(DebtorOut::from).collect(),
        |d| d.id,
        cursor,
        limit,
    );
    Ok(Json(DebtorPage { items, next_cursor }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DebtorDetail {
    #[serde(flatten)]
    pub debtor: DebtorOut,
    pub registration_no: Option<String>,
    pub address: Option<String>,
    pub country: Option<String>,
    pub language: String,
    /// The action calendar the debtor follows.
    pub policy: Option<String>,
    pub payment_terms_days: Option<i64>,
    pub requires_po: bool,
    pub required_mention: Option<String>,
    pub required_documents: Vec<String>,
    pub requires_confirmation: bool,
    pub contacts: Vec<records::ContactOut>,
}

/// One debtor with its contacts, or 404 outside the organization.
async fn debtor_detail(state: &WebState, org: i64, id: i64) -> Result<DebtorDetail, Problem> {
    let (d, group) = views::debtor(&state.store, org, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(DebtorDetail {
        debtor: DebtorOut {
            id,
            code: d.code,
            name: d.name,
            tax_id: d.tax_id,
            tax_id_valid: d.tax_id_valid,
            group,
            owner: d.owner_email,
            city: d.city,
        },
        registration_no: d.registration_no,
        address: d.address,
        country: d.country,
        language: d.language,
        policy: d.policy,
        payment_terms_days: d.payment_terms_days,
        requires_po: d.requires_po,
        required_mention: d.required_mention,
        required_documents: d
            .required_documents
            .split(';')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        requires_confirmation: d.requires_confirmation,
        contacts: records::contacts_of(state, org, id).await?,
    })
}

#[utoipa::path(get, path = "/api/v1/debtors/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = DebtorDetail), (status = 400, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json"), (status = 401, body = ProblemBody, content_type = "application/problem+json"), (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
async fn get_debtor(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DebtorDetail>, Problem> {
    Ok(Json(debtor_detail(&state, s.org.id, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceOut {
    pub id: i64,
    pub entity_tax_id: String,
    pub series: String,
    pub number: String,
    /// `invoice` or `credit_note` (negative total).
    pub kind: String,
    pub debtor_id: i64,
    pub debtor_code: String,
    pub issue_date: jiff::civil::Date,
    pub due_date: jiff::civil::Date,
    pub currency: String,
    /// Decimal text, e.g. "1234.56": exact, never a float.
    pub total: String,
    pub paid: String,
    pub open: String,
    pub po_number: Option<String>,
    pub contract_number: Option<String>,
}

impl From<&views::InvoiceLine> for InvoiceOut {
    fn from(i: &views::InvoiceLine) -> Self {
        InvoiceOut {
            id: i.id,
            entity_tax_id: i.entity_tax_id.clone(),
            series: i.series.clone(),
            number: i.number.clone(),
            kind: i.kind.clone(),
            debtor_id: i.debtor_id,
            debtor_code: i.debtor_code.clone(),
            issue_date: i.issue_date,
            due_date: i.due_date,
            currency: i.currency.clone(),
            total: money(i.total, &i.currency),
            paid: money(i.paid, &i.currency),
            open: money(i.open(), &i.currency),
            po_number: i.po_number.clone(),
            contract_number: i.contract_number.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoicePage {
    pub items: Vec<InvoiceOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceQuery {
    /// Required: the invoices of one debtor.
    pub debtor_id: i64,
    /// Only invoices with an amount still open.
    pub open: Option<bool>,
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/invoices", params(InvoiceQuery), responses(
    (status = 200, body = InvoicePage), (status = 400, body = ProblemBody, content_type = "application/problem+json"), (status = 401, body = ProblemBody, content_type = "application/problem+json"), (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
async fn list_invoices(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiQuery(q): ApiQuery<InvoiceQuery>,
) -> Result<Json<InvoicePage>, Problem> {
    let (cursor, limit) = (parse_cursor(&q.cursor)?, limit(q.limit)?);
    let mut list = views::invoices_of(&state.store, s.org.id, q.debtor_id).await?;
    if q.open == Some(true) {
        list.retain(|i| i.open() != 0);
    }
    let (items, next_cursor) = page(
        list.iter().map(InvoiceOut::from).collect(),
        |i| i.id,
        cursor,
        limit,
    );
    Ok(Json(InvoicePage { items, next_cursor }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentOut {
    pub date: jiff::civil::Date,
    pub amount: String,
    pub currency: String,
    pub reference: Option<String>,
    /// The part of the payment allocated to this invoice.
    pub allocated: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: InvoiceOut,
    pub mentions: Option<String>,
    pub iban: Option<String>,
    pub buyer_tax_id: String,
    pub buyer_name: Option<String>,
    /// Where and when the invoice was sent to the debtor.
    pub sent_to: Option<String>,
    pub sent_on: Option<jiff::civil::Date>,
    pub documents: Vec<records::DocumentOut>,
    pub payments: Vec<PaymentOut>,
}

/// One invoice with its documents and payments, or 404 outside the organization.
async fn invoice_detail(state: &WebState, org: i64, id: i64) -> Result<InvoiceDetail, Problem> {
    let i = views::invoice(&state.store, org, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let payments = views::payments_of_invoice(&state.store, org, id).await?;
    Ok(InvoiceDetail {
        invoice: InvoiceOut::from(&i),
        mentions: i.mentions.clone(),
        iban: i.iban.clone(),
        buyer_tax_id: i.buyer_tax_id.clone(),
        buyer_name: i.buyer_name.clone(),
        sent_to: i.sent_to.clone(),
        sent_on: i.sent_on,
        documents: records::documents_of_invoice(state, org, id).await?,
        payments: payments
            .iter()
            .map(|p| PaymentOut {
                date: p.date,
                amount: money(p.amount, &p.currency),
                currency: p.currency.clone(),
                reference: p.reference.clone(),
                allocated: p.allocated.map(|a| money(a, &p.currency)),
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/invoices/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = InvoiceDetail), (status = 400, body = ProblemBody, content_type = "application/problem+json"), (status = 404, body = ProblemBody, content_type = "application/problem+json"), (status = 401, body = ProblemBody, content_type = "application/problem+json"), (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
async fn get_invoice(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InvoiceDetail>, Problem> {
    Ok(Json(invoice_detail(&state, s.org.id, id).await?))
}

/// A debtor's records of one kind: 404 when the debtor is not in the caller's organization.
pub(super) async fn debtor_exists(state: &WebState, org: i64, id: i64) -> Result<(), Problem> {
    views::debtor(&state.store, org, id)
        .await?
        .map(|_| ())
        .ok_or_else(Problem::not_found)
}

#[utoipa::path(get, path = "/api/v1/debtors/{id}/contracts", params(("id" = i64, Path)), responses(
    (status = 200, body = Vec<records::ContractOut>), (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json"), (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
async fn debtor_contracts(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<records::ContractOut>>, Problem> {
    debtor_exists(&state, s.org.id, id).await?;
    Ok(Json(records::contracts_of(&state, s.org.id, id).await?))
}

#[utoipa::path(get, path = "/api/v1/debtors/{id}/payments", params(("id" = i64, Path)), responses(
    (status = 200, body = Vec<PaymentOut>), (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json"), (status = 401, body = ProblemBody, content_type = "application/problem+json"), (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
async fn debtor_payments(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<PaymentOut>>, Problem> {
    debtor_exists(&state, s.org.id, id).await?;
    let list = views::payments_of_debtor(&state.store, s.org.id, id).await?;
    Ok(Json(
        list.iter()
            .map(|p| PaymentOut {
                date: p.date,
                amount: money(p.amount, &p.currency),
                currency: p.currency.clone(),
                reference: p.reference.clone(),
                allocated: None,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub kind: String,
    pub files: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[utoipa::path(post, path = "/api/v1/imports/{kind}",
    params(("kind" = String, Path, description = "entities, debtors, contacts, contracts, invoices, payments or documents")),
    request_body(content_type = "multipart/form-data", description = "one or more `files` parts (CSV, XLSX, XML, ZIP)"),
    responses((status = 200, body = ImportResult), (status = 403, body = ProblemBody, content_type = "application/problem+json"), (status = 422, body = ProblemBody, content_type = "application/problem+json"), (status = 400, body = ProblemBody, content_type = "application/problem+json"), (status = 401, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
async fn post_import(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(kind): ApiPath<String>,
    ApiMultipart(mut form): ApiMultipart,
) -> Result<Json<ImportResult>, Problem> {
    if !s.role().manages() {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "imports need the admin or manager role",
        ));
    }
    let kind: ImportKind = kind.parse().map_err(Problem::bad_request)?;
    let dir = crate::imports::UploadDir::new().map_err(|e| Problem::bad_request(e.to_string()))?;
    let mut paths = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| Problem::bad_request(e.to_string()))?
    {
        if field.name() != Some("files") {
            continue;
        }
        let Some(name) = field.file_name().and_then(crate::imports::safe_file_name) else {
            continue;
        };
        let bytes = field
            .bytes()
            .await
            .map_err(|e| Problem::bad_request(e.to_string()))?;
        paths.push(
            dir.write(&name, &bytes)
                .map_err(|e| Problem::bad_request(e.to_string()))?,
        );
    }
    if paths.is_empty() {
        return Err(Problem::bad_request("send at least one `files` part"));
    }
    let app = s.app(&state.store);
    let outcome =
        import::import_paths(&app, kind, &paths, &ImportOptions::default(), &NoProgress).await;
    import_result(outcome, |f| dir.label(f))
}

/// JSON objects as the rows of a table, so that they pass through the very checks of a file
/// import. Row numbers count the objects from 1.
fn objects_to_table(body: serde_json::Value) -> Result<creanta_formats::table::Table, Problem> {
    let objects = match body {
        serde_json::Value::Array(items) => items,
        object @ serde_json::Value::Object(_) => vec![object],
        _ => {
            return Err(Problem::bad_request(
                "send a JSON object or an array of objects",
            ));
        }
    };
    if objects.is_empty() || objects.len() > 10_000 {
        return Err(Problem::bad_request("send between 1 and 10000 objects"));
    }
    let mut headers: Vec<String> = Vec::new();
    let mut maps = Vec::with_capacity(objects.len());
    for (i, o) in objects.into_iter().enumerate() {
        let serde_json::Value::Object(map) = o else {
            return Err(Problem::bad_request(format!(
                "item {} is not an object",
                i + 1
            )));
        };
        for k in map.keys() {
            if !headers.contains(k) {
                headers.push(k.clone());
            }
        }
        maps.push(map);
    }
    let mut rows = Vec::with_capacity(maps.len());
    for (i, map) in maps.iter().enumerate() {
        let mut cells = Vec::with_capacity(headers.len());
        for h in &headers {
            cells.push(match map.get(h) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                Some(serde_json::Value::Bool(b)) => b.to_string(),
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(";"),
                Some(other) => {
                    return Err(Problem::bad_request(format!(
                        "item {}: {h}: {other} is not a plain value",
                        i + 1
                    )));
                }
            });
        }
        rows.push(creanta_formats::table::TableRow {
            line: i as u64 + 1,
            cells,
        });
    }
    Ok(creanta_formats::table::Table {
        file: "request".into(),
        headers: headers
            .iter()
            .map(|h| creanta_formats::table::normalize_header(h))
            .collect(),
        rows,
    })
}

/// Creates or updates records by their natural key (debtor code, contract number per
/// entity, invoice series and number, …), with the same checks, events and idempotency as the
/// file imports. Fields are the import columns of `docs/import-formats.md`.
#[utoipa::path(post, path = "/api/v1/{kind}",
    params(("kind" = String, Path, description = "entities, debtors, contacts, contracts, invoices or payments (documents carry files: upload them to POST /api/v1/documents)")),
    request_body(content = Object, description = "one object, or an array of objects, with the import columns as fields"),
    responses((status = 200, body = ImportResult), (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
async fn upsert_records(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(kind): ApiPath<String>,
    body: Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ImportResult>, Problem> {
    if !s.role().manages() {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "changing records needs the admin or manager role",
        ));
    }
    let kind: ImportKind = kind.parse().map_err(|_| Problem::not_found())?;
    let Json(body) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    let table = objects_to_table(body)?;
    import_result(
        import::import_table(&s.app(&state.store), kind, &table).await,
        |f| f.to_owned(),
    )
}

fn import_result(
    outcome: Result<import::ImportSummary, ImportError>,
    label: impl Fn(&str) -> String,
) -> Result<Json<ImportResult>, Problem> {
    match outcome {
        Ok(r) => Ok(Json(ImportResult {
            kind: r.kind,
            files: r.files,
            new: r.new,
            updated: r.updated,
            unchanged: r.unchanged,
        })),
        Err(ImportError::Rejected { errors, .. }) => {
            let mut p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_rejected",
                format!("{} problems; nothing was changed", errors.len()),
            );
            p.0.errors = errors
                .into_iter()
                .map(|e| ProblemItem {
                    file: label(&e.file),
                    line: e.line,
                    column: e.column,
                    message: e.message,
                })
                .collect();
            Err(p)
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Creanța API", version = "1", description = "Receivables of your organization: debtors, contacts, contracts, invoices, payments, documents, imports, the pre-flight check (findings, prevention), the mail outbox and invoice delivery, the action calendar (policies, message templates, actions, late charges, disputes, the daily run)."),
    paths(list_debtors, get_debtor, records::patch_debtor, debtor_contracts, debtor_payments,
        list_invoices, get_invoice, records::patch_invoice,
        records::list_contacts, records::get_contact, records::patch_contact,
        records::list_contracts, records::get_contract, records::patch_contract,
        records::list_payments, records::get_payment,
        records::list_documents, records::get_document, records::document_content, records::upload_document,
        findings::list_findings, findings::invoice_findings, findings::run_check, findings::get_prevention,
        outbox::list_messages, outbox::get_message, outbox::resend_message, outbox::run_delivery,
        outbox::override_delivery, calendar::list_policies, calendar::debtor_actions,
        calendar::approve_action, calendar::complete_action, calendar::record_service,
        calendar::debtor_charges, calendar::open_dispute, calendar::add_hold, calendar::run_day,
        templates::list_templates, templates::get_template, templates::put_template,
        templates::restore_template, templates::preview_template,
        post_import, upsert_records),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;
impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The fixed paths that also list records take the upserts of their kind.
fn upsert_route(kind: &'static str) -> MethodRouter<WebState> {
    post(
        move |state: State<WebState>,
              user: ApiUser,
              body: Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>| {
            upsert_records(state, user, ApiPath(kind.into()), body)
        },
    )
}

async fn api_not_found() -> Problem {
    Problem::not_found()
}

pub fn routes() -> Router<WebState> {
    let upload_limit = axum::extract::DefaultBodyLimit::max(crate::imports::MAX_UPLOAD);
    Router::new()
        .route(
            "/api/v1/debtors",
            get(list_debtors).merge(upsert_route("debtors")),
        )
        .route(
            "/api/v1/debtors/{id}",
            get(get_debtor).patch(records::patch_debtor),
        )
        .route("/api/v1/debtors/{id}/contracts", get(debtor_contracts))
        .route("/api/v1/debtors/{id}/payments", get(debtor_payments))
        .route(
            "/api/v1/invoices",
            get(list_invoices).merge(upsert_route("invoices")),
        )
        .route(
            "/api/v1/invoices/{id}",
            get(get_invoice).patch(records::patch_invoice),
        )
        .route(
            "/api/v1/contacts",
            get(records::list_contacts).merge(upsert_route("contacts")),
        )
        .route(
            "/api/v1/contacts/{id}",
            get(records::get_contact).patch(records::patch_contact),
        )
        .route(
            "/api/v1/contracts",
            get(records::list_contracts).merge(upsert_route("contracts")),
        )
        .route(
            "/api/v1/contracts/{id}",
            get(records::get_contract).patch(records::patch_contract),
        )
        .route(
            "/api/v1/payments",
            get(records::list_payments).merge(upsert_route("payments")),
        )
        .route("/api/v1/payments/{id}", get(records::get_payment))
        .route(
            "/api/v1/documents",
            get(records::list_documents)
                .post(records::upload_document)
                .layer(upload_limit),
        )
        .route("/api/v1/documents/{id}", get(records::get_document))
        .route(
            "/api/v1/documents/{id}/content",
            get(records::document_content),
        )
        .route("/api/v1/findings", get(findings::list_findings))
        .route(
            "/api/v1/invoices/{id}/findings",
            get(findings::invoice_findings),
        )
        .route("/api/v1/check", post(findings::run_check))
        .route("/api/v1/prevention", get(findings::get_prevention))
        .route("/api/v1/policies", get(calendar::list_policies))
        .route(
            "/api/v1/debtors/{id}/actions",
            get(calendar::debtor_actions),
        )
        .route(
            "/api/v1/debtors/{id}/charges",
            get(calendar::debtor_charges),
        )
        .route(
            "/api/v1/actions/{id}/approve",
            post(calendar::approve_action),
        )
        .route(
            "/api/v1/actions/{id}/complete",
            post(calendar::complete_action),
        )
        .route(
            "/api/v1/actions/{id}/service",
            post(calendar::record_service),
        )
        .route("/api/v1/disputes", post(calendar::open_dispute))
        .route("/api/v1/holds", post(calendar::add_hold))
        .route("/api/v1/calendar/runs", post(calendar::run_day))
        .route("/api/v1/templates", get(templates::list_templates))
        .route(
            "/api/v1/templates/{code}/{language}",
            get(templates::get_template)
                .put(templates::put_template)
                .delete(templates::restore_template),
        )
        .route(
            "/api/v1/templates/{code}/{language}/preview",
            post(templates::preview_template),
        )
        .route("/api/v1/outbox", get(outbox::list_messages))
        .route("/api/v1/outbox/{id}", get(outbox::get_message))
        .route("/api/v1/outbox/{id}/resend", post(outbox::resend_message))
        .route("/api/v1/deliveries", post(outbox::run_delivery))
        .route(
            "/api/v1/invoices/{id}/delivery-override",
            post(outbox::override_delivery),
        )
        .route("/api/v1/{kind}", get(api_not_found).post(upsert_records))
        .route(
            "/api/v1/imports/{kind}",
            post(post_import).layer(upload_limit),
        )
        .route("/api/v1/{kind}/{*rest}", get(api_not_found))
}
