//! The pages: debtors list, debtor, invoice. Amounts and dates are formatted here, in the
//! user's language, so the templates only place text.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use creanta_domain::aging::{AgingBucket, days_late};
use creanta_domain::model::{Language, Role};
use creanta_store::repo::{api_views, debtor_list, prevention, views};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::findings::{self, FindingView, RequirementsDraft, RequirementsForm};
use crate::i18n::{self, Texts};
use crate::{WebError, WebState};

const PAGE_SIZE: usize = 50;
/// Above this many groups the group filter offers no suggestions (a list nobody scrolls).
const GROUP_SUGGESTIONS: usize = 300;

/// What every page's frame needs: the user, the CSRF token for its forms, the current path.
pub struct Frame {
    pub user_name: String,
    pub org_name: String,
    pub csrf: String,
    pub path: String,
    pub other_lang: &'static str,
    pub other_lang_label: &'static str,
    pub can_import: bool,
}

pub fn frame(user: &CurrentUser, path: &str) -> Frame {
    let (other_lang, other_lang_label) = match user.0.language() {
        Language::Ro => ("en", "English"),
        Language::En => ("ro", "Română"),
    };
    Frame {
        user_name: user.0.user.name.clone(),
        org_name: user.0.org.name.clone(),
        csrf: user.0.csrf_token.clone(),
        path: path.to_owned(),
        other_lang,
        other_lang_label,
        can_import: user.0.role().manages(),
    }
}

/// The collection pages are for the organization's own people; partners get their portal later.
pub(crate) fn staff_only(user: &CurrentUser) -> Result<(), WebError> {
    match user.0.role() {
        Role::Partner => Err(WebError::Forbidden),
        _ => Ok(()),
    }
}

pub async fn home() -> Redirect {
    Redirect::to(crate::auth::HOME)
}

pub async fn readyz(State(state): State<WebState>) -> Response {
    match state.store.fetch_optional("SELECT 1", &[]).await {
        Ok(_) => "ready".into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../static/creanta.css"),
    )
        .into_response()
}

/// htmx, vendored from its npm package (see static/README.md).
pub async fn htmx() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=86400"),
        ],
        include_str!("../static/htmx.min.js"),
    )
        .into_response()
}

/// A small "C" mark, so browsers stop asking.
pub async fn favicon() -> Response {
    const SVG: &str = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='6' fill='#1d2733'/><text x='16' y='23' font-size='20' text-anchor='middle' fill='#fff' font-family='sans-serif'>C</text></svg>";
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "max-age=86400"),
        ],
        SVG,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: &'static Texts,
    message: &'a str,
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    match (ErrorPage {
        t: &i18n::RO,
        message,
    })
    .render()
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_owned()).into_response(),
    }
}

pub async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, i18n::RO.not_found)
}

#[derive(Deserialize, Default)]
pub struct DebtorsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    bucket: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<usize>,
}

pub struct DebtorRowView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub tax_id: String,
    pub tax_id_valid: bool,
    pub group: String,
    /// This list filtered to the debtor's group.
    pub group_link: String,
    pub owner: String,
    /// One line per currency, for each bucket and the total.
    pub buckets: [Vec<String>; 6],
}

#[derive(Template)]
#[template(path = "debtors.html")]
struct DebtorsPage {
    t: &'static Texts,
    frame: Frame,
    query: DebtorsQueryView,
    owners: Vec<String>,
    groups: Vec<String>,
    rows: Vec<DebtorRowView>,
    totals: [Vec<String>; 6],
    count: usize,
    page: usize,
    pages: usize,
    prev_link: Option<String>,
    next_link: Option<String>,
}

#[derive(Clone)]
pub struct DebtorsQueryView {
    pub q: String,
    pub owner: String,
    pub group: String,
    pub bucket: String,
    pub sort: String,
}

fn bucket_index(code: &str) -> Option<usize> {
    debtor_list::BUCKETS.iter().position(|b| *b == code)
}

fn link(q: &DebtorsQueryView, page: usize) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "/debtors?q={}&owner={}&group={}&bucket={}&sort={}&page={page}",
        enc(&q.q),
        enc(&q.owner),
        enc(&q.group),
        enc(&q.bucket),
        enc(&q.sort)
    )
}

