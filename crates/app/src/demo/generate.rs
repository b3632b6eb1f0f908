//! Builds the demo data set: entities, debtors with their contacts and contracts, invoice
//! drafts, the injected errors, numbering, payments and documents, in that order.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use creanta_domain::calendar::is_business_day;
use creanta_domain::model::{ContactRole, DocType, Language};
use creanta_domain::money::Currency;
use creanta_formats::rows::{
    ContactRow, ContractRow, DebtorRow, DocumentRow, EntityRow, InvoiceRow, PaymentRow,
};
use creanta_formats::ubl_write::vat_amount;
use jiff::ToSpan;
use jiff::civil::Date;

use super::docs::{self, Ctx};
use super::lines::vat_percent;
use super::rng::Rng;
use super::words::{self, City};
use super::{DemoData, DemoDocument, DemoOptions, Injected, ids, invoice_key};
use crate::pdf::Fonts;

/// How many days back the invoices go: 18 months.
const HISTORY_DAYS: i64 = 548;
/// Random streams: one per debtor, draft, invoice and payment (`TAG | index`), so that what
/// one of them draws never shifts another.
const DEBTOR: u64 = 1 << 40;
const DRAFT: u64 = 2 << 40;
const INVOICE: u64 = 3 << 40;
const PAYMENT: u64 = 4 << 40;
const PAYMENT_ROW: u64 = 5 << 40;
/// Share of invoices that carry an injected error, in per mille.
const ERROR_RATE: usize = 100;

/// Relative frequency of each injected code (recipient_missing is not drawn: it follows from
/// the debtors that have no finance contact). Listed scarcest-eligibility first, so that the
/// codes with few candidates get theirs before the broad ones take invoices away.
const ERROR_WEIGHTS: &[(Injected, usize)] = &[
    (Injected::ContractExpired, 3),
    (Injected::ConfirmationMissing, 5),
    (Injected::MentionMissing, 7),
    (Injected::TaxIdMismatch, 5),
    (Injected::CurrencyMismatch, 4),
    (Injected::DocumentsMissing, 9),
    (Injected::PoMissing, 9),
    (Injected::WrongEntity, 7),
    (Injected::NameMismatch, 7),
    (Injected::TaxIdInvalid, 7),
    (Injected::IbanInvalid, 6),
    (Injected::IbanNotOurs, 6),
    (Injected::TermsMismatch, 9),
    (Injected::WrongRecipient, 8),
];

struct Entity {
    row: EntityRow,
    series: &'static str,
    ibans: Vec<(String, Currency)>,
}

impl Entity {
    /// The account printed on an invoice: the one in its currency, else the first.
    fn iban_for(&self, currency: Currency) -> &str {
        self.ibans
            .iter()
            .find(|(_, c)| *c == currency)
            .unwrap_or(&self.ibans[0])
            .0
            .as_str()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Company,
    /// Persoană fizică autorizată: a CUI, a person's name.
    Pfa,
    /// A private person, identified by CNP.
    Person,
    Foreign(usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Profile {
    /// Pays on or around the due date.
    Good,
    /// Pays, weeks late.
    Slow,
    /// Often does not pay; pays months late when it does.
    Bad,
    /// Stopped paying at some date: everything issued after it is open.
    Stopped(Date),
}

#[derive(Default, Clone)]
struct Req {
    po: bool,
    mention: Option<String>,
    docs: Vec<DocType>,
    confirmation: bool,
}

struct Debtor {
    row: DebtorRow,
    kind: Kind,
    /// The same company under another word, for name_mismatch.
    alt_name: String,
    /// The name as older software prints it (upper case without diacritics, or the legal
    /// form spelled differently): not a mismatch.
    variant_name: String,
    group: Option<usize>,
    finance_email: Option<String>,
    /// The debtor's generic mailbox (office@ or info@).
    generic_email: Option<String>,
    signer: Option<String>,
    entity: usize,
    contract: Option<ContractRow>,
    terms: i64,
    currency: Currency,
    req: Req,
    po_style: u64,
    profile: Profile,
    /// Typical net amount of one invoice, in minor units of `currency`.
    size: i64,
    payer_iban: String,
}

impl Debtor {
    fn foreign(&self) -> bool {
        matches!(self.kind, Kind::Foreign(_))
    }
}

struct Draft {
    debtor: usize,
    entity: usize,
    issue: Date,
    net: i64,
    vat: u8,
    currency: Currency,
    credit_of: Option<usize>,
    credited_by: Option<usize>,
    error: Option<Injected>,
    number: u64,
}

impl Draft {
    fn total(&self) -> i64 {
        self.net + vat_amount(self.net, self.vat)
    }
}

/// Pure and deterministic: the same options give the same data, byte for byte.
pub fn generate(opts: &DemoOptions) -> DemoData {
    let root = Rng::new(opts.seed);
    let today = opts.today;
    let entities = entities(&mut root.fork(1));
    let (mut debtors, contacts) = debtors(&root, opts.debtors, today, &entities);
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, d) in debtors.iter().enumerate() {
        if let Some(g) = d.group {
            groups.entry(g).or_default().push(i);
        }
    }
    let (mut drafts, ranges) = drafts(&root, &debtors, today);
    let world = World {
        debtors: &debtors,
        entities: &entities,
        groups: &groups,
        ranges: &ranges,
    };
    inject(&mut root.fork(4), &mut drafts, &world);
    expire_contracts(&mut root.fork(5), &drafts, &ranges, &mut debtors);
    number(&mut root.fork(6), &mut drafts, &entities);

    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| (drafts[i].issue, drafts[i].entity, drafts[i].number));
    let rows = invoice_rows(&root, &drafts, &debtors, &entities, &groups);
    let (payments, open) = payments(&root, &drafts, &rows, &debtors, today);
    let documents = documents(opts, &drafts, &rows, &open, &debtors, &entities);

    let mut invoices = Vec::with_capacity(rows.len());
    let mut rows: Vec<Option<InvoiceRow>> = rows.into_iter().map(Some).collect();
    for i in order {
        invoices.push(rows[i].take().expect("each draft once"));
    }
    DemoData {
        entities: entities.into_iter().map(|e| e.row).collect(),
        contracts: debtors.iter().filter_map(|d| d.contract.clone()).collect(),
        debtors: debtors.into_iter().map(|d| d.row).collect(),
        contacts,
        invoices,
        payments,
        documents,
    }
}

/// Lookups shared by the steps after the debtors are made.
struct World<'a> {
    debtors: &'a [Debtor],
    entities: &'a [Entity],
    /// Debtor indices per group.
    groups: &'a BTreeMap<usize, Vec<usize>>,
    /// Each debtor's drafts are contiguous: `drafts[ranges[d].clone()]`.
    ranges: &'a [Range<usize>],
}

