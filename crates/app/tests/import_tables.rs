//! CSV and XLSX imports: the whole chain of master data, invoices, payments and documents;
//! idempotency; all-or-nothing rejection with file, line and column.

use std::path::{Path, PathBuf};

use creanta_app::App;
use creanta_app::import::{
    ImportError, ImportKind, ImportOptions, ImportSummary, NoProgress, import_paths,
};
use creanta_app::reports::{self, InvoiceFilter};
use creanta_app::testing::TestApp;
use creanta_store::records::Debtor;
use creanta_store::repo;

const ENTITIES: &str =
    "tax_id,name,city,ibans\nRO18547290,Termoconstruct Grup SRL,Iași,RO49AAAA1B31007593840000\n";
const DEBTORS: &str = "code;name;tax_id;group;city;language;payment_terms_days;requires_po;required_documents\n\
D1;Beta Construcții SA;RO14840784;Beta;București;ro;30;da;\"CMR; PV de recepție\"\n\
D2;Gamma Instal SRL;16621241;Beta;Cluj-Napoca;ro;45;nu;\n\
D3;Delta Bad SRL;18547291;;Brașov;en;;;\n";
const CONTACTS: &str = "debtor_code,name,email,role,primary\nD1,Ioana Popescu,ioana.popescu@beta.ro,finance,true\nD2,Office,office@gamma.ro,general,true\n";
const CONTRACTS: &str = "debtor_code,number,entity_tax_id,valid_from,valid_until,payment_terms_days,currency,penalty_rate_per_day,requires_confirmation\n\
D1,C-1/2025,18547290,2025-01-01,2026-12-31,30,RON,\"0,1\",true\n";
const INVOICES: &str = "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,buyer_name,debtor_code,currency,total,po_number,contract_number\n\
18547290,TCG,0001,2025-01-10,2025-02-09,14840784,Beta Construcții SA,D1,RON,\"1.190,00\",PO-7,C-1/2025\n\
18547290,TCG,0002,2025-02-10,2025-03-12,14840784,Beta Construcții SA,D1,RON,2380.50,PO-8,C-1/2025\n\
18547290,TCG,0003,2025-03-01,2025-04-15,16621241,,,EUR,500,,\n";
const PAYMENTS: &str = "date,amount,currency,payer_tax_id,reference,invoice_number\n\
2025-02-08,1190.00,RON,14840784,plata fact TCG 0001,TCG 0001\n\
2025-03-20,1000,RON,14840784,partial TCG-0002,TCG-0002\n\
2025-03-21,10,RON,99999999,???,\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

async fn import(app: &App, kind: ImportKind, path: &Path) -> Result<ImportSummary, ImportError> {
    import_paths(
        app,
        kind,
        &[path.to_path_buf()],
        &ImportOptions::default(),
        &NoProgress,
    )
    .await
}

/// Writes a one-sheet workbook; cells that read as numbers are written as number cells, as a
/// spreadsheet program would store them.
fn write_xlsx(path: &Path, rows: &[&[&str]]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(n) => sheet.write_number(r as u32, c as u16, n).unwrap(),
                Err(_) => sheet.write_string(r as u32, c as u16, *cell).unwrap(),
            };
        }
    }
    book.save(path).unwrap();
}

const TABLES: &[&str] = &[
    "entities",
    "entity_accounts",
    "debtor_groups",
    "debtors",
    "contacts",
    "contracts",
    "invoices",
    "payments",
    "allocations",
    "documents",
    "events",
];

/// Row counts of every table, plus what has been paid: a fingerprint of the whole store.
async fn fingerprint(app: &App) -> Vec<i64> {
    let mut tx = app.store.begin().await.unwrap();
    let mut out = Vec::new();
    for t in TABLES {
        out.push(repo::count(&mut tx, app.org_id(), t).await.unwrap());
    }
    let paid: i64 = repo::invoice_balances(&mut tx, app.org_id())
        .await
        .unwrap()
        .iter()
        .map(|b| b.paid)
        .sum();
    out.push(paid);
    out
}

async fn load_master_data(t: &TestApp, dir: &Path) {
    for (kind, name, text) in [
        (ImportKind::Entities, "entities.csv", ENTITIES),
        (ImportKind::Debtors, "debtors.csv", DEBTORS),
        (ImportKind::Contacts, "contacts.csv", CONTACTS),
        (ImportKind::Contracts, "contracts.csv", CONTRACTS),
    ] {
        let s = import(&t.app, kind, &write(dir, name, text)).await.unwrap();
        assert_eq!(s.updated + s.unchanged, 0, "{s}");
        assert!(s.new > 0, "{s}");
    }
}

