//! Money: integer minor units plus an ISO 4217 currency. Never a float.
//!
//! # How [`parse_amount`] reads separators
//!
//! Amounts arrive as `1234.56` (exports, e-Factura) or `1.234,56` (Romanian spreadsheets),
//! sometimes `1,234.56` or `1 234,56`. The rule, in order:
//!
//! 1. Both `.` and `,` present: the one that comes last is the decimal separator and must
//!    occur once; the other is the thousands separator (`1.234,56`, `1,234.56`).
//! 2. Only one of them, occurring more than once: thousands separator (`1.234.567`).
//! 3. Only one of them, occurring once: decimal separator (`1234,5`, `0.500`), except the
//!    ambiguous shape *1–3 digits (not starting with 0), separator, exactly 3 digits*
//!    (`1.234`, `12,345`, `-1.500`), which is read as a thousands separator when the currency
//!    has fewer than 3 minor units, and as a decimal separator otherwise (`1.234` KWD is
//!    1.234). A three-decimal amount is never a valid RON/EUR amount unless it ends in 0, and
//!    `1.500` meaning 1.5 is rarer than `1.500` meaning 1500 in the files we import.
//! 4. Spaces (also no-break and thin spaces) may group thousands instead; a number uses one
//!    kind of grouping only, and groups must be of three digits after the first (1–3 digits).
//!
//! More decimals than the currency has are accepted only when the extra ones are zeros
//! (`1234.5600` RON); otherwise the amount is refused, never rounded.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An ISO 4217 alphabetic currency code, stored uppercase.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("currency code {input:?} must be 3 letters (ISO 4217, e.g. RON, EUR)")]
pub struct CurrencyError {
    pub input: String,
}

impl Currency {
    pub const RON: Currency = Currency(*b"RON");
    pub const EUR: Currency = Currency(*b"EUR");
    pub const USD: Currency = Currency(*b"USD");

    /// Accepts any 3 ASCII letters, in any case, surrounded by optional whitespace. The code
    /// is not checked against the ISO list: a new or rare currency must not block an import.
    pub fn parse(input: &str) -> Result<Currency, CurrencyError> {
        let code = input.trim().as_bytes();
        match code {
            [a, b, c] if code.iter().all(u8::is_ascii_alphabetic) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(CurrencyError {
                input: input.to_owned(),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("constructed from ASCII letters")
    }

    /// Decimal places of the minor unit (ISO 4217 list; 2 for codes not listed).
    pub fn minor_units(self) -> u8 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            b"CLF" | b"UYW" => 4,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount in minor units (bani, cents) of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {left} with {right}: different currencies")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("amount out of range")]
    Overflow,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Parses a written amount; see the module documentation for the separator rule.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, AmountError> {
        parse_amount(text, currency).map(|minor| Money { minor, currency })
    }

    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    pub fn is_positive(self) -> bool {
        self.minor > 0
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_neg().ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }
}

impl std::ops::Neg for Money {
    type Output = Money;
    /// # Panics
    /// When `minor` is `i64::MIN`; use [`Money::checked_neg`] for untrusted values.
    fn neg(self) -> Money {
        self.checked_neg().expect("negating i64::MIN minor units")
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            format_amount(self.minor, self.currency),
            self.currency
        )
    }
}

/// Why a written amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error(
        "amount {text:?} contains {found:?}; only digits, a leading sign, '.', ',' and spaces are allowed"
    )]
    InvalidCharacter { text: String, found: char },
    #[error("amount {text:?} has no digits")]
    NoDigits { text: String },
    #[error("amount {text:?} has more than one decimal separator")]
    MultipleDecimalSeparators { text: String },
    #[error("amount {text:?} has no digits after the decimal separator")]
    MissingDecimals { text: String },
    #[error("amount {text:?} has misplaced thousands separators (expected groups of 3 digits)")]
    MisplacedSeparator { text: String },
    #[error("amount {text:?} has {found} decimal places but {currency} allows at most {allowed}")]
    TooManyDecimals {
        text: String,
        found: usize,
        allowed: u8,
        currency: Currency,
    },
    #[error("amount {text:?} is too large")]
    Overflow { text: String },
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}')
}

