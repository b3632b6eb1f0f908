//! The store's contract, run on SQLite and (with TEST_DATABASE_URL) on PostgreSQL.

use creanta_store::records::{Debtor, Entity, Invoice, Record};
use creanta_store::repo::{self, events, orgs, reports};
use creanta_store::{Store, StoreConfig, args};
use jiff::civil::date;

struct Fixture {
    store: Store,
    config: StoreConfig,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let schema = format!(
        "st_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let config = StoreConfig {
        pg_schema: url.as_ref().map(|_| schema),
        database_url: url,
        data_dir: dir.path().to_path_buf(),
    };
    let store = Store::open(&config).await.unwrap();
    Fixture {
        store,
        config,
        _dir: dir,
    }
}

impl Fixture {
    async fn done(self) {
        if let Some(s) = &self.config.pg_schema {
            self.store.drop_schema(s).await.unwrap();
        }
    }
}

fn entity(tax_id: &str) -> Entity {
    Entity {
        tax_id: tax_id.into(),
        tax_id_valid: true,
        name: "Alfa Distribuție SRL".into(),
        registration_no: None,
        address: Some("Str. Ștefan cel Mare 1".into()),
        city: Some("Iași".into()),
        country: Some("RO".into()),
        attrs: "{}".into(),
    }
}

fn debtor(code: &str) -> Debtor {
    Debtor {
        code: code.into(),
        name: "Beta Construcții SA".into(),
        tax_id: "18547290".into(),
        tax_id_valid: true,
        registration_no: None,
        group_id: None,
        country: Some("RO".into()),
        city: None,
        address: None,
        language: "ro".into(),
        owner_email: None,
        policy: None,
        payment_terms_days: Some(30),
        requires_po: true,
        required_mention: None,
        required_documents: "cmr".into(),
        requires_confirmation: false,
        attrs: "{}".into(),
    }
}

fn invoice(
    entity_id: i64,
    debtor_id: i64,
    number: &str,
    due: jiff::civil::Date,
    total: i64,
) -> Invoice {
    Invoice {
        entity_id,
        debtor_id,
        contract_id: None,
        series: "FCT".into(),
        number: number.into(),
        match_key: format!("FCT{number}"),
        doc_key: String::new(),
        kind: "invoice".into(),
        issue_date: date(2025, 1, 1),
        due_date: due,
        currency: "RON".into(),
        total,
        buyer_tax_id: "18547290".into(),
        buyer_name: None,
        po_number: None,
        contract_number: None,
        mentions: Some("Cod proiect: P-2291".into()),
        iban: None,
        sent_to: None,
        sent_on: None,
        source: "test".into(),
        injected_errors: String::new(),
        attrs: "{}".into(),
        ubl_totals: None,
        policy: None,
        corrects: None,
    }
}

