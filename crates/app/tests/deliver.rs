//! Invoice delivery through the mail outbox, against a real SMTP server on loopback
//! (aiosmtpd, started by each test): the right recipient, the right attachments, diacritics
//! intact, exactly once; blocked by open errors unless a manager overrides; `.eml` files
//! without SMTP; retries when the server is down; cancellation when the invoice is paid
//! before sending; an interrupted SMTP call becomes `uncertain` and is resent only by a person,
//! with the same Message-ID.
//!
//! The check's results are written straight into `invoice_checks` / `findings` here (replacing
//! what the check found on import), so that these tests depend only on the table contract
//! between the check and delivery.

mod smtp;

use std::path::{Path, PathBuf};

use creanta_app::App;
use creanta_app::deliver::{self, DeliveryReport};
use creanta_app::import::{ImportKind, ImportOptions, NoProgress, import_paths};
use creanta_app::outbox::{self, MailSettings, SmtpSettings};
use creanta_app::testing::TestApp;
use creanta_store::args;
use creanta_store::repo::events;
use jiff::civil::date;
use mail_parser::{MessageParser, MimeHeaders};
use smtp::{SmtpSink, free_port, url_for};

const ENTITIES: &str = "tax_id,name,city,ibans,email\n\
RO18547290,Termoconstruct Grup Iași SRL,Iași,RO49AAAA1B31007593840000,facturare@termoconstruct.ro\n";
const DEBTORS: &str = "code;name;tax_id;city;language;owner;required_documents\n\
D1;Beta Construcții SA;RO14840784;București;ro;ana.ionescu@termoconstruct.ro;CMR\n\
D2;Gamma Instal SRL;16621241;Cluj-Napoca;en;;\n";
const CONTACTS: &str = "debtor_code,name,email,role,primary\n\
D1,Secretariat,office@beta.ro,general,true\n\
D1,Ioana Popescu,ioana.popescu@beta.ro,finance,false\n\
D2,John Smith,john.smith@gamma.ro,finance,true\n";
const INVOICES: &str = "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,buyer_name,debtor_code,currency,total,po_number\n\
18547290,TCG,0001,2025-01-10,2025-02-09,14840784,Beta Construcții SA,D1,RON,\"1.190,00\",PO-7\n\
18547290,TCG,0002,2025-01-12,2025-02-11,16621241,Gamma Instal SRL,D2,EUR,500,\n\
18547290,TCG,0003,2025-01-15,2025-02-14,14840784,Beta Construcții SA,D1,RON,2380.50,PO-8\n";
const DOCUMENTS: &str = "file,type,invoice_number\n\
docs/TCG0001.pdf,invoice_pdf,TCG0001\n\
docs/cmr-1.pdf,cmr,TCG0001\n\
docs/comanda-1.pdf,order,TCG0001\n\
docs/TCG0002.pdf,invoice_pdf,TCG0002\n\
docs/TCG0003.pdf,invoice_pdf,TCG0003\n";

const PDF1: &[u8] = b"%PDF-1.4 factura TCG0001 \xc8\x98antier";
const CMR1: &[u8] = b"%PDF-1.4 CMR seria A nr. 1";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

async fn import(app: &App, kind: ImportKind, path: &Path) {
    import_paths(
        app,
        kind,
        &[path.to_path_buf()],
        &ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap_or_else(|e| panic!("import {kind}: {e}"));
}

/// Master data, three invoices and their documents.
async fn load(app: &App) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "docs/TCG0001.pdf", PDF1);
    write(d, "docs/cmr-1.pdf", CMR1);
    write(d, "docs/comanda-1.pdf", b"%PDF-1.4 comanda 1");
    write(d, "docs/TCG0002.pdf", b"%PDF-1.4 invoice TCG0002");
    write(d, "docs/TCG0003.pdf", b"%PDF-1.4 factura TCG0003");
    for (kind, name, text) in [
        (ImportKind::Entities, "entities.csv", ENTITIES),
        (ImportKind::Debtors, "debtors.csv", DEBTORS),
        (ImportKind::Contacts, "contacts.csv", CONTACTS),
        (ImportKind::Invoices, "invoices.csv", INVOICES),
        (ImportKind::Documents, "documents.csv", DOCUMENTS),
    ] {
        import(app, kind, &write(d, name, text.as_bytes())).await;
    }
    // Whatever the check found on import is set aside: each test states the check's results
    // it needs with `mark_checked`; an invoice without them counts as never checked.
    let mut tx = app.store.begin().await.unwrap();
    for table in ["findings", "invoice_checks"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE org_id = $1"),
            &args![app.org_id()],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    dir
}

