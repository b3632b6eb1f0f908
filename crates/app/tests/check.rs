//! The pre-flight check over stored data: the demo's injected mistakes are found and clean
//! invoices stay clean; e-Factura totals are compared by the EN 16931 rules; findings are
//! opened on import, closed when the data is corrected, and both are logged.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use creanta_app::check::{self, Scope};
use creanta_app::demo::{DemoOptions, generate};
use creanta_app::import::{ImportKind, ImportOptions, NoProgress, import_demo, import_paths};
use creanta_app::testing::TestApp;
use creanta_store::args;
use jiff::civil::date;

fn ubl_dir(sub: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/ubl"
    ))
    .join(sub)
}

async fn import(t: &TestApp, kind: ImportKind, paths: &[PathBuf]) {
    import_paths(&t.app, kind, paths, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap_or_else(|e| panic!("importing {kind} {paths:?}: {e:?}"));
}

/// Open findings as `(invoice id, code)`.
async fn open_findings(t: &TestApp) -> Vec<(i64, String)> {
    t.app
        .store
        .fetch_all(
            "SELECT invoice_id, code FROM findings WHERE org_id = $1 AND closed_at IS NULL ORDER BY invoice_id, code",
            &args![t.app.org_id()],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
        .collect()
}

async fn event_count(t: &TestApp, kind: &str) -> i64 {
    t.app
        .store
        .fetch_optional(
            "SELECT COUNT(*) FROM events WHERE org_id = $1 AND kind = $2",
            &args![t.app.org_id(), kind],
        )
        .await
        .unwrap()
        .unwrap()
        .get(0)
        .unwrap()
}

/// Recall per injected code and false positives on clean invoices, over a generated book of
/// more than 20,000 invoices. Printed, and held to ≥ 99% and ≤ 1%.
#[tokio::test]
async fn demo_mistakes_are_found_and_clean_invoices_stay_clean() {
    let t = TestApp::new().await;
    let options = DemoOptions {
        debtors: 2_100,
        seed: 7,
        today: date(2026, 11, 30),
        documents: false,
    };
    let loaded = import_demo(&t.app, generate(&options), &NoProgress)
        .await
        .unwrap();
    assert!(
        loaded.check.checked >= 20_000,
        "only {} invoices generated",
        loaded.check.checked
    );

    let rows = t
        .app
        .store
        .fetch_all(
            "SELECT i.id, i.injected_errors FROM invoices i WHERE i.org_id = $1",
            &args![t.app.org_id()],
        )
        .await
        .unwrap();
    let mut found: HashMap<i64, Vec<String>> = HashMap::new();
    for (invoice, code) in open_findings(&t).await {
        found.entry(invoice).or_default().push(code);
    }
    // code -> (injected, found)
    let mut recall: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let (mut clean, mut flagged) = (0u32, 0u32);
    for r in &rows {
        let id: i64 = r.get(0).unwrap();
        let injected: String = r.get(1).unwrap();
        let codes = found.get(&id).cloned().unwrap_or_default();
        if injected.is_empty() {
            clean += 1;
            if !codes.is_empty() {
                flagged += 1;
            }
        } else {
            let e = recall.entry(injected.clone()).or_default();
            e.0 += 1;
            if codes.contains(&injected) {
                e.1 += 1;
            }
        }
    }
    println!(
        "{} invoices ({}):",
        rows.len(),
        creanta_app::testing::backend_name()
    );
    for (code, (n, hit)) in &recall {
        println!(
            "  {code:<22} {hit:>5} / {n:<5} recall {:.2}%",
            100.0 * f64::from(*hit) / f64::from(*n)
        );
    }
    let fp_rate = 100.0 * f64::from(flagged) / f64::from(clean);
    println!("  clean invoices with a finding: {flagged} / {clean} ({fp_rate:.2}%)");

    assert_eq!(
        recall.len(),
        creanta_app::demo::Injected::ALL.len(),
        "every injected code occurs: {recall:?}"
    );
    for (code, (n, hit)) in &recall {
        assert!(
            f64::from(*hit) >= 0.99 * f64::from(*n),
            "{code}: {hit} of {n} found"
        );
    }
    assert!(
        fp_rate <= 1.0,
        "{flagged} of {clean} clean invoices flagged"
    );

    // Checking again finds the same: nothing opened, nothing closed, nothing logged.
    let events = event_count(&t, "finding.opened").await;
    assert_eq!(events as usize, loaded.check.findings_opened);
    let again = check::check(&t.app, &Scope::All, "test").await.unwrap();
    assert_eq!((again.findings_opened, again.findings_closed), (0, 0));
    assert_eq!(event_count(&t, "finding.opened").await, events);
    assert_eq!(again.with_errors, loaded.check.with_errors);
}

/// `(file name, [amount_error rules])` after importing each file into a fresh organization.
async fn amount_errors(files: &[PathBuf]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for file in files {
        let t = TestApp::new().await;
        import(&t, ImportKind::Invoices, std::slice::from_ref(file)).await;
        let report = check::check(&t.app, &Scope::All, "test").await.unwrap();
        assert_eq!(report.checked, 1, "{file:?}");
        // A whole-organization check lists only the invoices with findings.
        let rules: Vec<String> = report
            .invoices
            .iter()
            .flat_map(|i| &i.findings)
            .filter(|f| f.code.code() == "amount_error")
            .map(|f| serde_json::to_value(&f.detail).unwrap()["rule"].to_string())
            .collect();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        out.push((name, rules));
    }
    out
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn en16931_examples_add_up() {
    let files = files_in(&ubl_dir("en16931"));
    assert!(files.len() >= 10);
    for (name, rules) in amount_errors(&files).await {
        assert!(rules.is_empty(), "{name}: {rules:?}");
    }
}

#[tokio::test]
async fn totals_that_do_not_add_up_are_amount_errors() {
    let dir = ubl_dir("rule-violations");
    let found = amount_errors(&[
        dir.join("invalid-br-co-10.xml"),
        dir.join("invalid-br-co-15.xml"),
    ])
    .await;
    // The "BR-CO-10" sample's line adds up (100.00) but its total without VAT says 200.00:
    // EN 16931 numbers that BR-CO-13, and 200.00 + 19.00 VAT is not its 119.00 with VAT.
    assert_eq!(found[0].1, ["\"br_co13\"", "\"br_co15\""], "{found:?}");
    // 100.00 + 19.00 is not 200.00; and 119.00 payable is not that 200.00 either.
    assert_eq!(found[1].1, ["\"br_co15\"", "\"br_co16\""], "{found:?}");
}

const ENTITIES: &str =
    "tax_id,name,city,ibans\nRO18547290,Termoconstruct Grup SRL,Iași,RO49AAAA1B31007593840000\n";
const DEBTORS: &str = "code,name,tax_id,city,payment_terms_days,requires_po\n\
D1,Beta Construcții SA,RO14840784,București,30,da\n";
const OFFICE_ONLY: &str = "debtor_code,name,email,role\nD1,Secretariat,office@beta.ro,general\n";
const FINANCE: &str =
    "debtor_code,name,email,role\nD1,Ioana Popescu,ioana.popescu@beta.ro,finance\n";
const INVOICES: &str = "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,buyer_name,debtor_code,currency,total,po_number\n\
18547290,TCG,0001,2026-10-01,2026-10-31,14840784,Beta Construcții SA,D1,RON,1190.00,PO-7\n\
18547290,TCG,0002,2026-10-02,2026-11-01,14840784,Beta Construcții SA,D1,RON,2380.50,\n";
const INVOICES_FIXED: &str = "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,buyer_name,debtor_code,currency,total,po_number\n\
18547290,TCG,0002,2026-10-02,2026-11-01,14840784,Beta Construcții SA,D1,RON,2380.50,PO-9\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[tokio::test]
async fn findings_open_on_import_and_close_when_the_data_is_corrected() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    import(&t, ImportKind::Entities, &[write(d, "e.csv", ENTITIES)]).await;
    import(&t, ImportKind::Debtors, &[write(d, "d.csv", DEBTORS)]).await;
    import(&t, ImportKind::Contacts, &[write(d, "c1.csv", OFFICE_ONLY)]).await;
    let summary = import_paths(
        &t.app,
        ImportKind::Invoices,
        &[write(d, "i.csv", INVOICES)],
        &ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    // Both lack a finance contact; the second also its PO number.
    let codes: Vec<String> = open_findings(&t)
        .await
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(
        codes,
        ["recipient_missing", "po_missing", "recipient_missing"],
        "{codes:?}"
    );
    assert_eq!(summary.findings_opened, 3);
    let blocked: i64 = t
        .app
        .store
        .fetch_optional(
            "SELECT COUNT(*) FROM invoice_checks WHERE org_id = $1 AND open_errors > 0",
            &args![t.app.org_id()],
        )
        .await
        .unwrap()
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(blocked, 2);

    // A finance contact closes both recipient findings, on the contacts import itself.
    import(&t, ImportKind::Contacts, &[write(d, "c2.csv", FINANCE)]).await;
    let codes: Vec<String> = open_findings(&t)
        .await
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(codes, ["po_missing"]);
    // The corrected invoice closes the last one.
    import(
        &t,
        ImportKind::Invoices,
        &[write(d, "i2.csv", INVOICES_FIXED)],
    )
    .await;
    assert!(open_findings(&t).await.is_empty());
    assert_eq!(event_count(&t, "finding.opened").await, 3);
    assert_eq!(event_count(&t, "finding.closed").await, 3);

    // Closed findings are kept, with when they were opened and closed.
    let (id, _) = check::find_invoice(&t.app, "RO 185 472 90:TCG-0002")
        .await
        .unwrap()[0];
    let mut tx = t.app.store.begin().await.unwrap();
    let history = creanta_store::repo::findings::of_invoice(&mut tx, t.app.org_id(), id)
        .await
        .unwrap();
    drop(tx);
    assert_eq!(history.len(), 2);
    assert!(
        history
            .iter()
            .all(|f| f.closed_at.is_some_and(|c| c >= f.opened_at))
    );

    // Nothing left to do: a re-check changes nothing.
    let again = check::check(&t.app, &Scope::All, "test").await.unwrap();
    assert_eq!(
        (
            again.checked,
            again.with_errors,
            again.findings_opened,
            again.findings_closed
        ),
        (2, 0, 0, 0)
    );
}

#[tokio::test]
async fn invoice_references_name_their_invoice_or_say_why_not() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    import(&t, ImportKind::Entities, &[write(d, "e.csv", ENTITIES)]).await;
    import(&t, ImportKind::Debtors, &[write(d, "d.csv", DEBTORS)]).await;
    import(&t, ImportKind::Invoices, &[write(d, "i.csv", INVOICES)]).await;
    let one = check::find_invoice(&t.app, "RO18547290:TCG 0001")
        .await
        .unwrap();
    let two = check::find_invoice(&t.app, "18547290:tcg-0002")
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_ne!(one, two);
    for bad in [
        "TCG-0001",
        "18547290:",
        "99999999:TCG-0001",
        "18547290:TCG-9999",
    ] {
        let err = check::find_invoice(&t.app, bad)
            .await
            .unwrap_err()
            .to_string();
        assert!(!err.is_empty(), "{bad}");
    }
    assert!(check::find_debtor(&t.app, "D1").await.is_ok());
    assert!(check::find_debtor(&t.app, "nobody").await.is_err());
}

#[tokio::test]
async fn a_second_document_with_the_same_number_is_a_duplicate() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(ubl_dir("en16931").join("ubl-tc434-example1.xml")).unwrap();
    // Another document (a note more) under the same seller, series and number.
    let second = original.replacen("<cbc:Note>", "<cbc:Note>Duplicat. </cbc:Note><cbc:Note>", 1);
    assert_ne!(original, second);
    let a = write(dir.path(), "a.xml", &original);
    let b = write(dir.path(), "b.xml", &second);
    import(&t, ImportKind::Invoices, &[a]).await;
    assert!(
        open_findings(&t)
            .await
            .iter()
            .all(|(_, c)| c != "duplicate_number")
    );
    import(&t, ImportKind::Invoices, &[b]).await;
    let duplicates: Vec<i64> = open_findings(&t)
        .await
        .into_iter()
        .filter(|(_, c)| c == "duplicate_number")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        duplicates.len(),
        2,
        "both documents carry it: {duplicates:?}"
    );
    assert_ne!(duplicates[0], duplicates[1]);
}
