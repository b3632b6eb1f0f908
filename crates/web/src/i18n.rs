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
    pub findings: &'static str,
    pub no_open_findings: &'static str,
    pub findings_history: &'static str,
    pub check_again: &'static str,
    pub severity_error: &'static str,
    pub severity_warning: &'static str,
    pub fix: &'static str,
    pub field: &'static str,
    pub opened_at: &'static str,
    pub closed_at: &'static str,
    pub last_checked: &'static str,
    pub never_checked: &'static str,
    pub prevention: &'static str,
    pub prevention_hint: &'static str,
    pub by_code: &'static str,
    pub by_entity: &'static str,
    pub by_owner: &'static str,
    pub by_debtor: &'static str,
    pub cause: &'static str,
    pub invoices_affected: &'static str,
    pub held_back: &'static str,
    pub trend: &'static str,
    pub month: &'static str,
    pub opened: &'static str,
    pub closed: &'static str,
    pub no_owner: &'static str,
    pub edit_requirements: &'static str,
    pub requirements_saved: &'static str,
    pub requirements_refused: &'static str,
    pub terms_invalid: &'static str,
    pub terms_placeholder: &'static str,
    pub checked_notice: &'static str,
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
    findings: "Neconformități",
    no_open_findings: "Nicio neconformitate deschisă.",
    findings_history: "Istoric (închise)",
    check_again: "Verifică din nou",
    severity_error: "eroare",
    severity_warning: "avertisment",
    fix: "Cum se corectează",
    field: "Câmp",
    opened_at: "Deschisă",
    closed_at: "Închisă",
    last_checked: "Ultima verificare",
    never_checked: "încă neverificată",
    prevention: "Prevenție",
    prevention_hint: "Greșelile noastre care opresc plata facturilor: neconformitățile deschise și suma pe care o țin pe loc (total − încasat al facturilor afectate).",
    by_code: "După cauză",
    by_entity: "După firma emitentă",
    by_owner: "După responsabil",
    by_debtor: "După client (primii 50 după sumă)",
    cause: "Cauză",
    invoices_affected: "Facturi afectate",
    held_back: "Sumă blocată",
    trend: "Evoluție pe luni",
    month: "Luna",
    opened: "Deschise",
    closed: "Închise",
    no_owner: "fără responsabil",
    edit_requirements: "Modifică cerințele",
    requirements_saved: "Cerințele au fost salvate, iar facturile clientului au fost verificate din nou.",
    requirements_refused: "Cerințele nu au fost salvate:",
    terms_invalid: "Termenul de plată se scrie ca număr întreg de zile.",
    terms_placeholder: "zile",
    checked_notice: "Facturile clientului au fost verificate din nou.",
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
    findings: "Findings",
    no_open_findings: "No open findings.",
    findings_history: "History (closed)",
    check_again: "Check again",
    severity_error: "error",
    severity_warning: "warning",
    fix: "How to fix",
    field: "Field",
    opened_at: "Opened",
    closed_at: "Closed",
    last_checked: "Last checked",
    never_checked: "not checked yet",
    prevention: "Prevention",
    prevention_hint: "Our own mistakes that stop invoices from being paid: the open findings and the amount they hold back (total − paid of the affected invoices).",
    by_code: "By cause",
    by_entity: "By issuing company",
    by_owner: "By owner",
    by_debtor: "By debtor (top 50 by amount)",
    cause: "Cause",
    invoices_affected: "Invoices affected",
    held_back: "Amount held back",
    trend: "Trend by month",
    month: "Month",
    opened: "Opened",
    closed: "Closed",
    no_owner: "no owner",
    edit_requirements: "Edit requirements",
    requirements_saved: "The requirements were saved and the debtor's invoices checked again.",
    requirements_refused: "The requirements were not saved:",
    terms_invalid: "The payment terms are a whole number of days.",
    terms_placeholder: "days",
    checked_notice: "The debtor's invoices were checked again.",
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

