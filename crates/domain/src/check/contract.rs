//! The contract's frame: `contract_expired` and `currency_mismatch`.
//!
//! The contract is in force from `valid_from` (or, without it, from its signature) to
//! `valid_until`, both days included. Credit notes are exempt from the dates: one corrects
//! an invoice issued while the contract ran, and may well come after its end. Their
//! currency is the contract's like any invoice's.

use super::Ctx;
use super::finding::{Detail, Finding};

pub(super) fn run(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(contract) = ctx.contract else {
        return;
    };
    let issue = ctx.invoice.issue_date;
    if !ctx.credit {
        let start = contract.valid_from.or(contract.signed_on);
        if let Some(until) = contract.valid_until
            && issue > until
        {
            out.push(Finding::new(Detail::ContractEnded {
                contract_number: contract.number.clone(),
                issue_date: issue,
                valid_until: until,
            }));
        } else if let Some(from) = start
            && issue < from
        {
            out.push(Finding::new(Detail::ContractNotStarted {
                contract_number: contract.number.clone(),
                issue_date: issue,
                valid_from: from,
            }));
        }
    }
    if let Some(agreed) = contract.currency
        && agreed != ctx.invoice.currency()
    {
        out.push(Finding::new(Detail::CurrencyMismatch {
            written: ctx.invoice.currency(),
            agreed,
            contract_number: contract.number.clone(),
        }));
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use crate::check::finding::{Detail, FindingCode as C};
    use crate::check::fixture::{self, codes};
    use crate::model::Language;
    use crate::money::{Currency, Money};

    #[test]
    fn contract_expired_after_its_end() {
        let mut w = fixture::world();
        w.contract.valid_until = Some(date(2025, 2, 28));
        let found = w.check();
        assert_eq!(codes(&found), [C::ContractExpired]);
        assert_eq!(
            found[0].message(Language::Ro),
            format!(
                "Factura din 03.03.2025 este emisă după expirarea contractului {}, valabil \
                 până la 28.02.2025.",
                w.contract.number
            )
        );
    }

    #[test]
    fn contract_expired_before_its_start() {
        let mut w = fixture::world();
        w.contract.valid_from = None;
        w.contract.signed_on = Some(date(2025, 3, 4));
        let found = w.check();
        assert_eq!(codes(&found), [C::ContractExpired]);
        assert!(matches!(found[0].detail, Detail::ContractNotStarted { .. }));
    }

    #[test]
    fn contract_expired_silent_on_the_last_day_without_end_or_for_credit_notes() {
        let mut w = fixture::world();
        w.contract.valid_until = Some(w.invoice.issue_date);
        assert!(w.check().is_empty());
        w.contract.valid_until = None;
        assert!(w.check().is_empty());
        let mut w = fixture::world();
        w.contract.valid_until = Some(date(2025, 1, 31));
        w.make_credit_note();
        assert!(w.check().is_empty());
    }

    #[test]
    fn currency_mismatch_fires_against_the_contract() {
        let mut w = fixture::world();
        w.invoice.total = Money::new(2_394, Currency::EUR);
        w.invoice.ubl = None;
        let found = w.check();
        assert_eq!(codes(&found), [C::CurrencyMismatch]);
        assert_eq!(
            found[0].message(Language::En),
            format!(
                "The invoice is in EUR, but contract {} is in RON.",
                w.contract.number
            )
        );
    }

    #[test]
    fn currency_silent_without_contract_currency() {
        let mut w = fixture::world();
        w.contract.currency = None;
        w.invoice.total = Money::new(2_394, Currency::EUR);
        w.invoice.ubl = None;
        assert!(w.check().is_empty());
    }
}
