//! The pre-flight check in the browser: the findings of an invoice (with their fix, in the
//! user's language) and its "check again" button, the invoice requirements of a debtor and of
//! its contracts (shown, and edited by admins and managers — the edit checks the debtor's
//! invoices again), and the prevention page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use creanta_app::check::{self, Scope};
use creanta_app::edit::{self, EditError, EditKind};
use creanta_app::prevention::{self, Filter, Group};
use creanta_domain::model::{DocType, Language, Role};
use creanta_store::repo::findings::StoredFinding;
use creanta_store::repo::{api_views, prevention as prevention_store, views};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{CsrfOnly, CurrentUser};
use crate::i18n::{self, Texts};
use crate::pages::{DebtorOutcome, Frame, Target, frame, render_debtor};
use crate::{WebError, WebState};

/// One finding as the invoice page shows it.
pub struct FindingView {
    pub code: String,
    pub label: String,
    pub severity: String,
    pub severity_label: &'static str,
    pub field: String,
    pub message: String,
    pub fix: String,
    pub opened: String,
    pub closed: String,
}

/// A moment in the organization's time zone, as the user writes dates.
pub fn moment(ts: jiff::Timestamp, time_zone: &str, lang: Language) -> String {
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let z = ts.to_zoned(tz);
    match lang {
        Language::Ro => z.strftime("%d.%m.%Y %H:%M").to_string(),
        Language::En => z.strftime("%Y-%m-%d %H:%M").to_string(),
    }
}

fn finding_view(f: &StoredFinding, t: &Texts, lang: Language, tz: &str) -> FindingView {
    let shown = prevention::shown(f, lang);
    FindingView {
        label: i18n::finding_label(&shown.code, lang).to_owned(),
        severity_label: if shown.severity == "error" {
            t.severity_error
        } else {
            t.severity_warning
        },
        code: shown.code,
        severity: shown.severity,
        field: shown.field,
        message: shown.message,
        fix: shown.fix,
        opened: moment(f.opened_at, tz, lang),
        closed: f.closed_at.map(|c| moment(c, tz, lang)).unwrap_or_default(),
    }
}

/// The open and the closed findings of an invoice.
pub async fn of_invoice(
    state: &WebState,
    user: &CurrentUser,
    invoice_id: i64,
) -> Result<(Vec<FindingView>, Vec<FindingView>), WebError> {
    let (t, lang) = (user.texts(), user.0.language());
    let tz = user.0.org.time_zone.clone();
    let all = prevention_store::of_invoice(&state.store, user.0.org.id, invoice_id).await?;
    let (open, closed): (Vec<_>, Vec<_>) = all.iter().partition(|f| f.closed_at.is_none());
    Ok((
        open.into_iter()
            .map(|f| finding_view(f, t, lang, &tz))
            .collect(),
        closed
            .into_iter()
            .map(|f| finding_view(f, t, lang, &tz))
            .collect(),
    ))
}

/// Who may run the check from a page: the organization's people, not partners.
pub fn can_check(user: &CurrentUser) -> bool {
    matches!(user.0.role(), Role::Admin | Role::Manager | Role::Collector)
}

/// Who may change a debtor's or a contract's requirements.
pub fn can_edit_requirements(user: &CurrentUser) -> bool {
    user.0.role().manages()
}

