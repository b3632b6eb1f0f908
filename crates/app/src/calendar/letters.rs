//! The documents the calendar sends: the **statement of account** (extras de cont) and the
//! **formal notice** (notificare / somație de plată) that a later payment order needs (Code of
//! Civil Procedure art. 1014–1015: the creditor and the debtor identified, the invoices and
//! contract, principal, interest and penalties to date, the account to pay into, the 15-day
//! term from receipt and the consequence). PDF with DejaVu Sans embedded, so that ă â î ș ț
//! print and can be extracted; tables continue on the next page with their header.

use creanta_domain::model::Language;

use super::templates::TemplateContext;
use crate::pdf::{Fonts, Sheet};

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    Statement,
    Notice,
}

impl Letter {
    /// `extras-de-cont-D001-2026-12-04.pdf`, `notice-D001-2026-12-04.pdf`.
    pub fn file_name(self, ctx: &TemplateContext, lang: Language) -> String {
        let what = match (self, lang) {
            (Letter::Statement, Language::Ro) => "extras-de-cont",
            (Letter::Statement, Language::En) => "statement-of-account",
            (Letter::Notice, Language::Ro) => "notificare-de-plata",
            (Letter::Notice, Language::En) => "formal-notice",
        };
        let code: String = ctx
            .debtor
            .code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        format!("{what}-{code}-{}.pdf", ctx.today.replace('.', "-"))
    }

    pub fn render(self, ctx: &TemplateContext, lang: Language, fonts: &Fonts) -> Vec<u8> {
        let t = texts(lang);
        let mut s = Sheet::new();
        match self {
            Letter::Statement => {
                s.title(t.statement_title);
                parties(&mut s, ctx, t);
                s.text(&format!("{} {}", t.statement_intro, ctx.today));
                invoice_table(&mut s, ctx, t);
                totals(&mut s, ctx, t);
                s.gap(6.0);
                s.text(t.statement_check);
                accounts(&mut s, ctx, t);
            }
            Letter::Notice => {
                s.title(t.notice_title);
                s.small(t.notice_basis);
                parties(&mut s, ctx, t);
                s.heading(t.notice_heading);
                s.text(&format!(
                    "{} {} {} {}",
                    ctx.entity.name, t.notice_body_a, ctx.debtor.name, t.notice_body_b
                ));
                invoice_table(&mut s, ctx, t);
                totals(&mut s, ctx, t);
                if ctx.totals.iter().any(|x| !x.interest.is_empty()) {
                    s.small(&format!("{}: {}.", t.interest_label, ctx.interest_basis));
                }
                accounts(&mut s, ctx, t);
                s.gap(6.0);
                s.text(t.notice_consequence);
                s.gap(4.0);
                s.text(&format!("{} {}", t.date_label, ctx.today));
                let signer = if ctx.owner.name.is_empty() {
                    ctx.entity.name.clone()
                } else {
                    format!("{}, {}", ctx.entity.name, ctx.owner.name)
                };
                s.signatures(&signer, t.received_by);
            }
        }
        s.finish(fonts)
    }
}

fn parties(s: &mut Sheet, ctx: &TemplateContext, t: &Texts) {
    s.heading(t.creditor);
    s.field(t.name, &ctx.entity.name);
    s.field(t.tax_id, &ctx.entity.tax_id);
    if !ctx.entity.address.is_empty() {
        s.field(t.address, &ctx.entity.address);
    }
    s.heading(t.debtor);
    s.field(t.name, &ctx.debtor.name);
    s.field(t.tax_id, &ctx.debtor.tax_id);
    if !ctx.debtor.address.is_empty() {
        s.field(t.address, &ctx.debtor.address);
    }
    s.gap(4.0);
}

const COLUMNS: [f32; 8] = [0.0, 64.0, 120.0, 176.0, 202.0, 282.0, 362.0, 430.0];

fn invoice_table(s: &mut Sheet, ctx: &TemplateContext, t: &Texts) {
    s.rule();
    let header: Vec<(f32, &str)> = COLUMNS
        .iter()
        .copied()
        .zip(t.columns.iter().copied())
        .collect();
    s.table_header(&header);
    for i in &ctx.invoices {
        let days = i.days_late.max(0).to_string();
        let cells = [
            i.number.as_str(),
            i.issue_date.as_str(),
            i.due_date.as_str(),
            days.as_str(),
            i.total.as_str(),
            i.open.as_str(),
            i.interest.as_str(),
            i.contract.as_str(),
        ];
        let row: Vec<(f32, &str)> = COLUMNS.iter().copied().zip(cells).collect();
        s.row(&row, false);
    }
    s.end_table();
    s.rule();
}

