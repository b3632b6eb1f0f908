//! The daily run of the action calendar, on both backends, with a real SMTP server on
//! loopback: the day's step for every late debtor, one message per debtor to the finance
//! contact, tasks for calls, nothing twice on the same date or the next, pauses with their
//! reasons, and a payment that cancels a queued reminder before it goes out.

mod smtp;

use std::path::{Path, PathBuf};

use creanta_app::App;
use creanta_app::calendar::holds::{self, NewHold};
use creanta_app::calendar::{self, RunOptions, RunReport};
use creanta_app::import::{ImportKind, ImportOptions, NoProgress, import_paths};
use creanta_app::outbox::{self, MailSettings, SmtpSettings};
use creanta_app::testing::TestApp;
use creanta_store::args;
use creanta_store::repo::events;
use jiff::civil::{Date, date};
use mail_parser::MessageParser;
use smtp::{SmtpSink, url_for};

const ENTITIES: &str = "tax_id,name,city,ibans,email\n\
RO18547290,Termoconstruct Grup Iași SRL,Iași,RO49AAAA1B31007593840000,facturare@termoconstruct.ro\n";
const DEBTORS: &str = "code;name;tax_id;city;language;owner\n\
D1;Beta Construcții SA;RO14840784;București;ro;ana.ionescu@termoconstruct.ro\n\
D2;Gamma Instal SRL;16621241;Cluj-Napoca;en;\n\
D3;Delta Prod SRL;RO6859662;Brașov;ro;\n";
const CONTACTS: &str = "debtor_code,name,email,role,primary\n\
D1,Secretariat,office@beta.ro,general,true\n\
D1,Ioana Popescu,ioana.popescu@beta.ro,finance,false\n\
D2,John Smith,john.smith@gamma.ro,finance,true\n";
// TCG0001 is due Sunday 9 February 2025: +10 is Wednesday 19. TCG0003 is due Friday 14: +1
// (Saturday 15) moves to Monday 17, +5 is Wednesday 19, +10 Monday 24. TCG0002 is due
// Tuesday 11: +5 (Sunday 16) moves to Monday 17, +10 is Friday 21.
const INVOICES: &str = "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,buyer_name,debtor_code,currency,total\n\
18547290,TCG,0001,2025-01-10,2025-02-09,14840784,Beta Construcții SA,D1,RON,\"1.190,00\"\n\
18547290,TCG,0002,2025-01-12,2025-02-11,16621241,Gamma Instal SRL,D2,EUR,500\n\
18547290,TCG,0003,2025-01-15,2025-02-14,14840784,Beta Construcții SA,D1,RON,2380.50\n\
18547290,TCG,0004,2025-01-15,2025-02-14,6859662,Delta Prod SRL,D3,RON,100\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

async fn import(app: &App, kind: ImportKind, path: &Path) -> creanta_app::import::ImportSummary {
    import_paths(
        app,
        kind,
        &[path.to_path_buf()],
        &ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap_or_else(|e| panic!("import {kind}: {e}"))
}

async fn load(app: &App) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (kind, name, text) in [
        (ImportKind::Entities, "entities.csv", ENTITIES),
        (ImportKind::Debtors, "debtors.csv", DEBTORS),
        (ImportKind::Contacts, "contacts.csv", CONTACTS),
        (ImportKind::Invoices, "invoices.csv", INVOICES),
    ] {
        import(app, kind, &write(dir.path(), name, text.as_bytes())).await;
    }
    dir
}

fn smtp_settings(t: &TestApp, port: u16) -> MailSettings {
    MailSettings {
        smtp: Some(SmtpSettings::from_url(&url_for(port)).unwrap()),
        ..MailSettings::files(&t.data_dir())
    }
}

async fn run_on(app: &App, day: Date, send: bool, settings: &MailSettings) -> RunReport {
    calendar::run(
        app,
        &RunOptions {
            date: day,
            dry_run: false,
            send,
            actor: "tester".into(),
        },
        settings,
    )
    .await
    .unwrap()
}

/// (debtor code, step, status, invoice labels) of every action, sorted.
fn actions(r: &RunReport) -> Vec<(String, String, String, Vec<String>)> {
    let mut v: Vec<_> = r
        .actions
        .iter()
        .map(|a| {
            (
                a.debtor_code.clone(),
                a.step.clone(),
                a.status.clone(),
                a.invoices.iter().map(|i| i.label.clone()).collect(),
            )
        })
        .collect();
    v.sort();
    v
}

fn row(
    code: &str,
    step: &str,
    status: &str,
    invoices: &[&str],
) -> (String, String, String, Vec<String>) {
    (
        code.into(),
        step.into(),
        status.into(),
        invoices.iter().map(|s| (*s).to_owned()).collect(),
    )
}

async fn count(app: &App, table: &str) -> i64 {
    let mut tx = app.store.begin().await.unwrap();
    tx.fetch_one(
        &format!("SELECT COUNT(*) FROM {table} WHERE org_id = $1"),
        &args![app.org_id()],
    )
    .await
    .unwrap()
    .get(0)
    .unwrap()
}

