//! The pre-flight check in the API: findings (listed with filters and a cursor, or those of
//! one invoice), running the check, and the prevention aggregates. Messages and fixes are
//! written in the caller's language.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use creanta_app::check::{self, Scope};
use creanta_app::prevention::{self, Amount, Group};
use creanta_domain::check::{FindingCode, Severity};
use creanta_domain::model::Language;
use creanta_store::repo::findings::StoredFinding;
use creanta_store::repo::prevention::{FindingFilter, Status};
use creanta_store::repo::{prevention as store, views};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, ToSchema};

use super::records::{codes_schema, next, page_of, plain};
use super::{ApiPath, ApiQuery, ApiUser, Problem, ProblemBody, money};
use crate::WebState;
use crate::i18n;

fn finding_codes() -> RefOr<Schema> {
    codes_schema(FindingCode::ALL.iter().map(|c| c.code()).collect())
}

fn severities() -> RefOr<Schema> {
    codes_schema(Severity::ALL.iter().map(|s| s.code()).collect())
}

fn statuses() -> RefOr<Schema> {
    codes_schema(vec!["open", "closed", "all"])
}

/// One finding of the pre-flight check.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    pub id: i64,
    pub invoice_id: i64,
    /// The cause, from the taxonomy: `po_missing`, `iban_not_ours`, …
    #[schema(schema_with = finding_codes)]
    pub code: String,
    /// `error` blocks delivery; `warning` does not.
    #[schema(schema_with = severities)]
    pub severity: String,
    /// The invoice field concerned (an import column, or a UBL total).
    pub field: String,
    /// What is wrong, in the caller's language.
    pub message: String,
    /// How to correct it, in the caller's language.
    pub fix: String,
    pub opened_at: jiff::Timestamp,
    /// Absent while the finding is open.
    pub closed_at: Option<jiff::Timestamp>,
}

