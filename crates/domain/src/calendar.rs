//! Romanian legal public holidays (Codul muncii, art. 139) and business-day arithmetic.
//!
//! The list is the one in force since 2024. Holidays added by later laws are left out of
//! the years before they applied: 15 August from 2009 (Legea 202/2008), 30 November from
//! 2012 (Legea 147/2012), 24 January from 2017 (Legea 171/2016), 1 June from 2017 (Legea
//! 220/2016), Good Friday from 2018 (Legea 64/2018), 6 and 7 January from 2024 (Legea
//! 52/2023). Holidays of religious denominations other than Christian ones, which apply
//! only to their members, are not part of the calendar.
//!
//! When two holidays fall on the same day the day is listed once, under the Easter-cycle
//! name (Good Friday, Easter, Pentecost): the reference table lists 1 June 2026, Pentecost
//! Monday and Children's Day, as "Rusaliile".

use jiff::civil::{Date, Weekday};
use jiff::{Span, ToSpan};
use serde::Serialize;

/// A public holiday: its date and Romanian name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Holiday {
    pub date: Date,
    pub name: &'static str,
}

/// Orthodox Easter Sunday of `year`, as a Gregorian date.
///
/// The Julian computus (Meeus) gives the Julian date, which is then moved by the
/// Julian–Gregorian gap of that century (13 days in 1900–2099).
///
/// # Panics
/// When `year` is before 1.
pub fn orthodox_easter(year: i16) -> Date {
    assert!(year >= 1, "Orthodox Easter is computed for years 1 to 9999");
    let y = i32::from(year);
    let a = y % 4;
    let b = y % 7;
    let c = y % 19;
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    // March and April have the same lengths in both calendars, so shifting the same
    // month/day in the Gregorian calendar by the gap gives the right day.
    let gap = y / 100 - y / 400 - 2;
    let julian_numbers = Date::new(year, month as i8, day as i8).expect("Julian Easter date");
    julian_numbers
        .checked_add(gap.days())
        .expect("Easter stays within year 9999")
}

fn fixed_holiday(year: i16, month: i8, day: i8) -> Option<&'static str> {
    Some(match (month, day) {
        (1, 1) | (1, 2) => "Anul Nou",
        (1, 6) if year >= 2024 => "Boboteaza",
        (1, 7) if year >= 2024 => "Sfântul Ioan Botezătorul",
        (1, 24) if year >= 2017 => "Ziua Unirii Principatelor Române",
        (5, 1) => "Ziua Muncii",
        (6, 1) if year >= 2017 => "Ziua Copilului",
        (8, 15) if year >= 2009 => "Adormirea Maicii Domnului",
        (11, 30) if year >= 2012 => "Sfântul Andrei",
        (12, 1) => "Ziua Națională",
        (12, 25) | (12, 26) => "Crăciunul",
        _ => return None,
    })
}

fn movable_holiday(year: i16, days_after_easter: i32) -> Option<&'static str> {
    Some(match days_after_easter {
        -2 if year >= 2018 => "Vinerea Mare",
        0 | 1 => "Paștele",
        49 | 50 => "Rusaliile",
        _ => return None,
    })
}

/// The public holiday on `date`, if any.
pub fn holiday_on(date: Date) -> Option<Holiday> {
    let year = date.year();
    if year < 1 {
        return None;
    }
    let easter = orthodox_easter(year);
    let days_after_easter = (date - easter).get_days();
    movable_holiday(year, days_after_easter)
        .or_else(|| fixed_holiday(year, date.month(), date.day()))
        .map(|name| Holiday { date, name })
}

/// The public holidays of `year`, sorted by date, one entry per day.
pub fn public_holidays(year: i16) -> Vec<Holiday> {
    let Ok(first) = Date::new(year, 1, 1) else {
        return Vec::new();
    };
    // One source of truth: the list is exactly the days `holiday_on` recognises.
    first
        .series(1.day())
        .take(usize::try_from(first.days_in_year()).unwrap_or(0))
        .filter_map(holiday_on)
        .collect()
}

pub fn is_public_holiday(date: Date) -> bool {
    holiday_on(date).is_some()
}

/// Monday to Friday and not a public holiday.
pub fn is_business_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_public_holiday(date)
}

fn step(date: Date, days: Span) -> Date {
    date.checked_add(days)
        .expect("business-day arithmetic beyond the supported date range")
}

/// `date` itself when it is a business day, otherwise the first business day after it
/// (a deadline falling on a weekend or holiday moves to the next business day).
///
/// # Panics
/// Only past 9999-12-31.
pub fn next_business_day(date: Date) -> Date {
    let mut d = date;
    while !is_business_day(d) {
        d = step(d, 1.day());
    }
    d
}

