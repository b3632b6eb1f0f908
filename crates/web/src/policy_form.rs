//! One action calendar edited as a form, step by step (managers): offset, kind, template,
//! minimum, approval and attachments per row, a blank row to add a step, a box to remove
//! one. Saved through the same checks as the TOML file (`calendar::save_policy`): all or
//! nothing, the error naming step and field, the form kept as typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use creanta_app::AppError;
use creanta_app::calendar::{self, editor};
use creanta_domain::dunning::{ActionKind, GeneratedDoc, Policy, Step};
use creanta_domain::model::Language;
use creanta_domain::money::{Currency, parse_amount};

use crate::WebState;
use crate::auth::CurrentUser;
use crate::calendar::kind_label;
use crate::error::WebError;
use crate::i18n::{self, Texts};
use crate::pages::{Frame, frame};

/// Blank rows offered for new steps.
const BLANK_ROWS: usize = 2;

pub struct FormTexts {
    pub edit_title: &'static str,
    pub new_title: &'static str,
    pub back: &'static str,
    pub code: &'static str,
    pub code_hint: &'static str,
    pub name: &'static str,
    pub offset: &'static str,
    pub step: &'static str,
    pub kind: &'static str,
    pub template: &'static str,
    pub minimum: &'static str,
    pub minimum_hint: &'static str,
    pub approval: &'static str,
    pub attach: &'static str,
    pub remove: &'static str,
    pub rows_hint: &'static str,
    pub save: &'static str,
}

static RO: FormTexts = FormTexts {
    edit_title: "Modifică calendarul",
    new_title: "Calendar nou",
    back: "Calendarul de acțiuni",
    code: "Cod",
    code_hint: "litere mici, cifre, _ - +; nu se mai schimbă",
    name: "Denumire",
    offset: "Zile față de scadență",
    step: "Cod pas",
    kind: "Tip",
    template: "Șablon",
    minimum: "Sumă minimă",
    minimum_hint: "100,00 RON; 20 EUR",
    approval: "Cu aprobare",
    attach: "Atașează",
    remove: "Șterge",
    rows_hint: "Zile negative: înainte de scadență. Un rând gol adaugă un pas; pașii se ordonează după zile. Un pas redenumit e nou pentru fiecare factură.",
    save: "Salvează",
};

static EN: FormTexts = FormTexts {
    edit_title: "Edit the calendar",
    new_title: "New calendar",
    back: "Action calendar",
    code: "Code",
    code_hint: "lower-case letters, digits, _ - +; cannot change later",
    name: "Name",
    offset: "Days from due date",
    step: "Step code",
    kind: "Kind",
    template: "Template",
    minimum: "Minimum",
    minimum_hint: "100.00 RON; 20 EUR",
    approval: "Approval",
    attach: "Attaches",
    remove: "Remove",
    rows_hint: "Negative days: before the due date. A blank row adds a step; steps are ordered by days. A renamed step is new for every invoice.",
    save: "Save",
};

fn texts(lang: Language) -> &'static FormTexts {
    match lang {
        Language::Ro => &RO,
        Language::En => &EN,
    }
}

/// A choice in a select or a checkbox: value, label, chosen.
struct Choice {
    value: String,
    label: String,
    chosen: bool,
}

/// One row as shown (and as typed, when the form comes back with an error).
struct Row {
    offset: String,
    code: String,
    kinds: Vec<Choice>,
    templates: Vec<Choice>,
    minimum: String,
    needs_approval: bool,
    attach: Vec<Choice>,
    /// Ticked for removal when the form came back with an error.
    remove: bool,
}

/// A row's fields before they are checked.
#[derive(Default, Debug, Clone, PartialEq)]
struct RowInput {
    offset: String,
    code: String,
    kind: String,
    template: String,
    minimum: String,
    needs_approval: bool,
    attach: Vec<String>,
    remove: bool,
}

