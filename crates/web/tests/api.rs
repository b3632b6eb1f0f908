//! The JSON API over real HTTP: token auth, organization scoping, cursor pagination, problem
//! documents, CSRF for browser sessions, imports, and the OpenAPI description.

use creanta_app::accounts;
use creanta_app::demo::{DemoOptions, generate};
use creanta_app::import::{NoProgress, import_demo};
use creanta_app::testing::TestApp;
use creanta_domain::model::Role;

mod common;
use serde_json::Value;

async fn get(c: &reqwest::Client, url: String, token: &str) -> (u16, Option<String>, Value) {
    let r = c.get(url).bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, ct, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn tokens_scope_pages_and_problems() {
    let t = TestApp::new().await;
    let mut options = DemoOptions::new(jiff::civil::date(2026, 12, 1));
    options.debtors = 7;
    options.documents = false;
    import_demo(&t.app, generate(&options), &NoProgress)
        .await
        .unwrap();
    common::user(&t.app, "api@x.ro", Role::Manager).await;
    let (token_id, token) = accounts::create_token(&t.app, "test", "api@x.ro", "ci")
        .await
        .unwrap();
    let other = t.other_org("alta").await;
    common::user(&other, "api@alta.ro", Role::Manager).await;
    let (_, other_token) = accounts::create_token(&other, "test", "api@alta.ro", "ci")
        .await
        .unwrap();
    let server = common::start(&t.app).await;
    let base = server.base.clone();
    let c = reqwest::Client::new();

    // No token, a wrong token: 401 problem documents.
    let r = c
        .get(format!("{base}/api/v1/debtors"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!(
        (p["status"].as_u64(), p["code"].as_str()),
        (Some(401), Some("unauthorized"))
    );
    assert_eq!(
        get(&c, format!("{base}/api/v1/debtors"), "crt_forged")
            .await
            .0,
        401
    );

    // Cursor pagination walks every debtor exactly once.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, _, page) = get(
            &c,
            format!("{base}/api/v1/debtors?limit=3&cursor={cursor}"),
            &token,
        )
        .await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|d| d["code"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(n) => cursor = n.to_owned(),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 7, "{seen:?}");
    assert_eq!(seen.len(), 7);

    let (_, _, page) = get(&c, format!("{base}/api/v1/debtors?q=D00003"), &token).await;
    let id = page["items"][0]["id"].as_i64().unwrap();
    let (status, _, d) = get(&c, format!("{base}/api/v1/debtors/{id}"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(d["code"], "D00003");
    assert!(d["contacts"].as_array().is_some());

    let (status, _, contracts) =
        get(&c, format!("{base}/api/v1/debtors/{id}/contracts"), &token).await;
    assert_eq!(status, 200);
    // Every contract of the debtor, each with the name of its issuing company.
    let mut tx = t.app.store.begin().await.unwrap();
    let stored =
        creanta_store::repo::load_all::<creanta_store::records::Contract>(&mut tx, t.app.org_id())
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, c)| c.debtor_id == id)
            .count();
    drop(tx);
    let contracts = contracts.as_array().unwrap();
    assert!(stored > 0, "the demo debtor has a contract");
    assert_eq!(contracts.len(), stored);
    assert!(
        contracts.iter().all(|c| c["entity"]
            .as_str()
            .is_some_and(|e| e.starts_with("Termoconstruct"))),
        "{contracts:?}"
    );
    let (status, _, payments) =
        get(&c, format!("{base}/api/v1/debtors/{id}/payments"), &token).await;
    assert_eq!(status, 200);
    assert!(
        payments
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["amount"].as_str().is_some())
    );
    assert_eq!(
        get(
            &c,
            format!("{base}/api/v1/debtors/{id}/payments"),
            &other_token
        )
        .await
        .0,
        404
    );
    let (status, _, inv) = get(&c, format!("{base}/api/v1/invoices?debtor_id={id}"), &token).await;
    assert_eq!(status, 200);
    let first = &inv["items"][0];
    assert!(
        first["total"].as_str().unwrap().contains('.'),
        "money as exact decimal text: {first}"
    );
    let invoice_id = first["id"].as_i64().unwrap();
    assert_eq!(
        get(&c, format!("{base}/api/v1/invoices/{invoice_id}"), &token)
            .await
            .0,
        200
    );

    // Another organization's token finds nothing of ours.
    let (status, ct, p) = get(&c, format!("{base}/api/v1/debtors/{id}"), &other_token).await;
    assert_eq!(
        (status, ct.as_deref(), p["code"].as_str()),
        (404, Some("application/problem+json"), Some("not_found"))
    );
    assert_eq!(
        get(
            &c,
            format!("{base}/api/v1/invoices/{invoice_id}"),
            &other_token
        )
        .await
        .0,
        404
    );
    let (_, _, theirs) = get(&c, format!("{base}/api/v1/debtors"), &other_token).await;
    assert_eq!(theirs["items"], serde_json::json!([]));

    // Bad input: problem documents with a stable code, never a 5xx.
    let (status, _, p) = get(&c, format!("{base}/api/v1/debtors?limit=0"), &token).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("bad_request")));
    let (status, _, p) = get(&c, format!("{base}/api/v1/debtors?cursor=abc"), &token).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("bad_request")));
    assert_eq!(
        get(&c, format!("{base}/api/v1/nothing-here"), &token)
            .await
            .0,
        404
    );

    // Imports: a bad file is a 422 listing file, line and column; a good one imports.
    let form = |text: &str| {
        reqwest::multipart::Form::new().part(
            "files",
            reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name("debtors.csv"),
        )
    };
    let r = c
        .post(format!("{base}/api/v1/imports/debtors"))
        .bearer_auth(&token)
        .multipart(form("code,name,tax_id,language\nN1,Nou SRL,14840784,fr\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["code"], "import_rejected");
    assert_eq!(p["errors"][0]["file"], "debtors.csv");
    assert_eq!(p["errors"][0]["line"], 2);
    assert_eq!(p["errors"][0]["column"], "language");
    let r = c
        .post(format!("{base}/api/v1/imports/debtors"))
        .bearer_auth(&token)
        .multipart(form("code,name,tax_id\nN1,Nou SRL,14840784\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["new"], 1);

    // A revoked token stops working.
    accounts::revoke_token(&t.app, "test", token_id)
        .await
        .unwrap();
    assert_eq!(
        get(&c, format!("{base}/api/v1/debtors"), &token).await.0,
        401
    );

    // The description lists the API and its token scheme.
    let doc: Value = c
        .get(format!("{base}/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert!(doc["paths"]["/api/v1/debtors"]["get"].is_object());
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    assert_eq!(
        c.get(format!("{base}/api/docs/"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    t.cleanup().await;
}

#[tokio::test]
async fn browser_sessions_need_the_csrf_header_to_change_data() {
    let t = TestApp::new().await;
    let password = common::user(&t.app, "sef@x.ro", Role::Admin).await;
    let server = common::start(&t.app).await;
    let base = server.base.clone();
    let c = common::client();
    let session_csrf = common::sign_in(&c, &base, "sef@x.ro", &password, "/debtors").await;
    assert_eq!(
        c.get(format!("{base}/api/v1/debtors"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "reads with the session"
    );
    let form = || {
        reqwest::multipart::Form::new().part(
            "files",
            reqwest::multipart::Part::bytes(b"code,name,tax_id\nN1,Nou SRL,14840784\n".to_vec())
                .file_name("d.csv"),
        )
    };
    let r = c
        .post(format!("{base}/api/v1/imports/debtors"))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "csrf");
    let r = c
        .post(format!("{base}/api/v1/imports/debtors"))
        .header("X-CSRF-Token", session_csrf)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    t.cleanup().await;
}

#[tokio::test]
async fn records_are_created_and_updated_through_the_import_rules() {
    let t = TestApp::new().await;
    common::user(&t.app, "sef@x.ro", Role::Manager).await;
    common::user(&t.app, "ana@x.ro", Role::Collector).await;
    let (_, token) = accounts::create_token(&t.app, "test", "sef@x.ro", "erp")
        .await
        .unwrap();
    let (_, collector) = accounts::create_token(&t.app, "test", "ana@x.ro", "erp")
        .await
        .unwrap();
    let server = common::start(&t.app).await;
    let base = server.base.clone();
    let c = reqwest::Client::new();
    let post = |path: &str, token: &str, body: Value| {
        c.post(format!("{base}{path}"))
            .bearer_auth(token.to_owned())
            .json(&body)
            .send()
    };

    let debtor = serde_json::json!({"code": "D1", "name": "Țesătoria Brașov SRL", "tax_id": "RO14840784", "payment_terms_days": 30, "required_documents": ["cmr", "PV de recepție"]});
    let r = post("/api/v1/debtors", &token, debtor.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["new"], 1);
    let r: Value = post("/api/v1/debtors", &token, debtor.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (r["new"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(1))
    );
    let mut changed = debtor.clone();
    changed["payment_terms_days"] = 45.into();
    let r: Value = post("/api/v1/debtors", &token, changed)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["updated"], 1);

    let contacts = serde_json::json!([
        {"debtor_code": "D1", "name": "Ioana Popescu", "email": "ioana@tesatoria.ro", "role": "finance", "primary": true},
        {"debtor_code": "D1", "name": "Office", "email": "office@tesatoria.ro", "role": "general"}
    ]);
    let r: Value = post("/api/v1/contacts", &token, contacts)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["new"], 2);

    // Bad fields: every problem, with the object's number and the field; nothing written.
    let bad = serde_json::json!([{"code": "D2", "name": "X", "tax_id": "1", "language": "fr"}, {"code": "D3", "tax_id": "2"}]);
    let r = post("/api/v1/debtors", &token, bad).await.unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let errors: Vec<(u64, String)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![(1, "language".to_owned()), (2, "name".to_owned())]
    );
    let (_, _, list) = get(&c, format!("{base}/api/v1/debtors"), &token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    assert_eq!(
        post("/api/v1/debtors", &collector, debtor.clone())
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post("/api/v1/nimic", &token, debtor.clone())
            .await
            .unwrap()
            .status(),
        404
    );
    let r = c
        .post(format!("{base}/api/v1/debtors"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "bad_request");
    t.cleanup().await;
}
