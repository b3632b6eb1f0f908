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

/// A client for one token: GET, PATCH and POST that return status, content type and JSON.
struct Api {
    c: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(base: &str, token: &str) -> Api {
        Api {
            c: reqwest::Client::new(),
            base: base.to_owned(),
            token: token.to_owned(),
        }
    }
    async fn answer(r: reqwest::RequestBuilder) -> (u16, Option<String>, Value) {
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, ct, r.json().await.unwrap_or(Value::Null))
    }
    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, v) = Api::answer(
            self.c
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token),
        )
        .await;
        (s, v)
    }
    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        let (s, ct, v) = Api::answer(
            self.c
                .patch(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .header("content-type", "application/merge-patch+json")
                .body(body.to_string()),
        )
        .await;
        if s >= 400 {
            assert_eq!(ct.as_deref(), Some("application/problem+json"), "{v}");
        }
        (s, v)
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (s, _, v) = Api::answer(
            self.c
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .json(&body),
        )
        .await;
        (s, v)
    }
    async fn upload(&self, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (u16, Value) {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((name, bytes)) = file {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
            );
        }
        let (s, _, v) = Api::answer(
            self.c
                .post(format!("{}/api/v1/documents", self.base))
                .bearer_auth(&self.token)
                .multipart(form),
        )
        .await;
        (s, v)
    }
    /// Every item of a list, walked page by page with `limit`.
    async fn walk(&self, path: &str, limit: u32) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (mut all, mut cursor) = (Vec::new(), String::new());
        loop {
            let (status, page) = self
                .get(&format!("{path}{sep}limit={limit}&cursor={cursor}"))
                .await;
            assert_eq!(status, 200, "{path}: {page}");
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= limit as usize);
            all.extend(items.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(n) => cursor = n.to_owned(),
                None => break,
            }
        }
        let mut ids: Vec<i64> = all.iter().map(|i| i["id"].as_i64().unwrap()).collect();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "{path}: each item once");
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{path}: in id order");
        all
    }
}

/// The first invoice (of any debtor) that `pick` accepts.
async fn find_invoice(api: &Api, pick: impl Fn(&Value) -> bool) -> Value {
    for debtor in api.walk("/api/v1/debtors", 100).await {
        let path = format!("/api/v1/invoices?debtor_id={}", debtor["id"]);
        if let Some(i) = api.walk(&path, 500).await.into_iter().find(|i| pick(i)) {
            return i;
        }
    }
    panic!("no such invoice")
}

async fn stored(t: &TestApp, table: &str) -> usize {
    let mut tx = t.app.store.begin().await.unwrap();
    creanta_store::repo::count(&mut tx, t.app.org_id(), table)
        .await
        .unwrap() as usize
}

/// Demo data for 7 debtors, a manager's token, and one of another organization.
async fn demo_with_tokens() -> (TestApp, String, String) {
    let t = TestApp::new().await;
    let mut options = DemoOptions::new(jiff::civil::date(2026, 12, 1));
    options.debtors = 7;
    options.documents = false;
    import_demo(&t.app, generate(&options), &NoProgress)
        .await
        .unwrap();
    common::user(&t.app, "api@x.ro", Role::Manager).await;
    let (_, token) = accounts::create_token(&t.app, "test", "api@x.ro", "ci")
        .await
        .unwrap();
    let other = t.other_org("alta").await;
    common::user(&other, "api@alta.ro", Role::Manager).await;
    let (_, other_token) = accounts::create_token(&other, "test", "api@alta.ro", "ci")
        .await
        .unwrap();
    (t, token, other_token)
}

