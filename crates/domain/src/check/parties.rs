//! Who the invoice is addressed to: `tax_id_invalid`, `tax_id_mismatch`, `name_mismatch`.
//!
//! The tax id decides, the name follows: an id that fails its check digit is reported as
//! invalid and not compared further (a typo is not another company); a valid id that is not
//! the debtor's is a mismatch, and then the name is not judged separately — it belongs to
//! whoever the id names, so the one cause gives one finding.

use super::Ctx;
use super::finding::{Detail, Finding, TaxIdProblem};
use super::normalize::names_match;
use crate::ids::{IdError, TaxId};

fn problem(e: &IdError) -> TaxIdProblem {
    match e {
        IdError::Empty { .. } => TaxIdProblem::Missing,
        IdError::CheckDigit {
            found, expected, ..
        } => TaxIdProblem::CheckDigit {
            found: *found,
            expected: *expected,
        },
        _ => TaxIdProblem::Malformed,
    }
}

pub(super) fn run(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let (inv, debtor) = (ctx.invoice, ctx.debtor);
    let written = inv.buyer_tax_id.trim();
    let debtor_id = debtor.tax_id.trim();
    // A debtor without a tax id (a foreign buyer without a VAT number) gives nothing to
    // compare with, and a missing id on its invoices is then expected.
    if written.is_empty() && debtor_id.is_empty() {
        return names(ctx, out);
    }
    let debtor_key = TaxId::normalize_loose(debtor_id);
    match TaxId::parse(written) {
        Err(e) => {
            let expected = TaxId::parse(debtor_id)
                .ok()
                .map(|t| t.to_string())
                .filter(|id| *id != TaxId::normalize_loose(written));
            out.push(Finding::new(Detail::TaxIdInvalid {
                written: written.to_owned(),
                problem: problem(&e),
                debtor_name: debtor.name.clone(),
                expected,
            }));
        }
        Ok(id) if !debtor_id.is_empty() && id.as_str() != debtor_key => {
            let group_company = debtor
                .group
                .iter()
                .find(|g| TaxId::normalize_loose(&g.tax_id) == id.as_str())
                .map(|g| g.name.clone());
            out.push(Finding::new(Detail::TaxIdMismatch {
                // Valid, so shown in its normal form, like the debtor's beside it.
                written: id.to_string(),
                buyer_name: inv.buyer_name.clone(),
                debtor_name: debtor.name.clone(),
                debtor_tax_id: debtor_id.to_owned(),
                group_company,
                contract_number: ctx.contract.map(|c| c.number.clone()),
            }));
            return;
        }
        Ok(_) => {}
    }
    names(ctx, out)
}

fn names(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(written) = ctx.invoice.buyer_name.as_deref().map(str::trim) else {
        return;
    };
    // An empty name on the invoice is the invoicing program's omission, not another
    // party; an empty name in our records leaves nothing to compare.
    if written.is_empty() || ctx.debtor.name.trim().is_empty() {
        return;
    }
    if !names_match(written, &ctx.debtor.name) {
        out.push(Finding::new(Detail::NameMismatch {
            written: written.to_owned(),
            expected: ctx.debtor.name.clone(),
        }));
    }
}

#[cfg(test)]
mod tests {
    use crate::check::finding::{Detail, FindingCode as C, TaxIdProblem};
    use crate::check::fixture::{self, codes};
    use crate::model::Language;

    #[test]
    fn tax_id_invalid_fires_on_a_wrong_check_digit() {
        let mut w = fixture::world();
        let good = w.debtor.tax_id.clone();
        let last = good.chars().last().unwrap().to_digit(10).unwrap();
        w.invoice.buyer_tax_id = format!("RO{}{}", &good[..good.len() - 1], (last + 1) % 10);
        let found = w.check();
        assert_eq!(codes(&found), [C::TaxIdInvalid]);
        let Detail::TaxIdInvalid {
            problem, expected, ..
        } = &found[0].detail
        else {
            panic!()
        };
        assert!(matches!(problem, TaxIdProblem::CheckDigit { .. }));
        assert_eq!(expected.as_deref(), Some(good.as_str()));
        assert!(found[0].fix(Language::Ro).contains(&good));
    }

    #[test]
    fn tax_id_invalid_when_missing_and_silent_with_prefix_and_spaces() {
        let mut w = fixture::world();
        w.invoice.buyer_tax_id = "  ".into();
        assert_eq!(codes(&w.check()), [C::TaxIdInvalid]);
        let mut w = fixture::world();
        w.invoice.buyer_tax_id = format!("ro {}", w.debtor.tax_id);
        assert!(w.check().is_empty());
    }

    #[test]
    fn tax_id_mismatch_names_the_group_company_and_skips_the_name() {
        let mut w = fixture::world();
        let sister = w.debtor.group[0].clone();
        w.invoice.buyer_tax_id = sister.tax_id.clone();
        w.invoice.buyer_name = Some(sister.name.clone());
        let found = w.check();
        assert_eq!(codes(&found), [C::TaxIdMismatch]);
        let en = found[0].message(Language::En);
        assert_eq!(
            en,
            format!(
                "Issued to {} (CUI {}), but contract {} is with {} (CUI {}).",
                sister.name, sister.tax_id, w.contract.number, w.debtor.name, w.debtor.tax_id
            )
        );
        let ro = found[0].message(Language::Ro);
        assert!(
            ro.starts_with(&format!("Factura este emisă către {}", sister.name)),
            "{ro}"
        );
    }

    #[test]
    fn tax_id_mismatch_with_a_stranger_and_silent_for_the_debtor() {
        let mut w = fixture::world();
        w.invoice.buyer_tax_id = fixture::cui("1234567");
        let found = w.check();
        assert_eq!(codes(&found), [C::TaxIdMismatch]);
        assert!(matches!(
            &found[0].detail,
            Detail::TaxIdMismatch {
                group_company: None,
                ..
            }
        ));
        let w = fixture::world();
        assert!(w.check().is_empty());
    }

    #[test]
    fn name_mismatch_fires_on_another_word() {
        let mut w = fixture::world();
        w.invoice.buyer_name = Some("Alfa Instalații SRL".into());
        let found = w.check();
        assert_eq!(codes(&found), [C::NameMismatch]);
        assert!(!found[0].is_error(), "a name alone is a warning");
    }

    #[test]
    fn name_mismatch_silent_for_spelling_variants() {
        for variant in [
            "ALFA CONSTRUCTII S.R.L.",
            "alfa construcții srl",
            "S.C. Alfa Construcţii S.R.L.",
            "Alfa Construcții",
            "",
        ] {
            let mut w = fixture::world();
            w.invoice.buyer_name = Some(variant.into());
            assert!(w.check().is_empty(), "{variant}");
        }
        let mut w = fixture::world();
        w.invoice.buyer_name = None;
        assert!(w.check().is_empty());
    }
}