fn business_day_on_or_before(mut d: Date) -> Date {
    while !is_business_day(d) {
        d = d.saturating_sub(1.day());
    }
    d
}

fn business_day_on_or_after(mut d: Date) -> Date {
    while !is_business_day(d) {
        d = d.saturating_add(1.day());
    }
    d
}

fn days(d: Date, n: i64) -> Date {
    d.saturating_add(n.days())
}

fn street(rng: &mut Rng, city: &City) -> String {
    let base = format!("{} nr. {}", rng.pick(words::STREETS), rng.range(1, 180));
    if city.iso == "B" {
        format!("{base}, Sector {}", rng.range(1, 6))
    } else {
        base
    }
}

fn pick_city(rng: &mut Rng) -> &'static City {
    let weighted: Vec<(u32, usize)> = words::CITIES
        .iter()
        .enumerate()
        .map(|(i, c)| (c.weight, i))
        .collect();
    &words::CITIES[*rng.weighted(&weighted)]
}

fn registration(rng: &mut Rng, prefix: char, city: &City) -> String {
    format!(
        "{prefix}{:02}/{}/{}",
        city.county_no,
        rng.range(100, 24_999),
        rng.range(1993, 2023)
    )
}

fn phone(rng: &mut Rng) -> String {
    format!(
        "07{}{} {} {}",
        rng.range(2, 9),
        rng.digits(1),
        rng.digits(3),
        rng.digits(3)
    )
}

// -------------------------------------------------------------------------------------------
// Entities

fn entities(rng: &mut Rng) -> Vec<Entity> {
    // Name, invoice series, seat, and the banks of its accounts (true: the EUR account).
    type Spec = (
        &'static str,
        &'static str,
        &'static str,
        &'static [(&'static str, bool)],
    );
    let specs: [Spec; 3] = [
        (
            "Termoconstruct Grup SRL",
            "TCG",
            "București",
            &[("BTRL", false), ("BTRL", true)],
        ),
        (
            "Termoconstruct Instalații SRL",
            "TCI",
            "Cluj-Napoca",
            &[("BRDE", false), ("RNCB", true)],
        ),
        (
            "Termoconstruct Logistică și Transport SA",
            "TCL",
            "Brașov",
            &[("RZBR", false)],
        ),
    ];
    let mut seen = HashSet::new();
    specs
        .iter()
        .map(|&(name, series, city_name, banks)| {
            let city = words::city(city_name).expect("listed city");
            let mut tax_id = ids::cui(rng);
            while !seen.insert(tax_id.clone()) {
                tax_id = ids::cui(rng);
            }
            let ibans: Vec<(String, Currency)> = banks
                .iter()
                .map(|&(bank, eur)| {
                    let cur = if eur { Currency::EUR } else { Currency::RON };
                    (ids::ro_iban(rng, Some(bank), eur), cur)
                })
                .collect();
            Entity {
                row: EntityRow {
                    tax_id,
                    name: name.to_owned(),
                    registration_no: Some(registration(rng, 'J', city)),
                    address: Some(street(rng, city)),
                    city: Some(city.name.to_owned()),
                    country: Some("RO".to_owned()),
                    ibans: ibans.iter().map(|(i, _)| i.clone()).collect(),
                    attrs: Default::default(),
                },
                series,
                ibans,
            }
        })
        .collect()
}

// -------------------------------------------------------------------------------------------
// Debtors, contacts, contracts

struct Names {
    used_tax_ids: HashSet<String>,
    used_domains: HashSet<String>,
    used_brands: HashSet<String>,
}