#[tokio::test]
async fn full_chain_imports_once_and_updates_what_changed() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    load_master_data(&t, dir.path()).await;

    let inv = write(dir.path(), "invoices.csv", INVOICES);
    let s = import(&t.app, ImportKind::Invoices, &inv).await.unwrap();
    assert_eq!((s.new, s.updated, s.unchanged), (3, 0, 0), "{s}");
    let pay = write(dir.path(), "payments.csv", PAYMENTS);
    let s = import(&t.app, ImportKind::Payments, &pay).await.unwrap();
    assert_eq!(
        (s.new, s.payments_allocated, s.payments_unallocated),
        (3, 2, 1),
        "{s}"
    );

    std::fs::create_dir(dir.path().join("docs")).unwrap();
    std::fs::write(
        dir.path().join("docs/cmr-1.pdf"),
        b"%PDF-1.4 CMR seria A nr. 1",
    )
    .unwrap();
    let docs = write(
        dir.path(),
        "documents.csv",
        "file,type,invoice_number\ndocs/cmr-1.pdf,cmr,TCG0001\n",
    );
    let s = import(&t.app, ImportKind::Documents, &docs).await.unwrap();
    assert_eq!((s.new, s.documents_stored), (1, 1), "{s}");

    let open = reports::invoices(
        &t.app,
        &InvoiceFilter {
            open_only: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let open: Vec<(String, i64)> = open.iter().map(|i| (i.number.clone(), i.open)).collect();
    assert_eq!(
        open,
        vec![("0002".to_owned(), 138_050), ("0003".to_owned(), 50_000)]
    );
    // Invoice 0003 named no debtor: it was matched by the buyer's tax id.
    let d2 = reports::invoices(
        &t.app,
        &InvoiceFilter {
            debtor_code: Some("D2".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(d2.len(), 1);

    // Everything again: nothing changes, not even the log.
    let before = fingerprint(&t.app).await;
    for (kind, p) in [
        (ImportKind::Entities, dir.path().join("entities.csv")),
        (ImportKind::Debtors, dir.path().join("debtors.csv")),
        (ImportKind::Contacts, dir.path().join("contacts.csv")),
        (ImportKind::Contracts, dir.path().join("contracts.csv")),
        (ImportKind::Invoices, inv.clone()),
        (ImportKind::Payments, pay.clone()),
        (ImportKind::Documents, docs.clone()),
    ] {
        let s = import(&t.app, kind, &p).await.unwrap();
        assert_eq!((s.new, s.updated), (0, 0), "{kind}: {s}");
        assert!(s.unchanged > 0, "{kind}: {s}");
    }
    assert_eq!(fingerprint(&t.app).await, before);

    // One changed due date: one update, and an event that says what changed.
    let changed = INVOICES.replace("2025-03-12", "2025-03-14");
    let s = import(
        &t.app,
        ImportKind::Invoices,
        &write(dir.path(), "invoices.csv", &changed),
    )
    .await
    .unwrap();
    assert_eq!((s.new, s.updated, s.unchanged), (0, 1, 2), "{s}");
    let mut tx = t.app.store.begin().await.unwrap();
    let events = repo::events::list(&mut tx, t.app.org_id()).await.unwrap();
    let update = events
        .iter()
        .find(|e| e.kind == "invoice.updated")
        .expect("update event");
    assert_eq!(
        update.data["changes"]["due_date"],
        serde_json::json!(["2025-03-12", "2025-03-14"])
    );
    assert!(
        update.data["source"]
            .as_str()
            .unwrap()
            .ends_with("invoices.csv:3")
    );
    assert_eq!(repo::events::verify(&events), None);
    drop(tx);
    t.cleanup().await;
}

#[tokio::test]
async fn a_bad_line_rejects_the_whole_file_and_writes_nothing() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    load_master_data(&t, dir.path()).await;
    let before = fingerprint(&t.app).await;
    let bad = INVOICES
        .replace("2025-03-12", "31.02.2025")
        .replace("EUR,500", "EUR,5x0");
    let p = write(dir.path(), "invoices.csv", &bad);
    let err = import(&t.app, ImportKind::Invoices, &p).await.unwrap_err();
    let ImportError::Rejected { errors, truncated } = &err else {
        panic!("{err}")
    };
    assert!(!truncated);
    let msgs: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let file = p.display().to_string();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert_eq!(
        msgs[0],
        format!("{file}:3: due_date: \"31.02.2025\" is not a date (use YYYY-MM-DD or DD.MM.YYYY)")
    );
    assert!(
        msgs[1].starts_with(&format!("{file}:4: total: ")),
        "{}",
        msgs[1]
    );
    assert_eq!(fingerprint(&t.app).await, before);

    // A reference that does not resolve is also a rejection of everything.
    let unknown = INVOICES.replace(",D1,RON,2380.50", ",D9,RON,2380.50");
    let err = import(
        &t.app,
        ImportKind::Invoices,
        &write(dir.path(), "invoices.csv", &unknown),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("nothing was imported"), "{err}");
    let ImportError::Rejected { errors, .. } = &err else {
        panic!()
    };
    assert_eq!(
        errors[0].to_string(),
        format!("{file}:3: debtor_code: no debtor with code \"D9\" (import debtors first)")
    );
    assert_eq!(fingerprint(&t.app).await, before);
    t.cleanup().await;
}

#[tokio::test]
async fn supplier_invoices_are_refused() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    load_master_data(&t, dir.path()).await;
    let text = "entity_tax_id,number,issue_date,due_date,buyer_tax_id,currency,total\n14840784,F1,2025-01-01,2025-01-31,18547290,RON,10\n";
    let err = import(
        &t.app,
        ImportKind::Invoices,
        &write(dir.path(), "in.csv", text),
    )
    .await
    .unwrap_err();
    let ImportError::Rejected { errors, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        errors[0]
            .message
            .contains("supplier invoice, not a receivable"),
        "{}",
        errors[0]
    );
    // With --skip-supplier-invoices the rest of an SPV archive imports and they are counted.
    let mixed = format!("{text}18547290,F2,2025-01-01,2025-01-31,14840784,RON,10\n");
    let options = ImportOptions {
        skip_supplier_invoices: true,
        ..Default::default()
    };
    let p = write(dir.path(), "in.csv", &mixed);
    let s = import_paths(&t.app, ImportKind::Invoices, &[p], &options, &NoProgress)
        .await
        .unwrap();
    assert_eq!((s.new, s.supplier_invoices_skipped), (1, 1), "{s}");
    t.cleanup().await;
}

#[tokio::test]
async fn bad_tax_ids_are_flagged_and_organizations_stay_apart() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    load_master_data(&t, dir.path()).await;
    let mut tx = t.app.store.begin().await.unwrap();
    let debtors = repo::load_all::<Debtor>(&mut tx, t.app.org_id())
        .await
        .unwrap();
    drop(tx);
    let flags: Vec<(String, bool)> = debtors
        .iter()
        .map(|(_, d)| (d.code.clone(), d.tax_id_valid))
        .collect();
    assert_eq!(
        flags,
        vec![
            ("D1".into(), true),
            ("D2".into(), true),
            ("D3".into(), false)
        ]
    );
    assert_eq!(debtors[0].1.required_documents, "cmr;acceptance_report");
    assert_eq!(debtors[0].1.tax_id, "14840784");
    assert_eq!(debtors[2].1.language, "en");

    let other = t.other_org("alta").await;
    assert_eq!(fingerprint(&other).await, vec![0; TABLES.len() + 1]);
    let mut tx = other.store.begin().await.unwrap();
    assert!(
        repo::load_all::<Debtor>(&mut tx, other.org_id())
            .await
            .unwrap()
            .is_empty()
    );
    drop(tx);
    t.cleanup().await;
}

#[tokio::test]
async fn xlsx_reads_like_csv_and_reports_sheet_rows() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let header: &[&str] = &["code", "name", "tax_id", "payment_terms_days"];
    let good: &[&str] = &["X1", "Ștefănescu Țesături SRL", "14840784", "30"];
    let p = dir.path().join("debtors.xlsx");
    write_xlsx(
        &p,
        &[
            header,
            good,
            &["X2", "Fără Termen SRL", "16621241", "treizeci"],
        ],
    );
    let err = import(&t.app, ImportKind::Debtors, &p).await.unwrap_err();
    let ImportError::Rejected { errors, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (3, Some("payment_terms_days"))
    );

    write_xlsx(&p, &[header, good]);
    let s = import(&t.app, ImportKind::Debtors, &p).await.unwrap();
    assert_eq!(s.new, 1);
    let mut tx = t.app.store.begin().await.unwrap();
    let d = repo::load_all::<Debtor>(&mut tx, t.app.org_id())
        .await
        .unwrap();
    assert_eq!(d[0].1.name, "Ștefănescu Țesături SRL");
    assert_eq!(d[0].1.tax_id, "14840784");
    assert_eq!(d[0].1.payment_terms_days, Some(30));
    drop(tx);
    t.cleanup().await;
}

