//! Writing import files as CSV: the inverse of [`crate::table`] + [`crate::rows`] for the
//! exports (demo data, case packs). Comma-separated, UTF-8 without BOM, a header row first;
//! the `csv` crate quotes cells that contain separators, quotes or line breaks.

use std::io::{self, Write};

use creanta_domain::money::{Currency, format_amount};
use jiff::civil::Date;

/// A CSV file with a fixed header. Each row must have exactly one cell per column, so that a
/// forgotten cell is a bug caught here and not a shifted column found at import time.
pub struct TableWriter<W: Write> {
    inner: csv::Writer<W>,
    columns: usize,
}

impl<W: Write> TableWriter<W> {
    /// Writes the header. Wrap `out` in a `BufWriter` when it is a file: the CSV writer
    /// buffers too, but a large export should not depend on that.
    pub fn new(out: W, headers: &[&str]) -> io::Result<Self> {
        let mut inner = csv::WriterBuilder::new()
            .delimiter(b',')
            .has_headers(false)
            .from_writer(out);
        inner.write_record(headers)?;
        Ok(TableWriter {
            inner,
            columns: headers.len(),
        })
    }

    pub fn row<I, T>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let mut n = 0;
        for cell in cells {
            self.inner.write_field(cell)?;
            n += 1;
        }
        if n != self.columns {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a CSV row has {n} cells for {} columns", self.columns),
            ));
        }
        self.inner.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Flushes and gives the output back.
    pub fn finish(self) -> io::Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// An optional cell: empty when absent, as the readers expect.
pub fn opt(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

pub fn date(value: Date) -> String {
    value.to_string()
}

pub fn opt_date(value: Option<Date>) -> String {
    value.map(|d| d.to_string()).unwrap_or_default()
}

pub fn opt_days(value: Option<i64>) -> String {
    value.map(|d| d.to_string()).unwrap_or_default()
}

/// `true`/`false`, which [`crate::rows::parse_bool`] reads back.
pub fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// Machine form with `.` decimals (never the Romanian `1.234,56`), so that re-reading is exact.
pub fn amount(minor: i64, currency: Currency) -> String {
    format_amount(minor, currency)
}

/// A `;`-separated list cell (IBANs, required document types).
pub fn list<I, T>(items: I) -> String
where
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(item.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{TableFormat, read_table};

    #[test]
    fn quoted_cells_survive_the_reader() {
        let mut w = TableWriter::new(Vec::new(), &["a", "b", "c"]).unwrap();
        w.row(["x, y", "line\nbreak", "ăîșț \"q\""]).unwrap();
        w.row([list(["RO1", "RO2"]).as_str(), "", flag(true)])
            .unwrap();
        let bytes = w.finish().unwrap();
        let t = read_table("t.csv", &bytes, TableFormat::Csv).unwrap();
        assert_eq!(t.headers, vec!["a", "b", "c"]);
        assert_eq!(t.rows[0].cells, vec!["x, y", "line\nbreak", "ăîșț \"q\""]);
        assert_eq!(t.rows[1].cells, vec!["RO1;RO2", "", "true"]);
        assert_eq!(t.rows[1].line, 4);
    }

    #[test]
    fn a_row_with_the_wrong_number_of_cells_is_refused() {
        let mut w = TableWriter::new(Vec::new(), &["a", "b"]).unwrap();
        let err = w.row(["only one"]).unwrap_err();
        assert!(err.to_string().contains("1 cells for 2 columns"), "{err}");
        assert_eq!(amount(-123456, Currency::RON), "-1234.56");
    }
}
