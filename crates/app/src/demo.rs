//! Demo data: a realistic, deterministic receivables book for `creanta demo` and for the
//! benchmarks (`--export DIR` writes it as the import files of DESIGN.md).
//!
//! [`generate`] is pure: the same [`DemoOptions`] give byte-identical data and exports, on any
//! machine and across dependency upgrades (the random numbers come from a hand-written
//! SplitMix64, see `demo/rng.rs`).
//!
//! # What is in it
//! Three companies of the "Termoconstruct" group issue invoices (series `TCG`, `TCI`, `TCL`)
//! to N debtors over the 18 months before `today`. About 10% of the invoices carry exactly one
//! internal error of the DESIGN.md taxonomy, named in [`InvoiceRow::injected_errors`]; see
//! [`Injected`] for what each code means. Every other invoice is clean by all of those rules,
//! so the pre-flight check can be scored: findings on clean invoices are false positives.
//!
//! # Documents
//! Supporting documents that a debtor or contract requires are always listed in
//! `documents.csv`, so that clean invoices stay clean. With `documents == true` each listed
//! file is a small generated PDF (DejaVu Sans embedded and subsetted, Romanian diacritics).
//! With `documents == false` every row of one type points at one shared placeholder file,
//! `docs/placeholder-<type>.pdf`, so that a million-invoice export stays small.
//! Several [`DemoDocument`]s may name the same file (a credit note reuses the CMR of the
//! invoice it corrects; placeholders are shared): only the first carries the bytes, the
//! others have empty `bytes`.

mod docs;
mod export;
mod generate;
mod ids;
mod lines;
mod rng;
mod words;

use creanta_formats::rows::{
    ContactRow, ContractRow, DebtorRow, DocumentRow, EntityRow, InvoiceRow, PaymentRow,
};
use jiff::civil::Date;

pub use export::export;
pub use generate::generate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Number of debtors; about ten invoices each.
    pub debtors: usize,
    pub seed: u64,
    /// The invoices fall in the 18 months before it; payments never after it.
    pub today: Date,
    /// Generate PDF files; otherwise documents point at shared placeholders.
    pub documents: bool,
}

impl DemoOptions {
    /// 300 debtors, seed 1, with documents.
    pub fn new(today: Date) -> DemoOptions {
        DemoOptions {
            debtors: 300,
            seed: 1,
            today,
            documents: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoDocument {
    /// Relative to the export folder, e.g. `docs/cmr-TCL-004321.pdf`.
    pub file_name: String,
    /// Empty when an earlier document already carries this file.
    pub bytes: Vec<u8>,
    pub row: DocumentRow,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DemoData {
    pub entities: Vec<EntityRow>,
    pub debtors: Vec<DebtorRow>,
    pub contacts: Vec<ContactRow>,
    pub contracts: Vec<ContractRow>,
    pub invoices: Vec<InvoiceRow>,
    pub payments: Vec<PaymentRow>,
    pub documents: Vec<DemoDocument>,
}

/// How the demo names an invoice in payments and documents: series and number without a
/// space (`TCG004711`), which is also the UBL `cbc:ID`.
pub fn invoice_key(series: &str, number: &str) -> String {
    format!("{series}{number}")
}

/// The internal errors the demo injects, one per affected invoice, recorded in the invoice's
/// `injected_errors` column. "The debtor" is the invoice's `debtor_code`; "the contract" is
/// its `contract_number` (every debtor has at most one); "requirements" are the union of the
/// debtor's and the contract's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Injected {
    /// Issued (and numbered in the series of) a group entity that is not the contract's
    /// `entity_tax_id`. Its IBAN is the issuing entity's own, so only this rule fires.
    WrongEntity,
    /// `buyer_tax_id` is the debtor's CUI with a wrong check digit.
    TaxIdInvalid,
    /// `buyer_tax_id` and `buyer_name` are those of another debtor of the same group (a
    /// valid CUI), while `debtor_code` and the contract are the debtor's. The name matches
    /// the tax id it stands beside, so no name finding is expected in addition.
    TaxIdMismatch,
    /// `buyer_name` differs from the debtor's name in a word, not only in case, diacritics
    /// or legal form (clean invoices sometimes differ in exactly those, e.g. upper case
    /// without diacritics or `S.R.L.` for `SRL`: that is not a mismatch).
    NameMismatch,
    /// `iban` fails the ISO 7064 mod-97 check (one digit of the entity's IBAN changed).
    IbanInvalid,
    /// `iban` is a valid IBAN that is not one of the issuing entity's `ibans`.
    IbanNotOurs,
    /// Requirements say `requires_po`, and `po_number` is empty.
    PoMissing,
    /// Requirements have a `required_mention`, and `mentions` does not contain it.
    MentionMissing,
    /// Requirements list document types, and one of them has no row in documents.csv
    /// for this invoice (the others are there).
    DocumentsMissing,
    /// Requirements say `requires_confirmation`, and no `order_confirmation` document is
    /// attached to this invoice.
    ConfirmationMissing,
    /// `issue_date` is after the contract's `valid_until` (the invoice is the debtor's
    /// last; every other invoice of the contract falls within it).
    ContractExpired,
    /// `due_date` is not `issue_date` + the contract's `payment_terms_days` (the debtor's
    /// when there is no contract; both are equal when both exist).
    TermsMismatch,
    /// `currency` is not the contract's `currency` (the amount is converted, not copied).
    CurrencyMismatch,
    /// `sent_to` is a generic `office@`/`info@` address of the debtor although the debtor
    /// has a `finance` contact with an e-mail address.
    WrongRecipient,
    /// The debtor has no `finance` contact with an e-mail address (only a `general`
    /// `office@` one, which is where the invoice went). Every invoice of such a debtor
    /// carries this code, and no other.
    RecipientMissing,
}

impl Injected {
    pub const ALL: &'static [Injected] = &[
        Injected::WrongEntity,
        Injected::TaxIdInvalid,
        Injected::TaxIdMismatch,
        Injected::NameMismatch,
        Injected::IbanInvalid,
        Injected::IbanNotOurs,
        Injected::PoMissing,
        Injected::MentionMissing,
        Injected::DocumentsMissing,
        Injected::ConfirmationMissing,
        Injected::ContractExpired,
        Injected::TermsMismatch,
        Injected::CurrencyMismatch,
        Injected::WrongRecipient,
        Injected::RecipientMissing,
    ];

    /// The reason code of DESIGN.md's taxonomy.
    pub fn code(self) -> &'static str {
        match self {
            Injected::WrongEntity => "wrong_entity",
            Injected::TaxIdInvalid => "tax_id_invalid",
            Injected::TaxIdMismatch => "tax_id_mismatch",
            Injected::NameMismatch => "name_mismatch",
            Injected::IbanInvalid => "iban_invalid",
            Injected::IbanNotOurs => "iban_not_ours",
            Injected::PoMissing => "po_missing",
            Injected::MentionMissing => "mention_missing",
            Injected::DocumentsMissing => "documents_missing",
            Injected::ConfirmationMissing => "confirmation_missing",
            Injected::ContractExpired => "contract_expired",
            Injected::TermsMismatch => "terms_mismatch",
            Injected::CurrencyMismatch => "currency_mismatch",
            Injected::WrongRecipient => "wrong_recipient",
            Injected::RecipientMissing => "recipient_missing",
        }
    }

    pub fn from_code(code: &str) -> Option<Injected> {
        Injected::ALL
            .iter()
            .copied()
            .find(|i| i.code() == code.trim())
    }
}