impl RowInput {
    fn of_step(s: &Step) -> RowInput {
        RowInput {
            offset: s.offset.to_string(),
            code: s.code.clone(),
            kind: s.kind.code().to_owned(),
            template: s.template.clone(),
            minimum: s
                .min_open
                .iter()
                .map(|(c, m)| creanta_domain::format_amount(*m, *c) + " " + c.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            needs_approval: s.needs_approval,
            attach: s.attach.iter().map(|a| a.code().to_owned()).collect(),
            remove: false,
        }
    }

    fn is_blank(&self) -> bool {
        self.offset.trim().is_empty() && self.code.trim().is_empty()
    }
}

#[derive(Template)]
#[template(path = "policy_edit.html")]
struct EditPage {
    t: &'static Texts,
    c: &'static FormTexts,
    frame: Frame,
    is_new: bool,
    action: String,
    code: String,
    name: String,
    rows: Vec<Row>,
    error: Option<String>,
}

/// The form's fields: `code`, `name`, and per row `offset-N`, `code-N`, `kind-N`,
/// `template-N`, `min-N`, `approval-N`, `attach-N` (repeated) and `remove-N`.
#[derive(Debug, Default, PartialEq)]
struct PolicyInput {
    code: String,
    name: String,
    rows: Vec<RowInput>,
}

fn read_form(fields: &[(String, String)]) -> PolicyInput {
    let mut input = PolicyInput::default();
    let mut rows: BTreeMap<usize, RowInput> = BTreeMap::new();
    for (key, value) in fields {
        match key.as_str() {
            "code" => input.code = value.trim().to_owned(),
            "name" => input.name = value.trim().to_owned(),
            _ => {
                let Some((field, n)) = key.rsplit_once('-') else {
                    continue;
                };
                let Ok(n) = n.parse::<usize>() else { continue };
                let row = rows.entry(n).or_default();
                match field {
                    "offset" => row.offset = value.trim().to_owned(),
                    "code" => row.code = value.trim().to_owned(),
                    "kind" => row.kind = value.clone(),
                    "template" => row.template = value.clone(),
                    "min" => row.minimum = value.trim().to_owned(),
                    "approval" => row.needs_approval = true,
                    "attach" => row.attach.push(value.clone()),
                    "remove" => row.remove = true,
                    _ => {}
                }
            }
        }
    }
    input.rows = rows.into_values().collect();
    input
}

/// `100,00 RON; 20 EUR` → the minimum per currency.
fn parse_minimum(text: &str) -> Result<BTreeMap<Currency, i64>, String> {
    let mut out = BTreeMap::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (amount, currency) = part
            .rsplit_once(char::is_whitespace)
            .ok_or_else(|| format!("{part:?}: write an amount and a currency, e.g. 100.00 RON"))?;
        let currency = Currency::parse(currency.trim())
            .map_err(|_| format!("{part:?}: {:?} is not a currency code", currency.trim()))?;
        let minor = parse_amount(amount, currency).map_err(|e| format!("{part:?}: {e}"))?;
        if out.insert(currency, minor).is_some() {
            return Err(format!("{currency} is given twice"));
        }
    }
    Ok(out)
}

/// The policy the form describes; errors name the row (from 1) and field. The domain's
/// checks (codes, offsets, order, templates) come after, when it is saved.
fn policy_of(input: &PolicyInput) -> Result<Policy, String> {
    let mut steps = Vec::new();
    for (i, r) in input.rows.iter().enumerate() {
        if r.remove || r.is_blank() {
            continue;
        }
        let row = |field: &str, message: String| format!("row {}: {field}: {message}", i + 1);
        let offset = r.offset.parse::<i32>().map_err(|_| {
            row(
                "offset",
                format!("{:?} is not a whole number of days", r.offset),
            )
        })?;
        let kind = r
            .kind
            .parse::<ActionKind>()
            .map_err(|e| row("kind", e.to_string()))?;
        let attach = r
            .attach
            .iter()
            .map(|a| a.parse::<GeneratedDoc>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| row("attach", e.to_string()))?;
        steps.push(Step {
            code: r.code.clone(),
            offset,
            kind,
            template: r.template.clone(),
            min_open: parse_minimum(&r.minimum).map_err(|m| row("minimum", m))?,
            needs_approval: r.needs_approval,
            attach,
        });
    }
    Ok(Policy {
        code: input.code.clone(),
        name: input.name.clone(),
        steps,
    })
}

