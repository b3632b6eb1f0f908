//! A small consistent world for the rule tests: one invoice that passes every rule, which
//! each test breaks in one place.

use jiff::civil::{Date, date};

use super::facts::{
    ContactFacts, ContractFacts, DebtorFacts, EntityFacts, Facts, GroupCompany, InvoiceFacts,
    Requirements, UblTotals,
};
use super::finding::{Finding, FindingCode};
use crate::ids::{Cui, Iban};
use crate::model::{ContactRole, DocType, InvoiceKind};
use crate::money::{Currency, Money};

/// A valid CUI with the given body (its check digit appended).
pub fn cui(body: &str) -> String {
    let check = Cui::compute_check_digit(body).expect("1 to 9 digits");
    format!("{body}{check}")
}

/// ISO 7064 mod 97-10 over the rearranged IBAN.
fn mod97(s: &str) -> u32 {
    s.bytes().fold(0, |r, b| match b {
        b'0'..=b'9' => (r * 10 + u32::from(b - b'0')) % 97,
        _ => (r * 100 + u32::from(b.to_ascii_uppercase() - b'A') + 10) % 97,
    })
}

/// A valid Romanian IBAN of `bank` (4 letters) and a 16-character account.
pub fn ro_iban(bank: &str, account: &str) -> String {
    let bban = format!("{bank}{account}");
    let check = 98 - mod97(&format!("{bban}RO00"));
    format!("RO{check:02}{bban}")
}

fn iban(s: &str) -> Iban {
    Iban::parse(s).expect("fixture IBANs are valid")
}

pub fn codes(findings: &[Finding]) -> Vec<FindingCode> {
    findings.iter().map(|f| f.code).collect()
}

/// Owns everything a [`Facts`] borrows.
#[derive(Debug, Clone)]
pub struct World {
    pub invoice: InvoiceFacts,
    pub debtor: DebtorFacts,
    pub contract: ContractFacts,
    pub has_contract: bool,
    pub entities: Vec<EntityFacts>,
}

impl World {
    pub fn facts(&self) -> Facts<'_> {
        Facts {
            invoice: &self.invoice,
            debtor: &self.debtor,
            contract: self.has_contract.then_some(&self.contract),
            entities: &self.entities,
        }
    }

    pub fn check(&self) -> Vec<Finding> {
        super::check(&self.facts())
    }

    pub fn no_contract(&mut self) {
        self.has_contract = false;
    }

    /// A partial credit note of the invoice: negative total, same everything else.
    pub fn make_credit_note(&mut self) {
        self.invoice.kind = InvoiceKind::CreditNote;
        self.invoice.total = Money::new(-self.invoice.total.minor, self.invoice.total.currency);
    }

    /// A private person with a CNP, without a contract.
    pub fn make_person(&mut self) {
        self.no_contract();
        self.debtor.name = "Ion Popescu".into();
        self.debtor.tax_id = "1630615123457".into();
        self.debtor.group.clear();
        self.invoice.buyer_tax_id = self.debtor.tax_id.clone();
        self.invoice.buyer_name = Some("POPESCU ION".into());
    }
}

pub const ISSUE: Date = date(2025, 3, 3);

pub fn world() -> World {
    let entities = vec![
        EntityFacts {
            tax_id: cui("1854729"),
            name: "Termoconstruct Grup SRL".into(),
            ibans: vec![
                iban("RO49AAAA1B31007593840000"),
                iban(&ro_iban("BTRL", "EURCRT0123456789")),
            ],
        },
        EntityFacts {
            tax_id: cui("3456789"),
            name: "Termoconstruct Instalații SRL".into(),
            ibans: vec![iban(&ro_iban("BRDE", "0000111122223333"))],
        },
    ];
    let debtor = DebtorFacts {
        code: "D00001".into(),
        name: "Alfa Construcții SRL".into(),
        tax_id: cui("2345678"),
        group: vec![GroupCompany {
            code: "D00002".into(),
            name: "Alfa Instalații SRL".into(),
            tax_id: cui("2345679"),
        }],
        payment_terms_days: Some(30),
        requirements: Requirements::default(),
        contacts: vec![
            ContactFacts {
                name: "Ana Pop".into(),
                role: ContactRole::Finance,
                email: Some("Ana.Pop@alfa.ro".into()),
            },
            ContactFacts {
                name: "Mihai Ionescu".into(),
                role: ContactRole::Purchasing,
                email: Some("mihai.ionescu@alfa.ro".into()),
            },
            ContactFacts {
                name: "Secretariat".into(),
                role: ContactRole::General,
                email: Some("office@alfa.ro".into()),
            },
        ],
    };
    let contract = ContractFacts {
        number: "TCG-C00012/2024".into(),
        entity_tax_id: entities[0].tax_id.clone(),
        signed_on: Some(date(2023, 12, 20)),
        valid_from: Some(date(2024, 1, 1)),
        valid_until: Some(date(2026, 12, 31)),
        payment_terms_days: Some(30),
        currency: Some(Currency::RON),
        requirements: Requirements::default(),
    };
    let invoice = InvoiceFacts {
        entity_tax_id: format!("RO{}", entities[0].tax_id),
        series: "TCG".into(),
        number: "001234".into(),
        kind: InvoiceKind::Invoice,
        issue_date: ISSUE,
        due_date: date(2025, 4, 2),
        total: Money::new(11_900, Currency::RON),
        buyer_tax_id: format!("RO{}", debtor.tax_id),
        buyer_name: Some(debtor.name.clone()),
        po_number: None,
        buyer_reference: None,
        mentions: vec![],
        ibans: vec![entities[0].ibans[0].to_paper()],
        sent_to: Some("ana.pop@alfa.ro".into()),
        linked_documents: vec![DocType::InvoicePdf],
        ubl: Some(UblTotals {
            line_extension: Some(10_000),
            allowance_total: None,
            charge_total: None,
            tax_exclusive: Some(10_000),
            tax_total: Some(1_900),
            tax_inclusive: Some(11_900),
            prepaid: None,
            rounding: None,
            payable: Some(11_900),
            lines: vec![6_000, 4_000],
        }),
        same_number: vec![],
    };
    World {
        invoice,
        debtor,
        contract,
        has_contract: true,
        entities,
    }
}

#[test]
fn the_fixture_is_clean() {
    let w = world();
    assert_eq!(w.check(), vec![]);
    assert_ne!(w.debtor.tax_id, w.debtor.group[0].tax_id);
}
