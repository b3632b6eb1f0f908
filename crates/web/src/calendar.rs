//! The action calendar on the debtor page: its actions (with why, and what came of them),
//! the approval a manager gives, the owner closing a task, and the late charges to date.

use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use creanta_app::AppError;
use creanta_app::calendar::actions;
use creanta_domain::dunning::reasons::{outcome_text, stored_text};
use creanta_domain::interest::{ChargeBasis, InterestError};
use creanta_domain::model::{Language, Role};
use serde::Deserialize;

use crate::WebState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::i18n;

/// Labels of the calendar's cards.
pub struct CalendarTexts {
    pub actions: &'static str,
    pub charges: &'static str,
    pub date: &'static str,
    pub step: &'static str,
    pub kind: &'static str,
    pub status: &'static str,
    pub why: &'static str,
    pub outcome: &'static str,
    pub approve: &'static str,
    pub done: &'static str,
    pub outcome_placeholder: &'static str,
    pub served_on: &'static str,
    pub record_receipt: &'static str,
    pub invoice: &'static str,
    pub days_late: &'static str,
    pub open: &'static str,
    pub interest: &'static str,
    pub compensation: &'static str,
    pub basis: &'static str,
    pub legal: &'static str,
    pub contract: &'static str,
    pub none: &'static str,
    pub saved: &'static str,
    pub per_day: &'static str,
}

static RO: CalendarTexts = CalendarTexts {
    actions: "Acțiuni din calendar",
    charges: "Dobânzi, penalități și despăgubiri la zi",
    date: "Data",
    step: "Pas",
    kind: "Tip",
    status: "Stare",
    why: "De ce",
    outcome: "Rezultat",
    approve: "Aprobă",
    done: "Marchează făcut",
    outcome_placeholder: "Ce s-a întâmplat",
    served_on: "Primită la",
    record_receipt: "Înregistrează confirmarea de primire",
    invoice: "Factura",
    days_late: "Zile întârziere",
    open: "Rest de plată",
    interest: "Dobândă / penalitate",
    compensation: "Despăgubire (40 EUR)",
    basis: "Temei",
    legal: "dobânda legală penalizatoare (OG 13/2011)",
    contract: "penalitate din contract",
    none: "Nimic deocamdată.",
    saved: "Acțiunea a fost actualizată.",
    per_day: "pe zi",
};

static EN: CalendarTexts = CalendarTexts {
    actions: "Calendar actions",
    charges: "Interest, penalties and compensation to date",
    date: "Date",
    step: "Step",
    kind: "Kind",
    status: "Status",
    why: "Why",
    outcome: "Outcome",
    approve: "Approve",
    done: "Mark done",
    outcome_placeholder: "What came of it",
    served_on: "Received on",
    record_receipt: "Record the acknowledgement of receipt",
    invoice: "Invoice",
    days_late: "Days late",
    open: "Open",
    interest: "Interest / penalty",
    compensation: "Compensation (40 EUR)",
    basis: "Basis",
    legal: "statutory late-payment interest (OG 13/2011)",
    contract: "contractual penalty",
    none: "Nothing yet.",
    saved: "The action was updated.",
    per_day: "a day",
};

pub fn texts(lang: Language) -> &'static CalendarTexts {
    match lang {
        Language::Ro => &RO,
        Language::En => &EN,
    }
}

/// Why a charge could not be computed, with what fixes it, in the reader's language.
fn problem_text(problem: &InterestError, lang: Language) -> String {
    match (problem, lang) {
        (InterestError::NoRate { day }, Language::Ro) => format!(
            "dobânda nu poate fi calculată: lipsește rata de referință BNR din {} \
             (importați ratele cu `creanta rates import`)",
            i18n::date(*day, lang)
        ),
        (InterestError::NoExchangeRate { day }, Language::Ro) => format!(
            "despăgubirea de 40 EUR nu poate fi calculată: lipsește cursul EUR al BNR din {} \
             (importați cursurile cu `creanta rates import --kind EUR nbrfxrates{}.xml`)",
            i18n::date(*day, lang),
            day.year()
        ),
        (InterestError::DuplicateRate { day }, Language::Ro) => format!(
            "două rate de referință încep în {}: corectați tabelul ratelor",
            i18n::date(*day, lang)
        ),
        (InterestError::NoRate { day }, Language::En) => format!(
            "no interest: BNR's reference rate of {} is missing \
             (import the rates with `creanta rates import`)",
            i18n::date(*day, lang)
        ),
        (InterestError::NoExchangeRate { day }, Language::En) => format!(
            "the 40 EUR compensation cannot be computed: BNR's EUR rate of {} is missing \
             (import the rates with `creanta rates import --kind EUR nbrfxrates{}.xml`)",
            i18n::date(*day, lang),
            day.year()
        ),
        (InterestError::DuplicateRate { day }, Language::En) => format!(
            "two reference rates start on {}: correct the rate table",
            i18n::date(*day, lang)
        ),
    }
}