#[tokio::test]
async fn each_day_brings_the_latest_step_once_in_one_message_per_debtor() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let sink = SmtpSink::start();
    let settings = smtp_settings(&t, sink.port);

    let r = run_on(&t.app, date(2025, 2, 19), true, &settings).await;
    assert_eq!(
        actions(&r),
        [
            row("D1", "call", "task", &["TCG0003"]),
            row("D1", "firm_reminder", "queued", &["TCG0001"]),
            row("D2", "call", "task", &["TCG0002"]),
            row("D3", "call", "task", &["TCG0004"]),
        ],
        "{r:#?}"
    );
    assert_eq!((r.recorded, r.messages_queued, r.tasks_created), (4, 1, 3));
    let firm = r
        .actions
        .iter()
        .find(|a| a.step == "firm_reminder")
        .unwrap();
    assert_eq!(
        firm.invoices[0].reason,
        "invoice TCG0001 10 days overdue → step +10 (firm_reminder)"
    );
    assert_eq!(r.outbox.as_ref().unwrap().sent, 1);
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_tos, ["ioana.popescu@beta.ro"]);
    assert_eq!(got[0].mail_from, "facturare@termoconstruct.ro");
    let msg = MessageParser::default().parse(&got[0].raw).unwrap();
    assert_eq!(
        msg.subject(),
        Some("Al doilea aviz: sume restante — Beta Construcții SA")
    );
    let reply_to = msg
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address());
    assert_eq!(reply_to, Some("ana.ionescu@termoconstruct.ro"));
    let body = msg.body_text(0).unwrap();
    for needle in [
        "Bună ziua",
        "factura TCG0001 din 10.01.2025, scadentă la 09.02.2025: rest de plată 1.190,00 RON (10 zile de întârziere)",
        "Total de plată: 1.190,00 RON.",
        "contul RO49AAAA1B31007593840000 (Termoconstruct Grup Iași SRL)",
        "cu mențiunea „TCG0001”",
        "Termoconstruct Grup Iași SRL",
    ] {
        assert!(body.contains(needle), "{needle:?} missing from:\n{body}");
    }
    assert!(
        !body.contains("TCG0003"),
        "a call step is not in the message"
    );

    // The same date again: nothing new anywhere.
    let again = run_on(&t.app, date(2025, 2, 19), true, &settings).await;
    assert_eq!(
        (again.recorded, again.messages_queued),
        (0, 0),
        "{again:#?}"
    );
    assert!(again.actions.is_empty(), "{again:#?}");
    assert_eq!(again.up_to_date, 4);
    // The next day: every invoice's latest step is done.
    let next = run_on(&t.app, date(2025, 2, 20), true, &settings).await;
    assert!(next.actions.is_empty(), "{next:#?}");
    assert_eq!(sink.received().len(), 1);
    assert_eq!(count(&t.app, "actions").await, 4);

    // Monday 24: TCG0003 and TCG0002 reach +10; Gamma reads English.
    let r = run_on(&t.app, date(2025, 2, 24), true, &settings).await;
    assert_eq!(
        actions(&r),
        [
            row("D1", "firm_reminder", "queued", &["TCG0003"]),
            row("D2", "firm_reminder", "queued", &["TCG0002"]),
            row("D3", "firm_reminder", "no_recipient", &["TCG0004"]),
        ],
        "{r:#?}"
    );
    let got = sink.received();
    assert_eq!(got.len(), 3);
    let en = got
        .iter()
        .find(|m| m.rcpt_tos == ["john.smith@gamma.ro"])
        .unwrap();
    let msg = MessageParser::default().parse(&en.raw).unwrap();
    assert_eq!(
        msg.subject(),
        Some("Second notice: amounts overdue — Gamma Instal SRL")
    );
    assert!(
        msg.body_text(0).unwrap().contains(
            "invoice TCG0002 of 2025-01-12, due 2025-02-11: 500.00 EUR open (13 days late)"
        ),
        "{}",
        msg.body_text(0).unwrap()
    );

    let mut tx = t.app.store.begin().await.unwrap();
    let list = events::list(&mut tx, t.app.org_id()).await.unwrap();
    assert_eq!(events::verify(&list), None);
    let planned = list.iter().filter(|e| e.kind == "action.planned").count();
    assert_eq!(planned, 7);
    drop(tx);
    t.cleanup().await;
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_says_what_it_would_do() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let settings = MailSettings::files(&t.data_dir());
    let r = calendar::run(
        &t.app,
        &RunOptions {
            date: date(2025, 2, 19),
            dry_run: true,
            send: true,
            actor: "tester".into(),
        },
        &settings,
    )
    .await
    .unwrap();
    assert_eq!(r.actions.len(), 4);
    assert!(r.actions.iter().all(|a| a.status == "planned"));
    assert_eq!(r.recorded, 0);
    assert_eq!(count(&t.app, "actions").await, 0);
    assert_eq!(count(&t.app, "outbox").await, 0);
    t.cleanup().await;
}

#[tokio::test]
async fn a_payment_cancels_the_queued_reminder_before_it_goes_out() {
    let t = TestApp::new().await;
    let files = load(&t.app).await;
    let sink = SmtpSink::start();
    let settings = smtp_settings(&t, sink.port);
    let r = run_on(&t.app, date(2025, 2, 19), false, &settings).await;
    assert_eq!(r.messages_queued, 1);
    assert!(r.outbox.is_none());

    let pay = write(
        files.path(),
        "payments.csv",
        "date,amount,currency,payer_tax_id,reference,invoice_number\n\
         2025-02-19,1190.00,RON,14840784,plata TCG0001,TCG0001\n\
         2025-02-19,100.00,RON,6859662,plata TCG0004,TCG0004\n"
            .as_bytes(),
    );
    let summary = import(&t.app, ImportKind::Payments, &pay).await;
    // The firm reminder about TCG0001, and Delta's call task about TCG0004.
    assert_eq!(summary.actions_cancelled, 2, "{summary:#?}");
    let rows = outbox::list(&t.app, None, None, 10).await.unwrap();
    assert_eq!(rows[0].status, "cancelled");
    assert_eq!(
        rows[0].cancelled_reason.as_deref(),
        Some("the invoices were paid")
    );
    let report = outbox::deliver_outbox(&t.app, &settings).await.unwrap();
    assert_eq!(report.sent, 0);
    assert!(sink.received().is_empty());
    // Beta's call about TCG0003, still unpaid, stays.
    let mut tx = t.app.store.begin().await.unwrap();
    let open: Vec<String> = tx
        .fetch_all(
            "SELECT step FROM actions WHERE org_id = $1 AND status = $2 ORDER BY id",
            &args![t.app.org_id(), "open"],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert_eq!(open, ["call", "call"]);
    drop(tx);
    t.cleanup().await;
}

#[tokio::test]
async fn disputes_promises_pauses_and_hand_offs_hold_the_calendar_with_their_reason() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let settings = MailSettings::files(&t.data_dir());
    let ids = invoice_ids(&t.app).await;
    let debtor = |code: &'static str| {
        let app = t.app.clone();
        async move {
            let mut tx = app.store.begin().await.unwrap();
            tx.fetch_one(
                "SELECT id FROM debtors WHERE org_id = $1 AND code = $2",
                &args![app.org_id(), code],
            )
            .await
            .unwrap()
            .get::<i64>(0)
            .unwrap()
        }
    };
    let (d2, d3) = (debtor("D2").await, debtor("D3").await);
    holds::add(
        &t.app,
        &NewHold::Dispute {
            invoice_id: ids["TCG0001"],
            reason: "quality_complaint".into(),
            note: Some("țevi defecte".into()),
        },
        "ana",
    )
    .await
    .unwrap();
    holds::add(
        &t.app,
        &NewHold::Promise {
            debtor_id: d2,
            invoice_id: None,
            amount: 50_000,
            currency: creanta_domain::Currency::EUR,
            until: date(2025, 2, 28),
            note: None,
        },
        "ana",
    )
    .await
    .unwrap();
    holds::add(
        &t.app,
        &NewHold::HandOff {
            debtor_id: d3,
            partner: "Cabinet Avocat Ionescu".into(),
            note: None,
        },
        "ana",
    )
    .await
    .unwrap();
    let bad = holds::add(
        &t.app,
        &NewHold::Dispute {
            invoice_id: ids["TCG0003"],
            reason: "too_expensive".into(),
            note: None,
        },
        "ana",
    )
    .await
    .unwrap_err();
    assert!(bad.to_string().contains("quality_complaint"), "{bad}");

    let r = run_on(&t.app, date(2025, 2, 19), false, &settings).await;
    assert_eq!(
        actions(&r),
        [row("D1", "call", "task", &["TCG0003"])],
        "{r:#?}"
    );
    let mut why: Vec<(String, String)> = r
        .skipped
        .iter()
        .map(|s| (s.label.clone(), s.why.clone()))
        .collect();
    why.sort();
    assert_eq!(
        why,
        [
            ("TCG0001".into(), "disputed (quality_complaint)".into()),
            ("TCG0002".into(), "payment promised by 2025-02-28".into()),
            (
                "TCG0004".into(),
                "handed over to Cabinet Avocat Ionescu".into()
            ),
        ]
    );
    // After the promised date, Gamma is pursued again with the latest step only.
    let r = run_on(&t.app, date(2025, 3, 3), false, &settings).await;
    let gamma: Vec<_> = actions(&r).into_iter().filter(|a| a.0 == "D2").collect();
    assert_eq!(gamma, [row("D2", "formal_notice", "queued", &["TCG0002"])]);
    t.cleanup().await;
}