#[tokio::test]
async fn a_key_repeated_in_one_import_must_repeat_the_same_values() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    load_master_data(&t, dir.path()).await;
    let repeated = format!(
        "{INVOICES}18547290,TCG,0001,2025-01-10,2025-02-09,14840784,Beta Construcții SA,D1,RON,\"1.190,00\",PO-7,C-1/2025\n"
    );
    let s = import(
        &t.app,
        ImportKind::Invoices,
        &write(dir.path(), "invoices.csv", &repeated),
    )
    .await
    .unwrap();
    assert_eq!((s.new, s.updated, s.unchanged), (3, 0, 1), "{s}");

    // Both rows change the stored invoice the same way: one update.
    let both = repeated.replace("2025-02-09", "2025-02-11");
    let s = import(
        &t.app,
        ImportKind::Invoices,
        &write(dir.path(), "invoices.csv", &both),
    )
    .await
    .unwrap();
    assert_eq!((s.new, s.updated, s.unchanged), (0, 1, 3), "{s}");

    // Different values under one key: rejected, naming both places, whatever their order.
    let before = fingerprint(&t.app).await;
    let conflicting = format!(
        "{both}18547290,TCG,0001,2025-01-10,2025-02-09,14840784,Beta Construcții SA,D1,RON,\"1.190,00\",PO-7,C-1/2025\n"
    );
    let p = write(dir.path(), "invoices.csv", &conflicting);
    let err = import(&t.app, ImportKind::Invoices, &p).await.unwrap_err();
    let ImportError::Rejected { errors, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (6, Some("number"))
    );
    assert!(
        errors[0]
            .message
            .contains(&format!("first at {}:2", p.display())),
        "{}",
        errors[0]
    );
    assert_eq!(fingerprint(&t.app).await, before);
    t.cleanup().await;
}

