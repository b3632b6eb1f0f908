//! What the check reports: a finding with its code, severity, the invoice field concerned,
//! and the facts its message and fix are written from.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::combine::{RequiredBy, TermsSource};
use crate::model::{ContactRole, DocType, Language, code_enum};
use crate::money::{Currency, Money};

code_enum!(
    /// The internal causes of the reason-code taxonomy (DESIGN.md, "Words"): our own
    /// mistakes, which the check finds before the invoice reaches the customer. Declared
    /// in the taxonomy's order, which is also the order of [`check`](super::check)'s output.
    FindingCode {
        WrongEntity = "wrong_entity",
        TaxIdInvalid = "tax_id_invalid",
        TaxIdMismatch = "tax_id_mismatch",
        NameMismatch = "name_mismatch",
        IbanInvalid = "iban_invalid",
        IbanNotOurs = "iban_not_ours",
        WrongRecipient = "wrong_recipient",
        RecipientMissing = "recipient_missing",
        PoMissing = "po_missing",
        MentionMissing = "mention_missing",
        DocumentsMissing = "documents_missing",
        ConfirmationMissing = "confirmation_missing",
        ContractExpired = "contract_expired",
        TermsMismatch = "terms_mismatch",
        CurrencyMismatch = "currency_mismatch",
        AmountError = "amount_error",
        DuplicateNumber = "duplicate_number",
    }
);

code_enum!(
    /// `error` blocks delivery (a manager may override it, with a reason); `warning` is
    /// shown and counted but lets the invoice go.
    Severity { Error = "error", Warning = "warning" }
);

code_enum!(
    /// The invoice field a finding is about; the names of the invoice import columns, and
    /// of the UBL totals for amount errors.
    Field {
        EntityTaxId = "entity_tax_id",
        BuyerTaxId = "buyer_tax_id",
        BuyerName = "buyer_name",
        Iban = "iban",
        SentTo = "sent_to",
        PoNumber = "po_number",
        Mentions = "mentions",
        Documents = "documents",
        IssueDate = "issue_date",
        DueDate = "due_date",
        Currency = "currency",
        LineExtensionAmount = "line_extension_amount",
        TaxExclusiveAmount = "tax_exclusive_amount",
        TaxInclusiveAmount = "tax_inclusive_amount",
        PayableAmount = "payable_amount",
        Number = "number",
    }
);

/// Why a buyer tax id is not valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum TaxIdProblem {
    Missing,
    CheckDigit {
        found: u8,
        expected: u8,
    },
    /// Wrong length, characters, CNP date or county, foreign shape.
    Malformed,
}

/// The EN 16931 rule an amount breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountRule {
    /// Sum of line net amounts = line extension amount.
    BrCo10,
    /// Tax exclusive = line extension − allowances + charges.
    BrCo13,
    /// Tax inclusive = tax exclusive + VAT total.
    BrCo15,
    /// Payable = tax inclusive − prepaid + rounding.
    BrCo16,
}

impl AmountRule {
    pub fn name(self) -> &'static str {
        match self {
            AmountRule::BrCo10 => "BR-CO-10",
            AmountRule::BrCo13 => "BR-CO-13",
            AmountRule::BrCo15 => "BR-CO-15",
            AmountRule::BrCo16 => "BR-CO-16",
        }
    }
}

/// Where the invoice went, when it is not the finance contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mailbox", rename_all = "snake_case")]
pub enum Mailbox {
    /// office@, info@, …
    Generic,
    /// A known contact of the debtor with another role.
    Contact { name: String, role: ContactRole },
    /// An address the debtor's contacts do not have.
    Unknown,
}

/// The facts of one finding, from which its code, severity, field, message and fix follow.
/// Stored as JSON beside the finding, so that it can be shown again in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Detail {
    /// The issuer's tax id is none of our entities'.
    IssuerNotOurs {
        issuer_tax_id: String,
    },
    /// One of our entities issued it, but not the contract's.
    IssuerNotContracts {
        issuer_tax_id: String,
        issuer_name: String,
        contract_number: String,
        contract_entity_tax_id: String,
        contract_entity_name: Option<String>,
    },
    TaxIdInvalid {
        written: String,
        problem: TaxIdProblem,
        debtor_name: String,
        /// The debtor's tax id, when it is itself valid: the likely correction.
        expected: Option<String>,
    },
    TaxIdMismatch {
        /// The buyer's (valid) tax id, in its normal form.
        written: String,
        buyer_name: Option<String>,
        debtor_name: String,
        debtor_tax_id: String,
        /// The company of the debtor's group the id belongs to.
        group_company: Option<String>,
        contract_number: Option<String>,
    },
    NameMismatch {
        written: String,
        expected: String,
    },
    IbanInvalid {
        written: String,
        /// The issuer's accounts, paper format.
        ours: Vec<String>,
    },
    IbanNotOurs {
        written: String,
        issuer_name: String,
        /// Another of our entities that owns the account.
        owner: Option<String>,
        /// The issuer's accounts, paper format.
        ours: Vec<String>,
    },
    WrongRecipient {
        sent_to: Vec<String>,
        mailbox: Mailbox,
        finance: Vec<String>,
    },
    RecipientMissing {
        debtor_name: String,
        /// Finance contacts without a usable e-mail address.
        without_email: Vec<String>,
    },
    PoMissing {
        required_by: RequiredBy,
    },
    MentionMissing {
        mention: String,
        required_by: RequiredBy,
    },
    DocumentsMissing {
        missing: Vec<DocType>,
        required_by: RequiredBy,
    },
    ConfirmationMissing {
        required_by: RequiredBy,
    },
    ContractEnded {
        contract_number: String,
        issue_date: Date,
        valid_until: Date,
    },
    ContractNotStarted {
        contract_number: String,
        issue_date: Date,
        valid_from: Date,
    },
    TermsDiffer {
        issue_date: Date,
        due_date: Date,
        days_written: i64,
        days_agreed: i64,
        expected_due: Date,
        source: TermsSource,
    },
    DueBeforeIssue {
        issue_date: Date,
        due_date: Date,
    },
    /// Law 72/2013, art. 3: over 60 days between professionals needs an express clause.
    TermsOverLegalLimit {
        days: i64,
    },
    CurrencyMismatch {
        written: Currency,
        agreed: Currency,
        contract_number: String,
    },
    AmountError {
        rule: AmountRule,
        stated: Money,
        computed: Money,
    },
    DuplicateNumber {
        series: String,
        number: String,
        issuer_name: Option<String>,
        others: Vec<(Date, Money)>,
    },
}

