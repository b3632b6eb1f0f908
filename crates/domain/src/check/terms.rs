//! The due date: `terms_mismatch`.
//!
//! - **Error**: the due date is before the invoice date, or is not the invoice date plus
//!   the agreed term (the contract's, else the debtor's; see [`combine`](super::combine)).
//!   A due date moved from a weekend or public holiday to the next business day is the
//!   agreed one: a term ending on a non-working day ends on the next working day (Civil
//!   Code, art. 2183), and invoicing programs move it so.
//! - **Warning**: a term over 60 days between professionals (Law 72/2013, art. 3), when
//!   it is what was agreed or nothing was agreed. It is lawful only if the contract states
//!   it expressly and it is not abusive to the creditor, so someone should look at the
//!   clause. Professionals: anyone but a private person (CNP); a PFA is one.
//!
//! Credit notes are not paid, so their due date is not judged.

use jiff::Span;
use jiff::civil::Date;

use super::Ctx;
use super::finding::{Detail, Finding};
use crate::calendar::next_business_day;
use crate::ids::TaxId;

/// Law 72/2013, art. 3 (1): the longest term between professionals without an express
/// clause.
pub const LEGAL_LIMIT_DAYS: i64 = 60;

fn add_days(d: Date, days: i64) -> Option<Date> {
    let span = Span::new().try_days(days).ok()?;
    d.checked_add(span).ok()
}

/// The agreed due date and the same moved past a weekend or holiday.
fn due_dates(issue: Date, days: i64) -> Option<(Date, Date)> {
    let exact = add_days(issue, days)?;
    // `next_business_day` walks forward and panics past 9999-12-31; no real date gets there.
    let moved = if exact.year() < 9999 {
        next_business_day(exact)
    } else {
        exact
    };
    Some((exact, moved))
}

fn is_person(tax_id: &str) -> bool {
    matches!(TaxId::parse(tax_id), Ok(TaxId::Cnp(_)))
}

pub(super) fn run(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.credit {
        return;
    }
    let (issue, due) = (ctx.invoice.issue_date, ctx.invoice.due_date);
    let days = i64::from((due - issue).get_days());
    if days < 0 {
        out.push(Finding::new(Detail::DueBeforeIssue {
            issue_date: issue,
            due_date: due,
        }));
        return;
    }
    // The term as agreed when the due date keeps it (a due date moved past a weekend is
    // still the agreed term), else as written.
    let mut term = days;
    if let Some((agreed, source)) = &ctx.terms
        && let Some((exact, moved)) = due_dates(issue, *agreed)
    {
        if due != exact && due != moved {
            out.push(Finding::new(Detail::TermsDiffer {
                issue_date: issue,
                due_date: due,
                days_written: days,
                days_agreed: *agreed,
                expected_due: exact,
                source: source.clone(),
            }));
            return;
        }
        term = *agreed;
    }
    let professional = || !is_person(&ctx.debtor.tax_id) && !is_person(&ctx.invoice.buyer_tax_id);
    if term > LEGAL_LIMIT_DAYS && professional() {
        out.push(Finding::new(Detail::TermsOverLegalLimit { days: term }));
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use crate::check::finding::{Detail, FindingCode as C, Severity};
    use crate::check::fixture::{self, codes};
    use crate::model::Language;

    #[test]
    fn terms_mismatch_when_the_due_date_breaks_the_contract() {
        let mut w = fixture::world();
        w.invoice.due_date = date(2025, 4, 17); // 45 days; the contract says 30
        let found = w.check();
        assert_eq!(codes(&found), [C::TermsMismatch]);
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(
            found[0].message(Language::Ro),
            format!(
                "Scadența 17.04.2025 (45 de zile) nu respectă termenul de plată de 30 de zile din \
                 contractul {}: ar trebui să fie 02.04.2025.",
                w.contract.number
            )
        );
    }

    #[test]
    fn terms_mismatch_uses_the_debtors_term_without_a_contract_term() {
        let mut w = fixture::world();
        w.contract.payment_terms_days = None;
        w.debtor.payment_terms_days = Some(15);
        let found = w.check();
        assert_eq!(codes(&found), [C::TermsMismatch]);
        assert!(
            found[0]
                .message(Language::En)
                .contains("the customer's file")
        );
    }

    #[test]
    fn terms_silent_when_moved_to_the_next_business_day() {
        let mut w = fixture::world();
        // 2025-04-05 is a Saturday: 33 days after 2025-03-03, due on Monday 2025-04-07.
        w.contract.payment_terms_days = Some(33);
        w.invoice.due_date = date(2025, 4, 7);
        assert!(w.check().is_empty());
        w.invoice.due_date = date(2025, 4, 5);
        assert!(w.check().is_empty());
        w.invoice.due_date = date(2025, 4, 8);
        assert_eq!(codes(&w.check()), [C::TermsMismatch]);
    }

    #[test]
    fn terms_mismatch_when_due_before_issue() {
        let mut w = fixture::world();
        w.no_contract();
        w.debtor.payment_terms_days = None;
        w.invoice.due_date = date(2025, 3, 1);
        let found = w.check();
        assert_eq!(codes(&found), [C::TermsMismatch]);
        assert!(matches!(found[0].detail, Detail::DueBeforeIssue { .. }));
    }

    #[test]
    fn terms_warning_over_sixty_days_between_companies() {
        let mut w = fixture::world();
        w.contract.payment_terms_days = Some(90);
        w.invoice.due_date = date(2025, 6, 1);
        let found = w.check();
        assert_eq!(codes(&found), [C::TermsMismatch]);
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(found[0].message(Language::Ro).contains("Legea nr. 72/2013"));
    }

    #[test]
    fn terms_silent_at_sixty_days_for_a_person_or_a_credit_note() {
        let mut w = fixture::world();
        w.contract.payment_terms_days = Some(60);
        w.invoice.due_date = date(2025, 5, 2);
        assert!(w.check().is_empty());
        // 60 days from 2025-03-04 end on Saturday 2025-05-03; moved to Monday, the invoice
        // shows 62 days, and the term is still the agreed 60.
        w.invoice.issue_date = date(2025, 3, 4);
        w.invoice.due_date = date(2025, 5, 5);
        assert!(w.check().is_empty());
        let mut w = fixture::world();
        w.make_person();
        w.debtor.payment_terms_days = Some(90);
        w.invoice.due_date = date(2025, 6, 1);
        assert!(w.check().is_empty());
        let mut w = fixture::world();
        w.invoice.due_date = date(2025, 6, 1);
        w.make_credit_note();
        assert!(w.check().is_empty());
    }
}
