//! Tabular import files (CSV and XLSX) as rows of text cells with their line numbers, so that
//! every later error can name file, line and column.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// Where something went wrong in an input file. Displays as `file:line: column: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    /// 1-based; the header is line 1 of a CSV file and row 1 of a sheet. 0 when the problem
    /// is with the whole file, or for XML, whose element path is then in `column`.
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, ": {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RowError {}

impl RowError {
    pub fn new(file: &str, line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        RowError {
            file: file.to_owned(),
            line,
            column: column.map(str::to_owned),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

impl TableFormat {
    /// By file extension; `None` for anything else.
    pub fn from_path(path: &std::path::Path) -> Option<TableFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(TableFormat::Csv),
            "xlsx" | "xlsm" => Some(TableFormat::Xlsx),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TableRow {
    pub line: u64,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The file's name as the user gave it; used in every error message.
    pub file: String,
    /// Normalised column names: trimmed, lower case, spaces as `_`.
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
}

pub fn normalize_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace([' ', '-'], "_")
}

pub fn read_table(file: &str, bytes: &[u8], format: TableFormat) -> Result<Table, RowError> {
    match format {
        TableFormat::Csv => read_csv(file, bytes),
        TableFormat::Xlsx => read_xlsx(file, bytes),
    }
}

/// The separator is whichever of `;`, `,` or tab occurs most in the header line (outside
/// quotes): Romanian spreadsheet exports use `;` because `,` is their decimal comma.
fn detect_separator(header_line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in header_line {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => counts[0] += 1,
            b',' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let seps = [b';', b',', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 2 - i)).unwrap_or(1);
    if counts[best] == 0 { b',' } else { seps[best] }
}

fn read_csv(file: &str, bytes: &[u8]) -> Result<Table, RowError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect_separator(first_line))
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Line numbers are counted from byte offsets: the csv crate's own count skips blank lines,
    // and users look for the line their editor shows.
    let (mut counted_to, mut line_at) = (0usize, 1u64);
    let mut line_of = |byte: usize| {
        let byte = byte.min(bytes.len());
        if byte >= counted_to {
            line_at += bytes[counted_to..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            counted_to = byte;
        }
        line_at
    };
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map(|p| p.byte() as usize).unwrap_or(start);
                return Err(RowError::new(
                    file,
                    line_of(at),
                    None,
                    format!("not valid CSV: {e}"),
                ));
            }
        }
        // The reader's position is before any blank lines it skipped; move to the content.
        let mut record_start = record
            .position()
            .map(|p| p.byte() as usize)
            .unwrap_or(start);
        while matches!(bytes.get(record_start), Some(b'\n' | b'\r')) {
            record_start += 1;
        }
        let line = line_of(record_start);
        let mut cells = Vec::with_capacity(record.len());
        for (i, cell) in record.iter().enumerate() {
            match std::str::from_utf8(cell) {
                Ok(s) => cells.push(s.to_owned()),
                Err(_) => {
                    let column = headers.as_ref().and_then(|h| h.get(i)).map(String::as_str);
                    return Err(RowError::new(
                        file,
                        line,
                        column,
                        "text is not UTF-8 (save the file as CSV UTF-8)",
                    ));
                }
            }
        }
        match &headers {
            None => headers = Some(cells.iter().map(|h| normalize_header(h)).collect()),
            Some(h) => {
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                if cells.len() > h.len() && cells[h.len()..].iter().any(|c| !c.trim().is_empty()) {
                    return Err(RowError::new(
                        file,
                        line,
                        None,
                        format!(
                            "{} values but only {} columns in the header",
                            cells.len(),
                            h.len()
                        ),
                    ));
                }
                rows.push(TableRow { line, cells });
            }
        }
    }
    let headers = headers.ok_or_else(|| RowError::new(file, 1, None, "the file is empty"))?;
    Ok(Table {
        file: file.to_owned(),
        headers,
        rows,
    })
}

