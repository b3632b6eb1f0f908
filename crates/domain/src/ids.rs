//! Identifiers: Romanian company tax ids (CUI/CIF), personal numeric codes (CNP),
//! foreign EU VAT ids and IBANs.
//!
//! The rules follow python-stdnum (`stdnum.ro.cui`, `stdnum.ro.cnp`) and ISO 13616, so that
//! an id accepted here is accepted by the tools our users compare against.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use iban::IbanLike;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Which kind of identifier a value is (or was taken to be).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdKind {
    Cui,
    Cnp,
    Iban,
}

impl IdKind {
    /// The name used in messages: "CUI", "CNP", "IBAN".
    pub fn name(self) -> &'static str {
        match self {
            IdKind::Cui => "CUI",
            IdKind::Cnp => "CNP",
            IdKind::Iban => "IBAN",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an identifier was refused. Messages name the rule that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{kind} is empty")]
    Empty { kind: IdKind },
    #[error("{kind} must contain only digits, found {found:?}")]
    InvalidCharacter { kind: IdKind, found: char },
    #[error("{kind} must not start with 0")]
    LeadingZero { kind: IdKind },
    #[error("{kind} must have at least {min} digits, found {len}")]
    TooShort {
        kind: IdKind,
        min: usize,
        len: usize,
    },
    #[error("{kind} must have at most {max} digits, found {len}")]
    TooLong {
        kind: IdKind,
        max: usize,
        len: usize,
    },
    #[error("{kind} must have exactly {expected} digits, found {len}")]
    WrongLength {
        kind: IdKind,
        expected: usize,
        len: usize,
    },
    #[error("{kind} check digit is {found}, expected {expected}")]
    CheckDigit {
        kind: IdKind,
        found: u8,
        expected: u8,
    },
    #[error("CNP first digit (sex and century) must be 1-9, found 0")]
    CnpSexDigit,
    #[error("CNP birth date {year:04}-{month:02}-{day:02} does not exist")]
    CnpBirthDate { year: i16, month: i8, day: i8 },
    #[error("CNP county code {code} is not valid (expected 01-48, 51, 52, 70 or 80-83)")]
    CnpCounty { code: String },
    #[error(
        "foreign VAT id {input:?} must be a 2-letter country prefix followed by 2 to 13 letters or digits"
    )]
    ForeignShape { input: String },
    #[error("not a valid IBAN: {reason}")]
    Iban { reason: String },
    #[error("{input:?} is not recognised as a CUI, CNP or IBAN")]
    Unrecognised { input: String },
}

/// Characters people put inside ids for readability. Unicode dashes come from word
/// processors; stdnum maps them to '-' before stripping, so we strip them too.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// An identifier as printed (`"ro49 aaaa 1b31…"`, `"RO-1234.567"`) without its separators,
/// upper case: the form to compare or store when the value itself may be invalid.
pub fn compact(input: &str) -> String {
    input
        .chars()
        .filter(|c| !is_separator(*c))
        .flat_map(char::to_uppercase)
        .collect()
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn digit_values(s: &str) -> impl Iterator<Item = u32> + '_ {
    s.bytes().map(|b| u32::from(b - b'0'))
}

