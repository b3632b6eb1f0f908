//! The words of the user interface, in Romanian (with its diacritics) and English.

use creanta_domain::model::Language;

pub struct Texts {
    pub lang: &'static str,
    pub app_name: &'static str,
    pub login: &'static str,
    pub logout: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub organization: &'static str,
    pub organization_hint: &'static str,
    pub sign_in: &'static str,
    pub bad_login: &'static str,
    pub locked: &'static str,
    pub org_needed: &'static str,
    pub debtors: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub owner: &'static str,
    pub group: &'static str,
    pub bucket: &'static str,
    pub any: &'static str,
    pub sort: &'static str,
    pub filter: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub tax_id: &'static str,
    pub tax_id_invalid: &'static str,
    pub city: &'static str,
    pub not_due: &'static str,
    pub d1_30: &'static str,
    pub d31_60: &'static str,
    pub d61_90: &'static str,
    pub over_90: &'static str,
    pub total_open: &'static str,
    pub total: &'static str,
    pub page: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub no_results: &'static str,
    pub identity: &'static str,
    pub address: &'static str,
    pub language: &'static str,
    pub payment_terms: &'static str,
    pub days: &'static str,
    pub requirements: &'static str,
    pub requires_po: &'static str,
    pub required_mention: &'static str,
    pub required_documents: &'static str,
    pub requires_confirmation: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub contacts: &'static str,
    pub role: &'static str,
    pub phone: &'static str,
    pub primary: &'static str,
    pub contracts: &'static str,
    pub number: &'static str,
    pub entity: &'static str,
    pub valid: &'static str,
    pub currency: &'static str,
    pub penalty: &'static str,
    pub invoices: &'static str,
    pub invoice: &'static str,
    pub credit_note: &'static str,
    pub issue_date: &'static str,
    pub due_date: &'static str,
    pub amount: &'static str,
    pub open: &'static str,
    pub days_late: &'static str,
    pub status: &'static str,
    pub status_paid: &'static str,
    pub status_open: &'static str,
    pub status_late: &'static str,
    pub payments: &'static str,
    pub date: &'static str,
    pub reference: &'static str,
    pub allocated: &'static str,
    pub documents: &'static str,
    pub document_type: &'static str,
    pub file: &'static str,
    pub size: &'static str,
    pub po_number: &'static str,
    pub mentions: &'static str,
    pub iban: &'static str,
    pub buyer: &'static str,
    pub sent_to: &'static str,
    pub none: &'static str,
    pub not_found: &'static str,
    pub forbidden: &'static str,
    pub error: &'static str,
    pub back: &'static str,
    pub imports: &'static str,
    pub import_kind: &'static str,
    pub files: &'static str,
    pub import_button: &'static str,
    pub import_hint: &'static str,
    pub import_rejected: &'static str,
    pub no_files: &'static str,
    pub line: &'static str,
    pub column: &'static str,
    pub message: &'static str,
    pub settings: &'static str,
    pub entities: &'static str,
    pub users: &'static str,
    pub active: &'static str,
    pub disabled: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub add_user: &'static str,
    pub api_tokens: &'static str,
    pub create_token: &'static str,
    pub revoke: &'static str,
    pub token_revoked: &'static str,
    pub shown_once: &'static str,
    pub registration_no: &'static str,
    pub country: &'static str,
    pub country_hint: &'static str,
    pub edit: &'static str,
    pub save: &'static str,
    pub remove: &'static str,
    pub add_iban: &'static str,
    pub tax_id_fixed: &'static str,
    pub entity_saved: &'static str,
    pub nothing_changed: &'static str,
    pub iban_added: &'static str,
    pub iban_removed: &'static str,
    pub iban_invalid: &'static str,
    pub iban_taken: &'static str,
    pub iban_missing: &'static str,
    pub name_required: &'static str,
    pub field_too_long: &'static str,
    pub country_invalid: &'static str,
    pub last_admin: &'static str,
    pub user_saved: &'static str,
    pub role_admin: &'static str,
    pub role_manager: &'static str,
    pub role_collector: &'static str,
    pub role_partner: &'static str,
}

