//! The streaming UBL reader against real samples, checked field by field against a
//! second, deliberately naive reading of the same files with roxmltree.

use std::fs;
use std::path::{Path, PathBuf};

use creanta_formats::anaf_zip::read_anaf_zip;
use creanta_formats::ubl::{
    UblDocKind, UblDocument, UblError, UblParty, looks_like_ubl, parse_ubl,
};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/ubl");

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(SAMPLES).join(dir);
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no samples in {}", dir.display());
    out
}

fn has_ext(p: &Path, ext: &str) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// The reference reading: walk children by local name from the root, nothing clever.
struct Reference<'a, 'input> {
    root: roxmltree::Node<'a, 'input>,
}

impl<'a, 'input> Reference<'a, 'input> {
    fn all(node: roxmltree::Node<'a, 'input>, path: &[&str]) -> Vec<roxmltree::Node<'a, 'input>> {
        let mut current = vec![node];
        for step in path {
            current = current
                .iter()
                .flat_map(|n| n.children())
                .filter(|c| c.is_element() && c.tag_name().name() == *step)
                .collect();
        }
        current
    }

    fn text_at(node: roxmltree::Node<'a, 'input>, path: &[&str]) -> Option<String> {
        Self::all(node, path)
            .into_iter()
            .filter_map(|n| {
                let t: String = n
                    .children()
                    .filter(|c| c.is_text())
                    .filter_map(|c| c.text())
                    .collect();
                let t = t.trim().to_owned();
                (!t.is_empty()).then_some(t)
            })
            .next()
    }

    fn text(&self, path: &[&str]) -> Option<String> {
        Self::text_at(self.root, path)
    }

    fn party(&self, role: &str) -> (Option<String>, Option<String>, Option<String>) {
        let Some(party) = Self::all(self.root, &[role, "Party"]).into_iter().next() else {
            return (None, None, None);
        };
        let name = Self::text_at(party, &["PartyLegalEntity", "RegistrationName"])
            .or_else(|| Self::text_at(party, &["PartyName", "Name"]));
        let schemes = Self::all(party, &["PartyTaxScheme"]);
        let vat = schemes
            .iter()
            .filter(|s| Self::text_at(**s, &["TaxScheme", "ID"]).as_deref() == Some("VAT"))
            .find_map(|s| Self::text_at(*s, &["CompanyID"]))
            .or_else(|| {
                schemes
                    .iter()
                    .find_map(|s| Self::text_at(*s, &["CompanyID"]))
            });
        let legal = Self::text_at(party, &["PartyLegalEntity", "CompanyID"]);
        (name, vat, legal)
    }
}

fn party_triple(p: &UblParty) -> (Option<String>, Option<String>, Option<String>) {
    (p.name.clone(), p.vat_id.clone(), p.legal_id.clone())
}

fn check_against_reference(label: &str, xml: &[u8], doc: &UblDocument) {
    let text = std::str::from_utf8(xml).unwrap();
    let tree = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{label}: {e}"));
    let root = tree.root_element();
    let r = Reference { root };

    let kind = match root.tag_name().name() {
        "Invoice" => UblDocKind::Invoice,
        "CreditNote" => UblDocKind::CreditNote,
        other => panic!("{label}: root {other}"),
    };
    assert_eq!(doc.kind, kind, "{label}: kind");
    assert_eq!(Some(doc.id.clone()), r.text(&["ID"]), "{label}: id");
    assert_eq!(
        Some(doc.issue_date.to_string()),
        r.text(&["IssueDate"]),
        "{label}: issue date"
    );
    let due = r
        .text(&["DueDate"])
        .or_else(|| r.text(&["PaymentMeans", "PaymentDueDate"]));
    assert_eq!(
        doc.due_date.map(|d| d.to_string()),
        due,
        "{label}: due date"
    );
    assert_eq!(
        Some(doc.currency.clone()),
        r.text(&["DocumentCurrencyCode"]),
        "{label}: currency"
    );
    let type_code = r
        .text(&["InvoiceTypeCode"])
        .or_else(|| r.text(&["CreditNoteTypeCode"]));
    assert_eq!(doc.type_code, type_code, "{label}: type code");
    assert_eq!(
        party_triple(&doc.seller),
        r.party("AccountingSupplierParty"),
        "{label}: seller"
    );
    assert_eq!(
        party_triple(&doc.buyer),
        r.party("AccountingCustomerParty"),
        "{label}: buyer"
    );

    let payable = Reference::all(root, &["LegalMonetaryTotal", "PayableAmount"]);
    let payable = payable
        .first()
        .unwrap_or_else(|| panic!("{label}: no payable"));
    assert_eq!(
        Some(doc.payable.value.as_str()),
        payable.text().map(str::trim),
        "{label}: payable"
    );
    assert_eq!(
        doc.payable.currency_id.as_deref(),
        payable.attribute("currencyID"),
        "{label}: payable currency"
    );

    let line_tag = match kind {
        UblDocKind::Invoice => "InvoiceLine",
        UblDocKind::CreditNote => "CreditNoteLine",
    };
    let lines = Reference::all(root, &[line_tag]);
    assert_eq!(doc.lines.len(), lines.len(), "{label}: line count");
    for (parsed, node) in doc.lines.iter().zip(&lines) {
        assert_eq!(
            Some(parsed.id.clone()),
            Reference::text_at(*node, &["ID"]),
            "{label}: line id"
        );
        assert_eq!(
            Some(parsed.line_extension_amount.value.clone()),
            Reference::text_at(*node, &["LineExtensionAmount"]),
            "{label}: line amount"
        );
    }
    let notes: Vec<String> = Reference::all(root, &["Note"])
        .iter()
        .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(doc.notes, notes, "{label}: notes");
    let ibans: Vec<String> = Reference::all(root, &["PaymentMeans", "PayeeFinancialAccount", "ID"])
        .iter()
        .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
        .collect();
    assert_eq!(doc.payee_ibans, ibans, "{label}: payee IBANs");
}

