//! The pre-flight check on the web and in the API, over real HTTP on port 0, on SQLite or
//! PostgreSQL (TEST_DATABASE_URL): findings on the invoice page, "check again", requirements
//! edited on the debtor page (which opens and closes findings), the prevention page, and the
//! API's findings, check and prevention endpoints — with roles, CSRF and organization scoping.

use creanta_app::App;
use creanta_app::accounts;
use creanta_app::demo::{DemoOptions, generate};
use creanta_app::import::{NoProgress, import_demo};
use creanta_app::testing::TestApp;
use creanta_domain::model::Role;
use creanta_store::args;
use serde_json::{Value, json};

mod common;
use common::{client, hidden, login, sign_in, start, text};

async fn with_demo(t: &TestApp) {
    let mut options = DemoOptions::new(jiff::civil::date(2026, 12, 1));
    options.debtors = 12;
    options.documents = false;
    import_demo(&t.app, generate(&options), &NoProgress)
        .await
        .unwrap();
}

/// An invoice without a PO number whose debtor does not require one (nor its contract), and
/// that debtor: setting `requires_po` on the debtor must open `po_missing` on it.
async fn invoice_without_po(app: &App) -> (i64, i64) {
    let row = app
        .store
        .fetch_optional(
            "SELECT i.id, i.debtor_id FROM invoices i \
             JOIN debtors d ON d.id = i.debtor_id AND d.org_id = i.org_id \
             LEFT JOIN contracts c ON c.id = i.contract_id AND c.org_id = i.org_id \
             WHERE i.org_id = $1 AND (i.po_number IS NULL OR i.po_number = '') \
             AND d.requires_po = $2 AND (c.id IS NULL OR c.requires_po = $2) \
             AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.org_id = i.org_id \
                 AND f.invoice_id = i.id AND f.code = 'po_missing') \
             ORDER BY i.id LIMIT 1",
            &args![app.org_id(), false],
        )
        .await
        .unwrap()
        .expect("the demo has an invoice without a PO");
    (row.get(0).unwrap(), row.get(1).unwrap())
}

/// The form fields that keep a debtor's requirements as stored, with `requires_po` as given.
async fn requirements_form(app: &App, debtor: i64, csrf: &str, po: bool) -> Vec<(String, String)> {
    let (d, _) = creanta_store::repo::views::debtor(&app.store, app.org_id(), debtor)
        .await
        .unwrap()
        .unwrap();
    let mut f = vec![("csrf".to_owned(), csrf.to_owned())];
    if po {
        f.push(("requires_po".into(), "on".into()));
    }
    if d.requires_confirmation {
        f.push(("requires_confirmation".into(), "on".into()));
    }
    f.push((
        "required_mention".into(),
        d.required_mention.unwrap_or_default(),
    ));
    for doc in d.required_documents.split(';').filter(|s| !s.is_empty()) {
        f.push(("required_documents".into(), doc.to_owned()));
    }
    f.push((
        "payment_terms_days".into(),
        d.payment_terms_days
            .map(|n| n.to_string())
            .unwrap_or_default(),
    ));
    f
}

/// The open-findings list of an invoice page.
fn open_list(page: &str) -> &str {
    let start = page
        .find("id=\"open-findings\"")
        .expect("open findings list");
    let end = page[start..].find("</ul>").unwrap() + start;
    &page[start..end]
}

