//! Property tests of the check as a whole: a consistent invoice, however it is written,
//! gives no finding; each mistake the demo data injects, made on such an invoice, gives
//! exactly its own code. Together they are the domain's share of the acceptance test
//! (recall per code, false positives on clean invoices).

use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;

use super::facts::{SameNumber, UblTotals};
use super::finding::FindingCode as C;
use super::fixture::{self, World, codes};
use super::normalize::{names_match, normalize_name};
use crate::calendar::next_business_day;
use crate::model::{ContactRole, DocType};
use crate::money::{Currency, Money};

// ---------------------------------------------------------------------------------------
// Names

/// Words of company names: none a legal form, none a single letter.
const WORDS: &[&str] = &[
    "Alfa",
    "Construcții",
    "Instalații",
    "Logistică",
    "Țesătura",
    "Șantier",
    "Întreținere",
    "Brașov",
    "Grup",
    "Holding",
    "Müller",
    "Straße",
    "Kovács",
    "Nord",
    "Vest",
    "2000",
    "Tâmplărie",
];
const FORMS: &[&str] = &[
    "SRL", "S.R.L.", "SA", "S.A.", "s.r.l", "GmbH", "Kft.", "PFA", "",
];

fn company_name() -> impl Strategy<Value = (Vec<&'static str>, &'static str)> {
    (
        prop::collection::vec(prop::sample::select(WORDS), 1..4),
        prop::sample::select(FORMS),
    )
}

fn ascii_fold(s: &str) -> String {
    super::normalize::fold_tokens(s).join(" ")
}

/// How other software writes the same name.
fn variant(words: &[&str], form: &str, style: u8) -> String {
    let plain = format!("{} {form}", words.join(" "));
    match style % 6 {
        0 => plain.to_uppercase(),
        1 => plain.to_lowercase(),
        2 => ascii_fold(&plain).to_uppercase(),
        3 => format!("S.C. {}-{}", words.join("-"), form.replace('.', "")),
        4 => format!("  {}, {form}.", words.join(",  ")),
        _ => words.join(" "),
    }
}

proptest! {
    #[test]
    fn normalize_name_is_idempotent(s in ".{0,40}") {
        let once = normalize_name(&s);
        prop_assert_eq!(normalize_name(&once), once);
    }

    #[test]
    fn normalize_name_is_idempotent_on_name_like_text(
        s in "[a-zA-Z ăâîșțşţĂÂÎȘȚ.,&-]{0,30}"
    ) {
        let once = normalize_name(&s);
        prop_assert_eq!(normalize_name(&once), once);
    }

    #[test]
    fn spelling_variants_are_the_same_name(
        (words, form) in company_name(),
        style in any::<u8>(),
    ) {
        let name = format!("{} {form}", words.join(" "));
        let other = variant(&words, form, style);
        prop_assert!(names_match(&name, &other), "{} vs {}", name, other);
    }

    #[test]
    fn another_word_is_another_name(
        (mut words, form) in company_name(),
        at in any::<prop::sample::Index>(),
        shift in 1..WORDS.len(),
    ) {
        let name = format!("{} {form}", words.join(" "));
        let i = at.index(words.len());
        let current = WORDS.iter().position(|w| *w == words[i]).expect("drawn from WORDS");
        words[i] = WORDS[(current + shift) % WORDS.len()];
        let other = format!("{} {form}", words.join(" "));
        prop_assert!(!names_match(&name, &other), "{} vs {}", name, other);
    }
}

// ---------------------------------------------------------------------------------------
// Whole invoices

/// A consistent invoice, written in one of the many ways a correct invoice is written.
#[derive(Debug, Clone)]
struct Clean {
    issue_offset: i64,
    terms: i64,
    move_due: bool,
    contract: bool,
    eur: bool,
    credit: bool,
    requires_po: bool,
    mention: Option<usize>,
    documents: Vec<DocType>,
    confirmation: bool,
    on_contract: [bool; 4],
    name_style: Option<u8>,
    ro_prefix: bool,
    paper_iban: bool,
    cc_office: bool,
    lines: Vec<i64>,
    allowance: i64,
    charge: i64,
    tax: i64,
    prepaid: i64,
    rounding: i64,
    ubl: bool,
}

const MENTIONS: &[&str] = &[
    "Cod proiect: P-1234",
    "Centru de cost: CC-4410",
    "Cod furnizor: F10022",
    "Nr. acord-cadru: AC-17/2024",
];