/// Parses a written amount into minor units of `currency`. See the module documentation for
/// how `.` and `,` are told apart.
pub fn parse_amount(text: &str, currency: Currency) -> Result<i64, AmountError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Empty);
    }
    let owned = || trimmed.to_owned();
    let (negative, body) = if let Some(rest) = trimmed.strip_prefix(['-', '\u{2212}']) {
        (true, rest)
    } else if let Some(rest) = trimmed.strip_prefix('+') {
        (false, rest)
    } else {
        (false, trimmed)
    };
    if let Some(found) = body
        .chars()
        .find(|c| !(c.is_ascii_digit() || matches!(c, '.' | ',') || is_space(*c)))
    {
        return Err(AmountError::InvalidCharacter {
            text: owned(),
            found,
        });
    }
    if !body.chars().any(|c| c.is_ascii_digit()) {
        return Err(AmountError::NoDigits { text: owned() });
    }

    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let decimal_sep: Option<char> = match (dots, commas) {
        (0, 0) => None,
        (_, 0) | (0, _) => {
            let (sep, count) = if dots > 0 { ('.', dots) } else { (',', commas) };
            let (int, frac) = body.split_once(sep).expect("separator present");
            let looks_grouped = frac.len() == 3
                && frac.bytes().all(|b| b.is_ascii_digit())
                && (1..=3).contains(&int.len())
                && int.bytes().all(|b| b.is_ascii_digit())
                && !int.starts_with('0');
            if count > 1 || (looks_grouped && currency.minor_units() < 3) {
                None
            } else {
                Some(sep)
            }
        }
        _ => {
            let last_dot = body.rfind('.').expect("dot present");
            let last_comma = body.rfind(',').expect("comma present");
            let (sep, count) = if last_dot > last_comma {
                ('.', dots)
            } else {
                (',', commas)
            };
            if count > 1 {
                return Err(AmountError::MultipleDecimalSeparators { text: owned() });
            }
            Some(sep)
        }
    };

    let (int_part, frac_part) = match decimal_sep {
        Some(sep) => {
            let (int, frac) = body.rsplit_once(sep).expect("separator present");
            if frac.is_empty() {
                return Err(AmountError::MissingDecimals { text: owned() });
            }
            if !frac.bytes().all(|b| b.is_ascii_digit()) {
                // Grouping inside the decimals ("12,345 67") is not a form anyone exports.
                return Err(AmountError::MisplacedSeparator { text: owned() });
            }
            (int, frac)
        }
        None => (body, ""),
    };

    let int_digits =
        ungroup(int_part).ok_or_else(|| AmountError::MisplacedSeparator { text: owned() })?;
    if int_digits.is_empty() && frac_part.is_empty() {
        return Err(AmountError::NoDigits { text: owned() });
    }

    let allowed = currency.minor_units();
    let (kept, extra) = frac_part.split_at(frac_part.len().min(usize::from(allowed)));
    if extra.bytes().any(|b| b != b'0') {
        return Err(AmountError::TooManyDecimals {
            text: owned(),
            found: frac_part.trim_end_matches('0').len(),
            allowed,
            currency,
        });
    }

    let overflow = || AmountError::Overflow { text: owned() };
    let mut value: i128 = 0;
    let padding = usize::from(allowed) - kept.len();
    let all_digits = int_digits
        .bytes()
        .chain(kept.bytes())
        .chain(std::iter::repeat_n(b'0', padding));
    for b in all_digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(b - b'0')))
            .filter(|v| *v <= i128::from(i64::MAX) + 1)
            .ok_or_else(overflow)?;
    }
    let signed = if negative { -value } else { value };
    i64::try_from(signed).map_err(|_| overflow())
}

