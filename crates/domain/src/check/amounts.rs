//! The arithmetic of an e-Factura: `amount_error`, after the EN 16931 rules
//!
//! - BR-CO-10: sum of line net amounts (BT-131) = line extension amount (BT-106);
//! - BR-CO-13: tax exclusive (BT-109) = BT-106 − allowances (BT-107) + charges (BT-108);
//! - BR-CO-15: tax inclusive (BT-112) = BT-109 + VAT total (BT-110);
//! - BR-CO-16: payable (BT-115) = BT-112 − prepaid (BT-113) + rounding (BT-114).
//!
//! Exact equality in minor units, as the standard's validators apply it to two-decimal
//! amounts. A rule is applied only when its stated operands are in the file (optional
//! allowances, charges, prepaid and rounding count as 0); BR-CO-10 only when lines are
//! known — a document without lines breaks BR-16, a different matter. Credit notes too:
//! the relations hold whatever the sign.

use super::Ctx;
use super::finding::{AmountRule, Detail, Finding};
use crate::money::Money;

pub(super) fn run(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(t) = &ctx.invoice.ubl else {
        return;
    };
    let currency = ctx.invoice.currency();
    let zero = |v: Option<i64>| i128::from(v.unwrap_or(0));
    let mut report = |rule: AmountRule, stated: i64, computed: i128| {
        if i128::from(stated) != computed {
            // A sum beyond i64 is itself the error; show it clamped rather than wrapped.
            let computed =
                i64::try_from(computed).unwrap_or(if computed < 0 { i64::MIN } else { i64::MAX });
            out.push(Finding::new(Detail::AmountError {
                rule,
                stated: Money::new(stated, currency),
                computed: Money::new(computed, currency),
            }));
        }
    };
    if let Some(le) = t.line_extension
        && !t.lines.is_empty()
    {
        report(
            AmountRule::BrCo10,
            le,
            t.lines.iter().map(|&l| i128::from(l)).sum(),
        );
    }
    if let (Some(te), Some(le)) = (t.tax_exclusive, t.line_extension) {
        let computed = i128::from(le) - zero(t.allowance_total) + zero(t.charge_total);
        report(AmountRule::BrCo13, te, computed);
    }
    if let (Some(ti), Some(te), Some(tax)) = (t.tax_inclusive, t.tax_exclusive, t.tax_total) {
        report(AmountRule::BrCo15, ti, i128::from(te) + i128::from(tax));
    }
    if let (Some(pay), Some(ti)) = (t.payable, t.tax_inclusive) {
        let computed = i128::from(ti) - zero(t.prepaid) + zero(t.rounding);
        report(AmountRule::BrCo16, pay, computed);
    }
}

#[cfg(test)]
mod tests {
    use crate::check::facts::UblTotals;
    use crate::check::finding::{AmountRule, Detail, Field, FindingCode as C};
    use crate::check::fixture;
    use crate::model::Language;

    /// The totals of `../shared/data/ubl/rule-violations/invalid-br-co-15.xml`.
    fn br_co_15_sample() -> UblTotals {
        UblTotals {
            line_extension: Some(10_000),
            tax_exclusive: Some(10_000),
            tax_total: Some(1_900),
            tax_inclusive: Some(20_000),
            payable: Some(11_900),
            lines: vec![10_000],
            ..UblTotals::default()
        }
    }

    fn rules(w: &fixture::World) -> Vec<AmountRule> {
        w.check()
            .iter()
            .filter_map(|f| match f.detail {
                Detail::AmountError { rule, .. } => Some(rule),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn amount_error_on_the_br_co_15_sample() {
        let mut w = fixture::world();
        w.invoice.ubl = Some(br_co_15_sample());
        assert_eq!(rules(&w), [AmountRule::BrCo15, AmountRule::BrCo16]);
        let found = w.check();
        assert!(found.iter().all(|f| f.code == C::AmountError));
        assert_eq!(found[1].field, Field::PayableAmount);
        assert_eq!(
            found[1].message(Language::Ro),
            "Suma de plată este 119,00 RON, dar totalul cu TVA minus avansurile plus \
             rotunjirea dă 200,00 RON (BR-CO-16)."
        );
    }

    #[test]
    fn amount_error_on_the_br_co_10_sample() {
        // invalid-br-co-10.xml: lines 100.00, BT-106 100.00, BT-109 200.00, BT-112 119.00.
        let mut w = fixture::world();
        w.invoice.ubl = Some(UblTotals {
            tax_exclusive: Some(20_000),
            tax_inclusive: Some(11_900),
            ..br_co_15_sample()
        });
        w.invoice.ubl.as_mut().unwrap().payable = Some(11_900);
        assert_eq!(rules(&w), [AmountRule::BrCo13, AmountRule::BrCo15]);
    }

    #[test]
    fn amount_error_when_lines_do_not_add_up() {
        let mut w = fixture::world();
        w.invoice.ubl.as_mut().unwrap().lines = vec![6_000, 3_999];
        assert_eq!(rules(&w), [AmountRule::BrCo10]);
    }

    #[test]
    fn amounts_silent_when_consistent_with_prepaid_rounding_and_allowances() {
        let mut w = fixture::world();
        w.invoice.ubl = Some(UblTotals {
            line_extension: Some(10_050),
            allowance_total: Some(100),
            charge_total: Some(50),
            tax_exclusive: Some(10_000),
            tax_total: Some(1_900),
            tax_inclusive: Some(11_900),
            prepaid: Some(5_000),
            rounding: Some(-1),
            payable: Some(6_899),
            lines: vec![5_025, 5_025],
        });
        w.invoice.total = crate::money::Money::new(6_899, w.invoice.total.currency);
        assert!(w.check().is_empty());
        // Unknown operands: nothing to compare.
        w.invoice.ubl = Some(UblTotals {
            payable: Some(1),
            ..UblTotals::default()
        });
        assert!(w.check().is_empty());
    }
}