fn finding_out(f: &StoredFinding, lang: Language) -> FindingOut {
    let shown = prevention::shown(f, lang);
    FindingOut {
        id: f.id,
        invoice_id: f.invoice_id,
        code: f.code.clone(),
        severity: f.severity.clone(),
        field: shown.field,
        message: shown.message,
        fix: shown.fix,
        opened_at: f.opened_at,
        closed_at: f.closed_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingPage {
    pub items: Vec<FindingOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    /// Only the findings of this invoice.
    pub invoice_id: Option<i64>,
    /// Only the findings of this debtor's invoices.
    pub debtor_id: Option<i64>,
    /// Only findings with this code.
    #[param(schema_with = finding_codes)]
    pub code: Option<String>,
    /// `open` (the default), `closed` or `all`.
    #[param(schema_with = statuses)]
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/findings", params(FindingQuery), responses(
    (status = 200, body = FindingPage),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn list_findings(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiQuery(q): ApiQuery<FindingQuery>,
) -> Result<Json<FindingPage>, Problem> {
    let page = page_of(&q.cursor, q.limit)?;
    let code = match q.code.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            c.parse::<FindingCode>()
                .map_err(|e| Problem::bad_request(format!("code: {e}")))?
                .code(),
        ),
        None => None,
    };
    let status = match q.status.as_deref().unwrap_or("") {
        "" | "open" => Status::Open,
        "closed" => Status::Closed,
        "all" => Status::All,
        other => {
            plain("status", other)?;
            return Err(Problem::bad_request(format!(
                "status {other:?} is not one of open, closed, all"
            )));
        }
    };
    let filter = FindingFilter {
        invoice_id: q.invoice_id,
        debtor_id: q.debtor_id,
        code,
        status,
    };
    let list = store::list(&state.store, s.org.id, &filter, page).await?;
    let lang = s.language();
    Ok(Json(FindingPage {
        items: list.items.iter().map(|f| finding_out(f, lang)).collect(),
        next_cursor: next(list.next_after),
    }))
}

#[utoipa::path(get, path = "/api/v1/invoices/{id}/findings", params(("id" = i64, Path)), responses(
    (status = 200, body = Vec<FindingOut>, description = "every finding of the invoice, open ones first"),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn invoice_findings(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<FindingOut>>, Problem> {
    views::invoice(&state.store, s.org.id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let lang = s.language();
    Ok(Json(
        store::of_invoice(&state.store, s.org.id, id)
            .await?
            .iter()
            .map(|f| finding_out(f, lang))
            .collect(),
    ))
}

/// Which invoices to check: one debtor's, or (admins and managers) all.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Check every invoice of this debtor.
    pub debtor_id: Option<i64>,
    /// `true`: check every invoice of the organization (admin or manager).
    pub all: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResult {
    /// Invoices checked.
    pub checked: u64,
    /// Checked invoices with at least one open error.
    pub with_errors: u64,
    /// Checked invoices with open warnings and no error.
    pub with_warnings_only: u64,
    pub findings_opened: u64,
    pub findings_closed: u64,
}

#[utoipa::path(post, path = "/api/v1/check",
    request_body(content = CheckRequest, description = "`{\"debtor_id\": N}` or `{\"all\": true}`"),
    responses(
        (status = 200, body = CheckResult),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn run_check(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    body: Result<Json<CheckRequest>, JsonRejection>,
) -> Result<Json<CheckResult>, Problem> {
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    let scope = match (req.debtor_id, req.all) {
        (Some(_), Some(true)) => {
            return Err(Problem::bad_request(
                "send either debtor_id or all, not both",
            ));
        }
        (Some(id), _) => {
            views::debtor(&state.store, s.org.id, id)
                .await?
                .ok_or_else(Problem::not_found)?;
            Scope::Debtors(vec![id])
        }
        (None, Some(true)) => {
            if !s.role().manages() {
                return Err(Problem::forbidden(
                    "checking every invoice needs the admin or manager role",
                ));
            }
            Scope::All
        }
        (None, _) => {
            return Err(Problem::bad_request(
                "send {\"debtor_id\": N} or {\"all\": true}",
            ));
        }
    };
    let report = check::check(&s.app(&state.store), &scope, &s.user.email).await?;
    Ok(Json(CheckResult {
        checked: report.checked as u64,
        with_errors: report.with_errors as u64,
        with_warnings_only: report.with_warnings_only as u64,
        findings_opened: report.findings_opened as u64,
        findings_closed: report.findings_closed as u64,
    }))
}

/// An amount of one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmountOut {
    pub currency: String,
    /// Decimal text, e.g. "1234.56": exact, never a float.
    pub amount: String,
}

fn amounts(list: &[Amount]) -> Vec<AmountOut> {
    list.iter()
        .map(|a| AmountOut {
            currency: a.currency.clone(),
            amount: money(a.minor, &a.currency),
        })
        .collect()
}

/// Open findings of one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    /// The finding code, the entity id, the owner's email (`""`: no owner) or the debtor id.
    pub key: String,
    /// In words, in the caller's language.
    pub label: String,
    pub findings: i64,
    /// Invoices carrying at least one of these findings.
    pub invoices: i64,
    /// The open amount (total − paid) of those invoices, per currency.
    pub held_back: Vec<AmountOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthOut {
    /// `YYYY-MM` (UTC).
    pub month: String,
    pub opened: i64,
    pub closed: i64,
}

/// Open findings and the amount they hold back, grouped, and the trend by month.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreventionOut {
    pub findings: i64,
    pub invoices: i64,
    pub held_back: Vec<AmountOut>,
    /// Most findings first.
    pub by_code: Vec<GroupOut>,
    /// Largest amount first (main currency first).
    pub by_entity: Vec<GroupOut>,
    pub by_owner: Vec<GroupOut>,
    /// The 50 debtors holding the most back.
    pub by_debtor: Vec<GroupOut>,
    /// The last 12 months, oldest first.
    pub trend: Vec<MonthOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreventionQuery {
    /// Only the invoices of this issuing entity (its id).
    pub entity_id: Option<i64>,
    /// Only the debtors of this owner (email); `-` for debtors without an owner.
    pub owner: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/prevention", params(PreventionQuery), responses(
    (status = 200, body = PreventionOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn get_prevention(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiQuery(q): ApiQuery<PreventionQuery>,
) -> Result<Json<PreventionOut>, Problem> {
    let owner = q.owner.unwrap_or_default();
    plain("owner", &owner)?;
    let mut filter = crate::findings::parse_filter("", &owner).map_err(Problem::bad_request)?;
    filter.entity_id = q.entity_id;
    let report = prevention::report(&s.app(&state.store), &filter).await?;
    let lang = s.language();
    let t = i18n::texts(lang);
    let groups = |list: &[Group], label: &dyn Fn(&Group) -> String| -> Vec<GroupOut> {
        list.iter()
            .map(|g| GroupOut {
                key: g.key.clone(),
                label: label(g),
                findings: g.findings,
                invoices: g.invoices,
                held_back: amounts(&g.amounts),
            })
            .collect()
    };
    Ok(Json(PreventionOut {
        findings: report.findings,
        invoices: report.invoices,
        held_back: amounts(&report.amounts),
        by_code: groups(&report.by_code, &|g| {
            i18n::finding_label(&g.key, lang).to_owned()
        }),
        by_entity: groups(&report.by_entity, &|g| g.label.clone()),
        by_owner: groups(&report.by_owner, &|g| {
            if g.key.is_empty() {
                t.no_owner.to_owned()
            } else {
                g.label.clone()
            }
        }),
        by_debtor: groups(&report.by_debtor, &|g| g.label.clone()),
        trend: report
            .trend
            .iter()
            .map(|m| MonthOut {
                month: m.month.clone(),
                opened: m.opened,
                closed: m.closed,
            })
            .collect(),
    }))
}
