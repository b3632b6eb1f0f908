//! The words of the findings: message and fix of every [`Detail`], in Romanian and English.
//! Dates and amounts are written the way each language's readers write them.

use jiff::civil::Date;

use super::combine::{RequiredBy, TermsSource};
use super::finding::{AmountRule, Detail, Mailbox, TaxIdProblem};
use crate::ids::TaxId;
use crate::model::{ContactRole, DocType, Language};
use crate::money::{Money, format_amount};

/// `05.03.2025` in Romanian, `2025-03-05` in English.
pub fn date(d: Date, lang: Language) -> String {
    match lang {
        Language::Ro => format!("{:02}.{:02}.{}", d.day(), d.month(), d.year()),
        Language::En => d.to_string(),
    }
}

/// `1.234,56 RON` in Romanian, `1,234.56 RON` in English.
pub fn money(m: Money, lang: Language) -> String {
    let plain = format_amount(m.minor, m.currency);
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let (thousands, decimal) = match lang {
        Language::Ro => ('.', ','),
        Language::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(thousands);
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped} {}", m.currency)
    } else {
        format!("{sign}{grouped}{decimal}{frac} {}", m.currency)
    }
}

/// The name of a supporting document type, as people say it.
pub fn doc_label(t: DocType, lang: Language) -> &'static str {
    use DocType as D;
    match (lang, t) {
        (Language::Ro, D::InvoicePdf) => "factura în PDF",
        (Language::Ro, D::InvoiceXml) => "factura XML (e-Factura)",
        (Language::Ro, D::SpvSignature) => "semnătura SPV",
        (Language::Ro, D::Order) => "comanda",
        (Language::Ro, D::OrderConfirmation) => "confirmarea comenzii",
        (Language::Ro, D::DeliveryNote) => "avizul de însoțire",
        (Language::Ro, D::Cmr) => "CMR",
        (Language::Ro, D::AcceptanceReport) => "procesul-verbal de recepție",
        (Language::Ro, D::Timesheet) => "pontajul",
        (Language::Ro, D::Contract) => "contractul",
        (Language::Ro, D::Email) => "e-mailul",
        (Language::Ro, D::Notice) => "notificarea",
        (Language::Ro, D::Statement) => "extrasul de cont",
        (Language::Ro, D::ReceiptAck) => "confirmarea de primire",
        (Language::Ro, D::Other) => "alt document",
        (Language::En, D::InvoicePdf) => "the invoice PDF",
        (Language::En, D::InvoiceXml) => "the e-Factura XML",
        (Language::En, D::SpvSignature) => "the SPV signature",
        (Language::En, D::Order) => "the purchase order",
        (Language::En, D::OrderConfirmation) => "the order confirmation",
        (Language::En, D::DeliveryNote) => "the delivery note (aviz)",
        (Language::En, D::Cmr) => "the CMR",
        (Language::En, D::AcceptanceReport) => "the acceptance report (PV de recepție)",
        (Language::En, D::Timesheet) => "the timesheet",
        (Language::En, D::Contract) => "the contract",
        (Language::En, D::Email) => "the e-mail",
        (Language::En, D::Notice) => "the notice",
        (Language::En, D::Statement) => "the statement of account",
        (Language::En, D::ReceiptAck) => "the acknowledgement of receipt",
        (Language::En, D::Other) => "another document",
    }
}

fn role_label(r: ContactRole, lang: Language) -> &'static str {
    use ContactRole as R;
    match (lang, r) {
        (Language::Ro, R::Finance) => "financiar",
        (Language::Ro, R::Purchasing) => "achiziții",
        (Language::Ro, R::Management) => "conducere",
        (Language::Ro, R::Legal) => "juridic",
        (Language::Ro, R::General) => "general",
        (Language::En, R::Finance) => "finance",
        (Language::En, R::Purchasing) => "purchasing",
        (Language::En, R::Management) => "management",
        (Language::En, R::Legal) => "legal",
        (Language::En, R::General) => "general",
    }
}

