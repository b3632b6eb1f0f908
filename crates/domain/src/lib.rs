//! Creanța domain: identifiers, money, the Romanian business calendar, aging and the
//! pre-flight invoice check.
//!
//! Pure rules and types: no I/O and no clock. Callers pass "today" in.

pub mod aging;
pub mod calendar;
pub mod check;
pub mod dunning;
pub mod ids;
pub mod interest;
pub mod model;
pub mod money;

pub use aging::{AgingBucket, days_late};
pub use calendar::{
    Holiday, add_business_days, holiday_on, is_business_day, is_public_holiday, next_business_day,
    orthodox_easter, public_holidays,
};
pub use check::{Facts, Finding, FindingCode, Severity, check};
pub use ids::{Cnp, Cui, Iban, IdError, IdKind, IdReport, TaxId, identify};
pub use money::{
    AmountError, Currency, CurrencyError, Money, MoneyError, format_amount, parse_amount,
};
