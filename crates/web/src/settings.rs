//! Settings: the organization's companies and IBANs (edited by admins and managers), its users
//! and roles (admins), and each user's personal API tokens. Partners see none of it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use creanta_app::settings::{self as app_settings, EntityFields, SettingsError};
use creanta_app::{AppError, accounts};
use creanta_domain::model::{Language, Role};
use creanta_store::repo::entities::EntityWithAccounts;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::i18n::{self, Texts};
use crate::pages::{Frame, frame};
use crate::{WebError, WebState};

pub struct EntityView {
    pub id: i64,
    pub name: String,
    pub tax_id: String,
    pub registration_no: String,
    /// Address, city and country in one line.
    pub place: String,
    pub ibans: Vec<String>,
    /// What the edit form shows: the stored values, or what was typed when a change was refused.
    pub form: EntityFields,
    /// The edit form stays open (after a refused change), with the IBAN that was typed.
    pub open: bool,
    pub iban_input: String,
}

pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub language: String,
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
    can_edit_entities: bool,
    is_admin: bool,
    users: Vec<UserView>,
    roles: Vec<&'static str>,
    languages: Vec<(&'static str, &'static str)>,
    tokens: Vec<TokenView>,
    /// Shown once: a new token or a new user's one-time password.
    secret: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

/// What a form's answer adds to the page.
#[derive(Default)]
struct Outcome {
    status: Option<StatusCode>,
    secret: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    open_entity: Option<i64>,
    /// A refused entity edit, shown as typed.
    entity_draft: Option<EntityFields>,
    iban_draft: String,
}

impl Outcome {
    fn notice(text: String) -> Outcome {
        Outcome {
            notice: Some(text),
            ..Outcome::default()
        }
    }
}

/// The settings are for the organization's own people; partners get their portal later.
fn staff_only(user: &CurrentUser) -> Result<(), WebError> {
    match user.0.role() {
        Role::Partner => Err(WebError::Forbidden),
        _ => Ok(()),
    }
}

fn can_edit_entities(user: &CurrentUser) -> bool {
    user.0.role().manages()
}

fn entity_view(e: EntityWithAccounts, outcome: &Outcome) -> EntityView {
    let stored = EntityFields {
        name: e.entity.name,
        registration_no: e.entity.registration_no.unwrap_or_default(),
        address: e.entity.address.unwrap_or_default(),
        city: e.entity.city.unwrap_or_default(),
        country: e.entity.country.unwrap_or_default(),
    };
    let place = [&stored.address, &stored.city, &stored.country]
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let open = outcome.open_entity == Some(e.id);
    let form = match &outcome.entity_draft {
        Some(draft) if open => draft.clone(),
        _ => stored.clone(),
    };
    EntityView {
        id: e.id,
        name: stored.name,
        tax_id: e.entity.tax_id,
        registration_no: stored.registration_no,
        place,
        ibans: e.ibans,
        form,
        open,
        iban_input: if open {
            outcome.iban_draft.clone()
        } else {
            String::new()
        },
    }
}

