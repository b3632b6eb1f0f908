//! Invoice delivery and the mail outbox on the web and in the API, over real HTTP on port 0,
//! on SQLite or PostgreSQL (TEST_DATABASE_URL): "deliver invoices now" sends the checked
//! invoices without open errors (as `.eml` files: the embedded default) exactly once and says
//! what it held back and why; the outbox lists every message with its status; a manager lets
//! a blocked invoice go with a logged reason; failed messages are resent with the same
//! Message-ID — with roles, CSRF and organization scoping.

use std::path::{Path, PathBuf};

use creanta_app::App;
use creanta_app::accounts;
use creanta_app::import::{ImportKind, ImportOptions, NoProgress, import_paths};
use creanta_app::testing::TestApp;
use creanta_domain::model::Role;
use creanta_store::args;
use serde_json::json;

mod common;
use common::{call, client, sign_in, start, text};

const ENTITIES: &str = "tax_id,name,city,ibans,email\n\
RO18547290,Termoconstruct Grup Iași SRL,Iași,RO49AAAA1B31007593840000,facturare@termoconstruct.ro\n";
const DEBTORS: &str = "code;name;tax_id;city;language;owner;required_documents\n\
D1;Beta Construcții SA;RO14840784;București;ro;sef@x.ro;CMR\n\
D2;Gamma Instal SRL;16621241;Cluj-Napoca;en;;\n";
const CONTACTS: &str = "debtor_code,name,email,role,primary\n\
D1,Secretariat,office@beta.ro,general,true\n\
D1,Ioana Popescu,ioana.popescu@beta.ro,finance,false\n\
D2,John Smith,john.smith@gamma.ro,finance,true\n";
// TCG0003 lacks the CMR that D1 requires: the check opens `documents_missing`, an error.
const INVOICES: &str = "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,buyer_name,debtor_code,currency,total,po_number,iban\n\
18547290,TCG,0001,2026-11-10,2026-12-10,14840784,Beta Construcții SA,D1,RON,\"1.190,00\",PO-7,RO49AAAA1B31007593840000\n\
18547290,TCG,0002,2026-11-12,2026-12-12,16621241,Gamma Instal SRL,D2,EUR,500,,RO49AAAA1B31007593840000\n\
18547290,TCG,0003,2026-11-15,2026-12-15,14840784,Beta Construcții SA,D1,RON,2380.50,PO-8,RO49AAAA1B31007593840000\n";
const DOCUMENTS: &str = "file,type,invoice_number\n\
docs/TCG0001.pdf,invoice_pdf,TCG0001\n\
docs/cmr-1.pdf,cmr,TCG0001\n\
docs/TCG0002.pdf,invoice_pdf,TCG0002\n\
docs/TCG0003.pdf,invoice_pdf,TCG0003\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Master data, three invoices and their documents, imported (and so checked).
async fn load(app: &App) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "docs/TCG0001.pdf", b"%PDF-1.4 factura TCG0001");
    write(d, "docs/cmr-1.pdf", b"%PDF-1.4 CMR seria A nr. 1");
    write(d, "docs/TCG0002.pdf", b"%PDF-1.4 invoice TCG0002");
    write(d, "docs/TCG0003.pdf", b"%PDF-1.4 factura TCG0003");
    for (kind, name, body) in [
        (ImportKind::Entities, "entities.csv", ENTITIES),
        (ImportKind::Debtors, "debtors.csv", DEBTORS),
        (ImportKind::Contacts, "contacts.csv", CONTACTS),
        (ImportKind::Invoices, "invoices.csv", INVOICES),
        (ImportKind::Documents, "documents.csv", DOCUMENTS),
    ] {
        import_paths(
            app,
            kind,
            &[write(d, name, body.as_bytes())],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap_or_else(|e| panic!("import {kind}: {e}"));
    }
}

async fn invoice(app: &App, number: &str) -> i64 {
    creanta_app::deliver::find_invoice(app, &format!("18547290:{number}"))
        .await
        .unwrap()
}

