//! The holiday calendar against /work/shared/data/holidays/ro-2024-2030.csv.

use creanta_domain::calendar::{is_public_holiday, public_holidays};
use jiff::civil::Date;

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/holidays/ro-2024-2030.csv"
);

#[derive(Debug, serde::Deserialize)]
struct Row {
    date: Date,
    name: String,
}

#[test]
fn calendar_matches_reference_exactly() {
    let mut reader = csv::Reader::from_path(REFERENCE).expect("reference holidays");
    let reference: Vec<(Date, String)> = reader
        .deserialize::<Row>()
        .map(|r| r.expect("row"))
        .map(|r| (r.date, r.name))
        .collect();
    assert!(reference.len() > 100, "{} rows", reference.len());

    let ours: Vec<(Date, String)> = (2024..=2030)
        .flat_map(public_holidays)
        .map(|h| (h.date, h.name.to_owned()))
        .collect();

    let missing: Vec<_> = reference.iter().filter(|r| !ours.contains(r)).collect();
    let extra: Vec<_> = ours.iter().filter(|o| !reference.contains(o)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing from ours: {missing:#?}\nnot in reference: {extra:#?}"
    );
    // Same order too: sorted by date, one row per day.
    assert_eq!(ours, reference);
    for (date, _) in &reference {
        assert!(is_public_holiday(*date), "{date}");
    }
}