#[tokio::test]
async fn contacts_contracts_payments_and_documents_list_and_get() {
    let (t, token, other_token) = demo_with_tokens().await;
    let server = common::start(&t.app).await;
    let api = Api::new(&server.base, &token);
    let theirs = Api::new(&server.base, &other_token);

    // Contacts: every one exactly once through the cursor, filtered by debtor and role.
    let contacts = api.walk("/api/v1/contacts", 2).await;
    assert_eq!(contacts.len(), stored(&t, "contacts").await);
    let c = &contacts[0];
    let (debtor_id, role) = (
        c["debtor_id"].as_i64().unwrap(),
        c["role"].as_str().unwrap(),
    );
    assert!(c["debtor_code"].as_str().unwrap().starts_with('D'), "{c}");
    let mine = api
        .walk(&format!("/api/v1/contacts?debtor_id={debtor_id}"), 100)
        .await;
    assert!(!mine.is_empty() && mine.iter().all(|c| c["debtor_id"] == debtor_id));
    assert_eq!(
        mine.len(),
        contacts
            .iter()
            .filter(|c| c["debtor_id"] == debtor_id)
            .count()
    );
    let by_role = api
        .walk(&format!("/api/v1/contacts?role={role}"), 100)
        .await;
    assert!(!by_role.is_empty() && by_role.iter().all(|c| c["role"] == role));
    let (status, p) = api.get("/api/v1/contacts?role=boss").await;
    assert_eq!(
        (status, p["code"].as_str()),
        (400, Some("bad_request")),
        "{p}"
    );
    let id = c["id"].as_i64().unwrap();
    let (status, one) = api.get(&format!("/api/v1/contacts/{id}")).await;
    assert_eq!((status, &one), (200, c));
    assert_eq!(theirs.get(&format!("/api/v1/contacts/{id}")).await.0, 404);
    assert_eq!(theirs.walk("/api/v1/contacts", 10).await.len(), 0);
    // The debtor shows the same contacts, with their ids.
    let (_, debtor) = api.get(&format!("/api/v1/debtors/{debtor_id}")).await;
    assert_eq!(debtor["contacts"].as_array().unwrap(), &mine);

    // Contracts: by debtor and by issuing entity (its CUI, with or without RO).
    let contracts = api.walk("/api/v1/contracts", 3).await;
    assert_eq!(contracts.len(), stored(&t, "contracts").await);
    let k = &contracts[0];
    let entity = k["entity_tax_id"].as_str().unwrap();
    let of_entity = api
        .walk(&format!("/api/v1/contracts?entity=RO{entity}"), 100)
        .await;
    assert!(!of_entity.is_empty() && of_entity.iter().all(|c| c["entity_tax_id"] == entity));
    let kd = k["debtor_id"].as_i64().unwrap();
    let of_debtor = api
        .walk(&format!("/api/v1/contracts?debtor_id={kd}"), 100)
        .await;
    let (_, listed) = api.get(&format!("/api/v1/debtors/{kd}/contracts")).await;
    assert_eq!(listed.as_array().unwrap(), &of_debtor);
    let kid = k["id"].as_i64().unwrap();
    let (status, one) = api.get(&format!("/api/v1/contracts/{kid}")).await;
    assert_eq!((status, &one), (200, k));
    assert_eq!(theirs.get(&format!("/api/v1/contracts/{kid}")).await.0, 404);

    // Payments: by date range and debtor; one with its allocations to invoices.
    let payments = api.walk("/api/v1/payments", 25).await;
    assert_eq!(payments.len(), stored(&t, "payments").await);
    let mut dates: Vec<&str> = payments
        .iter()
        .map(|p| p["date"].as_str().unwrap())
        .collect();
    dates.sort();
    let (from, to) = (dates[dates.len() / 4], dates[dates.len() / 2]);
    let range = api
        .walk(
            &format!("/api/v1/payments?date_from={from}&date_to={to}"),
            500,
        )
        .await;
    let expected = dates.iter().filter(|d| **d >= from && **d <= to).count();
    assert_eq!(range.len(), expected);
    assert!(expected > 0);
    let (status, p) = api.get("/api/v1/payments?date_from=31.02.2026").await;
    assert_eq!((status, p["code"].as_str()), (400, Some("bad_request")));
    let paid = payments
        .iter()
        .find(|p| p["allocated"] != "0.00" && p["debtor_id"].is_i64())
        .expect("an allocated payment");
    let pd = paid["debtor_id"].as_i64().unwrap();
    let of_debtor = api
        .walk(&format!("/api/v1/payments?debtor_id={pd}"), 500)
        .await;
    assert!(of_debtor.iter().all(|p| p["debtor_id"] == pd) && of_debtor.contains(paid));
    let pid = paid["id"].as_i64().unwrap();
    let (status, detail) = api.get(&format!("/api/v1/payments/{pid}")).await;
    assert_eq!(status, 200);
    let allocations = detail["allocations"].as_array().unwrap();
    assert!(!allocations.is_empty(), "{detail}");
    let cents = |v: &Value| -> i64 { v.as_str().unwrap().replace('.', "").parse().unwrap() };
    assert_eq!(
        allocations.iter().map(|a| cents(&a["amount"])).sum::<i64>(),
        cents(&detail["allocated"])
    );
    let invoice_id = allocations[0]["invoice_id"].as_i64().unwrap();
    assert_eq!(
        api.get(&format!("/api/v1/invoices/{invoice_id}")).await.0,
        200
    );
    assert_eq!(theirs.get(&format!("/api/v1/payments/{pid}")).await.0, 404);

    // Documents: the demo's, filtered by type.
    let documents = api.walk("/api/v1/documents", 50).await;
    assert_eq!(documents.len(), stored(&t, "documents").await);
    let doc_type = documents[0]["doc_type"].as_str().unwrap();
    let typed = api
        .walk(&format!("/api/v1/documents?doc_type={doc_type}"), 500)
        .await;
    assert!(!typed.is_empty() && typed.iter().all(|d| d["doc_type"] == doc_type));
    assert_eq!(api.get("/api/v1/documents?doc_type=fax").await.0, 400);
    let did = documents[0]["id"].as_i64().unwrap();
    assert_eq!(theirs.get(&format!("/api/v1/documents/{did}")).await.0, 404);
    assert_eq!(
        theirs
            .get(&format!("/api/v1/documents/{did}/content"))
            .await
            .0,
        404
    );
    t.cleanup().await;
}

