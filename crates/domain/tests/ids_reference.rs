//! Our validators against the reference tables in /work/shared/data/ids (labelled by
//! python-stdnum and schwifty), and property tests on generated ids.

use creanta_domain::ids::{Cnp, Cui, Iban, IdKind, TaxId, identify};
use proptest::prelude::*;

const IDS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/ids/");

#[derive(Debug, serde::Deserialize)]
struct Row {
    input: String,
    kind: String,
    valid: bool,
    normalized: String,
}

fn rows(file: &str) -> Vec<Row> {
    let path = format!("{IDS_DIR}{file}");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    reader
        .deserialize()
        .map(|r| r.unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

/// Checks every row of `file` with `parse` and with `identify`, and fails once with the
/// full list of disagreements.
fn check_file(file: &str, kind: IdKind, parse: impl Fn(&str) -> Result<String, String>) {
    let rows = rows(file);
    assert!(rows.len() > 100, "{file}: only {} rows", rows.len());
    let expected_kind = serde_json::to_value(kind).unwrap();
    let mut mismatches = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for row in &rows {
        assert_eq!(serde_json::Value::from(row.kind.as_str()), expected_kind);
        let want = row.valid.then(|| row.normalized.clone());
        if row.valid {
            valid += 1;
        } else {
            invalid += 1;
        }
        let got = parse(&row.input);
        if got.as_ref().ok() != want.as_ref() {
            mismatches.push(format!(
                "{:?}: reference valid={} normalized={:?}, parse gave {:?}",
                row.input, row.valid, row.normalized, got
            ));
        }
        let report = identify(&row.input);
        if report.kind != Some(kind) || report.valid != row.valid || report.normalized != want {
            mismatches.push(format!(
                "{:?}: reference {}/valid={}/{:?}, identify gave {:?}/valid={}/{:?} ({:?})",
                row.input,
                row.kind,
                row.valid,
                want,
                report.kind,
                report.valid,
                report.normalized,
                report.error
            ));
        }
        if !report.valid {
            assert!(report.error.is_some(), "{:?}: no error message", row.input);
        }
    }
    // Both sides of the table must be exercised for the comparison to mean anything.
    assert!(
        valid > 0 && invalid > 0,
        "{file}: {valid} valid, {invalid} invalid"
    );
    assert!(
        mismatches.is_empty(),
        "{file}: {} of {} rows disagree:\n{}",
        mismatches.len(),
        rows.len(),
        mismatches.join("\n")
    );
}

#[test]
fn cui_reference_table() {
    check_file("cui.csv", IdKind::Cui, |s| {
        Cui::parse(s)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| e.to_string())
    });
}

#[test]
fn cnp_reference_table() {
    check_file("cnp.csv", IdKind::Cnp, |s| {
        Cnp::parse(s)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| e.to_string())
    });
}

#[test]
fn iban_reference_table() {
    check_file("iban.csv", IdKind::Iban, |s| {
        Iban::parse(s)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| e.to_string())
    });
}