pub async fn debtors(
    State(state): State<WebState>,
    user: CurrentUser,
    Query(query): Query<DebtorsQuery>,
) -> Result<Response, WebError> {
    staff_only(&user)?;
    let app = user.0.app(&state.store);
    let lang = user.0.language();
    let org = app.org_id();
    let today = app.today();
    let bucket = bucket_index(&query.bucket);
    // Counted first so that a page number past the end shows the last page.
    let probe = debtor_list::ListQuery {
        search: Some(&query.q),
        owner: Some(&query.owner),
        group: Some(&query.group),
        bucket,
        sort: debtor_list::Sort::parse(&query.sort),
        offset: (query.page.unwrap_or(1).max(1) - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let mut listed = debtor_list::page(&state.store, org, today, &probe).await?;
    let count = listed.count;
    let pages = count.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    if (page - 1) * PAGE_SIZE != probe.offset {
        let q = debtor_list::ListQuery {
            offset: (page - 1) * PAGE_SIZE,
            ..probe
        };
        listed = debtor_list::page(&state.store, org, today, &q).await?;
    }
    let qv = DebtorsQueryView {
        q: query.q.clone(),
        owner: query.owner.clone(),
        group: query.group.clone(),
        bucket: query.bucket.clone(),
        sort: query.sort.clone(),
    };
    let cells = |lines: &[debtor_list::AgingLine]| -> [Vec<String>; 6] {
        std::array::from_fn(|i| {
            lines
                .iter()
                .filter(|l| l.amounts[i] != 0)
                .map(|l| i18n::money(l.amounts[i], &l.currency, lang))
                .collect()
        })
    };
    let view_rows = listed
        .rows
        .iter()
        .map(|r| {
            let d = &r.debtor;
            DebtorRowView {
                id: d.id,
                code: d.code.clone(),
                name: d.name.clone(),
                tax_id: d.tax_id.clone(),
                tax_id_valid: d.tax_id_valid,
                group: d.group.clone().unwrap_or_default(),
                group_link: link(
                    &DebtorsQueryView {
                        group: d.group.clone().unwrap_or_default(),
                        ..qv.clone()
                    },
                    1,
                ),
                // The list shows who, not the address: "ana.popa@…" reads as "ana.popa".
                owner: d
                    .owner_email
                    .as_deref()
                    .map(|e| e.split('@').next().unwrap_or(e))
                    .unwrap_or_default()
                    .to_owned(),
                buckets: cells(&r.aging),
            }
        })
        .collect();
    let owners = debtor_list::owners(&state.store, org).await?;
    let groups = views::group_names(&state.store, org, GROUP_SUGGESTIONS).await?;
    let page_view = DebtorsPage {
        t: user.texts(),
        frame: frame(&user, "/debtors"),
        owners,
        groups,
        rows: view_rows,
        totals: cells(&listed.totals),
        count,
        page,
        pages,
        prev_link: (page > 1).then(|| link(&qv, page - 1)),
        next_link: (page < pages).then(|| link(&qv, page + 1)),
        query: qv,
    };
    Ok(Html(page_view.render()?).into_response())
}

pub struct InvoiceRowView {
    pub id: i64,
    pub number: String,
    pub kind: &'static str,
    pub entity: String,
    pub issue_date: String,
    pub due_date: String,
    pub total: String,
    pub open: String,
    pub days_late: String,
    pub status: &'static str,
    pub status_class: &'static str,
    /// Open findings of the check (errors, warnings); on the debtor page only.
    pub errors: i64,
    pub warnings: i64,
}

fn invoice_row(
    i: &views::InvoiceLine,
    t: &'static Texts,
    lang: Language,
    today: jiff::civil::Date,
) -> InvoiceRowView {
    let open = i.open();
    let late = days_late(i.due_date, today);
    let (status, status_class) = if open == 0 {
        (t.status_paid, "paid")
    } else if late > 0 && open > 0 {
        (t.status_late, "late")
    } else {
        (t.status_open, "open")
    };
    InvoiceRowView {
        id: i.id,
        number: display_number(&i.series, &i.number),
        kind: if i.kind == "credit_note" {
            t.credit_note
        } else {
            t.invoice
        },
        entity: i.entity_name.clone(),
        issue_date: i18n::date(i.issue_date, lang),
        due_date: i18n::date(i.due_date, lang),
        total: i18n::money(i.total, &i.currency, lang),
        open: i18n::money(open, &i.currency, lang),
        days_late: if open > 0 && late > 0 {
            late.to_string()
        } else {
            String::new()
        },
        status,
        status_class,
        errors: 0,
        warnings: 0,
    }
}

fn display_number(series: &str, number: &str) -> String {
    if series.is_empty() {
        number.to_owned()
    } else {
        format!("{series} {number}")
    }
}

pub struct ContactView {
    pub name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub primary: bool,
}

pub struct ContractView {
    pub id: i64,
    pub number: String,
    pub entity: String,
    pub valid: String,
    pub terms: String,
    pub currency: String,
    pub penalty: String,
    pub requirements: String,
    pub form: RequirementsForm,
    /// The edit form stays open (after a refused change).
    pub open: bool,
}

pub struct PaymentView {
    pub date: String,
    pub amount: String,
    pub reference: String,
    pub invoice_number: String,
    pub allocated: String,
}

fn payment_view(p: &views::PaymentLine, lang: Language) -> PaymentView {
    PaymentView {
        date: i18n::date(p.date, lang),
        amount: i18n::money(p.amount, &p.currency, lang),
        reference: p.reference.clone().unwrap_or_default(),
        invoice_number: p.invoice_number.clone().unwrap_or_default(),
        allocated: p
            .allocated
            .map(|a| i18n::money(a, &p.currency, lang))
            .unwrap_or_default(),
    }
}

fn requirement_text(
    t: &Texts,
    po: bool,
    mention: &Option<String>,
    documents: &str,
    confirmation: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if po {
        out.push(t.requires_po.to_owned());
    }
    if let Some(m) = mention {
        out.push(format!("{}: „{m}”", t.required_mention));
    }
    if !documents.is_empty() {
        let lang = if t.lang == "en" {
            Language::En
        } else {
            Language::Ro
        };
        out.push(format!(
            "{}: {}",
            t.required_documents,
            documents
                .split(';')
                .filter(|d| !d.is_empty())
                .map(|d| i18n::doc_type_label(d, lang))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if confirmation {
        out.push(t.requires_confirmation.to_owned());
    }
    out
}

/// Which requirements form a refused change belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Debtor,
    Contract(i64),
}

/// What a form's answer adds to the debtor page.
#[derive(Default)]
pub struct DebtorOutcome {
    pub status: Option<StatusCode>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub target: Option<Target>,
    /// The refused form, as typed.
    pub draft: Option<RequirementsDraft>,
    /// An action was just approved or closed.
    pub action_saved: bool,
}

#[derive(Template)]
#[template(path = "debtor.html")]
struct DebtorPage {
    t: &'static Texts,
    frame: Frame,
    id: i64,
    can_edit: bool,
    debtor_form: RequirementsForm,
    debtor_form_open: bool,
    notice: Option<String>,
    error: Option<String>,
    code: String,
    name: String,
    tax_id: String,
    tax_id_valid: bool,
    group: String,
    address: String,
    owner: String,
    language: String,
    terms: String,
    requirements: Vec<String>,
    contacts: Vec<ContactView>,
    contracts: Vec<ContractView>,
    invoices: Vec<InvoiceRowView>,
    payments: Vec<PaymentView>,
    open_totals: Vec<String>,
    cal: crate::calendar::DebtorCalendar,
    action_saved: bool,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    checked: Option<String>,
    #[serde(default)]
    overridden: Option<String>,
    #[serde(default)]
    action: Option<String>,
}

pub async fn debtor(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let outcome = DebtorOutcome {
        notice: q.saved.map(|_| user.texts().requirements_saved.to_owned()),
        action_saved: q.action.is_some(),
        ..DebtorOutcome::default()
    };
    render_debtor(&state, &user, id, outcome).await
}

/// The debtor page, with what a form's answer adds to it.
pub async fn render_debtor(
    state: &WebState,
    user: &CurrentUser,
    id: i64,
    outcome: DebtorOutcome,
) -> Result<Response, WebError> {
    staff_only(user)?;
    let app = user.0.app(&state.store);
    let (t, lang, org) = (user.texts(), user.0.language(), app.org_id());
    let (d, group) = views::debtor(&state.store, org, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let today = app.today();
    let invoices = views::invoices_of(&state.store, org, id).await?;
    let mut open: Vec<(String, i64)> = Vec::new();
    for i in invoices.iter().filter(|i| i.open() != 0) {
        match open.iter_mut().find(|(c, _)| *c == i.currency) {
            Some((_, v)) => *v += i.open(),
            None => open.push((i.currency.clone(), i.open())),
        }
    }
    let counts = prevention::open_counts_of_debtor(&state.store, org, id).await?;
    let draft_for = |target: Target, stored: RequirementsDraft| -> (RequirementsForm, bool) {
        match (&outcome.draft, outcome.target) {
            (Some(d), Some(t)) if t == target => (RequirementsForm::of(d, lang), true),
            _ => (
                RequirementsForm::of(&stored, lang),
                outcome.target == Some(target),
            ),
        }
    };
    let filter = api_views::ContractFilter {
        debtor_id: Some(id),
        ..Default::default()
    };
    let contracts = api_views::contracts(&state.store, org, &filter, api_views::Page::ALL)
        .await?
        .items
        .into_iter()
        .map(|item| (item.id, item.contract, item.entity_name))
        .map(|(cid, c, entity)| {
            let (form, open) = draft_for(
                Target::Contract(cid),
                RequirementsDraft::stored(
                    c.requires_po,
                    &c.required_mention,
                    &c.required_documents,
                    c.requires_confirmation,
                    c.payment_terms_days,
                ),
            );
            (cid, c, entity, form, open)
        })
        .map(|(cid, c, entity, form, open)| ContractView {
            id: cid,
            form,
            open,
            number: c.number.clone(),
            entity,
            valid: match (c.valid_from, c.valid_until) {
                (Some(f), Some(u)) => format!("{} – {}", i18n::date(f, lang), i18n::date(u, lang)),
                (Some(f), None) => format!("{} –", i18n::date(f, lang)),
                (None, Some(u)) => format!("– {}", i18n::date(u, lang)),
                (None, None) => t.none.to_owned(),
            },
            terms: c
                .payment_terms_days
                .map(|d| format!("{d} {}", t.days))
                .unwrap_or_default(),
            currency: c.currency.clone().unwrap_or_default(),
            penalty: c
                .penalty_rate_per_day
                .clone()
                .map(|p| format!("{p}%"))
                .unwrap_or_default(),
            requirements: requirement_text(
                t,
                c.requires_po,
                &c.required_mention,
                &c.required_documents,
                c.requires_confirmation,
            )
            .join("; "),
        })
        .collect();
    let (debtor_form, debtor_form_open) = draft_for(
        Target::Debtor,
        RequirementsDraft::stored(
            d.requires_po,
            &d.required_mention,
            &d.required_documents,
            d.requires_confirmation,
            d.payment_terms_days,
        ),
    );
    let page = DebtorPage {
        t,
        frame: frame(user, &format!("/debtors/{id}")),
        id,
        can_edit: findings::can_edit_requirements(user),
        debtor_form,
        debtor_form_open,
        notice: outcome.notice.clone(),
        error: outcome.error.clone(),
        code: d.code.clone(),
        name: d.name.clone(),
        tax_id: d.tax_id.clone(),
        tax_id_valid: d.tax_id_valid,
        group: group.unwrap_or_default(),
        address: [d.address.clone(), d.city.clone(), d.country.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        owner: d.owner_email.clone().unwrap_or_default(),
        language: i18n::code_label(&d.language, lang).to_owned(),
        terms: d
            .payment_terms_days
            .map(|n| format!("{n} {}", t.days))
            .unwrap_or_default(),
        requirements: requirement_text(
            t,
            d.requires_po,
            &d.required_mention,
            &d.required_documents,
            d.requires_confirmation,
        ),
        contacts: views::contacts(&state.store, org, id)
            .await?
            .into_iter()
            .map(|c| ContactView {
                role: i18n::code_label(&c.role, lang).to_owned(),
                name: c.name,
                email: c.email.unwrap_or_default(),
                phone: c.phone.unwrap_or_default(),
                primary: c.is_primary,
            })
            .collect(),
        contracts,
        invoices: invoices
            .iter()
            .map(|i| {
                let mut row = invoice_row(i, t, lang, today);
                (row.errors, row.warnings) = counts.get(&i.id).copied().unwrap_or((0, 0));
                row
            })
            .collect(),
        payments: views::payments_of_debtor(&state.store, org, id)
            .await?
            .iter()
            .map(|p| payment_view(p, lang))
            .collect(),
        open_totals: open.iter().map(|(c, v)| i18n::money(*v, c, lang)).collect(),
        cal: crate::calendar::of_debtor(state, user, id).await?,
        action_saved: outcome.action_saved,
    };
    let status = outcome.status.unwrap_or(StatusCode::OK);
    Ok((status, Html(page.render()?)).into_response())
}

pub struct DocumentView {
    pub doc_type: String,
    pub file_name: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    t: &'static Texts,
    frame: Frame,
    row: InvoiceRowView,
    debtor_id: i64,
    debtor: String,
    entity_tax_id: String,
    buyer: String,
    po_number: String,
    contract_number: String,
    mentions: String,
    iban: String,
    sent_to: String,
    bucket: &'static str,
    documents: Vec<DocumentView>,
    payments: Vec<PaymentView>,
    open_findings: Vec<FindingView>,
    closed_findings: Vec<FindingView>,
    can_check: bool,
    notice: Option<&'static str>,
    m: &'static crate::i18n::MailTexts,
    delivery: crate::outbox::DeliveryView,
}

pub async fn invoice(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    staff_only(&user)?;
    let app = user.0.app(&state.store);
    let (t, lang, org) = (user.texts(), user.0.language(), app.org_id());
    let i = views::invoice(&state.store, org, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let today = app.today();
    let bucket = match AgingBucket::of(i.due_date, today) {
        AgingBucket::NotDue => t.not_due,
        AgingBucket::D1To30 => t.d1_30,
        AgingBucket::D31To60 => t.d31_60,
        AgingBucket::D61To90 => t.d61_90,
        AgingBucket::Over90 => t.over_90,
    };
    let (open_findings, closed_findings) = findings::of_invoice(&state, &user, id).await?;
    let open_errors = open_findings
        .iter()
        .filter(|f| f.severity == "error")
        .count();
    let delivery =
        crate::outbox::delivery_of_invoice(&state, &user, id, open_errors, i.open() != 0).await?;
    let m = i18n::mail_texts(lang);
    let page = InvoicePage {
        t,
        m,
        delivery,
        open_findings,
        closed_findings,
        can_check: findings::can_check(&user),
        notice: match (q.checked, q.overridden) {
            (Some(_), _) => Some(t.checked_notice),
            (None, Some(_)) => Some(m.override_done),
            _ => None,
        },
        frame: frame(&user, &format!("/invoices/{id}")),
        row: invoice_row(&i, t, lang, today),
        debtor_id: i.debtor_id,
        debtor: format!("{} · {}", i.debtor_code, i.debtor_name),
        entity_tax_id: i.entity_tax_id.clone(),
        buyer: format!(
            "{} {}",
            i.buyer_name.clone().unwrap_or_default(),
            i.buyer_tax_id
        )
        .trim()
        .to_owned(),
        po_number: i.po_number.clone().unwrap_or_default(),
        contract_number: i.contract_number.clone().unwrap_or_default(),
        mentions: i.mentions.clone().unwrap_or_default(),
        iban: i.iban.clone().unwrap_or_default(),
        sent_to: i.sent_to.clone().unwrap_or_default(),
        bucket,
        documents: views::documents_of_invoice(&state.store, org, id)
            .await?
            .into_iter()
            .map(|d| DocumentView {
                doc_type: d.doc_type,
                file_name: d.file_name,
                size: format!("{} kB", (d.size + 1023) / 1024),
            })
            .collect(),
        payments: views::payments_of_invoice(&state.store, org, id)
            .await?
            .iter()
            .map(|p| payment_view(p, lang))
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}