#[tokio::test]
async fn documents_are_uploaded_and_downloaded() {
    let (t, token, other_token) = demo_with_tokens().await;
    common::user(&t.app, "ana@x.ro", Role::Collector).await;
    let (_, collector) = accounts::create_token(&t.app, "test", "ana@x.ro", "ci")
        .await
        .unwrap();
    let server = common::start(&t.app).await;
    let api = Api::new(&server.base, &token);
    let (_, debtors) = api.get("/api/v1/debtors?limit=1").await;
    let debtor_id = debtors["items"][0]["id"].as_i64().unwrap();
    let (_, invoices) = api
        .get(&format!("/api/v1/invoices?debtor_id={debtor_id}"))
        .await;
    let invoice = &invoices["items"][0];
    let invoice_id = invoice["id"].as_i64().unwrap();
    let number = format!(
        "{} {}",
        invoice["series"].as_str().unwrap(),
        invoice["number"].as_str().unwrap()
    );
    let pdf = "%PDF-1.4 proces-verbal de recepție, semnat".as_bytes();
    let before = stored(&t, "documents").await;

    // Bad metadata: every problem named, nothing stored.
    let (status, p) = api
        .upload(
            &[("doc_type", "fax"), ("invoice_number", "NU-EXISTA-1")],
            Some(("pv.pdf", pdf)),
        )
        .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("import_rejected")),
        "{p}"
    );
    let columns: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["column"].as_str().unwrap())
        .collect();
    assert_eq!(columns, vec!["doc_type"], "{p}");
    let (status, p) = api
        .upload(
            &[("doc_type", "cmr"), ("invoice_number", "NU-EXISTA-1")],
            Some(("pv.pdf", pdf)),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["column"], "invoice_number", "{p}");
    let (status, p) = api.upload(&[("doc_type", "cmr")], None).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("bad_request")));
    let (status, p) = api
        .upload(
            &[("doc_type", "cmr"), ("colour", "red")],
            Some(("pv.pdf", pdf)),
        )
        .await;
    assert_eq!(
        (status, p["code"].as_str(), p["field"].as_str()),
        (400, Some("unknown_field"), Some("colour"))
    );
    let (status, _) = Api::new(&server.base, &collector)
        .upload(
            &[("doc_type", "cmr"), ("invoice_number", &number)],
            Some(("pv.pdf", pdf)),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(stored(&t, "documents").await, before);

    // Stored once; the same upload again is the same document.
    let fields = [
        ("doc_type", "PV de recepție"),
        ("invoice_number", number.as_str()),
    ];
    let (status, doc) = api.upload(&fields, Some(("PV recepție.pdf", pdf))).await;
    assert_eq!(status, 201, "{doc}");
    assert_eq!(
        (
            doc["doc_type"].as_str(),
            doc["invoice_id"].as_i64(),
            doc["debtor_id"].as_i64()
        ),
        (Some("acceptance_report"), Some(invoice_id), Some(debtor_id))
    );
    assert_eq!(doc["media_type"], "application/pdf");
    assert_eq!(doc["size"], pdf.len());
    let (status, again) = api.upload(&fields, Some(("PV recepție.pdf", pdf))).await;
    assert_eq!((status, &again), (200, &doc));
    assert_eq!(stored(&t, "documents").await, before + 1);

    // Listed with the invoice, readable by id, and its bytes come back as they went in.
    let id = doc["id"].as_i64().unwrap();
    let listed = api
        .walk(&format!("/api/v1/documents?invoice_id={invoice_id}"), 100)
        .await;
    assert!(listed.contains(&doc), "{listed:?}");
    let (_, detail) = api.get(&format!("/api/v1/invoices/{invoice_id}")).await;
    assert!(detail["documents"].as_array().unwrap().contains(&doc));
    assert_eq!(
        api.get(&format!("/api/v1/documents/{id}")).await,
        (200, doc.clone())
    );
    let r = reqwest::Client::new()
        .get(format!(
            "{}{}",
            server.base,
            doc["content_url"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"PV recep_ie.pdf\"; filename*=UTF-8''PV%20recep%C8%9Bie.pdf"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf);
    let theirs = Api::new(&server.base, &other_token);
    assert_eq!(theirs.get(&format!("/api/v1/documents/{id}")).await.0, 404);
    assert_eq!(
        theirs
            .get(&format!("/api/v1/documents/{id}/content"))
            .await
            .0,
        404
    );
    t.cleanup().await;
}

#[tokio::test]
async fn records_change_by_id_with_events_and_problems() {
    let (t, token, other_token) = demo_with_tokens().await;
    common::user(&t.app, "ana@x.ro", Role::Collector).await;
    let (_, collector) = accounts::create_token(&t.app, "test", "ana@x.ro", "ci")
        .await
        .unwrap();
    let server = common::start(&t.app).await;
    let api = Api::new(&server.base, &token);
    let events = || async {
        let mut tx = t.app.store.begin().await.unwrap();
        creanta_store::repo::events::list(&mut tx, t.app.org_id())
            .await
            .unwrap()
    };

    // The debtors page, read once, keeps a snapshot that changes must keep current.
    let password = common::user(&t.app, "sef@x.ro", Role::Admin).await;
    let browser = common::client();
    common::sign_in(&browser, &server.base, "sef@x.ro", &password, "/debtors").await;
    let debtors_page = |q: &str| common::text(&browser, format!("{}/debtors?q={q}", server.base));
    assert!(!debtors_page("Nouă").await.contains("Țesătoria Nouă SRL"));

    // A debtor: values checked and normalized as an import does, the change logged.
    let (_, list) = api.get("/api/v1/debtors?limit=1").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (_, old) = api.get(&format!("/api/v1/debtors/{id}")).await;
    let path = format!("/api/v1/debtors/{id}");
    let (status, d) = api
        .patch(
            &path,
            serde_json::json!({"name": "Țesătoria Nouă SRL", "owner": "Ana@X.ro", "payment_terms_days": 45,
                "required_documents": ["cmr", "PV de recepție"], "group": "Grup Nou", "city": null}),
        )
        .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["name"], "Țesătoria Nouă SRL");
    assert_eq!(d["owner"], "ana@x.ro");
    assert_eq!(d["payment_terms_days"], 45);
    assert_eq!(
        d["required_documents"],
        serde_json::json!(["cmr", "acceptance_report"])
    );
    assert_eq!(d["group"], "Grup Nou");
    assert_eq!(d["city"], Value::Null);
    assert_eq!(d["code"], old["code"], "the key stays");
    assert!(debtors_page("Nouă").await.contains("Țesătoria Nouă SRL"));
    let all = events().await;
    // The edit's own event, before the findings its re-check opened or closed.
    let e = all
        .iter()
        .rev()
        .find(|e| !e.kind.starts_with("finding."))
        .unwrap();
    assert_eq!(
        (e.kind.as_str(), e.subject_id, e.actor.as_str()),
        ("debtor.updated", Some(id), "api@x.ro")
    );
    assert_eq!(
        e.data["changes"]["name"],
        serde_json::json!([old["name"], "Țesătoria Nouă SRL"])
    );
    assert_eq!(e.data["changes"]["owner_email"][1], "ana@x.ro");
    assert!(creanta_store::repo::events::verify(&all).is_none());
    // The same patch again changes nothing, not even the log.
    let (status, same) = api
        .patch(
            &path,
            serde_json::json!({"name": "Țesătoria Nouă SRL", "owner": "ana@x.ro"}),
        )
        .await;
    assert_eq!((status, &same), (200, &d));
    assert_eq!(events().await.len(), all.len());

    // Bad values: every one named, with a stable code; nothing written.
    let (status, p) = api
        .patch(
            &path,
            serde_json::json!({"name": "Alt nume", "owner": "nu-e-email", "language": "fr", "payment_terms_days": "30"}),
        )
        .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (400, Some("invalid_value")),
        "{p}"
    );
    let mut fields: Vec<&str> = p["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(fields, vec!["payment_terms_days"], "JSON types first: {p}");
    let (status, p) = api
        .patch(
            &path,
            serde_json::json!({"name": "Alt nume", "owner": "nu-e-email", "language": "fr"}),
        )
        .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (400, Some("invalid_value")),
        "{p}"
    );
    let mut fields: Vec<&str> = p["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(fields, vec!["language", "owner"], "{p}");
    let (status, p) = api.patch(&path, serde_json::json!({"name": null})).await;
    assert_eq!((status, p["field"].as_str()), (400, Some("name")), "{p}");
    let (status, p) = api.patch(&path, serde_json::json!({"colour": "red"})).await;
    assert_eq!(
        (status, p["code"].as_str(), p["field"].as_str()),
        (400, Some("unknown_field"), Some("colour"))
    );
    let (status, p) = api
        .patch(&path, serde_json::json!({"code": "X1", "name": "Y"}))
        .await;
    assert_eq!(
        (status, p["code"].as_str(), p["field"].as_str()),
        (400, Some("read_only_field"), Some("code"))
    );
    let (status, p) = api.patch(&path, serde_json::json!([{"name": "Y"}])).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("bad_request")));
    let r = reqwest::Client::new()
        .patch(format!("{}{path}", server.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{nu e json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(api.get(&path).await.1, d, "nothing written");
    assert_eq!(events().await.len(), all.len());

    // Roles and organizations.
    let (status, p) = Api::new(&server.base, &collector)
        .patch(&path, serde_json::json!({"name": "X"}))
        .await;
    assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")));
    let theirs = Api::new(&server.base, &other_token);
    assert_eq!(
        theirs
            .patch(&path, serde_json::json!({"name": "X"}))
            .await
            .0,
        404
    );
    assert_eq!(
        api.patch("/api/v1/debtors/999999", serde_json::json!({}))
            .await
            .0,
        404
    );

    // A contact.
    let (_, contacts) = api.get(&format!("/api/v1/contacts?debtor_id={id}")).await;
    let cid = contacts["items"][0]["id"].as_i64().unwrap();
    let cpath = format!("/api/v1/contacts/{cid}");
    let (status, c) = api
        .patch(
            &cpath,
            serde_json::json!({"role": "legal", "email": "Juridic@Firma.RO", "primary": true}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        (
            c["role"].as_str(),
            c["email"].as_str(),
            c["primary"].as_bool()
        ),
        (Some("legal"), Some("juridic@firma.ro"), Some(true))
    );
    let (status, p) = api.patch(&cpath, serde_json::json!({"role": "boss"})).await;
    assert_eq!((status, p["field"].as_str()), (400, Some("role")));
    let (status, p) = api.patch(&cpath, serde_json::json!({"name": "Alt"})).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("read_only_field")));
    assert_eq!(
        theirs
            .patch(&cpath, serde_json::json!({"phone": "1"}))
            .await
            .0,
        404
    );
    assert_eq!(
        events()
            .await
            .iter()
            .rev()
            .find(|e| !e.kind.starts_with("finding."))
            .unwrap()
            .kind,
        "contact.updated"
    );

    // A contract: dates checked together, a rate as decimal text.
    let (_, contracts) = api.get("/api/v1/contracts?limit=1").await;
    let k = &contracts["items"][0];
    let kpath = format!("/api/v1/contracts/{}", k["id"]);
    let (status, changed) = api
        .patch(
            &kpath,
            serde_json::json!({"valid_from": "2025-01-01", "valid_until": "31.12.2027", "penalty_rate_per_day": "0,1", "currency": "eur"}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (
            changed["valid_until"].as_str(),
            changed["penalty_rate_per_day"].as_str(),
            changed["currency"].as_str()
        ),
        (Some("2027-12-31"), Some("0.1"), Some("EUR"))
    );
    let (status, p) = api
        .patch(&kpath, serde_json::json!({"valid_until": "2024-12-31"}))
        .await;
    assert_eq!(
        (status, p["field"].as_str()),
        (400, Some("valid_until")),
        "{p}"
    );
    let (status, p) = api
        .patch(&kpath, serde_json::json!({"number": "C-9"}))
        .await;
    assert_eq!((status, p["code"].as_str()), (400, Some("read_only_field")));

    // An invoice: money as decimal text only, dates in order, the key and `paid` fixed.
    let unpaid = &find_invoice(&api, |i| i["paid"] == "0.00" && i["kind"] == "invoice").await;
    let ipath = format!("/api/v1/invoices/{}", unpaid["id"]);
    let (status, p) = api
        .patch(&ipath, serde_json::json!({"total": 1234.5}))
        .await;
    assert_eq!(
        (status, p["code"].as_str(), p["field"].as_str()),
        (400, Some("invalid_value"), Some("total"))
    );
    let (status, p) = api
        .patch(&ipath, serde_json::json!({"total": "12,34,5"}))
        .await;
    assert_eq!((status, p["field"].as_str()), (400, Some("total")), "{p}");
    let (status, p) = api.patch(&ipath, serde_json::json!({"paid": "0.00"})).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("read_only_field")));
    let issue = unpaid["issue_date"].as_str().unwrap();
    let (status, p) = api
        .patch(&ipath, serde_json::json!({"due_date": "2000-01-01"}))
        .await;
    assert_eq!(
        (status, p["field"].as_str()),
        (400, Some("due_date")),
        "{p}"
    );
    let (status, inv) = api
        .patch(
            &ipath,
            serde_json::json!({"total": "1.234,56", "po_number": "PO-77", "sent_to": "Facturi@Client.ro", "sent_on": issue}),
        )
        .await;
    assert_eq!(status, 200, "{inv}");
    assert_eq!(
        (
            inv["total"].as_str(),
            inv["open"].as_str(),
            inv["po_number"].as_str(),
            inv["sent_to"].as_str()
        ),
        (
            Some("1234.56"),
            Some("1234.56"),
            Some("PO-77"),
            Some("facturi@client.ro")
        )
    );
    let e = events()
        .await
        .into_iter()
        .rev()
        .find(|e| !e.kind.starts_with("finding."))
        .unwrap();
    assert_eq!(e.kind, "invoice.updated");
    assert_eq!(e.data["changes"]["total"][1], 123456, "{}", e.data);
    let (status, credit) = api
        .patch(&ipath, serde_json::json!({"total": "-10.00"}))
        .await;
    assert_eq!(
        (status, credit["kind"].as_str()),
        (200, Some("credit_note"))
    );
    // A paid invoice keeps its currency and cannot drop below what was paid.
    let (_, payments) = api.get("/api/v1/payments?limit=500").await;
    let allocated = payments["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["allocated"] != "0.00")
        .unwrap();
    let (_, pd) = api
        .get(&format!("/api/v1/payments/{}", allocated["id"]))
        .await;
    let ppath = format!("/api/v1/invoices/{}", pd["allocations"][0]["invoice_id"]);
    let (status, p) = api
        .patch(&ppath, serde_json::json!({"total": "0.01"}))
        .await;
    assert_eq!((status, p["field"].as_str()), (400, Some("total")), "{p}");
    let (status, p) = api
        .patch(&ppath, serde_json::json!({"currency": "USD"}))
        .await;
    assert_eq!(
        (status, p["field"].as_str()),
        (400, Some("currency")),
        "{p}"
    );
    t.cleanup().await;
}

#[tokio::test]
async fn partners_and_strangers_get_nothing_from_the_new_endpoints() {
    let (t, token, _) = demo_with_tokens().await;
    common::user(&t.app, "avocat@lex.ro", Role::Partner).await;
    let (_, partner) = accounts::create_token(&t.app, "test", "avocat@lex.ro", "ci")
        .await
        .unwrap();
    let server = common::start(&t.app).await;
    let api = Api::new(&server.base, &token);
    let ids = |path: &'static str| {
        let api = &api;
        async move { api.get(path).await.1["items"][0]["id"].as_i64().unwrap() }
    };
    let (contact, contract, payment, document) = (
        ids("/api/v1/contacts?limit=1").await,
        ids("/api/v1/contracts?limit=1").await,
        ids("/api/v1/payments?limit=1").await,
        ids("/api/v1/documents?limit=1").await,
    );
    let paths = [
        "/api/v1/contacts".to_owned(),
        format!("/api/v1/contacts/{contact}"),
        "/api/v1/contracts".to_owned(),
        format!("/api/v1/contracts/{contract}"),
        "/api/v1/payments".to_owned(),
        format!("/api/v1/payments/{payment}"),
        "/api/v1/documents".to_owned(),
        format!("/api/v1/documents/{document}"),
        format!("/api/v1/documents/{document}/content"),
    ];
    let partner = Api::new(&server.base, &partner);
    let nobody = Api::new(&server.base, "crt_forged");
    for path in &paths {
        assert_eq!(api.get(path).await.0, 200, "{path} with a token");
        let (status, p) = partner.get(path).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (403, Some("forbidden")),
            "{path}"
        );
        let (status, p) = nobody.get(path).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (401, Some("unauthorized")),
            "{path}"
        );
    }
    assert_eq!(
        partner
            .patch(
                &format!("/api/v1/contacts/{contact}"),
                serde_json::json!({})
            )
            .await
            .0,
        403
    );
    assert_eq!(partner.upload(&[("doc_type", "cmr")], None).await.0, 403);

    // The browser's session works too, and changes need its CSRF header.
    let password = common::user(&t.app, "sef@x.ro", Role::Admin).await;
    let c = common::client();
    let csrf = common::sign_in(&c, &server.base, "sef@x.ro", &password, "/debtors").await;
    let url = format!("{}/api/v1/contacts/{contact}", server.base);
    assert_eq!(c.get(&url).send().await.unwrap().status(), 200);
    let patch = || {
        c.patch(&url)
            .header("content-type", "application/merge-patch+json")
            .body(r#"{"phone": "0722 000 111"}"#)
    };
    let r = patch().send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "csrf");
    let r = patch().header("X-CSRF-Token", csrf).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["phone"], "0722 000 111");
    t.cleanup().await;
}

