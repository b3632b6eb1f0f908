//! Aging buckets: how late an invoice is, in the bands the reports use.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgingBucket {
    #[serde(rename = "not_due")]
    NotDue,
    #[serde(rename = "1_30")]
    D1To30,
    #[serde(rename = "31_60")]
    D31To60,
    #[serde(rename = "61_90")]
    D61To90,
    #[serde(rename = "over_90")]
    Over90,
}

/// Calendar days from `due` to `today`: positive when late, 0 on the due date, negative
/// before it.
pub fn days_late(due: Date, today: Date) -> i64 {
    i64::from((today - due).get_days())
}

impl AgingBucket {
    /// Every bucket, from not due to the oldest.
    pub const ALL: [AgingBucket; 5] = [
        AgingBucket::NotDue,
        AgingBucket::D1To30,
        AgingBucket::D31To60,
        AgingBucket::D61To90,
        AgingBucket::Over90,
    ];

    /// The bucket of an invoice due on `due`, seen on `today`. On the due date itself the
    /// invoice is not yet late.
    pub fn of(due: Date, today: Date) -> AgingBucket {
        match days_late(due, today) {
            i64::MIN..=0 => AgingBucket::NotDue,
            1..=30 => AgingBucket::D1To30,
            31..=60 => AgingBucket::D31To60,
            61..=90 => AgingBucket::D61To90,
            _ => AgingBucket::Over90,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgingBucket::NotDue => "not due",
            AgingBucket::D1To30 => "1-30",
            AgingBucket::D31To60 => "31-60",
            AgingBucket::D61To90 => "61-90",
            AgingBucket::Over90 => "over 90",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use jiff::civil::date;

    #[test]
    fn boundaries() {
        let due = date(2025, 1, 31);
        let at = |days: i32| AgingBucket::of(due, due.checked_add(days.days()).unwrap());
        assert_eq!(at(-10), AgingBucket::NotDue);
        assert_eq!(at(0), AgingBucket::NotDue);
        assert_eq!(at(1), AgingBucket::D1To30);
        assert_eq!(at(30), AgingBucket::D1To30);
        assert_eq!(at(31), AgingBucket::D31To60);
        assert_eq!(at(60), AgingBucket::D31To60);
        assert_eq!(at(61), AgingBucket::D61To90);
        assert_eq!(at(90), AgingBucket::D61To90);
        assert_eq!(at(91), AgingBucket::Over90);
        assert_eq!(at(5000), AgingBucket::Over90);
    }

    #[test]
    fn days_late_counts_calendar_days_across_months_and_leap_years() {
        assert_eq!(days_late(date(2024, 2, 28), date(2024, 3, 1)), 2);
        assert_eq!(days_late(date(2023, 2, 28), date(2023, 3, 1)), 1);
        assert_eq!(days_late(date(2024, 1, 1), date(2025, 1, 1)), 366);
        assert_eq!(days_late(date(2025, 1, 10), date(2025, 1, 1)), -9);
    }

    #[test]
    fn labels_and_order() {
        let labels: Vec<_> = AgingBucket::ALL.iter().map(|b| b.label()).collect();
        assert_eq!(labels, ["not due", "1-30", "31-60", "61-90", "over 90"]);
        assert!(AgingBucket::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            serde_json::to_string(&AgingBucket::D31To60).unwrap(),
            "\"31_60\""
        );
    }
}