#[tokio::test]
async fn a_new_hold_cancels_the_pending_actions_it_stops() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let settings = MailSettings::files(&t.data_dir());
    run_on(&t.app, date(2025, 2, 19), false, &settings).await;
    let ids = invoice_ids(&t.app).await;
    let (_, cancelled) = holds::add(
        &t.app,
        &NewHold::Dispute {
            invoice_id: ids["TCG0001"],
            reason: "not_received".into(),
            note: None,
        },
        "ana",
    )
    .await
    .unwrap();
    assert_eq!(cancelled.len(), 1, "{cancelled:?}");
    assert_eq!(cancelled[0].reason, "disputed (not_received)");
    let rows = outbox::list(&t.app, Some("cancelled"), None, 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    t.cleanup().await;
}

async fn invoice_ids(app: &App) -> std::collections::HashMap<String, i64> {
    let mut tx = app.store.begin().await.unwrap();
    tx.fetch_all(
        "SELECT series, number, id FROM invoices WHERE org_id = $1",
        &args![app.org_id()],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| {
        let s: String = r.get(0).unwrap();
        let n: String = r.get(1).unwrap();
        (format!("{s}{n}"), r.get(2).unwrap())
    })
    .collect()
}

#[tokio::test]
async fn policies_export_and_import_as_toml_all_or_nothing() {
    let t = TestApp::new().await;
    let text = calendar::export_toml(&t.app).await.unwrap();
    assert!(text.contains("default = \"standard\""), "{text}");
    assert!(text.contains("offset = -3"), "{text}");
    // Round trip: nothing changes.
    let r = calendar::import_toml(&t.app, "p.toml", &text, "tester")
        .await
        .unwrap();
    assert_eq!(
        (r.created.len(), r.updated.len(), r.unchanged.len()),
        (0, 0, 1)
    );

    let quick = format!(
        "{text}\n[[policy]]\ncode = \"quick\"\nname = \"Rapid\"\n\n[[policy.steps]]\ncode = \"r1\"\n\
         offset = 1\nkind = \"email\"\ntemplate = \"reminder\"\nmin_open = {{ RON = \"50.00\" }}\n"
    );
    let r = calendar::import_toml(&t.app, "p.toml", &quick, "tester")
        .await
        .unwrap();
    assert_eq!(r.created, ["quick"]);
    let (policies, default) = calendar::policies(&t.app).await.unwrap();
    assert_eq!(default, "standard");
    assert_eq!(policies.len(), 2);

    // A bad step: the error names file, policy, step and field; nothing is written.
    let bad = quick
        .replace(
            "template = \"reminder\"\nmin_open",
            "template = \"remnder\"\nmin_open",
        )
        .replace("code = \"quick\"", "code = \"quick2\"");
    let e = calendar::import_toml(&t.app, "p.toml", &bad, "tester")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("p.toml: policy quick2, step 1 (r1): template"),
        "{e}"
    );
    let bad = quick.replace("offset = 1\n", "offset = 1\nofset = 2\n");
    let e = calendar::import_toml(&t.app, "p.toml", &bad, "tester")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("p.toml") && e.contains("ofset"), "{e}");
    assert_eq!(calendar::policies(&t.app).await.unwrap().0.len(), 2);
    t.cleanup().await;
}

#[tokio::test]
async fn the_scheduler_runs_each_organization_once_a_day_and_delivers_its_outbox() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    for (kind, name, text) in [
        (ImportKind::Entities, "entities.csv", ENTITIES),
        (ImportKind::Debtors, "debtors.csv", DEBTORS),
        (ImportKind::Contacts, "contacts.csv", CONTACTS),
    ] {
        import(&t.app, kind, &write(dir.path(), name, text.as_bytes())).await;
    }
    // An invoice 40 days late today, whatever today is: the +30 escalation (a task) and, for
    // the one 12 days late, a message.
    let today = t.app.today();
    let due = |days: i64| today.checked_sub(jiff::Span::new().days(days)).unwrap();
    let invoices = format!(
        "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,debtor_code,currency,total\n\
         18547290,S,1,{},{},14840784,D1,RON,100\n18547290,S,2,{},{},14840784,D1,RON,100\n",
        due(70),
        due(40),
        due(42),
        due(12)
    );
    import(
        &t.app,
        ImportKind::Invoices,
        &write(dir.path(), "invoices.csv", invoices.as_bytes()),
    )
    .await;
    let settings = MailSettings::files(&t.data_dir());
    let mut last_run = std::collections::HashMap::new();
    let midnight = jiff::civil::time(0, 0, 0, 0);
    creanta_app::scheduler::tick(&t.app.store, &settings, Some(midnight), &mut last_run)
        .await
        .unwrap();
    assert_eq!(last_run.get(&t.app.org_id()), Some(&today));
    assert_eq!(count(&t.app, "actions").await, 2);
    let written = outbox::list(&t.app, Some("sent"), None, 10).await.unwrap();
    assert_eq!(
        written.len(),
        1,
        "the day's message went out on the same tick"
    );
    // The next tick the same day runs nothing again; a forgotten "last run" (a restart) finds
    // everything recorded already.
    creanta_app::scheduler::tick(&t.app.store, &settings, Some(midnight), &mut last_run)
        .await
        .unwrap();
    last_run.clear();
    creanta_app::scheduler::tick(&t.app.store, &settings, Some(midnight), &mut last_run)
        .await
        .unwrap();
    assert_eq!(count(&t.app, "actions").await, 2);
    assert_eq!(count(&t.app, "outbox").await, 1);
    t.cleanup().await;
}

