//! Writes demo data as import files: the CSV files of DESIGN.md (plus `injected_errors` on
//! invoices), the document files, and optionally one e-Factura UBL file per invoice.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use creanta_formats::csv_write::{self as cw, TableWriter};
use creanta_formats::rows::{DebtorRow, EntityRow, InvoiceRow};
use creanta_formats::ubl_write::{self, InvoiceOut, PartyOut};

use super::words;
use super::{DemoData, invoice_key, lines};

const BUFFER: usize = 1 << 16;

fn table(dir: &Path, name: &str, headers: &[&str]) -> io::Result<TableWriter<BufWriter<File>>> {
    let file = File::create(dir.join(name))?;
    TableWriter::new(BufWriter::with_capacity(BUFFER, file), headers)
}

fn close(t: TableWriter<BufWriter<File>>) -> io::Result<()> {
    t.finish()?.flush()
}

/// Writes `data` into `dir` (created if needed): `entities.csv` … `documents.csv`, the files
/// under `docs/`, and with `ubl` also `ubl/<entity_tax_id>/<series>-<number>.xml`.
/// Columns the demo rows do not fill stay empty; the rows' `attrs` are not written (the demo
/// has none).
pub fn export(data: &DemoData, dir: &Path, ubl: bool) -> io::Result<()> {
    fs::create_dir_all(dir)?;

    let mut t = table(
        dir,
        "entities.csv",
        creanta_formats::rows::columns::ENTITIES,
    )?;
    for e in &data.entities {
        t.row([
            e.tax_id.as_str(),
            &e.name,
            cw::opt(&e.registration_no),
            cw::opt(&e.address),
            cw::opt(&e.city),
            cw::opt(&e.country),
            &cw::list(&e.ibans),
        ])?;
    }
    close(t)?;

    let mut t = table(dir, "debtors.csv", creanta_formats::rows::columns::DEBTORS)?;
    for d in &data.debtors {
        t.row([
            d.code.as_str(),
            &d.name,
            &d.tax_id,
            cw::opt(&d.registration_no),
            cw::opt(&d.group),
            cw::opt(&d.country),
            cw::opt(&d.city),
            cw::opt(&d.address),
            d.language.map_or("", |l| l.code()),
            cw::opt(&d.owner),
            cw::opt(&d.policy),
            &cw::opt_days(d.payment_terms_days),
            cw::flag(d.requires_po),
            cw::opt(&d.required_mention),
            &cw::list(d.required_documents.iter().map(|t| t.code())),
            cw::flag(d.requires_confirmation),
        ])?;
    }
    close(t)?;

    let mut t = table(
        dir,
        "contacts.csv",
        creanta_formats::rows::columns::CONTACTS,
    )?;
    for c in &data.contacts {
        t.row([
            c.debtor_code.as_str(),
            &c.name,
            cw::opt(&c.email),
            cw::opt(&c.phone),
            c.role.code(),
            cw::flag(c.primary),
        ])?;
    }
    close(t)?;

    let mut t = table(
        dir,
        "contracts.csv",
        creanta_formats::rows::columns::CONTRACTS,
    )?;
    for k in &data.contracts {
        t.row([
            k.debtor_code.as_str(),
            &k.number,
            &k.entity_tax_id,
            &cw::opt_date(k.signed_on),
            &cw::opt_date(k.valid_from),
            &cw::opt_date(k.valid_until),
            &cw::opt_days(k.payment_terms_days),
            k.currency.as_ref().map_or("", |c| c.as_str()),
            cw::opt(&k.penalty_rate_per_day),
            cw::opt(&k.policy),
            cw::flag(k.requires_po),
            cw::opt(&k.required_mention),
            &cw::list(k.required_documents.iter().map(|t| t.code())),
            cw::flag(k.requires_confirmation),
        ])?;
    }
    close(t)?;

    let mut t = table(
        dir,
        "invoices.csv",
        creanta_formats::rows::columns::INVOICES,
    )?;
    for i in &data.invoices {
        t.row([
            i.entity_tax_id.as_str(),
            &i.series,
            &i.number,
            &cw::date(i.issue_date),
            &cw::date(i.due_date),
            &i.buyer_tax_id,
            cw::opt(&i.buyer_name),
            cw::opt(&i.debtor_code),
            i.currency.as_str(),
            &cw::amount(i.total, i.currency),
            cw::opt(&i.po_number),
            cw::opt(&i.contract_number),
            cw::opt(&i.mentions),
            cw::opt(&i.iban),
            cw::opt(&i.sent_to),
            &cw::opt_date(i.sent_on),
            cw::opt(&i.injected_errors),
            cw::opt(&i.policy),
            cw::opt(&i.corrects),
        ])?;
    }
    close(t)?;

    let mut t = table(
        dir,
        "payments.csv",
        creanta_formats::rows::columns::PAYMENTS,
    )?;
    for p in &data.payments {
        t.row([
            cw::date(p.date).as_str(),
            &cw::amount(p.amount, p.currency),
            p.currency.as_str(),
            cw::opt(&p.payer_name),
            cw::opt(&p.payer_tax_id),
            cw::opt(&p.payer_iban),
            cw::opt(&p.reference),
            cw::opt(&p.invoice_number),
            cw::opt(&p.transaction_id),
        ])?;
    }
    close(t)?;

    let mut t = table(
        dir,
        "documents.csv",
        creanta_formats::rows::columns::DOCUMENTS,
    )?;
    let mut folders = HashSet::new();
    for doc in &data.documents {
        let r = &doc.row;
        t.row([
            r.file.as_str(),
            r.doc_type.code(),
            cw::opt(&r.invoice_number),
            cw::opt(&r.debtor_code),
            cw::opt(&r.contract_number),
            &cw::opt_date(r.date),
        ])?;
        if doc.bytes.is_empty() {
            continue;
        }
        let path = dir.join(&doc.file_name);
        if let Some(parent) = path.parent()
            && folders.insert(parent.to_path_buf())
        {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, &doc.bytes)?;
    }
    close(t)?;

    if ubl {
        write_ubl_files(data, dir)?;
    }
    Ok(())
}

