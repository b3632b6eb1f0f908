//! Communication templates: subject and body per step template and language, written in
//! minijinja with **strict** undefined variables, so that a misspelt variable is an error
//! when the template is saved or previewed, never a blank in a letter to a customer.
//!
//! The built-in templates below apply unless the organization saved its own (table
//! `templates`). Variables (see [`TemplateContext`]): `entity`, `debtor`, `owner`, `step`,
//! `today`, `invoices` (number, issue_date, due_date, total, open, days_late, late, interest, entity,
//! contract),
//! `totals` (currency, open, interest, compensation, with_charges), `ibans` (entity, iban),
//! `payment_reference`, `attachments` (file names) and `interest_basis`.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use creanta_domain::model::Language;

/// A template: `subject` is one line, `body_text` the plain-text body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub code: String,
    pub language: Language,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Built in (not edited by the organization).
    pub builtin: bool,
}

/// One invoice as templates see it: every value already written for the reader.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceVars {
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    pub total: String,
    pub open: String,
    pub days_late: i64,
    /// `13 zile de întârziere`, `1 day late`: the delay in words ("" when not late).
    pub late: String,
    /// Interest or contractual penalty to the day of the message ("" when none).
    pub interest: String,
    pub entity: String,
    /// The contract's number ("" when the invoice names none).
    pub contract: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyVars {
    pub name: String,
    pub code: String,
    pub tax_id: String,
    pub address: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepVars {
    pub code: String,
    pub offset: i32,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotalVars {
    pub currency: String,
    pub open: String,
    /// Interest (or contractual penalties) and fixed compensation in this currency ("" when
    /// none), and everything together.
    pub interest: String,
    pub compensation: String,
    pub with_charges: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IbanVars {
    pub entity: String,
    pub iban: String,
}

/// Everything a template may use.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateContext {
    pub entity: PartyVars,
    pub debtor: PartyVars,
    pub owner: PartyVars,
    pub step: StepVars,
    pub today: String,
    pub invoices: Vec<InvoiceVars>,
    pub totals: Vec<TotalVars>,
    pub ibans: Vec<IbanVars>,
    /// What the debtor should quote with the payment: the invoice numbers.
    pub payment_reference: String,
    /// Names of the files attached to the message.
    pub attachments: Vec<String>,
    /// What the interest is: the legal penalty interest or the contract's penalties.
    pub interest_basis: String,
}

impl TemplateContext {
    /// A made-up debtor with two invoices: what a template is checked against when it is
    /// saved, so that an unknown variable is refused then and not on the morning of a run.
    pub fn sample(lang: Language) -> TemplateContext {
        let party = |name: &str, code: &str, tax_id: &str| PartyVars {
            name: name.to_owned(),
            code: code.to_owned(),
            tax_id: tax_id.to_owned(),
            address: "Str. Lungă 1, Brașov".to_owned(),
            email: "contabilitate@exemplu.ro".to_owned(),
        };
        let invoice = |number: &str, days_late: i64| InvoiceVars {
            number: number.to_owned(),
            issue_date: "01.10.2026".to_owned(),
            due_date: "31.10.2026".to_owned(),
            total: "1.190,00 RON".to_owned(),
            open: "1.190,00 RON".to_owned(),
            days_late,
            late: late_text(days_late, lang),
            interest: "12,34 RON".to_owned(),
            entity: "Exemplu Furnizor SRL".to_owned(),
            contract: "CTR-7/2026".to_owned(),
        };
        TemplateContext {
            entity: party("Exemplu Furnizor SRL", "", "RO18547290"),
            debtor: party("Client Exemplu SA", "C001", "RO14840784"),
            owner: party("Ana Ionescu", "", ""),
            step: StepVars {
                code: "reminder".to_owned(),
                offset: 1,
                kind: "email".to_owned(),
            },
            today: "04.12.2026".to_owned(),
            invoices: vec![invoice("FX0001", 34), invoice("FX0002", 1)],
            totals: vec![TotalVars {
                currency: "RON".to_owned(),
                open: "2.380,00 RON".to_owned(),
                interest: "24,68 RON".to_owned(),
                compensation: "398,16 RON".to_owned(),
                with_charges: "2.802,84 RON".to_owned(),
            }],
            ibans: vec![IbanVars {
                entity: "Exemplu Furnizor SRL".to_owned(),
                iban: "RO49AAAA1B31007593840000".to_owned(),
            }],
            payment_reference: "FX0001, FX0002".to_owned(),
            attachments: vec!["fisa-de-cont.pdf".to_owned()],
            interest_basis: interest_basis(false, lang).to_owned(),
        }
    }
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
}

/// A template that does not render: which part, and minijinja's explanation (with the line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("template {code} ({language}), {part}: {message}")]
pub struct TemplateError {
    pub code: String,
    pub language: Language,
    pub part: &'static str,
    pub message: String,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env
}

fn render_part(
    env: &Environment<'_>,
    t: &Template,
    part: &'static str,
    source: &str,
    ctx: &TemplateContext,
) -> Result<String, TemplateError> {
    let err = |e: minijinja::Error| {
        let mut message = e.to_string();
        if let Some(line) = e.line() {
            message = format!("line {line}: {message}");
        }
        TemplateError {
            code: t.code.clone(),
            language: t.language,
            part,
            message,
        }
    };
    // The HTML body is escaped as HTML (a debtor named `<b>` stays text); the others are
    // plain text. minijinja picks the escaping from the template's name.
    let name = if part == "body_html" {
        "body.html"
    } else {
        "part.txt"
    };
    env.render_named_str(name, source, ctx).map_err(err)
}

impl Template {
    /// Renders subject and bodies; the subject is folded to one line.
    pub fn render(&self, ctx: &TemplateContext) -> Result<Rendered, TemplateError> {
        let env = environment();
        let subject = render_part(&env, self, "subject", &self.subject, ctx)?;
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Rendered {
            subject,
            body_text: render_part(&env, self, "body_text", &self.body_text, ctx)?,
            body_html: self
                .body_html
                .as_deref()
                .map(|h| render_part(&env, self, "body_html", h, ctx))
                .transpose()?,
        })
    }
}

/// The built-in template `code` in `language`, if there is one.
pub fn builtin(code: &str, language: Language) -> Option<Template> {
    BUILTIN
        .iter()
        .find(|(c, l, _, _)| *c == code && *l == language)
        .map(|(c, l, subject, body)| Template {
            code: (*c).to_owned(),
            language: *l,
            subject: (*subject).to_owned(),
            body_text: (*body).to_owned(),
            body_html: None,
            builtin: true,
        })
}

/// Codes of the built-in templates.
pub fn builtin_codes() -> Vec<&'static str> {
    let mut codes: Vec<&str> = BUILTIN.iter().map(|(c, ..)| *c).collect();
    codes.dedup();
    codes
}