impl Names {
    fn tax_id(&mut self, mut make: impl FnMut() -> String) -> String {
        loop {
            let id = make();
            if self.used_tax_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    fn domain(&mut self, base: &str, tld: &str) -> String {
        let mut n = 1;
        loop {
            let d = if n == 1 {
                format!("{base}.{tld}")
            } else {
                format!("{base}{n}.{tld}")
            };
            if self.used_domains.insert(d.clone()) {
                return d;
            }
            n += 1;
        }
    }

    /// A brand for a company name; for a group (`unique`), one no other group has, since
    /// groups are imported by name. A year makes room once the plain brands run out.
    fn brand(&mut self, rng: &mut Rng, unique: bool) -> String {
        let mut b = String::new();
        for attempt in 0..1_000 {
            let prefix = *rng.pick(words::BRANDS);
            b = if attempt > 40 {
                let suffix = *rng.pick(words::BRAND_SUFFIXES);
                format!("{prefix}{suffix} {}", rng.range(1990, 2024))
            } else if rng.chance(500) || attempt > 3 {
                format!("{prefix}{}", rng.pick(words::BRAND_SUFFIXES))
            } else {
                prefix.to_owned()
            };
            if !unique || self.used_brands.insert(b.clone()) {
                break;
            }
        }
        b
    }
}

/// One debtor's place in the data set before its details are drawn.
struct Slot {
    kind: Kind,
    /// Group index, brand, member index (0 is the holding), first activity of the group.
    group: Option<(usize, String, usize, usize)>,
    office_only: bool,
}

fn slots(rng: &mut Rng, n: usize, names: &mut Names) -> Vec<Slot> {
    let mut out = Vec::with_capacity(n);
    let mut groups = 0;
    while out.len() < n {
        let room = n - out.len();
        if room >= 2 && rng.chance(90) {
            let size = (rng.range(2, 4) as usize).min(room);
            let brand = names.brand(rng, true);
            let base = rng.index(words::ACTIVITIES.len());
            for k in 0..size {
                out.push(Slot {
                    kind: Kind::Company,
                    group: Some((groups, brand.clone(), k, base)),
                    office_only: false,
                });
            }
            groups += 1;
        } else {
            let kind = *rng.weighted(&[
                (875, Kind::Company),
                (20, Kind::Pfa),
                (25, Kind::Person),
                (80, Kind::Foreign(usize::MAX)),
            ]);
            let kind = match kind {
                Kind::Foreign(_) => Kind::Foreign(rng.index(words::FOREIGN.len())),
                k => k,
            };
            let office_only = kind == Kind::Company && rng.chance(60);
            out.push(Slot {
                kind,
                group: None,
                office_only,
            });
        }
    }
    out
}

fn debtors(
    root: &Rng,
    n: usize,
    today: Date,
    entities: &[Entity],
) -> (Vec<Debtor>, Vec<ContactRow>) {
    let mut names = Names {
        used_tax_ids: entities.iter().map(|e| e.row.tax_id.clone()).collect(),
        used_domains: HashSet::new(),
        used_brands: HashSet::new(),
    };
    let slots = slots(&mut root.fork(2), n, &mut names);
    let mut contacts = Vec::with_capacity(n * 3);
    let mut out = Vec::with_capacity(n);
    let mut contract_seq = [0u32; 3];
    for (i, slot) in slots.iter().enumerate() {
        let mut rng = root.fork(DEBTOR | i as u64);
        let code = format!("D{:05}", i + 1);
        let d = debtor(
            &mut rng,
            &code,
            slot,
            today,
            &mut names,
            &mut contacts,
            entities,
            &mut contract_seq,
        );
        out.push(d);
    }
    (out, contacts)
}

#[allow(clippy::too_many_arguments)]
fn debtor(
    rng: &mut Rng,
    code: &str,
    slot: &Slot,
    today: Date,
    names: &mut Names,
    contacts: &mut Vec<ContactRow>,
    entities: &[Entity],
    contract_seq: &mut [u32; 3],
) -> Debtor {
    let city = pick_city(rng);
    let form = *rng.weighted(&[(62, "SRL"), (14, "S.R.L."), (12, "SA"), (4, "S.A.")]);
    let first = *rng.pick(words::FIRST_NAMES);
    let last = *rng.pick(words::SURNAMES);
    let other_last = loop {
        let s = *rng.pick(words::SURNAMES);
        if s != last {
            break s;
        }
    };

    // Name, its mismatching alternative, tax id, address, mail domain.
    let (name, alt_name, tax_id, registration_no, country, city_name, address, domain, group) =
        match slot.kind {
            Kind::Company => {
                let (brand, activity, form, group) = match &slot.group {
                    Some((g, brand, 0, _)) => (brand.clone(), "Holding".to_owned(), "SA", Some(*g)),
                    Some((g, brand, k, base)) => {
                        // Distinct activities, so that sister companies never share a name.
                        let activity = words::ACTIVITIES[(base + 7 * k) % words::ACTIVITIES.len()];
                        (brand.clone(), activity.to_owned(), form, Some(*g))
                    }
                    None => (
                        names.brand(rng, false),
                        (*rng.pick(words::ACTIVITIES)).to_owned(),
                        form,
                        None,
                    ),
                };
                let other = loop {
                    let a = *rng.pick(words::ACTIVITIES);
                    if a != activity {
                        break a;
                    }
                };
                let tax_id = names.tax_id(|| ids::cui(rng));
                let domain = names.domain(
                    &format!(
                        "{}{}",
                        words::slug(&brand),
                        words::slug(activity.split(' ').next().unwrap_or(""))
                    ),
                    "ro",
                );
                (
                    format!("{brand} {activity} {form}"),
                    format!("{brand} {other} {form}"),
                    tax_id,
                    Some(registration(rng, 'J', city)),
                    "RO".to_owned(),
                    city.name.to_owned(),
                    street(rng, city),
                    domain,
                    group,
                )
            }
            Kind::Pfa => {
                let tax_id = names.tax_id(|| ids::cui(rng));
                (
                    format!("{last} {first} PFA"),
                    format!("{other_last} {first} PFA"),
                    tax_id,
                    Some(registration(rng, 'F', city)),
                    "RO".to_owned(),
                    city.name.to_owned(),
                    street(rng, city),
                    "gmail.com".to_owned(),
                    None,
                )
            }
            Kind::Person => {
                let county = if city.iso == "B" {
                    40 + rng.range(1, 6) as u8
                } else {
                    city.county_no
                };
                let tax_id = names.tax_id(|| ids::cnp(rng, county));
                (
                    format!("{first} {last}"),
                    format!("{first} {other_last}"),
                    tax_id,
                    None,
                    "RO".to_owned(),
                    city.name.to_owned(),
                    street(rng, city),
                    (*rng.pick(&["gmail.com", "yahoo.com"])).to_owned(),
                    None,
                )
            }
            Kind::Foreign(f) => {
                let fc = &words::FOREIGN[f];
                let surname = *rng.pick(fc.surnames);
                let activity = *rng.pick(fc.activities);
                let other = loop {
                    let a = *rng.pick(fc.surnames);
                    if a != surname {
                        break a;
                    }
                };
                let number = match fc.code {
                    "AT" => format!("U{}", rng.digits(8)),
                    "NL" => format!("{}B01", rng.digits(9)),
                    "HU" => rng.digits(8),
                    _ => rng.digits(9),
                };
                let tax_id = names.tax_id(|| format!("{}{number}", fc.code));
                let domain = names.domain(
                    &format!("{}{}", words::slug(surname), words::slug(activity)),
                    fc.tld,
                );
                (
                    format!("{surname} {activity} {}", fc.form),
                    format!("{other} {activity} {}", fc.form),
                    tax_id,
                    None,
                    fc.code.to_owned(),
                    (*rng.pick(fc.cities)).to_owned(),
                    format!("{} {}", fc.street, rng.range(1, 140)),
                    domain,
                    None,
                )
            }
        };
    let variant_name = if matches!(slot.kind, Kind::Foreign(_)) {
        name.to_uppercase()
    } else if rng.chance(500) {
        words::ascii_fold(&name).to_uppercase()
    } else if let Some(stem) = name.strip_suffix(" SRL") {
        format!("{stem} S.R.L.")
    } else if let Some(stem) = name.strip_suffix(" S.R.L.") {
        format!("{stem} SRL")
    } else {
        name.to_lowercase()
    };

    // Contacts.
    let mut finance_email = None;
    let mut generic_email = None;
    let mut signer = None;
    let contact_name = |rng: &mut Rng| -> (String, String) {
        match slot.kind {
            Kind::Foreign(f) => {
                let fc = &words::FOREIGN[f];
                (
                    (*rng.pick(fc.first_names)).to_owned(),
                    (*rng.pick(fc.surnames)).to_owned(),
                )
            }
            _ => (
                (*rng.pick(words::FIRST_NAMES)).to_owned(),
                (*rng.pick(words::SURNAMES)).to_owned(),
            ),
        }
    };
    let phone_for = |rng: &mut Rng| match slot.kind {
        Kind::Foreign(f) => format!("{} {}", words::FOREIGN[f].phone_prefix, rng.digits(9)),
        _ => phone(rng),
    };
    let mailbox = |first: &str, last: &str| format!("{}.{}", words::slug(first), words::slug(last));
    if slot.office_only {
        let email = format!("office@{domain}");
        contacts.push(ContactRow {
            debtor_code: code.to_owned(),
            name: "Secretariat".to_owned(),
            email: Some(email.clone()),
            phone: Some(format!("021 {} {}", rng.digits(3), rng.digits(4))),
            role: ContactRole::General,
            primary: true,
            attrs: Default::default(),
        });
        generic_email = Some(email);
    } else if matches!(slot.kind, Kind::Person | Kind::Pfa) {
        let email = format!("{}{}@{domain}", mailbox(first, last), rng.range(1, 99));
        contacts.push(ContactRow {
            debtor_code: code.to_owned(),
            name: format!("{first} {last}"),
            email: Some(email.clone()),
            phone: Some(phone(rng)),
            role: ContactRole::Finance,
            primary: true,
            attrs: Default::default(),
        });
        finance_email = Some(email);
        signer = Some(format!("{first} {last}"));
    } else {
        let (f, l) = contact_name(rng);
        let email = format!("{}@{domain}", mailbox(&f, &l));
        contacts.push(ContactRow {
            debtor_code: code.to_owned(),
            name: format!("{f} {l}"),
            email: Some(email.clone()),
            phone: Some(phone_for(rng)),
            role: ContactRole::Finance,
            primary: true,
            attrs: Default::default(),
        });
        finance_email = Some(email);
        signer = Some(format!("{f} {l}"));
        let extra = [
            (100, ContactRole::Finance),
            (450, ContactRole::Purchasing),
            (300, ContactRole::Management),
            (50, ContactRole::Legal),
        ];
        for (chance, role) in extra {
            if rng.chance(chance) {
                let (f2, l2) = contact_name(rng);
                let email = format!("{}@{domain}", mailbox(&f2, &l2));
                // Contact names are unique per debtor (and the address follows the name).
                let taken = contacts
                    .iter()
                    .rev()
                    .take_while(|c| c.debtor_code == code)
                    .any(|c| c.email.as_deref() == Some(email.as_str()));
                if taken {
                    continue;
                }
                if role == ContactRole::Purchasing {
                    signer = Some(format!("{f2} {l2}"));
                }
                contacts.push(ContactRow {
                    debtor_code: code.to_owned(),
                    name: format!("{f2} {l2}"),
                    email: Some(email),
                    phone: rng.chance(700).then(|| phone_for(rng)),
                    role,
                    primary: false,
                    attrs: Default::default(),
                });
            }
        }
        let generic = format!("{}@{domain}", rng.pick(&["office", "info", "contact"]));
        if rng.chance(350) {
            contacts.push(ContactRow {
                debtor_code: code.to_owned(),
                name: (*rng.pick(&["Secretariat", "Recepție", "Registratură"])).to_owned(),
                email: Some(generic.clone()),
                phone: None,
                role: ContactRole::General,
                primary: false,
                attrs: Default::default(),
            });
        }
        generic_email = Some(generic);
    }

    // Commercial terms.
    let terms = *rng.weighted(&[(15, 15i64), (50, 30), (15, 45), (20, 60)]);
    let currency = match slot.kind {
        Kind::Foreign(_) => Currency::EUR,
        Kind::Company if rng.chance(60) => Currency::EUR,
        _ => Currency::RON,
    };
    let mut entity = *rng.weighted(&[(50, 0usize), (30, 1), (20, 2)]);
    if entities[entity].ibans.iter().all(|(_, c)| *c != currency) {
        entity = rng.index(2);
    }
    let is_company = matches!(slot.kind, Kind::Company | Kind::Foreign(_));
    let req = Req {
        po: is_company && rng.chance(200),
        mention: (is_company && rng.chance(100))
            .then(|| words::mention(rng.next_u64(), rng.next_u64())),
        docs: if is_company && rng.chance(250) {
            let options: &[(u32, &[DocType])] = match entity {
                0 => &[
                    (60, &[DocType::AcceptanceReport]),
                    (20, &[DocType::AcceptanceReport, DocType::Timesheet]),
                    (20, &[DocType::Timesheet]),
                ],
                1 => &[
                    (40, &[DocType::AcceptanceReport]),
                    (30, &[DocType::Timesheet]),
                    (30, &[DocType::DeliveryNote]),
                ],
                _ => &[
                    (50, &[DocType::Cmr]),
                    (30, &[DocType::Cmr, DocType::DeliveryNote]),
                    (20, &[DocType::DeliveryNote]),
                ],
            };
            rng.weighted(options).to_vec()
        } else {
            Vec::new()
        },
        confirmation: is_company && rng.chance(100),
    };
    let has_contract = match slot.kind {
        Kind::Company | Kind::Foreign(_) => rng.chance(880),
        Kind::Pfa => rng.chance(500),
        Kind::Person => false,
    };
    // Each requirement sits on the contract or on the debtor; the check must read both.
    let on_contract = |rng: &mut Rng| has_contract && rng.chance(600);
    let (mut dreq, mut creq) = (Req::default(), Req::default());
    if req.po {
        if on_contract(rng) {
            creq.po = true
        } else {
            dreq.po = true
        }
    }
    if let Some(m) = &req.mention {
        if on_contract(rng) {
            creq.mention = Some(m.clone())
        } else {
            dreq.mention = Some(m.clone())
        }
    }
    if !req.docs.is_empty() {
        if on_contract(rng) {
            creq.docs = req.docs.clone()
        } else {
            dreq.docs = req.docs.clone()
        }
    }
    if req.confirmation {
        if on_contract(rng) {
            creq.confirmation = true
        } else {
            dreq.confirmation = true
        }
    }

    let contract = has_contract.then(|| {
        contract_seq[entity] += 1;
        let valid_from = days(today, -rng.range(HISTORY_DAYS + 10, 1_500));
        let signed_on = days(valid_from, -rng.range(0, 20));
        let year = signed_on.year();
        ContractRow {
            debtor_code: code.to_owned(),
            number: format!(
                "{}-C{:05}/{year}",
                entities[entity].series, contract_seq[entity]
            ),
            entity_tax_id: entities[entity].row.tax_id.clone(),
            signed_on: Some(signed_on),
            valid_from: Some(valid_from),
            valid_until: rng.chance(600).then(|| days(today, rng.range(30, 900))),
            payment_terms_days: Some(terms),
            currency: Some(currency),
            penalty_rate_per_day: rng
                .weighted(&[
                    (60, Some("0.1")),
                    (15, Some("0.05")),
                    (10, Some("0.02")),
                    (15, None),
                ])
                .map(str::to_owned),
            policy: None,
            requires_po: creq.po,
            required_mention: creq.mention.take(),
            required_documents: std::mem::take(&mut creq.docs),
            requires_confirmation: creq.confirmation,
            attrs: Default::default(),
        }
    });

    let profile = match *rng.weighted(&[(55, 0u8), (30, 1), (10, 2), (5, 3)]) {
        0 => Profile::Good,
        1 => Profile::Slow,
        2 => Profile::Bad,
        _ => Profile::Stopped(days(today, -rng.range(90, 300))),
    };
    let lei = match slot.kind {
        Kind::Person | Kind::Pfa => *rng.pick(&[300i64, 500, 800, 1_200, 2_000, 3_000]),
        _ => *rng.weighted(&[
            (4, 500i64),
            (8, 1_200),
            (12, 2_500),
            (14, 5_000),
            (14, 9_000),
            (12, 15_000),
            (10, 25_000),
            (8, 45_000),
            (5, 80_000),
            (3, 150_000),
        ]),
    };
    let size = if currency == Currency::EUR {
        lei * 100 / 5
    } else {
        lei * 100
    };
    let payer_iban = match slot.kind {
        Kind::Foreign(f) => ids::foreign_iban(rng, words::FOREIGN[f].code),
        _ => ids::ro_iban(rng, None, currency == Currency::EUR),
    };
    let language =
        if slot.kind == Kind::Company && rng.chance(20) || matches!(slot.kind, Kind::Foreign(_)) {
            Language::En
        } else {
            Language::Ro
        };

    Debtor {
        row: DebtorRow {
            code: code.to_owned(),
            name,
            tax_id,
            registration_no,
            group: slot
                .group
                .as_ref()
                .map(|(_, brand, _, _)| format!("Grup {brand}")),
            country: Some(country),
            city: Some(city_name),
            address: Some(address),
            language: Some(language),
            owner: Some((*rng.weighted(words::COLLECTORS)).to_owned()),
            policy: None,
            payment_terms_days: Some(terms),
            requires_po: dreq.po,
            required_mention: dreq.mention,
            required_documents: dreq.docs,
            requires_confirmation: dreq.confirmation,
            attrs: Default::default(),
        },
        kind: slot.kind,
        alt_name,
        variant_name,
        group,
        finance_email,
        generic_email,
        signer,
        entity,
        contract,
        terms,
        currency,
        req,
        po_style: rng.below(3),
        profile,
        size,
        payer_iban,
    }
}

// -------------------------------------------------------------------------------------------
// Invoices

fn drafts(root: &Rng, debtors: &[Debtor], today: Date) -> (Vec<Draft>, Vec<Range<usize>>) {
    let mut out = Vec::with_capacity(debtors.len() * 10);
    let mut ranges = Vec::with_capacity(debtors.len());
    for (di, d) in debtors.iter().enumerate() {
        let mut rng = root.fork(DRAFT | di as u64);
        let count = match d.kind {
            Kind::Person => rng.range(1, 4),
            Kind::Pfa => rng.range(3, 8),
            _ => rng.range(6, 14),
        } as usize;
        let mut dates: Vec<Date> = (0..count)
            .map(|_| business_day_on_or_before(days(today, -rng.range(0, HISTORY_DAYS - 3))))
            .collect();
        dates.sort();
        let start = out.len();
        for issue in dates {
            // Whole lei (or euro): amounts on real invoices rarely carry odd cents before VAT.
            let net = d.size * rng.range(40, 180) / 100 / 100 * 100;
            out.push(Draft {
                debtor: di,
                entity: d.entity,
                issue,
                net: net.max(10_000),
                vat: vat_percent(issue, d.foreign()),
                currency: d.currency,
                credit_of: None,
                credited_by: None,
                error: None,
                number: 0,
            });
        }
        // Now and then a partial credit note corrects an earlier invoice of the debtor.
        if count >= 3 && rng.chance(120) {
            let orig = start + rng.index(count - 1);
            let issue = business_day_on_or_before(days(out[orig].issue, rng.range(3, 25)));
            if issue > out[orig].issue && issue <= today {
                let net = -(out[orig].net * rng.range(10, 40) / 100 / 100 * 100).max(100);
                let vat = out[orig].vat;
                let idx = out.len();
                out[orig].credited_by = Some(idx);
                out.push(Draft {
                    debtor: di,
                    entity: d.entity,
                    issue,
                    net,
                    vat,
                    currency: d.currency,
                    credit_of: Some(orig),
                    credited_by: None,
                    error: None,
                    number: 0,
                });
            }
        }
        ranges.push(start..out.len());
    }
    (out, ranges)
}

fn eligible(code: Injected, d: &Debtor, groups: &BTreeMap<usize, Vec<usize>>) -> bool {
    let has_contract = d.contract.is_some();
    match code {
        Injected::WrongEntity | Injected::CurrencyMismatch => has_contract,
        Injected::TaxIdInvalid => matches!(d.kind, Kind::Company | Kind::Pfa),
        Injected::TaxIdMismatch => d.group.is_some_and(|g| groups[&g].len() > 1),
        Injected::NameMismatch => d.group.is_none(),
        Injected::IbanInvalid | Injected::IbanNotOurs | Injected::TermsMismatch => true,
        Injected::PoMissing => d.req.po,
        Injected::MentionMissing => d.req.mention.is_some(),
        Injected::DocumentsMissing => !d.req.docs.is_empty(),
        Injected::ConfirmationMissing => d.req.confirmation,
        Injected::WrongRecipient => {
            d.finance_email.is_some() && matches!(d.kind, Kind::Company | Kind::Foreign(_))
        }
        // Drawn separately: see `inject`.
        Injected::ContractExpired | Injected::RecipientMissing => false,
    }
}

/// Marks about ERROR_RATE of the invoices with one error each, by quota per code so that
/// every code appears even in a small data set.
fn inject(rng: &mut Rng, drafts: &mut [Draft], world: &World<'_>) {
    let (debtors, entities) = (world.debtors, world.entities);
    let mut forced = 0;
    for d in drafts.iter_mut() {
        if debtors[d.debtor].finance_email.is_none() {
            d.error = Some(Injected::RecipientMissing);
            forced += 1;
        }
    }
    let target = (drafts.len() * ERROR_RATE / 1000).saturating_sub(forced);
    let weight_sum: usize = ERROR_WEIGHTS.iter().map(|(_, w)| w).sum();
    // Invoices corrected by a credit note, and credit notes, stay clean: an error would
    // have to be repeated on the pair.
    let free = |d: &Draft| d.error.is_none() && d.credit_of.is_none() && d.credited_by.is_none();

    for &(code, weight) in ERROR_WEIGHTS {
        let quota = if target == 0 {
            0
        } else {
            (target * weight / weight_sum).max(1)
        };
        let mut candidates: Vec<usize> = if code == Injected::ContractExpired {
            // Only a debtor's strictly last document can fall after its contract while
            // every other one stays within it.
            world
                .ranges
                .iter()
                .enumerate()
                .filter(|(di, r)| debtors[*di].contract.is_some() && !r.is_empty())
                .filter_map(|(_, r)| {
                    let last = r.clone().max_by_key(|&j| (drafts[j].issue, j))?;
                    let alone = r
                        .clone()
                        .all(|j| j == last || drafts[j].issue < drafts[last].issue);
                    (alone && free(&drafts[last])).then_some(last)
                })
                .collect()
        } else {
            (0..drafts.len())
                .filter(|&i| {
                    free(&drafts[i]) && eligible(code, &debtors[drafts[i].debtor], world.groups)
                })
                .collect()
        };
        for i in rng.sample(&mut candidates, quota) {
            drafts[i].error = Some(code);
        }
    }

    for d in drafts.iter_mut() {
        match d.error {
            Some(Injected::WrongEntity) => {
                let others: Vec<usize> = (0..entities.len()).filter(|&e| e != d.entity).collect();
                let with_currency: Vec<usize> = others
                    .iter()
                    .copied()
                    .filter(|&e| entities[e].ibans.iter().any(|(_, c)| *c == d.currency))
                    .collect();
                d.entity = *rng.pick(if with_currency.is_empty() {
                    &others
                } else {
                    &with_currency
                });
            }
            Some(Injected::CurrencyMismatch) => {
                // Converted at about 4.97 lei per euro, to whole units.
                if d.currency == Currency::EUR {
                    d.currency = Currency::RON;
                    d.net = d.net * 497 / 100 / 100 * 100;
                } else {
                    d.currency = Currency::EUR;
                    d.net = (d.net * 100 / 497 / 100 * 100).max(10_000);
                }
            }
            _ => {}
        }
    }
}

/// The contract of a debtor whose last invoice is `contract_expired` ends between its
/// previous invoice and that one.
fn expire_contracts(
    rng: &mut Rng,
    drafts: &[Draft],
    ranges: &[Range<usize>],
    debtors: &mut [Debtor],
) {
    for (i, d) in drafts.iter().enumerate() {
        if d.error != Some(Injected::ContractExpired) {
            continue;
        }
        let previous = ranges[d.debtor]
            .clone()
            .filter(|&j| j != i)
            .map(|j| drafts[j].issue)
            .max();
        let debtor = &mut debtors[d.debtor];
        let Some(contract) = debtor.contract.as_mut() else {
            continue;
        };
        let from = contract.valid_from.expect("demo contracts have a start");
        let until = match previous {
            Some(p) => days(p, rng.range(0, (d.issue - p).get_days() as i64 - 1)),
            None => days(d.issue, -rng.range(1, 60)).max(from),
        };
        contract.valid_until = Some(until);
    }
}

/// Numbers every series in issue order, starting somewhere past 1 as a series in use does.
fn number(rng: &mut Rng, drafts: &mut [Draft], entities: &[Entity]) {
    for e in 0..entities.len() {
        let mut mine: Vec<usize> = (0..drafts.len())
            .filter(|&i| drafts[i].entity == e)
            .collect();
        mine.sort_by_key(|&i| (drafts[i].issue, i));
        let start = rng.range(1_000, 4_000) as u64;
        for (k, i) in mine.into_iter().enumerate() {
            drafts[i].number = start + k as u64;
        }
    }
}

fn po_number(rng: &mut Rng, style: u64, issue: Date) -> String {
    match style {
        0 => format!("PO-{}-{}", issue.year(), rng.digits(5)),
        1 => format!("45000{}", rng.digits(5)),
        _ => format!(
            "CMD {}/{:02}.{:02}.{}",
            rng.range(100, 9_999),
            issue.day(),
            issue.month(),
            issue.year()
        ),
    }
}

fn invoice_rows(
    root: &Rng,
    drafts: &[Draft],
    debtors: &[Debtor],
    entities: &[Entity],
    groups: &BTreeMap<usize, Vec<usize>>,
) -> Vec<InvoiceRow> {
    let mut rows: Vec<InvoiceRow> = Vec::with_capacity(drafts.len());
    // Credit notes come after their invoice in `drafts`, so the invoice's row exists.
    for (i, dr) in drafts.iter().enumerate() {
        let mut rng = root.fork(INVOICE | i as u64);
        let d = &debtors[dr.debtor];
        let e = &entities[dr.entity];
        let error = dr.error;
        let series = e.series.to_owned();
        let number = format!("{:06}", dr.number);

        let terms = if error == Some(Injected::TermsMismatch) {
            *rng.pick(
                &[15i64, 30, 45, 60, 90]
                    .iter()
                    .copied()
                    .filter(|t| *t != d.terms)
                    .collect::<Vec<_>>(),
            )
        } else {
            d.terms
        };

        let (mut buyer_tax_id, mut buyer_name) = (d.row.tax_id.clone(), d.row.name.clone());
        match error {
            Some(Injected::TaxIdInvalid) => {
                buyer_tax_id = ids::break_check_digit(&mut rng, &d.row.tax_id)
            }
            Some(Injected::TaxIdMismatch) => {
                let group = d.group.expect("eligible debtors are in a group");
                let sisters: Vec<&Debtor> = groups[&group]
                    .iter()
                    .map(|&o| &debtors[o])
                    .filter(|o| o.row.code != d.row.code)
                    .collect();
                let sister = *rng.pick(&sisters);
                buyer_tax_id = sister.row.tax_id.clone();
                buyer_name = sister.row.name.clone();
            }
            Some(Injected::NameMismatch) => buyer_name = d.alt_name.clone(),
            None if rng.chance(30) => buyer_name = d.variant_name.clone(),
            _ => {}
        }

        let original = dr.credit_of.map(|o| &rows[o]);
        let po_number = match (original, error) {
            (Some(o), _) => o.po_number.clone(),
            (None, Some(Injected::PoMissing)) => None,
            (None, _) if d.req.po || rng.chance(120) => {
                Some(po_number(&mut rng, d.po_style, dr.issue))
            }
            _ => None,
        };

        let mut mentions = Vec::new();
        if let Some(m) = &d.req.mention
            && error != Some(Injected::MentionMissing)
        {
            mentions.push(m.clone());
        }
        if let Some(o) = original {
            mentions.push(format!(
                "Stornare parțială a facturii {} din {}",
                invoice_key(&o.series, &o.number),
                docs::date_ro(o.issue_date)
            ));
        } else if rng.chance(250) {
            mentions.push((*rng.pick(words::FREE_MENTIONS)).to_owned());
        }

        let iban = match error {
            Some(Injected::IbanInvalid) => ids::break_iban(&mut rng, e.iban_for(dr.currency)),
            Some(Injected::IbanNotOurs) => {
                ids::ro_iban(&mut rng, Some("BACX"), dr.currency == Currency::EUR)
            }
            _ => e.iban_for(dr.currency).to_owned(),
        };
        let sent_to = match error {
            Some(Injected::WrongRecipient) => d.generic_email.clone(),
            _ => d.finance_email.clone().or_else(|| d.generic_email.clone()),
        };

        rows.push(InvoiceRow {
            entity_tax_id: e.row.tax_id.clone(),
            series,
            number,
            issue_date: dr.issue,
            due_date: days(dr.issue, terms),
            buyer_tax_id,
            buyer_name: Some(buyer_name),
            debtor_code: Some(d.row.code.clone()),
            currency: dr.currency,
            total: dr.total(),
            po_number,
            contract_number: d.contract.as_ref().map(|c| c.number.clone()),
            mentions: (!mentions.is_empty()).then(|| mentions.join("; ")),
            iban: Some(iban),
            sent_to,
            sent_on: Some(dr.issue),
            injected_errors: error.map(|e| e.code().to_owned()),
            policy: None,
            corrects: original.map(|o| format!("{}{}", o.series, o.number)),
            attrs: Default::default(),
        });
    }
    rows
}

// -------------------------------------------------------------------------------------------
// Payments

/// Payments, and how much of each invoice is still open at `today`.
fn payments(
    root: &Rng,
    drafts: &[Draft],
    rows: &[InvoiceRow],
    debtors: &[Debtor],
    today: Date,
) -> (Vec<PaymentRow>, Vec<i64>) {
    struct Paid {
        date: Date,
        invoice: usize,
        part: u8,
        amount: i64,
    }
    let mut paid: Vec<Paid> = Vec::with_capacity(drafts.len());
    let mut open: Vec<i64> = rows.iter().map(|r| r.total.max(0)).collect();
    for (i, dr) in drafts.iter().enumerate() {
        if dr.net < 0 {
            continue;
        }
        let mut rng = root.fork(PAYMENT | i as u64);
        let d = &debtors[dr.debtor];
        let row = &rows[i];
        let credit = dr.credited_by.map(|c| (rows[c].total, rows[c].issue_date));
        let due_amount = row.total + credit.map_or(0, |c| c.0);
        let due = row.due_date;
        let mut date = if due > today {
            // Not due yet: a few pay early.
            if !rng.chance(120) || today <= days(row.issue_date, 3) {
                continue;
            }
            days(
                row.issue_date,
                rng.range(3, (today - row.issue_date).get_days() as i64),
            )
        } else {
            let stopped = matches!(d.profile, Profile::Stopped(s) if row.issue_date >= s);
            let unpaid = match d.profile {
                Profile::Good => 40,
                Profile::Slow => 100,
                Profile::Bad => 450,
                Profile::Stopped(_) => 80,
            };
            // Our own errors hold payment up: most such invoices wait for a correction.
            if stopped || rng.chance(unpaid) || (dr.error.is_some() && rng.chance(600)) {
                continue;
            }
            let delay = if dr.error.is_some() {
                rng.range(10, 60)
            } else {
                match d.profile {
                    Profile::Good => rng.range(-10, 3),
                    Profile::Slow => rng.range(0, 45),
                    Profile::Bad => rng.range(15, 120),
                    Profile::Stopped(_) => rng.range(0, 30),
                }
            };
            days(due, delay)
        };
        if let Some((_, credited_on)) = credit {
            date = date.max(credited_on);
        }
        date = business_day_on_or_after(date.max(days(row.issue_date, 1)));
        if date > today {
            continue;
        }
        let roll = rng.below(100);
        if roll < 5 {
            // Partial payment, the rest stays open.
            let part = due_amount * rng.range(30, 70) / 100 / 100 * 100;
            paid.push(Paid {
                date,
                invoice: i,
                part: 0,
                amount: part,
            });
            open[i] = row.total - part;
        } else if roll < 9 {
            // Two instalments; the second only if it has happened by today.
            let first = due_amount / 2 / 100 * 100;
            paid.push(Paid {
                date,
                invoice: i,
                part: 0,
                amount: first,
            });
            let second_date = business_day_on_or_after(days(date, rng.range(5, 20)));
            if second_date <= today {
                paid.push(Paid {
                    date: second_date,
                    invoice: i,
                    part: 1,
                    amount: due_amount - first,
                });
                open[i] = row.total - due_amount;
            } else {
                open[i] = row.total - first;
            }
        } else {
            paid.push(Paid {
                date,
                invoice: i,
                part: 0,
                amount: due_amount,
            });
            open[i] = row.total - due_amount;
        }
    }
    // A credit note settles against its invoice; the payments above were of the net.
    for (i, dr) in drafts.iter().enumerate() {
        if let Some(c) = dr.credited_by {
            open[i] += rows[c].total;
        }
    }
    paid.sort_by_key(|p| (p.date, p.invoice, p.part));
    let out = paid
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let row = &rows[p.invoice];
            let d = &debtors[drafts[p.invoice].debtor];
            let mut rng = root.fork(PAYMENT_ROW | n as u64);
            let key = invoice_key(&row.series, &row.number);
            let reference = if d.foreign() {
                format!("Payment invoice {key}")
            } else {
                match rng.below(4) {
                    0 => format!("Plata factura {key}"),
                    1 => format!("c/v fact {key} din {}", docs::date_ro(row.issue_date)),
                    2 => format!("OP {} contravaloare factura {key}", rng.range(1, 9_999)),
                    _ => key.clone(),
                }
            };
            // Banks print the payer's name in capitals without diacritics more often than not.
            let payer_name = if rng.chance(500) {
                words::ascii_fold(&d.row.name).to_uppercase()
            } else {
                d.row.name.clone()
            };
            PaymentRow {
                date: p.date,
                amount: p.amount,
                currency: row.currency,
                payer_name: Some(payer_name),
                payer_tax_id: Some(d.row.tax_id.clone()),
                payer_iban: Some(d.payer_iban.clone()),
                reference: Some(reference),
                invoice_number: Some(key),
                transaction_id: Some(format!(
                    "TRX{}{:02}{:02}-{:08}",
                    p.date.year(),
                    p.date.month(),
                    p.date.day(),
                    n + 1
                )),
                attrs: Default::default(),
            }
        })
        .collect();
    (out, open)
}