async fn invoice(app: &App, number: &str) -> i64 {
    deliver::find_invoice(app, &format!("18547290:{number}"))
        .await
        .unwrap()
}

/// What the pre-flight check leaves behind: a row per checked invoice and its open errors.
async fn mark_checked(app: &App, invoice_id: i64, errors: &[&str]) {
    let now = creanta_app::now();
    let mut tx = app.store.begin().await.unwrap();
    tx.execute(
        "INSERT INTO invoice_checks (invoice_id, org_id, checked_at, open_errors, open_warnings) \
         VALUES ($1, $2, $3, $4, $5)",
        &args![invoice_id, app.org_id(), now, errors.len() as i64, 0i64],
    )
    .await
    .unwrap();
    for code in errors {
        tx.execute(
            "INSERT INTO findings (org_id, invoice_id, code, severity, field, detail, opened_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &args![
                app.org_id(),
                invoice_id,
                *code,
                "error",
                "po_number",
                "{}",
                now
            ],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn smtp_settings(t: &TestApp, port: u16) -> MailSettings {
    MailSettings {
        smtp: Some(SmtpSettings::from_url(&url_for(port)).unwrap()),
        ..MailSettings::files(&t.data_dir())
    }
}

async fn run(app: &App, settings: &MailSettings) -> DeliveryReport {
    deliver::deliver_invoices(app, date(2025, 3, 1), "tester", settings)
        .await
        .unwrap()
}

async fn event_kinds(app: &App) -> Vec<(String, serde_json::Value)> {
    let mut tx = app.store.begin().await.unwrap();
    let list = events::list(&mut tx, app.org_id()).await.unwrap();
    assert_eq!(events::verify(&list), None, "the event chain holds");
    list.into_iter().map(|e| (e.kind, e.data)).collect()
}

async fn outbox_row(app: &App, status: Option<&str>) -> Vec<outbox::OutboxMessage> {
    outbox::list(app, status, None, 100).await.unwrap()
}

#[tokio::test]
async fn invoice_reaches_the_finance_contact_with_its_documents_once() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let (i1, i2, i3) = (
        invoice(&t.app, "TCG0001").await,
        invoice(&t.app, "TCG0002").await,
        invoice(&t.app, "TCG0003").await,
    );
    mark_checked(&t.app, i1, &[]).await;
    mark_checked(&t.app, i2, &[]).await;
    let sink = SmtpSink::start();
    let settings = smtp_settings(&t, sink.port);

    let report = run(&t.app, &settings).await;
    assert_eq!(report.queued, 2, "{report:#?}");
    assert_eq!(report.outbox.sent, 2, "{report:#?}");
    assert_eq!(report.not_checked.len(), 1, "{report:#?}");
    assert_eq!(report.not_checked[0].invoice_id, i3);
    let got = sink.received();
    assert_eq!(got.len(), 2);

    // The Romanian debtor's invoice: to the finance contact, not to office@.
    let ro = got
        .iter()
        .find(|m| m.rcpt_tos.contains(&"ioana.popescu@beta.ro".to_owned()))
        .expect("a message to the finance contact");
    assert_eq!(ro.rcpt_tos, vec!["ioana.popescu@beta.ro"]);
    assert_eq!(ro.mail_from, "facturare@termoconstruct.ro");
    let msg = MessageParser::default().parse(&ro.raw).expect("parses");
    assert_eq!(
        msg.subject(),
        Some("Factura TCG0001 din 10.01.2025 — Termoconstruct Grup Iași SRL")
    );
    let body = msg.body_text(0).expect("text body");
    for needle in [
        "Bună ziua",
        "Beta Construcții SA",
        "Data scadenței: 09.02.2025",
        "Total: 1.190,00 RON",
        "RO49AAAA1B31007593840000",
        "Comanda: PO-7",
    ] {
        assert!(body.contains(needle), "{needle:?} missing from:\n{body}");
    }
    assert!(body.contains("CMR: cmr-1.pdf"), "{body}");
    assert_eq!(
        msg.from().and_then(|a| a.first()).and_then(|a| a.address()),
        Some("facturare@termoconstruct.ro")
    );
    assert_eq!(
        msg.reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("ana.ionescu@termoconstruct.ro")
    );
    // The PDF and the required CMR, byte for byte; the order was not required.
    let mut files: Vec<(String, Vec<u8>, String)> = msg
        .attachments()
        .map(|a| {
            let ct = a.content_type().expect("content type");
            (
                a.attachment_name().unwrap_or_default().to_owned(),
                a.contents().to_vec(),
                format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()),
            )
        })
        .collect();
    files.sort();
    assert_eq!(
        files,
        vec![
            (
                "TCG0001.pdf".into(),
                PDF1.to_vec(),
                "application/pdf".into()
            ),
            ("cmr-1.pdf".into(), CMR1.to_vec(), "application/pdf".into()),
        ]
    );
    // The Message-ID is the outbox row's, derived from the idempotency key.
    let rows = outbox_row(&t.app, Some("sent")).await;
    let row = rows
        .iter()
        .find(|r| r.idempotency_key == format!("invoice:{i1}"))
        .expect("row");
    assert_eq!(
        format!("<{}>", msg.message_id().unwrap()),
        row.message_id,
        "Message-ID"
    );
    assert!(
        row.smtp_response.as_deref().unwrap().starts_with("250"),
        "{:?}",
        row.smtp_response
    );

    // The English debtor's invoice is in English.
    let en = got
        .iter()
        .find(|m| m.rcpt_tos == vec!["john.smith@gamma.ro"])
        .expect("message to D2");
    let msg = MessageParser::default().parse(&en.raw).unwrap();
    assert_eq!(
        msg.subject(),
        Some("Invoice TCG0002 of 2025-01-12 — Termoconstruct Grup Iași SRL")
    );
    assert!(msg.body_text(0).unwrap().contains("Total: 500.00 EUR"));

    // The invoice records where and when it went; the log says so.
    let r = t
        .app
        .store
        .fetch_optional(
            "SELECT sent_to, sent_on FROM invoices WHERE id = $1",
            &args![i1],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        r.get::<Option<String>>(0).unwrap().as_deref(),
        Some("ioana.popescu@beta.ro")
    );
    assert!(r.opt_date(1).unwrap().is_some());
    let kinds = event_kinds(&t.app).await;
    assert_eq!(
        kinds
            .iter()
            .filter(|(k, _)| k == "invoice.delivered")
            .count(),
        2
    );
    assert_eq!(kinds.iter().filter(|(k, _)| k == "outbox.sent").count(), 2);

    // Again: nothing new is queued or sent.
    let again = run(&t.app, &settings).await;
    assert_eq!((again.queued, again.outbox.sent), (0, 0), "{again:#?}");
    // Checking TCG0003 afterwards delivers it alone.
    mark_checked(&t.app, i3, &[]).await;
    let third = run(&t.app, &settings).await;
    assert_eq!((third.queued, third.outbox.sent), (1, 1), "{third:#?}");
    assert_eq!(sink.received().len(), 3);
    t.cleanup().await;
}

