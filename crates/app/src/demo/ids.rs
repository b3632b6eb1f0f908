//! Valid (and deliberately broken) identifiers for the demo: CUI, CNP, IBAN.

use creanta_domain::ids::{Cnp, Cui};

use super::rng::Rng;

/// A valid CUI of 6 to 8 digits; older companies have shorter ones.
pub fn cui(rng: &mut Rng) -> String {
    let len = *rng.weighted(&[(5, 6usize), (25, 7), (70, 8)]);
    let mut body = char::from(b'1' + rng.below(9) as u8).to_string();
    body.push_str(&rng.digits(len - 1));
    let check = Cui::compute_check_digit(&body).expect("1 to 9 digits");
    body.push(char::from(b'0' + check));
    body
}

/// The same id with a wrong last digit, as a typo on an invoice would give.
pub fn break_check_digit(rng: &mut Rng, valid: &str) -> String {
    let (body, last) = valid.split_at(valid.len() - 1);
    let last = last.as_bytes()[0] - b'0';
    let wrong = (last + 1 + rng.below(9) as u8) % 10;
    format!("{body}{wrong}")
}

/// A valid CNP of an adult born 1950–2005 and registered in county `county` (01–46, 51, 52).
pub fn cnp(rng: &mut Rng, county: u8) -> String {
    let year = rng.range(1950, 2005);
    let female = rng.chance(500);
    let sex = match (year >= 2000, female) {
        (false, false) => 1,
        (false, true) => 2,
        (true, false) => 5,
        (true, true) => 6,
    };
    let month = rng.range(1, 12);
    let day = rng.range(1, 28);
    let serial = rng.range(1, 999);
    let first12 = format!(
        "{sex}{:02}{month:02}{day:02}{county:02}{serial:03}",
        year % 100
    );
    let check = Cnp::compute_check_digit(&first12).expect("12 digits");
    format!("{first12}{check}")
}

/// ISO 7064 mod 97-10 over the rearranged IBAN (letters count as 10–35).
fn mod97(s: &str) -> u32 {
    s.bytes().fold(0u32, |r, b| match b {
        b'0'..=b'9' => (r * 10 + u32::from(b - b'0')) % 97,
        _ => (r * 100 + u32::from(b.to_ascii_uppercase() - b'A') + 10) % 97,
    })
}

pub fn iban(country: &str, bban: &str) -> String {
    let check = 98 - mod97(&format!("{bban}{country}00"));
    format!("{country}{check:02}{bban}")
}

/// Romanian banks' BIC prefixes (the 4 letters after the check digits).
const RO_BANKS: &[&str] = &[
    "BTRL", "RNCB", "BRDE", "INGB", "RZBR", "CECE", "BACX", "UGBI", "PIRB",
];

/// A valid Romanian IBAN. Banca Transilvania's accounts carry the currency in the account
/// part (`RONCRT…`, `EURCRT…`), as on real statements.
pub fn ro_iban(rng: &mut Rng, bank: Option<&str>, eur: bool) -> String {
    let bank = bank.unwrap_or_else(|| *rng.pick(RO_BANKS));
    let account = if bank == "BTRL" {
        format!("{}CRT{}", if eur { "EUR" } else { "RON" }, rng.digits(10))
    } else {
        rng.digits(16)
    };
    iban("RO", &format!("{bank}{account}"))
}

/// A valid IBAN of a foreign payer (country formats: DE 18n, AT 16n, NL 4a10n, HU 24n).
pub fn foreign_iban(rng: &mut Rng, country: &str) -> String {
    let bban = match country {
        "DE" => rng.digits(18),
        "AT" => rng.digits(16),
        "NL" => format!("{}{}", rng.pick(&["ABNA", "INGB", "RABO"]), rng.digits(10)),
        _ => rng.digits(24),
    };
    iban(country, &bban)
}

/// The same IBAN with one digit of the account changed: mod 97 catches every single-digit
/// error, so the result always fails its check while keeping the country's format.
pub fn break_iban(rng: &mut Rng, valid: &str) -> String {
    let mut bytes = valid.as_bytes().to_vec();
    let digits: Vec<usize> = (8..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit())
        .collect();
    let i = *rng.pick(&digits);
    bytes[i] = b'0' + (bytes[i] - b'0' + 1 + rng.below(9) as u8) % 10;
    String::from_utf8(bytes).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use creanta_domain::ids::{Iban, TaxId};

    #[test]
    fn generated_ids_are_valid_and_broken_ones_are_not() {
        let mut rng = Rng::new(3);
        for _ in 0..500 {
            let c = cui(&mut rng);
            assert!(Cui::parse(&c).is_ok(), "{c}");
            assert!(Cui::parse(&break_check_digit(&mut rng, &c)).is_err());
            let p = cnp(&mut rng, 12);
            assert!(matches!(TaxId::parse(&p), Ok(TaxId::Cnp(_))), "{p}");
            let eur = rng.chance(500);
            let i = ro_iban(&mut rng, None, eur);
            assert!(Iban::parse(&i).is_ok(), "{i}");
            assert!(Iban::parse(&break_iban(&mut rng, &i)).is_err());
            for country in ["DE", "AT", "NL", "HU"] {
                let f = foreign_iban(&mut rng, country);
                assert!(Iban::parse(&f).is_ok(), "{f}");
            }
        }
        // The sample IBAN of the domain tests: 98 - mod97 gives its check digits back.
        assert_eq!(
            iban("RO", "AAAA1B31007593840000"),
            "RO49AAAA1B31007593840000"
        );
    }
}
