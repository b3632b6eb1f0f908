//! The web application over real HTTP on port 0, on SQLite or PostgreSQL (TEST_DATABASE_URL).

use creanta_app::App;
use creanta_app::accounts;
use creanta_app::demo::{DemoOptions, generate};
use creanta_app::import::{NoProgress, import_demo};
use creanta_app::testing::TestApp;
use creanta_domain::model::Role;

mod common;
use common::{client, hidden, login, start};

async fn with_demo(t: &TestApp) {
    let mut options = DemoOptions::new(jiff::civil::date(2026, 12, 1));
    options.debtors = 12;
    options.documents = false;
    import_demo(&t.app, generate(&options), &NoProgress)
        .await
        .unwrap();
}

async fn first_debtor(app: &App) -> (i64, String) {
    let list = creanta_store::repo::views::debtors(&app.store, app.org_id(), None, None, None)
        .await
        .unwrap();
    (list[0].id, list[0].name.clone())
}

#[tokio::test]
async fn sign_in_browse_switch_language_and_sign_out() {
    let t = TestApp::new().await;
    with_demo(&t).await;
    let password = common::user(&t.app, "ana.pop@example.ro", Role::Collector).await;
    let server = start(&t.app).await;
    let base = &server.base;
    let c = client();

    // Without a session every page leads to the login page.
    let r = c.get(format!("{base}/debtors")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");

    let r = login(&c, base, "ana.pop@example.ro", &password).await;
    assert_eq!(r.status(), 303, "{:?}", r.text().await);
    assert_eq!(r.headers()["location"], "/debtors");

    let r = c.get(format!("{base}/debtors")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Clienți") && page.contains("Total de încasat"),
        "Romanian labels"
    );
    let (id, name) = first_debtor(&t.app).await;
    assert!(page.contains(&name), "debtor {name} listed");

    // Search narrows the list.
    let code_page = c
        .get(format!("{base}/debtors?q=D00002"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(code_page.contains("D00002") && !code_page.contains(">D00003<"));

    let debtor = c.get(format!("{base}/debtors/{id}")).send().await.unwrap();
    assert_eq!(debtor.status(), 200);
    let debtor = debtor.text().await.unwrap();
    assert!(debtor.contains("Persoane de contact") && debtor.contains(&name));
    let invoice_href = debtor
        .split("href=\"/invoices/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let invoice = c
        .get(format!("{base}/invoices/{invoice_href}"))
        .send()
        .await
        .unwrap();
    assert_eq!(invoice.status(), 200);
    assert!(invoice.text().await.unwrap().contains("Scadența"));

    // A state change without the CSRF token is refused; with it, the language switches.
    let r = c
        .post(format!("{base}/language"))
        .form(&[("lang", "en"), ("back", "/debtors")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a form without csrf is rejected");
    let r = c
        .post(format!("{base}/language"))
        .form(&[("lang", "en"), ("back", "/debtors"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let csrf = hidden(&page, "csrf");
    let r = c
        .post(format!("{base}/language"))
        .form(&[("lang", "en"), ("back", "//evil.example"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/debtors",
        "never an open redirect"
    );
    let page = c
        .get(format!("{base}/debtors"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Debtors") && page.contains("Total open"),
        "English labels"
    );

    let r = c
        .post(format!("{base}/logout"))
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c.get(format!("{base}/debtors")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login");
    drop(server);
    t.cleanup().await;
}

#[tokio::test]
async fn another_organization_sees_404_and_partners_see_nothing() {
    let t = TestApp::new().await;
    with_demo(&t).await;
    let other = t.other_org("alta").await;
    let password = common::user(&other, "ion@alta.ro", Role::Manager).await;
    let partner_pw = common::user(&t.app, "avocat@lex.ro", Role::Partner).await;
    let server = start(&t.app).await;
    let base = &server.base;
    let (id, name) = first_debtor(&t.app).await;

    let c = client();
    assert_eq!(
        login(&c, base, "ion@alta.ro", &password).await.status(),
        303
    );
    let r = c.get(format!("{base}/debtors/{id}")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let list = c
        .get(format!("{base}/debtors"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&name));

    let p = client();
    assert_eq!(
        login(&p, base, "avocat@lex.ro", &partner_pw).await.status(),
        303
    );
    assert_eq!(
        p.get(format!("{base}/debtors"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        p.get(format!("{base}/debtors/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    drop(server);
    t.cleanup().await;
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_and_login_needs_its_csrf() {
    let t = TestApp::new().await;
    let password = common::user(&t.app, "ana@x.ro", Role::Admin).await;
    let server = start(&t.app).await;
    let base = &server.base;
    let c = client();
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("email", "ana@x.ro"),
            ("password", password.as_str()),
            ("csrf", "guess"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "login without its CSRF cookie");
    for _ in 0..accounts::MAX_FAILURES {
        let r = login(&c, base, "ana@x.ro", "wrong password").await;
        assert_eq!(r.status(), 401);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("E-mailul sau parola nu sunt corecte")
        );
    }
    let r = login(&c, base, "ana@x.ro", &password).await;
    assert_eq!(r.status(), 429, "locked even with the right password");
    // The password is stored as an Argon2id hash, never in clear.
    let user = creanta_store::repo::users::find(&t.app.store, t.app.org_id(), "ana@x.ro")
        .await
        .unwrap()
        .unwrap();
    let hash = user.password_hash.unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(&password));
    assert_eq!(
        reqwest::get(format!("{base}/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        reqwest::get(format!("{base}/readyz"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        reqwest::get(format!("{base}/nu-exista"))
            .await
            .unwrap()
            .status(),
        404
    );
    drop(server);
    t.cleanup().await;
}

fn upload_form(kind: &str, csrf: &str, name: &str, text: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("kind", kind.to_owned())
        .text("csrf", csrf.to_owned())
        .part(
            "files",
            reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name(name.to_owned()),
        )
}

#[tokio::test]
async fn imports_page_lists_every_error_then_imports_a_good_file() {
    let t = TestApp::new().await;
    let password = common::user(&t.app, "sef@x.ro", Role::Manager).await;
    let collector_pw = common::user(&t.app, "ana@x.ro", Role::Collector).await;
    let server = start(&t.app).await;
    let base = &server.base;
    let c = client();
    let csrf = common::sign_in(&c, base, "sef@x.ro", &password, "/imports").await;

    let bad = "code,name,tax_id,payment_terms_days\nD1,Țesătoria Brașov SRL,14840784,30\nD2,Gamma SRL,16621241,treizeci\n";
    let r = c
        .post(format!("{base}/imports"))
        .multipart(upload_form("debtors", "forged", "debtors.csv", bad))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "upload without the session's CSRF token");
    let html = c
        .post(format!("{base}/imports"))
        .multipart(upload_form("debtors", &csrf, "debtors.csv", bad))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Nu s-a importat nimic"), "{html}");
    assert!(
        html.contains("<td>debtors.csv</td><td class=\"num\">3</td><td>payment_terms_days</td>"),
        "{html}"
    );
    assert!(!html.contains("creanta-upload"), "no temporary paths shown");
    let debtors =
        creanta_store::repo::views::debtors(&t.app.store, t.app.org_id(), None, None, None)
            .await
            .unwrap();
    assert!(debtors.is_empty(), "nothing written");

    let good = bad.replace("treizeci", "30");
    let html = c
        .post(format!("{base}/imports"))
        .multipart(upload_form("debtors", &csrf, "debtors.csv", &good))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("debtors: 2 new, 0 updated, 0 unchanged"),
        "{html}"
    );
    let list = c
        .get(format!("{base}/debtors"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Țesătoria Brașov SRL"));

    let other = client();
    assert_eq!(
        login(&other, base, "ana@x.ro", &collector_pw)
            .await
            .status(),
        303
    );
    assert_eq!(
        other
            .get(format!("{base}/imports"))
            .send()
            .await
            .unwrap()
            .status(),
        403,
        "collectors do not import"
    );
    drop(server);
    t.cleanup().await;
}

#[tokio::test]
async fn settings_create_and_revoke_tokens_and_manage_users() {
    let t = TestApp::new().await;
    let password = common::user(&t.app, "admin@x.ro", Role::Admin).await;
    let collector_pw = common::user(&t.app, "ana@x.ro", Role::Collector).await;
    let server = start(&t.app).await;
    let base = &server.base;
    let c = client();
    let csrf = common::sign_in(&c, base, "admin@x.ro", &password, "/settings").await;

    let html = c
        .post(format!("{base}/settings/tokens"))
        .form(&[("csrf", csrf.as_str()), ("name", "ERP")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = html
        .split("<code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_owned();
    assert!(token.starts_with("crt_"), "{token}");
    let api = reqwest::Client::new();
    let r = api
        .get(format!("{base}/api/v1/debtors"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let id = html
        .split("name=\"id\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = c
        .post(format!("{base}/settings/tokens/revoke"))
        .form(&[("csrf", csrf.as_str()), ("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Tokenul a fost revocat"));
    assert_eq!(
        api.get(format!("{base}/api/v1/debtors"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let html = c
        .post(format!("{base}/settings/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "nou@x.ro"),
            ("name", "Nou"),
            ("role", "manager"),
            ("language", "en"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let secret = html
        .split("<code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_owned();
    let new_password = secret.split(" — ").nth(1).unwrap();
    let n = client();
    assert_eq!(
        login(&n, base, "nou@x.ro", new_password).await.status(),
        303
    );
    c.post(format!("{base}/settings/users/active"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "nou@x.ro"),
            ("active", "false"),
        ])
        .send()
        .await
        .unwrap();
    let r = n.get(format!("{base}/debtors")).send().await.unwrap();
    assert_eq!(
        r.headers()["location"],
        "/login",
        "a disabled user's session ends"
    );

    let a = client();
    assert_eq!(
        login(&a, base, "ana@x.ro", &collector_pw).await.status(),
        303
    );
    let page = a
        .get(format!("{base}/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("id=\"add-user\""),
        "collectors do not manage users"
    );
    let their_csrf = hidden(&page, "csrf");
    let r = a
        .post(format!("{base}/settings/users"))
        .form(&[
            ("csrf", their_csrf.as_str()),
            ("email", "x@x.ro"),
            ("role", "admin"),
            ("language", "ro"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    drop(server);
    t.cleanup().await;
}