#[tokio::test]
async fn payments_are_allocated_once_and_wait_for_their_invoice() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    load_master_data(&t, dir.path()).await;
    // The payment arrives before its invoice, and is listed twice with the same bank id.
    let pay = write(
        dir.path(),
        "payments.csv",
        "date,amount,currency,payer_tax_id,invoice_number,transaction_id\n\
         2025-02-08,500,RON,14840784,TCG 0001,BT-1\n\
         2025-02-08,500,RON,14840784,TCG 0001,BT-1\n\
         2025-02-09,100,RON,14840784,,\n\
         2025-02-09,100,RON,14840784,,\n",
    );
    let s = import(&t.app, ImportKind::Payments, &pay).await.unwrap();
    assert_eq!(
        (
            s.new,
            s.unchanged,
            s.payments_allocated,
            s.payments_unallocated
        ),
        (3, 1, 0, 3),
        "{s}"
    );

    import(
        &t.app,
        ImportKind::Invoices,
        &write(dir.path(), "invoices.csv", INVOICES),
    )
    .await
    .unwrap();
    let s = import(&t.app, ImportKind::Payments, &pay).await.unwrap();
    assert_eq!((s.new, s.updated, s.payments_allocated), (0, 0, 1), "{s}");
    let s = import(&t.app, ImportKind::Payments, &pay).await.unwrap();
    assert_eq!(s.payments_allocated, 0, "{s}");

    let mut tx = t.app.store.begin().await.unwrap();
    let balances = repo::invoice_balances(&mut tx, t.app.org_id())
        .await
        .unwrap();
    let allocations = repo::count(&mut tx, t.app.org_id(), "allocations")
        .await
        .unwrap();
    drop(tx);
    assert_eq!(allocations, 1);
    let paid: Vec<i64> = balances.iter().map(|b| b.paid).collect();
    assert_eq!(paid, vec![50_000, 0, 0]);
    t.cleanup().await;
}

#[tokio::test]
async fn xlsx_number_cells_with_three_decimals_are_not_thousands() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("payments.xlsx");
    write_xlsx(
        &p,
        &[
            &["date", "amount", "currency"],
            &["2025-01-01", "100.123", "RON"],
        ],
    );
    let err = import(&t.app, ImportKind::Payments, &p).await.unwrap_err();
    let ImportError::Rejected { errors, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref()),
        (2, Some("amount"))
    );
    assert!(errors[0].message.contains("decimal"), "{}", errors[0]);
    t.cleanup().await;
}