#[test]
fn tax_id_agrees_with_cui_and_cnp_tables() {
    let mut mismatches = Vec::new();
    for row in rows("cui.csv").into_iter().chain(rows("cnp.csv")) {
        let got = TaxId::parse(&row.input).ok().map(|t| t.to_string());
        let want = row.valid.then_some(row.normalized);
        if got != want {
            mismatches.push(format!("{:?}: want {want:?}, got {got:?}", row.input));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Generators

fn valid_cui() -> impl Strategy<Value = String> {
    (1u64..1_000_000_000).prop_map(|body| {
        let body = body.to_string();
        let check = Cui::compute_check_digit(&body).unwrap();
        format!("{body}{check}")
    })
}

fn valid_cnp() -> impl Strategy<Value = String> {
    let county = prop_oneof![1u8..=48, 51u8..=52, Just(70u8), 80u8..=83];
    (1u8..=6, 0u8..=99, 1u8..=12, 1u8..=28, county, 0u16..=999).prop_map(
        |(sex, yy, mm, dd, county, serial)| {
            let first12 = format!("{sex}{yy:02}{mm:02}{dd:02}{county:02}{serial:03}");
            let check = Cnp::compute_check_digit(&first12).unwrap();
            format!("{first12}{check}")
        },
    )
}

/// ISO 7064 mod 97-10 check digits for a country and BBAN.
fn iban_check_digits(country: &str, bban: &str) -> u32 {
    let rearranged = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap();
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    98 - rem
}

/// Romanian IBANs: RO, 2 check digits, 4-letter bank code, 16 letters or digits.
fn valid_ro_iban() -> impl Strategy<Value = String> {
    ("[A-Z]{4}", "[A-Z0-9]{16}").prop_map(|(bank, account)| {
        let bban = format!("{bank}{account}");
        format!("RO{:02}{bban}", iban_check_digits("RO", &bban))
    })
}

fn spaced(s: &str, every: usize) -> String {
    s.chars()
        .collect::<Vec<_>>()
        .chunks(every)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

proptest! {
    #[test]
    fn cui_normal_form_round_trips(cui in valid_cui(), every in 1usize..5) {
        let parsed = Cui::parse(&cui).unwrap();
        prop_assert_eq!(parsed.as_str(), cui.as_str());
        prop_assert_eq!(Cui::parse(parsed.as_str()).unwrap(), parsed.clone());
        prop_assert_eq!(Cui::parse(&parsed.with_ro_prefix()).unwrap(), parsed.clone());
        let decorated = format!("ro {}", spaced(&cui, every));
        prop_assert_eq!(Cui::parse(&decorated).unwrap(), parsed.clone());
        prop_assert_eq!(TaxId::parse(&decorated).unwrap(), TaxId::Cui(parsed));
    }

    #[test]
    fn changing_the_cui_check_digit_invalidates_it(cui in valid_cui(), delta in 1u8..10) {
        let mut bytes = cui.into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = b'0' + (bytes[last] - b'0' + delta) % 10;
        prop_assert!(Cui::parse(std::str::from_utf8(&bytes).unwrap()).is_err());
    }

    /// A changed body digit shifts `10 * sum mod 11` by a non-zero amount (11 is prime and
    /// no weight or digit difference is a multiple of it), so the id breaks, except when the
    /// remainder moves between 10 and 0: both are written as check digit 0.
    #[test]
    fn changing_a_cui_body_digit_invalidates_it_unless_check_is_zero(
        cui in valid_cui(), pos in any::<prop::sample::Index>(), delta in 1u8..10,
    ) {
        let mut bytes = cui.clone().into_bytes();
        let i = pos.index(bytes.len() - 1);
        bytes[i] = b'0' + (bytes[i] - b'0' + delta) % 10;
        let changed = String::from_utf8(bytes).unwrap();
        if Cui::parse(&changed).is_ok() {
            prop_assert!(cui.ends_with('0'), "{} -> {} stayed valid", cui, changed);
        }
    }

    #[test]
    fn cnp_normal_form_round_trips(cnp in valid_cnp(), every in 1usize..7) {
        let parsed = Cnp::parse(&cnp).unwrap();
        prop_assert_eq!(parsed.as_str(), cnp.as_str());
        prop_assert_eq!(Cnp::parse(&spaced(&cnp, every)).unwrap(), parsed.clone());
        prop_assert_eq!(TaxId::parse(&cnp).unwrap(), TaxId::Cnp(parsed));
        prop_assert!(identify(&cnp).valid);
    }

    #[test]
    fn changing_the_cnp_check_digit_invalidates_it(cnp in valid_cnp(), delta in 1u8..10) {
        let mut bytes = cnp.into_bytes();
        bytes[12] = b'0' + (bytes[12] - b'0' + delta) % 10;
        prop_assert!(Cnp::parse(std::str::from_utf8(&bytes).unwrap()).is_err());
    }

    #[test]
    fn iban_normal_form_round_trips(iban in valid_ro_iban(), every in 1usize..6) {
        let parsed = Iban::parse(&iban).unwrap();
        prop_assert_eq!(parsed.as_str(), iban.as_str());
        prop_assert_eq!(parsed.country_code(), "RO");
        prop_assert_eq!(parsed.bank_code(), Some(&iban[4..8]));
        prop_assert_eq!(Iban::parse(parsed.as_str()).unwrap(), parsed);
        prop_assert_eq!(Iban::parse(&spaced(&iban, every).to_lowercase()).unwrap(), parsed);
        prop_assert_eq!(Iban::parse(&parsed.to_paper()).unwrap(), parsed);
        let report = identify(&iban);
        prop_assert_eq!(report.kind, Some(IdKind::Iban));
        prop_assert_eq!(report.normalized.as_deref(), Some(iban.as_str()));
    }

    #[test]
    fn iban_with_wrong_check_digits_is_refused(iban in valid_ro_iban(), delta in 1u32..97) {
        let check: u32 = iban[2..4].parse().unwrap();
        let wrong = (check + delta - 2) % 97 + 2;
        prop_assume!(wrong != check && wrong <= 98);
        let tampered = format!("RO{wrong:02}{}", &iban[4..]);
        prop_assert!(Iban::parse(&tampered).is_err());
    }
}
