//! e-Factura samples import with the values their XML holds, read here independently with
//! roxmltree; repeated imports change nothing; things that are not invoices are refused.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use creanta_app::import::{ImportError, ImportKind, ImportOptions, NoProgress, import_paths};
use creanta_app::reports::{self, InvoiceFilter};
use creanta_app::testing::TestApp;

async fn import_invoices(
    t: &TestApp,
    paths: &[PathBuf],
    options: &ImportOptions,
) -> Result<creanta_app::import::ImportSummary, ImportError> {
    import_paths(&t.app, ImportKind::Invoices, paths, options, &NoProgress).await
}

fn ubl_dir(sub: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/ubl"
    ))
    .join(sub)
}

#[derive(Debug)]
struct Expected {
    source: String,
    number: String,
    issue_date: String,
    due_date: Option<String>,
    currency: String,
    /// Minor units as the receivable: negative for credit notes.
    total: i64,
    seller_ids: Vec<String>,
    buyer_ids: Vec<String>,
}

fn norm_id(s: &str) -> String {
    let t: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    match t.strip_prefix("RO") {
        Some(rest) if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) => {
            rest.to_owned()
        }
        _ => t,
    }
}

/// "-1234.5" -> -123450 (every sample currency has two decimals).
fn minor_units(text: &str) -> i64 {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let frac = format!("{:0<2}", frac);
    assert!(frac[2..].bytes().all(|b| b == b'0'), "{text}");
    let v = int.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap();
    if neg { -v } else { v }
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn expected_from(source: String, xml: &[u8]) -> Expected {
    let text = std::str::from_utf8(xml).unwrap();
    let doc = roxmltree::Document::parse(text).unwrap();
    let root = doc.root_element();
    let path = |names: &[&str]| -> Option<String> {
        let mut n = root;
        for name in names {
            n = child(n, name)?;
        }
        n.text().map(|t| t.trim().to_owned())
    };
    // Tax ids first; a party without one is known by its identifier or name.
    let party_ids = |party: &str| -> Vec<String> {
        [
            path(&[party, "Party", "PartyTaxScheme", "CompanyID"]),
            path(&[party, "Party", "PartyLegalEntity", "CompanyID"]),
            path(&[party, "Party", "PartyIdentification", "ID"]),
            path(&[party, "Party", "EndpointID"]),
            path(&[party, "Party", "PartyLegalEntity", "RegistrationName"]),
        ]
        .into_iter()
        .flatten()
        .map(|s| norm_id(&s))
        .collect()
    };
    let is_credit = root.tag_name().name() == "CreditNote"
        || path(&["InvoiceTypeCode"]).as_deref() == Some("381");
    let payable = minor_units(&path(&["LegalMonetaryTotal", "PayableAmount"]).unwrap());
    Expected {
        source,
        number: path(&["ID"]).unwrap(),
        issue_date: path(&["IssueDate"]).unwrap(),
        due_date: path(&["DueDate"]).or_else(|| path(&["PaymentMeans", "PaymentDueDate"])),
        currency: path(&["DocumentCurrencyCode"]).unwrap(),
        total: if is_credit { -payable } else { payable },
        seller_ids: party_ids("AccountingSupplierParty"),
        buyer_ids: party_ids("AccountingCustomerParty"),
    }
}

fn expectations() -> Vec<Expected> {
    let mut out = Vec::new();
    for dir in ["en16931", "ro"] {
        for e in std::fs::read_dir(ubl_dir(dir)).unwrap() {
            let p = e.unwrap().path();
            out.push(expected_from(
                p.display().to_string(),
                &std::fs::read(&p).unwrap(),
            ));
        }
    }
    for e in std::fs::read_dir(ubl_dir("anaf-zip")).unwrap() {
        let p = e.unwrap().path();
        let mut z = zip::ZipArchive::new(std::fs::File::open(&p).unwrap()).unwrap();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let name = f.name().unwrap().into_owned();
            if name.starts_with("semnatura_") {
                continue;
            }
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            out.push(expected_from(format!("{}!{}", p.display(), name), &bytes));
        }
    }
    out
}

