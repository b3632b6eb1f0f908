//! Shared by the HTTP and API tests: the real app on port 0, a cookie-keeping client, sign-in.
#![allow(dead_code)]

use creanta_app::App;
use creanta_domain::model::{Language, Role};
use creanta_web::WebState;

/// Adds a user and returns the one-time password.
pub async fn user(app: &App, email: &str, role: Role) -> String {
    creanta_app::accounts::add_user(app, "test", email, email, role, Language::Ro)
        .await
        .unwrap()
        .1
}

/// The text of a page fetched with `c`.
pub async fn text(c: &reqwest::Client, url: String) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

pub struct Server {
    pub base: String,
    /// Where this server's outbox writes `.eml` files (no SMTP in these tests).
    pub mail_dir: std::path::PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(dir) = self.mail_dir.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A fresh folder for the `.eml` files of one test server (kept with the system's temp files).
pub fn mail_dir() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("creanta-web-test-{}-{n}", std::process::id()))
}

pub async fn start(app: &App) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let dir = mail_dir();
    let state = WebState {
        store: app.store.clone(),
        secure_cookies: false,
        mail: creanta_app::outbox::MailSettings::files(&dir),
    };
    tokio::spawn(creanta_web::serve(state, listener, async {
        let _ = rx.await;
    }));
    Server {
        base,
        mail_dir: dir.join("outbox"),
        shutdown: Some(tx),
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of a hidden input named `name` in a page.
/// Posts a form as the browser would (redirects not followed): the response.
pub async fn post_form<T: serde::Serialize + ?Sized>(
    c: &reqwest::Client,
    url: String,
    form: &T,
) -> reqwest::Response {
    c.post(url).form(form).send().await.unwrap()
}

pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in page"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub async fn login(
    c: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let page = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    c.post(format!("{base}/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf", &csrf),
            ("organization", ""),
        ])
        .send()
        .await
        .unwrap()
}

/// Signs in with `c` and returns the session's CSRF token, read from `page`.
pub async fn sign_in(
    c: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    page: &str,
) -> String {
    let r = login(c, base, email, password).await;
    assert_eq!(r.status(), 303, "sign-in of {email}");
    hidden(&text(c, format!("{base}{page}")).await, "csrf")
}

/// An API call with a bearer token: the status and the JSON body; every error must be a
/// problem document.
pub async fn call(
    c: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut r = c.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    if status >= 400 {
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "errors are problem documents"
        );
    }
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}