/// The invoice a credit note corrects: the first invoice number its mentions name.
fn preceding(
    i: &InvoiceRow,
    issued: &HashMap<String, jiff::civil::Date>,
) -> Option<(String, Option<jiff::civil::Date>)> {
    i.mentions
        .as_deref()?
        .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
        .find_map(|token| issued.get(token).map(|d| (token.to_owned(), Some(*d))))
}

/// `Sector 3` at the end of a Bucharest address, as CIUS-RO wants it in `CityName`.
fn bucharest_sector(address: Option<&str>) -> Option<String> {
    let (_, n) = address?.rsplit_once("Sector ")?;
    let n = n.trim();
    (n.len() == 1 && n.as_bytes()[0].is_ascii_digit()).then(|| format!("SECTOR{n}"))
}

fn place(city: Option<&str>, address: Option<&str>, country: &str) -> (String, Option<String>) {
    let city_name = city.unwrap_or("").to_owned();
    if country != "RO" {
        return (city_name, None);
    }
    match words::city(&city_name) {
        Some(c) if c.iso == "B" => (
            bucharest_sector(address).unwrap_or(city_name),
            Some("RO-B".to_owned()),
        ),
        Some(c) => (city_name, Some(format!("RO-{}", c.iso))),
        None => (city_name, None),
    }
}

fn seller(e: &EntityRow) -> PartyOut {
    let country = e.country.clone().unwrap_or_else(|| "RO".to_owned());
    let (city, subentity) = place(e.city.as_deref(), e.address.as_deref(), &country);
    PartyOut {
        name: e.name.clone(),
        // The group's companies are all VAT payers.
        vat_id: Some(format!("RO{}", e.tax_id)),
        legal_id: e.registration_no.clone(),
        street: e.address.clone(),
        city,
        subentity,
        country,
        email: None,
    }
}