#[tokio::test]
async fn records_round_trip_and_stay_in_their_organization() {
    let f = fixture().await;
    let now = jiff::Timestamp::now();
    let a = orgs::ensure(&f.store, "a", now).await.unwrap();
    let b = orgs::ensure(&f.store, "b", now).await.unwrap();
    // Opening again applies no migration twice.
    Store::open(&f.config).await.unwrap();

    let mut tx = f.store.begin().await.unwrap();
    let e = repo::insert_many(&mut tx, a.id, &[entity("18547290")])
        .await
        .unwrap()[0];
    let d = repo::insert_many(&mut tx, a.id, &[debtor("D1")])
        .await
        .unwrap()[0];
    let invoices: Vec<Invoice> = (0..2500)
        .map(|i| invoice(e, d, &format!("{i:05}"), date(2025, 2, 1), 100 * i))
        .collect();
    let ids = repo::insert_many(&mut tx, a.id, &invoices).await.unwrap();
    assert_eq!(ids.len(), 2500);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    tx.commit().await.unwrap();

    let mut tx = f.store.begin().await.unwrap();
    let loaded = repo::load_all::<Invoice>(&mut tx, a.id).await.unwrap();
    assert_eq!(loaded.len(), 2500);
    // Ids map to the records in input order: insert_many's promise.
    for ((id, rec), (want_id, want)) in loaded.iter().zip(ids.iter().zip(&invoices)) {
        assert_eq!(id, want_id);
        assert_eq!(rec, want);
    }
    assert!(
        repo::load_all::<Invoice>(&mut tx, b.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(repo::count(&mut tx, b.id, Invoice::TABLE).await.unwrap(), 0);

    let mut changed = invoices[7].clone();
    changed.due_date = date(2025, 3, 3);
    changed.mentions = None;
    // An update scoped to another organization touches nothing.
    repo::update(&mut tx, b.id, ids[7], &changed).await.unwrap();
    let again = repo::load_all::<Invoice>(&mut tx, a.id).await.unwrap();
    assert_eq!(again[7].1, invoices[7]);
    repo::update(&mut tx, a.id, ids[7], &changed).await.unwrap();
    let again = repo::load_all::<Invoice>(&mut tx, a.id).await.unwrap();
    assert_eq!(again[7].1, changed);
    let diff = creanta_store::records::diff(&invoices[7], &changed).unwrap();
    assert_eq!(diff.len(), 2, "{diff:?}");
    assert!(diff.contains_key("due_date") && diff.contains_key("mentions"));
    tx.commit().await.unwrap();
    f.done().await;
}

#[tokio::test]
async fn natural_keys_are_unique() {
    let f = fixture().await;
    let a = orgs::ensure(&f.store, "a", jiff::Timestamp::now())
        .await
        .unwrap();
    let mut tx = f.store.begin().await.unwrap();
    repo::insert_many(&mut tx, a.id, &[debtor("D1")])
        .await
        .unwrap();
    assert!(
        repo::insert_many(&mut tx, a.id, &[debtor("D1")])
            .await
            .is_err()
    );
    f.done().await;
}

#[tokio::test]
async fn aging_buckets_have_exact_edges() {
    let f = fixture().await;
    let a = orgs::ensure(&f.store, "a", jiff::Timestamp::now())
        .await
        .unwrap();
    let today = date(2025, 6, 30);
    let mut tx = f.store.begin().await.unwrap();
    let e = repo::insert_many(&mut tx, a.id, &[entity("18547290")])
        .await
        .unwrap()[0];
    let d = repo::insert_many(&mut tx, a.id, &[debtor("D1")])
        .await
        .unwrap()[0];
    let back = |n: i64| today.checked_sub(jiff::Span::new().days(n)).unwrap();
    // (days late, amount): each amount lands in exactly one bucket.
    let cases = [
        (0, 1),
        (1, 10),
        (30, 100),
        (31, 1_000),
        (60, 10_000),
        (61, 100_000),
        (90, 1_000_000),
        (91, 10_000_000),
    ];
    let invoices: Vec<Invoice> = cases
        .iter()
        .enumerate()
        .map(|(i, (late, amount))| invoice(e, d, &i.to_string(), back(*late), *amount))
        .collect();
    let ids = repo::insert_many(&mut tx, a.id, &invoices).await.unwrap();
    // A fully paid invoice is not open and appears nowhere.
    let paid = repo::insert_many(&mut tx, a.id, &[invoice(e, d, "P", back(200), 5)])
        .await
        .unwrap()[0];
    repo::add_paid(&mut tx, a.id, paid, 5).await.unwrap();
    repo::add_paid(&mut tx, a.id, ids[7], 1_000_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let rows = reports::aging(&f.store, a.id, today).await.unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.not_due, r.d1_30, r.d31_60, r.d61_90, r.over_90, r.total),
        (1, 110, 11_000, 1_100_000, 9_000_000, 10_111_111)
    );
    f.done().await;
}

#[tokio::test]
async fn events_are_chained_and_append_only() {
    let f = fixture().await;
    let a = orgs::ensure(&f.store, "a", jiff::Timestamp::now())
        .await
        .unwrap();
    let ev = |k: &str| events::NewEvent {
        actor: "test".into(),
        kind: k.into(),
        subject_type: "debtor".into(),
        subject_id: Some(1),
        data: serde_json::json!({ "nume": "Țară și ăâî", "n": 1 }),
    };
    let mut tx = f.store.begin().await.unwrap();
    events::append(
        &mut tx,
        a.id,
        jiff::Timestamp::now(),
        &[ev("one"), ev("two")],
    )
    .await
    .unwrap();
    events::append(&mut tx, a.id, jiff::Timestamp::now(), &[ev("three")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = f.store.begin().await.unwrap();
    let list = events::list(&mut tx, a.id).await.unwrap();
    assert_eq!(
        list.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(events::verify(&list), None);
    let mut forged = list.clone();
    forged[1].data = serde_json::json!({ "n": 2 });
    assert_eq!(events::verify(&forged), Some(2));
    drop(tx);
    let mut tx = f.store.begin().await.unwrap();
    let edit = tx
        .execute(
            "UPDATE events SET kind = 'x' WHERE org_id = $1",
            &args![a.id],
        )
        .await;
    assert!(edit.is_err(), "events must refuse updates");
    drop(tx);
    let mut tx = f.store.begin().await.unwrap();
    let delete = tx
        .execute("DELETE FROM events WHERE org_id = $1", &args![a.id])
        .await;
    assert!(delete.is_err(), "events must refuse deletes");
    f.done().await;
}
