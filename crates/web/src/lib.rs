//! Creanța in the browser: server-rendered pages (askama), sessions in the database, CSRF
//! protection on every state-changing request, and security headers. Handlers stay thin:
//! they read the request, call `creanta-app`, and render.

mod agenda;
mod api;
mod auth;
mod calendar;
mod error;
mod findings;
pub mod i18n;
mod imports;
mod ops;
mod outbox;
mod pages;
mod policies;
mod policy_form;
mod settings;
mod templates_page;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use creanta_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::WebError;

#[derive(Clone)]
pub struct WebState {
    pub store: Store,
    /// Mark cookies `Secure` (behind https).
    pub secure_cookies: bool,
    /// Where the outbox delivers ("deliver invoices now", the API's deliveries).
    pub mail: creanta_app::outbox::MailSettings,
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub fn router(state: WebState) -> Router {
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    let mut router = Router::new()
        .route("/", get(pages::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/language", post(auth::set_language))
        .route("/debtors", get(pages::debtors))
        .route("/debtors/{id}", get(pages::debtor))
        .route("/invoices/{id}", get(pages::invoice))
        .route("/invoices/{id}/check", post(findings::check_invoice))
        .route(
            "/debtors/{id}/requirements",
            post(findings::debtor_requirements),
        )
        .route("/agenda", get(agenda::page))
        .route("/policies", get(policies::page).post(policies::save))
        .route("/policies.toml", get(policies::download))
        .route(
            "/policies/new",
            get(policy_form::new).post(policy_form::save_new),
        )
        .route(
            "/policies/{code}/edit",
            get(policy_form::edit).post(policy_form::save_edit),
        )
        .route("/templates", get(templates_page::list))
        .route(
            "/templates/{code}/{lang}",
            get(templates_page::edit).post(templates_page::save),
        )
        .route(
            "/templates/{code}/{lang}/preview",
            post(templates_page::preview),
        )
        .route(
            "/templates/{code}/{lang}/restore",
            post(templates_page::restore),
        )
        .route(
            "/debtors/{id}/actions/{action}/approve",
            post(calendar::approve),
        )
        .route(
            "/debtors/{id}/actions/{action}/complete",
            post(calendar::complete),
        )
        .route(
            "/debtors/{id}/actions/{action}/service",
            post(calendar::service),
        )
        .route(
            "/debtors/{id}/contracts/{contract}/requirements",
            post(findings::contract_requirements),
        )
        .route("/prevention", get(findings::prevention_page))
        .route(
            "/invoices/{id}/delivery-override",
            post(outbox::override_delivery),
        )
        .route("/outbox", get(outbox::outbox_page))
        .route("/outbox/deliver", post(outbox::deliver_now))
        .route("/outbox/{id}", get(outbox::message_page))
        .route("/outbox/{id}/resend", post(outbox::resend))
        .route(
            "/imports",
            get(imports::imports_page)
                .post(imports::upload)
                .layer(axum::extract::DefaultBodyLimit::max(imports::MAX_UPLOAD)),
        )
        .route("/settings", get(settings::settings))
        .route("/settings/tokens", post(settings::create_token))
        .route("/settings/tokens/revoke", post(settings::revoke_token))
        .route("/settings/users", post(settings::add_user))
        .route("/settings/users/active", post(settings::set_active))
        .route("/settings/users/edit", post(settings::update_user))
        .route("/settings/entities/{id}", post(settings::update_entity))
        .route("/settings/entities/{id}/ibans", post(settings::add_iban))
        .route(
            "/settings/entities/{id}/ibans/remove",
            post(settings::remove_iban),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(ops::metrics_page))
        .route("/readyz", get(pages::readyz))
        .route("/static/creanta.css", get(pages::stylesheet))
        .route("/favicon.ico", get(pages::favicon))
        .route("/static/htmx.min.js", get(pages::htmx))
        .merge(api::routes())
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url(
            "/api/openapi.json",
            <api::ApiDoc as utoipa::OpenApi>::openapi(),
        ))
        // After routing, so that the route template is known; the fallback counts itself.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track,
        ))
        .fallback(ops::unmatched)
        .with_state(state);
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// Serves until `shutdown` completes; in-flight requests finish first.
pub async fn serve(
    state: WebState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let upkeep = creanta_app::upkeep::spawn(state.store.clone());
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    upkeep.abort();
    served
}
