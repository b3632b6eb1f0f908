//! The text of each demo document (in Romanian, as the documents of a Romanian supplier are).
//! Everything printed is taken from the rows, so a document never contradicts the CSV files.

use creanta_domain::model::DocType;
use creanta_domain::money::Currency;
use creanta_formats::rows::{ContractRow, DebtorRow, EntityRow, InvoiceRow};
use jiff::ToSpan;
use jiff::civil::Date;

use super::lines;
use super::words::{FIRST_NAMES, MONTHS_RO, SURNAMES};
use crate::pdf::{Fonts, Sheet};

/// What a document is about.
pub struct Ctx<'a> {
    pub entity: &'a EntityRow,
    /// Position of `entity` in the entity list (what it sells).
    pub entity_index: usize,
    pub debtor: &'a DebtorRow,
    pub contract: Option<&'a ContractRow>,
    pub invoice: Option<&'a InvoiceRow>,
    /// The debtor's person who signs (finance or purchasing contact).
    pub signer: Option<&'a str>,
}

impl Ctx<'_> {
    fn foreign(&self) -> bool {
        self.debtor.country.as_deref().is_some_and(|c| c != "RO")
    }

    fn seed(&self) -> u64 {
        let key = self
            .invoice
            .map(|i| format!("{}{}", i.series, i.number))
            .or_else(|| self.contract.map(|c| c.number.clone()))
            .unwrap_or_default();
        key.bytes().fold(0x811c_9dc5u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0193)
        })
    }
}

pub fn date_ro(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), d.month(), d.year())
}

/// `12.345,67 RON`: how amounts are printed on Romanian documents.
pub fn money_ro(minor: i64, currency: Currency) -> String {
    let abs = minor.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{grouped},{:02} {}", abs % 100, currency.as_str())
}

fn tax_label(tax_id: &str) -> String {
    if tax_id.len() == 13 && tax_id.bytes().all(|b| b.is_ascii_digit()) {
        format!("CNP {tax_id}")
    } else if tax_id.bytes().all(|b| b.is_ascii_digit()) {
        format!("CUI RO{tax_id}")
    } else {
        format!("VAT {tax_id}")
    }
}

