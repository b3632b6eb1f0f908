//! Why the calendar did what it did, in words: the reason of each planned invoice, why a
//! pending action was cancelled, and what a served notice means. The log and the API keep
//! the English text (stable, searchable evidence); pages show it in the reader's language.
//! Both directions live here, so the texts written and the texts read back cannot drift.

use jiff::civil::Date;

use super::plan::Hold;
use super::step_date;
use crate::check::zile;
use crate::model::Language;

/// "invoice A-7 10 days overdue → step +10 (firm_reminder)", for an invoice due `due` on the
/// day `day` of the run, at the step `code` of `offset` days.
pub fn step_reason(
    label: &str,
    due: Date,
    offset: i32,
    code: &str,
    day: Date,
    lang: Language,
) -> String {
    let days_late = i64::from((day - due).get_days());
    let when = match (lang, days_late) {
        (Language::En, 1) => "1 day overdue".to_owned(),
        (Language::En, d) if d > 1 => format!("{d} days overdue"),
        (Language::En, 0) => "due today".to_owned(),
        (Language::En, -1) => "due tomorrow".to_owned(),
        (Language::En, d) => format!("due in {} days", -d),
        (Language::Ro, d) if d > 0 => format!("restantă de {}", zile(d)),
        (Language::Ro, 0) => "scadentă azi".to_owned(),
        (Language::Ro, -1) => "scadentă mâine".to_owned(),
        (Language::Ro, d) => format!("scadentă peste {}", zile(-d)),
    };
    let raw = due
        .checked_add(jiff::Span::new().days(offset))
        .unwrap_or(due);
    let date = step_date(due, offset);
    let moved = match (lang, date != raw) {
        (_, false) => String::new(),
        (Language::En, true) => format!(" (step date {raw} moved to the business day {date})"),
        (Language::Ro, true) => {
            format!(" (data pasului, {raw}, mutată pe ziua lucrătoare {date})")
        }
    };
    let offset = if offset > 0 {
        format!("+{offset}")
    } else {
        offset.to_string()
    };
    match lang {
        Language::En => format!("invoice {label} {when} → step {offset} ({code}){moved}"),
        Language::Ro => format!("factura {label} {when} → pasul {offset} ({code}){moved}"),
    }
}

/// A hold as the reader of `lang` reads it; English is what [`Hold`]'s `Display` writes.
pub fn hold_text(h: &Hold, lang: Language) -> String {
    match lang {
        Language::En => h.to_string(),
        Language::Ro => match h {
            Hold::Disputed { reason } => format!("contestată ({reason})"),
            Hold::Promised { until } => format!("plată promisă până la {until}"),
            Hold::Paused { until: Some(d) } => format!("în pauză până la {d}"),
            Hold::Paused { until: None } => "în pauză".to_owned(),
            Hold::Excluded => "client exclus din calendar".to_owned(),
            Hold::AtPartner { partner } => format!("predat la {partner}"),
        },
    }
}

/// Why an action was cancelled when every invoice it was about was paid or credited.
pub const PAID: &str = "the invoices were paid";

/// English phrases this module (and [`Hold`]) writes, with their Romanian, by prefix.
const PHRASES: &[(&str, &str)] = &[
    (PAID, "facturile au fost plătite"),
    ("disputed (", "contestată ("),
    ("payment promised by ", "plată promisă până la "),
    ("paused until ", "în pauză până la "),
    ("paused", "în pauză"),
    (
        "debtor excluded from the calendar",
        "client exclus din calendar",
    ),
    ("handed over to ", "predat la "),
];

const STEP_GONE: &str = " is no longer in its calendar";

/// Why an approved action was cancelled when its step was removed (or changed kind).
pub fn step_gone(policy: &str, step: &str, kind: &str) -> String {
    format!("the step {policy}/{step} ({kind}){STEP_GONE}")
}