pub static RO: Texts = Texts {
    lang: "ro",
    app_name: "Creanța",
    login: "Autentificare",
    logout: "Ieșire",
    email: "E-mail",
    password: "Parolă",
    organization: "Organizație",
    organization_hint: "doar dacă aveți conturi în mai multe organizații",
    sign_in: "Intră",
    bad_login: "E-mailul sau parola nu sunt corecte.",
    locked: "Prea multe încercări nereușite. Contul este blocat temporar; încercați din nou mai târziu.",
    org_needed: "Aveți conturi în mai multe organizații: scrieți numele organizației.",
    debtors: "Clienți",
    search: "Caută",
    search_hint: "nume, cod sau CUI",
    owner: "Responsabil",
    group: "Grup",
    bucket: "Vechime",
    any: "oricare",
    sort: "Ordonare",
    filter: "Filtrează",
    code: "Cod",
    name: "Denumire",
    tax_id: "CUI/CNP",
    tax_id_invalid: "cifră de control greșită",
    city: "Localitate",
    not_due: "Nescadent",
    d1_30: "1–30 zile",
    d31_60: "31–60 zile",
    d61_90: "61–90 zile",
    over_90: "peste 90 zile",
    total_open: "Total de încasat",
    total: "Total",
    page: "Pagina",
    previous: "Înapoi",
    next: "Înainte",
    no_results: "Niciun rezultat.",
    identity: "Date de identificare",
    address: "Adresă",
    language: "Limbă",
    payment_terms: "Termen de plată",
    days: "zile",
    requirements: "Cerințe pentru facturi",
    requires_po: "Număr de comandă obligatoriu",
    required_mention: "Mențiune obligatorie",
    required_documents: "Documente justificative",
    requires_confirmation: "Confirmare scrisă a comenzii",
    yes: "da",
    no: "nu",
    contacts: "Persoane de contact",
    role: "Rol",
    phone: "Telefon",
    primary: "Principal",
    contracts: "Contracte",
    number: "Număr",
    entity: "Firmă emitentă",
    valid: "Valabil",
    currency: "Monedă",
    penalty: "Penalități/zi",
    invoices: "Facturi",
    invoice: "Factură",
    credit_note: "Factură de stornare",
    issue_date: "Data emiterii",
    due_date: "Scadența",
    amount: "Valoare",
    open: "Rest de plată",
    days_late: "Zile întârziere",
    status: "Stare",
    status_paid: "achitată",
    status_open: "neachitată",
    status_late: "restantă",
    payments: "Încasări",
    date: "Data",
    reference: "Referință",
    allocated: "Alocat",
    documents: "Documente",
    document_type: "Tip",
    file: "Fișier",
    size: "Mărime",
    po_number: "Nr. comandă",
    mentions: "Mențiuni",
    iban: "IBAN",
    buyer: "Cumpărător",
    sent_to: "Trimisă la",
    none: "—",
    not_found: "Pagina nu există sau nu aveți acces la ea.",
    forbidden: "Nu aveți dreptul să vedeți această pagină.",
    error: "A apărut o eroare.",
    back: "Înapoi",
    imports: "Importuri",
    import_kind: "Ce importați",
    files: "Fișiere",
    import_button: "Importă",
    import_hint: "Totul sau nimic: dacă un singur rând are o problemă, nu se importă nimic și vedeți fiecare problemă cu fișierul, rândul și coloana. Același fișier importat de două ori nu schimbă nimic.",
    import_rejected: "Nu s-a importat nimic. Corectați problemele de mai jos și încercați din nou.",
    no_files: "Alegeți cel puțin un fișier.",
    line: "Rând",
    column: "Coloană",
    message: "Problemă",
    settings: "Setări",
    entities: "Firme emitente",
    users: "Utilizatori",
    active: "activ",
    disabled: "dezactivat",
    disable: "Dezactivează",
    enable: "Activează",
    add_user: "Adaugă utilizator",
    api_tokens: "Tokenuri API personale",
    create_token: "Creează token",
    revoke: "Revocă",
    token_revoked: "Tokenul a fost revocat.",
    shown_once: "Copiați acum; nu va mai fi afișat:",
    registration_no: "Nr. Registrul Comerțului",
    country: "Țara",
    country_hint: "codul de două litere, de ex. RO",
    edit: "Modifică",
    save: "Salvează",
    remove: "Șterge",
    add_iban: "Adaugă IBAN",
    tax_id_fixed: "CUI-ul nu se modifică: după el sunt recunoscute firmele la import.",
    entity_saved: "Datele firmei {entity} au fost salvate.",
    nothing_changed: "Nu era nimic de schimbat.",
    iban_added: "IBAN-ul {iban} a fost adăugat.",
    iban_removed: "IBAN-ul {iban} a fost șters.",
    iban_invalid: "„{iban}” nu este un IBAN valid: verificați codul țării, cifrele de control și lungimea contului. Nu s-a salvat nimic.",
    iban_taken: "IBAN-ul {iban} este deja înregistrat la firma {entity}. Nu s-a salvat nimic.",
    iban_missing: "IBAN-ul {iban} nu (mai) este înregistrat la această firmă.",
    name_required: "Denumirea firmei este obligatorie. Nu s-a salvat nimic.",
    field_too_long: "Un câmp are mai mult de {max} de caractere. Nu s-a salvat nimic.",
    country_invalid: "Țara se scrie cu codul ei de două litere (RO, DE, …), nu „{country}”. Nu s-a salvat nimic.",
    last_admin: "{email} este ultimul administrator activ al organizației: numiți mai întâi un alt administrator.",
    user_saved: "Contul {email} a fost actualizat.",
    role_admin: "administrator",
    role_manager: "manager",
    role_collector: "agent de recuperare",
    role_partner: "partener",
};