fn parse_and_check(path: &Path) -> UblDocument {
    let label = path.display().to_string();
    let xml = fs::read(path).unwrap();
    assert!(looks_like_ubl(&xml), "{label}: not sniffed as UBL");
    let doc = parse_ubl(&xml).unwrap_or_else(|e| panic!("{label}: {e}"));
    check_against_reference(&label, &xml, &doc);
    doc
}

#[test]
fn en16931_samples_parse_and_agree_with_reference() {
    for path in files("en16931") {
        parse_and_check(&path);
    }
}

#[test]
fn romanian_samples_parse_and_agree_with_reference() {
    for path in files("ro") {
        parse_and_check(&path);
    }
}

#[test]
fn anaf_archives_yield_invoice_and_signature() {
    for path in files("anaf-zip") {
        let label = path.display().to_string();
        let archive =
            read_anaf_zip(&fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(
            !archive.invoice_name.starts_with("semnatura_"),
            "{label}: {}",
            archive.invoice_name
        );
        let (sig_name, sig) = archive
            .signature
            .as_ref()
            .unwrap_or_else(|| panic!("{label}: no signature"));
        assert_eq!(
            sig_name,
            &format!("semnatura_{}", archive.invoice_name),
            "{label}"
        );
        assert!(!sig.is_empty(), "{label}: empty signature");
        let doc = parse_ubl(&archive.invoice_xml).unwrap_or_else(|e| panic!("{label}: {e}"));
        check_against_reference(&label, &archive.invoice_xml, &doc);
    }
}

#[test]
fn known_sample_values() {
    let doc = parse_and_check(&Path::new(SAMPLES).join("en16931/BIS3_Invoice_negativ.XML"));
    assert_eq!(doc.payable.value, "-782179.43");

    let doc = parse_and_check(&Path::new(SAMPLES).join("en16931/ubl-tc434-creditnote1.xml"));
    assert_eq!(doc.kind, UblDocKind::CreditNote);
    assert_eq!(doc.type_code.as_deref(), Some("381"));
    assert_eq!(
        doc.payable.path,
        "/CreditNote/cac:LegalMonetaryTotal/cbc:PayableAmount"
    );

    let doc = parse_and_check(&Path::new(SAMPLES).join("ro/rammer-valid-380-storno.xml"));
    assert!(doc.payable.value.starts_with('-'), "{}", doc.payable.value);
}

#[test]
fn not_invoices_are_refused() {
    for path in files("not-invoices") {
        let label = path.display().to_string();
        let bytes = fs::read(&path).unwrap();
        let message = if has_ext(&path, "zip") {
            read_anaf_zip(&bytes)
                .map(|a| a.invoice_name)
                .expect_err(&label)
                .to_string()
        } else {
            assert!(!looks_like_ubl(&bytes), "{label}");
            let err = parse_ubl(&bytes).expect_err(&label);
            assert!(
                matches!(err, UblError::NotAnInvoice { .. }),
                "{label}: {err}"
            );
            err.to_string()
        };
        assert!(message.starts_with("not an invoice"), "{label}: {message}");
    }
}

#[test]
fn rule_violations_parse_or_fail_clearly() {
    for path in files("rule-violations") {
        let label = path.display().to_string();
        match parse_ubl(&fs::read(&path).unwrap()) {
            Ok(doc) => {
                assert!(!doc.id.is_empty(), "{label}");
            }
            Err(err) => {
                let message = err.to_string();
                assert!(
                    message.contains('/'),
                    "{label}: no element path in {message}"
                );
            }
        }
    }
    let err =
        parse_ubl(&fs::read(Path::new(SAMPLES).join("rule-violations/invalid-br-2.xml")).unwrap())
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing required element /Invoice/cbc:IssueDate"
    );
}