fn first_non_digit(s: &str) -> Option<char> {
    s.chars().find(|c| !c.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------------
// CUI

/// Romanian company tax id (CUI / CIF), stored in its normal form: digits only, no `RO`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cui(String);

const CUI_WEIGHTS: [u32; 9] = [7, 5, 3, 2, 1, 7, 5, 3, 2];

impl Cui {
    /// Parses a CUI written as `RO 185 472 90`, `ro-18547290`, `18.547.290`, … and verifies
    /// its check digit.
    pub fn parse(input: &str) -> Result<Cui, IdError> {
        const KIND: IdKind = IdKind::Cui;
        let compacted = compact(input);
        // Only one prefix is dropped, so "RO RO 123" stays invalid, as in stdnum.
        let digits = compacted.strip_prefix("RO").unwrap_or(&compacted);
        if digits.is_empty() {
            return Err(IdError::Empty { kind: KIND });
        }
        if let Some(found) = first_non_digit(digits) {
            return Err(IdError::InvalidCharacter { kind: KIND, found });
        }
        if digits.starts_with('0') {
            return Err(IdError::LeadingZero { kind: KIND });
        }
        if digits.len() > 10 {
            return Err(IdError::TooLong {
                kind: KIND,
                max: 10,
                len: digits.len(),
            });
        }
        if digits.len() < 2 {
            return Err(IdError::TooShort {
                kind: KIND,
                min: 2,
                len: digits.len(),
            });
        }
        let (body, check) = digits.split_at(digits.len() - 1);
        let expected = Self::compute_check_digit(body).expect("body is 1..=9 digits");
        let found = check.as_bytes()[0] - b'0';
        if found != expected {
            return Err(IdError::CheckDigit {
                kind: KIND,
                found,
                expected,
            });
        }
        Ok(Cui(digits.to_owned()))
    }

    /// The check digit for the digits before it (1 to 9 of them), or `None` when `body` is
    /// not 1..=9 ASCII digits.
    pub fn compute_check_digit(body: &str) -> Option<u8> {
        if !all_digits(body) || body.len() > 9 {
            return None;
        }
        // Right-aligned against the weights, as if zero-padded to 9 digits.
        let skip = 9 - body.len();
        let sum: u32 = CUI_WEIGHTS[skip..]
            .iter()
            .zip(digit_values(body))
            .map(|(w, d)| w * d)
            .sum();
        Some(((sum * 10) % 11 % 10) as u8)
    }

    /// Digits only, without the `RO` prefix.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The VAT form, `RO` followed by the digits.
    pub fn with_ro_prefix(&self) -> String {
        format!("RO{}", self.0)
    }
}

impl fmt::Display for Cui {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cui {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cui::parse(s)
    }
}

impl TryFrom<String> for Cui {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Cui::parse(&s)
    }
}

impl From<Cui> for String {
    fn from(c: Cui) -> String {
        c.0
    }
}

// ---------------------------------------------------------------------------------------------
// CNP

/// Romanian personal numeric code (CNP), 13 digits: sex/century, birth date (YYMMDD),
/// county, serial and check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cnp(String);

const CNP_WEIGHTS: [u32; 12] = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9];

/// County codes python-stdnum accepts: the counties and Bucharest sectors (47 and 48 are
/// abolished sectors still found on old ids), 70 for registrations anywhere, 80-83 for
/// foreigners.
fn is_valid_county(code: u8) -> bool {
    matches!(code, 1..=48 | 51 | 52 | 70 | 80..=83)
}

impl Cnp {
    /// Parses a CNP (spaces, dashes and dots allowed) and checks the sex digit, birth date,
    /// county code and check digit.
    pub fn parse(input: &str) -> Result<Cnp, IdError> {
        const KIND: IdKind = IdKind::Cnp;
        let digits = compact(input);
        if digits.is_empty() {
            return Err(IdError::Empty { kind: KIND });
        }
        if let Some(found) = first_non_digit(&digits) {
            return Err(IdError::InvalidCharacter { kind: KIND, found });
        }
        if digits.len() != 13 {
            return Err(IdError::WrongLength {
                kind: KIND,
                expected: 13,
                len: digits.len(),
            });
        }
        let d: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
        if d[0] == 0 {
            return Err(IdError::CnpSexDigit);
        }
        let (year, month, day) = Self::nominal_birth_date_parts(&d);
        if Date::new(year, month, day).is_err() {
            return Err(IdError::CnpBirthDate { year, month, day });
        }
        let county = d[7] * 10 + d[8];
        if !is_valid_county(county) {
            return Err(IdError::CnpCounty {
                code: digits[7..9].to_owned(),
            });
        }
        let expected = Self::compute_check_digit(&digits[..12]).expect("12 digits");
        if d[12] != expected {
            return Err(IdError::CheckDigit {
                kind: KIND,
                found: d[12],
                expected,
            });
        }
        Ok(Cnp(digits))
    }

    /// Year, month and day as encoded. The century of foreign residents (7, 8) and
    /// foreigners (9) is not encoded; stdnum assumes the 1900s to test the date, and so do we.
    fn nominal_birth_date_parts(d: &[u8]) -> (i16, i8, i8) {
        let century: i16 = match d[0] {
            3 | 4 => 1800,
            5 | 6 => 2000,
            _ => 1900,
        };
        let year = century + i16::from(d[1] * 10 + d[2]);
        let month = (d[3] * 10 + d[4]) as i8;
        let day = (d[5] * 10 + d[6]) as i8;
        (year, month, day)
    }