fn buyer(i: &InvoiceRow, d: Option<&DebtorRow>) -> PartyOut {
    let country = d
        .and_then(|d| d.country.clone())
        .unwrap_or_else(|| "RO".to_owned());
    let digits = i.buyer_tax_id.bytes().all(|b| b.is_ascii_digit());
    // A person (CNP) has no VAT registration; a Romanian company's VAT id carries `RO`.
    let (vat_id, legal_id) = if digits && i.buyer_tax_id.len() == 13 {
        (None, Some(i.buyer_tax_id.clone()))
    } else if digits {
        (
            Some(format!("RO{}", i.buyer_tax_id)),
            Some(i.buyer_tax_id.clone()),
        )
    } else {
        (Some(i.buyer_tax_id.clone()), None)
    };
    let (city, subentity) = place(
        d.and_then(|d| d.city.as_deref()),
        d.and_then(|d| d.address.as_deref()),
        &country,
    );
    PartyOut {
        name: i
            .buyer_name
            .clone()
            .or_else(|| d.map(|d| d.name.clone()))
            .unwrap_or_default(),
        vat_id,
        legal_id,
        street: d.and_then(|d| d.address.clone()),
        city,
        subentity,
        country,
        email: i.sent_to.clone(),
    }
}

fn write_ubl_files(data: &DemoData, dir: &Path) -> io::Result<()> {
    let entities: HashMap<&str, usize> = data
        .entities
        .iter()
        .enumerate()
        .map(|(n, e)| (e.tax_id.as_str(), n))
        .collect();
    let by_code: HashMap<&str, &DebtorRow> =
        data.debtors.iter().map(|d| (d.code.as_str(), d)).collect();
    let by_tax_id: HashMap<&str, &DebtorRow> = data
        .debtors
        .iter()
        .map(|d| (d.tax_id.as_str(), d))
        .collect();
    let issued: HashMap<String, jiff::civil::Date> = data
        .invoices
        .iter()
        .map(|i| (invoice_key(&i.series, &i.number), i.issue_date))
        .collect();
    let mut folders = HashSet::new();
    for i in &data.invoices {
        let Some(&ei) = entities.get(i.entity_tax_id.as_str()) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "invoice {} {}: unknown entity {}",
                    i.series, i.number, i.entity_tax_id
                ),
            ));
        };
        let debtor = i
            .debtor_code
            .as_deref()
            .and_then(|c| by_code.get(c).copied());
        // The party on the invoice is whoever the tax id names (a sister company, for
        // tax_id_mismatch); the debtor's own address is the fallback.
        let party = by_tax_id.get(i.buyer_tax_id.as_str()).copied().or(debtor);
        let foreign = debtor
            .or(party)
            .and_then(|d| d.country.as_deref())
            .is_some_and(|c| c != "RO");
        let (lines, vat) = lines::derive(i, ei, foreign);
        let key = invoice_key(&i.series, &i.number);
        let out = InvoiceOut {
            id: key.clone(),
            issue_date: i.issue_date,
            due_date: Some(i.due_date),
            currency: i.currency,
            notes: i.mentions.iter().cloned().collect(),
            buyer_reference: i.po_number.clone(),
            order_ref: i.po_number.clone(),
            contract_ref: i.contract_number.clone(),
            preceding_invoice: (i.total < 0).then(|| preceding(i, &issued)).flatten(),
            seller: seller(&data.entities[ei]),
            buyer: buyer(i, party),
            payee_iban: i.iban.clone(),
            payment_id: Some(key),
            lines,
            vat,
        };
        let folder = dir.join("ubl").join(&i.entity_tax_id);
        if folders.insert(folder.clone()) {
            fs::create_dir_all(&folder)?;
        }
        let file = File::create(folder.join(format!("{}-{}.xml", i.series, i.number)))?;
        let mut w = BufWriter::with_capacity(8192, file);
        ubl_write::write_ubl(&mut w, &out)?;
        w.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucharest_addresses_give_a_sector() {
        assert_eq!(
            bucharest_sector(Some("Str. Zorilor nr. 5, Sector 3")).as_deref(),
            Some("SECTOR3")
        );
        assert_eq!(bucharest_sector(Some("Str. Zorilor nr. 5")), None);
        assert_eq!(
            place(Some("București"), Some("Bd. Unirii nr. 1, Sector 4"), "RO"),
            ("SECTOR4".to_owned(), Some("RO-B".to_owned()))
        );
        assert_eq!(
            place(Some("Iași"), None, "RO"),
            ("Iași".to_owned(), Some("RO-IS".to_owned()))
        );
    }
}