#[tokio::test]
async fn requirements_edited_on_the_debtor_page_open_and_close_findings() {
    let t = TestApp::new().await;
    with_demo(&t).await;
    common::user(&t.app, "sef@x.ro", Role::Manager).await;
    let manager_pw = accounts::add_user(
        &t.app,
        "test",
        "sef2@x.ro",
        "Șef",
        Role::Manager,
        creanta_domain::model::Language::Ro,
    )
    .await
    .unwrap()
    .1;
    let server = start(&t.app).await;
    let base = &server.base;
    let (invoice, debtor) = invoice_without_po(&t.app).await;

    let c = client();
    let csrf = sign_in(&c, base, "sef2@x.ro", &manager_pw, "/debtors").await;

    // The invoice page has the findings section and the check button.
    let page = text(&c, format!("{base}/invoices/{invoice}")).await;
    assert!(page.contains("Neconformități"), "Romanian section title");
    assert!(page.contains("Verifică din nou"));
    assert!(!open_list(&page).contains("data-code=\"po_missing\""));

    // A refused form: nothing saved, the error next to the form, the typed values kept.
    let mut bad = requirements_form(&t.app, debtor, &csrf, true).await;
    bad.retain(|(k, _)| k != "payment_terms_days");
    bad.push(("payment_terms_days".into(), "treizeci".into()));
    let r = c
        .post(format!("{base}/debtors/{debtor}/requirements"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"requirements-error\""), "{html}");
    assert!(html.contains("număr întreg de zile"));
    assert!(html.contains("value=\"treizeci\""), "typed value kept");
    let mut bad = requirements_form(&t.app, debtor, &csrf, true).await;
    bad.push(("required_documents".into(), "papirus".into()));
    let r = c
        .post(format!("{base}/debtors/{debtor}/requirements"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("papirus"));
    let page = text(&c, format!("{base}/invoices/{invoice}")).await;
    assert!(!open_list(&page).contains("data-code=\"po_missing\""));

    // Without the CSRF token: refused, nothing changes.
    let mut forged = requirements_form(&t.app, debtor, "forged", true).await;
    forged.retain(|(k, _)| k != "csrf");
    forged.push(("csrf".into(), "x".repeat(csrf.len())));
    let r = c
        .post(format!("{base}/debtors/{debtor}/requirements"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // The PO becomes required: the invoice gets po_missing, with its fix, in Romanian.
    let form = requirements_form(&t.app, debtor, &csrf, true).await;
    let r = c
        .post(format!("{base}/debtors/{debtor}/requirements"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/debtors/{debtor}?saved=1#requirements").as_str()
    );
    let dpage = text(&c, format!("{base}/debtors/{debtor}?saved=1")).await;
    assert!(dpage.contains("Cerințele au fost salvate"));
    assert!(dpage.contains("Număr de comandă obligatoriu"));
    assert!(
        dpage.contains(&format!(
            "href=\"/invoices/{invoice}#findings\" class=\"badge error\""
        )),
        "the invoice's open errors are counted in the invoices table"
    );
    let page = text(&c, format!("{base}/invoices/{invoice}")).await;
    let open = open_list(&page);
    assert!(open.contains("data-code=\"po_missing\""), "{open}");
    assert!(open.contains("Lipsește numărul de comandă"));
    assert!(open.contains("Cum se corectează"));

    // Back to not required: the finding closes and moves to the history.
    let form = requirements_form(&t.app, debtor, &csrf, false).await;
    let r = c
        .post(format!("{base}/debtors/{debtor}/requirements"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = text(&c, format!("{base}/invoices/{invoice}")).await;
    assert!(!open_list(&page).contains("data-code=\"po_missing\""));
    let history = &page[page.find("id=\"closed-findings\"").expect("history")..];
    assert!(history.contains("data-code=\"po_missing\""));

    // The edits are logged as the API's are, by the user, with the findings' events.
    let mut tx = t.app.store.begin().await.unwrap();
    let log = creanta_store::repo::events::list(&mut tx, t.app.org_id())
        .await
        .unwrap();
    drop(tx);
    assert!(
        log.iter()
            .any(|e| e.kind == "debtor.updated" && e.actor == "sef2@x.ro")
    );
    assert!(
        log.iter()
            .any(|e| e.kind == "finding.opened" && e.subject_id == Some(invoice))
    );
    assert!(
        log.iter()
            .any(|e| e.kind == "finding.closed" && e.subject_id == Some(invoice))
    );

    // "Check again" runs the check and comes back; without the token it is refused.
    let r = c
        .post(format!("{base}/invoices/{invoice}/check"))
        .form(&[("csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(format!("{base}/invoices/{invoice}/check"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/invoices/{invoice}?checked=1#findings").as_str()
    );
    let page = text(&c, format!("{base}/invoices/{invoice}?checked=1")).await;
    assert!(page.contains("au fost verificate din nou"));

    drop(server);
    t.cleanup().await;
}

#[tokio::test]
async fn contract_requirements_roles_scoping_and_the_prevention_page() {
    let t = TestApp::new().await;
    with_demo(&t).await;
    let manager_pw = common::user(&t.app, "sef@x.ro", Role::Manager).await;
    let collector_pw = common::user(&t.app, "ana@x.ro", Role::Collector).await;
    let partner_pw = common::user(&t.app, "avocat@lex.ro", Role::Partner).await;
    let other = t.other_org("alta").await;
    let other_pw = common::user(&other, "ion@alta.ro", Role::Admin).await;
    let server = start(&t.app).await;
    let base = &server.base;
    let (invoice, debtor) = invoice_without_po(&t.app).await;
    let contract = t
        .app
        .store
        .fetch_optional(
            "SELECT id, debtor_id FROM contracts WHERE org_id = $1 ORDER BY id LIMIT 1",
            &args![t.app.org_id()],
        )
        .await
        .unwrap()
        .expect("the demo has contracts");
    let (contract_id, contract_debtor): (i64, i64) =
        (contract.get(0).unwrap(), contract.get(1).unwrap());

    // A manager edits a contract's requirements on its debtor's page.
    let m = client();
    let csrf = sign_in(&m, base, "sef@x.ro", &manager_pw, "/debtors").await;
    let dpage = text(&m, format!("{base}/debtors/{contract_debtor}")).await;
    assert!(dpage.contains(&format!("id=\"edit-contract-{contract_id}\"")));
    assert!(dpage.contains("id=\"edit-requirements\""));
    let r = m
        .post(format!(
            "{base}/debtors/{contract_debtor}/contracts/{contract_id}/requirements"
        ))
        .form(&[
            ("csrf", csrf.as_str()),
            ("requires_confirmation", "on"),
            ("required_mention", "Comanda nr. ___ din ___"),
            ("required_documents", "cmr"),
            ("required_documents", "acceptance_report"),
            ("payment_terms_days", "45"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let row = t
        .app
        .store
        .fetch_optional(
            "SELECT requires_confirmation, required_mention, required_documents, payment_terms_days \
             FROM contracts WHERE id = $1",
            &args![contract_id],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(row.get::<bool>(0).unwrap());
    assert_eq!(row.get::<String>(1).unwrap(), "Comanda nr. ___ din ___");
    assert_eq!(row.get::<String>(2).unwrap(), "cmr;acceptance_report");
    assert_eq!(row.get::<i64>(3).unwrap(), 45);
    // A contract of another debtor is not found under this one.
    let elsewhere = if contract_debtor == debtor {
        creanta_store::repo::views::debtors(&t.app.store, t.app.org_id(), None, None, None)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.id != contract_debtor)
            .unwrap()
            .id
    } else {
        debtor
    };
    let r = m
        .post(format!(
            "{base}/debtors/{elsewhere}/contracts/{contract_id}/requirements"
        ))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The prevention page: totals, the four groupings, the trend; filters by entity, owner.
    let r = m.get(format!("{base}/prevention")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let p = r.text().await.unwrap();
    for id in ["by-code", "by-entity", "by-owner", "by-debtor", "trend"] {
        assert!(p.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(p.contains("Prevenție") && p.contains("Sumă blocată"));
    assert!(p.contains("RON"), "amounts are shown with their currency");
    let entity: i64 = t
        .app
        .store
        .fetch_optional(
            "SELECT id FROM entities WHERE org_id = $1 ORDER BY id LIMIT 1",
            &args![t.app.org_id()],
        )
        .await
        .unwrap()
        .unwrap()
        .get(0)
        .unwrap();
    let r = m
        .get(format!("{base}/prevention?entity={entity}&owner=-"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = m
        .get(format!("{base}/prevention?entity=primul"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // A collector sees the findings and may check again, but not edit requirements.
    let c = client();
    let ccsrf = sign_in(&c, base, "ana@x.ro", &collector_pw, "/debtors").await;
    let dpage = text(&c, format!("{base}/debtors/{debtor}")).await;
    assert!(!dpage.contains("id=\"edit-requirements\""));
    let r = c
        .post(format!("{base}/debtors/{debtor}/requirements"))
        .form(&requirements_form(&t.app, debtor, &ccsrf, true).await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(format!(
            "{base}/debtors/{contract_debtor}/contracts/{contract_id}/requirements"
        ))
        .form(&[("csrf", ccsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(format!("{base}/invoices/{invoice}/check"))
        .form(&[("csrf", ccsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        c.get(format!("{base}/prevention"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Partners see none of it.
    let p = client();
    assert_eq!(
        login(&p, base, "avocat@lex.ro", &partner_pw).await.status(),
        303
    );
    for url in [
        format!("{base}/prevention"),
        format!("{base}/invoices/{invoice}"),
    ] {
        assert_eq!(p.get(url).send().await.unwrap().status(), 403);
    }
    // Partners have no page with a token on it; a forged token is refused anyway.
    let r = p
        .post(format!("{base}/invoices/{invoice}/check"))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Another organization finds nothing of ours.
    let o = client();
    let ocsrf = sign_in(&o, base, "ion@alta.ro", &other_pw, "/debtors").await;
    assert_eq!(
        o.get(format!("{base}/invoices/{invoice}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let r = o
        .post(format!("{base}/invoices/{invoice}/check"))
        .form(&[("csrf", ocsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = o
        .post(format!("{base}/debtors/{debtor}/requirements"))
        .form(&requirements_form(&t.app, debtor, &ocsrf, true).await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = o
        .post(format!(
            "{base}/debtors/{contract_debtor}/contracts/{contract_id}/requirements"
        ))
        .form(&[("csrf", ocsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let theirs = text(&o, format!("{base}/prevention")).await;
    assert!(theirs.contains("id=\"by-code\""));
    assert!(!theirs.contains("RON"), "no amounts of ours: {theirs}");
    // Unchanged by all of the above.
    let d = creanta_store::repo::views::debtor(&t.app.store, t.app.org_id(), debtor)
        .await
        .unwrap()
        .unwrap()
        .0;
    assert!(!d.requires_po);

    drop(server);
    t.cleanup().await;
}

async fn get(c: &reqwest::Client, url: String, token: &str) -> (u16, Value) {
    let r = c.get(url).bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn post(c: &reqwest::Client, url: String, token: &str, body: Value) -> (u16, Value) {
    let r = c
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn api_findings_check_and_prevention() {
    let t = TestApp::new().await;
    with_demo(&t).await;
    let manager_pw = common::user(&t.app, "api@x.ro", Role::Manager).await;
    common::user(&t.app, "col@x.ro", Role::Collector).await;
    let (_, token) = accounts::create_token(&t.app, "test", "api@x.ro", "ci")
        .await
        .unwrap();
    let (_, collector) = accounts::create_token(&t.app, "test", "col@x.ro", "ci")
        .await
        .unwrap();
    let other = t.other_org("alta").await;
    common::user(&other, "api@alta.ro", Role::Manager).await;
    let (_, other_token) = accounts::create_token(&other, "test", "api@alta.ro", "ci")
        .await
        .unwrap();
    let server = start(&t.app).await;
    let base = server.base.clone();
    let c = reqwest::Client::new();
    let (invoice, debtor) = invoice_without_po(&t.app).await;

    // Open findings by default, each with its message and fix in the caller's language.
    let (s, page) = get(&c, format!("{base}/api/v1/findings?limit=500"), &token).await;
    assert_eq!(s, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty(), "the demo's injected errors are found");
    for f in items {
        assert!(f["closed_at"].is_null());
        assert!(!f["message"].as_str().unwrap().is_empty());
        assert!(["error", "warning"].contains(&f["severity"].as_str().unwrap()));
    }
    let code = items[0]["code"].as_str().unwrap().to_owned();
    let (s, by_code) = get(
        &c,
        format!("{base}/api/v1/findings?code={code}&status=all"),
        &token,
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        by_code["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["code"] == code.as_str())
    );
    // The cursor walks every open finding once.
    let total = {
        let (mut seen, mut cursor) = (Vec::new(), String::new());
        loop {
            let (s, p) = get(
                &c,
                format!("{base}/api/v1/findings?limit=3&cursor={cursor}"),
                &token,
            )
            .await;
            assert_eq!(s, 200);
            seen.extend(
                p["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["id"].as_i64().unwrap()),
            );
            match p["next_cursor"].as_str() {
                Some(n) => cursor = n.to_owned(),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!(unique.len(), seen.len());
        seen.len()
    };
    assert_eq!(total, items.len());
    for bad in [
        "code=po",
        "status=deschise",
        "limit=0",
        "cursor=abc",
        "debtor_id=x",
    ] {
        let (s, p) = get(&c, format!("{base}/api/v1/findings?{bad}"), &token).await;
        assert_eq!(s, 400, "{bad}: {p}");
        assert_eq!(p["code"], "bad_request");
    }
    // Another organization's token sees none of ours.
    let (s, theirs) = get(&c, format!("{base}/api/v1/findings"), &other_token).await;
    assert_eq!(s, 200);
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);

    // Running the check: a debtor (any staff role), everything (admin or manager).
    let (s, r) = post(
        &c,
        format!("{base}/api/v1/check"),
        &collector,
        json!({ "debtor_id": debtor }),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert!(r["checked"].as_u64().unwrap() >= 1);
    assert_eq!(r["findings_opened"], 0, "nothing changed since the import");
    let (s, p) = post(
        &c,
        format!("{base}/api/v1/check"),
        &collector,
        json!({ "all": true }),
    )
    .await;
    assert_eq!((s, p["code"].as_str()), (403, Some("forbidden")));
    let (s, r) = post(
        &c,
        format!("{base}/api/v1/check"),
        &token,
        json!({ "all": true }),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    for bad in [
        json!({}),
        json!({ "all": false }),
        json!({ "all": true, "debtor_id": debtor }),
        json!({ "debtor": debtor }),
        json!([1]),
    ] {
        let (s, p) = post(&c, format!("{base}/api/v1/check"), &token, bad.clone()).await;
        assert_eq!(s, 400, "{bad}: {p}");
    }
    let (s, _) = post(
        &c,
        format!("{base}/api/v1/check"),
        &other_token,
        json!({ "debtor_id": debtor }),
    )
    .await;
    assert_eq!(s, 404);

    // A requirement changed through the API opens a finding the invoice's list shows.
    let r = c
        .patch(format!("{base}/api/v1/debtors/{debtor}"))
        .bearer_auth(&token)
        .json(&json!({ "requires_po": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, list) = get(
        &c,
        format!("{base}/api/v1/invoices/{invoice}/findings"),
        &token,
    )
    .await;
    assert_eq!(s, 200, "{list}");
    let po = list
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "po_missing")
        .expect("po_missing");
    assert!(po["closed_at"].is_null());
    assert_eq!(po["field"], "po_number");
    assert!(
        po["fix"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| "ăâîșț".contains(c)),
        "Romanian, with diacritics: {po}"
    );
    let (s, list) = get(
        &c,
        format!("{base}/api/v1/findings?invoice_id={invoice}&code=po_missing"),
        &token,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (s, list) = get(
        &c,
        format!("{base}/api/v1/findings?debtor_id={debtor}&code=po_missing"),
        &token,
    )
    .await;
    assert_eq!(s, 200);
    assert!(!list["items"].as_array().unwrap().is_empty());
    let r = c
        .patch(format!("{base}/api/v1/debtors/{debtor}"))
        .bearer_auth(&token)
        .json(&json!({ "requires_po": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, closed) = get(
        &c,
        format!("{base}/api/v1/findings?invoice_id={invoice}&code=po_missing&status=closed"),
        &token,
    )
    .await;
    let closed = closed["items"].as_array().unwrap();
    assert_eq!(closed.len(), 1);
    assert!(closed[0]["closed_at"].is_string());
    let (s, _) = get(
        &c,
        format!("{base}/api/v1/invoices/{invoice}/findings"),
        &other_token,
    )
    .await;
    assert_eq!(s, 404);

    // The prevention aggregates: the counts agree with the list, amounts are decimal text.
    let (s, p) = get(&c, format!("{base}/api/v1/prevention"), &token).await;
    assert_eq!(s, 200, "{p}");
    let open_now = get(&c, format!("{base}/api/v1/findings?limit=500"), &token)
        .await
        .1["items"]
        .as_array()
        .unwrap()
        .len() as i64;
    assert_eq!(p["findings"].as_i64().unwrap(), open_now);
    let sum = |key: &str| -> i64 {
        p[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["findings"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(sum("by_code"), open_now);
    assert_eq!(sum("by_entity"), open_now);
    assert_eq!(sum("by_owner"), open_now);
    assert!(p["by_debtor"].as_array().unwrap().len() <= 50);
    assert_eq!(p["trend"].as_array().unwrap().len(), 12);
    let opened: i64 = p["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["opened"].as_i64().unwrap())
        .sum();
    assert!(opened >= open_now, "this month's findings are in the trend");
    for a in p["held_back"].as_array().unwrap() {
        let amount = a["amount"].as_str().unwrap();
        assert!(amount.parse::<f64>().is_ok() && a["currency"].as_str().unwrap().len() == 3);
    }
    let entity_id = p["by_entity"][0]["key"].as_str().unwrap().to_owned();
    let (s, f) = get(
        &c,
        format!("{base}/api/v1/prevention?entity_id={entity_id}"),
        &token,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(f["findings"], p["by_entity"][0]["findings"]);
    let (s, _) = get(&c, format!("{base}/api/v1/prevention?entity_id=x"), &token).await;
    assert_eq!(s, 400);
    let (s, theirs) = get(&c, format!("{base}/api/v1/prevention"), &other_token).await;
    assert_eq!(s, 200);
    assert_eq!(theirs["findings"], 0);

    // A browser session needs the CSRF header to run the check.
    let b = client();
    let csrf = sign_in(&b, &base, "api@x.ro", &manager_pw, "/debtors").await;
    let r = b
        .post(format!("{base}/api/v1/check"))
        .json(&json!({ "debtor_id": debtor }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "csrf");
    let r = b
        .post(format!("{base}/api/v1/check"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "debtor_id": debtor }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Described in the OpenAPI document.
    let doc: Value = c
        .get(format!("{base}/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/findings",
        "/api/v1/invoices/{id}/findings",
        "/api/v1/check",
        "/api/v1/prevention",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(doc["components"]["schemas"]["FindingOut"].is_object());

    let _ = hidden;
    drop(server);
    t.cleanup().await;
}