    /// The check digit for the first 12 digits, or `None` when `first12` is not 12 ASCII digits.
    pub fn compute_check_digit(first12: &str) -> Option<u8> {
        if !all_digits(first12) || first12.len() != 12 {
            return None;
        }
        let sum: u32 = CNP_WEIGHTS
            .iter()
            .zip(digit_values(first12))
            .map(|(w, d)| w * d)
            .sum();
        // A remainder of 10 is written as 1, not 0 (unlike the CUI).
        Some(match sum % 11 {
            10 => 1,
            r => r as u8,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date, when the first digit encodes the century (1-6). Foreign residents
    /// (7, 8) and foreigners (9) carry no century, so `None`.
    pub fn birth_date(&self) -> Option<Date> {
        let d: Vec<u8> = self.0.bytes().map(|b| b - b'0').collect();
        if d[0] > 6 {
            return None;
        }
        let (y, m, day) = Self::nominal_birth_date_parts(&d);
        Date::new(y, m, day).ok()
    }

    /// The two-digit county code (01-52, 70, 80-83).
    pub fn county_code(&self) -> &str {
        &self.0[7..9]
    }
}

impl fmt::Display for Cnp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cnp {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cnp::parse(s)
    }
}

impl TryFrom<String> for Cnp {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Cnp::parse(&s)
    }
}

impl From<Cnp> for String {
    fn from(c: Cnp) -> String {
        c.0
    }
}

// ---------------------------------------------------------------------------------------------
// TaxId

/// The tax id of a debtor or entity: a Romanian company (CUI), a Romanian person (CNP) or a
/// foreign EU VAT id (shape only; its check digits are not verified).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TaxId {
    Cui(Cui),
    Cnp(Cnp),
    Foreign { country: String, number: String },
}

impl TaxId {
    /// 13 digits -> CNP; `RO` prefix or plain digits -> CUI; any other 2-letter prefix ->
    /// foreign VAT id.
    pub fn parse(input: &str) -> Result<TaxId, IdError> {
        let compacted = compact(input);
        if compacted.len() == 13 && all_digits(&compacted) {
            return Cnp::parse(&compacted).map(TaxId::Cnp);
        }
        let mut chars = compacted.chars();
        let prefix_is_letters = matches!(
            (chars.next(), chars.next()),
            (Some(a), Some(b)) if a.is_ascii_alphabetic() && b.is_ascii_alphabetic()
        );
        if prefix_is_letters && !compacted.starts_with("RO") {
            let (country, number) = compacted.split_at(2);
            let shape_ok = (2..=13).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_alphanumeric());
            if !shape_ok {
                return Err(IdError::ForeignShape {
                    input: input.to_owned(),
                });
            }
            return Ok(TaxId::Foreign {
                country: country.to_owned(),
                number: number.to_owned(),
            });
        }
        Cui::parse(&compacted).map(TaxId::Cui)
    }

    /// The normal form without verifying anything: separators (spaces, dashes, dots) removed,
    /// uppercased, and an `RO` prefix dropped when the rest is digits. Ids that fail their
    /// check are still imported (and flagged), and must be stored in a comparable form.
    pub fn normalize_loose(input: &str) -> String {
        let compacted = compact(input);
        match compacted.strip_prefix("RO") {
            Some(rest) if all_digits(rest) => rest.to_owned(),
            _ => compacted,
        }
    }

    /// The normal form: CUI digits, CNP digits, or country + number for a foreign id.
    pub fn as_str(&self) -> Cow<'_, str> {
        match self {
            TaxId::Cui(c) => Cow::Borrowed(c.as_str()),
            TaxId::Cnp(c) => Cow::Borrowed(c.as_str()),
            TaxId::Foreign { country, number } => Cow::Owned(format!("{country}{number}")),
        }
    }
}

impl fmt::Display for TaxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl FromStr for TaxId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaxId::parse(s)
    }
}

impl TryFrom<String> for TaxId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        TaxId::parse(&s)
    }
}

impl From<TaxId> for String {
    fn from(t: TaxId) -> String {
        t.as_str().into_owned()
    }
}

impl From<Cui> for TaxId {
    fn from(c: Cui) -> TaxId {
        TaxId::Cui(c)
    }
}

impl From<Cnp> for TaxId {
    fn from(c: Cnp) -> TaxId {
        TaxId::Cnp(c)
    }
}

// ---------------------------------------------------------------------------------------------
// IBAN

/// A validated IBAN (ISO 13616 checksum and the country's BBAN format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban(iban::Iban);