fn totals(s: &mut Sheet, ctx: &TemplateContext, t: &Texts) {
    for x in &ctx.totals {
        s.field(&format!("{} ({})", t.principal, x.currency), &x.open);
        if !x.interest.is_empty() {
            s.field(t.interest_label, &x.interest);
        }
        if !x.compensation.is_empty() {
            s.field(t.compensation, &x.compensation);
        }
        s.field(t.total, &x.with_charges);
    }
}

fn accounts(s: &mut Sheet, ctx: &TemplateContext, t: &Texts) {
    if ctx.ibans.is_empty() {
        return;
    }
    s.heading(t.pay_into);
    for a in &ctx.ibans {
        s.text(&format!("{} ({})", a.iban, a.entity));
    }
    s.field(t.reference, &ctx.payment_reference);
}

struct Texts {
    statement_title: &'static str,
    statement_intro: &'static str,
    statement_check: &'static str,
    notice_title: &'static str,
    notice_basis: &'static str,
    notice_heading: &'static str,
    notice_body_a: &'static str,
    notice_body_b: &'static str,
    notice_consequence: &'static str,
    creditor: &'static str,
    debtor: &'static str,
    name: &'static str,
    tax_id: &'static str,
    address: &'static str,
    columns: [&'static str; 8],
    principal: &'static str,
    interest_label: &'static str,
    compensation: &'static str,
    total: &'static str,
    pay_into: &'static str,
    reference: &'static str,
    date_label: &'static str,
    received_by: &'static str,
}

fn texts(lang: Language) -> &'static Texts {
    match lang {
        Language::Ro => &RO,
        Language::En => &EN,
    }
}

static RO: Texts = Texts {
    statement_title: "Extras de cont",
    statement_intro: "Facturile neachitate integral, la data de",
    statement_check: "Vă rugăm să verificați soldul. Dacă în evidențele dumneavoastră figurează alte sume sau plăți, comunicați-ne diferențele în cel mai scurt timp, cu documentele care le susțin.",
    notice_title: "Notificare – somație de plată",
    notice_basis: "Conform art. 1014–1015 din Codul de procedură civilă (procedura ordonanței de plată).",
    notice_heading: "Obiectul notificării",
    notice_body_a: "vă somează să achitați, în termen de 15 zile de la primirea prezentei, sumele certe, lichide și exigibile datorate de",
    notice_body_b: "în baza facturilor de mai jos, acceptate la plată:",
    notice_consequence: "În cazul neachitării în termenul de 15 zile de la primire, vom solicita instanței emiterea unei ordonanțe de plată (art. 1014 și urm. din Codul de procedură civilă) pentru întreaga sumă, cu dobânzile și penalitățile până la plata efectivă și cu cheltuielile de judecată în sarcina dumneavoastră.",
    creditor: "Creditor",
    debtor: "Debitor",
    name: "Denumire",
    tax_id: "CUI / CNP",
    address: "Adresă",
    columns: [
        "Factura",
        "Data",
        "Scadența",
        "Zile",
        "Total",
        "Rest de plată",
        "Dobândă",
        "Contract",
    ],
    principal: "Debit principal",
    interest_label: "Dobânzi / penalități",
    compensation: "Despăgubire 40 EUR / factură",
    total: "Total de plată",
    pay_into: "Plata se face în contul",
    reference: "Mențiunea la plată",
    date_label: "Data:",
    received_by: "Am primit (debitor)",
};

static EN: Texts = Texts {
    statement_title: "Statement of account",
    statement_intro: "Invoices not paid in full, as of",
    statement_check: "Please check the balance. If your records show other amounts or payments, let us know the differences as soon as possible, with the documents that support them.",
    notice_title: "Formal notice of payment",
    notice_basis: "Under art. 1014–1015 of the Romanian Code of Civil Procedure (payment order procedure).",
    notice_heading: "Subject of the notice",
    notice_body_a: "gives notice to pay, within 15 days of receiving this notice, the certain, liquid and due amounts owed by",
    notice_body_b: "under the invoices below, accepted for payment:",
    notice_consequence: "If the amount is not paid within 15 days of receipt, we will apply to the court for a payment order (art. 1014 et seq. of the Code of Civil Procedure) for the whole amount, with interest and penalties until payment and with the costs charged to you.",
    creditor: "Creditor",
    debtor: "Debtor",
    name: "Name",
    tax_id: "Tax id",
    address: "Address",
    columns: [
        "Invoice", "Date", "Due", "Days", "Total", "Open", "Interest", "Contract",
    ],
    principal: "Principal",
    interest_label: "Interest / penalties",
    compensation: "Compensation 40 EUR / invoice",
    total: "Total due",
    pay_into: "Pay into",
    reference: "Payment reference",
    date_label: "Date:",
    received_by: "Received (debtor)",
};
