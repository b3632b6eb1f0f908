//! The communication templates' pages: every template in both languages (saved or built in,
//! and which steps use it), and the editor: subject, text and HTML bodies, with a live preview
//! for a real debtor (htmx posts the draft as it is typed) and errors that name the part and
//! line. Managers and admins save and restore; everyone else may look and preview.

use askama::Template as _;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use creanta_app::calendar::editor::{self, Preview, TemplateDraft, TemplateEntry};
use creanta_domain::model::{Language, Role};
use serde::Deserialize;

use crate::WebState;
use crate::auth::{CsrfOnly, CurrentUser};
use crate::error::WebError;
use crate::i18n::Texts;
use crate::pages::{Frame, frame};

pub struct TemplateTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub code: &'static str,
    pub language: &'static str,
    pub state: &'static str,
    pub edited: &'static str,
    pub builtin: &'static str,
    pub missing: &'static str,
    pub used_by: &'static str,
    pub subject: &'static str,
    pub body_text: &'static str,
    pub body_html: &'static str,
    pub body_html_hint: &'static str,
    pub variables: &'static str,
    pub variables_list: &'static str,
    pub debtor: &'static str,
    pub debtor_hint: &'static str,
    pub day: &'static str,
    pub preview: &'static str,
    pub preview_for: &'static str,
    pub preview_sample: &'static str,
    pub save: &'static str,
    pub restore: &'static str,
    pub saved: &'static str,
    pub restored: &'static str,
    pub error_in: &'static str,
    pub no_debtor: &'static str,
    pub back: &'static str,
}

static RO: TemplateTexts = TemplateTexts {
    title: "Șabloanele mesajelor",
    intro: "Textul fiecărui mesaj și al fiecărei sarcini din calendar, în română și engleză. Un șablon modificat de organizație înlocuiește varianta inclusă în Creanța; „Revino la varianta inclusă” îl șterge.",
    code: "Șablon",
    language: "Limba",
    state: "Stare",
    edited: "modificat",
    builtin: "inclus",
    missing: "lipsește",
    used_by: "Folosit de",
    subject: "Subiect",
    body_text: "Text",
    body_html: "HTML (opțional)",
    body_html_hint: "Gol: mesajul pleacă doar ca text. Valorile sunt scrise ca text în HTML (caracterele < > & sunt protejate).",
    variables: "Variabile",
    variables_list: "entity, debtor, owner (name, code, tax_id, address, email); step (code, offset, kind); today; invoices (number, issue_date, due_date, total, open, days_late, late, interest, entity, contract); totals (currency, open, interest, compensation, with_charges); ibans (entity, iban); payment_reference; attachments; interest_basis. O variabilă necunoscută este o eroare, nu un spațiu gol.",
    debtor: "Previzualizare pentru clientul",
    debtor_hint: "codul clientului; gol: un client exemplu",
    day: "la data",
    preview: "Previzualizează",
    preview_for: "Pentru",
    preview_sample: "Client exemplu (fără date reale)",
    save: "Salvează",
    restore: "Revino la varianta inclusă",
    saved: "Șablonul a fost salvat.",
    restored: "S-a revenit la varianta inclusă.",
    error_in: "Eroare în",
    no_debtor: "Nu există clientul cu codul",
    back: "Toate șabloanele",
};

static EN: TemplateTexts = TemplateTexts {
    title: "Message templates",
    intro: "The text of every message and task of the calendar, in Romanian and English. A template edited by the organization replaces the one shipped with Creanța; \"Restore the shipped version\" removes it.",
    code: "Template",
    language: "Language",
    state: "State",
    edited: "edited",
    builtin: "shipped",
    missing: "missing",
    used_by: "Used by",
    subject: "Subject",
    body_text: "Text",
    body_html: "HTML (optional)",
    body_html_hint: "Empty: the message goes out as text only. Values are written as text in the HTML (< > & are escaped).",
    variables: "Variables",
    variables_list: "entity, debtor, owner (name, code, tax_id, address, email); step (code, offset, kind); today; invoices (number, issue_date, due_date, total, open, days_late, late, interest, entity, contract); totals (currency, open, interest, compensation, with_charges); ibans (entity, iban); payment_reference; attachments; interest_basis. An unknown variable is an error, not a blank.",
    debtor: "Preview for customer",
    debtor_hint: "customer code; empty: a sample customer",
    day: "on",
    preview: "Preview",
    preview_for: "For",
    preview_sample: "Sample customer (no real data)",
    save: "Save",
    restore: "Restore the shipped version",
    saved: "The template was saved.",
    restored: "The shipped version applies again.",
    error_in: "Error in",
    no_debtor: "There is no customer with code",
    back: "All templates",
};

