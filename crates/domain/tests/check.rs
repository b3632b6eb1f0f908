//! The invoice check through the crate's public API: the issue's example, the taxonomy,
//! the JSON a finding is stored as, and the words of every finding in both languages.

use creanta_domain::check::{
    AmountRule, ContactFacts, ContractFacts, DebtorFacts, Detail, EntityFacts, Facts, Field,
    Finding, FindingCode, GroupCompany, InvoiceFacts, Mailbox, RequiredBy, Requirements, Severity,
    TaxIdProblem, TermsSource, check,
};
use creanta_domain::ids::{Cui, Iban};
use creanta_domain::model::{ContactRole, DocType, InvoiceKind, Language};
use creanta_domain::money::{Currency, Money};
use jiff::civil::date;

fn cui(body: &str) -> String {
    format!("{body}{}", Cui::compute_check_digit(body).unwrap())
}

#[test]
fn the_taxonomy_has_the_seventeen_internal_codes() {
    let codes: Vec<&str> = FindingCode::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(
        codes,
        [
            "wrong_entity",
            "tax_id_invalid",
            "tax_id_mismatch",
            "name_mismatch",
            "iban_invalid",
            "iban_not_ours",
            "wrong_recipient",
            "recipient_missing",
            "po_missing",
            "mention_missing",
            "documents_missing",
            "confirmation_missing",
            "contract_expired",
            "terms_mismatch",
            "currency_mismatch",
            "amount_error",
            "duplicate_number",
        ]
    );
    for c in FindingCode::ALL {
        assert_eq!(c.code().parse::<FindingCode>().unwrap(), *c);
        assert_eq!(serde_json::to_value(c).unwrap(), c.code());
    }
}

/// The issue's example: an invoice issued to another company of the customer's group.
#[test]
fn an_invoice_to_the_wrong_group_company_names_both() {
    let ours = EntityFacts {
        tax_id: cui("1854729"),
        name: "Termoconstruct Grup SRL".into(),
        ibans: vec![Iban::parse("RO49AAAA1B31007593840000").unwrap()],
    };
    let debtor = DebtorFacts {
        code: "D00007".into(),
        name: "Beta Logistică SRL".into(),
        tax_id: cui("4444444"),
        group: vec![GroupCompany {
            code: "D00008".into(),
            name: "Beta Transport SRL".into(),
            tax_id: cui("5555555"),
        }],
        payment_terms_days: Some(30),
        requirements: Requirements::default(),
        contacts: vec![ContactFacts {
            name: "Ioana Dumitrescu".into(),
            role: ContactRole::Finance,
            email: Some("ioana.dumitrescu@beta.ro".into()),
        }],
    };
    let contract = ContractFacts {
        number: "TCG-C00007/2024".into(),
        entity_tax_id: ours.tax_id.clone(),
        signed_on: None,
        valid_from: Some(date(2024, 1, 1)),
        valid_until: None,
        payment_terms_days: Some(30),
        currency: Some(Currency::RON),
        requirements: Requirements::default(),
    };
    let invoice = InvoiceFacts {
        entity_tax_id: ours.tax_id.clone(),
        series: "TCG".into(),
        number: "004711".into(),
        kind: InvoiceKind::Invoice,
        issue_date: date(2025, 6, 2),
        due_date: date(2025, 7, 2),
        total: Money::new(595_000, Currency::RON),
        buyer_tax_id: format!("RO{}", cui("5555555")),
        buyer_name: Some("BETA TRANSPORT S.R.L.".into()),
        po_number: None,
        buyer_reference: None,
        mentions: vec![],
        ibans: vec!["RO49 AAAA 1B31 0075 9384 0000".into()],
        sent_to: Some("ioana.dumitrescu@beta.ro".into()),
        linked_documents: vec![DocType::InvoicePdf],
        ubl: None,
        same_number: vec![],
    };
    let entities = [ours];
    let findings = check(&Facts {
        invoice: &invoice,
        debtor: &debtor,
        contract: Some(&contract),
        entities: &entities,
    });
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(
        (f.code, f.severity, f.field),
        (
            FindingCode::TaxIdMismatch,
            Severity::Error,
            Field::BuyerTaxId
        )
    );
    let transport = cui("5555555");
    let logistica = cui("4444444");
    assert_eq!(
        f.message(Language::En),
        format!(
            "Issued to Beta Transport SRL (CUI {transport}), but contract TCG-C00007/2024 \
             is with Beta Logistică SRL (CUI {logistica})."
        )
    );
    assert_eq!(
        f.message(Language::Ro),
        format!(
            "Factura este emisă către Beta Transport SRL (CUI {transport}), dar contractul \
             TCG-C00007/2024 este cu Beta Logistică SRL (CUI {logistica})."
        )
    );
    assert!(f.fix(Language::Ro).contains("Beta Logistică SRL"));

    // Stored as JSON and read back, it says the same.
    let json = serde_json::to_value(f).unwrap();
    assert_eq!(json["code"], "tax_id_mismatch");
    assert_eq!(json["severity"], "error");
    assert_eq!(json["field"], "buyer_tax_id");
    assert_eq!(json["detail"]["kind"], "tax_id_mismatch");
    let back: Finding = serde_json::from_value(json).unwrap();
    assert_eq!(&back, f);
}

fn by_both() -> RequiredBy {
    RequiredBy {
        debtor: true,
        contract: Some("C-1".into()),
    }
}