#[tokio::test]
async fn every_sample_imports_with_its_own_values_and_again_changes_nothing() {
    let t = TestApp::new().await;
    let dirs = vec![ubl_dir("en16931"), ubl_dir("ro"), ubl_dir("anaf-zip")];
    let first = import_invoices(&t, &dirs, &ImportOptions::default())
        .await
        .unwrap();
    let expected = expectations();
    assert_eq!(first.files, expected.len());
    assert!(first.new > 40, "{first}");
    assert!(
        first.entities_created > 10 && first.debtors_created > 10,
        "{first}"
    );
    // Each archive keeps its invoice XML and ANAF's signature; each loose XML its original.
    assert!(first.documents_stored >= expected.len() + 4, "{first}");

    let list = reports::invoices(&t.app, &InvoiceFilter::default())
        .await
        .unwrap();
    let mut by_number: HashMap<&str, Vec<_>> = HashMap::new();
    for i in &list {
        by_number.entry(i.number.as_str()).or_default().push(i);
    }
    for e in &expected {
        let found = by_number
            .get(e.number.as_str())
            .into_iter()
            .flatten()
            .find(|i| e.seller_ids.contains(&i.entity_tax_id) && i.total == e.total)
            .unwrap_or_else(|| {
                panic!(
                    "{}: no invoice {} of {:?} for {}",
                    e.source, e.number, e.seller_ids, e.total
                )
            });
        assert_eq!(found.issue_date.to_string(), e.issue_date, "{}", e.source);
        if let Some(due) = &e.due_date {
            assert_eq!(&found.due_date.to_string(), due, "{}", e.source);
        } else {
            assert!(found.due_date >= found.issue_date, "{}", e.source);
        }
        assert_eq!(found.currency, e.currency, "{}", e.source);
        assert!(
            e.buyer_ids.contains(&found.buyer_tax_id),
            "{}: buyer {} not in {:?}",
            e.source,
            found.buyer_tax_id,
            e.buyer_ids
        );
        assert_eq!(
            found.kind,
            if e.total < 0 {
                "credit_note"
            } else {
                "invoice"
            },
            "{}",
            e.source
        );
    }

    let again = import_invoices(&t, &dirs, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (again.new, again.updated, again.documents_stored),
        (0, 0, 0),
        "{again}"
    );
    assert_eq!(again.unchanged, first.new + first.unchanged);
    t.cleanup().await;
}

#[tokio::test]
async fn answers_and_rejected_uploads_are_not_invoices() {
    let t = TestApp::new().await;
    for e in std::fs::read_dir(ubl_dir("not-invoices")).unwrap() {
        let p = e.unwrap().path();
        let err = import_invoices(&t, std::slice::from_ref(&p), &ImportOptions::default())
            .await
            .unwrap_err();
        let ImportError::Rejected { errors, .. } = &err else {
            panic!("{p:?}: {err}")
        };
        assert_eq!(errors.len(), 1, "{p:?}");
        let msg = errors[0].to_string();
        assert!(msg.starts_with(&p.display().to_string()), "{msg}");
        assert!(msg.contains("not an invoice"), "{msg}");
    }
    let list = reports::invoices(&t.app, &InvoiceFilter::default())
        .await
        .unwrap();
    assert!(list.is_empty());
    t.cleanup().await;
}

#[tokio::test]
async fn sellers_and_buyers_decide_what_is_a_receivable() {
    let t = TestApp::new().await;
    let one = ubl_dir("ro").join("rammer-valid-380-ron.xml");
    let other = ubl_dir("en16931").join("ubl-tc434-example2.xml");
    // The first import into an empty organization makes the seller one of our entities.
    let s = import_invoices(&t, std::slice::from_ref(&one), &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!((s.new, s.entities_created, s.debtors_created), (1, 1, 1));
    // A different seller is refused now that we have entities …
    let err = import_invoices(&t, std::slice::from_ref(&other), &ImportOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("1 error"), "{err}");
    let ImportError::Rejected { errors, .. } = err else {
        panic!()
    };
    assert!(
        errors[0].message.contains("--add-entities"),
        "{}",
        errors[0]
    );
    // … unless asked.
    let opts = ImportOptions {
        add_entities: true,
        ..Default::default()
    };
    let s = import_invoices(&t, &[other], &opts).await.unwrap();
    assert_eq!((s.new, s.entities_created), (1, 1));
    t.cleanup().await;
}