fn texts(lang: Language) -> &'static TemplateTexts {
    match lang {
        Language::Ro => &RO,
        Language::En => &EN,
    }
}

fn can_edit(user: &CurrentUser) -> bool {
    user.0.role().manages()
}

fn staff(user: &CurrentUser) -> Result<(), WebError> {
    if user.0.role() == Role::Partner {
        Err(WebError::Forbidden)
    } else {
        Ok(())
    }
}

#[derive(askama::Template)]
#[template(path = "templates.html")]
struct ListPage {
    t: &'static Texts,
    c: &'static TemplateTexts,
    frame: Frame,
    entries: Vec<TemplateEntry>,
}

pub async fn list(State(state): State<WebState>, user: CurrentUser) -> Result<Response, WebError> {
    staff(&user)?;
    let entries = editor::list(&user.0.app(&state.store)).await?;
    let page = ListPage {
        t: user.texts(),
        c: texts(user.0.language()),
        frame: frame(&user, "/templates"),
        entries,
    };
    Ok(Html(page.render()?).into_response())
}

/// The preview as the page shows it.
pub struct PreviewView {
    pub who: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// "body_text, line 2: undefined value" when the draft does not render.
    pub error: Option<String>,
}

fn preview_view(c: &TemplateTexts, p: Preview) -> PreviewView {
    let who = match &p.debtor {
        Some(d) => format!("{} {} ({})", c.preview_for, d.name, d.code),
        None => c.preview_sample.to_owned(),
    };
    match (p.rendered, p.error) {
        (Some(r), _) => PreviewView {
            who,
            subject: r.subject,
            body_text: r.body_text,
            body_html: r.body_html,
            error: None,
        },
        (None, e) => PreviewView {
            who,
            subject: String::new(),
            body_text: String::new(),
            body_html: None,
            error: e.map(|e| format!("{} {}: {}", c.error_in, e.part, e.message)),
        },
    }
}

#[derive(askama::Template)]
#[template(path = "template_edit.html")]
struct EditPage {
    t: &'static Texts,
    c: &'static TemplateTexts,
    frame: Frame,
    code: String,
    language: Language,
    edited: bool,
    has_builtin: bool,
    used_by: String,
    draft: TemplateDraft,
    debtor_code: String,
    day: String,
    can_edit: bool,
    notice: Option<&'static str>,
    error: Option<String>,
    preview: PreviewView,
}

#[derive(askama::Template)]
#[template(path = "_template_preview.html")]
struct PreviewFragment {
    preview: PreviewView,
}

fn language_of(code: &str) -> Result<Language, WebError> {
    code.parse().map_err(|_| WebError::NotFound)
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    restored: Option<String>,
}

/// The draft and preview fields the editor posts.
#[derive(Deserialize)]
pub struct EditForm {
    csrf: String,
    subject: String,
    body_text: String,
    #[serde(default)]
    body_html: String,
    #[serde(default)]
    debtor: String,
    #[serde(default)]
    day: String,
    /// `save` or `preview` (the button pressed).
    #[serde(default)]
    intent: String,
}

impl EditForm {
    fn draft(&self) -> TemplateDraft {
        TemplateDraft {
            subject: self.subject.clone(),
            body_text: self.body_text.clone(),
            body_html: Some(self.body_html.clone()).filter(|h| !h.trim().is_empty()),
        }
    }
}

struct Rendering<'a> {
    draft: TemplateDraft,
    debtor_code: String,
    day: String,
    notice: Option<&'static str>,
    error: Option<String>,
    entry: &'a TemplateEntry,
}

/// The debtor id for a code typed in the preview field (`Ok(None)` when empty).
async fn debtor_by_code(
    state: &WebState,
    user: &CurrentUser,
    code: &str,
) -> Result<Result<Option<i64>, String>, WebError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(Ok(None));
    }
    let app = user.0.app(&state.store);
    match editor::debtor_id(&app, code).await? {
        Some(id) => Ok(Ok(Some(id))),
        None => Ok(Err(format!(
            "{} {code}.",
            texts(user.0.language()).no_debtor
        ))),
    }
}

fn day_of(text: &str) -> jiff::civil::Date {
    text.trim()
        .parse()
        .unwrap_or_else(|_| jiff::Zoned::now().date())
}

async fn preview_of(
    state: &WebState,
    user: &CurrentUser,
    entry: &TemplateEntry,
    draft: &TemplateDraft,
    debtor_code: &str,
    day: &str,
) -> Result<PreviewView, WebError> {
    let c = texts(user.0.language());
    let debtor = match debtor_by_code(state, user, debtor_code).await? {
        Ok(d) => d,
        Err(message) => {
            return Ok(PreviewView {
                who: String::new(),
                subject: String::new(),
                body_text: String::new(),
                body_html: None,
                error: Some(message),
            });
        }
    };
    let app = user.0.app(&state.store);
    let p = editor::preview(
        &app,
        &entry.code,
        entry.language,
        draft,
        debtor,
        day_of(day),
    )
    .await?;
    Ok(preview_view(c, p))
}