async fn template_codes(state: &WebState, user: &CurrentUser) -> Result<Vec<String>, WebError> {
    let mut codes: Vec<String> = editor::list(&user.0.app(&state.store))
        .await?
        .into_iter()
        .map(|e| e.code)
        .collect();
    codes.dedup();
    Ok(codes)
}

fn manager(user: &CurrentUser) -> Result<(), WebError> {
    if user.0.role().manages() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

async fn render(
    state: &WebState,
    user: &CurrentUser,
    is_new: bool,
    input: PolicyInput,
    error: Option<String>,
) -> Result<Response, WebError> {
    let lang = user.0.language();
    let templates = template_codes(state, user).await?;
    let mut rows: Vec<RowInput> = input.rows;
    rows.retain(|r| !r.is_blank());
    rows.extend(std::iter::repeat_with(RowInput::default).take(BLANK_ROWS));
    let rows = rows
        .into_iter()
        .map(|r| Row {
            kinds: ActionKind::ALL
                .iter()
                .map(|k| Choice {
                    value: k.code().to_owned(),
                    label: kind_label(k.code(), lang).to_owned(),
                    chosen: k.code() == r.kind,
                })
                .collect(),
            templates: std::iter::once(String::new())
                .chain(templates.iter().cloned())
                .map(|t| Choice {
                    chosen: t == r.template,
                    label: t.clone(),
                    value: t,
                })
                .collect(),
            attach: GeneratedDoc::ALL
                .iter()
                .map(|d| Choice {
                    value: d.code().to_owned(),
                    label: i18n::doc_type_label(d.code(), lang).to_owned(),
                    chosen: r.attach.iter().any(|a| a == d.code()),
                })
                .collect(),
            offset: r.offset,
            code: r.code,
            minimum: r.minimum,
            needs_approval: r.needs_approval,
            remove: r.remove,
        })
        .collect();
    let page = EditPage {
        t: user.texts(),
        c: texts(lang),
        frame: frame(user, "/policies"),
        is_new,
        action: if is_new {
            "/policies/new".to_owned()
        } else {
            format!("/policies/{}/edit", input.code)
        },
        code: input.code,
        name: input.name,
        rows,
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn edit(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    manager(&user)?;
    let (policies, _) = calendar::policies(&user.0.app(&state.store)).await?;
    let policy = policies
        .into_iter()
        .find(|p| p.code == code)
        .ok_or(WebError::NotFound)?;
    let input = PolicyInput {
        rows: policy.steps.iter().map(RowInput::of_step).collect(),
        code: policy.code,
        name: policy.name,
    };
    render(&state, &user, false, input, None).await
}

pub async fn new(State(state): State<WebState>, user: CurrentUser) -> Result<Response, WebError> {
    manager(&user)?;
    render(&state, &user, true, PolicyInput::default(), None).await
}

async fn save(
    state: &WebState,
    user: &CurrentUser,
    is_new: bool,
    fields: &[(String, String)],
) -> Result<Response, WebError> {
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    user.check_csrf(csrf)?;
    manager(user)?;
    let input = read_form(fields);
    let app = user.0.app(&state.store);
    let (existing, _) = calendar::policies(&app).await?;
    let exists = existing.iter().any(|p| p.code == input.code);
    if !is_new && !exists {
        return Err(WebError::NotFound);
    }
    if is_new && exists {
        let error = format!("a calendar {:?} exists already", input.code);
        return render(state, user, is_new, input, Some(error)).await;
    }
    let policy = match policy_of(&input) {
        Ok(p) => p,
        Err(e) => return render(state, user, is_new, input, Some(e)).await,
    };
    match calendar::save_policy(&app, policy, &user.0.user.email).await {
        Ok(_) => Ok(Redirect::to("/policies?saved=1").into_response()),
        Err(AppError::Invalid(m)) => render(state, user, is_new, input, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn save_edit(
    State(state): State<WebState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(mut fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    // The code of an existing calendar is the one in the address, whatever the form says.
    fields.retain(|(k, _)| k != "code");
    fields.push(("code".to_owned(), code));
    save(&state, &user, false, &fields).await
}

pub async fn save_new(
    State(state): State<WebState>,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(&state, &user, true, &fields).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_form_becomes_a_policy_without_blank_or_removed_rows() {
        let input = read_form(&fields(&[
            ("code", "strict"),
            ("name", "Calendar strict"),
            ("offset-0", "1"),
            ("code-0", "reminder"),
            ("kind-0", "email"),
            ("template-0", "reminder"),
            ("min-0", "1.234,50 RON; 20 EUR"),
            ("offset-1", "20"),
            ("code-1", "formal_notice"),
            ("kind-1", "letter"),
            ("template-1", "formal_notice"),
            ("approval-1", "on"),
            ("attach-1", "notice"),
            ("attach-1", "statement"),
            ("offset-2", "5"),
            ("code-2", "call"),
            ("kind-2", "call"),
            ("template-2", "call"),
            ("remove-2", "on"),
            ("offset-3", ""),
            ("code-3", ""),
            ("kind-3", "email"),
            ("template-3", ""),
        ]));
        let p = policy_of(&input).unwrap();
        assert_eq!(
            (p.code.as_str(), p.name.as_str()),
            ("strict", "Calendar strict")
        );
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.steps[0].min_open[&Currency::RON], 123_450);
        assert_eq!(p.steps[0].min_open[&Currency::EUR], 2_000);
        assert!(p.steps[1].needs_approval && !p.steps[0].needs_approval);
        assert_eq!(
            p.steps[1].attach,
            [GeneratedDoc::Notice, GeneratedDoc::Statement]
        );
    }

    #[test]
    fn a_bad_field_names_its_row() {
        let bad = |pairs: &[(&str, &str)]| policy_of(&read_form(&fields(pairs))).unwrap_err();
        let base = [("code-0", "x"), ("kind-0", "email"), ("template-0", "t")];
        let with = |extra: (&'static str, &'static str)| {
            let mut v = base.to_vec();
            v.push(extra);
            v
        };
        assert!(bad(&with(("offset-0", "zece"))).starts_with("row 1: offset: \"zece\""));
        let e = bad(&with(("min-0", "100 euro"))
            .into_iter()
            .chain([("offset-0", "1")])
            .collect::<Vec<_>>());
        assert!(e.starts_with("row 1: minimum: \"100 euro\""), "{e}");
        let e = bad(&with(("min-0", "abc RON"))
            .into_iter()
            .chain([("offset-0", "1")])
            .collect::<Vec<_>>());
        assert!(e.starts_with("row 1: minimum: \"abc RON\""), "{e}");
        let e = bad(&[
            ("offset-0", "1"),
            ("code-0", "x"),
            ("kind-0", "fax"),
            ("template-0", "t"),
        ]);
        assert!(e.starts_with("row 1: kind: "), "{e}");
    }

    #[test]
    fn a_step_shown_in_the_form_reads_back_the_same() {
        let p = Policy::standard();
        let input = PolicyInput {
            code: p.code.clone(),
            name: p.name.clone(),
            rows: p.steps.iter().map(RowInput::of_step).collect(),
        };
        assert_eq!(policy_of(&input).unwrap(), p);
        let mut step = p.steps[1].clone();
        step.min_open.insert(Currency::RON, 10_050);
        step.min_open.insert(Currency::EUR, 2_000);
        let back = policy_of(&PolicyInput {
            code: "x".into(),
            name: "x".into(),
            rows: vec![RowInput::of_step(&step)],
        })
        .unwrap();
        assert_eq!(back.steps[0], step);
    }
}