#[tokio::test]
async fn contacts_and_payments_are_created_through_the_json_upsert() {
    let (t, token, _) = demo_with_tokens().await;
    let server = common::start(&t.app).await;
    let api = Api::new(&server.base, &token);
    let invoice = &find_invoice(&api, |i| i["open"] != "0.00" && i["kind"] == "invoice").await;
    let (code, debtor_id) = (
        invoice["debtor_code"].as_str().unwrap(),
        invoice["debtor_id"].as_i64().unwrap(),
    );
    let (status, r) = api
        .post(
            "/api/v1/contacts",
            serde_json::json!({"debtor_code": code, "name": "Contabil Nou", "email": "contabil@client.ro", "role": "finance"}),
        )
        .await;
    assert_eq!((status, r["new"].as_u64()), (200, Some(1)), "{r}");
    let mine = api
        .walk(&format!("/api/v1/contacts?debtor_id={debtor_id}"), 100)
        .await;
    assert!(mine.iter().any(|c| c["name"] == "Contabil Nou"));

    let number = format!(
        "{}{}",
        invoice["series"].as_str().unwrap(),
        invoice["number"].as_str().unwrap()
    );
    let payment = serde_json::json!({"date": "2026-11-30", "amount": "1.00", "currency": invoice["currency"],
        "invoice_number": number, "transaction_id": "API-T-1", "payer_name": "Client"});
    let (status, r) = api.post("/api/v1/payments", payment.clone()).await;
    assert_eq!((status, r["new"].as_u64()), (200, Some(1)), "{r}");
    let (_, again) = api.post("/api/v1/payments", payment).await;
    assert_eq!(again["unchanged"], 1);
    let found = api
        .walk(
            "/api/v1/payments?date_from=2026-11-30&date_to=2026-11-30",
            100,
        )
        .await
        .into_iter()
        .find(|p| p["transaction_id"] == "API-T-1")
        .expect("the new payment");
    assert_eq!(
        (found["amount"].as_str(), found["allocated"].as_str()),
        (Some("1.00"), Some("1.00"))
    );
    let (_, detail) = api.get(&format!("/api/v1/payments/{}", found["id"])).await;
    assert_eq!(detail["allocations"][0]["invoice_id"], invoice["id"]);
    let (status, p) = api
        .post(
            "/api/v1/payments",
            serde_json::json!({"date": "2026-11-30", "amount": "1.0001", "currency": "RON"}),
        )
        .await;
    assert_eq!(
        (status, p["errors"][0]["column"].as_str()),
        (422, Some("amount")),
        "{p}"
    );
    t.cleanup().await;
}