/// "CUI", "CNP", or the VAT id label, after what the id looks like.
fn id_label(tax_id: &str, lang: Language) -> &'static str {
    match (TaxId::parse(tax_id), lang) {
        (Ok(TaxId::Cnp(_)), _) => "CNP",
        (Ok(TaxId::Foreign { .. }), Language::Ro) => "cod TVA",
        (Ok(TaxId::Foreign { .. }), Language::En) => "VAT id",
        _ => "CUI",
    }
}

fn required_by(by: &RequiredBy, lang: Language) -> String {
    match (lang, by.debtor, &by.contract) {
        (Language::Ro, true, Some(n)) => format!("client și de contractul {n}"),
        (Language::Ro, false, Some(n)) => format!("contractul {n}"),
        (Language::Ro, _, None) => "client".to_owned(),
        (Language::En, true, Some(n)) => format!("the customer and contract {n}"),
        (Language::En, false, Some(n)) => format!("contract {n}"),
        (Language::En, _, None) => "the customer".to_owned(),
    }
}

/// `a`, `a și b`, `a, b și c` (`and` in English).
fn list<S: AsRef<str>>(items: &[S], lang: Language) -> String {
    let and = match lang {
        Language::Ro => " și ",
        Language::En => " and ",
    };
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let head: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{}{and}{}", head.join(", "), last.as_ref())
        }
    }
}

/// How to correct an invoice that may already be in e-Factura: it cannot be edited there.
fn reissue(lang: Language) -> &'static str {
    match lang {
        Language::Ro => {
            "Refaceți factura (dacă a fost deja transmisă în e-Factura: stornare și factură nouă)"
        }
        Language::En => {
            "Reissue the invoice (if it already went to e-Factura: a credit note and a new invoice)"
        }
    }
}