/// One of each kind of detail.
fn every_detail() -> Vec<Detail> {
    let d = date(2025, 3, 3);
    let ron = |m| Money::new(m, Currency::RON);
    vec![
        Detail::IssuerNotOurs {
            issuer_tax_id: "18547290".into(),
        },
        Detail::IssuerNotContracts {
            issuer_tax_id: "18547290".into(),
            issuer_name: "Termoconstruct Grup SRL".into(),
            contract_number: "C-1".into(),
            contract_entity_tax_id: "34567890".into(),
            contract_entity_name: Some("Termoconstruct Instalații SRL".into()),
        },
        Detail::TaxIdInvalid {
            written: "18547291".into(),
            problem: TaxIdProblem::CheckDigit {
                found: 1,
                expected: 0,
            },
            debtor_name: "Alfa SRL".into(),
            expected: Some("18547290".into()),
        },
        Detail::TaxIdInvalid {
            written: "".into(),
            problem: TaxIdProblem::Missing,
            debtor_name: "Alfa SRL".into(),
            expected: None,
        },
        Detail::TaxIdInvalid {
            written: "12A".into(),
            problem: TaxIdProblem::Malformed,
            debtor_name: "Alfa SRL".into(),
            expected: None,
        },
        Detail::TaxIdMismatch {
            written: "1630615123457".into(),
            buyer_name: None,
            debtor_name: "Alfa SRL".into(),
            debtor_tax_id: "18547290".into(),
            group_company: None,
            contract_number: None,
        },
        Detail::NameMismatch {
            written: "Alfa Mobilier SRL".into(),
            expected: "Alfa Construcții SRL".into(),
        },
        Detail::IbanInvalid {
            written: "RO48AAAA1B31007593840000".into(),
            ours: vec!["RO49 AAAA 1B31 0075 9384 0000".into()],
        },
        Detail::IbanNotOurs {
            written: "RO49 AAAA 1B31 0075 9384 0000".into(),
            issuer_name: "Termoconstruct Grup SRL".into(),
            owner: None,
            ours: vec![],
        },
        Detail::WrongRecipient {
            sent_to: vec!["x@alfa.ro".into()],
            mailbox: Mailbox::Unknown,
            finance: vec!["ana@alfa.ro".into(), "dan@alfa.ro".into()],
        },
        Detail::WrongRecipient {
            sent_to: vec!["m@alfa.ro".into()],
            mailbox: Mailbox::Contact {
                name: "Mihai".into(),
                role: ContactRole::Management,
            },
            finance: vec!["ana@alfa.ro".into()],
        },
        Detail::RecipientMissing {
            debtor_name: "Alfa SRL".into(),
            without_email: vec![],
        },
        Detail::PoMissing {
            required_by: by_both(),
        },
        Detail::MentionMissing {
            mention: "Cod proiect: P-1".into(),
            required_by: by_both(),
        },
        Detail::DocumentsMissing {
            missing: vec![DocType::Cmr, DocType::AcceptanceReport, DocType::Timesheet],
            required_by: by_both(),
        },
        Detail::ConfirmationMissing {
            required_by: by_both(),
        },
        Detail::ContractEnded {
            contract_number: "C-1".into(),
            issue_date: d,
            valid_until: date(2025, 2, 28),
        },
        Detail::ContractNotStarted {
            contract_number: "C-1".into(),
            issue_date: d,
            valid_from: date(2025, 4, 1),
        },
        Detail::TermsDiffer {
            issue_date: d,
            due_date: date(2025, 3, 18),
            days_written: 15,
            days_agreed: 30,
            expected_due: date(2025, 4, 2),
            source: TermsSource::Contract {
                number: "C-1".into(),
            },
        },
        Detail::DueBeforeIssue {
            issue_date: d,
            due_date: date(2025, 3, 1),
        },
        Detail::TermsOverLegalLimit { days: 90 },
        Detail::CurrencyMismatch {
            written: Currency::EUR,
            agreed: Currency::RON,
            contract_number: "C-1".into(),
        },
        Detail::AmountError {
            rule: AmountRule::BrCo10,
            stated: ron(10_000),
            computed: ron(9_999),
        },
        Detail::AmountError {
            rule: AmountRule::BrCo13,
            stated: ron(10_000),
            computed: ron(9_999),
        },
        Detail::DuplicateNumber {
            series: "".into(),
            number: "17".into(),
            issuer_name: None,
            others: vec![(d, ron(100)), (d, ron(200))],
        },
    ]
}

#[test]
fn every_finding_has_a_message_and_a_fix_in_both_languages() {
    let details = every_detail();
    let codes: std::collections::BTreeSet<FindingCode> = details.iter().map(Detail::code).collect();
    assert_eq!(
        codes.len(),
        FindingCode::ALL.len(),
        "one detail per code at least"
    );
    for d in details {
        let f = Finding::new(d);
        for lang in Language::ALL {
            for text in [f.message(*lang), f.fix(*lang)] {
                assert!(text.ends_with('.'), "{lang}: {text}");
                assert!(!text.contains("  "), "{lang}: {text}");
                assert!(
                    text.chars().next().is_some_and(char::is_uppercase),
                    "{lang}: {text}"
                );
                // Romanian is written with the comma below (ș, ț), never the cedilla.
                assert!(!text.contains(['ş', 'ţ', 'Ş', 'Ţ']), "{lang}: {text}");
            }
        }
        assert_ne!(f.message(Language::Ro), f.message(Language::En));
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<Finding>(&json).unwrap(), f);
    }
}

#[test]
fn severities_block_what_stops_payment() {
    let warnings: Vec<FindingCode> = every_detail()
        .into_iter()
        .map(Finding::new)
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| f.code)
        .collect();
    assert_eq!(
        warnings,
        [
            FindingCode::NameMismatch,
            FindingCode::WrongRecipient,
            FindingCode::WrongRecipient,
            FindingCode::TermsMismatch
        ]
    );
}
