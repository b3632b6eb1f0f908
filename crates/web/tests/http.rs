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
    assert_eq!(
        r.headers()["location"],
        "/agenda",
        "the day starts at the agenda"
    );

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
        "/agenda",
        "never an open redirect: home instead"
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

/// The organization's activity log, as stored.
async fn events(app: &App) -> Vec<creanta_store::repo::events::StoredEvent> {
    let mut tx = app.store.begin().await.unwrap();
    let list = creanta_store::repo::events::list(&mut tx, app.org_id())
        .await
        .unwrap();
    drop(tx);
    assert_eq!(
        creanta_store::repo::events::verify(&list),
        None,
        "the chain holds"
    );
    list
}

async fn post_form(c: &reqwest::Client, url: String, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(url).form(form).send().await.unwrap()
}

#[tokio::test]
async fn settings_entities_are_edited_by_admins_and_managers_only() {
    let t = TestApp::new().await;
    with_demo(&t).await;
    let admin_pw = common::user(&t.app, "admin@x.ro", Role::Admin).await;
    let collector_pw = common::user(&t.app, "ana@x.ro", Role::Collector).await;
    let (_, manager_pw) = accounts::add_user(
        &t.app,
        "test",
        "sef@x.ro",
        "Șef",
        Role::Manager,
        creanta_domain::model::Language::En,
    )
    .await
    .unwrap();
    let entities = creanta_app::settings::entities(&t.app).await.unwrap();
    assert!(entities.len() >= 2, "the demo has several entities");
    let (first, second) = (entities[0].clone(), entities[1].clone());
    let id = first.id;
    let server = start(&t.app).await;
    let base = &server.base;
    let c = client();
    let csrf = common::sign_in(&c, base, "admin@x.ro", &admin_pw, "/settings").await;
    let page = common::text(&c, format!("{base}/settings")).await;
    assert!(page.contains(&format!("id=\"edit-entity-{id}\"")), "{page}");
    assert!(page.contains(&first.ibans[0]));

    // Edit the entity: every field but the tax id.
    let url = format!("{base}/settings/entities/{id}");
    let r = post_form(
        &c,
        url.clone(),
        &[
            ("csrf", &csrf),
            ("name", "  Țesătoria Nouă SRL "),
            ("registration_no", "J08/123/2020"),
            ("address", "Str. Lungă 1"),
            ("city", "Brașov"),
            ("country", "ro"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Datele firmei Țesătoria Nouă SRL au fost salvate"),
        "{html}"
    );
    assert!(html.contains("<td>Str. Lungă 1, Brașov, RO</td>"), "{html}");
    let stored = creanta_app::settings::entities(&t.app)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id == id)
        .unwrap();
    assert_eq!(stored.entity.name, "Țesătoria Nouă SRL");
    assert_eq!(
        stored.entity.tax_id, first.entity.tax_id,
        "the tax id stays"
    );
    assert_eq!(stored.entity.country.as_deref(), Some("RO"));
    assert_eq!(
        stored.entity.registration_no.as_deref(),
        Some("J08/123/2020")
    );
    let log = events(&t.app).await;
    let e = log
        .iter()
        .rev()
        .find(|e| !e.kind.starts_with("finding."))
        .unwrap();
    assert_eq!(
        (e.kind.as_str(), e.actor.as_str(), e.subject_id),
        ("entity.updated", "admin@x.ro", Some(id))
    );
    assert_eq!(
        e.data["changes"]["name"],
        serde_json::json!([first.entity.name, "Țesătoria Nouă SRL"])
    );
    let written = log.len();

    // A name is required; nothing is written, and the form keeps what was typed.
    let r = post_form(
        &c,
        url.clone(),
        &[("csrf", &csrf), ("name", " "), ("city", "Cluj-Napoca")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Denumirea firmei este obligatorie"), "{html}");
    assert!(html.contains("value=\"Cluj-Napoca\""), "{html}");
    assert_eq!(events(&t.app).await.len(), written);

    // Add an IBAN, typed on paper: stored and shown in its electronic form.
    let add = format!("{base}/settings/entities/{id}/ibans");
    let r = post_form(
        &c,
        add.clone(),
        &[("csrf", &csrf), ("iban", "ro49 aaaa 1b31 0075 9384 0000")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("IBAN-ul RO49AAAA1B31007593840000 a fost adăugat"));
    assert!(html.contains("<code>RO49AAAA1B31007593840000</code>"));
    let log = events(&t.app).await;
    let e = log
        .iter()
        .rev()
        .find(|e| !e.kind.starts_with("finding."))
        .unwrap();
    assert_eq!(e.kind, "entity.account_added");
    assert_eq!(e.data["iban"], "RO49AAAA1B31007593840000");
    assert_eq!(
        e.data["changes"]["ibans"][0],
        serde_json::json!(first.ibans)
    );
    let written = log.len();
    let ibans_of = |id: i64| {
        let app = t.app.clone();
        async move {
            creanta_app::settings::entities(&app)
                .await
                .unwrap()
                .into_iter()
                .find(|e| e.id == id)
                .unwrap()
                .ibans
        }
    };
    let with_new = ibans_of(id).await;
    assert_eq!(with_new.len(), first.ibans.len() + 1);

    // A bad IBAN: a clear message, nothing written.
    let r = post_form(
        &c,
        add.clone(),
        &[("csrf", &csrf), ("iban", "RO49AAAA1B31007593840001")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("„RO49AAAA1B31007593840001” nu este un IBAN valid"),
        "{html}"
    );
    assert!(html.contains("Nu s-a salvat nimic"));
    assert_eq!(ibans_of(id).await, with_new);
    assert_eq!(events(&t.app).await.len(), written);

    // An IBAN of another entity of the organization is refused.
    let r = post_form(
        &c,
        add.clone(),
        &[("csrf", &csrf), ("iban", &second.ibans[0])],
    )
    .await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "IBAN-ul {} este deja înregistrat la firma",
            second.ibans[0]
        )),
        "{html}"
    );
    assert_eq!(ibans_of(id).await, with_new);
    assert_eq!(ibans_of(second.id).await, second.ibans);
    assert_eq!(events(&t.app).await.len(), written);

    // Without the session's CSRF token nothing happens.
    let r = post_form(&c, add.clone(), &[("iban", "DE89370400440532013000")]).await;
    assert_eq!(r.status(), 422, "a form without csrf is rejected");
    let r = post_form(
        &c,
        add.clone(),
        &[("csrf", "forged"), ("iban", "DE89370400440532013000")],
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = post_form(&c, url.clone(), &[("csrf", "forged"), ("name", "X")]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(ibans_of(id).await, with_new);
    assert_eq!(events(&t.app).await.len(), written);

    // Remove it again.
    let remove = format!("{base}/settings/entities/{id}/ibans/remove");
    let r = post_form(
        &c,
        remove.clone(),
        &[("csrf", &csrf), ("iban", "RO49AAAA1B31007593840000")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("IBAN-ul RO49AAAA1B31007593840000 a fost șters"));
    assert!(!html.contains("<code>RO49AAAA1B31007593840000</code>"));
    assert_eq!(ibans_of(id).await, first.ibans);
    let e = events(&t.app)
        .await
        .into_iter()
        .rev()
        .find(|e| !e.kind.starts_with("finding."))
        .unwrap();
    assert_eq!(e.kind, "entity.account_removed");
    assert_eq!(
        e.data["changes"]["ibans"][1],
        serde_json::json!(first.ibans)
    );

    // Collectors see the entities but change nothing.
    let a = client();
    let their_csrf = common::sign_in(&a, base, "ana@x.ro", &collector_pw, "/settings").await;
    let page = common::text(&a, format!("{base}/settings")).await;
    assert!(page.contains("Țesătoria Nouă SRL"));
    assert!(!page.contains("edit-entity-") && !page.contains("/ibans/remove"));
    for (target, form) in [
        (
            url.clone(),
            vec![("csrf", their_csrf.as_str()), ("name", "Alt nume")],
        ),
        (
            add.clone(),
            vec![
                ("csrf", their_csrf.as_str()),
                ("iban", "DE89370400440532013000"),
            ],
        ),
        (
            remove.clone(),
            vec![("csrf", their_csrf.as_str()), ("iban", &first.ibans[0])],
        ),
    ] {
        assert_eq!(post_form(&a, target, &form).await.status(), 403);
    }
    assert_eq!(ibans_of(id).await, first.ibans);

    // Managers edit entities, in their language.
    let m = client();
    let their_csrf = common::sign_in(&m, base, "sef@x.ro", &manager_pw, "/settings").await;
    let r = post_form(
        &m,
        add.clone(),
        &[("csrf", &their_csrf), ("iban", "RO49 AAAA 1B31")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("“RO49 AAAA 1B31” is not a valid IBAN")
    );
    let r = post_form(
        &m,
        add.clone(),
        &[("csrf", &their_csrf), ("iban", "DE89370400440532013000")],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("IBAN DE89370400440532013000 was added")
    );
    assert!(
        ibans_of(id)
            .await
            .contains(&"DE89370400440532013000".to_owned())
    );
    drop(server);
    t.cleanup().await;
}

#[tokio::test]
async fn roles_change_by_admins_only_and_the_last_admin_stays() {
    let t = TestApp::new().await;
    let admin_pw = common::user(&t.app, "admin@x.ro", Role::Admin).await;
    let manager_pw = common::user(&t.app, "sef@x.ro", Role::Manager).await;
    common::user(&t.app, "ana@x.ro", Role::Collector).await;
    common::user(&t.app, "fost@x.ro", Role::Admin).await;
    accounts::set_active(&t.app, "test", "fost@x.ro", false)
        .await
        .unwrap();
    let find = |email: &'static str| {
        let app = t.app.clone();
        async move {
            creanta_store::repo::users::find(&app.store, app.org_id(), email)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let server = start(&t.app).await;
    let base = &server.base;
    let c = client();
    let csrf = common::sign_in(&c, base, "admin@x.ro", &admin_pw, "/settings").await;
    let page = common::text(&c, format!("{base}/settings")).await;
    let ana = find("ana@x.ro").await;
    assert!(page.contains(&format!("id=\"user-{}\"", ana.id)), "{page}");
    assert!(page.contains("agent de recuperare"), "roles in words");

    // The admin makes a collector a manager and renames her.
    let edit = format!("{base}/settings/users/edit");
    let r = post_form(
        &c,
        edit.clone(),
        &[
            ("csrf", &csrf),
            ("email", "ana@x.ro"),
            ("name", "Ana Pop"),
            ("role", "manager"),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Contul ana@x.ro a fost actualizat")
    );
    let ana = find("ana@x.ro").await;
    assert_eq!(
        (ana.role.as_str(), ana.name.as_str(), ana.language.as_str()),
        ("manager", "Ana Pop", "en")
    );
    let log = events(&t.app).await;
    let role_event = log
        .iter()
        .find(|e| e.kind == "user.role_changed")
        .expect("role change logged");
    assert_eq!(
        (role_event.actor.as_str(), role_event.subject_id),
        ("admin@x.ro", Some(ana.id))
    );
    assert_eq!(
        role_event.data["changes"]["role"],
        serde_json::json!(["collector", "manager"])
    );
    let updated = log
        .iter()
        .rev()
        .find(|e| !e.kind.starts_with("finding."))
        .unwrap();
    assert_eq!(updated.kind, "user.updated");
    assert_eq!(
        updated.data["changes"]["name"],
        serde_json::json!(["ana@x.ro", "Ana Pop"])
    );

    // A missing CSRF token, or a manager, changes nothing.
    let r = post_form(
        &c,
        edit.clone(),
        &[("email", "ana@x.ro"), ("role", "admin")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let m = client();
    let their_csrf = common::sign_in(&m, base, "sef@x.ro", &manager_pw, "/settings").await;
    let r = post_form(
        &m,
        edit.clone(),
        &[
            ("csrf", &their_csrf),
            ("email", "sef@x.ro"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(r.status(), 403, "managers do not change roles");
    assert_eq!(find("sef@x.ro").await.role, "manager");
    assert_eq!(find("ana@x.ro").await.role, "manager");

    // The last active admin (the disabled one does not count) is neither demoted nor disabled.
    let r = post_form(
        &c,
        edit.clone(),
        &[
            ("csrf", &csrf),
            ("email", "admin@x.ro"),
            ("role", "manager"),
        ],
    )
    .await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("admin@x.ro este ultimul administrator activ")
    );
    let r = post_form(
        &c,
        format!("{base}/settings/users/active"),
        &[
            ("csrf", &csrf),
            ("email", "admin@x.ro"),
            ("active", "false"),
        ],
    )
    .await;
    assert_eq!(r.status(), 409);
    let admin = find("admin@x.ro").await;
    assert!(admin.active && admin.role == "admin");
    assert!(
        accounts::set_active(&t.app, "cli", "admin@x.ro", false)
            .await
            .is_err(),
        "the command line keeps the rule too"
    );

    // With a second admin, the first may step down; the page is then drawn for a manager.
    let r = post_form(
        &c,
        edit.clone(),
        &[("csrf", &csrf), ("email", "sef@x.ro"), ("role", "admin")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post_form(
        &c,
        edit.clone(),
        &[
            ("csrf", &csrf),
            ("email", "admin@x.ro"),
            ("role", "manager"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(find("admin@x.ro").await.role, "manager");
    let page = common::text(&c, format!("{base}/settings")).await;
    assert!(!page.contains("id=\"add-user\""));
    let r = post_form(
        &c,
        edit.clone(),
        &[("csrf", &csrf), ("email", "admin@x.ro"), ("role", "admin")],
    )
    .await;
    assert_eq!(r.status(), 403);
    drop(server);
    t.cleanup().await;
}

#[tokio::test]
async fn another_organization_cannot_touch_entities_and_partners_see_no_settings() {
    let t = TestApp::new().await;
    with_demo(&t).await;
    let other = t.other_org("alta").await;
    let admin_pw = common::user(&other, "ion@alta.ro", Role::Admin).await;
    let partner_pw = common::user(&t.app, "avocat@lex.ro", Role::Partner).await;
    let before = creanta_app::settings::entities(&t.app).await.unwrap();
    let target = &before[0];
    let id = target.id;
    let server = start(&t.app).await;
    let base = &server.base;

    let c = client();
    let csrf = common::sign_in(&c, base, "ion@alta.ro", &admin_pw, "/settings").await;
    let page = common::text(&c, format!("{base}/settings")).await;
    assert!(!page.contains(&target.entity.name), "only its own entities");
    let r = post_form(
        &c,
        format!("{base}/settings/entities/{id}"),
        &[("csrf", &csrf), ("name", "Preluat SRL")],
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = post_form(
        &c,
        format!("{base}/settings/entities/{id}/ibans"),
        &[("csrf", &csrf), ("iban", "DE89370400440532013000")],
    )
    .await;
    assert_eq!(r.status(), 404);
    let r = post_form(
        &c,
        format!("{base}/settings/entities/{id}/ibans/remove"),
        &[("csrf", &csrf), ("iban", &target.ibans[0])],
    )
    .await;
    assert_eq!(r.status(), 404);
    // Nor its users.
    let r = post_form(
        &c,
        format!("{base}/settings/users/edit"),
        &[
            ("csrf", &csrf),
            ("email", "avocat@lex.ro"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        creanta_app::settings::entities(&t.app).await.unwrap(),
        before
    );
    assert_eq!(
        creanta_store::repo::users::find(&t.app.store, t.app.org_id(), "avocat@lex.ro")
            .await
            .unwrap()
            .unwrap()
            .role,
        "partner"
    );

    let p = client();
    assert_eq!(
        login(&p, base, "avocat@lex.ro", &partner_pw).await.status(),
        303
    );
    assert_eq!(
        p.get(format!("{base}/settings"))
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
async fn operations_endpoints_answer_and_metrics_count_every_route_and_404s() {
    let t = TestApp::new().await;
    let server = start(&t.app).await;
    let base = &server.base;
    let c = client();
    let r = c.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "ok");
    assert_eq!(
        c.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let r = c.get(format!("{base}/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = c.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let counted = |route: &str, status: &str| {
        body.lines().any(|l| {
            l.starts_with("http_requests_total{")
                && l.contains(&format!("route=\"{route}\""))
                && l.contains(&format!("status=\"{status}\""))
        })
    };
    assert!(counted("/healthz", "200"), "{body}");
    assert!(
        counted("unmatched", "404"),
        "the fallback is counted: {body}"
    );
    assert!(
        body.contains("http_request_duration_seconds_bucket"),
        "{body}"
    );
    assert!(body.contains("db_pool_connections"), "{body}");
    drop(server);
    t.cleanup().await;
}