impl Iban {
    /// Parses an IBAN in electronic or paper form, in any case and with any spacing.
    pub fn parse(input: &str) -> Result<Iban, IdError> {
        // The library wants uppercase and exactly the paper grouping; people write otherwise.
        let electronic: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if electronic.is_empty() {
            return Err(IdError::Empty { kind: IdKind::Iban });
        }
        electronic
            .parse::<iban::Iban>()
            .map(Iban)
            .map_err(|e| IdError::Iban {
                reason: iban_reason(&electronic, e),
            })
    }

    /// Electronic format: uppercase, no spaces.
    pub fn as_str(&self) -> &str {
        self.0.electronic_str()
    }

    /// Paper format: groups of four separated by spaces.
    pub fn to_paper(&self) -> String {
        self.0.to_string()
    }

    pub fn country_code(&self) -> &str {
        self.0.country_code()
    }

    /// The bank identifier (for Romania the 4-letter bank code, e.g. "BTRL"), when the
    /// country's format defines one.
    pub fn bank_code(&self) -> Option<&str> {
        self.0.bank_identifier()
    }

    pub fn bban(&self) -> &str {
        self.0.bban()
    }
}

fn iban_reason(electronic: &str, e: iban::ParseIbanError) -> String {
    use iban::{ParseBaseIbanError, ParseIbanError};
    match e {
        ParseIbanError::InvalidBaseIban {
            source: ParseBaseIbanError::InvalidFormat,
        } => "it must be 2 letters, 2 check digits and up to 30 letters or digits".to_owned(),
        ParseIbanError::InvalidBaseIban {
            source: ParseBaseIbanError::InvalidChecksum,
        } => "the check digits do not match the rest (mod 97)".to_owned(),
        ParseIbanError::InvalidBban(_) => format!(
            "the account part does not have the length or format used in {}",
            &electronic[..2]
        ),
        ParseIbanError::UnknownCountry(_) => {
            format!("unknown IBAN country code {}", &electronic[..2])
        }
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Iban {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Iban::parse(s)
    }
}

impl TryFrom<String> for Iban {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Iban::parse(&s)
    }
}

impl From<Iban> for String {
    fn from(i: Iban) -> String {
        i.as_str().to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// identify

/// What [`identify`] made of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdReport {
    pub input: String,
    /// The kind the input was taken to be; `None` when it looks like none of them.
    pub kind: Option<IdKind>,
    pub valid: bool,
    /// The normal form, only when valid.
    pub normalized: Option<String>,
    /// Why it is not valid, only when invalid.
    pub error: Option<String>,
}

/// The shortest IBAN in use (Norway) has 15 characters; shorter letter-prefixed values are
/// more likely VAT ids.
const MIN_IBAN_LEN: usize = 15;

fn guess_kind(input: &str) -> Option<IdKind> {
    let compacted = compact(input);
    let bytes = compacted.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1].is_ascii_alphabetic() {
        if compacted.starts_with("RO") && all_digits(&compacted[2..]) {
            return Some(IdKind::Cui);
        }
        if compacted.chars().count() >= MIN_IBAN_LEN {
            return Some(IdKind::Iban);
        }
        // A short RO-something is a mistyped CUI ("RO12A45678") more likely than an IBAN.
        return compacted.starts_with("RO").then_some(IdKind::Cui);
    }
    if bytes.first().is_some_and(u8::is_ascii_digit) {
        let is_cnp = compacted.len() == 13 && all_digits(&compacted);
        return Some(if is_cnp { IdKind::Cnp } else { IdKind::Cui });
    }
    None
}

