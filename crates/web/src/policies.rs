//! The action calendar's page: every policy with its steps, and for managers the policies as
//! TOML to edit and save (the same file `creanta policy export|import` reads and writes, all or
//! nothing, with errors naming policy, step and field).

use askama::Template;
use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use creanta_app::AppError;
use creanta_app::calendar;
use creanta_domain::model::{Language, Role};
use serde::Deserialize;

use crate::WebState;
use crate::auth::CurrentUser;
use crate::calendar::kind_label;
use crate::error::WebError;
use crate::i18n::{self, Texts};
use crate::pages::{Frame, frame};

pub struct PolicyTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub default_label: &'static str,
    pub offset: &'static str,
    pub step: &'static str,
    pub kind: &'static str,
    pub template: &'static str,
    pub minimum: &'static str,
    pub approval: &'static str,
    pub attach: &'static str,
    pub yes: &'static str,
    pub edit: &'static str,
    pub edit_hint: &'static str,
    pub save: &'static str,
    pub download: &'static str,
    pub saved: &'static str,
    pub templates: &'static str,
    pub edit_steps: &'static str,
    pub new_policy: &'static str,
}

static RO: PolicyTexts = PolicyTexts {
    title: "Calendarul de acțiuni",
    intro: "Ce face Creanța în fiecare dimineață pentru fiecare factură restantă: pașii, în zile față de scadență (o zi de weekend sau de sărbătoare legală trece pe următoarea zi lucrătoare). Se trimite doar cel mai recent pas ajuns la termen, un singur mesaj pe zi pentru fiecare client; un pas dinaintea scadenței nu mai pleacă după ea.",
    default_label: "implicit",
    offset: "Zile",
    step: "Pas",
    kind: "Tip",
    template: "Șablon",
    minimum: "Sumă minimă",
    approval: "Cu aprobare",
    attach: "Atașează",
    yes: "da",
    edit: "Modifică toate calendarele ca text (TOML)",
    edit_hint: "Formatul TOML al comenzii creanta policy export. Se salvează tot sau nimic; un calendar care lipsește din text rămâne neschimbat.",
    save: "Salvează",
    download: "Descarcă fișierul",
    saved: "Calendarele au fost salvate.",
    templates: "Șabloanele mesajelor",
    edit_steps: "modifică pașii",
    new_policy: "Calendar nou",
};

static EN: PolicyTexts = PolicyTexts {
    title: "Action calendar",
    intro: "What Creanța does every morning for every late invoice: the steps, in days from the due date (a weekend day or public holiday moves to the next business day). Only the latest step that has come due goes out, one message a day per customer; a step before the due date is not sent after it.",
    default_label: "default",
    offset: "Days",
    step: "Step",
    kind: "Kind",
    template: "Template",
    minimum: "Minimum",
    approval: "Approval",
    attach: "Attaches",
    yes: "yes",
    edit: "Edit every calendar as text (TOML)",
    edit_hint: "The TOML of creanta policy export. Saved all or nothing; a calendar missing from the text stays as it is.",
    save: "Save",
    download: "Download the file",
    saved: "The calendars were saved.",
    templates: "Message templates",
    edit_steps: "edit the steps",
    new_policy: "New calendar",
};

fn texts(lang: Language) -> &'static PolicyTexts {
    match lang {
        Language::Ro => &RO,
        Language::En => &EN,
    }
}

struct StepView {
    offset: i32,
    code: String,
    kind: String,
    template: String,
    minimum: String,
    needs_approval: bool,
    attach: String,
}

struct PolicyView {
    code: String,
    name: String,
    is_default: bool,
    steps: Vec<StepView>,
}

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    t: &'static Texts,
    c: &'static PolicyTexts,
    frame: Frame,
    policies: Vec<PolicyView>,
    can_edit: bool,
    toml: String,
    notice: Option<String>,
    error: Option<String>,
}

fn can_edit(user: &CurrentUser) -> bool {
    user.0.role().manages()
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn render(
    state: &WebState,
    user: &CurrentUser,
    notice: Option<String>,
    error: Option<String>,
    draft: Option<String>,
) -> Result<Response, WebError> {
    if user.0.role() == Role::Partner {
        return Err(WebError::Forbidden);
    }
    let app = user.0.app(&state.store);
    let lang = user.0.language();
    let (policies, default) = calendar::policies(&app).await?;
    let toml = match draft {
        Some(d) => d,
        None => calendar::export_toml(&app).await?,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PoliciesPage {
        t: user.texts(),
        c: texts(lang),
        frame: frame(user, "/policies"),
        policies: policies
            .into_iter()
            .map(|p| PolicyView {
                is_default: p.code == default,
                steps: p
                    .steps
                    .iter()
                    .map(|s| StepView {
                        offset: s.offset,
                        code: s.code.clone(),
                        kind: kind_label(s.kind.code(), lang).to_owned(),
                        template: s.template.clone(),
                        minimum: s
                            .min_open
                            .iter()
                            .map(|(c, m)| i18n::money(*m, c.as_str(), lang))
                            .collect::<Vec<_>>()
                            .join(", "),
                        needs_approval: s.needs_approval,
                        attach: s
                            .attach
                            .iter()
                            .map(|a| i18n::doc_type_label(a.code(), lang))
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
                    .collect(),
                code: p.code,
                name: p.name,
            })
            .collect(),
        can_edit: can_edit(user),
        toml,
        notice,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn page(
    State(state): State<WebState>,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Response, WebError> {
    let notice = q.saved.map(|_| texts(user.0.language()).saved.to_owned());
    render(&state, &user, notice, None, None).await
}

/// The policies as a TOML file.
pub async fn download(
    State(state): State<WebState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    if user.0.role() == Role::Partner {
        return Err(WebError::Forbidden);
    }
    let text = calendar::export_toml(&user.0.app(&state.store)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"creanta-policies.toml\"",
            ),
        ],
        text,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct SaveForm {
    csrf: String,
    toml: String,
}

pub async fn save(
    State(state): State<WebState>,
    user: CurrentUser,
    Form(form): Form<SaveForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if !can_edit(&user) {
        return Err(WebError::Forbidden);
    }
    let app = user.0.app(&state.store);
    match calendar::import_toml(&app, "policies.toml", &form.toml, &user.0.user.email).await {
        Ok(_) => Ok(Redirect::to("/policies?saved=1").into_response()),
        Err(AppError::Invalid(m)) => render(&state, &user, None, Some(m), Some(form.toml)).await,
        Err(e) => Err(e.into()),
    }
}
