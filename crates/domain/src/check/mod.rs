//! The pre-flight invoice check (issue 4): finds our own mistakes on an invoice before it
//! reaches the customer, and says how to fix each.
//!
//! Pure: the caller gathers the [`Facts`] — the invoice, its debtor, the contract it is
//! issued under, our entities, and the other invoices that share its number — and
//! [`check`] returns the [`Finding`]s. No database, no clock: no rule depends on the date
//! it runs (a contract's end is compared with the invoice date, not with today).
//!
//! One file per family of rules:
//!
//! | file | codes |
//! |---|---|
//! | `issuer` | `wrong_entity`, `iban_invalid`, `iban_not_ours` |
//! | `parties` | `tax_id_invalid`, `tax_id_mismatch`, `name_mismatch` |
//! | `delivery` | `recipient_missing`, `wrong_recipient` |
//! | `demands` | `po_missing`, `mention_missing`, `documents_missing`, `confirmation_missing` |
//! | `contract` | `contract_expired`, `currency_mismatch` |
//! | `terms` | `terms_mismatch` |
//! | `amounts` | `amount_error` |
//! | `numbering` | `duplicate_number` |
//!
//! How the debtor's and the contract's conditions combine is in [`combine`]; which rules a
//! credit note escapes is said in each file (the dates, terms, supporting documents and
//! confirmation: they concern being paid, and a credit note is not paid).

mod amounts;
mod combine;
mod contract;
mod delivery;
mod demands;
mod facts;
mod finding;
mod issuer;
mod normalize;
mod numbering;
mod parties;
mod terms;
mod text;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod props;

pub use combine::{Demands, RequiredBy, TermsSource, agreed_terms, demands_of};
pub use facts::{
    ContactFacts, ContractFacts, DebtorFacts, EntityFacts, Facts, GroupCompany, InvoiceFacts,
    Requirements, SameNumber, UblTotals,
};
pub use finding::{
    AmountRule, Detail, Field, Finding, FindingCode, Mailbox, Severity, TaxIdProblem,
};
pub use normalize::{
    contains_phrase, fold_tokens, is_email, is_generic_mailbox, names_match, normalize_name,
    split_addresses,
};
pub use terms::LEGAL_LIMIT_DAYS;
pub use text::{doc_label, money as format_money, zile};

use crate::ids::TaxId;

/// What every rule reads, worked out once per invoice.
struct Ctx<'a> {
    invoice: &'a InvoiceFacts,
    debtor: &'a DebtorFacts,
    contract: Option<&'a ContractFacts>,
    entities: &'a [EntityFacts],
    /// The entity whose tax id the invoice carries; `None` when it is not ours.
    issuer: Option<&'a EntityFacts>,
    /// The invoice's issuer tax id in the loose normal form.
    issuer_key: String,
    credit: bool,
    demands: Demands,
    terms: Option<(i64, TermsSource)>,
}

impl<'a> Ctx<'a> {
    fn new(f: &Facts<'a>) -> Ctx<'a> {
        let issuer_key = TaxId::normalize_loose(&f.invoice.entity_tax_id);
        // Written as on file most of the time; the normal form only when not.
        let issuer = f
            .entities
            .iter()
            .find(|e| e.tax_id == f.invoice.entity_tax_id)
            .or_else(|| {
                f.entities
                    .iter()
                    .find(|e| TaxId::normalize_loose(&e.tax_id) == issuer_key)
            });
        Ctx {
            invoice: f.invoice,
            debtor: f.debtor,
            contract: f.contract,
            entities: f.entities,
            issuer,
            issuer_key,
            credit: f.invoice.is_credit(),
            demands: demands_of(f.debtor, f.contract),
            terms: agreed_terms(f.debtor, f.contract),
        }
    }
}

/// Runs every rule on one invoice. The findings come in the taxonomy's order of codes
/// ([`FindingCode::ALL`]); within a code, in the order the rule met them. The same facts
/// always give the same findings.
pub fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let ctx = Ctx::new(facts);
    let mut out = Vec::new();
    issuer::run(&ctx, &mut out);
    parties::run(&ctx, &mut out);
    delivery::run(&ctx, &mut out);
    demands::run(&ctx, &mut out);
    contract::run(&ctx, &mut out);
    terms::run(&ctx, &mut out);
    amounts::run(&ctx, &mut out);
    numbering::run(&ctx, &mut out);
    // Stable: keeps each rule's own order within a code.
    out.sort_by_key(|f| f.code);
    out
}