fn clean() -> impl Strategy<Value = Clean> {
    let docs = prop::sample::subsequence(
        vec![
            DocType::Cmr,
            DocType::DeliveryNote,
            DocType::AcceptanceReport,
            DocType::Timesheet,
        ],
        0..3,
    );
    (
        (
            0i64..3_000,
            0i64..=60,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            any::<bool>(),
            prop::option::of(0..MENTIONS.len()),
            docs,
            any::<bool>(),
            any::<[bool; 4]>(),
        ),
        (
            prop::option::of(any::<u8>()),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            prop::collection::vec(-1_000_000i64..10_000_000, 1..6),
            0i64..10_000,
            0i64..10_000,
            0i64..2_000_000,
            0i64..1_000_000,
            -50i64..50,
            any::<bool>(),
        ),
    )
        .prop_map(|(a, b, c, d)| Clean {
            issue_offset: a.0,
            terms: a.1,
            move_due: a.2,
            contract: a.3,
            eur: a.4,
            credit: a.5,
            requires_po: b.0,
            mention: b.1,
            documents: b.2,
            confirmation: b.3,
            on_contract: b.4,
            name_style: c.0,
            ro_prefix: c.1,
            paper_iban: c.2,
            cc_office: c.3,
            lines: d.0,
            allowance: d.1,
            charge: d.2,
            tax: d.3,
            prepaid: d.4,
            rounding: d.5,
            ubl: d.6,
        })
}

fn build(c: &Clean) -> World {
    let mut w = fixture::world();
    let issue: Date = date(2020, 1, 1).saturating_add(c.issue_offset.days());
    let currency = if c.eur { Currency::EUR } else { Currency::RON };
    w.has_contract = c.contract;
    w.contract.valid_from = Some(date(2019, 6, 1));
    w.contract.valid_until = Some(date(2030, 12, 31));
    w.contract.currency = Some(currency);
    w.contract.payment_terms_days = Some(c.terms);
    w.debtor.payment_terms_days = Some(c.terms);

    // Requirements, each on the debtor or the contract, and met by the invoice.
    let (d, k) = (&mut w.debtor.requirements, &mut w.contract.requirements);
    let pick = |on: bool| on && c.contract;
    if c.requires_po {
        if pick(c.on_contract[0]) {
            k.requires_po = true
        } else {
            d.requires_po = true
        }
        w.invoice.po_number = Some("PO-2025-00017".into());
    }
    if let Some(m) = c.mention {
        let m = MENTIONS[m].to_owned();
        if pick(c.on_contract[1]) {
            k.required_mention = Some(m.clone())
        } else {
            d.required_mention = Some(m.clone())
        }
        w.invoice.mentions = vec!["Livrare conform comenzii".into(), m.to_uppercase()];
    }
    if !c.documents.is_empty() {
        if pick(c.on_contract[2]) {
            k.required_documents = c.documents.clone()
        } else {
            d.required_documents = c.documents.clone()
        }
        w.invoice
            .linked_documents
            .extend(c.documents.iter().copied());
    }
    if c.confirmation {
        if pick(c.on_contract[3]) {
            k.requires_confirmation = true
        } else {
            d.requires_confirmation = true
        }
        w.invoice.linked_documents.push(DocType::OrderConfirmation);
    }

    w.invoice.issue_date = issue;
    let due = issue.saturating_add(c.terms.days());
    w.invoice.due_date = if c.move_due {
        next_business_day(due)
    } else {
        due
    };
    if let Some(style) = c.name_style {
        w.invoice.buyer_name = Some(variant(&["Alfa", "Construcții"], "SRL", style));
    }
    w.invoice.buyer_tax_id = if c.ro_prefix {
        format!("RO {}", w.debtor.tax_id)
    } else {
        w.debtor.tax_id.clone()
    };
    let account = if c.eur {
        &w.entities[0].ibans[1]
    } else {
        &w.entities[0].ibans[0]
    };
    w.invoice.ibans = vec![if c.paper_iban {
        account.to_paper()
    } else {
        account.to_string()
    }];
    if c.cc_office {
        w.invoice.sent_to = Some("office@alfa.ro; Ana Pop <ana.pop@ALFA.ro>".into());
    }

    let le: i64 = c.lines.iter().sum();
    let te = le - c.allowance + c.charge;
    let ti = te + c.tax;
    let payable = ti - c.prepaid + c.rounding;
    w.invoice.total = Money::new(payable, currency);
    w.invoice.ubl = c.ubl.then(|| UblTotals {
        line_extension: Some(le),
        allowance_total: Some(c.allowance),
        charge_total: Some(c.charge),
        tax_exclusive: Some(te),
        tax_total: Some(c.tax),
        tax_inclusive: Some(ti),
        prepaid: Some(c.prepaid),
        rounding: Some(c.rounding),
        payable: Some(payable),
        lines: c.lines.clone(),
    });
    if c.credit {
        w.make_credit_note();
    }
    w
}