pub static EN: Texts = Texts {
    lang: "en",
    app_name: "Creanța",
    login: "Sign in",
    logout: "Sign out",
    email: "Email",
    password: "Password",
    organization: "Organization",
    organization_hint: "only if you have accounts in several organizations",
    sign_in: "Sign in",
    bad_login: "The email or the password is not right.",
    locked: "Too many failed attempts. The account is locked for a while; try again later.",
    org_needed: "You have accounts in several organizations: enter the organization's name.",
    debtors: "Debtors",
    search: "Search",
    search_hint: "name, code or tax id",
    owner: "Owner",
    group: "Group",
    bucket: "Age",
    any: "any",
    sort: "Sort",
    filter: "Filter",
    code: "Code",
    name: "Name",
    tax_id: "Tax id",
    tax_id_invalid: "wrong check digit",
    city: "City",
    not_due: "Not due",
    d1_30: "1–30 days",
    d31_60: "31–60 days",
    d61_90: "61–90 days",
    over_90: "over 90 days",
    total_open: "Total open",
    total: "Total",
    page: "Page",
    previous: "Previous",
    next: "Next",
    no_results: "No results.",
    identity: "Identity",
    address: "Address",
    language: "Language",
    payment_terms: "Payment terms",
    days: "days",
    requirements: "Invoice requirements",
    requires_po: "PO number required",
    required_mention: "Required mention",
    required_documents: "Supporting documents",
    requires_confirmation: "Written order confirmation",
    yes: "yes",
    no: "no",
    contacts: "Contacts",
    role: "Role",
    phone: "Phone",
    primary: "Primary",
    contracts: "Contracts",
    number: "Number",
    entity: "Issuing company",
    valid: "Valid",
    currency: "Currency",
    penalty: "Penalty/day",
    invoices: "Invoices",
    invoice: "Invoice",
    credit_note: "Credit note",
    issue_date: "Issue date",
    due_date: "Due date",
    amount: "Amount",
    open: "Open",
    days_late: "Days late",
    status: "Status",
    status_paid: "paid",
    status_open: "open",
    status_late: "overdue",
    payments: "Payments",
    date: "Date",
    reference: "Reference",
    allocated: "Allocated",
    documents: "Documents",
    document_type: "Type",
    file: "File",
    size: "Size",
    po_number: "PO number",
    mentions: "Mentions",
    iban: "IBAN",
    buyer: "Buyer",
    sent_to: "Sent to",
    none: "—",
    not_found: "This page does not exist or you have no access to it.",
    forbidden: "You are not allowed to see this page.",
    error: "Something went wrong.",
    back: "Back",
    imports: "Imports",
    import_kind: "What you import",
    files: "Files",
    import_button: "Import",
    import_hint: "All or nothing: if a single row has a problem, nothing is imported and every problem is listed with its file, line and column. Importing the same file twice changes nothing.",
    import_rejected: "Nothing was imported. Correct the problems below and try again.",
    no_files: "Choose at least one file.",
    line: "Line",
    column: "Column",
    message: "Problem",
    settings: "Settings",
    entities: "Issuing companies",
    users: "Users",
    active: "active",
    disabled: "disabled",
    disable: "Disable",
    enable: "Enable",
    add_user: "Add user",
    api_tokens: "Personal API tokens",
    create_token: "Create token",
    revoke: "Revoke",
    token_revoked: "The token was revoked.",
    shown_once: "Copy it now; it will not be shown again:",
    registration_no: "Registration number",
    country: "Country",
    country_hint: "two-letter code, e.g. RO",
    edit: "Edit",
    save: "Save",
    remove: "Remove",
    add_iban: "Add IBAN",
    tax_id_fixed: "The tax id cannot be changed: imports recognise the company by it.",
    entity_saved: "The details of {entity} were saved.",
    nothing_changed: "There was nothing to change.",
    iban_added: "IBAN {iban} was added.",
    iban_removed: "IBAN {iban} was removed.",
    iban_invalid: "“{iban}” is not a valid IBAN: check the country code, the check digits and the length of the account. Nothing was saved.",
    iban_taken: "IBAN {iban} is already recorded for {entity}. Nothing was saved.",
    iban_missing: "IBAN {iban} is not (or no longer) recorded for this company.",
    name_required: "The company needs a name. Nothing was saved.",
    field_too_long: "A field has more than {max} characters. Nothing was saved.",
    country_invalid: "The country is written as its two-letter code (RO, DE, …), not “{country}”. Nothing was saved.",
    last_admin: "{email} is the organization's last active admin: make another user admin first.",
    user_saved: "The account {email} was updated.",
    role_admin: "admin",
    role_manager: "manager",
    role_collector: "collector",
    role_partner: "partner",
};