// -------------------------------------------------------------------------------------------
// Documents

fn documents(
    opts: &DemoOptions,
    drafts: &[Draft],
    rows: &[InvoiceRow],
    open: &[i64],
    debtors: &[Debtor],
    entities: &[Entity],
) -> Vec<DemoDocument> {
    let fonts = Fonts::load();
    let mut out = Vec::new();
    let mut written: HashSet<String> = HashSet::new();
    let mut add = |file_name: String, row: DocumentRow, make: &dyn Fn() -> Vec<u8>| {
        let bytes = if written.insert(file_name.clone()) {
            make()
        } else {
            Vec::new()
        };
        out.push(DemoDocument {
            file_name,
            bytes,
            row,
        });
    };
    let file_for = |doc_type: DocType, specific: String| {
        if opts.documents {
            specific
        } else {
            format!("docs/placeholder-{}.pdf", doc_type.code())
        }
    };
    let entity_of = |tax_id: &str| {
        entities
            .iter()
            .position(|e| e.row.tax_id == tax_id)
            .unwrap_or(0)
    };

    for d in debtors {
        let Some(k) = &d.contract else { continue };
        let ei = entity_of(&k.entity_tax_id);
        let file = file_for(
            DocType::Contract,
            format!("docs/contract-{}.pdf", k.number.replace('/', "-")),
        );
        let ctx = Ctx {
            entity: &entities[ei].row,
            entity_index: ei,
            debtor: &d.row,
            contract: Some(k),
            invoice: None,
            signer: d.signer.as_deref(),
        };
        let row = DocumentRow {
            date: None,
            file: file.clone(),
            doc_type: DocType::Contract,
            invoice_number: None,
            debtor_code: Some(d.row.code.clone()),
            contract_number: Some(k.number.clone()),
        };
        add(file, row, &|| render(opts, &fonts, DocType::Contract, &ctx));
    }

    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| (rows[i].issue_date, drafts[i].entity, drafts[i].number));
    for i in order {
        let dr = &drafts[i];
        let d = &debtors[dr.debtor];
        let row = &rows[i];
        let key = invoice_key(&row.series, &row.number);
        // A credit note is supported by the documents of the invoice it corrects.
        let source = dr.credit_of.unwrap_or(i);
        let source_row = &rows[source];
        let mut types: Vec<DocType> = d.req.docs.clone();
        if dr.error == Some(Injected::DocumentsMissing) {
            let drop = (dr.number as usize) % types.len();
            types.remove(drop);
        }
        if d.req.confirmation && dr.error != Some(Injected::ConfirmationMissing) {
            types.push(DocType::OrderConfirmation);
        }
        if row.total > 0 && open[i] > 0 {
            types.push(DocType::InvoicePdf);
        }
        for t in types {
            let (src, src_row) = if t == DocType::InvoicePdf {
                (i, row)
            } else {
                (source, source_row)
            };
            let file = file_for(
                t,
                format!(
                    "docs/{}-{}-{}.pdf",
                    t.code(),
                    src_row.series,
                    src_row.number
                ),
            );
            let ei = drafts[src].entity;
            let ctx = Ctx {
                entity: &entities[ei].row,
                entity_index: ei,
                debtor: &d.row,
                contract: d.contract.as_ref(),
                invoice: Some(src_row),
                signer: d.signer.as_deref(),
            };
            let doc_row = DocumentRow {
                date: None,
                file: file.clone(),
                doc_type: t,
                invoice_number: Some(key.clone()),
                debtor_code: Some(d.row.code.clone()),
                contract_number: None,
            };
            add(file, doc_row, &|| render(opts, &fonts, t, &ctx));
        }
    }
    out
}

fn render(opts: &DemoOptions, fonts: &Fonts, t: DocType, ctx: &Ctx<'_>) -> Vec<u8> {
    if opts.documents {
        docs::render(fonts, t, ctx)
    } else {
        docs::placeholder(fonts, t)
    }
}