#[tokio::test]
async fn open_error_blocks_delivery_until_a_manager_overrides_with_a_reason() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let i1 = invoice(&t.app, "TCG0001").await;
    mark_checked(&t.app, i1, &["po_missing", "documents_missing"]).await;
    let sink = SmtpSink::start();
    let settings = smtp_settings(&t, sink.port);

    let report = run(&t.app, &settings).await;
    assert_eq!(report.queued, 0);
    assert_eq!(report.blocked.len(), 1, "{report:#?}");
    assert_eq!(report.blocked[0].invoice.invoice_id, i1);
    assert_eq!(
        report.blocked[0].reasons,
        vec!["documents_missing", "po_missing"]
    );
    assert!(sink.received().is_empty());

    for (email, role) in [
        ("colector@termoconstruct.ro", "collector"),
        ("sef@termoconstruct.ro", "manager"),
    ] {
        let mut tx = t.app.store.begin().await.unwrap();
        tx.execute(
            "INSERT INTO users (org_id, email, name, role, language, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &args![
                t.app.org_id(),
                email,
                "Test",
                role,
                "ro",
                true,
                creanta_app::now()
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let err = deliver::override_delivery(&t.app, i1, "colector@termoconstruct.ro", "urgent")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("manager"), "{err}");
    let err = deliver::override_delivery(&t.app, i1, "sef@termoconstruct.ro", "  ")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("reason"), "{err}");
    assert!(run(&t.app, &settings).await.queued == 0);

    deliver::override_delivery(
        &t.app,
        i1,
        "sef@termoconstruct.ro",
        "Clientul a confirmat telefonic comanda; PO vine ulterior.",
    )
    .await
    .unwrap();
    let kinds = event_kinds(&t.app).await;
    let (_, data) = kinds
        .iter()
        .find(|(k, _)| k == "invoice.delivery_overridden")
        .expect("override logged");
    assert_eq!(
        data["reason"],
        "Clientul a confirmat telefonic comanda; PO vine ulterior."
    );
    assert_eq!(data["by"], "sef@termoconstruct.ro");
    assert_eq!(
        data["open_errors"],
        serde_json::json!(["documents_missing", "po_missing"])
    );

    let report = run(&t.app, &settings).await;
    assert_eq!((report.queued, report.outbox.sent), (1, 1), "{report:#?}");
    assert_eq!(report.overridden.len(), 1);
    assert!(report.blocked.is_empty());
    assert_eq!(sink.received().len(), 1);
    assert_eq!(sink.received()[0].rcpt_tos, vec!["ioana.popescu@beta.ro"]);
    // Once delivered, a second override is refused and nothing more is sent.
    assert!(
        deliver::override_delivery(&t.app, i1, "sef@termoconstruct.ro", "din nou")
            .await
            .is_err()
    );
    assert_eq!(run(&t.app, &settings).await.outbox.sent, 0);
    assert_eq!(sink.received().len(), 1);
    t.cleanup().await;
}