/// Guesses whether `input` is a CUI, CNP or IBAN and validates it as that kind.
///
/// Two leading letters: `RO` + digits is a CUI, 15 characters or more an IBAN, a shorter
/// `RO…` a (broken) CUI. Leading digit: 13 digits is a CNP, anything else a CUI.
pub fn identify(input: &str) -> IdReport {
    let kind = guess_kind(input);
    let result = match kind {
        Some(IdKind::Cui) => Cui::parse(input).map(|c| c.as_str().to_owned()),
        Some(IdKind::Cnp) => Cnp::parse(input).map(|c| c.as_str().to_owned()),
        Some(IdKind::Iban) => Iban::parse(input).map(|i| i.as_str().to_owned()),
        None => Err(IdError::Unrecognised {
            input: input.to_owned(),
        }),
    };
    match result {
        Ok(normalized) => IdReport {
            input: input.to_owned(),
            kind,
            valid: true,
            normalized: Some(normalized),
            error: None,
        },
        Err(e) => IdReport {
            input: input.to_owned(),
            kind,
            valid: false,
            normalized: None,
            error: Some(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cui_accepts_prefix_and_separators() {
        for input in [
            "18547290",
            "RO18547290",
            "ro 185 472 90",
            "RO-18.547.290",
            " Ro18547290 ",
        ] {
            let cui = Cui::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(cui.as_str(), "18547290");
            assert_eq!(cui.to_string(), "18547290");
            assert_eq!(cui.with_ro_prefix(), "RO18547290");
        }
    }

    #[test]
    fn cui_errors_say_what_is_wrong() {
        assert_eq!(
            Cui::parse("18547291").unwrap_err().to_string(),
            "CUI check digit is 1, expected 0"
        );
        assert_eq!(
            Cui::parse("12345678901").unwrap_err().to_string(),
            "CUI must have at most 10 digits, found 11"
        );
        assert_eq!(
            Cui::parse("RO12A45678").unwrap_err(),
            IdError::InvalidCharacter {
                kind: IdKind::Cui,
                found: 'A'
            }
        );
        assert_eq!(
            Cui::parse("RO 0123456").unwrap_err(),
            IdError::LeadingZero { kind: IdKind::Cui }
        );
        assert!(matches!(
            Cui::parse("RO").unwrap_err(),
            IdError::Empty { .. }
        ));
        assert!(matches!(
            Cui::parse("1").unwrap_err(),
            IdError::TooShort { .. }
        ));
        assert!(Cui::parse("RO RO 16621241").is_err());
    }

    #[test]
    fn cui_check_digit_ten_becomes_zero() {
        // Body "6": 10 * (2 * 6) = 120, 120 % 11 = 10, written as 0.
        assert_eq!(Cui::compute_check_digit("6"), Some(0));
        assert!(Cui::parse("60").is_ok());
        // Body "1": 10 * 2 = 20, 20 % 11 = 9.
        assert_eq!(Cui::compute_check_digit("1"), Some(9));
        assert_eq!(Cui::compute_check_digit(""), None);
        assert_eq!(Cui::compute_check_digit("1234567890"), None);
    }

    #[test]
    fn cnp_examples() {
        let cnp = Cnp::parse("1630615123457").unwrap();
        assert_eq!(cnp.birth_date(), Some(jiff::civil::date(1963, 6, 15)));
        assert_eq!(cnp.county_code(), "12");
        assert_eq!(
            Cnp::parse("0800101221142").unwrap_err(),
            IdError::CnpSexDigit
        );
        assert!(matches!(
            Cnp::parse("1632215123457").unwrap_err(),
            IdError::CnpBirthDate { .. }
        ));
        assert_eq!(
            Cnp::parse("1630615123458").unwrap_err().to_string(),
            "CNP check digit is 8, expected 7"
        );
        assert!(matches!(
            Cnp::parse("163061512345").unwrap_err(),
            IdError::WrongLength { len: 12, .. }
        ));
    }

    #[test]
    fn cnp_county_codes() {
        let with_county = |county: &str| {
            let first12 = format!("1630615{county}345");
            let check = Cnp::compute_check_digit(&first12).unwrap();
            Cnp::parse(&format!("{first12}{check}"))
        };
        for ok in ["01", "40", "47", "48", "51", "52", "70", "80", "83"] {
            assert!(with_county(ok).is_ok(), "{ok}");
        }
        for bad in ["00", "49", "50", "53", "69", "71", "79", "84", "99"] {
            assert_eq!(
                with_county(bad).unwrap_err(),
                IdError::CnpCounty {
                    code: bad.to_owned()
                },
                "{bad}"
            );
        }
    }

    #[test]
    fn cnp_foreigners_have_no_birth_date_but_are_valid() {
        let first12 = "970061512345";
        let check = Cnp::compute_check_digit(first12).unwrap();
        let cnp = Cnp::parse(&format!("{first12}{check}")).unwrap();
        assert_eq!(cnp.birth_date(), None);
    }

    #[test]
    fn cnp_century_from_first_digit() {
        // 29 February exists in 2000 (digit 5) but not in 1900 (digit 1) or 1800 (digit 3).
        let make = |s: char| {
            let first12 = format!("{s}00022912345");
            let check = Cnp::compute_check_digit(&first12).unwrap();
            Cnp::parse(&format!("{first12}{check}"))
        };
        assert_eq!(
            make('5').unwrap().birth_date(),
            Some(jiff::civil::date(2000, 2, 29))
        );
        assert!(matches!(
            make('1').unwrap_err(),
            IdError::CnpBirthDate { year: 1900, .. }
        ));
        assert!(matches!(
            make('3').unwrap_err(),
            IdError::CnpBirthDate { year: 1800, .. }
        ));
    }

    #[test]
    fn tax_id_dispatch() {
        assert_eq!(
            TaxId::parse("RO 18547290").unwrap(),
            TaxId::Cui(Cui::parse("18547290").unwrap())
        );
        assert!(matches!(
            TaxId::parse("1630615123457").unwrap(),
            TaxId::Cnp(_)
        ));
        let nl = TaxId::parse("nl123456789b01").unwrap();
        assert_eq!(
            nl,
            TaxId::Foreign {
                country: "NL".into(),
                number: "123456789B01".into()
            }
        );
        assert_eq!(nl.to_string(), "NL123456789B01");
        assert_eq!(
            TaxId::parse("DE 123456789").unwrap().as_str(),
            "DE123456789"
        );
        assert!(matches!(
            TaxId::parse("DE1").unwrap_err(),
            IdError::ForeignShape { .. }
        ));
        assert!(matches!(
            TaxId::parse("DE12345678901234").unwrap_err(),
            IdError::ForeignShape { .. }
        ));
        assert!(matches!(
            TaxId::parse("RO18547291").unwrap_err(),
            IdError::CheckDigit { .. }
        ));
    }

    #[test]
    fn serde_uses_the_normal_form() {
        let t = TaxId::parse("RO 185 472 90").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"18547290\"");
        let back: TaxId = serde_json::from_str("\"RO18547290\"").unwrap();
        assert_eq!(back, t);
        assert!(serde_json::from_str::<Cui>("\"18547291\"").is_err());
        let report = serde_json::to_value(identify("1630615123457")).unwrap();
        assert_eq!(report["kind"], "cnp");
        assert_eq!(report["valid"], true);
        assert_eq!(report["normalized"], "1630615123457");
    }

    #[test]
    fn normalize_loose_keeps_failing_ids_comparable() {
        assert_eq!(TaxId::normalize_loose("ro 185.472-91"), "18547291");
        assert_eq!(TaxId::normalize_loose("RO12A45678"), "RO12A45678");
        assert_eq!(
            TaxId::normalize_loose("nl 1234 5678 9b01"),
            "NL123456789B01"
        );
        assert_eq!(TaxId::normalize_loose("RO"), "RO");
    }

    #[test]
    fn iban_parse_and_accessors() {
        let iban = Iban::parse("ro49 aaaa 1b31 0075 9384 0000").unwrap();
        assert_eq!(iban.as_str(), "RO49AAAA1B31007593840000");
        assert_eq!(iban.to_string(), "RO49AAAA1B31007593840000");
        assert_eq!(iban.to_paper(), "RO49 AAAA 1B31 0075 9384 0000");
        assert_eq!(iban.country_code(), "RO");
        assert_eq!(iban.bank_code(), Some("AAAA"));
        let err = Iban::parse("RO48AAAA1B31007593840000").unwrap_err();
        assert!(err.to_string().starts_with("not a valid IBAN: "), "{err}");
        assert!(err.to_string().contains("check digits"), "{err}");
        assert!(matches!(
            Iban::parse("  ").unwrap_err(),
            IdError::Empty { .. }
        ));
    }

    #[test]
    fn identify_guesses_kind() {
        let r = identify("RO 185 472 90");
        assert_eq!((r.kind, r.valid), (Some(IdKind::Cui), true));
        assert_eq!(r.normalized.as_deref(), Some("18547290"));
        let r = identify("1630615123457");
        assert_eq!((r.kind, r.valid), (Some(IdKind::Cnp), true));
        let r = identify("RO49AAAA1B31007593840000");
        assert_eq!((r.kind, r.valid), (Some(IdKind::Iban), true));
        let r = identify("18547291");
        assert_eq!((r.kind, r.valid), (Some(IdKind::Cui), false));
        assert_eq!(r.error.as_deref(), Some("CUI check digit is 1, expected 0"));
        assert_eq!(r.normalized, None);
        let r = identify("hello");
        assert_eq!((r.kind, r.valid), (None, false));
        assert!(r.error.is_some());
    }
}