/// Moves `days` business days forward (or backward when negative). The result is always a
/// business day, except that adding 0 returns `date` unchanged.
///
/// # Panics
/// Only when the result would fall outside the supported date range.
pub fn add_business_days(date: Date, days: i32) -> Date {
    let direction = if days >= 0 { 1.day() } else { (-1).days() };
    let mut remaining = days.unsigned_abs();
    let mut d = date;
    while remaining > 0 {
        d = step(d, direction);
        if is_business_day(d) {
            remaining -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn orthodox_easter_known_years() {
        let known = [
            (1990, date(1990, 4, 15)),
            (2000, date(2000, 4, 30)),
            (2008, date(2008, 4, 27)),
            (2010, date(2010, 4, 4)),
            (2011, date(2011, 4, 24)),
            (2017, date(2017, 4, 16)),
            (2021, date(2021, 5, 2)),
            (2023, date(2023, 4, 16)),
            (2024, date(2024, 5, 5)),
            (2025, date(2025, 4, 20)),
            (2026, date(2026, 4, 12)),
            (2027, date(2027, 5, 2)),
            (2100, date(2100, 5, 2)),
        ];
        for (year, want) in known {
            assert_eq!(orthodox_easter(year), want, "{year}");
        }
    }

    #[test]
    fn easter_is_always_a_sunday_between_april_4_and_may_8() {
        for year in 1900..=2099 {
            let e = orthodox_easter(year);
            assert_eq!(e.weekday(), Weekday::Sunday, "{year}");
            assert!(
                e >= date(year, 4, 4) && e <= date(year, 5, 8),
                "{year}: {e}"
            );
        }
    }

    #[test]
    fn coinciding_days_listed_once_under_easter_cycle_name() {
        // 2026: Pentecost Monday is 1 June.
        let h = holiday_on(date(2026, 6, 1)).unwrap();
        assert_eq!(h.name, "Rusaliile");
        let list = public_holidays(2026);
        assert_eq!(
            list.iter().filter(|h| h.date == date(2026, 6, 1)).count(),
            1
        );
        // 2043: Orthodox Easter is 3 May, so Good Friday is 1 May.
        assert_eq!(orthodox_easter(2043), date(2043, 5, 3));
        assert_eq!(holiday_on(date(2043, 5, 1)).unwrap().name, "Vinerea Mare");
    }

    #[test]
    fn list_is_sorted_and_consistent_with_holiday_on() {
        for year in [2016, 2024, 2026, 2043] {
            let list = public_holidays(year);
            assert!(list.windows(2).all(|w| w[0].date < w[1].date), "{year}");
            let mut d = date(year, 1, 1);
            while d.year() == year {
                let listed = list.iter().any(|h| h.date == d);
                assert_eq!(listed, is_public_holiday(d), "{d}");
                d = d.tomorrow().unwrap();
            }
        }
    }

    #[test]
    fn later_additions_absent_before_they_applied() {
        assert!(!is_public_holiday(date(2023, 1, 6)));
        assert!(!is_public_holiday(date(2023, 1, 7)));
        assert!(is_public_holiday(date(2024, 1, 6)));
        assert!(!is_public_holiday(date(2016, 1, 24)));
        assert!(is_public_holiday(date(2017, 1, 24)));
        assert!(!is_public_holiday(date(2016, 6, 1)));
        // Good Friday 2017 was 14 April; 2018 was 6 April.
        assert!(!is_public_holiday(date(2017, 4, 14)));
        assert!(is_public_holiday(date(2018, 4, 6)));
        assert_eq!(public_holidays(2024).len(), 17);
    }

    #[test]
    fn out_of_range_years_have_no_holidays() {
        assert!(public_holidays(10_000).is_empty());
        assert!(public_holidays(0).is_empty());
        assert!(!is_public_holiday(date(0, 1, 1)));
    }

    #[test]
    fn next_business_day_over_christmas_and_new_year() {
        // 2027: 25 Dec Saturday, 26 Sunday, then Monday 27 is a business day.
        assert_eq!(next_business_day(date(2027, 12, 25)), date(2027, 12, 27));
        // 2025: 25-26 Dec Thu-Fri, weekend, Mon 29.
        assert_eq!(next_business_day(date(2025, 12, 25)), date(2025, 12, 29));
        // 2025-12-31 Wed is a business day; 1-2 Jan 2026 Thu-Fri, weekend, 5 Jan Monday,
        // then 6-7 Jan holidays.
        assert_eq!(next_business_day(date(2025, 12, 31)), date(2025, 12, 31));
        assert_eq!(next_business_day(date(2026, 1, 1)), date(2026, 1, 5));
        assert_eq!(next_business_day(date(2026, 1, 6)), date(2026, 1, 8));
    }

    #[test]
    fn next_business_day_over_easter() {
        // 2025: Good Friday 18 April, Easter 20, Easter Monday 21.
        assert_eq!(next_business_day(date(2025, 4, 18)), date(2025, 4, 22));
        assert_eq!(next_business_day(date(2025, 4, 17)), date(2025, 4, 17));
        // 2027: Good Friday 30 April, 1 May Saturday, Easter 2 May, Monday 3 May.
        assert_eq!(next_business_day(date(2027, 4, 30)), date(2027, 5, 4));
    }

    #[test]
    fn add_business_days_both_ways() {
        // From Wednesday 24 Dec 2025: Mon 29, Tue 30, Wed 31, then Mon 5 Jan, Thu 8 Jan.
        let start = date(2025, 12, 24);
        assert_eq!(add_business_days(start, 1), date(2025, 12, 29));
        assert_eq!(add_business_days(start, 3), date(2025, 12, 31));
        assert_eq!(add_business_days(start, 4), date(2026, 1, 5));
        assert_eq!(add_business_days(start, 5), date(2026, 1, 8));
        assert_eq!(add_business_days(date(2026, 1, 8), -5), start);
        assert_eq!(add_business_days(date(2025, 4, 22), -1), date(2025, 4, 17));
        assert_eq!(add_business_days(date(2025, 4, 17), 1), date(2025, 4, 22));
        assert_eq!(add_business_days(date(2025, 4, 19), 0), date(2025, 4, 19));
        // A plain week: Monday + 5 business days is next Monday.
        assert_eq!(add_business_days(date(2025, 3, 3), 5), date(2025, 3, 10));
    }

    #[test]
    fn business_days_exclude_weekends_and_holidays() {
        assert!(is_business_day(date(2025, 3, 3)));
        assert!(!is_business_day(date(2025, 3, 1)));
        assert!(!is_business_day(date(2025, 3, 2)));
        assert!(!is_business_day(date(2025, 12, 1)));
    }
}