#[tokio::test]
async fn without_smtp_settings_an_eml_file_is_written_once() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let i1 = invoice(&t.app, "TCG0001").await;
    mark_checked(&t.app, i1, &[]).await;
    let settings = MailSettings::files(&t.data_dir());

    let report = run(&t.app, &settings).await;
    assert_eq!(
        (report.queued, report.outbox.written),
        (1, 1),
        "{report:#?}"
    );
    let dir = t.data_dir().join("outbox");
    let list = |d: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    let files = list(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().unwrap(), "eml");
    let raw = std::fs::read(&files[0]).unwrap();
    let msg = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        msg.subject(),
        Some("Factura TCG0001 din 10.01.2025 — Termoconstruct Grup Iași SRL")
    );
    assert!(msg.body_text(0).unwrap().contains("Beta Construcții SA"));
    assert_eq!(msg.attachment_count(), 2);
    let row = &outbox_row(&t.app, Some("sent")).await[0];
    assert_eq!(
        row.smtp_response.as_deref(),
        Some(format!("written to {}", files[0].display()).as_str())
    );
    assert!(
        files[0]
            .to_str()
            .unwrap()
            .contains(row.message_id.trim_matches(['<', '>']))
    );

    let again = run(&t.app, &settings).await;
    assert_eq!((again.queued, again.outbox.written), (0, 0));
    assert_eq!(list(&dir), files, "nothing new, no temporary file left");
    t.cleanup().await;
}