/// The digits of an integer part, with its thousands grouping (one kind: `.`, `,` or
/// spaces) checked and removed; `None` when the grouping is wrong.
fn ungroup(int_part: &str) -> Option<String> {
    let is_group_sep = |c: char| matches!(c, '.' | ',') || is_space(c);
    let seps: Vec<char> = int_part.chars().filter(|c| is_group_sep(*c)).collect();
    let Some(&first_sep) = seps.first() else {
        return Some(int_part.to_owned());
    };
    let same_kind = |c: char| {
        if is_space(first_sep) {
            is_space(c)
        } else {
            c == first_sep
        }
    };
    if !seps.iter().all(|c| same_kind(*c)) {
        return None;
    }
    let mut groups = int_part.split(is_group_sep);
    let first = groups.next()?;
    if !(1..=3).contains(&first.len()) {
        return None;
    }
    let mut digits = first.to_owned();
    for g in groups {
        if g.len() != 3 {
            return None;
        }
        digits.push_str(g);
    }
    Some(digits)
}

/// Plain machine form: optional `-`, integer digits, and `.` plus exactly
/// `currency.minor_units()` decimals ("1234.56", "-0.05", "1500" for JPY).
pub fn format_amount(minor: i64, currency: Currency) -> String {
    let units = u32::from(currency.minor_units());
    let abs = minor.unsigned_abs();
    let sign = if minor < 0 { "-" } else { "" };
    if units == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(units);
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = units as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RON: Currency = Currency::RON;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn currency_parse_and_units() {
        assert_eq!(cur(" ron "), Currency::RON);
        assert_eq!(cur("eur").as_str(), "EUR");
        assert!(Currency::parse("EU").is_err());
        assert!(Currency::parse("EURO").is_err());
        assert!(Currency::parse("E1R").is_err());
        assert!(Currency::parse("ÉUR").is_err());
        assert_eq!(RON.minor_units(), 2);
        assert_eq!(cur("JPY").minor_units(), 0);
        assert_eq!(cur("KRW").minor_units(), 0);
        assert_eq!(cur("KWD").minor_units(), 3);
        assert_eq!(cur("TND").minor_units(), 3);
        assert_eq!(cur("XYZ").minor_units(), 2);
    }

    #[test]
    fn serde_shapes() {
        let m = Money::new(123456, RON);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"minor":123456,"currency":"RON"}"#);
        let back: Money = serde_json::from_str(r#"{"minor":-5,"currency":"eur"}"#).unwrap();
        assert_eq!(back, Money::new(-5, Currency::EUR));
        assert!(serde_json::from_str::<Currency>(r#""EURO""#).is_err());
    }

    #[test]
    fn arithmetic() {
        let a = Money::new(150, RON);
        let b = Money::new(50, RON);
        assert_eq!(a.checked_add(b).unwrap(), Money::new(200, RON));
        assert_eq!(b.checked_sub(a).unwrap(), Money::new(-100, RON));
        assert_eq!(
            a.checked_add(Money::new(1, Currency::EUR)).unwrap_err(),
            MoneyError::CurrencyMismatch {
                left: RON,
                right: Currency::EUR
            }
        );
        assert_eq!(
            Money::new(i64::MAX, RON).checked_add(Money::new(1, RON)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::new(i64::MIN, RON).checked_neg(),
            Err(MoneyError::Overflow)
        );
        assert_eq!(-a, Money::new(-150, RON));
        assert!(Money::zero(RON).is_zero());
        assert!(!a.is_zero());
        assert!((-a).is_negative() && a.is_positive());
    }

    #[test]
    fn display_honours_minor_units() {
        assert_eq!(Money::new(123456, RON).to_string(), "1234.56 RON");
        assert_eq!(Money::new(-5, RON).to_string(), "-0.05 RON");
        assert_eq!(Money::new(1500, cur("JPY")).to_string(), "1500 JPY");
        assert_eq!(Money::new(1234, cur("KWD")).to_string(), "1.234 KWD");
        assert_eq!(format_amount(i64::MIN, RON), "-92233720368547758.08");
    }

    #[test]
    fn accepted_forms() {
        let cases: &[(&str, i64)] = &[
            ("1234.56", 123456),
            ("1234,56", 123456),
            ("1.234,56", 123456),
            ("1,234.56", 123456),
            ("1 234,56", 123456),
            ("1\u{a0}234,56", 123456),
            ("1 234 567.8", 123456780),
            ("1.234.567", 123456700),
            ("1,234,567", 123456700),
            ("-12.5", -1250),
            ("\u{2212}12.5", -1250),
            ("+3", 300),
            ("1234", 123400),
            ("1234.5600", 123456),
            ("0.5", 50),
            (",5", 50),
            ("0", 0),
            ("-0", 0),
            ("  42  ", 4200),
            // The ambiguous shape: thousands for a 2-decimal currency.
            ("1.234", 123400),
            ("1,234", 123400),
            ("12.345", 1234500),
            ("-1.500", -150000),
            // Not the ambiguous shape: a leading 0 or more than 3 integer digits.
            ("0.500", 50),
            ("1234.500", 123450),
            ("1.2300", 123),
        ];
        for (text, want) in cases {
            assert_eq!(parse_amount(text, RON), Ok(*want), "{text:?}");
        }
    }

    #[test]
    fn ambiguous_shape_depends_on_minor_units() {
        assert_eq!(parse_amount("1.234", cur("KWD")), Ok(1234));
        assert_eq!(parse_amount("1,234", cur("KWD")), Ok(1234));
        assert_eq!(parse_amount("1.234", cur("JPY")), Ok(1234));
        assert_eq!(
            parse_amount("1,234.5", cur("JPY")).unwrap_err().to_string(),
            "amount \"1,234.5\" has 1 decimal places but JPY allows at most 0"
        );
        assert_eq!(parse_amount("1234.00", cur("JPY")), Ok(1234));
    }

    #[test]
    fn refused_forms() {
        use AmountError::*;
        assert_eq!(parse_amount("", RON), Err(Empty));
        assert_eq!(parse_amount("   ", RON), Err(Empty));
        assert!(matches!(
            parse_amount("12a", RON),
            Err(InvalidCharacter { found: 'a', .. })
        ));
        assert!(matches!(
            parse_amount("12 RON", RON),
            Err(InvalidCharacter { found: 'R', .. })
        ));
        assert!(matches!(
            parse_amount("--1", RON),
            Err(InvalidCharacter { found: '-', .. })
        ));
        assert!(matches!(parse_amount("-", RON), Err(NoDigits { .. })));
        assert!(matches!(parse_amount(".", RON), Err(NoDigits { .. })));
        assert!(matches!(
            parse_amount("12.", RON),
            Err(MissingDecimals { .. })
        ));
        assert!(matches!(
            parse_amount("1.234,56,7", RON),
            Err(MultipleDecimalSeparators { .. })
        ));
        assert!(matches!(
            parse_amount("1.23.456", RON),
            Err(MisplacedSeparator { .. })
        ));
        assert!(matches!(
            parse_amount("12 34", RON),
            Err(MisplacedSeparator { .. })
        ));
        assert!(matches!(
            parse_amount("1234.567,8", RON),
            Err(MisplacedSeparator { .. })
        ));
        assert!(matches!(
            parse_amount("1 234.567,8", RON),
            Err(MisplacedSeparator { .. })
        ));
        assert!(matches!(
            parse_amount("1,5 0", RON),
            Err(MisplacedSeparator { .. })
        ));
        assert_eq!(
            parse_amount("1234.567", RON).unwrap_err().to_string(),
            "amount \"1234.567\" has 3 decimal places but RON allows at most 2"
        );
        assert!(matches!(
            parse_amount("0,125", RON),
            Err(TooManyDecimals {
                found: 3,
                allowed: 2,
                ..
            })
        ));
        assert!(matches!(
            parse_amount("92233720368547758.08", RON),
            Err(Overflow { .. })
        ));
        assert!(matches!(
            parse_amount("99999999999999999999999999999999999999999", RON),
            Err(Overflow { .. })
        ));
    }

    #[test]
    fn extremes_of_i64() {
        assert_eq!(parse_amount("92233720368547758.07", RON), Ok(i64::MAX));
        assert_eq!(parse_amount("-92233720368547758.08", RON), Ok(i64::MIN));
    }
}
