//! What the customer demands on each invoice: `po_missing`, `mention_missing`,
//! `documents_missing`, `confirmation_missing` (requirements combined as in
//! [`combine`](super::combine)).
//!
//! Credit notes: the PO number and the mentions are demanded of them too — the customer's
//! accounts-payable matches a credit note to its order like an invoice. Supporting
//! documents and the order confirmation are not: they prove a delivery, and a credit note
//! delivers nothing.

use super::Ctx;
use super::finding::{Detail, Finding};
use super::normalize::contains_phrase;
use crate::model::DocType;

pub(super) fn run(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let inv = ctx.invoice;
    let demands = &ctx.demands;

    if let Some(by) = &demands.po {
        let has_po = inv
            .po_number
            .as_deref()
            .is_some_and(|p| p.chars().any(char::is_alphanumeric));
        if !has_po {
            out.push(Finding::new(Detail::PoMissing {
                required_by: by.clone(),
            }));
        }
    }

    // The mention may sit in any free text of the invoice: mentions, notes, or the buyer
    // reference (BT-10), which some customers ask to carry their project or cost code.
    let texts = || {
        inv.mentions
            .iter()
            .map(String::as_str)
            .chain(inv.buyer_reference.as_deref())
    };
    for (mention, by) in &demands.mentions {
        if !contains_phrase(texts(), mention) {
            out.push(Finding::new(Detail::MentionMissing {
                mention: mention.clone(),
                required_by: by.clone(),
            }));
        }
    }

    if ctx.credit {
        return;
    }
    let linked = |t: DocType| inv.linked_documents.contains(&t);
    let missing: Vec<DocType> = demands
        .documents
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| !linked(*t))
        .collect();
    if !missing.is_empty() {
        // Who asked for the missing ones (not for those that are there).
        let mut by = demands
            .documents
            .iter()
            .filter(|(t, _)| missing.contains(t))
            .map(|(_, b)| b.clone());
        let mut required_by = by.next().expect("at least one missing");
        for b in by {
            required_by.merge(&b);
        }
        out.push(Finding::new(Detail::DocumentsMissing {
            missing,
            required_by,
        }));
    }
    if let Some(by) = &demands.confirmation
        && !linked(DocType::OrderConfirmation)
    {
        out.push(Finding::new(Detail::ConfirmationMissing {
            required_by: by.clone(),
        }));
    }
}

#[cfg(test)]
mod tests {
    use crate::check::finding::FindingCode as C;
    use crate::check::fixture::{self, codes};
    use crate::model::{DocType, Language};

    #[test]
    fn po_missing_when_required_by_the_contract() {
        let mut w = fixture::world();
        w.contract.requirements.requires_po = true;
        w.invoice.po_number = Some(" - ".into());
        let found = w.check();
        assert_eq!(codes(&found), [C::PoMissing]);
        let ro = found[0].message(Language::Ro);
        assert!(
            ro.contains(&format!("contractul {}", w.contract.number)),
            "{ro}"
        );
    }

    #[test]
    fn po_silent_when_present_or_not_required() {
        let mut w = fixture::world();
        w.debtor.requirements.requires_po = true;
        w.invoice.po_number = Some("PO-2025-00017".into());
        assert!(w.check().is_empty());
        w.debtor.requirements.requires_po = false;
        w.invoice.po_number = None;
        assert!(w.check().is_empty());
    }

    #[test]
    fn po_applies_to_credit_notes() {
        let mut w = fixture::world();
        w.make_credit_note();
        w.debtor.requirements.requires_po = true;
        w.invoice.po_number = None;
        assert_eq!(codes(&w.check()), [C::PoMissing]);
    }

    #[test]
    fn mention_missing_fires_and_names_the_mention() {
        let mut w = fixture::world();
        w.debtor.requirements.required_mention = Some("Centru de cost: CC-4410".into());
        w.invoice.mentions = vec!["Centru de cost: CC-44100".into()];
        let found = w.check();
        assert_eq!(codes(&found), [C::MentionMissing]);
        assert!(
            found[0]
                .message(Language::Ro)
                .contains("„Centru de cost: CC-4410”")
        );
    }

    #[test]
    fn mention_silent_in_any_spelling_or_in_the_buyer_reference() {
        let mut w = fixture::world();
        w.contract.requirements.required_mention = Some("Cod proiect: P-1234".into());
        w.invoice.mentions = vec!["Livrare conform comenzii; COD PROIECT P-1234".into()];
        assert!(w.check().is_empty());
        w.invoice.mentions.clear();
        w.invoice.buyer_reference = Some("cod proiect: p-1234".into());
        assert!(w.check().is_empty());
    }

    #[test]
    fn documents_missing_lists_only_the_missing_ones() {
        let mut w = fixture::world();
        w.debtor.requirements.required_documents = vec![DocType::Cmr, DocType::DeliveryNote];
        w.invoice.linked_documents = vec![DocType::InvoicePdf, DocType::DeliveryNote];
        let found = w.check();
        assert_eq!(codes(&found), [C::DocumentsMissing]);
        assert_eq!(
            found[0].message(Language::Ro),
            "Lipsește documentul cerut de client: CMR."
        );
    }

    #[test]
    fn documents_silent_when_linked_or_on_a_credit_note() {
        let mut w = fixture::world();
        w.contract.requirements.required_documents = vec![DocType::AcceptanceReport];
        w.invoice.linked_documents = vec![DocType::AcceptanceReport];
        assert!(w.check().is_empty());
        w.invoice.linked_documents.clear();
        w.make_credit_note();
        assert!(w.check().is_empty());
    }

    #[test]
    fn confirmation_missing_once_even_when_also_listed_as_a_document() {
        let mut w = fixture::world();
        w.contract.requirements.requires_confirmation = true;
        w.debtor.requirements.required_documents = vec![DocType::OrderConfirmation];
        w.invoice.linked_documents = vec![DocType::ReceiptAck];
        let found = w.check();
        assert_eq!(codes(&found), [C::ConfirmationMissing]);
    }

    #[test]
    fn confirmation_silent_when_linked() {
        let mut w = fixture::world();
        w.debtor.requirements.requires_confirmation = true;
        w.invoice.linked_documents = vec![DocType::OrderConfirmation];
        assert!(w.check().is_empty());
    }
}
