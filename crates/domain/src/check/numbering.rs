//! `duplicate_number`: the issuing entity has another invoice with this series and number.
//!
//! Which invoices share a number is for the caller to find (the domain sees one invoice);
//! the finding goes on each of them, since from the number alone no one can tell which is
//! the mistake. A customer's accounts-payable rejects the second one it receives as already
//! booked, and e-Factura numbering must be unique per series.

use super::Ctx;
use super::finding::{Detail, Finding};

pub(super) fn run(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let inv = ctx.invoice;
    if inv.same_number.is_empty() {
        return;
    }
    out.push(Finding::new(Detail::DuplicateNumber {
        series: inv.series.trim().to_owned(),
        number: inv.number.trim().to_owned(),
        issuer_name: ctx.issuer.map(|e| e.name.clone()),
        others: inv
            .same_number
            .iter()
            .map(|s| (s.issue_date, s.total))
            .collect(),
    }));
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use crate::check::facts::SameNumber;
    use crate::check::finding::FindingCode as C;
    use crate::check::fixture::{self, codes};
    use crate::model::Language;
    use crate::money::{Currency, Money};

    #[test]
    fn duplicate_number_fires_and_describes_the_other() {
        let mut w = fixture::world();
        w.invoice.same_number = vec![SameNumber {
            issue_date: date(2025, 2, 14),
            total: Money::new(123_456, Currency::RON),
        }];
        let found = w.check();
        assert_eq!(codes(&found), [C::DuplicateNumber]);
        assert_eq!(
            found[0].message(Language::Ro),
            format!(
                "{} are deja factura TCG 001234 (din 14.02.2025, 1.234,56 RON).",
                w.entities[0].name
            )
        );
    }

    #[test]
    fn duplicate_number_silent_when_unique() {
        assert!(fixture::world().check().is_empty());
    }
}
