//! The demo data generator: determinism, shape, validity of ids, the injected errors (checked
//! by an independent reading of the rules documented on `Injected`), and that every export
//! (CSV, UBL, PDF) reads back as generated.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use creanta_app::demo::{self, DemoData, DemoOptions, Injected, export, generate, invoice_key};
use creanta_domain::ids::{Cui, Iban, TaxId};
use creanta_domain::model::{ContactRole, DocType};
use creanta_domain::money::{Currency, format_amount, parse_amount};
use creanta_formats::rows::{self, ContractRow, DebtorRow, InvoiceRow};
use creanta_formats::table::{Table, TableFormat, read_table};
use creanta_formats::ubl::{UblDocKind, parse_ubl};
use jiff::ToSpan;
use jiff::civil::Date;

const TODAY: Date = Date::constant(2025, 11, 14);

fn options(debtors: usize, seed: u64, documents: bool) -> DemoOptions {
    DemoOptions {
        debtors,
        seed,
        today: TODAY,
        documents,
    }
}

/// The default-sized data set without PDFs, shared by the tests that only read it.
fn data300() -> &'static DemoData {
    static DATA: OnceLock<DemoData> = OnceLock::new();
    DATA.get_or_init(|| generate(&options(300, 1, false)))
}

fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_same_seed_gives_identical_bytes_and_another_seed_does_not() {
    let opts = options(40, 7, true);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    export(&generate(&opts), a.path(), true).unwrap();
    export(&generate(&opts), b.path(), true).unwrap();
    let (fa, fb) = (files_under(a.path()), files_under(b.path()));
    assert!(fa.len() > 100, "{} files", fa.len());
    assert!(fa.keys().any(|p| p.starts_with("ubl")));
    assert!(fa.keys().any(|p| p.extension().is_some_and(|e| e == "pdf")));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (path, bytes) in &fa {
        assert!(
            bytes == &fb[path],
            "{} differs between two runs",
            path.display()
        );
    }

    let other = tempfile::tempdir().unwrap();
    export(
        &generate(&DemoOptions { seed: 8, ..opts }),
        other.path(),
        false,
    )
    .unwrap();
    let fo = files_under(other.path());
    for name in ["debtors.csv", "invoices.csv", "payments.csv"] {
        assert_ne!(
            fa[Path::new(name)],
            fo[Path::new(name)],
            "{name} ignores the seed"
        );
    }
}

