//! What the check reads: plain descriptions of one invoice and the master data around it.
//!
//! Tax ids are kept as written (`String`), not as [`crate::ids::TaxId`]: the check has to
//! work on, and report, ids that fail their check digit. They are compared in the
//! [`TaxId::normalize_loose`](crate::ids::TaxId::normalize_loose) form, so `RO 185 472 90`
//! and `18547290` are the same company. The IBANs on the invoice are as written for the
//! same reason; our own accounts are [`Iban`]s, validated when they were imported.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ids::Iban;
use crate::model::{ContactRole, DocType, InvoiceKind};
use crate::money::{Currency, Money};

/// Everything one run of [`check`](super::check) looks at. Borrowed, so that a caller
/// checking many invoices of one debtor builds the debtor, contract and entities once.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub invoice: &'a InvoiceFacts,
    pub debtor: &'a DebtorFacts,
    /// The contract the invoice is issued under. Find it by the debtor and the invoice's
    /// `contract_number` (or the debtor's only contract), never by the issuing entity:
    /// an invoice issued by the wrong entity must still be compared with the contract it
    /// breaks, or `wrong_entity` cannot be seen.
    pub contract: Option<&'a ContractFacts>,
    /// All the organization's own companies.
    pub entities: &'a [EntityFacts],
}

/// One invoice or credit note, as imported (table row or e-Factura XML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFacts {
    /// The issuer's tax id as written on the invoice.
    pub entity_tax_id: String,
    pub series: String,
    pub number: String,
    pub kind: InvoiceKind,
    pub issue_date: Date,
    pub due_date: Date,
    /// Amount and currency; negative for a credit note.
    pub total: Money,
    pub buyer_tax_id: String,
    pub buyer_name: Option<String>,
    /// PO number (UBL BT-13, order reference).
    pub po_number: Option<String>,
    /// UBL BT-10. Searched for required mentions, not taken as a PO number.
    pub buyer_reference: Option<String>,
    /// Free-text mentions and notes (UBL BT-22), in any number of pieces.
    pub mentions: Vec<String>,
    /// The payee accounts printed on the invoice, as written (UBL BT-84 may repeat).
    pub ibans: Vec<String>,
    /// Where the invoice was (or is to be) sent: one or more addresses separated by `,` or
    /// `;`, optionally as `Name <address>`. `None` when not sent yet.
    pub sent_to: Option<String>,
    /// Types of the documents linked to this invoice.
    pub linked_documents: Vec<DocType>,
    /// Totals of an e-Factura XML; `None` for invoices imported from tables.
    pub ubl: Option<UblTotals>,
    /// Other invoices of the same issuing entity with the same series and number, found by
    /// the caller (the domain sees one invoice at a time).
    pub same_number: Vec<SameNumber>,
}

impl InvoiceFacts {
    /// A credit note by kind or by sign: a storno invoice (type 380 with negative amounts)
    /// is a credit note for every rule here.
    pub fn is_credit(&self) -> bool {
        self.kind == InvoiceKind::CreditNote || self.total.is_negative()
    }

    pub fn currency(&self) -> Currency {
        self.total.currency
    }
}

/// Another invoice that carries the same entity, series and number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SameNumber {
    pub issue_date: Date,
    pub total: Money,
}

/// The monetary totals of a UBL document (EN 16931 BG-22) and its line net amounts, in
/// minor units of the document currency, signs as written. `None` (or an empty `lines`)
/// means "not in the file": a rule missing an operand is not applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UblTotals {
    /// BT-106, sum of invoice line net amounts.
    pub line_extension: Option<i64>,
    /// BT-107, sum of document-level allowances (absent means 0).
    pub allowance_total: Option<i64>,
    /// BT-108, sum of document-level charges (absent means 0).
    pub charge_total: Option<i64>,
    /// BT-109, total without VAT.
    pub tax_exclusive: Option<i64>,
    /// BT-110, VAT total in the document currency; `None` when the file has none in that
    /// currency (a `TaxTotal` in the accounting currency, BT-111, does not count).
    pub tax_total: Option<i64>,
    /// BT-112, total with VAT.
    pub tax_inclusive: Option<i64>,
    /// BT-113, paid amount (absent means 0).
    pub prepaid: Option<i64>,
    /// BT-114, rounding amount (absent means 0).
    pub rounding: Option<i64>,
    /// BT-115, amount due for payment.
    pub payable: Option<i64>,
    /// BT-131 of every line; empty when the lines are not known.
    pub lines: Vec<i64>,
}

/// What a debtor or a contract demands on every invoice (DESIGN.md, "requirements").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirements {
    pub requires_po: bool,
    pub required_mention: Option<String>,
    pub required_documents: Vec<DocType>,
    /// A written order confirmation must be linked to the invoice.
    pub requires_confirmation: bool,
}

/// The customer the invoice is booked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorFacts {
    pub code: String,
    pub name: String,
    pub tax_id: String,
    /// The other companies of the debtor's group, to name the one an invoice went to.
    pub group: Vec<GroupCompany>,
    pub payment_terms_days: Option<i64>,
    pub requirements: Requirements,
    pub contacts: Vec<ContactFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCompany {
    pub code: String,
    pub name: String,
    pub tax_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactFacts {
    pub name: String,
    pub role: ContactRole,
    pub email: Option<String>,
}

/// A contract between one of our entities and the debtor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractFacts {
    pub number: String,
    /// The tax id of our entity that signed it.
    pub entity_tax_id: String,
    pub signed_on: Option<Date>,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub payment_terms_days: Option<i64>,
    pub currency: Option<Currency>,
    pub requirements: Requirements,
}

/// One of our own companies and its bank accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityFacts {
    pub tax_id: String,
    pub name: String,
    pub ibans: Vec<Iban>,
}
