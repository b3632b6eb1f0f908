//! Who issued the invoice and where the money is to go: `wrong_entity`, `iban_invalid`,
//! `iban_not_ours`.
//!
//! An invoice issued by a company that is not ours gives `wrong_entity` only: its IBAN is
//! then judged against all our accounts, since there is no issuer's list to hold it to.

use super::Ctx;
use super::finding::{Detail, Finding};
use crate::ids::{Iban, TaxId};

pub(super) fn run(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    entity(ctx, out);
    ibans(ctx, out);
}

fn entity(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let written = ctx.invoice.entity_tax_id.trim();
    let Some(issuer) = ctx.issuer else {
        out.push(Finding::new(Detail::IssuerNotOurs {
            issuer_tax_id: written.to_owned(),
        }));
        return;
    };
    let Some(contract) = ctx.contract else {
        return;
    };
    let contract_key = TaxId::normalize_loose(&contract.entity_tax_id);
    if contract_key != ctx.issuer_key {
        let contract_entity = ctx
            .entities
            .iter()
            .find(|e| TaxId::normalize_loose(&e.tax_id) == contract_key);
        out.push(Finding::new(Detail::IssuerNotContracts {
            issuer_tax_id: TaxId::normalize_loose(written),
            issuer_name: issuer.name.clone(),
            contract_number: contract.number.clone(),
            contract_entity_tax_id: contract_key,
            contract_entity_name: contract_entity.map(|e| e.name.clone()),
        }));
    }
}

fn ibans(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // Only for the fix text, so only made when there is a finding.
    let ours = || -> Vec<String> {
        ctx.issuer
            .map(|e| e.ibans.iter().map(Iban::to_paper).collect())
            .unwrap_or_default()
    };
    // A credit note, or an invoice paid by card or direct debit, may carry no account:
    // nothing to check then.
    for written in ctx.invoice.ibans.iter().map(|s| s.trim()) {
        if written.is_empty() {
            continue;
        }
        let iban = match Iban::parse(written) {
            Ok(iban) => iban,
            Err(_) => {
                out.push(Finding::new(Detail::IbanInvalid {
                    written: written.to_owned(),
                    ours: ours(),
                }));
                continue;
            }
        };
        let owner = ctx.entities.iter().find(|e| e.ibans.contains(&iban));
        match (ctx.issuer, owner) {
            (Some(issuer), Some(o)) if std::ptr::eq(issuer, o) => {}
            (None, Some(_)) => {}
            (issuer, owner) => out.push(Finding::new(Detail::IbanNotOurs {
                written: iban.to_paper(),
                issuer_name: issuer.map_or_else(
                    || TaxId::normalize_loose(&ctx.invoice.entity_tax_id),
                    |e| e.name.clone(),
                ),
                owner: owner.map(|o| o.name.clone()),
                ours: ours(),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::finding::{Detail, FindingCode as C};
    use crate::check::fixture::{self, codes};
    use crate::model::Language;

    #[test]
    fn wrong_entity_when_the_issuer_is_not_ours() {
        let mut w = fixture::world();
        w.invoice.entity_tax_id = fixture::cui("7654321");
        w.invoice.ibans.clear();
        let found = w.check();
        assert_eq!(codes(&found), [C::WrongEntity]);
        assert!(matches!(found[0].detail, Detail::IssuerNotOurs { .. }));
    }

    #[test]
    fn wrong_entity_when_not_the_contracts_entity() {
        let mut w = fixture::world();
        let other = w.entities[1].clone();
        w.invoice.entity_tax_id = format!("RO{}", other.tax_id);
        w.invoice.ibans = vec![other.ibans[0].to_paper()];
        let found = w.check();
        assert_eq!(codes(&found), [C::WrongEntity]);
        let ro = found[0].message(Language::Ro);
        assert!(
            ro.contains(&other.name) && ro.contains(&w.entities[0].name),
            "{ro}"
        );
    }

    #[test]
    fn wrong_entity_silent_without_contract_or_for_the_contracts_entity() {
        let w = fixture::world();
        assert!(w.check().is_empty());
        let mut w = fixture::world();
        let other = w.entities[1].clone();
        w.invoice.entity_tax_id = other.tax_id.clone();
        w.invoice.ibans = vec![other.ibans[0].to_string()];
        w.no_contract();
        assert!(w.check().is_empty());
    }

    #[test]
    fn iban_invalid_fires_on_a_changed_digit() {
        let mut w = fixture::world();
        let good = w.entities[0].ibans[0].to_string();
        let mut bytes = good.into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'9' {
            b'0'
        } else {
            bytes[last] + 1
        };
        w.invoice.ibans = vec![String::from_utf8(bytes).unwrap()];
        let found = w.check();
        assert_eq!(codes(&found), [C::IbanInvalid]);
        assert!(
            found[0]
                .fix(Language::En)
                .contains(&w.entities[0].ibans[0].to_paper())
        );
    }

    #[test]
    fn iban_silent_in_paper_form_or_absent() {
        let mut w = fixture::world();
        w.invoice.ibans = vec![w.entities[0].ibans[1].to_paper().to_lowercase()];
        assert!(w.check().is_empty());
        w.invoice.ibans = vec![];
        assert!(w.check().is_empty());
    }

    #[test]
    fn iban_not_ours_for_a_stranger_and_for_a_sister_entity() {
        let mut w = fixture::world();
        w.invoice.ibans = vec![fixture::ro_iban("BACX", "1234567890123456")];
        let found = w.check();
        assert_eq!(codes(&found), [C::IbanNotOurs]);
        assert!(matches!(
            &found[0].detail,
            Detail::IbanNotOurs { owner: None, .. }
        ));

        let mut w = fixture::world();
        w.invoice.ibans = vec![w.entities[1].ibans[0].to_string()];
        let found = w.check();
        assert_eq!(codes(&found), [C::IbanNotOurs]);
        let en = found[0].message(Language::En);
        assert!(en.contains(&w.entities[1].name), "{en}");
    }
}
