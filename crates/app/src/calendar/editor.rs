//! The organization's communication templates, as the editor sees them: every template a step
//! uses or Creanța ships, in every language, as saved or built in. Saving checks the draft
//! against the sample debtor with strict variables, so a misspelt variable is refused when it
//! is typed, never sent; previewing renders a draft for a real debtor's open invoices.

use std::collections::HashMap;

use creanta_domain::dunning::{ActionKind, Policy, Step};
use creanta_domain::model::Language;
use creanta_store::Tx;
use creanta_store::repo::calendar::{self as repo, TemplateRow};
use creanta_store::repo::events::{self, NewEvent};
use jiff::civil::Date;
use serde::Serialize;

use super::templates::{self, Rendered, Template, TemplateContext, TemplateError};
use crate::{App, AppError};

/// A template as the organization has it.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateEntry {
    pub code: String,
    pub language: Language,
    /// The saved version, else the built-in one; `None` when a step names a template that
    /// exists in neither (the run would refuse that step's messages).
    pub template: Option<Template>,
    /// Saved by the organization (restoring brings back the built-in one, if any).
    pub edited: bool,
    pub has_builtin: bool,
    /// `policy/step` of every step that uses it.
    pub used_by: Vec<String>,
}

/// A template being edited.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TemplateDraft {
    pub subject: String,
    pub body_text: String,
    /// Empty or absent: the message is plain text.
    #[serde(default)]
    pub body_html: Option<String>,
}

/// What a preview shows: the draft rendered for one debtor (or the sample one).
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// The debtor it was rendered for; `None` for the sample debtor.
    pub debtor: Option<PreviewDebtor>,
    /// The rendered message, or why the draft does not render.
    pub rendered: Option<Rendered>,
    pub error: Option<TemplateError>,
}