pub(crate) fn status_label(code: &str, lang: Language) -> &str {
    match (code, lang) {
        ("open", Language::Ro) => "de făcut",
        ("awaiting_approval", Language::Ro) => "așteaptă aprobare",
        ("done", Language::Ro) => "făcut",
        ("cancelled", Language::Ro) => "anulat",
        ("open", Language::En) => "to do",
        ("awaiting_approval", Language::En) => "awaiting approval",
        ("done", Language::En) => "done",
        ("cancelled", Language::En) => "cancelled",
        (other, _) => other,
    }
}

pub(crate) fn kind_label(code: &str, lang: Language) -> &str {
    match (code, lang) {
        ("email", Language::Ro) => "e-mail",
        ("call", Language::Ro) => "telefon",
        ("letter", Language::Ro) => "scrisoare recomandată",
        ("escalate", Language::Ro) => "predare la partener",
        ("internal_alert", Language::Ro) => "alertă internă",
        ("email", Language::En) => "e-mail",
        ("call", Language::En) => "phone call",
        ("letter", Language::En) => "registered letter",
        ("escalate", Language::En) => "hand-off to a partner",
        ("internal_alert", Language::En) => "internal alert",
        (other, _) => other,
    }
}

pub struct ActionView {
    pub id: i64,
    pub date: String,
    pub step: String,
    pub kind: String,
    pub status: String,
    pub status_code: String,
    pub why: String,
    pub outcome: String,
    pub can_approve: bool,
    pub can_complete: bool,
    /// An open registered-letter task: its acknowledgement of receipt can be recorded.
    pub can_serve: bool,
}

pub struct ChargeView {
    pub invoice: String,
    pub days_late: i64,
    pub open: String,
    pub interest: String,
    pub compensation: String,
    pub basis: String,
}

/// The calendar's part of the debtor page.
pub struct DebtorCalendar {
    pub t: &'static CalendarTexts,
    pub actions: Vec<ActionView>,
    pub charges: Vec<ChargeView>,
    pub totals: Vec<String>,
    /// The organization's today (ISO): the latest service date a receipt may give.
    pub today: String,
}