async fn render_edit(
    state: &WebState,
    user: &CurrentUser,
    r: Rendering<'_>,
) -> Result<Response, WebError> {
    let preview = preview_of(state, user, r.entry, &r.draft, &r.debtor_code, &r.day).await?;
    let status = if r.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = EditPage {
        t: user.texts(),
        c: texts(user.0.language()),
        frame: frame(
            user,
            &format!("/templates/{}/{}", r.entry.code, r.entry.language.code()),
        ),
        code: r.entry.code.clone(),
        language: r.entry.language,
        edited: r.entry.edited,
        has_builtin: r.entry.has_builtin,
        used_by: r.entry.used_by.join(", "),
        draft: r.draft,
        debtor_code: r.debtor_code,
        day: r.day,
        can_edit: can_edit(user),
        notice: r.notice,
        error: r.error,
        preview,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn entry_of(
    state: &WebState,
    user: &CurrentUser,
    code: &str,
    lang: &str,
) -> Result<TemplateEntry, WebError> {
    staff(user)?;
    let lang = language_of(lang)?;
    editor::get(&user.0.app(&state.store), code, lang)
        .await?
        .ok_or(WebError::NotFound)
}

pub async fn edit(
    State(state): State<WebState>,
    user: CurrentUser,
    Path((code, lang)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<EditQuery>,
) -> Result<Response, WebError> {
    let entry = entry_of(&state, &user, &code, &lang).await?;
    let c = texts(user.0.language());
    let draft = entry
        .template
        .as_ref()
        .map(|t| TemplateDraft {
            subject: t.subject.clone(),
            body_text: t.body_text.clone(),
            body_html: t.body_html.clone(),
        })
        .unwrap_or_default();
    let app = user.0.app(&state.store);
    let today = jiff::Zoned::now().date();
    let debtor_code = editor::overdue_debtor(&app, today)
        .await?
        .unwrap_or_default();
    let notice = if q.saved.is_some() {
        Some(c.saved)
    } else if q.restored.is_some() {
        Some(c.restored)
    } else {
        None
    };
    render_edit(
        &state,
        &user,
        Rendering {
            draft,
            debtor_code,
            day: today.to_string(),
            notice,
            error: None,
            entry: &entry,
        },
    )
    .await
}

/// Saves the draft (managers), or shows its preview in the page (without JavaScript).
pub async fn save(
    State(state): State<WebState>,
    user: CurrentUser,
    Path((code, lang)): Path<(String, String)>,
    Form(form): Form<EditForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let entry = entry_of(&state, &user, &code, &lang).await?;
    let draft = form.draft();
    let mut error = None;
    if form.intent != "preview" {
        if !can_edit(&user) {
            return Err(WebError::Forbidden);
        }
        let app = user.0.app(&state.store);
        match editor::save(
            &app,
            &user.0.user.email,
            &entry.code,
            entry.language,
            &draft,
        )
        .await?
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/templates/{}/{}?saved=1",
                    entry.code,
                    entry.language.code()
                ))
                .into_response());
            }
            Err(e) => {
                let c = texts(user.0.language());
                error = Some(format!("{} {}: {}", c.error_in, e.part, e.message));
            }
        }
    }
    render_edit(
        &state,
        &user,
        Rendering {
            draft,
            debtor_code: form.debtor,
            day: form.day,
            notice: None,
            error,
            entry: &entry,
        },
    )
    .await
}

/// The live preview: the fragment htmx swaps in as the draft is typed.
pub async fn preview(
    State(state): State<WebState>,
    user: CurrentUser,
    Path((code, lang)): Path<(String, String)>,
    Form(form): Form<EditForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let entry = entry_of(&state, &user, &code, &lang).await?;
    let preview = preview_of(
        &state,
        &user,
        &entry,
        &form.draft(),
        &form.debtor,
        &form.day,
    )
    .await?;
    Ok(Html(PreviewFragment { preview }.render()?).into_response())
}

pub async fn restore(
    State(state): State<WebState>,
    user: CurrentUser,
    Path((code, lang)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if !can_edit(&user) {
        return Err(WebError::Forbidden);
    }
    let entry = entry_of(&state, &user, &code, &lang).await?;
    let app = user.0.app(&state.store);
    editor::restore(&app, &user.0.user.email, &entry.code, entry.language).await?;
    Ok(Redirect::to(&format!(
        "/templates/{}/{}?restored=1",
        entry.code,
        entry.language.code()
    ))
    .into_response())
}