fn read_xlsx(file: &str, bytes: &[u8]) -> Result<Table, RowError> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| RowError::new(file, 0, None, format!("not a readable XLSX workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| RowError::new(file, 0, None, "the workbook has no sheet"))?
        .map_err(|e| RowError::new(file, 0, None, format!("cannot read the first sheet: {e}")))?;
    // Sheet rows are numbered from the sheet's origin, as the spreadsheet program shows them.
    let first_row = range.start().map(|(r, _)| u64::from(r) + 1).unwrap_or(1);
    let mut rows_iter = range.rows();
    let headers: Vec<String> = rows_iter
        .next()
        .ok_or_else(|| RowError::new(file, 1, None, "the sheet is empty"))?
        .iter()
        .map(|c| normalize_header(&cell_text(c)))
        .collect();
    let mut rows = Vec::new();
    for (i, r) in rows_iter.enumerate() {
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(TableRow {
            line: first_row + 1 + i as u64,
            cells,
        });
    }
    Ok(Table {
        file: file.to_owned(),
        headers,
        rows,
    })
}

/// Cell as the text a user would have typed. Excel stores numbers as binary floats; Rust's
/// shortest round-trip formatting gives back the decimal that was entered (1234.56, not
/// 1234.5599999), which the amount parser then reads exactly.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => {
            let text = format!("{f}");
            // "100.123" would read as one hundred thousand (a lone '.' before three digits is a
            // thousands separator in typed text), but a number cell's point is always decimal:
            // a trailing zero keeps it so, and the amount parser then refuses the extra decimal.
            match text.split_once('.') {
                Some((_, decimals)) if decimals.len() == 3 => format!("{text}0"),
                _ => text,
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_serial_to_date(dt.as_f64()),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// Excel's day 0 is 1899-12-30 (its 1900 leap-year bug is absorbed by that origin).
fn excel_serial_to_date(serial: f64) -> String {
    let origin = jiff::civil::date(1899, 12, 30);
    let days = serial.floor();
    // Out-of-range serials (or NaN) are left as numbers; the date parser then names the cell.
    match jiff::Span::new()
        .try_days(days as i64)
        .ok()
        .filter(|_| days.is_finite())
        .and_then(|span| origin.checked_add(span).ok())
    {
        Some(d) => d.to_string(),
        None => format!("{serial}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_semicolon_and_keeps_line_numbers() {
        let t = read_csv("a.csv", "\u{feff}Code;Name\n1;\"A; B\"\n\n2;C\n".as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["code", "name"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].cells, vec!["1", "A; B"]);
        assert_eq!(t.rows[1].line, 4);
    }

    #[test]
    fn comma_separator_and_quoted_multiline_cell() {
        let t = read_csv("a.csv", b"code,name\n1,\"two\nlines\"\n2,x\n").unwrap();
        assert_eq!(t.rows[0].cells[1], "two\nlines");
        assert_eq!(t.rows[1].line, 4);
    }

    #[test]
    fn too_many_values_names_the_line() {
        let e = read_csv("a.csv", b"code,name\n1,2,3\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("a.csv:2: "), "{e}");
    }

    #[test]
    fn latin2_text_is_refused_with_column() {
        let e = read_csv("a.csv", b"code,name\n1,Bra\xBAov\n").unwrap_err();
        assert_eq!(e.column.as_deref(), Some("name"));
    }

    #[test]
    fn excel_dates() {
        assert_eq!(excel_serial_to_date(45658.0), "2025-01-01");
        // Out of range: left as a number (no panic), which the date parser then refuses.
        assert!(!excel_serial_to_date(1e300).contains('-'));
        assert_eq!(excel_serial_to_date(f64::INFINITY), "inf");
    }

    #[test]
    fn number_cells_keep_their_decimal_point() {
        assert_eq!(cell_text(&Data::Float(100.123)), "100.1230");
        assert_eq!(cell_text(&Data::Float(1234.5)), "1234.5");
        assert_eq!(cell_text(&Data::Float(1234.0)), "1234");
    }
}
