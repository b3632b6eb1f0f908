//! Rate tables: the BNR reference rate history (`effective_from,rate_percent[,source,…]`, as
//! shipped in `crates/app/data/bnr-reference-rates.csv`) and exchange rates — a CSV with
//! `date,rate` (RON per unit of the currency), or BNR's own XML (`nbrfxrates.xml`, the daily
//! and yearly files from bnr.ro) from which one currency is taken.

use std::collections::HashMap;
use std::str::FromStr;

use jiff::civil::Date;
use quick_xml::Reader;
use quick_xml::events::Event;
use rust_decimal::Decimal;

use crate::rows::parse_date;
use crate::table::{RowError, TableFormat, normalize_header, read_table};

/// One row of a rate table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRow {
    pub from: Date,
    pub value: Decimal,
    pub source: Option<String>,
}

fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| names.contains(&h.as_str()))
}

/// Reads a CSV or XLSX rate table; all problems are reported together, naming line and column.
pub fn read_rate_table(
    file: &str,
    bytes: &[u8],
    format: TableFormat,
) -> Result<Vec<RateRow>, Vec<RowError>> {
    let table = read_table(file, bytes, format).map_err(|e| vec![e])?;
    let headers: Vec<String> = table.headers.iter().map(|h| normalize_header(h)).collect();
    let date_col = column(&headers, &["effective_from", "date", "data"]);
    let rate_col = column(&headers, &["rate_percent", "rate", "value", "curs", "rata"]);
    let source_col = column(&headers, &["source", "sursa"]);
    let (Some(date_col), Some(rate_col)) = (date_col, rate_col) else {
        return Err(vec![RowError::new(
            file,
            1,
            None,
            "needs a date column (effective_from or date) and a rate column (rate_percent or rate)",
        )]);
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<Date, u64> = HashMap::new();
    for r in &table.rows {
        let cell = |i: usize| r.cells.get(i).map(|s| s.trim()).unwrap_or("");
        let from = match parse_date(cell(date_col)) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(RowError::new(file, r.line, Some(&headers[date_col]), e));
                None
            }
        };
        let text = cell(rate_col).replace(',', ".");
        let value = match Decimal::from_str(&text) {
            Ok(v) if v >= Decimal::ZERO && v < Decimal::from(1000) => Some(v),
            _ => {
                errors.push(RowError::new(
                    file,
                    r.line,
                    Some(&headers[rate_col]),
                    format!(
                        "{:?} is not a rate (a decimal number, e.g. 6.50)",
                        cell(rate_col)
                    ),
                ));
                None
            }
        };
        if let Some(d) = from
            && let Some(first) = seen.insert(d, r.line)
        {
            errors.push(RowError::new(
                file,
                r.line,
                Some(&headers[date_col]),
                format!("{d} is also on line {first}"),
            ));
        }
        if let (Some(from), Some(value)) = (from, value) {
            let source = source_col
                .map(cell)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            rows.push(RateRow {
                from,
                value,
                source,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The rates of `currency` in a BNR exchange-rate XML file (`<Cube date="…"><Rate
/// currency="EUR" [multiplier="100"]>4.9771</Rate>`), per unit of the currency.
pub fn read_bnr_fx_xml(file: &str, bytes: &[u8], currency: &str) -> Result<Vec<RateRow>, RowError> {
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut day: Option<Date> = None;
    let mut in_rate: Option<Decimal> = None;
    let mut rows = Vec::new();
    let err = |what: String| RowError::new(file, 0, Some("DataSet/Body/Cube"), what);
    loop {
        match reader.read_event_into(&mut buf) {
            Err(e) => return Err(err(format!("not readable XML: {e}"))),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "Cube" => {
                    let date = e
                        .try_get_attribute("date")
                        .ok()
                        .flatten()
                        .map(|a| a.value.to_string());
                    day = match date {
                        Some(d) => Some(parse_date(&d).map_err(err)?),
                        None => None,
                    };
                }
                "Rate" => {
                    let attr = |name: &str| {
                        e.try_get_attribute(name)
                            .ok()
                            .flatten()
                            .map(|a| a.value.to_string())
                    };
                    in_rate = (attr("currency").as_deref() == Some(currency)).then(|| {
                        attr("multiplier")
                            .and_then(|m| Decimal::from_str(&m).ok())
                            .unwrap_or(Decimal::ONE)
                    });
                }
                _ => {}
            },
            Ok(Event::Text(t)) => {
                if let (Some(multiplier), Some(d)) = (in_rate, day) {
                    let text = t.xml10_content();
                    let value = Decimal::from_str(text.trim()).map_err(|_| {
                        err(format!(
                            "{d}: {currency} rate {:?} is not a number",
                            text.trim()
                        ))
                    })?;
                    rows.push(RateRow {
                        from: d,
                        value: value / multiplier,
                        source: Some(format!("BNR, {file}")),
                    });
                    in_rate = None;
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == "Rate" => in_rate = None,
            _ => {}
        }
        buf.clear();
    }
    if rows.is_empty() {
        return Err(err(format!("no {currency} rate in the file")));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_shipped_reference_rates_read_in_full() {
        let bytes = include_bytes!("../../app/data/bnr-reference-rates.csv");
        let rows = read_rate_table("bnr-reference-rates.csv", bytes, TableFormat::Csv).unwrap();
        assert_eq!(rows.len(), 38);
        assert_eq!(rows[0].from, date(2011, 9, 1));
        let last = rows.iter().max_by_key(|r| r.from).unwrap();
        assert_eq!(
            (last.from, last.value),
            (date(2024, 8, 8), Decimal::from_str("6.50").unwrap())
        );
        assert!(last.source.as_deref().unwrap().contains("mediafax"));
    }

    #[test]
    fn bad_rows_are_named_by_line_and_column() {
        let csv = b"effective_from,rate_percent\n2024-01-01,7\n2024-13-01,6.5\n2024-02-01,abc\n2024-01-01,6\n";
        let errs = read_rate_table("r.csv", csv, TableFormat::Csv).unwrap_err();
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].starts_with("r.csv:3: effective_from:"), "{text:?}");
        assert!(text[1].starts_with("r.csv:4: rate_percent:"), "{text:?}");
        assert_eq!(
            text[2],
            "r.csv:5: effective_from: 2024-01-01 is also on line 2"
        );
    }

    #[test]
    fn bnr_xml_gives_one_currency_per_day() {
        let xml = br#"<?xml version="1.0" encoding="utf-8"?>
<DataSet xmlns="http://www.bnr.ro/xsd"><Header><Publisher>National Bank of Romania</Publisher></Header>
<Body><Subject>Reference rates</Subject><OrigCurrency>RON</OrigCurrency>
<Cube date="2025-01-30"><Rate currency="EUR">4.9771</Rate><Rate currency="HUF" multiplier="100">1.2345</Rate></Cube>
<Cube date="2025-01-31"><Rate currency="EUR">4.9773</Rate></Cube>
</Body></DataSet>"#;
        let eur = read_bnr_fx_xml("nbrfxrates2025.xml", xml, "EUR").unwrap();
        assert_eq!(eur.len(), 2);
        assert_eq!(eur[1].from, date(2025, 1, 31));
        assert_eq!(eur[1].value, Decimal::from_str("4.9773").unwrap());
        let huf = read_bnr_fx_xml("x.xml", xml, "HUF").unwrap();
        assert_eq!(huf[0].value, Decimal::from_str("0.012345").unwrap());
        assert!(read_bnr_fx_xml("x.xml", xml, "USD").is_err());
    }
}
