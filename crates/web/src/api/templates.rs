//! The communication templates in the API: list, read, save (managers; checked with strict
//! variables, nothing saved when a part does not render), restore the shipped version, and
//! preview a draft for a real debtor.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use creanta_app::calendar::editor::{self, Preview, TemplateDraft, TemplateEntry};
use creanta_app::calendar::templates::TemplateError;
use creanta_domain::model::{Language, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::records::plain;
use super::{ApiPath, ApiUser, FieldError, Problem, ProblemBody, debtor_exists};
use crate::WebState;

/// A template of the organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateOut {
    pub code: String,
    /// `ro` or `en`.
    pub language: String,
    /// Absent when a step names a template that is neither saved nor shipped.
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    /// Saved by the organization (else the shipped version applies).
    pub edited: bool,
    pub has_builtin: bool,
    /// `policy/step` of the steps that use it.
    pub used_by: Vec<String>,
}

fn template_out(e: TemplateEntry) -> TemplateOut {
    let (subject, body_text, body_html) = match e.template {
        Some(t) => (Some(t.subject), Some(t.body_text), t.body_html),
        None => (None, None, None),
    };
    TemplateOut {
        code: e.code,
        language: e.language.code().to_owned(),
        subject,
        body_text,
        body_html,
        edited: e.edited,
        has_builtin: e.has_builtin,
        used_by: e.used_by,
    }
}

/// A template's new text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateIn {
    /// minijinja; one line once rendered.
    pub subject: String,
    pub body_text: String,
    /// Optional HTML alternative; values are HTML-escaped.
    pub body_html: Option<String>,
}

/// A draft to preview, for a debtor (by id) on a day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewIn {
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Absent: the sample debtor.
    pub debtor_id: Option<i64>,
    /// Absent: today.
    pub date: Option<jiff::civil::Date>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewOut {
    /// The debtor it was rendered for; absent for the sample debtor (none given, or nothing
    /// open).
    pub debtor_id: Option<i64>,
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    /// Why the draft does not render: the part (`subject`, `body_text`, `body_html`) and the
    /// message with its line.
    pub error: Option<FieldError>,
}

use editor::{MAX_BODY, MAX_SUBJECT};

fn draft_of(
    subject: String,
    body_text: String,
    body_html: Option<String>,
) -> Result<TemplateDraft, Problem> {
    for (name, value, max) in [
        ("subject", subject.as_str(), MAX_SUBJECT),
        ("body_text", body_text.as_str(), MAX_BODY),
        ("body_html", body_html.as_deref().unwrap_or(""), MAX_BODY),
    ] {
        plain(name, value)?;
        if value.chars().count() > max {
            return Err(Problem::bad_request(format!(
                "{name} must have at most {max} characters"
            )));
        }
    }
    Ok(TemplateDraft {
        subject,
        body_text,
        body_html,
    })
}

fn language(code: &str) -> Result<Language, Problem> {
    code.parse()
        .map_err(|_| Problem::bad_request(format!("language {code:?} is not one of: ro, en")))
}

fn staff(role: Role) -> Result<(), Problem> {
    if role == Role::Partner {
        Err(Problem::forbidden("partners do not see the templates"))
    } else {
        Ok(())
    }
}

fn template_problem(e: TemplateError) -> Problem {
    let mut p = Problem::new(StatusCode::BAD_REQUEST, "invalid_value", e.to_string());
    p.0.field = Some(e.part.to_owned());
    p.0.fields = vec![FieldError {
        field: e.part.to_owned(),
        message: e.message,
    }];
    p
}

#[utoipa::path(get, path = "/api/v1/templates", responses(
    (status = 200, body = Vec<TemplateOut>),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn list_templates(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
) -> Result<Json<Vec<TemplateOut>>, Problem> {
    staff(s.role())?;
    let all = editor::list(&s.app(&state.store)).await?;
    Ok(Json(all.into_iter().map(template_out).collect()))
}