#[tokio::test]
async fn an_e_invoice_changes_only_where_it_was_sent() {
    let t = TestApp::new().await;
    common::user(&t.app, "api@x.ro", Role::Manager).await;
    let (_, token) = accounts::create_token(&t.app, "test", "api@x.ro", "ci")
        .await
        .unwrap();
    let server = common::start(&t.app).await;
    let api = Api::new(&server.base, &token);
    let xml = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/ubl/ro/eInvoice_ex.xml"
    ))
    .unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/imports/invoices", server.base))
        .bearer_auth(&token)
        .multipart(reqwest::multipart::Form::new().part(
            "files",
            reqwest::multipart::Part::bytes(xml).file_name("eInvoice_ex.xml"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let invoice = find_invoice(&api, |_| true).await;
    let path = format!("/api/v1/invoices/{}", invoice["id"]);
    let (status, p) = api
        .patch(
            &path,
            serde_json::json!({"total": "1.00", "sent_to": "a@b.ro"}),
        )
        .await;
    assert_eq!(
        (status, p["code"].as_str(), p["field"].as_str()),
        (400, Some("read_only_field"), Some("total")),
        "{p}"
    );
    let (status, i) = api
        .patch(
            &path,
            serde_json::json!({"sent_to": "Facturi@Client.ro", "sent_on": "2025-03-01"}),
        )
        .await;
    assert_eq!(status, 200, "{i}");
    assert_eq!(
        (i["sent_to"].as_str(), i["sent_on"].as_str(), &i["total"]),
        (
            Some("facturi@client.ro"),
            Some("2025-03-01"),
            &invoice["total"]
        )
    );
    // Its XML is one of its documents, and downloads as it was imported.
    let doc = &i["documents"][0];
    assert_eq!(doc["doc_type"], "invoice_xml");
    let r = reqwest::Client::new()
        .get(format!(
            "{}{}",
            server.base,
            doc["content_url"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/xml");
    assert_eq!(
        r.bytes().await.unwrap().len() as i64,
        doc["size"].as_i64().unwrap()
    );
    t.cleanup().await;
}

#[tokio::test]
async fn the_description_lists_every_endpoint_with_query_parameters_in_the_query() {
    let t = TestApp::new().await;
    let server = common::start(&t.app).await;
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    for (path, methods) in [
        ("/api/v1/contacts", &["get"][..]),
        ("/api/v1/contacts/{id}", &["get", "patch"]),
        ("/api/v1/contracts", &["get"]),
        ("/api/v1/contracts/{id}", &["get", "patch"]),
        ("/api/v1/payments", &["get"]),
        ("/api/v1/payments/{id}", &["get"]),
        ("/api/v1/documents", &["get", "post"]),
        ("/api/v1/documents/{id}", &["get"]),
        ("/api/v1/documents/{id}/content", &["get"]),
        ("/api/v1/debtors/{id}", &["get", "patch"]),
        ("/api/v1/invoices/{id}", &["get", "patch"]),
    ] {
        for m in methods {
            let op = &paths[path][m];
            assert!(op.is_object(), "{m} {path}");
            for status in ["400", "401", "403"] {
                assert_eq!(
                    op["responses"][status]["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{m} {path} {status}"
                );
            }
        }
    }
    for path in [
        "/api/v1/debtors",
        "/api/v1/invoices",
        "/api/v1/contacts",
        "/api/v1/contracts",
        "/api/v1/payments",
        "/api/v1/documents",
    ] {
        for p in paths[path]["get"]["parameters"].as_array().unwrap() {
            assert_eq!(p["in"], "query", "{path}: {p}");
            if p["name"] != "debtor_id" || path != "/api/v1/invoices" {
                assert_eq!(p["required"], false, "{path}: {p}");
            }
        }
    }
    assert_eq!(
        doc["components"]["schemas"]["DebtorPatch"]["additionalProperties"],
        false
    );
    t.cleanup().await;
}
