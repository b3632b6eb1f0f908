//! Errors of the web layer, turned into pages. Internals are logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request cannot be carried out in the record's present state (said why).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    App(#[from] creanta_app::AppError),
    #[error(transparent)]
    Store(#[from] creanta_store::StoreError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, text) = match &self {
            WebError::NotFound => (StatusCode::NOT_FOUND, crate::i18n::RO.not_found),
            WebError::Forbidden => (StatusCode::FORBIDDEN, crate::i18n::RO.forbidden),
            WebError::BadRequest(_) => (StatusCode::BAD_REQUEST, crate::i18n::RO.error),
            WebError::Conflict(_) => (StatusCode::CONFLICT, crate::i18n::RO.error),
            _ => {
                tracing::error!(error = %self, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, crate::i18n::RO.error)
            }
        };
        let message = match &self {
            WebError::BadRequest(m) | WebError::Conflict(m) => format!("{text} {m}"),
            _ => text.to_owned(),
        };
        crate::pages::error_page(status, &message)
    }
}
