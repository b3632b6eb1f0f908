//! Settings: the organization's companies and IBANs, its users and roles (admins), and each
//! user's personal API tokens.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use creanta_app::accounts;
use creanta_domain::model::{Language, Role};
use creanta_store::repo::views;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::i18n::Texts;
use crate::pages::{Frame, frame};
use crate::{WebError, WebState};

pub struct EntityView {
    pub name: String,
    pub tax_id: String,
    pub ibans: Vec<String>,
}

pub struct UserView {
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
}

pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    t: &'static Texts,
    frame: Frame,
    entities: Vec<EntityView>,
    is_admin: bool,
    users: Vec<UserView>,
    roles: Vec<&'static str>,
    tokens: Vec<TokenView>,
    /// Shown once: a new token or a new user's one-time password.
    secret: Option<String>,
    notice: Option<String>,
}

async fn render(
    state: &WebState,
    user: &CurrentUser,
    secret: Option<String>,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let app = user.0.app(&state.store);
    let is_admin = user.0.role() == Role::Admin;
    let entities = views::entities(&state.store, app.org_id())
        .await?
        .into_iter()
        .map(|(e, ibans)| EntityView {
            name: e.name,
            tax_id: e.tax_id,
            ibans,
        })
        .collect();
    let users = if is_admin {
        accounts::list_users(&app)
            .await?
            .into_iter()
            .map(|u| UserView {
                email: u.email,
                name: u.name,
                role: u.role,
                active: u.active,
            })
            .collect()
    } else {
        Vec::new()
    };
    let tokens = accounts::list_tokens(&app)
        .await?
        .into_iter()
        .filter(|t| t.user_id == user.0.user.id)
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            created: t.created_at.strftime("%Y-%m-%d %H:%M").to_string(),
            revoked: t.revoked,
        })
        .collect();
    let page = SettingsPage {
        t: user.texts(),
        frame: frame(user, "/settings"),
        entities,
        is_admin,
        users,
        roles: Role::ALL.iter().map(|r| r.code()).collect(),
        tokens,
        secret,
        notice,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn settings(
    State(state): State<WebState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    render(&state, &user, None, None).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    name: String,
}

pub async fn create_token(
    State(state): State<WebState>,
    user: CurrentUser,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let app = user.0.app(&state.store);
    let name = if form.name.trim().is_empty() {
        "api"
    } else {
        form.name.trim()
    };
    let (_, token) =
        accounts::create_token(&app, &user.0.user.email, &user.0.user.email, name).await?;
    render(&state, &user, Some(token), None).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    id: i64,
}

pub async fn revoke_token(
    State(state): State<WebState>,
    user: CurrentUser,
    Form(form): Form<RevokeForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let app = user.0.app(&state.store);
    // Only one's own tokens, unless one is an admin.
    let owned = accounts::list_tokens(&app)
        .await?
        .into_iter()
        .any(|t| t.id == form.id && t.user_id == user.0.user.id);
    if !owned && user.0.role() != Role::Admin {
        return Err(WebError::NotFound);
    }
    accounts::revoke_token(&app, &user.0.user.email, form.id).await?;
    render(
        &state,
        &user,
        None,
        Some(user.texts().token_revoked.to_owned()),
    )
    .await
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: String,
    email: String,
    #[serde(default)]
    name: String,
    role: String,
    language: String,
}

pub async fn add_user(
    State(state): State<WebState>,
    user: CurrentUser,
    Form(form): Form<UserForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if user.0.role() != Role::Admin {
        return Err(WebError::Forbidden);
    }
    let role: Role = form
        .role
        .parse()
        .map_err(|e: creanta_domain::model::UnknownCode| WebError::BadRequest(e.to_string()))?;
    let language: Language = form
        .language
        .parse()
        .map_err(|e: creanta_domain::model::UnknownCode| WebError::BadRequest(e.to_string()))?;
    let app = user.0.app(&state.store);
    match accounts::add_user(
        &app,
        &user.0.user.email,
        &form.email,
        &form.name,
        role,
        language,
    )
    .await
    {
        Ok((new, password)) => {
            render(
                &state,
                &user,
                Some(format!("{} — {password}", new.email)),
                None,
            )
            .await
        }
        Err(creanta_app::AppError::Invalid(message)) => {
            render(&state, &user, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    csrf: String,
    email: String,
    active: bool,
}

pub async fn set_active(
    State(state): State<WebState>,
    user: CurrentUser,
    Form(form): Form<ActiveForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if user.0.role() != Role::Admin {
        return Err(WebError::Forbidden);
    }
    let app = user.0.app(&state.store);
    accounts::set_active(&app, &user.0.user.email, &form.email, form.active).await?;
    render(&state, &user, None, None).await
}