#[utoipa::path(get, path = "/api/v1/templates/{code}/{language}",
    params(("code" = String, Path), ("language" = String, Path, description = "`ro` or `en`")),
    responses(
    (status = 200, body = TemplateOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn get_template(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath((code, lang)): ApiPath<(String, String)>,
) -> Result<Json<TemplateOut>, Problem> {
    staff(s.role())?;
    let lang = language(&lang)?;
    let e = editor::get(&s.app(&state.store), &code, lang)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(template_out(e)))
}

#[utoipa::path(put, path = "/api/v1/templates/{code}/{language}", request_body = TemplateIn,
    params(("code" = String, Path), ("language" = String, Path, description = "`ro` or `en`")),
    responses(
    (status = 200, body = TemplateOut),
    (status = 400, body = ProblemBody, content_type = "application/problem+json",
        description = "`invalid_value` with the part (`subject`, `body_text`, `body_html`) and line, or `bad_request`; nothing saved"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = ProblemBody, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn put_template(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath((code, lang)): ApiPath<(String, String)>,
    body: Result<Json<TemplateIn>, JsonRejection>,
) -> Result<Json<TemplateOut>, Problem> {
    super::calendar::manager(s.role(), "saving a template")?;
    let lang = language(&lang)?;
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    let draft = draft_of(req.subject, req.body_text, req.body_html)?;
    editor::check_code(&code).map_err(|e| Problem::bad_request(e.to_string()))?;
    let app = s.app(&state.store);
    editor::save(&app, &s.user.email, &code, lang, &draft)
        .await?
        .map_err(template_problem)?;
    let e = editor::get(&app, &code, lang)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(template_out(e)))
}

#[utoipa::path(delete, path = "/api/v1/templates/{code}/{language}",
    params(("code" = String, Path), ("language" = String, Path, description = "`ro` or `en`")),
    responses(
    (status = 204, description = "the shipped version applies again"),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json",
        description = "the organization has not saved this template"),
    (status = 409, body = ProblemBody, content_type = "application/problem+json",
        description = "no shipped version, and a step uses it")),
    security(("token" = [])))]
pub async fn restore_template(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath((code, lang)): ApiPath<(String, String)>,
) -> Result<StatusCode, Problem> {
    super::calendar::manager(s.role(), "restoring a template")?;
    let lang = language(&lang)?;
    if editor::restore(&s.app(&state.store), &s.user.email, &code, lang).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found())
    }
}

#[utoipa::path(post, path = "/api/v1/templates/{code}/{language}/preview", request_body = PreviewIn,
    params(("code" = String, Path), ("language" = String, Path, description = "`ro` or `en`")),
    responses(
    (status = 200, body = PreviewOut, description = "rendered, or `error` says why not"),
    (status = 400, body = ProblemBody, content_type = "application/problem+json"),
    (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = ProblemBody, content_type = "application/problem+json",
        description = "no such debtor in your organization")),
    security(("token" = [])))]
pub async fn preview_template(
    State(state): State<WebState>,
    ApiUser(s): ApiUser,
    ApiPath((code, lang)): ApiPath<(String, String)>,
    body: Result<Json<PreviewIn>, JsonRejection>,
) -> Result<Json<PreviewOut>, Problem> {
    staff(s.role())?;
    let lang = language(&lang)?;
    let Json(req) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    if let Some(d) = req.debtor_id {
        debtor_exists(&state, s.org.id, d).await?;
    }
    let draft = draft_of(req.subject, req.body_text, req.body_html)?;
    let day = req.date.unwrap_or_else(|| jiff::Zoned::now().date());
    let p: Preview = editor::preview(
        &s.app(&state.store),
        &code,
        lang,
        &draft,
        req.debtor_id,
        day,
    )
    .await?;
    let (subject, body_text, body_html) = match p.rendered {
        Some(r) => (Some(r.subject), Some(r.body_text), r.body_html),
        None => (None, None, None),
    };
    Ok(Json(PreviewOut {
        debtor_id: p.debtor.map(|d| d.id),
        subject,
        body_text,
        body_html,
        error: p.error.map(|e| FieldError {
            field: e.part.to_owned(),
            message: e.message,
        }),
    }))
}