/// "Check again" on the invoice page: checks every invoice of its debtor, then back.
pub async fn check_invoice(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if !can_check(&user) {
        return Err(WebError::Forbidden);
    }
    let app = user.0.app(&state.store);
    let invoice = views::invoice(&state.store, app.org_id(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    check::check(
        &app,
        &Scope::Debtors(vec![invoice.debtor_id]),
        &user.0.user.email,
    )
    .await?;
    Ok(Redirect::to(&format!("/invoices/{id}?checked=1#findings")).into_response())
}

/// What a requirements form holds, as typed.
#[derive(Debug, Clone, Default)]
pub struct RequirementsDraft {
    pub requires_po: bool,
    pub required_mention: String,
    pub required_documents: Vec<String>,
    pub requires_confirmation: bool,
    pub payment_terms_days: String,
}

impl RequirementsDraft {
    pub fn stored(
        requires_po: bool,
        mention: &Option<String>,
        documents: &str,
        confirmation: bool,
        terms: Option<i64>,
    ) -> RequirementsDraft {
        RequirementsDraft {
            requires_po,
            required_mention: mention.clone().unwrap_or_default(),
            required_documents: documents
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            requires_confirmation: confirmation,
            payment_terms_days: terms.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// The form's fields: checkboxes are present only when ticked; documents repeat.
    fn parse(fields: &[(String, String)]) -> (String, RequirementsDraft) {
        let mut csrf = String::new();
        let mut d = RequirementsDraft::default();
        for (k, v) in fields {
            match k.as_str() {
                "csrf" => csrf = v.clone(),
                "requires_po" => d.requires_po = true,
                "requires_confirmation" => d.requires_confirmation = true,
                "required_mention" => d.required_mention = v.clone(),
                "required_documents" if !v.is_empty() => d.required_documents.push(v.clone()),
                "payment_terms_days" => d.payment_terms_days = v.clone(),
                _ => {}
            }
        }
        (csrf, d)
    }

    /// The JSON merge patch of the edit (`creanta_app::edit`), or what is wrong with the terms.
    fn patch(&self, t: &Texts) -> Result<Value, String> {
        let terms = self.payment_terms_days.trim();
        let terms: Value = if terms.is_empty() {
            Value::Null
        } else {
            terms
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| t.terms_invalid.to_owned())?
        };
        let mention = self.required_mention.trim();
        Ok(json!({
            "requires_po": self.requires_po,
            "required_mention": if mention.is_empty() { Value::Null } else { Value::from(mention) },
            "required_documents": self.required_documents,
            "requires_confirmation": self.requires_confirmation,
            "payment_terms_days": terms,
        }))
    }
}

/// A document type offered in the form.
pub struct DocChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// A requirements form, ready to draw.
pub struct RequirementsForm {
    pub requires_po: bool,
    pub required_mention: String,
    pub documents: Vec<DocChoice>,
    /// Codes typed that are no document type (kept, so the error can be read against them).
    pub requires_confirmation: bool,
    pub payment_terms_days: String,
}

impl RequirementsForm {
    pub fn of(d: &RequirementsDraft, lang: Language) -> RequirementsForm {
        RequirementsForm {
            requires_po: d.requires_po,
            required_mention: d.required_mention.clone(),
            documents: DocType::ALL
                .iter()
                .map(|dt| DocChoice {
                    code: dt.code(),
                    label: i18n::doc_type_label(dt.code(), lang),
                    checked: d.required_documents.iter().any(|c| c == dt.code()),
                })
                .collect(),
            requires_confirmation: d.requires_confirmation,
            payment_terms_days: d.payment_terms_days.clone(),
        }
    }
}

/// Saves a requirements form through the API's edit (same checks, events and re-check).
async fn save_requirements(
    state: &WebState,
    user: &CurrentUser,
    debtor_id: i64,
    kind: EditKind,
    target: Target,
    id: i64,
    fields: &[(String, String)],
) -> Result<Response, WebError> {
    let (csrf, draft) = RequirementsDraft::parse(fields);
    user.check_csrf(&csrf)?;
    if !can_edit_requirements(user) {
        return Err(WebError::Forbidden);
    }
    let t = user.texts();
    let refused = |message: String, draft: RequirementsDraft| DebtorOutcome {
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        error: Some(format!("{} {message}", t.requirements_refused)),
        target: Some(target),
        draft: Some(draft),
        ..DebtorOutcome::default()
    };
    let patch = match draft.patch(t) {
        Ok(p) => p,
        Err(message) => {
            return render_debtor(state, user, debtor_id, refused(message, draft)).await;
        }
    };
    let app = user.0.app(&state.store);
    match edit::edit(&app, &user.0.user.email, kind, id, &patch).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/debtors/{debtor_id}?saved=1#requirements")).into_response())
        }
        Err(EditError::NotFound) => Err(WebError::NotFound),
        Err(EditError::Invalid { problems }) => {
            let message = problems
                .iter()
                .map(|p| format!("{}: {}", field_label(t, &p.field), p.message))
                .collect::<Vec<_>>()
                .join("; ");
            render_debtor(state, user, debtor_id, refused(message, draft)).await
        }
        Err(EditError::Store(e)) => Err(e.into()),
        Err(e) => Err(WebError::BadRequest(e.to_string())),
    }
}

fn field_label<'a>(t: &'a Texts, field: &'a str) -> &'a str {
    match field {
        "requires_po" => t.requires_po,
        "required_mention" => t.required_mention,
        "required_documents" => t.required_documents,
        "requires_confirmation" => t.requires_confirmation,
        "payment_terms_days" => t.payment_terms,
        other => other,
    }
}

pub async fn debtor_requirements(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save_requirements(
        &state,
        &user,
        id,
        EditKind::Debtor,
        Target::Debtor,
        id,
        &fields,
    )
    .await
}

pub async fn contract_requirements(
    State(state): State<WebState>,
    user: CurrentUser,
    Path((id, contract)): Path<(i64, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    // The contract must be this debtor's, in this organization.
    let filter = api_views::ContractFilter {
        id: Some(contract),
        debtor_id: Some(id),
        entity_tax_id: None,
    };
    let found = api_views::contracts(&state.store, user.0.org.id, &filter, api_views::Page::ALL)
        .await?
        .items;
    if found.is_empty() {
        // The CSRF token still comes first: a forged request learns nothing.
        let (csrf, _) = RequirementsDraft::parse(&fields);
        user.check_csrf(&csrf)?;
        return Err(WebError::NotFound);
    }
    save_requirements(
        &state,
        &user,
        id,
        EditKind::Contract,
        Target::Contract(contract),
        contract,
        &fields,
    )
    .await
}

// ---------------------------------------------------------------------------------------
// The prevention page

#[derive(Deserialize, Default)]
pub struct PreventionQuery {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    owner: String,
}

pub struct GroupView {
    pub label: String,
    pub link: String,
    pub findings: i64,
    pub invoices: i64,
    pub amounts: Vec<String>,
}

pub struct MonthView {
    pub month: String,
    pub opened: i64,
    pub closed: i64,
    /// Bar widths in percent of the busiest month, rounded up to a step of 5 (the page's
    /// CSP allows no inline style: the widths are classes `w0` … `w100`).
    pub opened_pct: i64,
    pub closed_pct: i64,
}

#[derive(Template)]
#[template(path = "prevention.html")]
struct PreventionPage {
    t: &'static Texts,
    frame: Frame,
    entities: Vec<(String, String)>,
    owners: Vec<String>,
    entity: String,
    owner: String,
    findings: i64,
    invoices: i64,
    amounts: Vec<String>,
    sections: Vec<Section>,
    trend: Vec<MonthView>,
}

/// One table of groups.
pub struct Section {
    pub title: &'static str,
    pub id: &'static str,
    pub rows: Vec<GroupView>,
}

/// The prevention filter of a query string; unknown values are refused, not ignored.
pub fn parse_filter(entity: &str, owner: &str) -> Result<Filter, String> {
    let entity_id = match entity.trim() {
        "" => None,
        e => Some(
            e.parse::<i64>()
                .map_err(|_| format!("entity {e:?} is not an entity id"))?,
        ),
    };
    if owner.contains('\0') {
        return Err("owner must not contain NUL characters".into());
    }
    let owner = match owner.trim() {
        "" => None,
        "-" => Some(String::new()),
        o => Some(o.to_owned()),
    };
    Ok(Filter { entity_id, owner })
}

/// `n` of `max` in percent, rounded up to a multiple of 5 (a month with findings shows).
fn bar_step(n: i64, max: i64) -> i64 {
    let max = max.max(1);
    let pct = (n.max(0) * 100 + max - 1) / max;
    ((pct + 4) / 5 * 5).min(100)
}

fn month_label(month: &str, lang: Language) -> String {
    match (lang, month.split_once('-')) {
        (Language::Ro, Some((y, m))) => format!("{m}.{y}"),
        _ => month.to_owned(),
    }
}

pub async fn prevention_page(
    State(state): State<WebState>,
    user: CurrentUser,
    Query(q): Query<PreventionQuery>,
) -> Result<Response, WebError> {
    if user.0.role() == Role::Partner {
        return Err(WebError::Forbidden);
    }
    let (t, lang) = (user.texts(), user.0.language());
    let filter = parse_filter(&q.entity, &q.owner).map_err(WebError::BadRequest)?;
    let app = user.0.app(&state.store);
    let report = prevention::report(&app, &filter).await?;
    let money = |g: &Group| -> Vec<String> {
        g.amounts
            .iter()
            .map(|a| i18n::money(a.minor, &a.currency, lang))
            .collect()
    };
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let view =
        |list: &[Group], label: &dyn Fn(&Group) -> String, link: &dyn Fn(&Group) -> String| {
            list.iter()
                .map(|g| GroupView {
                    label: label(g),
                    link: link(g),
                    findings: g.findings,
                    invoices: g.invoices,
                    amounts: money(g),
                })
                .collect::<Vec<_>>()
        };
    let owner_q = enc(&q.owner);
    let entity_q = enc(&q.entity);
    let by_code = view(
        &report.by_code,
        &|g| i18n::finding_label(&g.key, lang).to_owned(),
        &|_| String::new(),
    );
    let by_entity = view(&report.by_entity, &|g| g.label.clone(), &|g| {
        format!("/prevention?entity={}&owner={owner_q}", enc(&g.key))
    });
    let by_owner = view(
        &report.by_owner,
        &|g| {
            if g.key.is_empty() {
                t.no_owner.to_owned()
            } else {
                g.label.clone()
            }
        },
        &|g| {
            let o = if g.key.is_empty() {
                "-".to_owned()
            } else {
                enc(&g.key)
            };
            format!("/prevention?entity={entity_q}&owner={o}")
        },
    );
    let by_debtor = view(&report.by_debtor, &|g| g.label.clone(), &|g| {
        format!("/debtors/{}", g.key)
    });
    let busiest = report
        .trend
        .iter()
        .map(|m| m.opened.max(m.closed))
        .max()
        .unwrap_or(0)
        .max(1);
    let trend = report
        .trend
        .iter()
        .map(|m| MonthView {
            month: month_label(&m.month, lang),
            opened: m.opened,
            closed: m.closed,
            opened_pct: bar_step(m.opened, busiest),
            closed_pct: bar_step(m.closed, busiest),
        })
        .collect();
    let entities = creanta_app::settings::entities(&app)
        .await?
        .into_iter()
        .map(|e| (e.id.to_string(), e.entity.name))
        .collect();
    let owners = creanta_store::repo::debtor_list::owners(&state.store, app.org_id()).await?;
    let page = PreventionPage {
        t,
        frame: frame(&user, "/prevention"),
        entities,
        owners,
        entity: q.entity.trim().to_owned(),
        owner: q.owner.trim().to_owned(),
        findings: report.findings,
        invoices: report.invoices,
        amounts: report
            .amounts
            .iter()
            .map(|a| i18n::money(a.minor, &a.currency, lang))
            .collect(),
        sections: vec![
            Section {
                title: t.by_code,
                id: "by-code",
                rows: by_code,
            },
            Section {
                title: t.by_entity,
                id: "by-entity",
                rows: by_entity,
            },
            Section {
                title: t.by_owner,
                id: "by-owner",
                rows: by_owner,
            },
            Section {
                title: t.by_debtor,
                id: "by-debtor",
                rows: by_debtor,
            },
        ],
        trend,
    };
    Ok(Html(page.render()?).into_response())
}