fn address(row_address: Option<&str>, city: Option<&str>) -> String {
    [row_address, city]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

fn header(s: &mut Sheet, e: &EntityRow) {
    s.heading(&e.name);
    s.small(&format!(
        "{} · Reg. Com. {} · {}",
        tax_label(&e.tax_id),
        e.registration_no.as_deref().unwrap_or("-"),
        address(e.address.as_deref(), e.city.as_deref())
    ));
    s.small(&format!("IBAN: {}", e.ibans.join(", ")));
    s.rule();
}

fn buyer_block(s: &mut Sheet, c: &Ctx<'_>) {
    let (name, tax_id) = match c.invoice {
        Some(i) => (
            i.buyer_name.as_deref().unwrap_or(&c.debtor.name),
            i.buyer_tax_id.as_str(),
        ),
        None => (c.debtor.name.as_str(), c.debtor.tax_id.as_str()),
    };
    s.field("Cumpărător:", name);
    s.field("Cod fiscal:", &tax_label(tax_id));
    s.field(
        "Adresa:",
        &address(c.debtor.address.as_deref(), c.debtor.city.as_deref()),
    );
}

fn invoice_ref(c: &Ctx<'_>) -> String {
    c.invoice.map_or_else(String::new, |i| {
        format!("{} {} din {}", i.series, i.number, date_ro(i.issue_date))
    })
}

/// A person's name picked by `n` (technicians, drivers, delegates).
fn person(n: u64) -> String {
    format!(
        "{} {}",
        FIRST_NAMES[(n % FIRST_NAMES.len() as u64) as usize],
        SURNAMES[((n / 7) % SURNAMES.len() as u64) as usize]
    )
}

pub fn render(fonts: &Fonts, doc_type: DocType, c: &Ctx<'_>) -> Vec<u8> {
    let mut s = Sheet::new();
    header(&mut s, c.entity);
    match (doc_type, c.invoice) {
        (DocType::InvoicePdf, Some(i)) => invoice(&mut s, c, i),
        (DocType::Cmr, Some(i)) => cmr(&mut s, c, i),
        (DocType::AcceptanceReport, Some(i)) => acceptance(&mut s, c, i),
        (DocType::Timesheet, Some(i)) => timesheet(&mut s, c, i),
        (DocType::DeliveryNote, Some(i)) => delivery_note(&mut s, c, i),
        (DocType::OrderConfirmation, Some(i)) => confirmation(&mut s, c, i),
        (DocType::Contract, _) => contract(&mut s, c),
        _ => {
            s.title(&format!("Document: {}", doc_type.code()));
            buyer_block(&mut s, c);
        }
    }
    s.finish(fonts)
}

/// What `documents == false` points every row of a type at.
pub fn placeholder(fonts: &Fonts, doc_type: DocType) -> Vec<u8> {
    let mut s = Sheet::new();
    s.title(&format!("Document înlocuitor: {}", doc_type.code()));
    s.text(
        "Date demonstrative generate fără documente: toate documentele de acest tip \
         trimit la acest fișier. Regenerați cu documente pentru conținutul lor.",
    );
    s.finish(fonts)
}

fn invoice(s: &mut Sheet, c: &Ctx<'_>, i: &InvoiceRow) {
    s.title(if i.total < 0 {
        "FACTURĂ STORNO"
    } else {
        "FACTURĂ"
    });
    s.field("Seria și numărul:", &format!("{} {}", i.series, i.number));
    s.field("Data emiterii:", &date_ro(i.issue_date));
    s.field("Data scadenței:", &date_ro(i.due_date));
    buyer_block(s, c);
    if let Some(contract) = &i.contract_number {
        s.field("Contract:", contract);
    }
    if let Some(po) = &i.po_number {
        s.field("Comandă (PO):", po);
    }
    s.gap(6.0);
    let cols = [0.0, 28.0, 270.0, 305.0, 345.0, 425.0];
    s.row(
        &[
            (cols[0], "Nr."),
            (cols[1], "Denumirea produselor sau a serviciilor"),
            (cols[2], "UM"),
            (cols[3], "Cant."),
            (cols[4], "Preț unitar"),
            (cols[5], "Valoare"),
        ],
        true,
    );
    let (lines, vat) = lines::derive(i, c.entity_index, c.foreign());
    for (n, l) in lines.iter().enumerate() {
        let (nr, qty) = ((n + 1).to_string(), l.quantity.to_string());
        let price = money_ro(l.unit_price, i.currency);
        let value = money_ro(l.amount, i.currency);
        s.row(
            &[
                (cols[0], &nr),
                (cols[1], &l.name),
                (cols[2], &l.unit_code),
                (cols[3], &qty),
                (cols[4], &price),
                (cols[5], &value),
            ],
            false,
        );
    }
    s.rule();
    let net: i64 = lines.iter().map(|l| l.amount).sum();
    s.field("Total fără TVA:", &money_ro(net, i.currency));
    let vat_label = if vat.percent == 0 {
        "TVA (taxare inversă):".to_owned()
    } else {
        format!("TVA {}%:", vat.percent)
    };
    s.field(&vat_label, &money_ro(vat.amount, i.currency));
    s.field("Total de plată:", &money_ro(i.total, i.currency));
    if let Some(iban) = &i.iban {
        s.field("Plata în contul:", iban);
    }
    if let Some(m) = &i.mentions {
        s.gap(6.0);
        s.heading("Mențiuni");
        s.text(m);
    }
    s.signatures("Furnizor", "Primit de cumpărător");
}

fn cmr(s: &mut Sheet, c: &Ctx<'_>, i: &InvoiceRow) {
    let seed = c.seed();
    s.title("SCRISOARE DE TRĂSURĂ INTERNAȚIONALĂ (CMR)");
    s.field("Nr. CMR:", &format!("RO {}{:04}", i.series, seed % 10_000));
    s.field(
        "1. Expeditor:",
        &format!(
            "{}, {}",
            c.entity.name,
            c.entity.city.as_deref().unwrap_or("")
        ),
    );
    s.field("2. Destinatar:", &c.debtor.name);
    s.field(
        "3. Locul livrării:",
        &address(c.debtor.address.as_deref(), c.debtor.city.as_deref()),
    );
    let loaded = i.issue_date.saturating_sub(1.day());
    s.field(
        "4. Locul și data încărcării:",
        &format!(
            "{}, {}",
            c.entity.city.as_deref().unwrap_or(""),
            date_ro(loaded)
        ),
    );
    s.field(
        "6–9. Marfa:",
        &format!(
            "{} colete, echipamente și materiale de instalații; greutate brută {} kg",
            2 + seed % 18,
            150 + seed % 4_850
        ),
    );
    s.field(
        "16. Transportator:",
        &format!(
            "Termoconstruct Logistică și Transport SA, auto B-{:02}-TCL",
            10 + seed % 89
        ),
    );
    s.field("Factura aferentă:", &invoice_ref(c));
    s.text("Marfa a fost primită în stare bună, fără obiecțiuni privind cantitatea și ambalajul.");
    s.signatures(
        "Semnătura expeditorului",
        "Primit: semnătura și ștampila destinatarului",
    );
}

fn acceptance(s: &mut Sheet, c: &Ctx<'_>, i: &InvoiceRow) {
    s.title(&format!(
        "PROCES-VERBAL DE RECEPȚIE nr. {} din {}",
        c.seed() % 9_000 + 1_000,
        date_ro(i.issue_date)
    ));
    let basis = c.contract.map_or_else(
        || "comenzii beneficiarului".to_owned(),
        |k| format!("contractului nr. {}", k.number),
    );
    s.text(&format!(
        "Încheiat astăzi între {}, în calitate de prestator, și {}, în calitate de beneficiar, \
         în baza {}.",
        c.entity.name, c.debtor.name, basis
    ));
    s.gap(4.0);
    s.text(&format!(
        "Obiectul recepției: lucrările și serviciile facturate cu factura {}.",
        invoice_ref(c)
    ));
    s.text(
        "Comisia de recepție constată că lucrările au fost executate integral, la termen, \
         și corespund cerințelor tehnice și de calitate. Recepția se consideră efectuată \
         fără obiecțiuni.",
    );
    s.signatures(
        "Prestator",
        &format!("Beneficiar: {}", c.signer.unwrap_or("reprezentant")),
    );
}

fn timesheet(s: &mut Sheet, c: &Ctx<'_>, i: &InvoiceRow) {
    let seed = c.seed();
    let month = i.issue_date.saturating_sub(1.month());
    s.title(&format!(
        "FOAIE DE PONTAJ – {} {}",
        MONTHS_RO[(month.month() - 1) as usize],
        month.year()
    ));
    s.field("Beneficiar:", &c.debtor.name);
    s.field("Factura aferentă:", &invoice_ref(c));
    s.gap(4.0);
    let cols = [0.0, 80.0, 230.0, 430.0];
    s.row(
        &[
            (cols[0], "Data"),
            (cols[1], "Tehnician"),
            (cols[2], "Activitate"),
            (cols[3], "Ore"),
        ],
        true,
    );
    let mut total = 0;
    for k in 0..(4 + seed % 5) {
        let day = i.issue_date.saturating_sub((3 + 3 * k as i64).days());
        let hours = 4 + (seed >> (k * 3)) % 7;
        total += hours;
        let (d, who, h) = (date_ro(day), person(seed / 3 + k), hours.to_string());
        s.row(
            &[
                (cols[0], &d),
                (cols[1], &who),
                (cols[2], "Intervenție la fața locului"),
                (cols[3], &h),
            ],
            false,
        );
    }
    s.rule();
    s.field("Total ore:", &total.to_string());
    s.signatures("Întocmit: prestator", "Confirmat: beneficiar");
}

fn delivery_note(s: &mut Sheet, c: &Ctx<'_>, i: &InvoiceRow) {
    let seed = c.seed();
    s.title(&format!(
        "AVIZ DE ÎNSOȚIRE A MĂRFII nr. {} din {}",
        seed % 90_000 + 10_000,
        date_ro(i.issue_date)
    ));
    s.field("Furnizor:", &c.entity.name);
    buyer_block(s, c);
    s.field("Factura aferentă:", &invoice_ref(c));
    s.gap(4.0);
    let cols = [0.0, 30.0, 330.0, 390.0];
    s.row(
        &[
            (cols[0], "Nr."),
            (cols[1], "Denumirea mărfii"),
            (cols[2], "UM"),
            (cols[3], "Cantitate"),
        ],
        true,
    );
    let (lines, _) = lines::derive(i, c.entity_index, c.foreign());
    for (n, l) in lines.iter().enumerate() {
        let (nr, q) = ((n + 1).to_string(), l.quantity.to_string());
        s.row(
            &[
                (cols[0], &nr),
                (cols[1], &l.name),
                (cols[2], &l.unit_code),
                (cols[3], &q),
            ],
            false,
        );
    }
    s.rule();
    s.field(
        "Delegat:",
        &format!(
            "{}, mijloc de transport B-{:02}-TCL",
            person(seed),
            10 + seed % 89
        ),
    );
    s.signatures("Semnătura expeditorului", "Semnătura de primire");
}

fn confirmation(s: &mut Sheet, c: &Ctx<'_>, i: &InvoiceRow) {
    let confirmed = i
        .issue_date
        .saturating_sub((2 + (c.seed() % 10) as i64).days());
    s.title("CONFIRMARE DE COMANDĂ");
    s.field("Către:", &c.entity.name);
    s.field("De la:", &c.debtor.name);
    s.field("Data:", &date_ro(confirmed));
    s.gap(6.0);
    let order = i.po_number.as_ref().map_or_else(
        || "transmisă telefonic".to_owned(),
        |po| format!("nr. {po}"),
    );
    s.text(&format!(
        "Prin prezenta confirmăm comanda {order}, facturată ulterior cu factura {}, în valoare \
         totală de {}, cu plata în termenul prevăzut de contract.",
        invoice_ref(c),
        money_ro(i.total, i.currency)
    ));
    s.signatures(
        "Furnizor",
        &format!("Cumpărător: {}", c.signer.unwrap_or("reprezentant")),
    );
}

fn contract(s: &mut Sheet, c: &Ctx<'_>) {
    let Some(k) = c.contract else { return };
    let signed = k.signed_on.map(date_ro).unwrap_or_default();
    s.title(&format!(
        "CONTRACT DE PRESTĂRI SERVICII nr. {} din {signed}",
        k.number
    ));
    s.heading("Art. 1. Părțile contractante");
    s.text(&format!(
        "{}, {}, în calitate de prestator, și {}, {}, în calitate de beneficiar.",
        c.entity.name,
        tax_label(&c.entity.tax_id),
        c.debtor.name,
        tax_label(&c.debtor.tax_id)
    ));
    s.heading("Art. 2. Durata contractului");
    let until = k.valid_until.map_or_else(
        || "pe durată nedeterminată".to_owned(),
        |d| format!("până la {}", date_ro(d)),
    );
    s.text(&format!(
        "Contractul intră în vigoare la {} și este valabil {until}.",
        k.valid_from.map(date_ro).unwrap_or(signed.clone())
    ));
    s.heading("Art. 3. Prețul și modalitatea de plată");
    let currency = k
        .currency
        .map_or("RON", |c| if c == Currency::EUR { "EUR" } else { "RON" });
    s.text(&format!(
        "Facturile se emit în {currency} și se achită prin virament bancar în termen de {} zile \
         calendaristice de la data emiterii, în contul prestatorului.",
        k.payment_terms_days
            .or(c.debtor.payment_terms_days)
            .unwrap_or(30)
    ));
    s.heading("Art. 4. Penalități");
    match &k.penalty_rate_per_day {
        Some(rate) => s.text(&format!(
            "Pentru întârzierea la plată beneficiarul datorează penalități de {}% pe zi de \
             întârziere din suma neachitată.",
            rate.replace('.', ",")
        )),
        None => s.text("Pentru întârzierea la plată se datorează dobânda legală penalizatoare."),
    }
    s.heading("Art. 5. Cerințe privind facturarea");
    let mut demands = Vec::new();
    if k.requires_po || c.debtor.requires_po {
        demands.push("numărul comenzii (PO) pe fiecare factură".to_owned());
    }
    for m in [&k.required_mention, &c.debtor.required_mention]
        .into_iter()
        .flatten()
    {
        demands.push(format!("mențiunea „{m}”"));
    }
    let docs: Vec<&str> = k
        .required_documents
        .iter()
        .chain(&c.debtor.required_documents)
        .map(|d| match d {
            DocType::Cmr => "CMR",
            DocType::AcceptanceReport => "proces-verbal de recepție",
            DocType::Timesheet => "foaie de pontaj",
            DocType::DeliveryNote => "aviz de însoțire a mărfii",
            _ => "document justificativ",
        })
        .collect();
    if !docs.is_empty() {
        demands.push(format!("documentele justificative: {}", docs.join(", ")));
    }
    if k.requires_confirmation || c.debtor.requires_confirmation {
        demands.push("confirmarea scrisă a comenzii înainte de facturare".to_owned());
    }
    if demands.is_empty() {
        s.text("Facturile se transmit electronic, prin RO e-Factura și prin e-mail.");
    } else {
        s.text(&format!(
            "Fiecare factură va fi însoțită de: {}.",
            demands.join("; ")
        ));
    }
    s.heading("Art. 6. Litigii");
    s.text(
        "Litigiile se soluționează pe cale amiabilă, iar în caz contrar de instanțele \
         competente de la sediul prestatorului.",
    );
    s.signatures("Prestator", "Beneficiar");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romanian_money_and_dates() {
        assert_eq!(money_ro(123_456_789, Currency::RON), "1.234.567,89 RON");
        assert_eq!(money_ro(-5, Currency::EUR), "-0,05 EUR");
        assert_eq!(money_ro(100_000, Currency::RON), "1.000,00 RON");
        assert_eq!(date_ro(Date::constant(2025, 3, 7)), "07.03.2025");
    }
}