async fn render(
    state: &WebState,
    user: &CurrentUser,
    outcome: Outcome,
) -> Result<Response, WebError> {
    let app = user.0.app(&state.store);
    let is_admin = user.0.role() == Role::Admin;
    let entities = app_settings::entities(&app)
        .await?
        .into_iter()
        .map(|e| entity_view(e, &outcome))
        .collect();
    let users = if is_admin {
        accounts::list_users(&app)
            .await?
            .into_iter()
            .map(|u| UserView {
                id: u.id,
                email: u.email,
                name: u.name,
                role: u.role,
                language: u.language,
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
    let t = user.texts();
    let page = SettingsPage {
        t,
        frame: frame(user, "/settings"),
        entities,
        can_edit_entities: can_edit_entities(user),
        is_admin,
        users,
        roles: Role::ALL.iter().map(|r| r.code()).collect(),
        languages: Language::ALL
            .iter()
            .map(|l| (l.code(), i18n::code_label(l.code(), user.0.language())))
            .collect(),
        tokens,
        secret: outcome.secret,
        notice: outcome.notice,
        error: outcome.error,
    };
    let status = outcome.status.unwrap_or(StatusCode::OK);
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn settings(
    State(state): State<WebState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    staff_only(&user)?;
    render(&state, &user, Outcome::default()).await
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
    staff_only(&user)?;
    let app = user.0.app(&state.store);
    let name = if form.name.trim().is_empty() {
        "api"
    } else {
        form.name.trim()
    };
    let (_, token) =
        accounts::create_token(&app, &user.0.user.email, &user.0.user.email, name).await?;
    let outcome = Outcome {
        secret: Some(token),
        ..Outcome::default()
    };
    render(&state, &user, outcome).await
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
    staff_only(&user)?;
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
    let notice = user.texts().token_revoked.to_owned();
    render(&state, &user, Outcome::notice(notice)).await
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

fn parse_code<T>(code: &str) -> Result<T, WebError>
where
    T: std::str::FromStr<Err = creanta_domain::model::UnknownCode>,
{
    code.parse()
        .map_err(|e: creanta_domain::model::UnknownCode| WebError::BadRequest(e.to_string()))
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
    let role: Role = parse_code(&form.role)?;
    let language: Language = parse_code(&form.language)?;
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
            let outcome = Outcome {
                secret: Some(format!("{} — {password}", new.email)),
                ..Outcome::default()
            };
            render(&state, &user, outcome).await
        }
        Err(AppError::Invalid(message)) => render(&state, &user, Outcome::notice(message)).await,
        Err(e) => Err(e.into()),
    }
}

/// A refused account change, on the page: the last admin (409), or bad input (422).
async fn account_refused(
    state: &WebState,
    user: &CurrentUser,
    error: AppError,
) -> Result<Response, WebError> {
    let (status, message) = match error {
        AppError::LastAdmin(email) => (
            StatusCode::CONFLICT,
            user.texts().last_admin.replace("{email}", &email),
        ),
        AppError::Invalid(message) => (StatusCode::UNPROCESSABLE_ENTITY, message),
        e => return Err(e.into()),
    };
    let outcome = Outcome {
        status: Some(status),
        error: Some(message),
        ..Outcome::default()
    };
    render(state, user, outcome).await
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
    match accounts::set_active(&app, &user.0.user.email, &form.email, form.active).await {
        Ok(()) => render(&state, &user, Outcome::default()).await,
        Err(e) => account_refused(&state, &user, e).await,
    }
}

#[derive(Deserialize)]
pub struct EditUserForm {
    csrf: String,
    email: String,
    name: Option<String>,
    role: Option<String>,
    language: Option<String>,
}

/// An admin changes a user's role, display name or language.
pub async fn update_user(
    State(state): State<WebState>,
    user: CurrentUser,
    Form(form): Form<EditUserForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if user.0.role() != Role::Admin {
        return Err(WebError::Forbidden);
    }
    let changes = accounts::UserChanges {
        name: form.name,
        role: form.role.as_deref().map(parse_code).transpose()?,
        language: form.language.as_deref().map(parse_code).transpose()?,
    };
    let app = user.0.app(&state.store);
    match accounts::update_user(&app, &user.0.user.email, &form.email, &changes).await {
        // One's own role or language changed: the page must be drawn for who one is now.
        Ok(_) if form.email.trim().eq_ignore_ascii_case(&user.0.user.email) => {
            Ok(Redirect::to("/settings").into_response())
        }
        Ok(changed) => {
            let t = user.texts();
            let notice = if changed {
                t.user_saved.replace("{email}", form.email.trim())
            } else {
                t.nothing_changed.to_owned()
            };
            render(&state, &user, Outcome::notice(notice)).await
        }
        Err(e) => account_refused(&state, &user, e).await,
    }
}

/// Entities are edited by admins and managers; the CSRF token is checked first.
fn entity_editor(user: &CurrentUser, csrf: &str) -> Result<(), WebError> {
    user.check_csrf(csrf)?;
    if can_edit_entities(user) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

/// A refused entity change, on the page with the entity's form open; a missing entity is a 404.
async fn entity_refused(
    state: &WebState,
    user: &CurrentUser,
    id: i64,
    error: SettingsError,
    mut outcome: Outcome,
) -> Result<Response, WebError> {
    let t = user.texts();
    let (status, message) = match error {
        SettingsError::NoSuchEntity => return Err(WebError::NotFound),
        SettingsError::App(e) => return Err(e.into()),
        SettingsError::NameRequired => (StatusCode::UNPROCESSABLE_ENTITY, t.name_required.into()),
        SettingsError::TooLong { max, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            t.field_too_long.replace("{max}", &max.to_string()),
        ),
        SettingsError::BadCountry(country) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            t.country_invalid.replace("{country}", &country),
        ),
        SettingsError::BadIban { input, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            t.iban_invalid.replace("{iban}", &input),
        ),
        SettingsError::IbanTaken { iban, entity } => (
            StatusCode::CONFLICT,
            t.iban_taken
                .replace("{iban}", &iban)
                .replace("{entity}", &entity),
        ),
        SettingsError::NoSuchIban(iban) => (
            StatusCode::CONFLICT,
            t.iban_missing.replace("{iban}", &iban),
        ),
    };
    outcome.status = Some(status);
    outcome.error = Some(message);
    outcome.open_entity = Some(id);
    render(state, user, outcome).await
}

#[derive(Deserialize)]
pub struct EntityForm {
    csrf: String,
    name: String,
    #[serde(default)]
    registration_no: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    country: String,
}

pub async fn update_entity(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<EntityForm>,
) -> Result<Response, WebError> {
    entity_editor(&user, &form.csrf)?;
    let fields = EntityFields {
        name: form.name,
        registration_no: form.registration_no,
        address: form.address,
        city: form.city,
        country: form.country,
    };
    let app = user.0.app(&state.store);
    let t = user.texts();
    match app_settings::update_entity(&app, &user.0.user.email, id, &fields).await {
        Ok(true) => {
            let notice = t.entity_saved.replace("{entity}", fields.name.trim());
            render(&state, &user, Outcome::notice(notice)).await
        }
        Ok(false) => render(&state, &user, Outcome::notice(t.nothing_changed.into())).await,
        Err(e) => {
            let outcome = Outcome {
                entity_draft: Some(fields),
                ..Outcome::default()
            };
            entity_refused(&state, &user, id, e, outcome).await
        }
    }
}

#[derive(Deserialize)]
pub struct IbanForm {
    csrf: String,
    iban: String,
}

pub async fn add_iban(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<IbanForm>,
) -> Result<Response, WebError> {
    entity_editor(&user, &form.csrf)?;
    let app = user.0.app(&state.store);
    match app_settings::add_iban(&app, &user.0.user.email, id, &form.iban).await {
        Ok(iban) => {
            let notice = user.texts().iban_added.replace("{iban}", &iban);
            render(&state, &user, Outcome::notice(notice)).await
        }
        Err(e) => {
            let outcome = Outcome {
                iban_draft: form.iban,
                ..Outcome::default()
            };
            entity_refused(&state, &user, id, e, outcome).await
        }
    }
}

pub async fn remove_iban(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<IbanForm>,
) -> Result<Response, WebError> {
    entity_editor(&user, &form.csrf)?;
    let app = user.0.app(&state.store);
    match app_settings::remove_iban(&app, &user.0.user.email, id, &form.iban).await {
        Ok(()) => {
            let iban = creanta_domain::ids::compact(&form.iban);
            let notice = user.texts().iban_removed.replace("{iban}", &iban);
            render(&state, &user, Outcome::notice(notice)).await
        }
        Err(e) => entity_refused(&state, &user, id, e, Outcome::default()).await,
    }
}