impl Preview {
    fn of(debtor: Option<PreviewDebtor>, result: Result<Rendered, TemplateError>) -> Preview {
        let (rendered, error) = match result {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        Preview {
            debtor,
            rendered,
            error,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PreviewDebtor {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// The organization's saved templates, by (code, language).
pub(crate) async fn saved(
    tx: &mut Tx,
    org: i64,
) -> Result<HashMap<(String, Language), Template>, AppError> {
    let mut map = HashMap::new();
    for t in repo::templates(tx, org).await? {
        let Ok(language) = t.language.parse::<Language>() else {
            continue;
        };
        map.insert(
            (t.code.clone(), language),
            Template {
                code: t.code,
                language,
                subject: t.subject,
                body_text: t.body_text,
                body_html: t.body_html,
                builtin: false,
            },
        );
    }
    Ok(map)
}

/// The template `code` as messages use it: saved, else built in, in `lang`, else in Romanian.
pub(crate) fn effective(
    saved: &HashMap<(String, Language), Template>,
    code: &str,
    lang: Language,
) -> Result<Template, AppError> {
    [lang, Language::Ro]
        .into_iter()
        .find_map(|l| {
            saved
                .get(&(code.to_owned(), l))
                .cloned()
                .or_else(|| templates::builtin(code, l))
        })
        .ok_or_else(|| AppError::Invalid(format!("no template {code:?} ({lang})")))
}

/// Every step (with its policy) that uses template `code`.
fn steps_using<'a>(policies: &'a [Policy], code: &str) -> Vec<(&'a Policy, &'a Step)> {
    policies
        .iter()
        .flat_map(|p| p.steps.iter().map(move |s| (p, s)))
        .filter(|(_, s)| s.template == code)
        .collect()
}

/// Every template of the organization: the built-in ones, the saved ones and those the
/// policies name, each in every language, ordered by code.
pub async fn list(app: &App) -> Result<Vec<TemplateEntry>, AppError> {
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let (policies, _) = super::policies_in(&mut tx, org).await?;
    let saved = saved(&mut tx, org).await?;
    tx.commit().await?;
    let mut codes: Vec<String> = templates::builtin_codes()
        .into_iter()
        .map(str::to_owned)
        .chain(saved.keys().map(|(c, _)| c.clone()))
        .chain(
            policies
                .iter()
                .flat_map(|p| p.steps.iter().map(|s| s.template.clone())),
        )
        .collect();
    codes.sort();
    codes.dedup();
    let mut out = Vec::new();
    for code in codes {
        for lang in Language::ALL {
            out.push(entry(&policies, &saved, &code, *lang));
        }
    }
    Ok(out)
}

fn entry(
    policies: &[Policy],
    saved: &HashMap<(String, Language), Template>,
    code: &str,
    lang: Language,
) -> TemplateEntry {
    let own = saved.get(&(code.to_owned(), lang)).cloned();
    let builtin = templates::builtin(code, lang);
    TemplateEntry {
        code: code.to_owned(),
        language: lang,
        edited: own.is_some(),
        has_builtin: builtin.is_some(),
        template: own.or(builtin),
        used_by: steps_using(policies, code)
            .iter()
            .map(|(p, s)| format!("{}/{}", p.code, s.code))
            .collect(),
    }
}

/// One template, or `None` when Creanța does not ship it, the organization has not saved it
/// and no step names it.
pub async fn get(app: &App, code: &str, lang: Language) -> Result<Option<TemplateEntry>, AppError> {
    Ok(list(app)
        .await?
        .into_iter()
        .find(|e| e.code == code && e.language == lang))
}

/// A template code: what policies' `template` fields may name.
pub fn check_code(code: &str) -> Result<(), AppError> {
    if creanta_domain::dunning::valid_code(code) {
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "template code {code:?}: use 1 to 64 lowercase letters, digits, '_', '-' or '+'"
        )))
    }
}

/// Longest subject and bodies a template may have, in characters.
pub const MAX_SUBJECT: usize = 500;
pub const MAX_BODY: usize = 100_000;

fn template_of(code: &str, lang: Language, draft: &TemplateDraft) -> Template {
    Template {
        code: code.to_owned(),
        language: lang,
        subject: draft.subject.clone(),
        body_text: draft.body_text.clone(),
        body_html: draft.body_html.clone().filter(|h| !h.trim().is_empty()),
        builtin: false,
    }
}

/// Checks a draft: a subject and a text body, and every part renders for the sample debtor
/// (strict variables), with and without attachments.
pub fn check(code: &str, lang: Language, draft: &TemplateDraft) -> Result<Template, TemplateError> {
    let t = template_of(code, lang, draft);
    let missing = |part: &'static str| TemplateError {
        code: code.to_owned(),
        language: lang,
        part,
        message: match lang {
            Language::Ro => "nu poate fi gol".to_owned(),
            Language::En => "cannot be empty".to_owned(),
        },
    };
    if t.subject.trim().is_empty() {
        return Err(missing("subject"));
    }
    if t.body_text.trim().is_empty() {
        return Err(missing("body_text"));
    }
    for (part, text, max) in [
        ("subject", &t.subject, MAX_SUBJECT),
        ("body_text", &t.body_text, MAX_BODY),
        (
            "body_html",
            t.body_html.as_ref().unwrap_or(&String::new()),
            MAX_BODY,
        ),
    ] {
        let problem = if text.contains('\0') {
            Some("NUL".to_owned())
        } else if text.chars().count() > max {
            Some(format!("> {max}"))
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(TemplateError {
                code: code.to_owned(),
                language: lang,
                part,
                message: match lang {
                    Language::Ro => format!("text nepermis ({p})"),
                    Language::En => format!("not allowed ({p})"),
                },
            });
        }
    }
    // The sample debtor, and the shapes real debtors come in: one invoice, no IBAN, no
    // attachment. A template that indexes past them (`invoices[1]`, `ibans[0]`) is refused
    // here rather than failing on the morning of a run.
    let mut sample = TemplateContext::sample(lang);
    t.render(&sample)?;
    sample.attachments.clear();
    sample.ibans.clear();
    sample.invoices.truncate(1);
    t.render(&sample)?;
    Ok(t)
}

