//! Whom the invoice reaches: `recipient_missing`, `wrong_recipient`.
//!
//! Invoices are for the debtor's finance contacts (DESIGN.md, "contact"): they book and pay
//! them. With none that has an e-mail address, delivery has nowhere to go — an error. An
//! invoice already sent elsewhere while a finance contact exists is a warning: delivery
//! through Creanța goes to the finance contact, which is the fix (see
//! [`Detail::severity`](super::finding::Detail::severity)).

use super::Ctx;
use super::finding::{Detail, Finding, Mailbox};
use super::normalize::{is_email, is_generic_mailbox, split_addresses};
use crate::model::ContactRole;

pub(super) fn run(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let contacts = &ctx.debtor.contacts;
    let finance: Vec<String> = contacts
        .iter()
        .filter(|c| c.role == ContactRole::Finance)
        .filter_map(|c| c.email.as_deref().filter(|e| is_email(e)))
        .map(|e| e.trim().to_lowercase())
        .collect();
    if finance.is_empty() {
        let without_email = contacts
            .iter()
            .filter(|c| c.role == ContactRole::Finance)
            .map(|c| c.name.clone())
            .collect();
        out.push(Finding::new(Detail::RecipientMissing {
            debtor_name: ctx.debtor.name.clone(),
            without_email,
        }));
        return;
    }
    let Some(sent_to) = ctx.invoice.sent_to.as_deref() else {
        return;
    };
    let sent = split_addresses(sent_to);
    // Not sent yet: delivery will choose the finance contact. Sent to several addresses
    // with the finance contact among them: it reached the right person.
    if sent.is_empty() || sent.iter().any(|a| finance.contains(a)) {
        return;
    }
    let known = contacts.iter().find(|c| {
        c.email
            .as_deref()
            .is_some_and(|e| sent.iter().any(|a| *a == e.trim().to_lowercase()))
    });
    // A generic mailbox is named as such even when it is on file as a contact: the
    // secretariat is a contact, but not one that pays invoices.
    let mailbox = if sent.iter().any(|a| is_generic_mailbox(a)) {
        Mailbox::Generic
    } else if let Some(c) = known {
        Mailbox::Contact {
            name: c.name.clone(),
            role: c.role,
        }
    } else {
        Mailbox::Unknown
    };
    out.push(Finding::new(Detail::WrongRecipient {
        sent_to: sent,
        mailbox,
        finance,
    }));
}

#[cfg(test)]
mod tests {
    use crate::check::facts::ContactFacts;
    use crate::check::finding::{Detail, FindingCode as C, Mailbox};
    use crate::check::fixture::{self, codes};
    use crate::model::{ContactRole, Language};

    #[test]
    fn recipient_missing_without_a_finance_email() {
        let mut w = fixture::world();
        w.debtor.contacts.retain(|c| c.role != ContactRole::Finance);
        w.debtor.contacts.push(ContactFacts {
            name: "Dana Contabil".into(),
            role: ContactRole::Finance,
            email: Some("n/a".into()),
        });
        w.invoice.sent_to = Some("office@alfa.ro".into());
        let found = w.check();
        assert_eq!(
            codes(&found),
            [C::RecipientMissing],
            "no wrong_recipient as well"
        );
        assert!(found[0].is_error());
        assert!(
            found[0]
                .message(Language::Ro)
                .contains("Dana Contabil nu are e-mail")
        );
    }

    #[test]
    fn recipient_missing_silent_with_a_finance_email() {
        let mut w = fixture::world();
        w.invoice.sent_to = None;
        assert!(w.check().is_empty());
    }

    #[test]
    fn wrong_recipient_on_a_generic_mailbox() {
        let mut w = fixture::world();
        w.invoice.sent_to = Some("Office <OFFICE@alfa.ro>".into());
        let found = w.check();
        assert_eq!(codes(&found), [C::WrongRecipient]);
        assert!(!found[0].is_error());
        assert!(matches!(
            &found[0].detail,
            Detail::WrongRecipient {
                mailbox: Mailbox::Generic,
                ..
            }
        ));
        let ro = found[0].message(Language::Ro);
        assert!(ro.contains("office@alfa.ro, o adresă generală"), "{ro}");
        assert!(found[0].fix(Language::En).contains("ana.pop@alfa.ro"));
    }

    #[test]
    fn wrong_recipient_on_a_purchasing_contact() {
        let mut w = fixture::world();
        w.invoice.sent_to = Some("mihai.ionescu@alfa.ro".into());
        let found = w.check();
        assert_eq!(codes(&found), [C::WrongRecipient]);
        assert!(matches!(
            &found[0].detail,
            Detail::WrongRecipient {
                mailbox: Mailbox::Contact {
                    role: ContactRole::Purchasing,
                    ..
                },
                ..
            }
        ));
    }

    #[test]
    fn wrong_recipient_silent_when_finance_is_among_the_addresses() {
        let mut w = fixture::world();
        w.invoice.sent_to = Some("office@alfa.ro; Ana Pop <Ana.Pop@alfa.ro>".into());
        assert!(w.check().is_empty());
    }
}