macro_rules! body {
    ($($part:expr),* $(,)?) => { concat!($($part),*) };
}

/// (code, language, subject, body). `call`, `letter`, `escalation` and `internal_alert` are the
/// titles and descriptions of tasks for the owner, not messages to the debtor.
const BUILTIN: &[(&str, Language, &str, &str)] = &[
    (
        "friendly_reminder",
        Language::Ro,
        "Reamintire: scadență apropiată — {{ entity.name }}",
        body!(
            "Bună ziua,\n\nVă reamintim că următoarele facturi emise de {{ entity.name }} către {{ debtor.name }} ajung în curând la scadență:\n\n",
            "{% for i in invoices %}  - factura {{ i.number }} din {{ i.issue_date }}, scadentă la {{ i.due_date }}: {{ i.open }}\n{% endfor %}",
            "\nTotal: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %}.\n",
            "Dacă plata a fost deja programată, vă mulțumim și vă rugăm să ignorați acest mesaj. Dacă ceva vă împiedică să plătiți (date greșite, documente lipsă), răspundeți la acest mesaj și rezolvăm imediat.\n\n",
            "Cu stimă,\n{% if owner.name %}{{ owner.name }}\n{% endif %}{{ entity.name }}{% if owner.email %}\n{{ owner.email }}{% endif %}\n"
        ),
    ),
    (
        "friendly_reminder",
        Language::En,
        "Reminder: payment due soon — {{ entity.name }}",
        body!(
            "Hello,\n\nA friendly reminder that the following invoices from {{ entity.name }} to {{ debtor.name }} fall due soon:\n\n",
            "{% for i in invoices %}  - invoice {{ i.number }} of {{ i.issue_date }}, due {{ i.due_date }}: {{ i.open }}\n{% endfor %}",
            "\nTotal: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %}.\n",
            "If payment is already scheduled, thank you, and please disregard this message. If anything keeps you from paying (wrong details, missing documents), reply to this message and we will fix it at once.\n\n",
            "Kind regards,\n{% if owner.name %}{{ owner.name }}\n{% endif %}{{ entity.name }}{% if owner.email %}\n{{ owner.email }}{% endif %}\n"
        ),
    ),
    (
        "reminder",
        Language::Ro,
        "Facturi scadente neachitate — {{ debtor.name }}",
        body!(
            "Bună ziua,\n\nLa data de {{ today }}, în evidențele noastre următoarele facturi emise de {{ entity.name }} figurează neachitate:\n\n",
            "{% for i in invoices %}  - factura {{ i.number }} din {{ i.issue_date }}, scadentă la {{ i.due_date }}: rest de plată {{ i.open }}{% if i.days_late > 0 %} ({{ i.late }}){% endif %}\n{% endfor %}",
            "\nTotal de plată: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %}.\n",
            "Vă rugăm să plătiți în {% if ibans | length == 1 %}contul {{ ibans[0].iban }} ({{ ibans[0].entity }}){% else %}conturile:\n{% for a in ibans %}  {{ a.iban }} ({{ a.entity }})\n{% endfor %}{% endif %}, cu mențiunea „{{ payment_reference }}”.\n\n",
            "Dacă ați plătit între timp, vă mulțumim și vă rugăm să ignorați acest mesaj. Dacă există o problemă cu facturile, răspundeți la acest mesaj.\n\n",
            "Cu stimă,\n{% if owner.name %}{{ owner.name }}\n{% endif %}{{ entity.name }}{% if owner.email %}\n{{ owner.email }}{% endif %}\n"
        ),
    ),
    (
        "reminder",
        Language::En,
        "Overdue invoices — {{ debtor.name }}",
        body!(
            "Hello,\n\nAs of {{ today }}, our records show the following invoices from {{ entity.name }} as unpaid:\n\n",
            "{% for i in invoices %}  - invoice {{ i.number }} of {{ i.issue_date }}, due {{ i.due_date }}: {{ i.open }} open{% if i.days_late > 0 %} ({{ i.late }}){% endif %}\n{% endfor %}",
            "\nTotal due: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %}.\n",
            "Please pay into {% if ibans | length == 1 %}account {{ ibans[0].iban }} ({{ ibans[0].entity }}){% else %}the accounts:\n{% for a in ibans %}  {{ a.iban }} ({{ a.entity }})\n{% endfor %}{% endif %}, quoting \"{{ payment_reference }}\".\n\n",
            "If you have paid in the meantime, thank you, and please disregard this message. If there is a problem with the invoices, reply to this message.\n\n",
            "Kind regards,\n{% if owner.name %}{{ owner.name }}\n{% endif %}{{ entity.name }}{% if owner.email %}\n{{ owner.email }}{% endif %}\n"
        ),
    ),
    (
        "firm_reminder",
        Language::Ro,
        "Al doilea aviz: sume restante — {{ debtor.name }}",
        body!(
            "Bună ziua,\n\nÎn ciuda reamintirii noastre, următoarele facturi emise de {{ entity.name }} sunt în continuare neachitate:\n\n",
            "{% for i in invoices %}  - factura {{ i.number }} din {{ i.issue_date }}, scadentă la {{ i.due_date }}: rest de plată {{ i.open }}{% if i.days_late > 0 %} ({{ i.late }}){% endif %}\n{% endfor %}",
            "\nTotal de plată: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %}.{% if attachments %} Atașăm: {{ attachments | join(\", \") }}.{% endif %}\n",
            "Vă rugăm să plătiți în {% if ibans | length == 1 %}contul {{ ibans[0].iban }} ({{ ibans[0].entity }}){% else %}conturile:\n{% for a in ibans %}  {{ a.iban }} ({{ a.entity }})\n{% endfor %}{% endif %}, cu mențiunea „{{ payment_reference }}”, sau să ne comunicați data la care veți plăti.\n\n",
            "Fără plată sau un răspuns din partea dumneavoastră, vom trimite o notificare formală de plată.\n\n",
            "Cu stimă,\n{% if owner.name %}{{ owner.name }}\n{% endif %}{{ entity.name }}{% if owner.email %}\n{{ owner.email }}{% endif %}\n"
        ),
    ),
    (
        "firm_reminder",
        Language::En,
        "Second notice: amounts overdue — {{ debtor.name }}",
        body!(
            "Hello,\n\nDespite our reminder, the following invoices from {{ entity.name }} are still unpaid:\n\n",
            "{% for i in invoices %}  - invoice {{ i.number }} of {{ i.issue_date }}, due {{ i.due_date }}: {{ i.open }} open{% if i.days_late > 0 %} ({{ i.late }}){% endif %}\n{% endfor %}",
            "\nTotal due: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %}.{% if attachments %} Attached: {{ attachments | join(\", \") }}.{% endif %}\n",
            "Please pay into {% if ibans | length == 1 %}account {{ ibans[0].iban }} ({{ ibans[0].entity }}){% else %}the accounts:\n{% for a in ibans %}  {{ a.iban }} ({{ a.entity }})\n{% endfor %}{% endif %}, quoting \"{{ payment_reference }}\", or tell us when you will pay.\n\n",
            "Without payment or an answer from you, we will send a formal notice of payment.\n\n",
            "Kind regards,\n{% if owner.name %}{{ owner.name }}\n{% endif %}{{ entity.name }}{% if owner.email %}\n{{ owner.email }}{% endif %}\n"
        ),
    ),
    (
        "formal_notice",
        Language::Ro,
        "Notificare de plată — {{ debtor.name }}",
        body!(
            "Către {{ debtor.name }} (CUI/CNP {{ debtor.tax_id }}),\n\n",
            "{{ entity.name }} (CUI {{ entity.tax_id }}) vă notifică să plătiți, în termen de 15 zile de la primirea prezentei, următoarele sume datorate și scadente:\n\n",
            "{% for i in invoices %}  - factura {{ i.number }} din {{ i.issue_date }}, scadentă la {{ i.due_date }}: rest de plată {{ i.open }}{% if i.days_late > 0 %} ({{ i.late }}){% endif %}\n{% endfor %}",
            "\nTotal de plată: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %}.\n",
            "{% for t in totals %}{% if t.interest %}La data de {{ today }} se adaugă {{ interest_basis }}: {{ t.interest }}{% if t.compensation %}, și despăgubirea forfetară de 40 EUR pentru fiecare factură (Legea 72/2013): {{ t.compensation }}{% endif %}; total {{ t.with_charges }}.\n{% endif %}{% endfor %}",
            "Dobânda continuă să curgă până la plata integrală.\n",
            "Plata se face în {% if ibans | length == 1 %}contul {{ ibans[0].iban }} ({{ ibans[0].entity }}){% else %}conturile:\n{% for a in ibans %}  {{ a.iban }} ({{ a.entity }})\n{% endfor %}{% endif %}, cu mențiunea „{{ payment_reference }}”.\n\n",
            "Prezenta constituie somație în sensul art. 1015 din Codul de procedură civilă. Dacă suma nu este plătită în termenul de 15 zile, ne rezervăm dreptul de a solicita emiterea unei ordonanțe de plată, cu cheltuielile de judecată în sarcina dumneavoastră. {% if attachments %}Atașăm: {{ attachments | join(\", \") }}. {% endif %}Notificarea vă este comunicată și prin scrisoare recomandată cu confirmare de primire.\n\n",
            "Cu stimă,\n{% if owner.name %}{{ owner.name }}\n{% endif %}{{ entity.name }}{% if owner.email %}\n{{ owner.email }}{% endif %}\n"
        ),
    ),
    (
        "formal_notice",
        Language::En,
        "Formal notice of payment — {{ debtor.name }}",
        body!(
            "To {{ debtor.name }} (tax id {{ debtor.tax_id }}),\n\n",
            "{{ entity.name }} (tax id {{ entity.tax_id }}) hereby gives you notice to pay, within 15 days of receiving this notice, the following amounts, due and payable:\n\n",
            "{% for i in invoices %}  - invoice {{ i.number }} of {{ i.issue_date }}, due {{ i.due_date }}: {{ i.open }} open{% if i.days_late > 0 %} ({{ i.late }}){% endif %}\n{% endfor %}",
            "\nTotal due: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %}.\n",
            "{% for t in totals %}{% if t.interest %}As of {{ today }}, {{ interest_basis }} adds {{ t.interest }}{% if t.compensation %}, and the fixed compensation of 40 EUR per invoice (Law 72/2013) {{ t.compensation }}{% endif %}: {{ t.with_charges }} in all.\n{% endif %}{% endfor %}",
            "Interest keeps running until payment in full.\n",
            "Payment into {% if ibans | length == 1 %}account {{ ibans[0].iban }} ({{ ibans[0].entity }}){% else %}the accounts:\n{% for a in ibans %}  {{ a.iban }} ({{ a.entity }})\n{% endfor %}{% endif %}, quoting \"{{ payment_reference }}\".\n\n",
            "This is a formal notice (somație) within the meaning of art. 1015 of the Romanian Code of Civil Procedure. If the amount is not paid within 15 days, we reserve the right to apply for a payment order, with the costs charged to you. {% if attachments %}Attached: {{ attachments | join(\", \") }}. {% endif %}The notice is also served by registered letter with acknowledgement of receipt.\n\n",
            "Kind regards,\n{% if owner.name %}{{ owner.name }}\n{% endif %}{{ entity.name }}{% if owner.email %}\n{{ owner.email }}{% endif %}\n"
        ),
    ),
    (
        "call",
        Language::Ro,
        "Sunați {{ debtor.name }}: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %} restanți",
        body!(
            "Sunați contactul financiar al {{ debtor.name }} și obțineți o dată de plată (promisiune) sau motivul neplății (contestație).\n\n",
            "{% for i in invoices %}  - factura {{ i.number }}, scadentă la {{ i.due_date }}: {{ i.open }} ({{ i.late }})\n{% endfor %}"
        ),
    ),
    (
        "call",
        Language::En,
        "Call {{ debtor.name }}: {% for t in totals %}{{ t.open }}{% if not loop.last %}, {% endif %}{% endfor %} overdue",
        body!(
            "Call the finance contact of {{ debtor.name }} and get a payment date (promise) or the reason for not paying (dispute).\n\n",
            "{% for i in invoices %}  - invoice {{ i.number }}, due {{ i.due_date }}: {{ i.open }} ({{ i.late }})\n{% endfor %}"
        ),
    ),
    (
        "letter",
        Language::Ro,
        "Trimiteți notificarea către {{ debtor.name }} prin scrisoare recomandată cu confirmare de primire",
        body!(
            "Tipăriți notificarea, trimiteți-o prin scrisoare recomandată cu conținut declarat și confirmare de primire și încărcați confirmarea (document „receipt_ack”): data primirii pornește termenul de 15 zile.\n\n",
            "{% for i in invoices %}  - factura {{ i.number }}: {{ i.open }}\n{% endfor %}"
        ),
    ),
    (
        "letter",
        Language::En,
        "Send the notice to {{ debtor.name }} by registered letter with acknowledgement of receipt",
        body!(
            "Print the notice, send it by registered letter with declared content and acknowledgement of receipt, and upload the receipt (document \"receipt_ack\"): the date of receipt starts the 15-day term.\n\n",
            "{% for i in invoices %}  - invoice {{ i.number }}: {{ i.open }}\n{% endfor %}"
        ),
    ),
    (
        "escalation",
        Language::Ro,
        "Aprobați predarea {{ debtor.name }} către un partener (avocat sau agenție de recuperare)",
        body!(
            "{{ debtor.name }} nu a plătit după notificarea formală. Aprobați predarea dosarului către un partener sau decideți altă acțiune.\n\n",
            "{% for i in invoices %}  - factura {{ i.number }}, scadentă la {{ i.due_date }}: {{ i.open }} ({{ i.late }})\n{% endfor %}"
        ),
    ),
    (
        "escalation",
        Language::En,
        "Approve handing {{ debtor.name }} over to a partner (lawyer or collection agency)",
        body!(
            "{{ debtor.name }} has not paid after the formal notice. Approve handing the case over to a partner, or decide on another action.\n\n",
            "{% for i in invoices %}  - invoice {{ i.number }}, due {{ i.due_date }}: {{ i.open }} ({{ i.late }})\n{% endfor %}"
        ),
    ),
    (
        "internal_alert",
        Language::Ro,
        "Atenție: {{ debtor.name }} are facturi restante",
        "{% for i in invoices %}  - factura {{ i.number }}, scadentă la {{ i.due_date }}: {{ i.open }} ({{ i.late }})\n{% endfor %}",
    ),
    (
        "internal_alert",
        Language::En,
        "Attention: {{ debtor.name }} has overdue invoices",
        "{% for i in invoices %}  - invoice {{ i.number }}, due {{ i.due_date }}: {{ i.open }} ({{ i.late }})\n{% endfor %}",
    ),
];