impl Texts {
    /// A user role (`admin`, `manager`, …) in words.
    pub fn role_label<'a>(&self, code: &'a str) -> &'a str {
        match code {
            "admin" => self.role_admin,
            "manager" => self.role_manager,
            "collector" => self.role_collector,
            "partner" => self.role_partner,
            other => other,
        }
    }
}

/// A contact role or language code in words.
pub fn code_label(code: &str, language: Language) -> &str {
    let ro = matches!(language, Language::Ro);
    match code {
        "finance" => {
            if ro {
                "financiar"
            } else {
                "finance"
            }
        }
        "purchasing" => {
            if ro {
                "achiziții"
            } else {
                "purchasing"
            }
        }
        "management" => {
            if ro {
                "conducere"
            } else {
                "management"
            }
        }
        "legal" => {
            if ro {
                "juridic"
            } else {
                "legal"
            }
        }
        "ro" => {
            if ro {
                "română"
            } else {
                "Romanian"
            }
        }
        "en" => {
            if ro {
                "engleză"
            } else {
                "English"
            }
        }
        other => other,
    }
}

pub fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Ro => &RO,
        Language::En => &EN,
    }
}

/// `1234567` minor units of RON → "12.345,67 RON" (ro) or "12,345.67 RON" (en).
pub fn money(minor: i64, currency: &str, language: Language) -> String {
    let cur = creanta_domain::money::Currency::parse(currency)
        .unwrap_or(creanta_domain::money::Currency::RON);
    let plain = creanta_domain::money::format_amount(minor, cur);
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int),
    };
    let (group_sep, dec_sep) = match language {
        Language::Ro => ('.', ','),
        Language::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group_sep);
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped} {currency}")
    } else {
        format!("{sign}{grouped}{dec_sep}{frac} {currency}")
    }
}

pub fn date(d: jiff::civil::Date, language: Language) -> String {
    match language {
        Language::Ro => d.strftime("%d.%m.%Y").to_string(),
        Language::En => d.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_dates_follow_the_language() {
        assert_eq!(money(123_456_789, "RON", Language::Ro), "1.234.567,89 RON");
        assert_eq!(
            money(-123_456_789, "EUR", Language::En),
            "-1,234,567.89 EUR"
        );
        assert_eq!(money(5, "RON", Language::Ro), "0,05 RON");
        assert_eq!(money(1000, "JPY", Language::Ro), "1.000 JPY");
        assert_eq!(
            date(jiff::civil::date(2026, 3, 1), Language::Ro),
            "01.03.2026"
        );
    }
}
