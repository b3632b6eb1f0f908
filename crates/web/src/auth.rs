//! Sign-in, sign-out, the session extractor and CSRF checks.
//!
//! The session cookie is HttpOnly, SameSite=Lax (and Secure behind https). Every form that
//! changes something carries the session's CSRF token, compared in constant time; the login
//! form, which has no session yet, uses a double-submit cookie instead.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use creanta_app::accounts::{self, LoginError, Session};
use creanta_domain::model::Language;
use serde::Deserialize;

use crate::i18n::{self, Texts};
use crate::{WebError, WebState};

pub const SESSION_COOKIE: &str = "creanta_session";
const LOGIN_CSRF_COOKIE: &str = "creanta_login_csrf";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(
    state: &WebState,
    name: &str,
    value: &str,
    max_age: i64,
    same_site: &str,
) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
    ))
    .expect("cookie values are hex")
}

/// Equal strings, compared without an early exit.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn random_token() -> String {
    // The same generator as passwords and sessions: the operating system's.
    creanta_app::accounts::generate_password() + &creanta_app::accounts::generate_password()
}

/// Where a signed-in person starts the day: what waits for them.
pub const HOME: &str = "/agenda";

/// The signed-in user. Pages that need one redirect to the login page without it.
pub struct CurrentUser(pub Session);

impl FromRequestParts<WebState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .ok_or_else(|| Redirect::to("/login").into_response())?;
        match accounts::session(&state.store, &token).await {
            Ok(Some(session)) => Ok(CurrentUser(session)),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(WebError::from(e).into_response()),
        }
    }
}

impl CurrentUser {
    pub fn texts(&self) -> &'static Texts {
        i18n::texts(self.0.language())
    }
    /// Rejects a state-changing request whose form does not carry this session's token.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if same_token(token, &self.0.csrf_token) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    t: &'static Texts,
    csrf: &'a str,
    email: &'a str,
    organization: &'a str,
    error: Option<&'static str>,
}

fn render_login(
    state: &WebState,
    status: StatusCode,
    email: &str,
    organization: &str,
    error: Option<&'static str>,
) -> Result<Response, WebError> {
    let csrf = random_token();
    let page = LoginPage {
        t: &i18n::RO,
        csrf: &csrf,
        email,
        organization,
        error,
    };
    let mut response = (status, Html(page.render()?)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, LOGIN_CSRF_COOKIE, &csrf, 3600, "Strict"),
    );
    Ok(response)
}

pub async fn login_page(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && accounts::session(&state.store, &token).await?.is_some()
    {
        return Ok(Redirect::to(HOME).into_response());
    }
    render_login(&state, StatusCode::OK, "", "", None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    organization: String,
    csrf: String,
}

pub async fn login(
    State(state): State<WebState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_token(&expected, &form.csrf) {
        return Err(WebError::Forbidden);
    }
    let t = &i18n::RO;
    let outcome = accounts::login(
        &state.store,
        &form.email,
        &form.password,
        Some(&form.organization),
    )
    .await;
    let (status, message) = match outcome {
        Ok((token, _)) => {
            let mut response = Redirect::to(HOME).into_response();
            let max_age = accounts::SESSION_LIFETIME.as_secs();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(&state, SESSION_COOKIE, &token, max_age, "Lax"),
            );
            headers.append(
                header::SET_COOKIE,
                set_cookie(&state, LOGIN_CSRF_COOKIE, "", 0, "Strict"),
            );
            return Ok(response);
        }
        Err(LoginError::Invalid) => (StatusCode::UNAUTHORIZED, t.bad_login),
        Err(LoginError::Locked { .. }) => (StatusCode::TOO_MANY_REQUESTS, t.locked),
        Err(LoginError::OrganizationNeeded) => (StatusCode::UNAUTHORIZED, t.org_needed),
        Err(LoginError::Store(e)) => return Err(e.into()),
    };
    render_login(
        &state,
        status,
        &form.email,
        &form.organization,
        Some(message),
    )
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<WebState>,
    user: CurrentUser,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        accounts::logout(&state.store, &token).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", 0, "Lax"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageForm {
    csrf: String,
    lang: String,
    #[serde(default)]
    back: String,
}

pub async fn set_language(
    State(state): State<WebState>,
    user: CurrentUser,
    Form(form): Form<LanguageForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let language: Language = form
        .lang
        .parse()
        .map_err(|e: creanta_domain::model::UnknownCode| WebError::BadRequest(e.to_string()))?;
    let app = user.0.app(&state.store);
    accounts::set_language(&app, user.0.user.id, language).await?;
    // Only back to a page of ours: never an open redirect.
    let back = if form.back.starts_with('/') && !form.back.starts_with("//") {
        form.back
    } else {
        HOME.into()
    };
    Ok(Redirect::to(&back).into_response())
}

/// A form that carries nothing but its CSRF token (a button).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    pub csrf: String,
}