/// A cancellation's stored reasons (joined by "; ", all written by the calendar) in `lang`.
pub fn stored_text(stored: &str, lang: Language) -> String {
    if lang == Language::En {
        return stored.to_owned();
    }
    stored
        .split("; ")
        .map(|part| {
            if let Some(step) = part
                .strip_prefix("the step ")
                .and_then(|p| p.strip_suffix(STEP_GONE))
            {
                return format!("pasul {step} nu mai este în calendarul său");
            }
            PHRASES
                .iter()
                .find_map(|(en, ro)| part.strip_prefix(en).map(|rest| format!("{ro}{rest}")))
                .unwrap_or_else(|| part.to_owned())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a served notice's action records: when it was received and when the 15 days end.
pub fn served_outcome(served_on: Date, term_ends: Date) -> String {
    format!("served on {served_on}; the 15-day term ends on {term_ends}")
}

/// An action's outcome in `lang`: the calendar's own [`served_outcome`] is translated; what a
/// person wrote is shown as written.
pub fn outcome_text(stored: &str, lang: Language) -> String {
    let served = stored
        .strip_prefix("served on ")
        .and_then(|r| r.split_once("; the 15-day term ends on "))
        .and_then(|(a, b)| Some((a.parse::<Date>().ok()?, b.parse::<Date>().ok()?)))
        .filter(|(a, b)| served_outcome(*a, *b) == stored);
    match (lang, served) {
        (Language::Ro, Some((a, b))) => {
            format!("primită la {a}; termenul de 15 zile se împlinește la {b}")
        }
        _ => stored.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn step_reasons_read_in_both_languages() {
        let due = date(2025, 2, 9);
        assert_eq!(
            step_reason(
                "A1",
                due,
                10,
                "firm_reminder",
                date(2025, 2, 19),
                Language::En
            ),
            "invoice A1 10 days overdue → step +10 (firm_reminder)"
        );
        assert_eq!(
            step_reason(
                "A1",
                due,
                10,
                "firm_reminder",
                date(2025, 2, 19),
                Language::Ro
            ),
            "factura A1 restantă de 10 zile → pasul +10 (firm_reminder)"
        );
        assert_eq!(
            step_reason("A1", due, 30, "escalation", date(2025, 3, 24), Language::Ro),
            "factura A1 restantă de 43 de zile → pasul +30 (escalation)"
        );
        // +20 from 9 February is Saturday 1 March: moved to Monday 3 March.
        assert_eq!(
            step_reason(
                "A1",
                due,
                20,
                "formal_notice",
                date(2025, 3, 3),
                Language::En
            ),
            "invoice A1 22 days overdue → step +20 (formal_notice) (step date 2025-03-01 moved to the business day 2025-03-03)"
        );
        assert_eq!(
            step_reason(
                "B2",
                date(2025, 2, 13),
                -3,
                "friendly",
                date(2025, 2, 10),
                Language::Ro
            ),
            "factura B2 scadentă peste 3 zile → pasul -3 (friendly)"
        );
    }

    #[test]
    fn stored_reasons_are_translated_and_other_text_is_kept() {
        let holds = [
            Hold::Disputed {
                reason: "wrong_entity".into(),
            },
            Hold::Promised {
                until: date(2025, 3, 1),
            },
            Hold::Paused {
                until: Some(date(2025, 4, 1)),
            },
            Hold::Paused { until: None },
            Hold::Excluded,
            Hold::AtPartner {
                partner: "Cabinet Ionescu".into(),
            },
        ];
        for h in &holds {
            assert_eq!(
                stored_text(&h.to_string(), Language::Ro),
                hold_text(h, Language::Ro)
            );
        }
        let joined = format!("{}; {}", holds[0], holds[2]);
        assert_eq!(
            stored_text(&joined, Language::Ro),
            "contestată (wrong_entity); în pauză până la 2025-04-01"
        );
        assert_eq!(stored_text(PAID, Language::Ro), "facturile au fost plătite");
        assert_eq!(
            outcome_text(
                &served_outcome(date(2025, 3, 5), date(2025, 3, 20)),
                Language::Ro
            ),
            "primită la 2025-03-05; termenul de 15 zile se împlinește la 2025-03-20"
        );
        // A person's outcome is theirs, even when it starts like one of ours.
        for own in [
            "Dosar predat",
            "paused until Friday; served on site by courier",
        ] {
            assert_eq!(outcome_text(own, Language::Ro), own);
        }
        assert_eq!(
            stored_text(&step_gone("standard", "firm", "email"), Language::Ro),
            "pasul standard/firm (email) nu mai este în calendarul său"
        );
        assert_eq!(stored_text(PAID, Language::En), PAID);
    }
}
