//! Property tests: amounts survive formatting and parsing, in every written style we accept.

use creanta_domain::money::{Currency, Money, format_amount, parse_amount};
use proptest::prelude::*;

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just("RON"),
        Just("EUR"),
        Just("JPY"),
        Just("KWD"),
        Just("CLF")
    ]
    .prop_map(|c| Currency::parse(c).unwrap())
}

/// Writes `minor` with the given thousands and decimal separators ("1.234.567,89").
fn grouped(minor: i64, currency: Currency, thousands: char, decimal: char) -> String {
    let plain = format_amount(minor, currency);
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut groups = Vec::new();
    let mut end = int.len();
    while end > 3 {
        groups.push(&int[end - 3..end]);
        end -= 3;
    }
    groups.push(&int[..end]);
    groups.reverse();
    let mut out = format!("{sign}{}", groups.join(&thousands.to_string()));
    if !frac.is_empty() {
        out.push(decimal);
        out.push_str(frac);
    }
    out
}

/// Mostly everyday amounts, where the separator shapes are most ambiguous, plus the extremes.
fn minor() -> impl Strategy<Value = i64> {
    prop_oneof![3 => -10_000_000i64..10_000_000, 1 => any::<i64>()]
}

proptest! {
    #[test]
    fn format_then_parse_round_trips(minor in minor(), currency in currency()) {
        let text = format_amount(minor, currency);
        prop_assert_eq!(parse_amount(&text, currency), Ok(minor), "{}", text);
        let money = Money::new(minor, currency);
        prop_assert_eq!(money.to_string(), format!("{text} {currency}"));
    }

    #[test]
    fn grouped_styles_parse_to_the_same_amount(minor in minor(), currency in currency()) {
        for (thousands, decimal) in [('.', ','), (',', '.'), (' ', ','), (' ', '.')] {
            let text = grouped(minor, currency, thousands, decimal);
            prop_assert_eq!(parse_amount(&text, currency), Ok(minor), "{}", text);
        }
    }

    /// Two or more extra zeros: never the ambiguous "1.234" shape (exactly 3 decimals).
    #[test]
    fn trailing_zero_decimals_are_accepted(minor in minor(), zeros in 2usize..6) {
        let currency = Currency::RON;
        let text = format!("{}{}", format_amount(minor, currency), "0".repeat(zeros));
        prop_assert_eq!(parse_amount(&text, currency), Ok(minor), "{}", text);
    }

    #[test]
    fn a_non_zero_fourth_decimal_is_refused(minor in minor(), digit in 1u8..=9) {
        let currency = Currency::RON;
        let text = format!("{}0{}", format_amount(minor, currency), digit);
        prop_assert!(parse_amount(&text, currency).is_err(), "{}", text);
    }

    /// Three decimals in RON: the ambiguous shape (1-3 integer digits, not starting with 0)
    /// is read as thousands; any other is refused unless the third decimal is 0.
    #[test]
    fn three_decimals_in_ron(int in 0i64..100_000, frac in 0i64..1000, negative: bool) {
        let text = format!("{}{int}.{frac:03}", if negative { "-" } else { "" });
        let sign = if negative { -1 } else { 1 };
        let got = parse_amount(&text, Currency::RON);
        if (1..1000).contains(&int) {
            prop_assert_eq!(got, Ok(sign * (int * 1000 + frac) * 100), "{}", text);
        } else if frac % 10 == 0 {
            prop_assert_eq!(got, Ok(sign * (int * 100 + frac / 10)), "{}", text);
        } else {
            prop_assert!(got.is_err(), "{}", text);
        }
    }

    #[test]
    fn checked_add_matches_integer_addition(a in any::<i32>(), b in any::<i32>()) {
        let (a, b) = (i64::from(a), i64::from(b));
        let sum = Money::new(a, Currency::EUR).checked_add(Money::new(b, Currency::EUR));
        prop_assert_eq!(sum, Ok(Money::new(a + b, Currency::EUR)));
        let diff = Money::new(a, Currency::EUR).checked_sub(Money::new(b, Currency::EUR));
        prop_assert_eq!(diff, Ok(Money::new(a - b, Currency::EUR)));
    }
}
