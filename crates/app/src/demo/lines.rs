//! The invoice lines and VAT behind an invoice row's total. The import files carry only the
//! total, so the UBL export and the invoice PDF derive the same lines from the row itself:
//! the export stays a function of the rows, and both always agree with `total`.

use creanta_formats::rows::InvoiceRow;
use creanta_formats::ubl_write::{LineOut, VatOut, vat_amount};
use jiff::civil::Date;

/// Romania's standard VAT rate: 19% until 31 July 2025, 21% from 1 August 2025 (Law
/// 141/2025). Buyers in other EU states are invoiced under reverse charge.
pub fn vat_percent(issue: Date, foreign_buyer: bool) -> u8 {
    if foreign_buyer {
        0
    } else if issue < Date::constant(2025, 8, 1) {
        19
    } else {
        21
    }
}

/// What each entity of the group sells (indexed like `DemoData::entities`).
const ITEMS: [&[(&str, &str)]; 3] = [
    &[
        ("Lucrări de construcții conform situației de lucrări", "C62"),
        ("Manoperă execuție structură", "HUR"),
        ("Servicii de proiectare și consultanță tehnică", "C62"),
        ("Materiale de construcții puse în operă", "H87"),
    ],
    &[
        ("Montaj centrală termică și accesorii", "H87"),
        ("Service instalații HVAC", "C62"),
        ("Ore manoperă tehnician instalații", "HUR"),
        ("Echipamente de climatizare", "H87"),
    ],
    &[
        ("Transport rutier marfă", "C62"),
        ("Servicii de depozitare și manipulare", "C62"),
        ("Ore utilaj de ridicat cu operator", "HUR"),
        ("Paleți și ambalaje returnabile", "H87"),
    ],
];

/// A small stable hash of the invoice number: which lines, how they split.
fn mix(row: &InvoiceRow) -> u64 {
    row.series
        .bytes()
        .chain(row.number.bytes())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
        })
}

/// The net amount whose VAT at `percent` brings it to `total`, when there is one.
fn net_for(total: i64, percent: u8) -> Option<i64> {
    let guess = i64::try_from(i128::from(total) * 100 / (100 + i128::from(percent))).ok()?;
    (guess - 2..=guess + 2).find(|&n| n + vat_amount(n, percent) == total)
}

/// Splits `row.total` into one or two lines plus VAT. `entity` is the issuing entity's
/// position in the entity list; `foreign_buyer` whether the buyer is outside Romania.
pub fn derive(row: &InvoiceRow, entity: usize, foreign_buyer: bool) -> (Vec<LineOut>, VatOut) {
    let by_date = vat_percent(row.issue_date, foreign_buyer);
    // A credit note keeps the rate of the invoice it corrects, which may be the older one.
    let (percent, net) = [by_date, 19, 21]
        .into_iter()
        .filter(|p| !foreign_buyer || *p == 0)
        .find_map(|p| net_for(row.total, p).map(|n| (p, n)))
        // Not produced by the demo; the VAT then takes up the rounding, totals stay exact.
        .unwrap_or_else(|| {
            let net = i128::from(row.total) * 100 / (100 + i128::from(by_date));
            (by_date, net as i64)
        });
    let h = mix(row);
    let items = ITEMS[entity % ITEMS.len()];
    let sign = if net < 0 { -1 } else { 1 };
    let abs = net.abs();
    let mut parts = Vec::with_capacity(2);
    if abs >= 100_000 && !h.is_multiple_of(3) {
        let share = 35 + (h >> 8) % 40;
        let first = abs * share as i64 / 100 / 100 * 100;
        parts.push(first);
        parts.push(abs - first);
    } else {
        parts.push(abs);
    }
    let lines = parts
        .iter()
        .enumerate()
        .map(|(i, &amount)| {
            let (name, unit) = items[((h >> (16 + 4 * i)) as usize + i) % items.len()];
            let quantity = [8i64, 5, 4, 3, 2]
                .into_iter()
                .find(|q| amount % q == 0 && amount / q >= 1_000 && (h >> (24 + i)) & 1 == 1)
                .unwrap_or(1);
            let name = if sign < 0 {
                format!("Reducere comercială – {}", name.to_lowercase())
            } else {
                name.to_owned()
            };
            LineOut {
                name,
                quantity,
                unit_code: unit.to_owned(),
                unit_price: amount / quantity,
                amount: sign * amount,
            }
        })
        .collect();
    let vat = VatOut {
        category: if percent == 0 { "AE" } else { "S" }.to_owned(),
        percent,
        amount: row.total - net,
        exemption_code: (percent == 0).then(|| "VATEX-EU-AE".to_owned()),
        exemption_reason: (percent == 0).then(|| "Taxare inversă".to_owned()),
    };
    (lines, vat)
}