/// The `.eml` files the server's outbox wrote, as text.
fn written(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|list| {
            list.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Outbox message ids with this idempotency key prefix.
async fn message_of(app: &App, invoice_id: i64) -> i64 {
    app.store
        .fetch_optional(
            "SELECT id FROM outbox WHERE org_id = $1 AND idempotency_key = $2",
            &args![app.org_id(), format!("invoice:{invoice_id}")],
        )
        .await
        .unwrap()
        .expect("a row")
        .get(0)
        .unwrap()
}

fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {page}"));
    let end = page[start..]
        .find("</details>")
        .or_else(|| page[start..].find("</section>"))
        .unwrap()
        + start;
    &page[start..end]
}

#[tokio::test]
async fn deliver_from_the_outbox_page_override_and_resend() {
    let t = TestApp::new().await;
    load(&t.app).await;
    let manager_pw = common::user(&t.app, "sef@x.ro", Role::Manager).await;
    let collector_pw = common::user(&t.app, "col@x.ro", Role::Collector).await;
    let server = start(&t.app).await;
    let base = &server.base;
    let (i1, i2, i3) = (
        invoice(&t.app, "TCG0001").await,
        invoice(&t.app, "TCG0002").await,
        invoice(&t.app, "TCG0003").await,
    );

    let c = client();
    let csrf = sign_in(&c, base, "sef@x.ro", &manager_pw, "/outbox").await;
    let page = text(&c, format!("{base}/outbox")).await;
    assert!(page.contains("Niciun mesaj."), "empty outbox, in Romanian");
    assert!(page.contains("Trimite facturile acum"));

    // Without the CSRF token nothing is sent.
    let r = c
        .post(format!("{base}/outbox/deliver"))
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(written(&server.mail_dir).is_empty());

    let r = c
        .post(format!("{base}/outbox/deliver"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"queued-now\">2<"), "{page}");
    let blocked = section(&page, "held-blocked");
    assert!(
        blocked.contains(&format!("/invoices/{i3}")),
        "TCG0003 is held: {blocked}"
    );
    assert!(
        blocked.contains("Lipsesc documente justificative"),
        "the cause, in words"
    );
    assert!(!blocked.contains(&format!("/invoices/{i1}\"")));
    let files = written(&server.mail_dir);
    assert_eq!(files.len(), 2, "one message per deliverable invoice");
    let to_beta = files
        .iter()
        .find(|f| f.contains("ioana.popescu@beta.ro"))
        .expect("TCG0001 went to the finance contact");
    assert!(
        !to_beta.contains("office@beta.ro"),
        "not to the generic box"
    );
    assert!(
        to_beta.contains("cmr-1.pdf"),
        "the required CMR is attached"
    );
    assert!(files.iter().any(|f| f.contains("john.smith@gamma.ro")));

    // The list: both sent, with their recipients; the message page with its text.
    let page = text(&c, format!("{base}/outbox")).await;
    assert_eq!(page.matches("data-status=\"sent\"").count(), 2, "{page}");
    assert!(page.contains("ioana.popescu@beta.ro"));
    let m1 = message_of(&t.app, i1).await;
    let msg = text(&c, format!("{base}/outbox/{m1}")).await;
    assert!(
        msg.contains("Beta Construcții SA"),
        "debtor named with diacritics"
    );
    assert!(msg.contains("cmr-1.pdf"));
    assert!(msg.contains(&format!("/invoices/{i1}")));
    let sent_only = text(&c, format!("{base}/outbox?status=failed")).await;
    assert!(sent_only.contains("Niciun mesaj."));

    // Delivering again sends nothing new.
    let r = c
        .post(format!("{base}/outbox/deliver"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("id=\"queued-now\">0<"));
    assert_eq!(written(&server.mail_dir).len(), 2);

    // The invoice pages: the delivered one shows its message; the blocked one the override.
    let p1 = text(&c, format!("{base}/invoices/{i1}")).await;
    assert!(p1.contains("id=\"delivery-messages\""));
    assert!(!p1.contains("id=\"override\""));
    let p3 = text(&c, format!("{base}/invoices/{i3}")).await;
    assert!(p3.contains("id=\"not-delivered\""));
    assert!(p3.contains("id=\"override\""), "a manager may override");

    // A collector sees no override form and may not post one, nor resend.
    let cc = client();
    let ccsrf = sign_in(&cc, base, "col@x.ro", &collector_pw, "/outbox").await;
    assert!(
        !text(&cc, format!("{base}/invoices/{i3}"))
            .await
            .contains("id=\"override\"")
    );
    let r = cc
        .post(format!("{base}/invoices/{i3}/delivery-override"))
        .form(&[("csrf", ccsrf.as_str()), ("reason", "urgent")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // A reason is required; then the override is logged and the next delivery sends it.
    let r = c
        .post(format!("{base}/invoices/{i3}/delivery-override"))
        .form(&[("csrf", csrf.as_str()), ("reason", "   ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = c
        .post(format!("{base}/invoices/{i3}/delivery-override"))
        .form(&[
            ("csrf", csrf.as_str()),
            (
                "reason",
                "CMR-ul vine prin curier; clientul a cerut factura azi",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let p3 = text(&c, format!("{base}/invoices/{i3}?overridden=1")).await;
    assert!(p3.contains("id=\"override-record\""));
    assert!(p3.contains("CMR-ul vine prin curier"));
    let r = c
        .post(format!("{base}/outbox/deliver"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"queued-now\">1<"), "{page}");
    assert!(section(&page, "held-overridden").contains(&format!("/invoices/{i3}")));
    assert_eq!(written(&server.mail_dir).len(), 3);
    let logged = t
        .app
        .store
        .fetch_optional(
            "SELECT COUNT(*) FROM events WHERE org_id = $1 AND kind = $2 AND actor = $3",
            &args![t.app.org_id(), "invoice.delivery_overridden", "sef@x.ro"],
        )
        .await
        .unwrap()
        .expect("a row")
        .get::<i64>(0)
        .unwrap();
    assert_eq!(logged, 1);
    // Once it is in the outbox, no override form any more.
    assert!(
        !text(&c, format!("{base}/invoices/{i3}"))
            .await
            .contains("id=\"override\"")
    );

    // A sent message cannot be resent (409); a failed one can, by a manager, same Message-ID.
    let r = c
        .post(format!("{base}/outbox/{m1}/resend"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let m2 = message_of(&t.app, i2).await;
    let mid: String = t
        .app
        .store
        .fetch_optional(
            "SELECT message_id FROM outbox WHERE org_id = $1 AND id = $2",
            &args![t.app.org_id(), m2],
        )
        .await
        .unwrap()
        .expect("a row")
        .get(0)
        .unwrap();
    // What a permanent SMTP refusal leaves behind.
    let mut tx = t.app.store.begin().await.unwrap();
    tx.execute(
        "UPDATE outbox SET status = $1, last_error = $2 WHERE org_id = $3 AND id = $4",
        &args!["failed", "550 mailbox unavailable", t.app.org_id(), m2],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = text(&c, format!("{base}/outbox?status=failed")).await;
    assert!(page.contains("550 mailbox unavailable"));
    assert!(page.contains(&format!("action=\"/outbox/{m2}/resend\"")));
    let r = cc
        .post(format!("{base}/outbox/{m2}/resend"))
        .form(&[("csrf", ccsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a collector may not resend");
    let r = c
        .post(format!("{base}/outbox/{m2}/resend"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c
        .post(format!("{base}/outbox/deliver"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("id=\"sent-now\">1<"));
    let row = t
        .app
        .store
        .fetch_optional(
            "SELECT status, message_id FROM outbox WHERE org_id = $1 AND id = $2",
            &args![t.app.org_id(), m2],
        )
        .await
        .unwrap()
        .expect("a row");
    assert_eq!(row.get::<String>(0).unwrap(), "sent");
    assert_eq!(row.get::<String>(1).unwrap(), mid, "same Message-ID");

    // Another organization's user does not see these messages.
    let other = t.other_org("alta").await;
    let other_pw = common::user(&other, "sef@alta.ro", Role::Manager).await;
    let oc = client();
    let r = common::login(&oc, base, "sef@alta.ro", &other_pw).await;
    assert_eq!(r.status(), 303);
    let r = oc.get(format!("{base}/outbox/{m1}")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let list = text(&oc, format!("{base}/outbox")).await;
    assert!(!list.contains("ioana.popescu@beta.ro"));

    drop(server);
    t.cleanup().await;
}

#[tokio::test]
async fn api_outbox_deliveries_and_overrides() {
    use reqwest::Method;
    let t = TestApp::new().await;
    load(&t.app).await;
    common::user(&t.app, "sef@x.ro", Role::Manager).await;
    common::user(&t.app, "col@x.ro", Role::Collector).await;
    let (_, token) = accounts::create_token(&t.app, "test", "sef@x.ro", "ci")
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
    let i3 = invoice(&t.app, "TCG0003").await;

    // Bad requests: unknown fields, bad dates, bad status filter.
    let (s, p) = call(
        &c,
        Method::POST,
        format!("{base}/api/v1/deliveries"),
        &token,
        Some(json!({"when": "now"})),
    )
    .await;
    assert_eq!((s, p["code"].as_str()), (400, Some("bad_request")), "{p}");
    let (s, _) = call(
        &c,
        Method::POST,
        format!("{base}/api/v1/deliveries"),
        &token,
        Some(json!({"date": "2026-13-01"})),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = call(
        &c,
        Method::GET,
        format!("{base}/api/v1/outbox?status=lost"),
        &token,
        None,
    )
    .await;
    assert_eq!(s, 400);
    assert!(written(&server.mail_dir).is_empty());

    // A delivery: two invoices go, TCG0003 is held with its error code.
    let (s, d) = call(
        &c,
        Method::POST,
        format!("{base}/api/v1/deliveries"),
        &collector,
        Some(json!({})),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["queued"], 2);
    assert_eq!(d["outbox"]["written"], 2);
    let blocked = d["blocked"].as_array().unwrap();
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0]["invoice_id"], i3);
    assert!(
        blocked[0]["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("documents_missing")),
        "{d}"
    );
    let (_, again) = call(
        &c,
        Method::POST,
        format!("{base}/api/v1/deliveries"),
        &token,
        Some(json!({})),
    )
    .await;
    assert_eq!(again["queued"], 0, "nothing twice");
    assert_eq!(written(&server.mail_dir).len(), 2);

    // The list, newest first, with cursor pages; one message with its text.
    let (s, page) = call(
        &c,
        Method::GET,
        format!("{base}/api/v1/outbox?limit=1"),
        &token,
        None,
    )
    .await;
    assert_eq!(s, 200);
    let first = page["items"][0].clone();
    assert_eq!(first["status"], "sent");
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let (_, page2) = call(
        &c,
        Method::GET,
        format!("{base}/api/v1/outbox?limit=1&cursor={cursor}"),
        &token,
        None,
    )
    .await;
    let second = page2["items"][0].clone();
    assert!(second["id"].as_i64().unwrap() < first["id"].as_i64().unwrap());
    assert!(page2["next_cursor"].is_null(), "two messages in all");
    let (_, sent) = call(
        &c,
        Method::GET,
        format!("{base}/api/v1/outbox?status=sent"),
        &token,
        None,
    )
    .await;
    assert_eq!(sent["items"].as_array().unwrap().len(), 2);
    let id = first["id"].as_i64().unwrap();
    let (s, one) = call(
        &c,
        Method::GET,
        format!("{base}/api/v1/outbox/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert!(!one["body_text"].as_str().unwrap().is_empty());
    assert_eq!(one["invoice_ids"].as_array().unwrap().len(), 1);
    assert!(one["message_id"].as_str().unwrap().starts_with('<'));

    // Organization scoping.
    let (s, _) = call(
        &c,
        Method::GET,
        format!("{base}/api/v1/outbox/{id}"),
        &other_token,
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (_, theirs) = call(
        &c,
        Method::GET,
        format!("{base}/api/v1/outbox"),
        &other_token,
        None,
    )
    .await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    let (s, _) = call(
        &c,
        Method::POST,
        format!("{base}/api/v1/invoices/{i3}/delivery-override"),
        &other_token,
        Some(json!({"reason": "x"})),
    )
    .await;
    assert_eq!(s, 404);

    // Resend: managers only, and only failed or uncertain messages.
    let (s, _) = call(
        &c,
        Method::POST,
        format!("{base}/api/v1/outbox/{id}/resend"),
        &collector,
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, p) = call(
        &c,
        Method::POST,
        format!("{base}/api/v1/outbox/{id}/resend"),
        &token,
        None,
    )
    .await;
    assert_eq!((s, p["code"].as_str()), (409, Some("conflict")), "{p}");

    // Override: managers only, a reason required; then the invoice goes; then 409.
    let url = format!("{base}/api/v1/invoices/{i3}/delivery-override");
    let (s, _) = call(
        &c,
        Method::POST,
        url.clone(),
        &collector,
        Some(json!({"reason": "urgent"})),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = call(
        &c,
        Method::POST,
        url.clone(),
        &token,
        Some(json!({"reason": "  "})),
    )
    .await;
    assert_eq!(s, 400);
    let (s, o) = call(
        &c,
        Method::POST,
        url.clone(),
        &token,
        Some(json!({"reason": "CMR trimis separat, confirmat de client"})),
    )
    .await;
    assert_eq!(s, 200, "{o}");
    assert_eq!(o["decided_by"], "sef@x.ro");
    let (_, d) = call(
        &c,
        Method::POST,
        format!("{base}/api/v1/deliveries"),
        &token,
        Some(json!({})),
    )
    .await;
    assert_eq!(d["queued"], 1);
    assert_eq!(d["overridden"][0]["invoice_id"], i3);
    let (s, p) = call(
        &c,
        Method::POST,
        url,
        &token,
        Some(json!({"reason": "din nou"})),
    )
    .await;
    assert_eq!((s, p["code"].as_str()), (409, Some("conflict")));
    assert_eq!(written(&server.mail_dir).len(), 3);

    drop(server);
    t.cleanup().await;
}
