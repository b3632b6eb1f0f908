//! The imports page: upload CSV, XLSX, e-Factura XML or ANAF ZIP files, with the same
//! all-or-nothing rules as `creanta import`; errors are listed per file, line and column.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Response};
use creanta_app::import::{self, ImportError, ImportKind, ImportOptions, NoProgress};
use creanta_domain::model::Role;

use crate::auth::CurrentUser;
use crate::i18n::Texts;
use crate::pages::{Frame, frame};
use crate::{WebError, WebState};

/// Largest upload we accept in one request.
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

pub struct ErrorLine {
    pub file: String,
    pub line: String,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    t: &'static Texts,
    frame: Frame,
    kinds: Vec<&'static str>,
    selected: String,
    summary: Option<String>,
    errors: Vec<ErrorLine>,
    truncated: bool,
}

fn may_import(user: &CurrentUser) -> Result<(), WebError> {
    match user.0.role() {
        Role::Admin | Role::Manager => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

fn page(user: &CurrentUser, selected: &str) -> ImportsPage {
    ImportsPage {
        t: user.texts(),
        frame: frame(user, "/imports"),
        kinds: ImportKind::ALL.iter().map(|k| k.name()).collect(),
        selected: selected.to_owned(),
        summary: None,
        errors: Vec::new(),
        truncated: false,
    }
}

pub async fn imports_page(user: CurrentUser) -> Result<Response, WebError> {
    may_import(&user)?;
    Ok(Html(page(&user, "invoices").render()?).into_response())
}

/// A folder removed when dropped, for the uploaded files of one request.
pub struct UploadDir(std::path::PathBuf);

impl UploadDir {
    pub fn new() -> std::io::Result<UploadDir> {
        let dir = std::env::temp_dir().join(format!(
            "creanta-upload-{}",
            creanta_app::accounts::generate_password()
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(UploadDir(dir))
    }
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<std::path::PathBuf> {
        let path = self.0.join(name);
        std::fs::write(&path, bytes)?;
        Ok(path)
    }
    /// A path inside this folder as the user named the file.
    pub fn label(&self, path: &str) -> String {
        let prefix = format!("{}/", self.0.display());
        path.strip_prefix(&prefix).unwrap_or(path).to_owned()
    }
}

impl Drop for UploadDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Only the last path component of a name the browser sent, and nothing that climbs out.
pub fn safe_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next()?.trim();
    (!base.is_empty() && base != "." && base != "..").then(|| base.to_owned())
}

pub async fn upload(
    State(state): State<WebState>,
    user: CurrentUser,
    mut form: Multipart,
) -> Result<Response, WebError> {
    may_import(&user)?;
    let dir = UploadDir::new().map_err(|e| WebError::BadRequest(e.to_string()))?;
    let (mut kind, mut csrf, mut paths) = (String::new(), String::new(), Vec::new());
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(e.to_string()))?
    {
        match field.name().unwrap_or_default() {
            "kind" => {
                kind = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?
            }
            "csrf" => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?
            }
            "files" => {
                let Some(name) = field.file_name().and_then(safe_file_name) else {
                    continue;
                };
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?;
                paths.push(
                    dir.write(&name, &bytes)
                        .map_err(|e| WebError::BadRequest(e.to_string()))?,
                );
            }
            _ => {}
        }
    }
    // The token is checked before anything is imported.
    user.check_csrf(&csrf)?;
    let kind: ImportKind = kind.parse().map_err(WebError::BadRequest)?;
    let mut view = page(&user, kind.name());
    if paths.is_empty() {
        view.errors.push(ErrorLine {
            file: String::new(),
            line: String::new(),
            column: String::new(),
            message: view.t.no_files.to_owned(),
        });
        return Ok(Html(view.render()?).into_response());
    }
    let app = user.0.app(&state.store);
    match import::import_paths(&app, kind, &paths, &ImportOptions::default(), &NoProgress).await {
        Ok(summary) => view.summary = Some(summary.to_string()),
        Err(ImportError::Rejected { errors, truncated }) => {
            view.truncated = truncated;
            view.errors = errors
                .into_iter()
                .map(|e| ErrorLine {
                    file: dir.label(&e.file),
                    line: if e.line > 0 {
                        e.line.to_string()
                    } else {
                        String::new()
                    },
                    column: e.column.unwrap_or_default(),
                    message: e.message,
                })
                .collect();
        }
        Err(ImportError::Store(e)) => return Err(e.into()),
    }
    Ok(Html(view.render()?).into_response())
}