#[tokio::test]
async fn server_down_keeps_the_message_queued_then_it_is_sent() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let i1 = invoice(&t.app, "TCG0001").await;
    mark_checked(&t.app, i1, &[]).await;
    let port = free_port();
    let settings = smtp_settings(&t, port);

    let report = run(&t.app, &settings).await;
    assert_eq!(
        (report.queued, report.outbox.retrying),
        (1, 1),
        "{report:#?}"
    );
    let rows = outbox_row(&t.app, None).await;
    assert_eq!(rows.len(), 1);
    let first = rows[0].clone();
    assert_eq!(first.status, "queued");
    assert_eq!(first.attempts, 1);
    assert!(
        first
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("onnect"),
        "{:?}",
        first.last_error
    );
    let next = first.next_attempt_at.expect("a next attempt");
    assert!(next > creanta_app::now(), "backed off: {next}");

    // Before the back-off is over, nothing is tried even with the server up.
    let sink = SmtpSink::start_on(port, 0, "451");
    let early = outbox::deliver_outbox(&t.app, &settings).await.unwrap();
    assert_eq!(early.sent + early.retrying, 0, "{early:#?}");
    assert!(sink.received().is_empty());

    let later = next
        .checked_add(jiff::SignedDuration::from_secs(1))
        .unwrap();
    let report = outbox::deliver_outbox_at(&t.app, &settings, later)
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:#?}");
    let got = sink.received();
    assert_eq!(got.len(), 1);
    let msg = MessageParser::default().parse(&got[0].raw).unwrap();
    assert_eq!(format!("<{}>", msg.message_id().unwrap()), first.message_id);
    let row = &outbox_row(&t.app, None).await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
    t.cleanup().await;
}

#[tokio::test]
async fn temporary_refusal_is_retried_and_permanent_refusal_fails_until_resent() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let i1 = invoice(&t.app, "TCG0001").await;
    mark_checked(&t.app, i1, &[]).await;

    // 451 once: back in the queue with the server's answer, then sent.
    let sink = SmtpSink::start_on(free_port(), 1, "451");
    let settings = smtp_settings(&t, sink.port);
    let report = run(&t.app, &settings).await;
    assert_eq!(report.outbox.retrying, 1, "{report:#?}");
    let row = &outbox_row(&t.app, None).await[0];
    assert_eq!(row.status, "queued");
    assert!(
        row.smtp_response
            .as_deref()
            .unwrap_or_default()
            .contains("451"),
        "{row:?}"
    );
    let later = creanta_app::now() + jiff::SignedDuration::from_secs(3600);
    let report = outbox::deliver_outbox_at(&t.app, &settings, later)
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:#?}");
    assert_eq!(sink.received().len(), 1);
    drop(sink);

    // 550: failed at once, with the answer; a person resends it with the same Message-ID.
    let i2 = invoice(&t.app, "TCG0002").await;
    mark_checked(&t.app, i2, &[]).await;
    let sink = SmtpSink::start_on(free_port(), 1, "550");
    let settings = smtp_settings(&t, sink.port);
    let report = run(&t.app, &settings).await;
    assert_eq!((report.queued, report.outbox.failed), (1, 1), "{report:#?}");
    let failed = outbox_row(&t.app, Some("failed")).await;
    assert_eq!(failed.len(), 1);
    assert!(failed[0].can_resend);
    assert!(
        failed[0]
            .smtp_response
            .as_deref()
            .unwrap_or_default()
            .contains("550"),
        "{:?}",
        failed[0]
    );
    assert_eq!(
        run(&t.app, &settings).await.outbox.sent,
        0,
        "not retried by itself"
    );
    outbox::resend(&t.app, failed[0].id, "sef@termoconstruct.ro")
        .await
        .unwrap();
    let report = outbox::deliver_outbox(&t.app, &settings).await.unwrap();
    assert_eq!(report.sent, 1, "{report:#?}");
    let got = sink.received();
    assert_eq!(got.len(), 1);
    let msg = MessageParser::default().parse(&got[0].raw).unwrap();
    assert_eq!(
        format!("<{}>", msg.message_id().unwrap()),
        failed[0].message_id
    );
    assert!(
        outbox::resend(&t.app, failed[0].id, "x").await.is_err(),
        "a sent message cannot be resent"
    );
    t.cleanup().await;
}