impl Detail {
    pub fn code(&self) -> FindingCode {
        use FindingCode as C;
        match self {
            Detail::IssuerNotOurs { .. } | Detail::IssuerNotContracts { .. } => C::WrongEntity,
            Detail::TaxIdInvalid { .. } => C::TaxIdInvalid,
            Detail::TaxIdMismatch { .. } => C::TaxIdMismatch,
            Detail::NameMismatch { .. } => C::NameMismatch,
            Detail::IbanInvalid { .. } => C::IbanInvalid,
            Detail::IbanNotOurs { .. } => C::IbanNotOurs,
            Detail::WrongRecipient { .. } => C::WrongRecipient,
            Detail::RecipientMissing { .. } => C::RecipientMissing,
            Detail::PoMissing { .. } => C::PoMissing,
            Detail::MentionMissing { .. } => C::MentionMissing,
            Detail::DocumentsMissing { .. } => C::DocumentsMissing,
            Detail::ConfirmationMissing { .. } => C::ConfirmationMissing,
            Detail::ContractEnded { .. } | Detail::ContractNotStarted { .. } => C::ContractExpired,
            Detail::TermsDiffer { .. }
            | Detail::DueBeforeIssue { .. }
            | Detail::TermsOverLegalLimit { .. } => C::TermsMismatch,
            Detail::CurrencyMismatch { .. } => C::CurrencyMismatch,
            Detail::AmountError { .. } => C::AmountError,
            Detail::DuplicateNumber { .. } => C::DuplicateNumber,
        }
    }

    /// Errors are what makes a customer refuse or park the invoice. Three findings are
    /// warnings, because blocking delivery would do more harm than the finding itself:
    ///
    /// - `name_mismatch`: the tax id, not the name, identifies the buyer (e-Factura routes
    ///   and the customer's ERP books by CUI); a name that still differs after the
    ///   normalisation is most often a trading or former name. Worth a look, not a block.
    /// - `wrong_recipient`: the invoice itself is right, only an earlier sending went to a
    ///   mailbox nobody in accounts reads. Delivery through Creanța goes to the finance
    ///   contact, which is the fix; blocking it would keep the invoice from them.
    /// - `terms_mismatch` over 60 days (Law 72/2013): lawful when the contract says so
    ///   expressly and it is not abusive to us, so it asks for a check of the clause.
    pub fn severity(&self) -> Severity {
        match self {
            Detail::NameMismatch { .. }
            | Detail::WrongRecipient { .. }
            | Detail::TermsOverLegalLimit { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    pub fn field(&self) -> Field {
        match self {
            Detail::IssuerNotOurs { .. } | Detail::IssuerNotContracts { .. } => Field::EntityTaxId,
            Detail::TaxIdInvalid { .. } | Detail::TaxIdMismatch { .. } => Field::BuyerTaxId,
            Detail::NameMismatch { .. } => Field::BuyerName,
            Detail::IbanInvalid { .. } | Detail::IbanNotOurs { .. } => Field::Iban,
            Detail::WrongRecipient { .. } | Detail::RecipientMissing { .. } => Field::SentTo,
            Detail::PoMissing { .. } => Field::PoNumber,
            Detail::MentionMissing { .. } => Field::Mentions,
            Detail::DocumentsMissing { .. } | Detail::ConfirmationMissing { .. } => {
                Field::Documents
            }
            Detail::ContractEnded { .. } | Detail::ContractNotStarted { .. } => Field::IssueDate,
            Detail::TermsDiffer { .. }
            | Detail::DueBeforeIssue { .. }
            | Detail::TermsOverLegalLimit { .. } => Field::DueDate,
            Detail::CurrencyMismatch { .. } => Field::Currency,
            Detail::AmountError { rule, .. } => match rule {
                AmountRule::BrCo10 => Field::LineExtensionAmount,
                AmountRule::BrCo13 => Field::TaxExclusiveAmount,
                AmountRule::BrCo15 => Field::TaxInclusiveAmount,
                AmountRule::BrCo16 => Field::PayableAmount,
            },
            Detail::DuplicateNumber { .. } => Field::Number,
        }
    }
}

/// One problem found on an invoice. `code`, `severity` and `field` follow from `detail`
/// ([`Finding::new`]); they are fields so that callers can filter and store them plainly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub field: Field,
    pub detail: Detail,
}

impl Finding {
    pub fn new(detail: Detail) -> Finding {
        Finding {
            code: detail.code(),
            severity: detail.severity(),
            field: detail.field(),
            detail,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// What is wrong, in one or two sentences.
    pub fn message(&self, lang: Language) -> String {
        super::text::message(&self.detail, lang)
    }

    /// What to do about it.
    pub fn fix(&self, lang: Language) -> String {
        super::text::fix(&self.detail, lang)
    }
}

impl From<Detail> for Finding {
    fn from(detail: Detail) -> Finding {
        Finding::new(detail)
    }
}