/// [`reissue`] in the middle of a sentence: only the first letter changes case.
fn reissue_lc(lang: Language) -> String {
    let s = reissue(lang);
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "1 zi", "15 zile", "30 de zile": Romanian puts "de" after numbers ending in 20–99 or 00.
pub fn zile(n: i64) -> String {
    let rest = n.unsigned_abs() % 100;
    match n {
        1 => "1 zi".to_owned(),
        _ if rest >= 20 || (rest == 0 && n != 0) => format!("{n} de zile"),
        _ => format!("{n} zile"),
    }
}

pub fn message(d: &Detail, lang: Language) -> String {
    use Language::{En, Ro};
    match (d, lang) {
        (Detail::IssuerNotOurs { issuer_tax_id }, Ro) => format!(
            "Emitentul facturii ({} {issuer_tax_id}) nu este una dintre firmele noastre.",
            id_label(issuer_tax_id, Ro)
        ),
        (Detail::IssuerNotOurs { issuer_tax_id }, En) => format!(
            "The issuer ({} {issuer_tax_id}) is not one of our companies.",
            id_label(issuer_tax_id, En)
        ),
        (
            Detail::IssuerNotContracts {
                issuer_tax_id,
                issuer_name,
                contract_number,
                contract_entity_tax_id,
                contract_entity_name,
            },
            _,
        ) => {
            let other = match contract_entity_name {
                Some(n) => format!("{n} (CUI {contract_entity_tax_id})"),
                None => format!("CUI {contract_entity_tax_id}"),
            };
            match lang {
                Ro => format!(
                    "Factura este emisă de {issuer_name} (CUI {issuer_tax_id}), dar contractul \
                     {contract_number} este încheiat de {other}."
                ),
                En => format!(
                    "Issued by {issuer_name} (CUI {issuer_tax_id}), but contract \
                     {contract_number} is with {other}."
                ),
            }
        }
        (
            Detail::TaxIdInvalid {
                written, problem, ..
            },
            _,
        ) => match (problem, lang) {
            (TaxIdProblem::Missing, Ro) => {
                "Factura nu are codul fiscal al cumpărătorului.".to_owned()
            }
            (TaxIdProblem::Missing, En) => "The invoice has no buyer tax id.".to_owned(),
            (TaxIdProblem::CheckDigit { found, expected }, Ro) => format!(
                "Codul fiscal al cumpărătorului „{written}” nu este valid: cifra de control \
                 este {found}, ar trebui să fie {expected}."
            ),
            (TaxIdProblem::CheckDigit { found, expected }, En) => format!(
                "The buyer tax id \"{written}\" is not valid: its check digit is {found}, \
                 expected {expected}."
            ),
            (TaxIdProblem::Malformed, Ro) => format!(
                "Codul fiscal al cumpărătorului „{written}” nu este un CUI, CNP sau cod de \
                 TVA valid."
            ),
            (TaxIdProblem::Malformed, En) => {
                format!("The buyer tax id \"{written}\" is not a valid CUI, CNP or VAT id.")
            }
        },
        (
            Detail::TaxIdMismatch {
                written,
                buyer_name,
                debtor_name,
                debtor_tax_id,
                group_company,
                contract_number,
            },
            _,
        ) => {
            let label = id_label(written, lang);
            let debtor_label = id_label(debtor_tax_id, lang);
            let buyer = match group_company.as_ref().or(buyer_name.as_ref()) {
                Some(n) => format!("{n} ({label} {written})"),
                None => format!("{label} {written}"),
            };
            let debtor = format!("{debtor_name} ({debtor_label} {debtor_tax_id})");
            match (lang, contract_number, group_company.is_some()) {
                (Ro, Some(n), _) => format!(
                    "Factura este emisă către {buyer}, dar contractul {n} este cu {debtor}."
                ),
                (Ro, None, true) => format!(
                    "Factura este emisă către {buyer}, altă firmă din grup; clientul este \
                     {debtor}."
                ),
                (Ro, None, false) => {
                    format!("Factura este emisă către {buyer}, dar clientul este {debtor}.")
                }
                (En, Some(n), _) => {
                    format!("Issued to {buyer}, but contract {n} is with {debtor}.")
                }
                (En, None, true) => format!(
                    "Issued to {buyer}, another company of the group; the customer is {debtor}."
                ),
                (En, None, false) => format!("Issued to {buyer}, but the customer is {debtor}."),
            }
        }
        (Detail::NameMismatch { written, expected }, Ro) => format!(
            "Numele cumpărătorului de pe factură, „{written}”, diferă de numele clientului, \
             „{expected}”."
        ),
        (Detail::NameMismatch { written, expected }, En) => format!(
            "The buyer name on the invoice, \"{written}\", differs from the customer's name, \
             \"{expected}\"."
        ),
        (Detail::IbanInvalid { written, .. }, Ro) => format!(
            "IBAN-ul de pe factură, „{written}”, nu este valid: cifrele de control sau \
             formatul nu corespund."
        ),
        (Detail::IbanInvalid { written, .. }, En) => format!(
            "The IBAN on the invoice, \"{written}\", is not valid: its check digits or format \
             are wrong."
        ),
        (
            Detail::IbanNotOurs {
                written,
                issuer_name,
                owner,
                ..
            },
            Ro,
        ) => match owner {
            Some(o) => format!(
                "Contul {written} nu este al firmei {issuer_name}, care a emis factura, ci al \
                 firmei {o}."
            ),
            None => format!(
                "Contul {written} nu este al firmei {issuer_name} și nici al altei firme din \
                 grupul nostru."
            ),
        },
        (
            Detail::IbanNotOurs {
                written,
                issuer_name,
                owner,
                ..
            },
            En,
        ) => match owner {
            Some(o) => format!(
                "Account {written} does not belong to {issuer_name}, the issuer, but to {o}."
            ),
            None => format!(
                "Account {written} belongs neither to {issuer_name} nor to any other of our \
                 companies."
            ),
        },
        (
            Detail::WrongRecipient {
                sent_to,
                mailbox,
                finance,
            },
            _,
        ) => {
            let to = list(sent_to, lang);
            let fin = list(finance, lang);
            match (mailbox, lang) {
                (Mailbox::Generic, Ro) => format!(
                    "Factura a fost trimisă la {to}, o adresă generală, deși clientul are \
                     contact financiar: {fin}."
                ),
                (Mailbox::Generic, En) => format!(
                    "The invoice was sent to {to}, a generic mailbox, although the customer \
                     has a finance contact: {fin}."
                ),
                (Mailbox::Contact { name, role }, Ro) => format!(
                    "Factura a fost trimisă la {to} ({name}, {}), nu la contactul financiar: \
                     {fin}.",
                    role_label(*role, Ro)
                ),
                (Mailbox::Contact { name, role }, En) => format!(
                    "The invoice was sent to {to} ({name}, {}), not to the finance contact: \
                     {fin}.",
                    role_label(*role, En)
                ),
                (Mailbox::Unknown, Ro) => format!(
                    "Factura a fost trimisă la {to}, o adresă care nu figurează în fișa \
                     clientului, nu la contactul financiar: {fin}."
                ),
                (Mailbox::Unknown, En) => format!(
                    "The invoice was sent to {to}, an address not on the customer's file, not \
                     to the finance contact: {fin}."
                ),
            }
        }
        (
            Detail::RecipientMissing {
                debtor_name,
                without_email,
            },
            Ro,
        ) => {
            let mut s =
                format!("Clientul {debtor_name} nu are un contact financiar cu adresă de e-mail");
            if !without_email.is_empty() {
                s.push_str(&format!(" ({} nu are e-mail)", list(without_email, Ro)));
            }
            s.push_str(": factura nu are cui fi trimisă.");
            s
        }
        (
            Detail::RecipientMissing {
                debtor_name,
                without_email,
            },
            En,
        ) => {
            let mut s = format!("{debtor_name} has no finance contact with an e-mail address");
            if !without_email.is_empty() {
                s.push_str(&format!(" ({} has none)", list(without_email, En)));
            }
            s.push_str(": there is nobody to send the invoice to.");
            s
        }
        (Detail::PoMissing { required_by: by }, Ro) => format!(
            "Lipsește numărul comenzii (PO), cerut de {}.",
            required_by(by, Ro)
        ),
        (Detail::PoMissing { required_by: by }, En) => format!(
            "The purchase order (PO) number required by {} is missing.",
            required_by(by, En)
        ),
        (
            Detail::MentionMissing {
                mention,
                required_by: by,
            },
            Ro,
        ) => format!(
            "Lipsește mențiunea „{mention}”, cerută de {}.",
            required_by(by, Ro)
        ),
        (
            Detail::MentionMissing {
                mention,
                required_by: by,
            },
            En,
        ) => format!(
            "The mention \"{mention}\" required by {} is missing.",
            required_by(by, En)
        ),
        (
            Detail::DocumentsMissing {
                missing,
                required_by: by,
            },
            _,
        ) => {
            let names: Vec<&str> = missing.iter().map(|t| doc_label(*t, lang)).collect();
            match (lang, names.len()) {
                (Ro, 1) => format!(
                    "Lipsește documentul cerut de {}: {}.",
                    required_by(by, Ro),
                    names[0]
                ),
                (Ro, _) => format!(
                    "Lipsesc documentele cerute de {}: {}.",
                    required_by(by, Ro),
                    list(&names, Ro)
                ),
                (En, _) => format!(
                    "Missing supporting documents required by {}: {}.",
                    required_by(by, En),
                    list(&names, En)
                ),
            }
        }
        (Detail::ConfirmationMissing { required_by: by }, Ro) => format!(
            "Lipsește confirmarea scrisă a comenzii, cerută de {}.",
            required_by(by, Ro)
        ),
        (Detail::ConfirmationMissing { required_by: by }, En) => format!(
            "The written order confirmation required by {} is missing.",
            required_by(by, En)
        ),
        (
            Detail::ContractEnded {
                contract_number,
                issue_date,
                valid_until,
            },
            Ro,
        ) => format!(
            "Factura din {} este emisă după expirarea contractului {contract_number}, valabil \
             până la {}.",
            date(*issue_date, Ro),
            date(*valid_until, Ro)
        ),
        (
            Detail::ContractEnded {
                contract_number,
                issue_date,
                valid_until,
            },
            En,
        ) => format!(
            "The invoice of {} is issued after contract {contract_number} ended on {}.",
            date(*issue_date, En),
            date(*valid_until, En)
        ),
        (
            Detail::ContractNotStarted {
                contract_number,
                issue_date,
                valid_from,
            },
            Ro,
        ) => format!(
            "Factura din {} este emisă înainte de intrarea în vigoare a contractului \
             {contract_number}, la {}.",
            date(*issue_date, Ro),
            date(*valid_from, Ro)
        ),
        (
            Detail::ContractNotStarted {
                contract_number,
                issue_date,
                valid_from,
            },
            En,
        ) => format!(
            "The invoice of {} is issued before contract {contract_number} starts on {}.",
            date(*issue_date, En),
            date(*valid_from, En)
        ),
        (
            Detail::TermsDiffer {
                due_date,
                days_written,
                days_agreed,
                expected_due,
                source,
                ..
            },
            Ro,
        ) => {
            let from = match source {
                TermsSource::Contract { number } => format!("contractul {number}"),
                TermsSource::Debtor => "fișa clientului".to_owned(),
            };
            format!(
                "Scadența {} ({}) nu respectă termenul de plată de {} din {from}: ar trebui \
                 să fie {}.",
                date(*due_date, Ro),
                zile(*days_written),
                zile(*days_agreed),
                date(*expected_due, Ro)
            )
        }
        (
            Detail::TermsDiffer {
                due_date,
                days_written,
                days_agreed,
                expected_due,
                source,
                ..
            },
            En,
        ) => {
            let from = match source {
                TermsSource::Contract { number } => format!("contract {number}"),
                TermsSource::Debtor => "the customer's file".to_owned(),
            };
            format!(
                "The due date {} ({days_written} days) breaks the {days_agreed}-day payment \
                 term of {from}: it should be {}.",
                date(*due_date, En),
                date(*expected_due, En)
            )
        }
        (
            Detail::DueBeforeIssue {
                issue_date,
                due_date,
            },
            Ro,
        ) => format!(
            "Scadența {} este înaintea datei facturii, {}.",
            date(*due_date, Ro),
            date(*issue_date, Ro)
        ),
        (
            Detail::DueBeforeIssue {
                issue_date,
                due_date,
            },
            En,
        ) => format!(
            "The due date {} is before the invoice date, {}.",
            date(*due_date, En),
            date(*issue_date, En)
        ),
        (Detail::TermsOverLegalLimit { days }, Ro) => format!(
            "Termenul de plată de {} depășește 60 de zile, limita între profesioniști din \
             Legea nr. 72/2013 (art. 3).",
            zile(*days)
        ),
        (Detail::TermsOverLegalLimit { days }, En) => format!(
            "The {days}-day payment term exceeds 60 days, the limit between businesses under \
             Law 72/2013 (art. 3)."
        ),
        (
            Detail::CurrencyMismatch {
                written,
                agreed,
                contract_number,
            },
            Ro,
        ) => format!(
            "Factura este în {written}, dar contractul {contract_number} prevede plata în \
             {agreed}."
        ),
        (
            Detail::CurrencyMismatch {
                written,
                agreed,
                contract_number,
            },
            En,
        ) => format!("The invoice is in {written}, but contract {contract_number} is in {agreed}."),
        (
            Detail::AmountError {
                rule,
                stated,
                computed,
            },
            _,
        ) => {
            let (s, c, r) = (money(*stated, lang), money(*computed, lang), rule.name());
            match (rule, lang) {
                (AmountRule::BrCo10, Ro) => {
                    format!("Totalul liniilor facturii este {s}, dar liniile însumează {c} ({r}).")
                }
                (AmountRule::BrCo10, En) => format!(
                    "The sum of line net amounts is stated as {s}, but the lines add up to \
                     {c} ({r})."
                ),
                (AmountRule::BrCo13, Ro) => format!(
                    "Totalul fără TVA este {s}, dar totalul liniilor minus reduceri plus \
                     taxe suplimentare dă {c} ({r})."
                ),
                (AmountRule::BrCo13, En) => format!(
                    "The total without VAT is {s}, but lines minus allowances plus charges \
                     give {c} ({r})."
                ),
                (AmountRule::BrCo15, Ro) => {
                    format!("Totalul cu TVA este {s}, dar totalul fără TVA plus TVA dă {c} ({r}).")
                }
                (AmountRule::BrCo15, En) => format!(
                    "The total with VAT is {s}, but the total without VAT plus VAT gives {c} \
                     ({r})."
                ),
                (AmountRule::BrCo16, Ro) => format!(
                    "Suma de plată este {s}, dar totalul cu TVA minus avansurile plus \
                     rotunjirea dă {c} ({r})."
                ),
                (AmountRule::BrCo16, En) => format!(
                    "The amount due is {s}, but the total with VAT minus prepaid amounts plus \
                     rounding gives {c} ({r})."
                ),
            }
        }
        (
            Detail::DuplicateNumber {
                series,
                number,
                issuer_name,
                others,
            },
            _,
        ) => {
            let key = [series.as_str(), number.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let earlier: Vec<String> = others
                .iter()
                .map(|(d, m)| match lang {
                    Ro => format!("din {}, {}", date(*d, Ro), money(*m, Ro)),
                    En => format!("issued {}, {}", date(*d, En), money(*m, En)),
                })
                .collect();
            match (lang, issuer_name) {
                (Ro, Some(i)) => format!("{i} are deja factura {key} ({}).", list(&earlier, Ro)),
                (Ro, None) => format!("Există deja factura {key} ({}).", list(&earlier, Ro)),
                (En, Some(i)) => format!("{i} already has invoice {key} ({}).", list(&earlier, En)),
                (En, None) => format!("Invoice {key} already exists ({}).", list(&earlier, En)),
            }
        }
    }
}

pub fn fix(d: &Detail, lang: Language) -> String {
    use Language::{En, Ro};
    let again = reissue(lang);
    let again_lc = reissue_lc(lang);
    match (d, lang) {
        (Detail::IssuerNotOurs { .. }, Ro) => "Corectați codul fiscal al emitentului sau, dacă \
            este o firmă nouă a grupului, adăugați-o la firmele emitente."
            .to_owned(),
        (Detail::IssuerNotOurs { .. }, En) => "Correct the issuer's tax id or, if it is a new \
            company of the group, add it to our issuing companies."
            .to_owned(),
        (
            Detail::IssuerNotContracts {
                contract_entity_name,
                contract_entity_tax_id,
                ..
            },
            _,
        ) => {
            let who = contract_entity_name
                .clone()
                .unwrap_or_else(|| format!("CUI {contract_entity_tax_id}"));
            match lang {
                Ro => format!("{again} din firma {who}, în seria ei de facturi."),
                En => format!("{again} from {who}, in its own invoice series."),
            }
        }
        (
            Detail::TaxIdInvalid {
                debtor_name,
                expected,
                ..
            },
            _,
        ) => match (expected, lang) {
            (Some(id), Ro) => format!(
                "{again} cu codul fiscal al clientului {debtor_name}: {} {id}.",
                id_label(id, Ro)
            ),
            (Some(id), En) => format!(
                "{again} with the tax id of {debtor_name}: {} {id}.",
                id_label(id, En)
            ),
            (None, Ro) => format!(
                "Verificați codul fiscal al clientului {debtor_name} (și în fișa lui din \
                 Creanța), apoi {again_lc}."
            ),
            (None, En) => format!(
                "Check the tax id of {debtor_name} (also in its record in Creanța), then \
                 {again_lc}."
            ),
        },
        (
            Detail::TaxIdMismatch {
                debtor_name,
                debtor_tax_id,
                group_company,
                ..
            },
            _,
        ) => {
            let label = id_label(debtor_tax_id, lang);
            match (lang, group_company) {
                (Ro, Some(g)) => format!(
                    "{again} pe {debtor_name} ({label} {debtor_tax_id}); dacă livrarea a fost \
                     către {g}, înregistrați factura la clientul {g}."
                ),
                (Ro, None) => format!("{again} pe {debtor_name} ({label} {debtor_tax_id})."),
                (En, Some(g)) => format!(
                    "{again} to {debtor_name} ({label} {debtor_tax_id}); if the delivery was to \
                     {g}, book the invoice to {g} instead."
                ),
                (En, None) => format!("{again} to {debtor_name} ({label} {debtor_tax_id})."),
            }
        }
        (Detail::NameMismatch { expected, .. }, Ro) => format!(
            "Verificați numele: dacă factura trebuia emisă pe „{expected}”, corectați-o; \
             dacă clientul și-a schimbat denumirea, actualizați-o în fișa lui."
        ),
        (Detail::NameMismatch { expected, .. }, En) => format!(
            "Check the name: if the invoice should read \"{expected}\", correct it; if the \
             customer changed its name, update its record."
        ),
        (Detail::IbanInvalid { ours, .. }, _) | (Detail::IbanNotOurs { ours, .. }, _) => {
            match (lang, ours.is_empty()) {
                (Ro, false) => {
                    format!("{again} cu un cont al firmei emitente: {}.", list(ours, Ro))
                }
                (En, false) => format!(
                    "{again} with an account of the issuing company: {}.",
                    list(ours, En)
                ),
                (Ro, true) => format!(
                    "{again} cu un cont al firmei emitente (adăugați conturile ei în Creanța)."
                ),
                (En, true) => format!(
                    "{again} with an account of the issuing company (add its accounts to \
                     Creanța)."
                ),
            }
        }
        (Detail::WrongRecipient { finance, .. }, Ro) => format!(
            "Trimiteți factura din nou, la contactul financiar: {}.",
            list(finance, Ro)
        ),
        (Detail::WrongRecipient { finance, .. }, En) => format!(
            "Send the invoice again, to the finance contact: {}.",
            list(finance, En)
        ),
        (Detail::RecipientMissing { debtor_name, .. }, Ro) => format!(
            "Cereți clientului {debtor_name} adresa de e-mail a persoanei care primește \
             facturile și adăugați-o ca persoană de contact cu rolul „financiar”."
        ),
        (Detail::RecipientMissing { debtor_name, .. }, En) => format!(
            "Ask {debtor_name} for the e-mail address of the person who receives invoices and \
             add it as a contact with the role \"finance\"."
        ),
        (Detail::PoMissing { .. }, Ro) => format!(
            "{again} cu numărul comenzii primit de la client (în e-Factura: referința \
             comenzii, BT-13)."
        ),
        (Detail::PoMissing { .. }, En) => format!(
            "{again} with the order number from the customer (in e-Factura: the order \
             reference, BT-13)."
        ),
        (Detail::MentionMissing { mention, .. }, Ro) => {
            format!("{again} cu mențiunea „{mention}” (în e-Factura: o notă, BT-22).")
        }
        (Detail::MentionMissing { mention, .. }, En) => {
            format!("{again} with the mention \"{mention}\" (in e-Factura: a note, BT-22).")
        }
        (Detail::DocumentsMissing { missing, .. }, _) => {
            let names: Vec<&str> = missing.iter().map(|t| doc_label(*t, lang)).collect();
            match lang {
                Ro => format!(
                    "Obțineți și atașați la factură, înainte de trimitere: {}.",
                    list(&names, Ro)
                ),
                En => format!(
                    "Obtain and attach to the invoice, before sending: {}.",
                    list(&names, En)
                ),
            }
        }
        (Detail::ConfirmationMissing { .. }, Ro) => "Obțineți de la client confirmarea scrisă \
            a comenzii (semnată sau prin e-mail) și atașați-o la factură."
            .to_owned(),
        (Detail::ConfirmationMissing { .. }, En) => "Get the customer's written confirmation \
            of the order (signed or by e-mail) and attach it to the invoice."
            .to_owned(),
        (
            Detail::ContractEnded {
                contract_number, ..
            },
            Ro,
        ) => format!(
            "Prelungiți contractul {contract_number} printr-un act adițional (și actualizați \
             data de expirare în Creanța) sau încheiați un contract nou înainte de a cere plata."
        ),
        (
            Detail::ContractEnded {
                contract_number, ..
            },
            En,
        ) => format!(
            "Extend contract {contract_number} with an addendum (and update its end date in \
             Creanța) or sign a new one before asking for payment."
        ),
        (Detail::ContractNotStarted { .. }, Ro) => "Verificați data facturii și data de \
            început a contractului; dacă factura este corectă, corectați contractul în Creanța."
            .to_owned(),
        (Detail::ContractNotStarted { .. }, En) => "Check the invoice date and the contract's \
            start date; if the invoice is right, correct the contract in Creanța."
            .to_owned(),
        (Detail::TermsDiffer { expected_due, .. }, Ro) => {
            format!("{again} cu scadența {}.", date(*expected_due, Ro))
        }
        (Detail::TermsDiffer { expected_due, .. }, En) => {
            format!("{again} with the due date {}.", date(*expected_due, En))
        }
        (Detail::DueBeforeIssue { .. }, Ro) => {
            format!("{again} cu o scadență după data facturii.")
        }
        (Detail::DueBeforeIssue { .. }, En) => {
            format!("{again} with a due date after the invoice date.")
        }
        (Detail::TermsOverLegalLimit { .. }, Ro) => "Un termen mai lung de 60 de zile este \
            valabil numai dacă este convenit expres în contract și nu este abuziv față de \
            creditor: verificați clauza sau scurtați termenul."
            .to_owned(),
        (Detail::TermsOverLegalLimit { .. }, En) => "A term longer than 60 days holds only if \
            the contract states it expressly and it is not grossly unfair to the creditor: \
            check the clause or shorten the term."
            .to_owned(),
        (Detail::CurrencyMismatch { agreed, .. }, Ro) => {
            format!("{again} în {agreed}, moneda contractului.")
        }
        (Detail::CurrencyMismatch { agreed, .. }, En) => {
            format!("{again} in {agreed}, the contract's currency.")
        }
        (Detail::AmountError { .. }, Ro) => {
            format!("Recalculați totalurile în programul de facturare, apoi {again_lc}.")
        }
        (Detail::AmountError { .. }, En) => {
            format!("Recompute the totals in the invoicing program, then {again_lc}.")
        }
        (Detail::DuplicateNumber { .. }, Ro) => "Un număr de factură se folosește o singură \
            dată în serie: anulați duplicatul (stornare) sau, dacă este o factură diferită, \
            emiteți-o cu următorul număr liber."
            .to_owned(),
        (Detail::DuplicateNumber { .. }, En) => "An invoice number is used once in its series: \
            cancel the duplicate (credit note) or, if it is a different invoice, issue it \
            with the next free number."
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn amounts_and_dates_in_each_language() {
        let m = Money::new(-12_345_678, Currency::RON);
        assert_eq!(money(m, Language::Ro), "-123.456,78 RON");
        assert_eq!(money(m, Language::En), "-123,456.78 RON");
        assert_eq!(
            money(Money::new(5, Currency::EUR), Language::Ro),
            "0,05 EUR"
        );
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(money(Money::new(1_500, jpy), Language::En), "1,500 JPY");
        let d = jiff::civil::date(2025, 3, 5);
        assert_eq!(date(d, Language::Ro), "05.03.2025");
        assert_eq!(date(d, Language::En), "2025-03-05");
    }

    #[test]
    fn romanian_day_counts_take_de_from_twenty() {
        assert_eq!(zile(1), "1 zi");
        assert_eq!(zile(15), "15 zile");
        assert_eq!(zile(19), "19 zile");
        assert_eq!(zile(20), "20 de zile");
        assert_eq!(zile(60), "60 de zile");
        assert_eq!(zile(101), "101 zile");
        assert_eq!(zile(120), "120 de zile");
        assert_eq!(
            reissue_lc(Language::Ro).split(':').next(),
            Some("refaceți factura (dacă a fost deja transmisă în e-Factura")
        );
    }

    #[test]
    fn lists_read_naturally() {
        assert_eq!(list(&["a"], Language::Ro), "a");
        assert_eq!(list(&["a", "b", "c"], Language::Ro), "a, b și c");
        assert_eq!(list(&["a", "b"], Language::En), "a and b");
    }
}