pub async fn of_debtor(
    state: &WebState,
    user: &CurrentUser,
    debtor: i64,
) -> Result<DebtorCalendar, WebError> {
    let app = user.0.app(&state.store);
    let lang = user.0.language();
    let t = texts(lang);
    let manager = user.0.role().manages();
    let actions = actions::of_debtor_explained(&app, debtor, lang)
        .await?
        .into_iter()
        .map(|(a, why)| ActionView {
            id: a.id,
            date: i18n::date(a.run_date, lang),
            step: format!("{} ({:+})", a.step, a.step_offset),
            kind: kind_label(&a.kind, lang).to_owned(),
            status: status_label(&a.status, lang).to_owned(),
            can_approve: manager && a.status == "awaiting_approval",
            can_complete: a.status == "open",
            can_serve: a.status == "open" && a.kind == "letter" && user.0.role() != Role::Partner,
            status_code: a.status,
            why: match &a.cancelled_reason {
                Some(c) => format!("{why} — {}", stored_text(c, lang)),
                None => why,
            },
            outcome: a
                .outcome
                .as_deref()
                .map(|o| outcome_text(o, lang))
                .unwrap_or_default(),
        })
        .collect();
    let c = creanta_app::interest::charges(&app, debtor, app.today()).await?;
    let money = |m: creanta_domain::Money| i18n::money(m.minor, m.currency.as_str(), lang);
    let charges = c
        .invoices
        .iter()
        .map(|i| ChargeView {
            invoice: i.label.clone(),
            days_late: i.days_late,
            open: money(i.open),
            interest: i
                .charge
                .as_ref()
                .map(|ch| money(ch.amount))
                .unwrap_or_default(),
            compensation: i.compensation.map(money).unwrap_or_default(),
            basis: i
                .charge
                .as_ref()
                .map(|ch| match ch.basis {
                    ChargeBasis::LegalInterest { .. } => t.legal.to_owned(),
                    ChargeBasis::ContractPenalty {
                        percent_per_day, ..
                    } => format!("{} ({percent_per_day}% {})", t.contract, t.per_day),
                })
                .into_iter()
                .chain(i.problems.iter().map(|p| problem_text(p, lang)))
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    let totals = c
        .totals
        .iter()
        .map(|x| {
            let cur = x.currency.as_str();
            format!(
                "{} + {} + {} = {}",
                i18n::money(x.open, cur, lang),
                i18n::money(x.interest, cur, lang),
                i18n::money(x.compensation, cur, lang),
                i18n::money(x.open + x.interest + x.compensation, cur, lang)
            )
        })
        .collect();
    Ok(DebtorCalendar {
        t,
        actions,
        charges,
        totals,
        today: app.today().to_string(),
    })
}

#[derive(Deserialize)]
pub struct OutcomeForm {
    csrf: String,
    outcome: String,
    /// `agenda` when the task was closed from the agenda (the only other page to go back to).
    #[serde(default)]
    back: Option<String>,
}

async fn action_of_debtor(
    state: &WebState,
    user: &CurrentUser,
    debtor: i64,
    action: i64,
) -> Result<(), WebError> {
    let app = user.0.app(&state.store);
    match actions::get(&app, action).await? {
        Some(a) if a.debtor_id == debtor => Ok(()),
        _ => Err(WebError::NotFound),
    }
}

/// Where a form on an action goes back to: the agenda it came from, else the debtor page.
fn back(debtor: i64, from: Option<&str>) -> Response {
    if from == Some("agenda") {
        return Redirect::to("/agenda?done=1").into_response();
    }
    Redirect::to(&format!("/debtors/{debtor}?action=1#actions")).into_response()
}

#[derive(Deserialize)]
pub struct ApproveForm {
    csrf: String,
    /// `agenda` when approved from the agenda.
    #[serde(default)]
    back: Option<String>,
}

/// "Approve" on an action awaiting approval (managers and admins).
pub async fn approve(
    State(state): State<WebState>,
    user: CurrentUser,
    Path((debtor, action)): Path<(i64, i64)>,
    Form(form): Form<ApproveForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if !user.0.role().manages() {
        return Err(WebError::Forbidden);
    }
    action_of_debtor(&state, &user, debtor, action).await?;
    let app = user.0.app(&state.store);
    match actions::approve(&app, action, &user.0.user.email, user.0.role(), &state.mail).await {
        Ok(_) => Ok(back(debtor, form.back.as_deref())),
        Err(AppError::Invalid(m)) => Err(WebError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}

/// "Mark done" on an open task, with its outcome.
pub async fn complete(
    State(state): State<WebState>,
    user: CurrentUser,
    Path((debtor, action)): Path<(i64, i64)>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if user.0.role() == Role::Partner {
        return Err(WebError::Forbidden);
    }
    action_of_debtor(&state, &user, debtor, action).await?;
    if form.outcome.trim().is_empty() || form.outcome.chars().count() > 2000 {
        return Err(WebError::BadRequest(
            texts(user.0.language()).outcome_placeholder.to_owned(),
        ));
    }
    let app = user.0.app(&state.store);
    match actions::complete(&app, action, &user.0.user.email, &form.outcome).await {
        Ok(_) => Ok(back(debtor, form.back.as_deref())),
        Err(AppError::Invalid(m)) => Err(WebError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ServiceForm {
    csrf: String,
    served_on: String,
}

/// "Record the acknowledgement of receipt" on an open registered-letter task: the date the
/// debtor received the formal notice starts its 15 days.
pub async fn service(
    State(state): State<WebState>,
    user: CurrentUser,
    Path((debtor, action)): Path<(i64, i64)>,
    Form(form): Form<ServiceForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if user.0.role() == Role::Partner {
        return Err(WebError::Forbidden);
    }
    action_of_debtor(&state, &user, debtor, action).await?;
    let app = user.0.app(&state.store);
    let served_on: jiff::civil::Date = form.served_on.trim().parse().map_err(|_| {
        WebError::BadRequest(format!(
            "{}: {:?}",
            texts(user.0.language()).served_on,
            form.served_on
        ))
    })?;
    match actions::record_service(&app, action, served_on, None, &user.0.user.email).await {
        Ok(_) => Ok(back(debtor, None)),
        Err(AppError::Invalid(m)) => Err(WebError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}