/// The text of a PDF as `pdftotext -layout` reads it (poppler-utils; the test command
/// installs it when missing).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Words separated by single spaces: what a line break of the layout does not change.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The PDF attachments of a received message: (file name, text).
fn pdf_attachments(raw: &[u8]) -> Vec<(String, String)> {
    use mail_parser::MimeHeaders;
    let msg = MessageParser::default().parse(raw).unwrap();
    msg.attachments()
        .map(|a| {
            (
                a.attachment_name().unwrap_or_default().to_owned(),
                pdf_text(a.contents()),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_firm_reminder_carries_the_statement_and_the_formal_notice_is_a_pdf_letter() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let sink = SmtpSink::start();
    let settings = smtp_settings(&t, sink.port);

    // 24 February: Beta's TCG0003 reaches +10, the firm reminder with the statement attached.
    run_on(&t.app, date(2025, 2, 24), true, &settings).await;
    let got = sink.received();
    let beta = got
        .iter()
        .find(|m| m.rcpt_tos == ["ioana.popescu@beta.ro"])
        .unwrap();
    let pdfs = pdf_attachments(&beta.raw);
    assert_eq!(pdfs.len(), 1);
    let (name, statement) = &pdfs[0];
    assert_eq!(name, "extras-de-cont-D1-24-02-2025.pdf");
    for needle in [
        "Extras de cont",
        "Termoconstruct Grup Iași SRL",
        "Beta Construcții SA",
        "TCG0001",
        "TCG0003",
        "RO49AAAA1B31007593840000",
    ] {
        assert!(
            flat(statement).contains(needle),
            "{needle:?} missing from:\n{statement}"
        );
    }
    let body = MessageParser::default()
        .parse(&beta.raw)
        .unwrap()
        .body_text(0)
        .unwrap()
        .into_owned();
    assert!(
        body.contains("Atașăm: extras-de-cont-D1-24-02-2025.pdf."),
        "{body}"
    );
    insta::assert_snapshot!("statement_ro", statement);

    // 6 March: both of Beta's invoices are at +20: one formal notice lists them, as an e-mail
    // with the notice and the statement, and a task to send it by registered letter.
    let r = run_on(&t.app, date(2025, 3, 6), true, &settings).await;
    let notice_action = r.actions.iter().find(|a| a.debtor_code == "D1").unwrap();
    assert_eq!(notice_action.step, "formal_notice");
    assert_eq!(notice_action.invoices.len(), 2);
    let got = sink.received();
    let last = got
        .iter()
        .rev()
        .find(|m| m.rcpt_tos == ["ioana.popescu@beta.ro"])
        .unwrap();
    let pdfs = pdf_attachments(&last.raw);
    let names: Vec<&str> = pdfs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "notificare-de-plata-D1-06-03-2025.pdf",
            "extras-de-cont-D1-06-03-2025.pdf"
        ]
    );
    let notice = &pdfs[0].1;
    for needle in [
        "Notificare – somație de plată",
        "art. 1014–1015 din Codul de procedură civilă",
        "Beta Construcții SA",
        "14840784",
        "TCG0001",
        "TCG0003",
        "15 zile de la primirea prezentei",
        "3.570,50 RON",
        "ordonanțe de plată",
    ] {
        assert!(
            flat(notice).contains(needle),
            "{needle:?} missing from:\n{notice}"
        );
    }
    insta::assert_snapshot!("notice_ro", notice);
    let mut tx = t.app.store.begin().await.unwrap();
    let kinds: Vec<String> = tx
        .fetch_all(
            "SELECT doc_type FROM documents WHERE org_id = $1 ORDER BY id",
            &args![t.app.org_id()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    assert!(kinds.contains(&"notice".to_owned()) && kinds.contains(&"statement".to_owned()));
    let task: String = tx
        .fetch_one(
            "SELECT status FROM actions WHERE org_id = $1 AND step = $2",
            &args![t.app.org_id(), "formal_notice"],
        )
        .await
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(task, "open", "the registered letter is still to be sent");
    drop(tx);
    t.cleanup().await;
}

#[tokio::test]
async fn escalations_wait_for_a_manager_and_a_served_notice_starts_the_fifteen_days() {
    use creanta_app::calendar::actions;
    use creanta_domain::model::Role;
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let settings = MailSettings::files(&t.data_dir());
    // 6 March: Beta gets the formal notice (+20); 24 March: Beta's TCG0001 is at +30.
    let r = run_on(&t.app, date(2025, 3, 6), false, &settings).await;
    let notice = r
        .actions
        .iter()
        .find(|a| a.debtor_code == "D1" && a.step == "formal_notice")
        .unwrap();
    let mut tx = t.app.store.begin().await.unwrap();
    let notice_id: i64 = tx
        .fetch_one(
            "SELECT id FROM actions WHERE org_id = $1 AND key = $2",
            &args![t.app.org_id(), notice.key.as_str()],
        )
        .await
        .unwrap()
        .get(0)
        .unwrap();
    drop(tx);
    // Before the notice was sent, or after today: refused.
    for day in [date(2025, 3, 5), t.app.today().tomorrow().unwrap()] {
        assert!(
            actions::record_service(&t.app, notice_id, day, None, "ana")
                .await
                .is_err(),
            "{day}"
        );
    }
    let served = actions::record_service(&t.app, notice_id, date(2025, 3, 10), None, "ana")
        .await
        .unwrap();
    assert_eq!(served.term_ends, date(2025, 3, 25));

    let r = run_on(&t.app, date(2025, 3, 24), false, &settings).await;
    let escalation = r
        .actions
        .iter()
        .find(|a| a.debtor_code == "D1" && a.step == "escalation")
        .unwrap();
    assert_eq!(escalation.status, "awaiting_approval");
    let list = actions::of_debtor(&t.app, escalation.debtor_id)
        .await
        .unwrap();
    let esc = list.iter().find(|a| a.step == "escalation").unwrap();
    let served_row = list.iter().find(|a| a.id == notice_id).unwrap();
    assert_eq!(served_row.status, "done");
    assert_eq!(
        served_row.outcome.as_deref(),
        Some("served on 2025-03-10; the 15-day term ends on 2025-03-25")
    );
    let refused = actions::approve(&t.app, esc.id, "ion", Role::Collector, &settings).await;
    assert!(refused.is_err());
    let approved = actions::approve(&t.app, esc.id, "maria", Role::Manager, &settings)
        .await
        .unwrap();
    assert_eq!(approved.status, "open");
    assert!(actions::complete(&t.app, esc.id, "ana", " ").await.is_err());
    let done = actions::complete(&t.app, esc.id, "ana", "predat la Cabinet Ionescu")
        .await
        .unwrap();
    assert_eq!(
        (done.status.as_str(), done.closed_by.as_deref()),
        ("done", Some("ana"))
    );
    assert!(
        actions::approve(&t.app, esc.id, "maria", Role::Manager, &settings)
            .await
            .is_err()
    );
    let mut tx = t.app.store.begin().await.unwrap();
    let list = events::list(&mut tx, t.app.org_id()).await.unwrap();
    let kinds: Vec<&str> = list.iter().map(|e| e.kind.as_str()).collect();
    for k in ["notice.served", "action.approved", "action.done"] {
        assert!(kinds.contains(&k), "{k}");
    }
    drop(tx);
    t.cleanup().await;
}

#[tokio::test]
async fn a_contract_names_its_own_calendar() {
    let t = TestApp::new().await;
    let files = load(&t.app).await;
    let text = calendar::export_toml(&t.app).await.unwrap();
    let quick = format!(
        "{text}\n[[policy]]\ncode = \"quick\"\nname = \"Rapid\"\n\n[[policy.steps]]\ncode = \"call_now\"\n\
         offset = 2\nkind = \"call\"\ntemplate = \"call\"\n"
    );
    calendar::import_toml(&t.app, "p.toml", &quick, "tester")
        .await
        .unwrap();
    let contracts = write(
        files.path(),
        "contracts.csv",
        "debtor_code,number,entity_tax_id,policy\nD2,K-1,18547290,quick\n".as_bytes(),
    );
    import(&t.app, ImportKind::Contracts, &contracts).await;
    let invoices = write(
        files.path(),
        "inv2.csv",
        "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,debtor_code,currency,total,contract_number\n\
         18547290,TCG,0002,2025-01-12,2025-02-11,16621241,D2,EUR,500,K-1\n"
            .as_bytes(),
    );
    import(&t.app, ImportKind::Invoices, &invoices).await;
    let r = run_on(
        &t.app,
        date(2025, 2, 19),
        false,
        &MailSettings::files(&t.data_dir()),
    )
    .await;
    let gamma: Vec<_> = actions(&r).into_iter().filter(|a| a.0 == "D2").collect();
    assert_eq!(gamma, [row("D2", "call_now", "task", &["TCG0002"])]);
    assert_eq!(
        r.actions
            .iter()
            .find(|a| a.debtor_code == "D2")
            .unwrap()
            .policy,
        "quick"
    );
    t.cleanup().await;
}

#[tokio::test]
async fn an_uploaded_acknowledgement_of_receipt_serves_the_formal_notice() {
    let t = TestApp::new().await;
    let files = load(&t.app).await;
    let settings = MailSettings::files(&t.data_dir());
    run_on(&t.app, date(2025, 3, 6), false, &settings).await;
    write(
        files.path(),
        "confirmare.pdf",
        b"%PDF-1.4 confirmare de primire",
    );
    // A receipt dated after today is refused, naming the column; nothing is stored.
    let tomorrow = t.app.today().tomorrow().unwrap();
    let letters = count(&t.app, "documents").await;
    let bad = write(
        files.path(),
        "bad.csv",
        format!("file,type,debtor_code,date\nconfirmare.pdf,receipt_ack,D1,{tomorrow}\n")
            .as_bytes(),
    );
    let err = import_paths(
        &t.app,
        ImportKind::Documents,
        &[bad],
        &ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap_err();
    let creanta_app::import::ImportError::Rejected { errors, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (2, Some("date"))
    );
    assert_eq!(count(&t.app, "documents").await, letters);
    // The receipt's date starts the 15 days.
    let docs = write(
        files.path(),
        "docs.csv",
        "file,type,debtor_code,date\nconfirmare.pdf,receipt_ack,D1,11.03.2025\n".as_bytes(),
    );
    import(&t.app, ImportKind::Documents, &docs).await;
    let d1 = creanta_app::check::find_debtor(&t.app, "D1").await.unwrap();
    let list = creanta_app::calendar::actions::of_debtor(&t.app, d1)
        .await
        .unwrap();
    let notice = list.iter().find(|a| a.step == "formal_notice").unwrap();
    assert_eq!(notice.status, "done");
    assert_eq!(
        notice.outcome.as_deref(),
        Some("served on 2025-03-11; the 15-day term ends on 2025-03-26")
    );
    // A second receipt finds no notice waiting: nothing changes.
    write(files.path(), "confirmare2.pdf", b"%PDF-1.4 alta confirmare");
    let docs = write(
        files.path(),
        "docs2.csv",
        "file,type,debtor_code\nconfirmare2.pdf,receipt_ack,D1\n".as_bytes(),
    );
    import(&t.app, ImportKind::Documents, &docs).await;
    let mut tx = t.app.store.begin().await.unwrap();
    let list = events::list(&mut tx, t.app.org_id()).await.unwrap();
    assert_eq!(list.iter().filter(|e| e.kind == "notice.served").count(), 1);
    drop(tx);
    t.cleanup().await;
}

#[tokio::test]
async fn a_resolved_dispute_or_released_pause_lets_the_calendar_pursue_again() {
    use creanta_app::calendar::holds::Released;
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let settings = MailSettings::files(&t.data_dir());
    let ids = invoice_ids(&t.app).await;
    let d3 = creanta_app::check::find_debtor(&t.app, "D3").await.unwrap();
    let (dispute, _) = holds::add(
        &t.app,
        &NewHold::Dispute {
            invoice_id: ids["TCG0001"],
            reason: "quality_complaint".into(),
            note: None,
        },
        "ana",
    )
    .await
    .unwrap();
    let (pause, _) = holds::add(
        &t.app,
        &NewHold::Pause {
            debtor_id: d3,
            invoice_id: None,
            until: None,
            note: Some("în negociere".into()),
        },
        "ana",
    )
    .await
    .unwrap();
    let dry = |day| {
        let app = t.app.clone();
        let settings = settings.clone();
        async move {
            calendar::run(
                &app,
                &RunOptions {
                    date: day,
                    dry_run: true,
                    send: false,
                    actor: "tester".into(),
                },
                &settings,
            )
            .await
            .unwrap()
        }
    };
    let before = dry(date(2025, 2, 19)).await;
    let held: Vec<&str> = before.skipped.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(held, ["TCG0001", "TCG0004"]);
    holds::release(
        &t.app,
        &Released::Dispute {
            id: dispute,
            resolution: "credit note promised".into(),
        },
        "ana",
    )
    .await
    .unwrap();
    holds::release(&t.app, &Released::Hold { id: pause }, "ana")
        .await
        .unwrap();
    // Releasing twice says there is nothing open to release.
    let again = holds::release(&t.app, &Released::Hold { id: pause }, "ana").await;
    assert!(again.unwrap_err().to_string().contains("no open hold"));
    let after = dry(date(2025, 2, 19)).await;
    assert!(after.skipped.is_empty(), "{:?}", after.skipped);
    let pursued: Vec<String> = after
        .actions
        .iter()
        .flat_map(|a| a.invoices.iter().map(|i| i.label.clone()))
        .collect();
    assert!(pursued.contains(&"TCG0001".to_owned()) && pursued.contains(&"TCG0004".to_owned()));
    t.cleanup().await;
}

#[tokio::test]
async fn an_edited_template_is_checked_previewed_on_a_real_debtor_and_used_by_the_run() {
    use calendar::editor::{self, TemplateDraft};
    use creanta_domain::model::Language;
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let sink = SmtpSink::start();
    let settings = smtp_settings(&t, sink.port);
    let ro = Language::Ro;

    // A misspelt variable is refused with the part and the line, and nothing is saved.
    let bad = TemplateDraft {
        subject: "Restanțe {{ debtor.name }}".into(),
        body_text: "Bună ziua,\n{{ debtor.nmae }}\n".into(),
        body_html: None,
    };
    let e = editor::save(&t.app, "tester", "reminder", ro, &bad)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(e.part, "body_text");
    assert!(e.message.starts_with("line 2:"), "{e}");
    let entry = editor::get(&t.app, "reminder", ro).await.unwrap().unwrap();
    assert!(!entry.edited && entry.has_builtin);
    assert!(
        entry.used_by.contains(&"standard/reminder".to_owned()),
        "{entry:?}"
    );
    let empty = TemplateDraft {
        subject: " ".into(),
        ..bad.clone()
    };
    // A template that only fits the sample's two invoices and one IBAN is refused too.
    for body in ["{{ invoices[1].number }}", "{{ ibans[0].iban }}"] {
        let narrow = TemplateDraft {
            subject: "s".into(),
            body_text: body.into(),
            body_html: None,
        };
        assert!(editor::check("reminder", ro, &narrow).is_err(), "{body}");
    }
    let e = editor::check("reminder", ro, &empty).unwrap_err();
    assert_eq!((e.part, e.message.as_str()), ("subject", "nu poate fi gol"));

    // The preview on a real debtor shows its own invoices and amounts; the HTML part is
    // escaped as HTML, the text part is not.
    let draft = TemplateDraft {
        subject: "Restanțe {{ debtor.name }} & co".into(),
        body_text: "{% for i in invoices %}{{ i.number }}: {{ i.open }} ({{ i.late }})\n{% endfor %}— {{ owner.name }}\n".into(),
        body_html: Some("<p>{{ debtor.name }} & {{ \"<b>\" }}</p>".into()),
    };
    let mut tx = t.app.store.begin().await.unwrap();
    let d1: i64 = tx
        .fetch_one(
            "SELECT id FROM debtors WHERE org_id = $1 AND code = $2",
            &args![t.app.org_id(), "D1"],
        )
        .await
        .unwrap()
        .get(0)
        .unwrap();
    drop(tx);
    let p = editor::preview(&t.app, "reminder", ro, &draft, Some(d1), date(2025, 2, 19))
        .await
        .unwrap();
    assert_eq!(p.debtor.as_ref().map(|d| d.code.as_str()), Some("D1"));
    let r = p.rendered.expect("renders");
    assert_eq!(r.subject, "Restanțe Beta Construcții SA & co");
    assert_eq!(
        r.body_text,
        "TCG0001: 1.190,00 RON (10 zile de întârziere)\nTCG0003: 2.380,50 RON (5 zile de întârziere)\n— \n"
    );
    assert_eq!(
        r.body_html.as_deref(),
        Some("<p>Beta Construcții SA & &lt;b&gt;</p>")
    );
    // Without a debtor the sample one is used; an unknown debtor is refused.
    let p = editor::preview(&t.app, "reminder", ro, &draft, None, date(2025, 2, 19))
        .await
        .unwrap();
    assert!(p.debtor.is_none());
    assert!(p.rendered.unwrap().body_text.contains("FX0001"));
    assert!(
        editor::preview(
            &t.app,
            "reminder",
            ro,
            &draft,
            Some(999_999),
            date(2025, 2, 19)
        )
        .await
        .is_err()
    );

    // Saved, it is what the day's messages say: D1's message on 19 February is the +10 firm
    // reminder.
    let firm = TemplateDraft {
        subject: "Al doilea aviz {{ debtor.name }}".into(),
        body_text: format!(
            "{}{}",
            draft.body_text, "{{ attachments | join(\", \") }}\n"
        ),
        body_html: draft.body_html.clone(),
    };
    editor::save(&t.app, "tester", "reminder", ro, &draft)
        .await
        .unwrap()
        .unwrap();
    editor::save(&t.app, "tester", "firm_reminder", ro, &firm)
        .await
        .unwrap()
        .unwrap();
    let entry = editor::get(&t.app, "firm_reminder", ro)
        .await
        .unwrap()
        .unwrap();
    assert!(entry.edited);
    let report = run_on(&t.app, date(2025, 2, 19), true, &settings).await;
    assert!(report.messages_queued >= 1, "{report:#?}");
    let got = sink.received();
    assert_eq!(got.len(), 1);
    let msg = MessageParser::default().parse(&got[0].raw).unwrap();
    assert_eq!(msg.subject(), Some("Al doilea aviz Beta Construcții SA"));
    let body = msg.body_text(0).unwrap();
    let lines: Vec<&str> = body.lines().map(str::trim_end).collect();
    assert_eq!(
        lines,
        [
            "TCG0001: 1.190,00 RON (10 zile de întârziere)",
            "—",
            "extras-de-cont-D1-19-02-2025.pdf"
        ],
        "{body:?}"
    );
    assert_eq!(
        msg.body_html(0).as_deref(),
        Some("<p>Beta Construcții SA & &lt;b&gt;</p>")
    );

    // Restoring brings back the built-in text; both changes are in the log.
    assert!(
        editor::restore(&t.app, "tester", "firm_reminder", ro)
            .await
            .unwrap()
    );
    assert!(
        !editor::restore(&t.app, "tester", "firm_reminder", ro)
            .await
            .unwrap()
    );
    let entry = editor::get(&t.app, "firm_reminder", ro)
        .await
        .unwrap()
        .unwrap();
    assert!(!entry.edited);
    assert!(
        entry
            .template
            .unwrap()
            .subject
            .starts_with("Al doilea aviz: sume restante")
    );
    let kinds: Vec<String> = events::list(&mut t.app.store.begin().await.unwrap(), t.app.org_id())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("template."))
        .collect();
    assert_eq!(
        kinds,
        ["template.saved", "template.saved", "template.restored"]
    );
    t.cleanup().await;
}

#[tokio::test]
async fn an_approved_reminder_is_written_when_approved_for_what_is_still_open() {
    use creanta_app::calendar::actions;
    use creanta_domain::model::Role;
    let t = TestApp::new().await;
    let files = load(&t.app).await;
    let sink = SmtpSink::start();
    let settings = smtp_settings(&t, sink.port);
    // The firm reminder (+10) waits for a manager.
    let text = calendar::export_toml(&t.app).await.unwrap();
    let gated = text.replacen(
        "code = \"firm_reminder\"",
        "code = \"firm_reminder\"\nneeds_approval = true",
        1,
    );
    assert_ne!(gated, text);
    calendar::import_toml(&t.app, "p.toml", &gated, "tester")
        .await
        .unwrap();

    let r = run_on(&t.app, date(2025, 2, 19), true, &settings).await;
    let firm = r
        .actions
        .iter()
        .find(|a| a.step == "firm_reminder")
        .expect("planned");
    assert_eq!(
        (firm.status.as_str(), firm.message.as_deref()),
        ("awaiting_approval", None)
    );
    assert!(
        sink.received().is_empty(),
        "nothing goes out before approval"
    );
    let mut tx = t.app.store.begin().await.unwrap();
    let id: i64 = tx
        .fetch_one(
            "SELECT id FROM actions WHERE org_id = $1 AND key = $2",
            &args![t.app.org_id(), firm.key.as_str()],
        )
        .await
        .unwrap()
        .get(0)
        .unwrap();
    drop(tx);
    assert!(
        actions::approve(&t.app, id, "ion", Role::Collector, &settings)
            .await
            .is_err()
    );
    let approved = actions::approve(&t.app, id, "maria", Role::Manager, &settings)
        .await
        .unwrap();
    assert_eq!(approved.status, "done");
    let outbox_id = approved.outbox_id.expect("linked to its message");
    // Approving twice is refused; the message goes out once, with the firm reminder's text
    // and its statement of account.
    assert!(
        actions::approve(&t.app, id, "maria", Role::Manager, &settings)
            .await
            .is_err()
    );
    let report = outbox::deliver_outbox(&t.app, &settings).await.unwrap();
    assert_eq!(report.sent, 1);
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_tos, ["ioana.popescu@beta.ro"]);
    let msg = MessageParser::default().parse(&got[0].raw).unwrap();
    assert_eq!(
        msg.subject(),
        Some("Al doilea aviz: sume restante — Beta Construcții SA")
    );
    assert!(msg.body_text(0).unwrap().contains("TCG0001"));
    assert_eq!(pdf_attachments(&got[0].raw).len(), 1);
    let rows = outbox::list(&t.app, None, None, 10).await.unwrap();
    let row = rows.iter().find(|m| m.id == outbox_id).unwrap();
    // The message is the debtor's one communication of the day of the approval.
    let d1 = creanta_app::check::find_debtor(&t.app, "D1").await.unwrap();
    assert_eq!(
        row.idempotency_key,
        format!("dunning:{d1}:{}", t.app.today())
    );

    // The next firm reminder waits too; paid before it is approved, it is cancelled instead.
    let r = run_on(&t.app, date(2025, 2, 24), false, &settings).await;
    let firm = r
        .actions
        .iter()
        .find(|a| a.step == "firm_reminder" && a.invoices[0].label == "TCG0003")
        .expect("TCG0003 at +10");
    let mut tx = t.app.store.begin().await.unwrap();
    let id: i64 = tx
        .fetch_one(
            "SELECT id FROM actions WHERE org_id = $1 AND key = $2",
            &args![t.app.org_id(), firm.key.as_str()],
        )
        .await
        .unwrap()
        .get(0)
        .unwrap();
    drop(tx);
    // Beta already has today's message: approving another one waits for tomorrow.
    let e = actions::approve(&t.app, id, "maria", Role::Manager, &settings)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already has today's message"), "{e}");
    let mut tx = t.app.store.begin().await.unwrap();
    // Closed in the books without a payment import (a credit note, a write-off).
    tx.execute(
        "UPDATE invoices SET paid = total WHERE org_id = $1 AND number = $2",
        &args![t.app.org_id(), "0003"],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let cancelled = actions::approve(&t.app, id, "maria", Role::Manager, &settings)
        .await
        .unwrap();
    assert_eq!(
        (
            cancelled.status.as_str(),
            cancelled.cancelled_reason.as_deref()
        ),
        ("cancelled", Some("the invoices were paid"))
    );
    assert_eq!(
        outbox::deliver_outbox(&t.app, &settings)
            .await
            .unwrap()
            .sent,
        0
    );
    drop(files);
    t.cleanup().await;
}

#[tokio::test]
async fn a_credit_note_closes_the_invoice_it_corrects_and_its_reminder_is_cancelled() {
    let t = TestApp::new().await;
    let files = load(&t.app).await;
    let settings = MailSettings::files(&t.data_dir());
    let r = run_on(&t.app, date(2025, 2, 19), false, &settings).await;
    assert_eq!(r.messages_queued, 1, "Beta's firm reminder about TCG0001");

    // TCG0001 (1.190,00) is credited in full; TCG0002 (500 EUR) in part, by a credit note
    // that names it with a space. An invoice naming an unknown calendar is refused.
    let credits = "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,debtor_code,currency,total,corrects\n\
        18547290,STO,0001,2025-02-19,2025-02-19,14840784,D1,RON,-1190.00,TCG0001\n\
        18547290,STO,0002,2025-02-19,2025-02-19,16621241,D2,EUR,-200.00,TCG 0002\n";
    let bad = write(
        files.path(),
        "bad.csv",
        format!(
            "{}18547290,TCG,0009,2025-02-19,2025-03-19,14840784,D1,RON,10,\n",
            credits
        )
        .replace(",corrects\n", ",corrects,policy\n")
        .replace("TCG0001\n", "TCG0001,\n")
        .replace("TCG 0002\n", "TCG 0002,\n")
        .replace("RON,10,\n", "RON,10,,rapid\n")
        .as_bytes(),
    );
    let err = import_paths(
        &t.app,
        ImportKind::Invoices,
        &[bad],
        &ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap_err();
    let creanta_app::import::ImportError::Rejected { errors, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert!(e.file.ends_with("bad.csv"), "{e}");
    assert_eq!((e.line, e.column.as_deref()), (4, Some("policy")), "{e}");
    assert!(
        e.message.contains("\"rapid\"") && e.message.contains("standard"),
        "{e}"
    );
    assert_eq!(
        count(&t.app, "credit_allocations").await,
        0,
        "nothing written"
    );

    // Two notes of 60 on TCG0004 (100): the second has only 40 of it left to settle.
    let credits = format!(
        "{credits}18547290,STO,0003,2025-02-19,2025-02-19,6859662,D3,RON,-60.00,TCG0004\n\
         18547290,STO,0004,2025-02-20,2025-02-20,6859662,D3,RON,-60.00,TCG0004\n"
    );
    let path = write(files.path(), "credits.csv", credits.as_bytes());
    let summary = import(&t.app, ImportKind::Invoices, &path).await;
    assert_eq!(summary.credit_notes_applied, 4, "{summary:#?}");
    assert_eq!(
        summary.actions_cancelled, 2,
        "the firm reminder and Delta's call: {summary:#?}"
    );
    let rows = outbox::list(&t.app, None, None, 10).await.unwrap();
    assert_eq!(rows[0].status, "cancelled");
    let mut tx = t.app.store.begin().await.unwrap();
    let open: Vec<(String, i64)> = tx
        .fetch_all(
            "SELECT series || number, total - paid FROM invoices WHERE org_id = $1 ORDER BY series, number",
            &args![t.app.org_id()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
        .collect();
    drop(tx);
    assert_eq!(
        open,
        [
            ("STO0001".to_owned(), 0),
            ("STO0002".to_owned(), 0),
            ("STO0003".to_owned(), 0),
            ("STO0004".to_owned(), -2_000),
            ("TCG0001".to_owned(), 0),
            ("TCG0002".to_owned(), 30_000),
            ("TCG0003".to_owned(), 238_050),
            ("TCG0004".to_owned(), 0),
        ]
    );
    // The same file again changes nothing.
    let again = import(&t.app, ImportKind::Invoices, &path).await;
    assert_eq!(
        (again.credit_notes_applied, again.new, again.updated),
        (0, 0, 0)
    );
    assert_eq!(count(&t.app, "credit_allocations").await, 4);
    // The next day's run leaves TCG0001 alone; TCG0002's reminder states the 300 EUR left.
    let r = run_on(&t.app, date(2025, 2, 21), false, &settings).await;
    assert!(
        r.actions
            .iter()
            .all(|a| a.invoices.iter().all(|i| i.label != "TCG0001"))
    );
    let gamma = r
        .actions
        .iter()
        .flat_map(|a| a.invoices.iter())
        .find(|i| i.label == "TCG0002")
        .expect("TCG0002 at +10");
    assert_eq!(gamma.open.minor, 30_000);
    t.cleanup().await;
}

#[tokio::test]
async fn a_message_that_does_not_render_becomes_the_owners_task_and_the_run_goes_on() {
    let t = TestApp::new().await;
    let _files = load(&t.app).await;
    let settings = MailSettings::files(&t.data_dir());
    // Stored without the editor's checks (an older version, a direct database edit): the
    // template indexes past Beta's one IBAN.
    let mut tx = t.app.store.begin().await.unwrap();
    tx.execute(
        "INSERT INTO templates (org_id, code, language, subject, body_text, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &args![
            t.app.org_id(),
            "firm_reminder",
            "ro",
            "Aviz {{ debtor.name }}",
            "{{ ibans[3].iban }}",
            jiff::Timestamp::now()
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = run_on(&t.app, date(2025, 2, 19), false, &settings).await;
    let firm = r
        .actions
        .iter()
        .find(|a| a.step == "firm_reminder")
        .unwrap();
    assert_eq!(firm.status, "message_failed");
    assert_eq!(r.messages_queued, 0);
    assert_eq!(r.recorded, 4, "the other actions are recorded as usual");
    let mut tx = t.app.store.begin().await.unwrap();
    let status: String = tx
        .fetch_one(
            "SELECT status FROM actions WHERE org_id = $1 AND key = $2",
            &args![t.app.org_id(), firm.key.as_str()],
        )
        .await
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(status, "open");
    let failed: Vec<serde_json::Value> = events::list(&mut tx, t.app.org_id())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "action.message_failed")
        .map(|e| e.data)
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]["error"].as_str().unwrap().contains("body_text"),
        "{failed:?}"
    );
    drop(tx);
    t.cleanup().await;
}
