//! Interest, contractual penalties and the fixed compensation on real imported data, on both
//! backends: the shipped BNR reference rates, a partial payment that lowers the balance from
//! its date on, a contract's penalty that replaces the legal interest, exchange rates imported
//! from BNR's XML, and rate files that are all-or-nothing and idempotent.

use std::path::{Path, PathBuf};

use creanta_app::App;
use creanta_app::import::{ImportKind, ImportOptions, NoProgress, import_paths};
use creanta_app::interest;
use creanta_app::rates::{self, RateKind};
use creanta_app::testing::TestApp;
use creanta_domain::Currency;
use jiff::civil::date;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
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

async fn load(app: &App, dir: &Path) {
    for (kind, name, text) in [
        (
            ImportKind::Entities,
            "e.csv",
            "tax_id,name,ibans\nRO18547290,Termoconstruct Grup Iași SRL,RO49AAAA1B31007593840000\n",
        ),
        (
            ImportKind::Debtors,
            "d.csv",
            "code,name,tax_id\nD1,Beta Construcții SA,RO14840784\nD2,Ion Popescu,1800101221144\n",
        ),
        (
            ImportKind::Contracts,
            "c.csv",
            "debtor_code,number,entity_tax_id,penalty_rate_per_day,penalty_capped\nD1,K-9,18547290,0.1,da\n",
        ),
        (
            ImportKind::Invoices,
            "i.csv",
            "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,debtor_code,currency,total,contract_number\n\
            18547290,A,1,2025-01-01,2025-01-31,14840784,D1,RON,10000.00,\n\
            18547290,A,2,2025-01-01,2025-01-31,14840784,D1,RON,10000.00,K-9\n\
            18547290,A,3,2025-01-01,2025-01-31,1800101221144,D2,RON,10000.00,\n",
        ),
        (
            ImportKind::Payments,
            "p.csv",
            "date,amount,currency,payer_tax_id,reference,invoice_number,transaction_id\n\
            2025-02-10,4000.00,RON,14840784,plata A1,A1,T1\n",
        ),
    ] {
        import(app, kind, &write(dir, name, text)).await;
    }
}

async fn debtor(app: &App, code: &str) -> i64 {
    creanta_app::check::find_debtor(app, code).await.unwrap()
}

#[tokio::test]
async fn interest_follows_the_payments_the_contract_and_the_debtor() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    load(&t.app, dir.path()).await;
    let day = date(2025, 3, 2);

    let beta = interest::charges(&t.app, debtor(&t.app, "D1").await, day)
        .await
        .unwrap();
    assert_eq!(beta.invoices.len(), 2);
    // A1: legal interest at 6.50 + 8 = 14.50 % (the shipped table's rate of 1 January 2025),
    // 9 days on 10 000.00 then 21 days on 6 000.00 after the payment of 10 February.
    let a1 = &beta.invoices[0];
    assert_eq!(a1.label, "A1");
    assert_eq!(a1.charge.as_ref().unwrap().amount.minor, 8_581);
    // A2: the contract's 0.1 % a day replaces it: 30 days on 10 000.00 = 300.00.
    let a2 = &beta.invoices[1];
    assert_eq!(a2.charge.as_ref().unwrap().amount.minor, 30_000);
    // No EUR rate imported yet: the compensation is missing, and says why.
    assert!(a1.compensation.is_none());
    assert!(
        matches!(
            a1.problems[..],
            [creanta_domain::interest::InterestError::NoExchangeRate { day }] if day == a1.due_date
        ),
        "{a1:?}"
    );

    // A person (CNP) owes the legal rate + 4 points and no compensation: 10.50 % × 30 days.
    let ion = interest::charges(&t.app, debtor(&t.app, "D2").await, day)
        .await
        .unwrap();
    assert_eq!(ion.invoices[0].charge.as_ref().unwrap().amount.minor, 8_630);
    assert_eq!(ion.invoices[0].compensation, None);
    assert!(ion.invoices[0].problems.is_empty());

    // BNR's XML (the format of nbrfxrates.xml), imported twice: the second time changes nothing.
    let xml = write(
        dir.path(),
        "nbrfxrates2025.xml",
        r#"<?xml version="1.0" encoding="utf-8"?><DataSet xmlns="http://www.bnr.ro/xsd"><Body>
<Cube date="2025-01-30"><Rate currency="EUR">4.9771</Rate><Rate currency="USD">4.7833</Rate></Cube>
<Cube date="2025-01-31"><Rate currency="EUR">4.9773</Rate></Cube></Body></DataSet>"#,
    );
    let r = rates::import(&t.app, RateKind::Exchange(Currency::EUR), &xml, "tester")
        .await
        .unwrap();
    assert_eq!((r.new_or_changed, r.unchanged), (2, 0));
    let r = rates::import(&t.app, RateKind::Exchange(Currency::EUR), &xml, "tester")
        .await
        .unwrap();
    assert_eq!((r.new_or_changed, r.unchanged), (0, 2));
    let beta = interest::charges(&t.app, debtor(&t.app, "D1").await, day)
        .await
        .unwrap();
    // 40 EUR at 4.9773 (the rate of the due date, 31 January) = 199.09 RON per invoice.
    assert_eq!(beta.invoices[0].compensation.unwrap().minor, 19_909);
    assert_eq!(beta.totals[0].compensation, 2 * 19_909);
    assert_eq!(beta.totals[0].interest, 8_581 + 30_000);
    assert_eq!(beta.totals[0].open, 600_000 + 1_000_000);
    t.cleanup().await;
}

#[tokio::test]
async fn a_rate_file_with_an_error_changes_nothing() {
    let t = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let before = rates::list(&t.app, RateKind::Reference).await.unwrap();
    assert_eq!(before.len(), 38, "the shipped table");
    let bad = write(
        dir.path(),
        "r.csv",
        "effective_from,rate_percent\n2026-05-01,6.25\n2026-07-01,abc\n",
    );
    let e = rates::import(&t.app, RateKind::Reference, &bad, "tester")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("r.csv:3: rate_percent:"), "{e}");
    assert_eq!(
        rates::list(&t.app, RateKind::Reference).await.unwrap(),
        before
    );
    let good = write(
        dir.path(),
        "r.csv",
        "effective_from,rate_percent,source\n2026-05-01,6.25,test row\n",
    );
    rates::import(&t.app, RateKind::Reference, &good, "tester")
        .await
        .unwrap();
    let after = rates::list(&t.app, RateKind::Reference).await.unwrap();
    assert_eq!(after.len(), 39);
    assert_eq!(after.last().unwrap().value, "6.25");
    t.cleanup().await;
}