/// What the interest line of a letter calls the charge.
pub fn interest_basis(contractual: bool, lang: Language) -> &'static str {
    match (contractual, lang) {
        (false, Language::Ro) => "dobânda legală penalizatoare (OG 13/2011)",
        (true, Language::Ro) => "penalitățile de întârziere prevăzute în contract",
        (false, Language::En) => "the statutory late-payment interest (OG 13/2011)",
        (true, Language::En) => "the contractual late-payment penalty",
    }
}

/// The delay in words, with Romanian's plural rules: `1 zi`, `2–19 zile`, `20 de zile`
/// (numbers ending in 00 or 20–99 take "de").
pub fn late_text(days: i64, lang: Language) -> String {
    if days <= 0 {
        return String::new();
    }
    match lang {
        Language::Ro => format!("{} de întârziere", creanta_domain::check::zile(days)),
        Language::En if days == 1 => "1 day late".to_owned(),
        Language::En => format!("{days} days late"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_read_as_romanian_counts_them() {
        let ro = |d| late_text(d, Language::Ro);
        assert_eq!(ro(1), "1 zi de întârziere");
        assert_eq!(ro(13), "13 zile de întârziere");
        assert_eq!(ro(19), "19 zile de întârziere");
        assert_eq!(ro(20), "20 de zile de întârziere");
        assert_eq!(ro(101), "101 zile de întârziere");
        assert_eq!(ro(100), "100 de zile de întârziere");
        assert_eq!(ro(0), "");
        assert_eq!(late_text(1, Language::En), "1 day late");
        assert_eq!(late_text(40, Language::En), "40 days late");
    }

    #[test]
    fn every_builtin_template_exists_in_both_languages_and_renders() {
        for code in builtin_codes() {
            for lang in Language::ALL {
                let t = builtin(code, *lang).unwrap_or_else(|| panic!("{code} {lang}"));
                let r = t.render(&TemplateContext::sample(*lang)).unwrap();
                let names_a_party = ["Client Exemplu SA", "Exemplu Furnizor SRL"]
                    .iter()
                    .any(|n| r.subject.contains(n));
                assert!(names_a_party, "{code}: {}", r.subject);
                assert!(r.body_text.contains("FX0001"), "{code}: {}", r.body_text);
                assert!(!r.subject.contains('\n'));
            }
        }
    }

    #[test]
    fn an_unknown_variable_is_an_error_naming_part_and_line() {
        let mut t = builtin("reminder", Language::Ro).unwrap();
        t.body_text = "Bună ziua,\n{{ debtor.nmae }}\n".into();
        let e = t
            .render(&TemplateContext::sample(Language::Ro))
            .unwrap_err();
        assert_eq!(e.part, "body_text");
        assert!(e.message.starts_with("line 2:"), "{e}");
        t.body_text = "{{ invoice }}".into();
        assert!(t.render(&TemplateContext::sample(Language::Ro)).is_err());
        t.body_text = "{% for i in invoices %}{{ i.number }} {% endfor %}".into();
        let ok = t.render(&TemplateContext::sample(Language::Ro)).unwrap();
        assert_eq!(ok.body_text, "FX0001 FX0002 ");
    }

    #[test]
    fn romanian_letters_render_with_their_diacritics() {
        let t = builtin("formal_notice", Language::Ro).unwrap();
        let r = t.render(&TemplateContext::sample(Language::Ro)).unwrap();
        assert_eq!(r.subject, "Notificare de plată — Client Exemplu SA");
        for needle in [
            "în termen de 15 zile de la primirea prezentei",
            "art. 1015 din Codul de procedură civilă",
            "34 de zile de întârziere",
            "1 zi de întârziere",
            "Atașăm: fisa-de-cont.pdf.",
            "contul RO49AAAA1B31007593840000 (Exemplu Furnizor SRL)",
            "Cu stimă,\nAna Ionescu\nExemplu Furnizor SRL",
            "se adaugă dobânda legală penalizatoare (OG 13/2011): 24,68 RON, și despăgubirea forfetară de 40 EUR pentru fiecare factură (Legea 72/2013): 398,16 RON; total 2.802,84 RON.",
        ] {
            assert!(
                r.body_text.contains(needle),
                "{needle:?} in\n{}",
                r.body_text
            );
        }
    }
}