/// The mistakes the demo injects (crates/app/src/demo.rs, `Injected`), plus the two it
/// does not (amount, duplicate), each made on a clean invoice.
#[derive(Debug, Clone, Copy)]
enum Mistake {
    WrongEntity,
    TaxIdInvalid,
    TaxIdMismatch,
    NameMismatch,
    IbanInvalid,
    IbanNotOurs,
    PoMissing,
    MentionMissing,
    DocumentsMissing,
    ConfirmationMissing,
    ContractExpired,
    TermsMismatch,
    CurrencyMismatch,
    WrongRecipient,
    RecipientMissing,
    AmountError,
    DuplicateNumber,
}

impl Mistake {
    const ALL: [Mistake; 17] = [
        Mistake::WrongEntity,
        Mistake::TaxIdInvalid,
        Mistake::TaxIdMismatch,
        Mistake::NameMismatch,
        Mistake::IbanInvalid,
        Mistake::IbanNotOurs,
        Mistake::PoMissing,
        Mistake::MentionMissing,
        Mistake::DocumentsMissing,
        Mistake::ConfirmationMissing,
        Mistake::ContractExpired,
        Mistake::TermsMismatch,
        Mistake::CurrencyMismatch,
        Mistake::WrongRecipient,
        Mistake::RecipientMissing,
        Mistake::AmountError,
        Mistake::DuplicateNumber,
    ];

    fn code(self) -> C {
        match self {
            Mistake::WrongEntity => C::WrongEntity,
            Mistake::TaxIdInvalid => C::TaxIdInvalid,
            Mistake::TaxIdMismatch => C::TaxIdMismatch,
            Mistake::NameMismatch => C::NameMismatch,
            Mistake::IbanInvalid => C::IbanInvalid,
            Mistake::IbanNotOurs => C::IbanNotOurs,
            Mistake::PoMissing => C::PoMissing,
            Mistake::MentionMissing => C::MentionMissing,
            Mistake::DocumentsMissing => C::DocumentsMissing,
            Mistake::ConfirmationMissing => C::ConfirmationMissing,
            Mistake::ContractExpired => C::ContractExpired,
            Mistake::TermsMismatch => C::TermsMismatch,
            Mistake::CurrencyMismatch => C::CurrencyMismatch,
            Mistake::WrongRecipient => C::WrongRecipient,
            Mistake::RecipientMissing => C::RecipientMissing,
            Mistake::AmountError => C::AmountError,
            Mistake::DuplicateNumber => C::DuplicateNumber,
        }
    }

    /// Turns `c` into an invoice that can carry the mistake, as the demo only injects a
    /// code where it can happen (a contract for `wrong_entity`, a requirement for
    /// `po_missing`, an invoice rather than a credit note for the delivery rules, …).
    fn make_eligible(self, c: &mut Clean) {
        // An invoice by kind and by sign: nothing taken off can make the total negative.
        fn not_credit(c: &mut Clean) {
            c.credit = false;
            c.prepaid = 0;
            c.allowance = 0;
            c.rounding = c.rounding.abs();
            c.lines.iter_mut().for_each(|l| *l = l.abs());
        }
        match self {
            Mistake::WrongEntity | Mistake::CurrencyMismatch => c.contract = true,
            Mistake::PoMissing => c.requires_po = true,
            Mistake::MentionMissing => {
                c.mention.get_or_insert(0);
            }
            Mistake::DocumentsMissing => {
                if c.documents.is_empty() {
                    c.documents.push(DocType::Cmr);
                }
                not_credit(c);
            }
            Mistake::ConfirmationMissing => {
                c.confirmation = true;
                not_credit(c);
            }
            Mistake::ContractExpired => {
                c.contract = true;
                not_credit(c);
            }
            Mistake::TermsMismatch => not_credit(c),
            Mistake::AmountError => c.ubl = true,
            _ => {}
        }
    }