/// Saves the organization's version of a template, all or nothing: a draft that does not
/// render is refused (the inner error names the part and line) and nothing is written.
pub async fn save(
    app: &App,
    actor: &str,
    code: &str,
    lang: Language,
    draft: &TemplateDraft,
) -> Result<Result<Template, TemplateError>, AppError> {
    check_code(code)?;
    let t = match check(code, lang, draft) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let org = app.org_id();
    let now = crate::now();
    let mut tx = app.store.begin().await?;
    repo::upsert_template(
        &mut tx,
        org,
        &TemplateRow {
            code: t.code.clone(),
            language: lang.code().to_owned(),
            subject: t.subject.clone(),
            body_text: t.body_text.clone(),
            body_html: t.body_html.clone(),
        },
        now,
    )
    .await?;
    events::append(
        &mut tx,
        org,
        now,
        &[NewEvent {
            actor: actor.to_owned(),
            kind: "template.saved".into(),
            subject_type: "template".into(),
            subject_id: None,
            data: serde_json::json!({
                "code": t.code, "language": lang, "subject": t.subject,
                "body_text": t.body_text, "body_html": t.body_html,
            }),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(t))
}

/// Drops the organization's version, so the built-in one applies again. Refused for a
/// template with no built-in version that a step still uses: its messages would fail.
pub async fn restore(app: &App, actor: &str, code: &str, lang: Language) -> Result<bool, AppError> {
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let (policies, _) = super::policies_in(&mut tx, org).await?;
    let users = steps_using(&policies, code);
    if templates::builtin(code, lang).is_none() && !users.is_empty() {
        return Err(AppError::Invalid(format!(
            "template {code} ({lang}) has no built-in version and step {}/{} uses it",
            users[0].0.code, users[0].1.code
        )));
    }
    let removed = repo::delete_template(&mut tx, org, code, lang.code()).await?;
    if removed {
        events::append(
            &mut tx,
            org,
            crate::now(),
            &[NewEvent {
                actor: actor.to_owned(),
                kind: "template.restored".into(),
                subject_type: "template".into(),
                subject_id: None,
                data: serde_json::json!({ "code": code, "language": lang }),
            }],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(removed)
}

/// Renders a draft for `debtor` (by id) as on `day`: the debtor's overdue invoices, charges
/// and IBANs, with the first step that uses the template (or an e-mail step of that name).
/// Without a debtor, or for one with nothing open, the sample debtor is used.
pub async fn preview(
    app: &App,
    code: &str,
    lang: Language,
    draft: &TemplateDraft,
    debtor: Option<i64>,
    day: Date,
) -> Result<Preview, AppError> {
    let t = template_of(code, lang, draft);
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let mut found = None;
    if let Some(id) = debtor {
        let row = tx
            .fetch_optional(
                "SELECT code, name FROM debtors WHERE org_id = $1 AND id = $2",
                &creanta_store::args![org, id],
            )
            .await?;
        let Some(row) = row else {
            return Err(AppError::Invalid(format!("no debtor {id}")));
        };
        let (policies, default) = super::policies_in(&mut tx, org).await?;
        let (policy, step) = steps_using(&policies, code)
            .first()
            .map(|(p, s)| (p.code.clone(), (*s).clone()))
            .unwrap_or_else(|| (default, email_step(code)));
        let ctx =
            super::messages::debtor_context(&mut tx, org, id, &policy, &step, day, lang).await?;
        found = ctx.map(|ctx| {
            (
                PreviewDebtor {
                    id,
                    code: row.get(0).unwrap_or_default(),
                    name: row.get(1).unwrap_or_default(),
                },
                ctx,
            )
        });
    }
    tx.commit().await?;
    Ok(match found {
        Some((d, ctx)) => Preview::of(Some(d), t.render(&ctx)),
        None => Preview::of(None, t.render(&TemplateContext::sample(lang))),
    })
}

/// The id of the debtor with this code.
pub async fn debtor_id(app: &App, code: &str) -> Result<Option<i64>, AppError> {
    let mut tx = app.store.begin().await?;
    let row = tx
        .fetch_optional(
            "SELECT id FROM debtors WHERE org_id = $1 AND code = $2",
            &creanta_store::args![app.org_id(), code],
        )
        .await?;
    tx.commit().await?;
    Ok(row.map(|r| r.get(0)).transpose()?)
}

/// The code of a debtor with an invoice overdue on `day` (the most recently due one): whom
/// the editor previews by default, so the preview shows real invoices from the start.
pub async fn overdue_debtor(app: &App, day: Date) -> Result<Option<String>, AppError> {
    let mut tx = app.store.begin().await?;
    let row = tx
        .fetch_optional(
            "SELECT d.code FROM invoices i JOIN debtors d ON d.id = i.debtor_id AND d.org_id = i.org_id \
             WHERE i.org_id = $1 AND i.total > i.paid AND i.due_date < $2 \
             ORDER BY i.due_date DESC, i.id LIMIT 1",
            &creanta_store::args![app.org_id(), day],
        )
        .await?;
    tx.commit().await?;
    Ok(row.map(|r| r.get(0)).transpose()?)
}

fn email_step(code: &str) -> Step {
    Step {
        code: code.to_owned(),
        offset: 0,
        kind: ActionKind::Email,
        template: code.to_owned(),
        min_open: Default::default(),
        needs_approval: false,
        attach: Vec::new(),
    }
}
