//! Typed rows of the import files (DESIGN.md, "Import files"). Reading a [`Table`] checks
//! every cell and collects every problem with its file, line and column; a file with any
//! problem yields no rows at all.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use creanta_domain::ids::{Iban, TaxId};
use creanta_domain::model::{ContactRole, DocType, Language};
use creanta_domain::money::{Currency, parse_amount};
use jiff::civil::Date;

use crate::table::{RowError, Table, TableRow};

/// Most errors we report per command before we stop listing them.
pub const MAX_ERRORS: usize = 200;

/// A parsed row and where it came from.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub file: String,
    pub line: u64,
    pub row: T,
}

impl<T> Located<T> {
    pub fn error(&self, column: Option<&str>, message: impl Into<String>) -> RowError {
        RowError::new(&self.file, self.line, column, message)
    }
}

/// The rows of one table, or every problem found in it.
pub type RowsResult<T> = Result<Vec<Located<T>>, Vec<RowError>>;

/// Columns we do not know are kept as attributes of the record.
pub type Attrs = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq)]
pub struct EntityRow {
    pub tax_id: String,
    pub name: String,
    pub registration_no: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub ibans: Vec<String>,
    pub attrs: Attrs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DebtorRow {
    pub code: String,
    pub name: String,
    pub tax_id: String,
    pub registration_no: Option<String>,
    pub group: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub language: Option<Language>,
    pub owner: Option<String>,
    pub policy: Option<String>,
    pub payment_terms_days: Option<i64>,
    pub requires_po: bool,
    pub required_mention: Option<String>,
    pub required_documents: Vec<DocType>,
    pub requires_confirmation: bool,
    pub attrs: Attrs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    pub debtor_code: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: ContactRole,
    pub primary: bool,
    pub attrs: Attrs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContractRow {
    pub debtor_code: String,
    pub number: String,
    pub entity_tax_id: String,
    pub signed_on: Option<Date>,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub payment_terms_days: Option<i64>,
    pub currency: Option<Currency>,
    /// Decimal text, percent per day (e.g. "0.1"); interest maths comes later.
    pub penalty_rate_per_day: Option<String>,
    /// The action calendar for this contract's invoices (a policy code).
    pub policy: Option<String>,
    pub requires_po: bool,
    pub required_mention: Option<String>,
    pub required_documents: Vec<DocType>,
    pub requires_confirmation: bool,
    pub attrs: Attrs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceRow {
    pub entity_tax_id: String,
    pub series: String,
    pub number: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub buyer_tax_id: String,
    pub buyer_name: Option<String>,
    pub debtor_code: Option<String>,
    pub currency: Currency,
    /// Minor units; negative for a credit note.
    pub total: i64,
    pub po_number: Option<String>,
    pub contract_number: Option<String>,
    pub mentions: Option<String>,
    /// As written on the invoice, spaces removed: a wrong IBAN is a finding, not an import error.
    pub iban: Option<String>,
    pub sent_to: Option<String>,
    pub sent_on: Option<Date>,
    /// Demo data only: the internal errors injected on purpose, `;`-separated codes.
    pub injected_errors: Option<String>,
    /// The action calendar for this invoice (a policy code), before its contract's and
    /// debtor's.
    pub policy: Option<String>,
    /// For a credit note: the number of the invoice it corrects (series and number).
    pub corrects: Option<String>,
    pub attrs: Attrs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRow {
    pub date: Date,
    pub amount: i64,
    pub currency: Currency,
    pub payer_name: Option<String>,
    pub payer_tax_id: Option<String>,
    pub payer_iban: Option<String>,
    pub reference: Option<String>,
    pub invoice_number: Option<String>,
    pub transaction_id: Option<String>,
    pub attrs: Attrs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRow {
    /// Relative to the folder of the CSV that names it.
    pub file: String,
    pub doc_type: DocType,
    pub invoice_number: Option<String>,
    pub debtor_code: Option<String>,
    pub contract_number: Option<String>,
    /// The date the document states (an acknowledgement of receipt: when the notice was
    /// received).
    pub date: Option<Date>,
}

/// The columns of each import file, in the order the exports write them (DESIGN.md, "Import
/// files"). Others are kept as attributes.
pub mod columns {
    pub const ENTITIES: &[&str] = &[
        "tax_id",
        "name",
        "registration_no",
        "address",
        "city",
        "country",
        "ibans",
    ];

    pub const DEBTORS: &[&str] = &[
        "code",
        "name",
        "tax_id",
        "registration_no",
        "group",
        "country",
        "city",
        "address",
        "language",
        "owner",
        "policy",
        "payment_terms_days",
        "requires_po",
        "required_mention",
        "required_documents",
        "requires_confirmation",
    ];

    pub const CONTACTS: &[&str] = &["debtor_code", "name", "email", "phone", "role", "primary"];

    pub const CONTRACTS: &[&str] = &[
        "debtor_code",
        "number",
        "entity_tax_id",
        "signed_on",
        "valid_from",
        "valid_until",
        "payment_terms_days",
        "currency",
        "penalty_rate_per_day",
        "policy",
        "requires_po",
        "required_mention",
        "required_documents",
        "requires_confirmation",
    ];

    pub const INVOICES: &[&str] = &[
        "entity_tax_id",
        "series",
        "number",
        "issue_date",
        "due_date",
        "buyer_tax_id",
        "buyer_name",
        "debtor_code",
        "currency",
        "total",
        "po_number",
        "contract_number",
        "mentions",
        "iban",
        "sent_to",
        "sent_on",
        "injected_errors",
        "policy",
        "corrects",
    ];

    pub const PAYMENTS: &[&str] = &[
        "date",
        "amount",
        "currency",
        "payer_name",
        "payer_tax_id",
        "payer_iban",
        "reference",
        "invoice_number",
        "transaction_id",
    ];

    pub const DOCUMENTS: &[&str] = &[
        "file",
        "type",
        "invoice_number",
        "debtor_code",
        "contract_number",
        "date",
    ];
}

/// Reads the cells of one row by column name and records what is wrong with them.
struct Cells<'a> {
    table: &'a Table,
    row: &'a TableRow,
    index: &'a HashMap<&'a str, usize>,
    errors: &'a mut Vec<RowError>,
}

impl Cells<'_> {
    fn fail(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(RowError::new(
            &self.table.file,
            self.row.line,
            Some(column),
            message,
        ));
    }

    fn opt(&self, column: &str) -> Option<String> {
        let i = *self.index.get(column)?;
        let v = self.row.cells.get(i)?.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    fn req(&mut self, column: &str) -> Option<String> {
        let v = self.opt(column);
        if v.is_none() {
            self.fail(column, "is required but empty");
        }
        v
    }

    fn parsed<T>(
        &mut self,
        column: &str,
        value: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = value?;
        match parse(&v) {
            Ok(t) => Some(t),
            Err(why) => {
                self.fail(column, why);
                None
            }
        }
    }

    fn date(&mut self, column: &str) -> Option<Date> {
        let v = self.req(column);
        self.parsed(column, v, parse_date)
    }

    fn opt_date(&mut self, column: &str) -> Option<Option<Date>> {
        let v = self.opt(column);
        match v {
            None => Some(None),
            Some(_) => self.parsed(column, v, parse_date).map(Some),
        }
    }

    fn bool(&mut self, column: &str) -> bool {
        let v = self.opt(column);
        self.parsed(column, v, parse_bool).unwrap_or(false)
    }

    fn opt_days(&mut self, column: &str) -> Option<i64> {
        let v = self.opt(column);
        self.parsed(column, v, |s| match s.parse::<i64>() {
            Ok(n) if (0..=3650).contains(&n) => Ok(n),
            _ => Err(format!("{s:?} is not a number of days (0–3650)")),
        })
    }

    fn currency(&mut self, column: &str) -> Option<Currency> {
        let v = self.req(column);
        self.parsed(column, v, |s| Currency::parse(s).map_err(|e| e.to_string()))
    }

    fn amount(&mut self, column: &str, currency: Option<Currency>) -> Option<i64> {
        let v = self.req(column);
        // Without a currency we cannot know the decimals; the currency error is already listed.
        let currency = currency?;
        self.parsed(column, v, |s| {
            parse_amount(s, currency).map_err(|e| e.to_string())
        })
    }

    fn enum_value<T: FromStr>(&mut self, column: &str, required: bool) -> Option<T>
    where
        T::Err: std::fmt::Display,
    {
        let v = if required {
            self.req(column)
        } else {
            self.opt(column)
        };
        self.parsed(column, v, |s| s.parse::<T>().map_err(|e| e.to_string()))
    }

    fn doc_types(&mut self, column: &str) -> Vec<DocType> {
        let Some(v) = self.opt(column) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for part in v.split([';', ',']).map(str::trim).filter(|p| !p.is_empty()) {
            match DocType::parse_lenient(part) {
                Ok(t) if !out.contains(&t) => out.push(t),
                Ok(_) => {}
                Err(e) => self.fail(column, e.to_string()),
            }
        }
        out
    }

    fn tax_id(&mut self, column: &str) -> Option<String> {
        self.req(column).map(|v| TaxId::normalize_loose(&v))
    }

    fn email(&mut self, column: &str) -> Option<String> {
        let v = self.opt(column)?;
        if is_plausible_email(&v) {
            Some(v.to_lowercase())
        } else {
            self.fail(column, format!("{v:?} is not an email address"));
            None
        }
    }

    fn attrs(&self, known: &[&str]) -> Attrs {
        self.table
            .headers
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.is_empty() && !known.contains(&h.as_str()))
            .filter_map(|(i, h)| {
                let v = self.row.cells.get(i)?.trim();
                (!v.is_empty()).then(|| (h.clone(), v.to_owned()))
            })
            .collect()
    }
}

fn is_plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !s.contains(char::is_whitespace)
}

/// `YYYY-MM-DD`, or `DD.MM.YYYY` / `DD/MM/YYYY` as Romanian users write them.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let bad = || format!("{s:?} is not a date (use YYYY-MM-DD or DD.MM.YYYY)");
    let s = s.trim();
    let parts: Vec<&str> = s.split(['-', '.', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(bad());
    };
    let num = |p: &str| p.parse::<i16>().map_err(|_| bad());
    let (y, m, d) = if a.len() == 4 && s.contains('-') {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 && !s.contains('-') {
        (num(c)?, num(b)?, num(a)?)
    } else {
        return Err(bad());
    };
    let m = i8::try_from(m).map_err(|_| bad())?;
    let d = i8::try_from(d).map_err(|_| bad())?;
    Date::new(y, m, d).map_err(|_| bad())
}

pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "da" | "x" => Ok(true),
        "0" | "false" | "no" | "n" | "nu" | "" => Ok(false),
        _ => Err(format!("{s:?} is not yes/no (use true/false, da/nu, 1/0)")),
    }
}

/// Checks the header and reads every row with `read`; all problems are returned together.
fn read_rows<T>(
    table: &Table,
    required: &[&str],
    mut read: impl FnMut(&mut Cells<'_>) -> Option<T>,
) -> RowsResult<T> {
    let index: HashMap<&str, usize> = table
        .headers
        .iter()
        .enumerate()
        .rev()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut errors: Vec<RowError> = required
        .iter()
        .filter(|c| !index.contains_key(*c))
        .map(|c| {
            RowError::new(
                &table.file,
                1,
                Some(c),
                format!(
                    "required column is missing (the header has: {})",
                    table.headers.join(", ")
                ),
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let before = errors.len();
        let mut cells = Cells {
            table,
            row,
            index: &index,
            errors: &mut errors,
        };
        let parsed = read(&mut cells);
        if errors.len() >= MAX_ERRORS {
            break;
        }
        if let (Some(parsed), true) = (parsed, errors.len() == before) {
            out.push(Located {
                file: table.file.clone(),
                line: row.line,
                row: parsed,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub fn read_entities(table: &Table) -> RowsResult<EntityRow> {
    const KNOWN: &[&str] = columns::ENTITIES;
    read_rows(table, &["tax_id", "name", "ibans"], |c| {
        let tax_id = c.tax_id("tax_id");
        let name = c.req("name");
        let mut ibans = Vec::new();
        if let Some(list) = c.req("ibans") {
            for raw in list
                .split([';', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                match Iban::parse(raw) {
                    Ok(iban) => ibans.push(iban.as_str().to_owned()),
                    Err(e) => c.fail("ibans", format!("{raw:?}: {e}")),
                }
            }
        }
        Some(EntityRow {
            tax_id: tax_id?,
            name: name?,
            registration_no: c.opt("registration_no"),
            address: c.opt("address"),
            city: c.opt("city"),
            country: c.opt("country").map(|s| s.to_uppercase()),
            ibans,
            attrs: c.attrs(KNOWN),
        })
    })
}

pub fn read_debtors(table: &Table) -> RowsResult<DebtorRow> {
    const KNOWN: &[&str] = columns::DEBTORS;
    read_rows(table, &["code", "name", "tax_id"], |c| {
        let code = c.req("code");
        let name = c.req("name");
        let tax_id = c.tax_id("tax_id");
        let language = c.enum_value::<Language>("language", false);
        let owner = c.email("owner");
        Some(DebtorRow {
            code: code?,
            name: name?,
            tax_id: tax_id?,
            registration_no: c.opt("registration_no"),
            group: c.opt("group"),
            country: c.opt("country").map(|s| s.to_uppercase()),
            city: c.opt("city"),
            address: c.opt("address"),
            language,
            owner,
            policy: c.opt("policy"),
            payment_terms_days: c.opt_days("payment_terms_days"),
            requires_po: c.bool("requires_po"),
            required_mention: c.opt("required_mention"),
            required_documents: c.doc_types("required_documents"),
            requires_confirmation: c.bool("requires_confirmation"),
            attrs: c.attrs(KNOWN),
        })
    })
}

pub fn read_contacts(table: &Table) -> RowsResult<ContactRow> {
    const KNOWN: &[&str] = columns::CONTACTS;
    read_rows(table, &["debtor_code", "name", "role"], |c| {
        let debtor_code = c.req("debtor_code");
        let name = c.req("name");
        let role = c.enum_value::<ContactRole>("role", true);
        let email = c.email("email");
        Some(ContactRow {
            debtor_code: debtor_code?,
            name: name?,
            email,
            phone: c.opt("phone"),
            role: role?,
            primary: c.bool("primary"),
            attrs: c.attrs(KNOWN),
        })
    })
}

pub fn read_contracts(table: &Table) -> RowsResult<ContractRow> {
    const KNOWN: &[&str] = columns::CONTRACTS;
    read_rows(table, &["debtor_code", "number", "entity_tax_id"], |c| {
        let debtor_code = c.req("debtor_code");
        let number = c.req("number");
        let entity_tax_id = c.tax_id("entity_tax_id");
        let signed_on = c.opt_date("signed_on");
        let valid_from = c.opt_date("valid_from");
        let valid_until = c.opt_date("valid_until");
        let currency = match c.opt("currency") {
            None => Some(None),
            Some(_) => c.currency("currency").map(Some),
        };
        let penalty = c.opt("penalty_rate_per_day");
        let penalty = c.parsed("penalty_rate_per_day", penalty.clone(), |s| {
            let t = s.replace(',', ".");
            let ok = !t.is_empty()
                && t.chars().all(|ch| ch.is_ascii_digit() || ch == '.')
                && t.matches('.').count() <= 1;
            if ok {
                Ok(t)
            } else {
                Err(format!("{s:?} is not a rate in percent per day, e.g. 0.1"))
            }
        });
        if let (Some(Some(from)), Some(Some(until))) = (valid_from, valid_until)
            && until < from
        {
            c.fail(
                "valid_until",
                format!("{until} is before valid_from {from}"),
            );
        }
        Some(ContractRow {
            debtor_code: debtor_code?,
            number: number?,
            entity_tax_id: entity_tax_id?,
            signed_on: signed_on?,
            valid_from: valid_from?,
            valid_until: valid_until?,
            payment_terms_days: c.opt_days("payment_terms_days"),
            currency: currency?,
            penalty_rate_per_day: penalty,
            policy: c.opt("policy"),
            requires_po: c.bool("requires_po"),
            required_mention: c.opt("required_mention"),
            required_documents: c.doc_types("required_documents"),
            requires_confirmation: c.bool("requires_confirmation"),
            attrs: c.attrs(KNOWN),
        })
    })
}

pub fn read_invoices(table: &Table) -> RowsResult<InvoiceRow> {
    const KNOWN: &[&str] = columns::INVOICES;
    const REQUIRED: &[&str] = &[
        "entity_tax_id",
        "number",
        "issue_date",
        "due_date",
        "buyer_tax_id",
        "currency",
        "total",
    ];
    read_rows(table, REQUIRED, |c| {
        let entity_tax_id = c.tax_id("entity_tax_id");
        let number = c.req("number");
        let issue_date = c.date("issue_date");
        let due_date = c.date("due_date");
        let buyer_tax_id = c.tax_id("buyer_tax_id");
        let currency = c.currency("currency");
        let total = c.amount("total", currency);
        let sent_on = c.opt_date("sent_on");
        if let (Some(issue), Some(due)) = (issue_date, due_date)
            && due < issue
        {
            c.fail("due_date", format!("{due} is before issue_date {issue}"));
        }
        Some(InvoiceRow {
            entity_tax_id: entity_tax_id?,
            series: c.opt("series").unwrap_or_default(),
            number: number?,
            issue_date: issue_date?,
            due_date: due_date?,
            buyer_tax_id: buyer_tax_id?,
            buyer_name: c.opt("buyer_name"),
            debtor_code: c.opt("debtor_code"),
            currency: currency?,
            total: total?,
            po_number: c.opt("po_number"),
            contract_number: c.opt("contract_number"),
            mentions: c.opt("mentions"),
            iban: c.opt("iban").map(|s| creanta_domain::ids::compact(&s)),
            sent_to: c.opt("sent_to").map(|s| s.to_lowercase()),
            sent_on: sent_on?,
            injected_errors: c.opt("injected_errors"),
            policy: c.opt("policy"),
            corrects: c.opt("corrects"),
            attrs: c.attrs(KNOWN),
        })
    })
}

pub fn read_payments(table: &Table) -> RowsResult<PaymentRow> {
    const KNOWN: &[&str] = columns::PAYMENTS;
    read_rows(table, &["date", "amount", "currency"], |c| {
        let date = c.date("date");
        let currency = c.currency("currency");
        let amount = c.amount("amount", currency);
        Some(PaymentRow {
            date: date?,
            amount: amount?,
            currency: currency?,
            payer_name: c.opt("payer_name"),
            payer_tax_id: c.opt("payer_tax_id").map(|s| TaxId::normalize_loose(&s)),
            payer_iban: c
                .opt("payer_iban")
                .map(|s| creanta_domain::ids::compact(&s)),
            reference: c.opt("reference"),
            invoice_number: c.opt("invoice_number"),
            transaction_id: c.opt("transaction_id"),
            attrs: c.attrs(KNOWN),
        })
    })
}

pub fn read_documents(table: &Table) -> RowsResult<DocumentRow> {
    read_rows(table, &["file", "type"], |c| {
        let file = c.req("file");
        let doc_type = match c.req("type") {
            Some(t) => match DocType::parse_lenient(&t) {
                Ok(t) => Some(t),
                Err(e) => {
                    c.fail("type", e.to_string());
                    None
                }
            },
            None => None,
        };
        let (inv, deb, con) = (
            c.opt("invoice_number"),
            c.opt("debtor_code"),
            c.opt("contract_number"),
        );
        if inv.is_none() && deb.is_none() && con.is_none() {
            c.fail(
                "invoice_number",
                "a document must name an invoice_number, debtor_code or contract_number",
            );
        }
        let date = c.opt_date("date");
        Some(DocumentRow {
            file: file?,
            doc_type: doc_type?,
            invoice_number: inv,
            debtor_code: deb,
            contract_number: con,
            date: date?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{TableFormat, read_table};

    fn table(text: &str) -> Table {
        read_table("invoices.csv", text.as_bytes(), TableFormat::Csv).unwrap()
    }

    #[test]
    fn dates_in_both_forms_and_impossible_dates() {
        assert_eq!(
            parse_date("2025-02-28").unwrap(),
            jiff::civil::date(2025, 2, 28)
        );
        assert_eq!(
            parse_date("28.02.2025").unwrap(),
            jiff::civil::date(2025, 2, 28)
        );
        let e = parse_date("31.02.2025").unwrap_err();
        assert_eq!(
            e,
            "\"31.02.2025\" is not a date (use YYYY-MM-DD or DD.MM.YYYY)"
        );
        assert!(parse_date("2025-13-01").is_err());
        assert!(parse_date("02-28-2025").is_err());
    }

    #[test]
    fn invoice_errors_name_line_and_column_and_all_rows_are_reported() {
        let t = table(
            "entity_tax_id,number,issue_date,due_date,buyer_tax_id,currency,total\n\
             RO18547290,1,2025-01-10,2025-02-10,18547290,RON,\"1.234,56\"\n\
             RO18547290,2,2025-01-10,31.02.2025,18547290,RON,10\n\
             RO18547290,3,2025-01-10,2025-02-10,18547290,RONN,10\n",
        );
        let errors = read_invoices(&t).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "invoices.csv:3: due_date: \"31.02.2025\" is not a date (use YYYY-MM-DD or DD.MM.YYYY)".to_owned(),
                format!("invoices.csv:4: currency: {}", Currency::parse("RONN").unwrap_err()),
            ]
        );
    }

    #[test]
    fn good_invoice_row_parses_amount_and_keeps_extra_columns() {
        let t = table(
            "entity_tax_id;series;number;issue_date;due_date;buyer_tax_id;currency;total;cost_center\n\
             RO 18547290;FCT;0042;10.01.2025;2025-02-10;ro18547290;EUR;1.234,56;CC1\n",
        );
        let rows = read_invoices(&t).unwrap();
        let r = &rows[0].row;
        assert_eq!(r.entity_tax_id, "18547290");
        assert_eq!(r.buyer_tax_id, "18547290");
        assert_eq!(r.total, 123456);
        assert_eq!(r.series, "FCT");
        assert_eq!(r.attrs.get("cost_center").map(String::as_str), Some("CC1"));
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn missing_required_column_is_reported_on_the_header() {
        let t = table("entity_tax_id,number\nRO1,2\n");
        let errors = read_invoices(&t).unwrap_err();
        assert!(errors.iter().all(|e| e.line == 1));
        assert!(
            errors
                .iter()
                .any(|e| e.column.as_deref() == Some("due_date"))
        );
    }

    #[test]
    fn entity_ibans_are_validated() {
        let t = read_table(
            "entities.csv",
            "tax_id,name,ibans\n18547290,Alfa SRL,RO49AAAA1B31007593840000;RO49AAAA1B31007593840001\n".as_bytes(),
            TableFormat::Csv,
        )
        .unwrap();
        let errors = read_entities(&t).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column.as_deref(), Some("ibans"));
        assert!(errors[0].message.contains("RO49AAAA1B31007593840001"));
    }
}