#[test]
fn counts_and_shares_are_as_documented() {
    let data = data300();
    assert_eq!(data.entities.len(), 3);
    assert_eq!(data.debtors.len(), 300);
    let per_debtor = data.invoices.len() as f64 / 300.0;
    assert!(
        (8.0..=12.0).contains(&per_debtor),
        "{per_debtor} invoices per debtor"
    );

    let injected: Vec<&str> = data
        .invoices
        .iter()
        .filter_map(|i| i.injected_errors.as_deref())
        .collect();
    let share = injected.len() as f64 / data.invoices.len() as f64;
    assert!(
        (0.07..=0.13).contains(&share),
        "{share} of invoices injected"
    );
    for code in injected.iter() {
        assert!(
            Injected::from_code(code).is_some(),
            "one known code per invoice, got {code:?}"
        );
    }
    let present: BTreeSet<&str> = injected.iter().copied().collect();
    for code in Injected::ALL {
        assert!(
            present.contains(code.code()),
            "{} never injected",
            code.code()
        );
    }

    let groups: BTreeSet<&str> = data
        .debtors
        .iter()
        .filter_map(|d| d.group.as_deref())
        .collect();
    let grouped = data.debtors.iter().filter(|d| d.group.is_some()).count();
    assert!(
        groups.len() >= 10 && grouped < 150,
        "{} groups, {grouped} grouped debtors",
        groups.len()
    );
    assert!(
        data.debtors.iter().any(|d| d.tax_id.len() == 13),
        "no natural person"
    );
    assert!(
        data.debtors
            .iter()
            .any(|d| d.country.as_deref() != Some("RO")),
        "no foreign debtor"
    );
    assert!(
        data.debtors
            .iter()
            .any(|d| d.name.contains(['ă', 'â', 'î', 'ș', 'ț']))
    );
    let contracts = data.contracts.len();
    assert!((200..=290).contains(&contracts), "{contracts} contracts");
    assert!(
        data.contracts
            .iter()
            .any(|c| c.currency == Some(Currency::EUR))
    );
    assert!(data.invoices.iter().any(|i| i.total < 0), "no credit note");
    let cents: Vec<i64> = data.invoices.iter().map(|i| i.total.abs()).collect();
    assert!(cents.iter().any(|&t| t < 100_000) && cents.iter().any(|&t| t > 5_000_000));

    // Series are numbered without gaps or reuse, in issue order.
    let mut by_series: BTreeMap<&str, Vec<(Date, u64)>> = BTreeMap::new();
    for i in &data.invoices {
        by_series
            .entry(&i.series)
            .or_default()
            .push((i.issue_date, i.number.parse().unwrap()));
    }
    assert_eq!(by_series.len(), 3);
    for (series, mut v) in by_series {
        v.sort_by_key(|&(_, n)| n);
        assert!(
            v.windows(2)
                .all(|w| w[1].1 == w[0].1 + 1 && w[1].0 >= w[0].0),
            "series {series}"
        );
    }

    // Most overdue invoices are paid, some are late, recent ones mostly open.
    let paid: HashSet<&str> = data
        .payments
        .iter()
        .filter_map(|p| p.invoice_number.as_deref())
        .collect();
    let (mut overdue, mut overdue_paid, mut recent, mut recent_paid) = (0, 0, 0, 0);
    for i in data.invoices.iter().filter(|i| i.total > 0) {
        let is_paid = paid.contains(invoice_key(&i.series, &i.number).as_str());
        if i.due_date < TODAY.saturating_sub(60.days()) {
            overdue += 1;
            overdue_paid += usize::from(is_paid);
        } else if i.due_date > TODAY {
            recent += 1;
            recent_paid += usize::from(is_paid);
        }
    }
    assert!(
        overdue_paid * 100 > overdue * 70 && overdue_paid < overdue,
        "{overdue_paid}/{overdue}"
    );
    assert!(
        recent_paid * 100 < recent * 30,
        "{recent_paid}/{recent} not-yet-due invoices paid"
    );
    // The natural keys the import relies on are unique.
    let contact_keys: HashSet<(&str, &str)> = data
        .contacts
        .iter()
        .map(|c| (c.debtor_code.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(
        contact_keys.len(),
        data.contacts.len(),
        "contact names repeat within a debtor"
    );
    let contract_numbers: HashSet<&str> =
        data.contracts.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(contract_numbers.len(), data.contracts.len());
    let tax_ids: HashSet<&str> = data.debtors.iter().map(|d| d.tax_id.as_str()).collect();
    assert_eq!(tax_ids.len(), data.debtors.len());
    let ids: HashSet<&str> = data
        .payments
        .iter()
        .filter_map(|p| p.transaction_id.as_deref())
        .collect();
    assert_eq!(ids.len(), data.payments.len(), "transaction ids are unique");
    assert!(
        data.payments
            .iter()
            .all(|p| p.amount > 0 && p.date <= TODAY)
    );
    let first = TODAY.saturating_sub(18.months()).saturating_sub(3.days());
    assert!(
        data.invoices
            .iter()
            .all(|i| i.issue_date >= first && i.issue_date <= TODAY)
    );
}

#[test]
fn ids_are_valid_and_payments_match_their_invoices() {
    let data = data300();
    for e in &data.entities {
        Cui::parse(&e.tax_id).unwrap();
        assert!(e.name.contains("Termoconstruct"));
        assert!((1..=2).contains(&e.ibans.len()));
        for iban in &e.ibans {
            assert_eq!(Iban::parse(iban).unwrap().country_code(), "RO");
        }
    }
    let mut kinds = BTreeSet::new();
    for d in &data.debtors {
        match TaxId::parse(&d.tax_id).unwrap_or_else(|e| panic!("{}: {e}", d.tax_id)) {
            TaxId::Cui(_) => kinds.insert("cui"),
            TaxId::Cnp(_) => kinds.insert("cnp"),
            TaxId::Foreign { .. } => kinds.insert("foreign"),
        };
    }
    assert_eq!(kinds.len(), 3);
    let invoices: HashMap<String, &InvoiceRow> = data
        .invoices
        .iter()
        .map(|i| (invoice_key(&i.series, &i.number), i))
        .collect();
    let debtors: HashMap<&str, &DebtorRow> =
        data.debtors.iter().map(|d| (d.code.as_str(), d)).collect();
    let mut paid: HashMap<&str, i64> = HashMap::new();
    for p in &data.payments {
        let key = p.invoice_number.as_deref().unwrap();
        let inv = invoices[key];
        assert_eq!(p.currency, inv.currency);
        assert!(p.date > inv.issue_date);
        let debtor = debtors[inv.debtor_code.as_deref().unwrap()];
        assert_eq!(p.payer_tax_id.as_deref(), Some(debtor.tax_id.as_str()));
        Iban::parse(p.payer_iban.as_deref().unwrap()).unwrap();
        *paid.entry(key).or_default() += p.amount;
    }
    for (key, amount) in paid {
        assert!(amount <= invoices[key].total, "{key} overpaid");
    }
}

/// Normal form for comparing names: case, diacritics, punctuation and legal form ignored.
fn name_key(name: &str) -> String {
    let folded: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ă' | 'â' => 'a',
            'î' => 'i',
            'ș' | 'ş' => 's',
            'ț' | 'ţ' => 't',
            c => c,
        })
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    folded
        .split_whitespace()
        .filter(|w| !matches!(*w, "srl" | "sa" | "pfa"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An independent reading of the rules documented on [`Injected`]: what a pre-flight check
/// should find on `inv`.
fn findings(data: &DemoData, inv: &InvoiceRow, index: &Index<'_>) -> BTreeSet<&'static str> {
    let mut f = BTreeSet::new();
    let debtor = index.debtors[inv.debtor_code.as_deref().unwrap()];
    let contract = inv.contract_number.as_deref().map(|n| index.contracts[n]);
    let entity = data
        .entities
        .iter()
        .find(|e| e.tax_id == inv.entity_tax_id)
        .unwrap();
    if let Some(k) = contract {
        assert_eq!(k.debtor_code, debtor.code);
        if k.entity_tax_id != inv.entity_tax_id {
            f.insert("wrong_entity");
        }
        if k.valid_until.is_some_and(|u| inv.issue_date > u)
            || k.valid_from.is_some_and(|v| inv.issue_date < v)
        {
            f.insert("contract_expired");
        }
        if k.currency.is_some_and(|c| c != inv.currency) {
            f.insert("currency_mismatch");
        }
    }
    match TaxId::parse(&inv.buyer_tax_id) {
        Err(_) => {
            f.insert("tax_id_invalid");
        }
        Ok(_) if inv.buyer_tax_id != debtor.tax_id => {
            f.insert("tax_id_mismatch");
        }
        Ok(_) => {}
    }
    let named = index
        .by_tax_id
        .get(inv.buyer_tax_id.as_str())
        .copied()
        .unwrap_or(debtor);
    if name_key(inv.buyer_name.as_deref().unwrap_or("")) != name_key(&named.name) {
        f.insert("name_mismatch");
    }
    match inv.iban.as_deref().map(Iban::parse) {
        Some(Ok(iban)) if !entity.ibans.iter().any(|i| i == iban.as_str()) => {
            f.insert("iban_not_ours");
        }
        Some(Err(_)) | None => {
            f.insert("iban_invalid");
        }
        Some(Ok(_)) => {}
    }
    let requires_po = debtor.requires_po || contract.is_some_and(|k| k.requires_po);
    if requires_po && inv.po_number.is_none() {
        f.insert("po_missing");
    }
    let mentions = [
        &debtor.required_mention,
        &contract.and_then(|k| k.required_mention.clone()),
    ];
    for m in mentions.into_iter().flatten() {
        if !inv.mentions.as_deref().unwrap_or("").contains(m.as_str()) {
            f.insert("mention_missing");
        }
    }
    let key = invoice_key(&inv.series, &inv.number);
    let attached = index.documents.get(key.as_str());
    let has = |t: DocType| attached.is_some_and(|a| a.contains(&t));
    let required = debtor
        .required_documents
        .iter()
        .chain(contract.map_or(&[][..], |k| &k.required_documents[..]));
    if required.clone().any(|t| !has(*t)) {
        f.insert("documents_missing");
    }
    let confirmation =
        debtor.requires_confirmation || contract.is_some_and(|k| k.requires_confirmation);
    if confirmation && !has(DocType::OrderConfirmation) {
        f.insert("confirmation_missing");
    }
    let terms = contract
        .and_then(|k| k.payment_terms_days)
        .or(debtor.payment_terms_days)
        .unwrap();
    if inv.due_date != inv.issue_date.saturating_add(terms.days()) {
        f.insert("terms_mismatch");
    }
    let finance: Vec<&str> = index
        .finance
        .get(debtor.code.as_str())
        .cloned()
        .unwrap_or_default();
    if finance.is_empty() {
        f.insert("recipient_missing");
    } else if !finance.contains(&inv.sent_to.as_deref().unwrap_or("")) {
        let local = inv
            .sent_to
            .as_deref()
            .unwrap_or("")
            .split('@')
            .next()
            .unwrap();
        assert!(matches!(local, "office" | "info" | "contact"), "{local}");
        f.insert("wrong_recipient");
    }
    f
}

struct Index<'a> {
    debtors: HashMap<&'a str, &'a DebtorRow>,
    by_tax_id: HashMap<&'a str, &'a DebtorRow>,
    contracts: HashMap<&'a str, &'a ContractRow>,
    documents: HashMap<&'a str, Vec<DocType>>,
    finance: HashMap<&'a str, Vec<&'a str>>,
}

fn index(data: &DemoData) -> Index<'_> {
    let mut documents: HashMap<&str, Vec<DocType>> = HashMap::new();
    for d in &data.documents {
        if let Some(n) = d.row.invoice_number.as_deref() {
            documents.entry(n).or_default().push(d.row.doc_type);
        }
    }
    let mut finance: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in data
        .contacts
        .iter()
        .filter(|c| c.role == ContactRole::Finance)
    {
        if let Some(e) = c.email.as_deref() {
            finance.entry(c.debtor_code.as_str()).or_default().push(e);
        }
    }
    Index {
        debtors: data.debtors.iter().map(|d| (d.code.as_str(), d)).collect(),
        by_tax_id: data
            .debtors
            .iter()
            .map(|d| (d.tax_id.as_str(), d))
            .collect(),
        contracts: data
            .contracts
            .iter()
            .map(|c| (c.number.as_str(), c))
            .collect(),
        documents,
        finance,
    }
}

#[test]
fn every_invoice_shows_exactly_its_injected_error_and_clean_ones_none() {
    let others = [
        generate(&options(60, 3, true)),
        generate(&options(150, 11, false)),
        generate(&options(150, 12, false)),
    ];
    for data in std::iter::once(data300()).chain(&others) {
        let index = index(data);
        let mut wrong = Vec::new();
        for inv in &data.invoices {
            let found = findings(data, inv, &index);
            let expected: BTreeSet<&str> = inv.injected_errors.as_deref().into_iter().collect();
            if found != expected {
                wrong.push(format!(
                    "{} {}: injected {expected:?}, found {found:?}",
                    inv.series, inv.number
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} of {}:\n{}",
            wrong.len(),
            data.invoices.len(),
            wrong.join("\n")
        );
    }
}

#[test]
fn exported_csv_files_read_back_as_generated() {
    let data = data300();
    let dir = tempfile::tempdir().unwrap();
    export(data, dir.path(), false).unwrap();
    fn read<T>(
        dir: &Path,
        name: &str,
        parse: fn(&Table) -> creanta_formats::rows::RowsResult<T>,
    ) -> Vec<T> {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let table = read_table(name, &bytes, TableFormat::Csv).unwrap();
        parse(&table)
            .unwrap_or_else(|e| panic!("{name}: {:?}", &e[..e.len().min(5)]))
            .into_iter()
            .map(|l| l.row)
            .collect()
    }
    let d = dir.path();
    assert_eq!(read(d, "entities.csv", rows::read_entities), data.entities);
    assert_eq!(read(d, "debtors.csv", rows::read_debtors), data.debtors);
    assert_eq!(read(d, "contacts.csv", rows::read_contacts), data.contacts);
    assert_eq!(
        read(d, "contracts.csv", rows::read_contracts),
        data.contracts
    );
    assert_eq!(read(d, "invoices.csv", rows::read_invoices), data.invoices);
    assert_eq!(read(d, "payments.csv", rows::read_payments), data.payments);
    let docs = read(d, "documents.csv", rows::read_documents);
    assert_eq!(
        docs,
        data.documents
            .iter()
            .map(|x| x.row.clone())
            .collect::<Vec<_>>()
    );

    // Without documents, every row of a type shares one small placeholder file.
    let files: BTreeSet<&str> = docs.iter().map(|r| r.file.as_str()).collect();
    assert!(files.len() <= DocType::ALL.len(), "{files:?}");
    for f in &files {
        assert!(f.starts_with("docs/placeholder-"), "{f}");
        let bytes = std::fs::read(d.join(f)).unwrap();
        assert!(
            bytes.starts_with(b"%PDF") && bytes.len() < 30_000,
            "{f}: {} bytes",
            bytes.len()
        );
    }
    let header = std::fs::read_to_string(d.join("invoices.csv")).unwrap();
    assert!(
        header
            .lines()
            .next()
            .unwrap()
            .ends_with(",sent_to,sent_on,injected_errors,policy,corrects")
    );
}

fn minor(value: &str, currency: Currency) -> i64 {
    parse_amount(value, currency).unwrap()
}

#[test]
fn exported_ubl_reads_back_with_the_same_key_figures() {
    let data = generate(&options(40, 5, false));
    let dir = tempfile::tempdir().unwrap();
    export(&data, dir.path(), true).unwrap();
    let mut credit_notes = 0;
    for inv in &data.invoices {
        let path = dir
            .path()
            .join("ubl")
            .join(&inv.entity_tax_id)
            .join(format!("{}-{}.xml", inv.series, inv.number));
        let doc = parse_ubl(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let cur = inv.currency;
        assert_eq!(doc.id, invoice_key(&inv.series, &inv.number));
        assert_eq!(doc.issue_date, inv.issue_date);
        assert_eq!(doc.due_date, Some(inv.due_date));
        assert_eq!(doc.currency, cur.as_str());
        assert_eq!(doc.payable.value, format_amount(inv.total.abs(), cur));
        assert_eq!(doc.kind == UblDocKind::CreditNote, inv.total < 0);
        credit_notes += usize::from(inv.total < 0);
        assert_eq!(doc.order_ref, inv.po_number);
        assert_eq!(doc.buyer_reference, inv.po_number);
        assert_eq!(doc.contract_ref, inv.contract_number);
        assert_eq!(doc.notes.first(), inv.mentions.as_ref());
        assert_eq!(
            doc.payee_ibans,
            inv.iban.iter().cloned().collect::<Vec<_>>()
        );
        assert_eq!(doc.seller.vat_id, Some(format!("RO{}", inv.entity_tax_id)));
        assert_eq!(doc.buyer.name, inv.buyer_name);
        let buyer_id = doc
            .buyer
            .vat_id
            .clone()
            .or(doc.buyer.legal_id.clone())
            .unwrap();
        assert_eq!(TaxId::normalize_loose(&buyer_id), inv.buyer_tax_id);
        // Lines add up to the net; net plus VAT is the total.
        let lines: i64 = doc
            .lines
            .iter()
            .map(|l| minor(&l.line_extension_amount.value, cur))
            .sum();
        assert!((1..=2).contains(&doc.lines.len()));
        let net = minor(&doc.line_extension.as_ref().unwrap().value, cur);
        assert_eq!(lines, net);
        assert_eq!(minor(&doc.tax_exclusive.as_ref().unwrap().value, cur), net);
        assert_eq!(
            minor(&doc.tax_inclusive.as_ref().unwrap().value, cur),
            inv.total.abs()
        );
        let xml = std::fs::read_to_string(&path).unwrap();
        let rate_ok = [
            "<cbc:Percent>19</cbc:Percent>",
            "<cbc:Percent>21</cbc:Percent>",
            "<cbc:Percent>0</cbc:Percent>",
        ]
        .iter()
        .any(|p| xml.contains(p));
        assert!(rate_ok && xml.contains("CIUS-RO"), "{}", path.display());
    }
    assert!(credit_notes > 0 || data.invoices.iter().all(|i| i.total > 0));
}

#[test]
fn pdfs_embed_a_font_and_carry_romanian_text() {
    let data = generate(&options(30, 2, true));
    let with_bytes: Vec<&demo::DemoDocument> = data
        .documents
        .iter()
        .filter(|d| !d.bytes.is_empty())
        .collect();
    let types: BTreeSet<DocType> = with_bytes.iter().map(|d| d.row.doc_type).collect();
    for t in [DocType::InvoicePdf, DocType::Contract] {
        assert!(types.contains(&t), "no {t} generated: {types:?}");
    }
    assert!(types.len() >= 4, "{types:?}");
    let files: HashSet<&str> = data
        .documents
        .iter()
        .map(|d| d.file_name.as_str())
        .collect();
    assert_eq!(
        files.len(),
        with_bytes.len(),
        "each file carried by exactly one document"
    );
    for d in &with_bytes {
        assert_eq!(d.file_name, d.row.file);
        assert!(d.bytes.starts_with(b"%PDF-"), "{}", d.file_name);
        assert!(
            d.bytes.len() < 20_000,
            "{} has {} bytes",
            d.file_name,
            d.bytes.len()
        );
        let text = String::from_utf8_lossy(&d.bytes);
        assert!(
            text.contains("/FontFile2") || text.contains("/FontFile3"),
            "{}: font not embedded",
            d.file_name
        );
    }

    let has_pdftotext = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !has_pdftotext {
        eprintln!("pdftotext not installed: text extraction not checked");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (t, word) in [
        (DocType::InvoicePdf, "scadenței"),
        (DocType::Contract, "Părțile"),
    ] {
        let doc = with_bytes.iter().find(|d| d.row.doc_type == t).unwrap();
        let pdf = dir.path().join("x.pdf");
        std::fs::write(&pdf, &doc.bytes).unwrap();
        let out = std::process::Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(word),
            "{}: {word:?} not in {text:?}",
            doc.file_name
        );
    }
}
