//! How the debtor's and the contract's conditions combine into what one invoice must meet.
//!
//! - **Requirements are the union.** A PO, a mention, a document or a confirmation demanded
//!   by either the debtor's file or the contract is demanded of the invoice: the customer's
//!   accounts-payable applies its own rules whatever the contract says, and the contract's
//!   annexes add to them. Each demand remembers who made it, for the message.
//! - **Terms and currency: the contract overrides.** Payment terms come from the contract
//!   when it states them, else from the debtor's file; the currency only from the contract
//!   (a debtor's file has none). A contract is the later and more specific agreement.

use serde::{Deserialize, Serialize};

use super::facts::{ContractFacts, DebtorFacts};
use super::normalize::fold_tokens;
use crate::model::DocType;

/// Who demands something of the invoice: the debtor's file, the contract, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredBy {
    pub debtor: bool,
    /// The contract's number, when the contract demands it.
    pub contract: Option<String>,
}

impl RequiredBy {
    fn debtor() -> RequiredBy {
        RequiredBy {
            debtor: true,
            contract: None,
        }
    }

    fn contract(number: &str) -> RequiredBy {
        RequiredBy {
            debtor: false,
            contract: Some(number.to_owned()),
        }
    }

    pub(super) fn merge(&mut self, other: &RequiredBy) {
        self.debtor |= other.debtor;
        if self.contract.is_none() {
            self.contract.clone_from(&other.contract);
        }
    }
}

/// The requirements one invoice must meet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Demands {
    pub po: Option<RequiredBy>,
    /// Each distinct mention (compared as the mention rule compares them) once.
    pub mentions: Vec<(String, RequiredBy)>,
    /// Supporting document types, without `order_confirmation`, which is `confirmation`.
    pub documents: Vec<(DocType, RequiredBy)>,
    /// A written order confirmation; also set when `order_confirmation` is listed among the
    /// required documents, so that one missing paper gives one finding, not two.
    pub confirmation: Option<RequiredBy>,
}

/// Where the payment term of an invoice comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum TermsSource {
    Contract { number: String },
    Debtor,
}

fn add<T: PartialEq>(list: &mut Vec<(T, RequiredBy)>, item: T, by: &RequiredBy) {
    match list.iter_mut().find(|(t, _)| *t == item) {
        Some((_, existing)) => existing.merge(by),
        None => list.push((item, by.clone())),
    }
}

fn add_opt(slot: &mut Option<RequiredBy>, by: &RequiredBy) {
    match slot {
        Some(existing) => existing.merge(by),
        None => *slot = Some(by.clone()),
    }
}

/// The union of the debtor's and the contract's requirements.
pub fn demands_of(debtor: &DebtorFacts, contract: Option<&ContractFacts>) -> Demands {
    let mut out = Demands::default();
    let mut sources = vec![(&debtor.requirements, RequiredBy::debtor())];
    if let Some(c) = contract {
        sources.push((&c.requirements, RequiredBy::contract(&c.number)));
    }
    for (req, by) in &sources {
        if req.requires_po {
            add_opt(&mut out.po, by);
        }
        if req.requires_confirmation {
            add_opt(&mut out.confirmation, by);
        }
        if let Some(m) = req.required_mention.as_deref().map(str::trim)
            && !fold_tokens(m).is_empty()
        {
            // The same mention written twice (case, diacritics) is one demand.
            match out
                .mentions
                .iter_mut()
                .find(|(known, _)| fold_tokens(known) == fold_tokens(m))
            {
                Some((_, existing)) => existing.merge(by),
                None => out.mentions.push((m.to_owned(), by.clone())),
            }
        }
        for &doc in &req.required_documents {
            if doc == DocType::OrderConfirmation {
                add_opt(&mut out.confirmation, by);
            } else {
                add(&mut out.documents, doc, by);
            }
        }
    }
    out
}

/// The agreed payment term in days: the contract's when it has one, else the debtor's.
/// Negative values are data errors and count as "no term".
pub fn agreed_terms(
    debtor: &DebtorFacts,
    contract: Option<&ContractFacts>,
) -> Option<(i64, TermsSource)> {
    let from_contract = contract.and_then(|c| {
        c.payment_terms_days.filter(|d| *d >= 0).map(|d| {
            (
                d,
                TermsSource::Contract {
                    number: c.number.clone(),
                },
            )
        })
    });
    from_contract.or_else(|| {
        debtor
            .payment_terms_days
            .filter(|d| *d >= 0)
            .map(|d| (d, TermsSource::Debtor))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::fixture;

    #[test]
    fn requirements_are_the_union_and_remember_who_asked() {
        let mut w = fixture::world();
        w.debtor.requirements.requires_po = true;
        w.debtor.requirements.required_mention = Some("Cod proiect: P-1234".into());
        w.debtor.requirements.required_documents = vec![DocType::Cmr];
        w.contract.requirements.required_mention = Some("cod PROIECT p-1234".into());
        w.contract.requirements.required_documents = vec![
            DocType::Cmr,
            DocType::AcceptanceReport,
            DocType::OrderConfirmation,
        ];
        let d = demands_of(&w.debtor, Some(&w.contract));
        assert_eq!(d.po, Some(RequiredBy::debtor()));
        assert_eq!(d.mentions.len(), 1, "{:?}", d.mentions);
        assert!(d.mentions[0].1.debtor && d.mentions[0].1.contract.is_some());
        let types: Vec<DocType> = d.documents.iter().map(|(t, _)| *t).collect();
        assert_eq!(types, [DocType::Cmr, DocType::AcceptanceReport]);
        assert_eq!(
            d.confirmation,
            Some(RequiredBy::contract(&w.contract.number))
        );
    }

    #[test]
    fn contract_terms_override_the_debtors() {
        let mut w = fixture::world();
        w.debtor.payment_terms_days = Some(45);
        w.contract.payment_terms_days = Some(30);
        assert_eq!(
            agreed_terms(&w.debtor, Some(&w.contract)).map(|t| t.0),
            Some(30)
        );
        w.contract.payment_terms_days = None;
        assert_eq!(
            agreed_terms(&w.debtor, Some(&w.contract)),
            Some((45, TermsSource::Debtor))
        );
        w.debtor.payment_terms_days = Some(-1);
        assert_eq!(agreed_terms(&w.debtor, None), None);
    }
}