#[tokio::test]
async fn payment_between_queueing_and_sending_cancels_the_message() {
    let t = TestApp::new().await;
    let files = load(&t.app).await;
    let i1 = invoice(&t.app, "TCG0001").await;
    mark_checked(&t.app, i1, &[]).await;
    let port = free_port();
    let settings = smtp_settings(&t, port);
    let report = run(&t.app, &settings).await;
    assert_eq!(
        (report.queued, report.outbox.retrying),
        (1, 1),
        "{report:#?}"
    );

    let pay = write(
        files.path(),
        "payments.csv",
        "date,amount,currency,payer_tax_id,reference,invoice_number\n\
         2025-03-02,1190.00,RON,14840784,plata TCG0001,TCG0001\n"
            .as_bytes(),
    );
    import(&t.app, ImportKind::Payments, &pay).await;

    let sink = SmtpSink::start_on(port, 0, "451");
    let later = creanta_app::now() + jiff::SignedDuration::from_secs(3600);
    let report = outbox::deliver_outbox_at(&t.app, &settings, later)
        .await
        .unwrap();
    assert_eq!((report.cancelled, report.sent), (1, 0), "{report:#?}");
    assert!(sink.received().is_empty());
    let row = &outbox_row(&t.app, None).await[0];
    assert_eq!(row.status, "cancelled");
    assert!(
        row.cancelled_reason.as_deref().unwrap().contains("paid"),
        "{row:?}"
    );
    assert!(
        event_kinds(&t.app)
            .await
            .iter()
            .any(|(k, _)| k == "outbox.cancelled")
    );
    t.cleanup().await;
}

#[tokio::test]
async fn message_caught_in_the_smtp_call_becomes_uncertain_and_is_resent_with_its_message_id() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let i1 = invoice(&t.app, "TCG0001").await;
    mark_checked(&t.app, i1, &[]).await;
    let port = free_port();
    let settings = smtp_settings(&t, port);
    run(&t.app, &settings).await;
    let id = outbox_row(&t.app, None).await[0].id;

    // A sender claimed it and died in the SMTP call: 'sending', lease run out.
    let now = creanta_app::now();
    let mut tx = t.app.store.begin().await.unwrap();
    tx.execute(
        "UPDATE outbox SET status = 'sending', transport = 'smtp', lease_until = $1 WHERE id = $2",
        &args![now.as_second() - 1, id],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let sink = SmtpSink::start_on(port, 0, "451");
    let report = outbox::deliver_outbox(&t.app, &settings).await.unwrap();
    assert_eq!((report.uncertain, report.sent), (1, 0), "{report:#?}");
    let row = &outbox_row(&t.app, None).await[0];
    assert_eq!(row.status, "uncertain");
    assert!(row.can_resend);
    // Never resent by itself, however late.
    let much_later = now + jiff::SignedDuration::from_secs(86_400);
    let report = outbox::deliver_outbox_at(&t.app, &settings, much_later)
        .await
        .unwrap();
    assert_eq!(report.sent, 0);
    assert!(sink.received().is_empty());

    outbox::resend(&t.app, id, "sef@termoconstruct.ro")
        .await
        .unwrap();
    let report = outbox::deliver_outbox(&t.app, &settings).await.unwrap();
    assert_eq!(report.sent, 1, "{report:#?}");
    let got = sink.received();
    assert_eq!(got.len(), 1);
    let msg = MessageParser::default().parse(&got[0].raw).unwrap();
    assert_eq!(format!("<{}>", msg.message_id().unwrap()), row.message_id);
    let kinds = event_kinds(&t.app).await;
    for k in ["outbox.uncertain", "outbox.resend", "outbox.sent"] {
        assert!(kinds.iter().any(|(e, _)| e == k), "{k}");
    }
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_deliveries_at_once_send_each_invoice_once() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    for n in ["TCG0001", "TCG0002", "TCG0003"] {
        let id = invoice(&t.app, n).await;
        mark_checked(&t.app, id, &[]).await;
    }
    let sink = SmtpSink::start();
    let settings = smtp_settings(&t, sink.port);
    let (a, b) = (t.app.clone(), t.app.clone());
    let (sa, sb) = (settings.clone(), settings.clone());
    let one = tokio::spawn(async move { run(&a, &sa).await });
    let two = tokio::spawn(async move { run(&b, &sb).await });
    let (one, two) = (one.await.unwrap(), two.await.unwrap());
    assert_eq!(one.queued + two.queued, 3, "{one:#?}\n{two:#?}");
    assert_eq!(one.outbox.sent + two.outbox.sent, 3, "{one:#?}\n{two:#?}");
    let got = sink.received();
    assert_eq!(got.len(), 3);
    let mut ids: Vec<String> = got
        .iter()
        .map(|m| {
            MessageParser::default()
                .parse(&m.raw)
                .unwrap()
                .message_id()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three different messages");
    t.cleanup().await;
}