    /// Makes the mistake on `w` the way the demo does; `false` when this invoice cannot
    /// carry it (the demo's eligibility: e.g. no contract, or a credit note).
    fn apply(self, w: &mut World, c: &Clean, n: u64) -> bool {
        // By kind or by a negative total, as the rules see it.
        let credit = w.invoice.is_credit();
        let inv = &mut w.invoice;
        match self {
            Mistake::WrongEntity => {
                if !c.contract {
                    return false;
                }
                let other = &w.entities[1];
                inv.entity_tax_id = other.tax_id.clone();
                inv.ibans = vec![other.ibans[0].to_string()];
            }
            Mistake::TaxIdInvalid => {
                let id = &w.debtor.tax_id;
                let last = id.as_bytes()[id.len() - 1] - b'0';
                let wrong = (last + 1 + (n % 9) as u8) % 10;
                inv.buyer_tax_id = format!("{}{wrong}", &id[..id.len() - 1]);
            }
            Mistake::TaxIdMismatch => {
                inv.buyer_tax_id = w.debtor.group[0].tax_id.clone();
                inv.buyer_name = Some(w.debtor.group[0].name.clone());
            }
            Mistake::NameMismatch => inv.buyer_name = Some("Alfa Mobilier SRL".into()),
            Mistake::IbanInvalid => {
                let mut b = inv.ibans[0].replace(' ', "").into_bytes();
                let digits: Vec<usize> = (8..b.len()).filter(|&i| b[i].is_ascii_digit()).collect();
                let i = digits[(n as usize) % digits.len()];
                b[i] = b'0' + (b[i] - b'0' + 1 + (n % 9) as u8) % 10;
                inv.ibans = vec![String::from_utf8(b).unwrap()];
            }
            Mistake::IbanNotOurs => {
                inv.ibans = vec![fixture::ro_iban("BACX", &format!("{:016}", n % 10_000_000))];
            }
            Mistake::PoMissing => {
                if !c.requires_po {
                    return false;
                }
                inv.po_number = None;
            }
            Mistake::MentionMissing => {
                if c.mention.is_none() {
                    return false;
                }
                inv.mentions.truncate(1);
            }
            Mistake::DocumentsMissing => {
                if c.documents.is_empty() || credit {
                    return false;
                }
                let drop = c.documents[(n as usize) % c.documents.len()];
                inv.linked_documents.retain(|t| *t != drop);
            }
            Mistake::ConfirmationMissing => {
                if !c.confirmation || credit {
                    return false;
                }
                inv.linked_documents
                    .retain(|t| *t != DocType::OrderConfirmation);
            }
            Mistake::ContractExpired => {
                if !c.contract || credit {
                    return false;
                }
                w.contract.valid_until =
                    Some(inv.issue_date.saturating_sub(((n % 60) as i64 + 1).days()));
            }
            Mistake::TermsMismatch => {
                if credit {
                    return false;
                }
                // Another of the demo's terms, whose due date does not fall on the agreed
                // one once both are moved past a weekend.
                let issue = inv.issue_date;
                let agreed = next_business_day(issue.saturating_add(c.terms.days()));
                let others: Vec<i64> = [15, 30, 45, 60]
                    .into_iter()
                    .filter(|t| next_business_day(issue.saturating_add(t.days())) != agreed)
                    .collect();
                let t = others[(n as usize) % others.len()];
                inv.due_date = issue.saturating_add(t.days());
            }
            Mistake::CurrencyMismatch => {
                if !c.contract {
                    return false;
                }
                let other = if c.eur { Currency::RON } else { Currency::EUR };
                inv.total = Money::new(inv.total.minor, other);
                let account = if c.eur {
                    &w.entities[0].ibans[0]
                } else {
                    &w.entities[0].ibans[1]
                };
                inv.ibans = vec![account.to_string()];
            }
            Mistake::WrongRecipient => inv.sent_to = Some("office@alfa.ro".into()),
            Mistake::RecipientMissing => {
                w.debtor.contacts.retain(|k| k.role != ContactRole::Finance);
                inv.sent_to = Some("office@alfa.ro".into());
            }
            Mistake::AmountError => match inv.ubl.as_mut() {
                Some(t) => t.payable = t.payable.map(|p| p + 1 + (n % 100) as i64),
                None => return false,
            },
            Mistake::DuplicateNumber => {
                inv.same_number = vec![SameNumber {
                    issue_date: inv.issue_date,
                    total: inv.total,
                }]
            }
        }
        true
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_consistent_invoice_has_no_finding(c in clean()) {
        let w = build(&c);
        let found = w.check();
        prop_assert!(found.is_empty(), "{:#?}\n{:#?}", found, w);
    }

    #[test]
    fn each_mistake_gives_exactly_its_code(
        mut c in clean(),
        m in prop::sample::select(Mistake::ALL.to_vec()),
        n in any::<u64>(),
    ) {
        m.make_eligible(&mut c);
        let mut w = build(&c);
        prop_assert!(m.apply(&mut w, &c, n), "{:?} not made on {:?}", m, c);
        let found = w.check();
        let mut got = codes(&found);
        got.dedup();
        prop_assert_eq!(got, vec![m.code()], "{:#?}", found);
    }

    #[test]
    fn check_is_deterministic(c in clean()) {
        let w = build(&c);
        prop_assert_eq!(w.check(), w.check());
    }
}