/// A finding code (the taxonomy's internal causes) in words.
pub fn finding_label(code: &str, language: Language) -> &str {
    match (code, language) {
        ("wrong_entity", Language::Ro) => "Firmă emitentă greșită",
        ("wrong_entity", Language::En) => "Wrong issuing company",
        ("tax_id_invalid", Language::Ro) => "CUI/CNP invalid",
        ("tax_id_invalid", Language::En) => "Invalid tax id",
        ("tax_id_mismatch", Language::Ro) => "CUI diferit de al clientului",
        ("tax_id_mismatch", Language::En) => "Tax id is not the debtor's",
        ("name_mismatch", Language::Ro) => "Denumire diferită",
        ("name_mismatch", Language::En) => "Buyer name differs",
        ("iban_invalid", Language::Ro) => "IBAN invalid",
        ("iban_invalid", Language::En) => "Invalid IBAN",
        ("iban_not_ours", Language::Ro) => "IBAN care nu este al nostru",
        ("iban_not_ours", Language::En) => "IBAN is not ours",
        ("wrong_recipient", Language::Ro) => "Trimisă la altă adresă",
        ("wrong_recipient", Language::En) => "Sent to the wrong address",
        ("recipient_missing", Language::Ro) => "Lipsește contactul financiar",
        ("recipient_missing", Language::En) => "No finance contact",
        ("po_missing", Language::Ro) => "Lipsește numărul de comandă",
        ("po_missing", Language::En) => "PO number missing",
        ("mention_missing", Language::Ro) => "Lipsește mențiunea cerută",
        ("mention_missing", Language::En) => "Required mention missing",
        ("documents_missing", Language::Ro) => "Lipsesc documente justificative",
        ("documents_missing", Language::En) => "Supporting documents missing",
        ("confirmation_missing", Language::Ro) => "Lipsește confirmarea comenzii",
        ("confirmation_missing", Language::En) => "Order confirmation missing",
        ("contract_expired", Language::Ro) => "În afara perioadei contractului",
        ("contract_expired", Language::En) => "Outside the contract's term",
        ("terms_mismatch", Language::Ro) => "Termen de plată greșit",
        ("terms_mismatch", Language::En) => "Payment terms mismatch",
        ("currency_mismatch", Language::Ro) => "Altă monedă decât în contract",
        ("currency_mismatch", Language::En) => "Currency is not the contract's",
        ("amount_error", Language::Ro) => "Totaluri care nu se potrivesc",
        ("amount_error", Language::En) => "Totals do not add up",
        ("duplicate_number", Language::Ro) => "Număr de factură dublat",
        ("duplicate_number", Language::En) => "Duplicate invoice number",
        (other, _) => other,
    }
}

/// A supporting document type in words.
pub fn doc_type_label(code: &str, language: Language) -> &str {
    match (code, language) {
        ("invoice_pdf", Language::Ro) => "factură PDF",
        ("invoice_pdf", Language::En) => "invoice PDF",
        ("invoice_xml", Language::Ro) => "factură XML (e-Factura)",
        ("invoice_xml", Language::En) => "invoice XML (e-Factura)",
        ("spv_signature", Language::Ro) => "semnătură SPV",
        ("spv_signature", Language::En) => "SPV signature",
        ("order", Language::Ro) => "comandă",
        ("order", Language::En) => "order",
        ("order_confirmation", Language::Ro) => "confirmare de comandă",
        ("order_confirmation", Language::En) => "order confirmation",
        ("delivery_note", Language::Ro) => "aviz de însoțire",
        ("delivery_note", Language::En) => "delivery note",
        ("cmr", Language::Ro) => "CMR",
        ("cmr", Language::En) => "CMR",
        ("acceptance_report", Language::Ro) => "proces-verbal de recepție",
        ("acceptance_report", Language::En) => "acceptance report",
        ("timesheet", Language::Ro) => "pontaj",
        ("timesheet", Language::En) => "timesheet",
        ("contract", Language::Ro) => "contract",
        ("contract", Language::En) => "contract",
        ("email", Language::Ro) => "e-mail",
        ("email", Language::En) => "email",
        ("notice", Language::Ro) => "notificare",
        ("notice", Language::En) => "notice",
        ("receipt_ack", Language::Ro) => "confirmare de primire",
        ("receipt_ack", Language::En) => "acknowledgement of receipt",
        ("other", Language::Ro) => "alt document",
        ("other", Language::En) => "other document",
        (other, _) => other,
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

    #[test]
    fn every_finding_code_and_document_type_has_words_in_both_languages() {
        use creanta_domain::check::FindingCode;
        use creanta_domain::model::DocType;
        for c in FindingCode::ALL {
            let (ro, en) = (
                finding_label(c.code(), Language::Ro),
                finding_label(c.code(), Language::En),
            );
            assert!(ro != c.code() && en != c.code() && ro != en, "{c}");
        }
        for d in DocType::ALL {
            assert!(
                doc_type_label(d.code(), Language::Ro) != d.code() || d.code() == "contract",
                "{d}"
            );
            assert!(!doc_type_label(d.code(), Language::En).is_empty());
        }
    }
}
