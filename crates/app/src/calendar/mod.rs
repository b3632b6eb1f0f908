//! The standard action calendar (DESIGN.md, "The daily run"): policies, their templates, the
//! daily run and what pauses it.

pub mod actions;
pub mod editor;
pub mod holds;
pub mod letters;
mod messages;
pub mod run;
pub mod templates;

use creanta_domain::dunning::{Policy, STANDARD_POLICY};
use creanta_domain::model::Language;
use creanta_store::Tx;
use creanta_store::repo::calendar::{self as repo, PolicyRow};
use creanta_store::repo::events::{self, NewEvent};
use serde::{Deserialize, Serialize};

use crate::{App, AppError};

pub use run::{RunOptions, RunReport, RunTiming, run};

/// The organization's policies, the default first. A new organization gets the standard
/// calendar of DESIGN.md, written the first time anything asks for its policies.
pub async fn policies_in(tx: &mut Tx, org: i64) -> Result<(Vec<Policy>, String), AppError> {
    let mut rows = repo::policies(tx, org).await?;
    if rows.is_empty() {
        let standard = Policy::standard();
        let row = policy_row(&standard, true);
        repo::upsert_policy(tx, org, &row, crate::now()).await?;
        rows = vec![row];
    }
    let default = rows
        .iter()
        .find(|r| r.is_default)
        .map(|r| r.code.clone())
        .unwrap_or_else(|| STANDARD_POLICY.to_owned());
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let steps = serde_json::from_str(&r.steps).map_err(|e| {
            AppError::Invalid(format!("stored policy {}: steps unreadable: {e}", r.code))
        })?;
        out.push(
            Policy::parse(Policy {
                code: r.code,
                name: r.name,
                steps,
            })
            .map_err(|e| AppError::Invalid(format!("stored {e}")))?,
        );
    }
    out.sort_by_key(|p| p.code != default);
    Ok((out, default))
}

/// `None` when `policy` names one of the organization's calendars (`codes`), else what to say.
pub fn unknown_policy(policy: Option<&String>, codes: &[String]) -> Option<String> {
    let p = policy?;
    (!codes.contains(p)).then(|| {
        format!(
            "no action calendar {p:?} (the calendars are: {}; add one with `creanta policy import`)",
            codes.join(", ")
        )
    })
}

fn policy_row(p: &Policy, is_default: bool) -> PolicyRow {
    PolicyRow {
        code: p.code.clone(),
        name: p.name.clone(),
        steps: serde_json::to_string(&p.steps).expect("steps serialize"),
        is_default,
    }
}

/// The organization's policies and which one is the default.
pub async fn policies(app: &App) -> Result<(Vec<Policy>, String), AppError> {
    let mut tx = app.store.begin().await?;
    let out = policies_in(&mut tx, app.org_id()).await?;
    tx.commit().await?;
    Ok(out)
}

/// A policy file: `creanta policy export` writes it, `creanta policy import` reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Code of the policy used when neither invoice, contract nor debtor names one.
    pub default: String,
    #[serde(rename = "policy")]
    pub policies: Vec<Policy>,
}

/// Every policy as TOML.
pub async fn export_toml(app: &App) -> Result<String, AppError> {
    let (policies, default) = policies(app).await?;
    let file = PolicyFile { default, policies };
    toml::to_string(&file).map_err(|e| AppError::Invalid(format!("policy export: {e}")))
}

/// What an import changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PolicyImport {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Reads a policy file and writes its policies, all or nothing; policies not in the file are
/// kept. Every step's template must exist (built in, or saved by the organization).
pub async fn import_toml(
    app: &App,
    file_name: &str,
    text: &str,
    actor: &str,
) -> Result<PolicyImport, AppError> {
    let file: PolicyFile = toml::from_str(text)
        .map_err(|e| AppError::Invalid(format!("{file_name}: {}", e.to_string().trim_end())))?;
    save_policies(app, file_name, file, actor).await
}

/// Writes one policy as edited in a form, keeping the other policies and the default.
pub async fn save_policy(app: &App, policy: Policy, actor: &str) -> Result<PolicyImport, AppError> {
    let (_, default) = policies(app).await?;
    let file = PolicyFile {
        default,
        policies: vec![policy],
    };
    save_policies(app, "", file, actor).await
}

/// Checks and writes the policies of `file`, all or nothing (see [`import_toml`]); errors
/// start with `source` (the file's name) when there is one.
async fn save_policies(
    app: &App,
    source: &str,
    file: PolicyFile,
    actor: &str,
) -> Result<PolicyImport, AppError> {
    let invalid = |m: String| {
        AppError::Invalid(if source.is_empty() {
            m
        } else {
            format!("{source}: {m}")
        })
    };
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    let (existing, _) = policies_in(&mut tx, org).await?;
    let saved: Vec<String> = repo::templates(&mut tx, org)
        .await?
        .into_iter()
        .map(|t| t.code)
        .collect();
    let mut parsed = Vec::new();
    for p in file.policies {
        let p = Policy::parse(p).map_err(|e| invalid(e.to_string()))?;
        for (i, s) in p.steps.iter().enumerate() {
            let known = saved.contains(&s.template)
                || templates::builtin(&s.template, Language::Ro).is_some();
            if !known {
                return Err(invalid(format!(
                    "policy {}, step {} ({}): template: {:?} is not a template \
                     (built-in ones: {})",
                    p.code,
                    i + 1,
                    s.code,
                    s.template,
                    templates::builtin_codes().join(", ")
                )));
            }
        }
        if parsed.iter().any(|q: &Policy| q.code == p.code) {
            return Err(invalid(format!("policy {} appears twice", p.code)));
        }
        parsed.push(p);
    }
    let known = |code: &str| {
        parsed.iter().any(|p| p.code == code) || existing.iter().any(|p| p.code == code)
    };
    if !known(&file.default) {
        return Err(invalid(format!("default: no policy {:?}", file.default)));
    }
    let mut report = PolicyImport::default();
    let now = crate::now();
    let mut evs = Vec::new();
    for p in &parsed {
        let is_new = !existing.iter().any(|e| e.code == p.code);
        let changed =
            repo::upsert_policy(&mut tx, org, &policy_row(p, p.code == file.default), now).await?;
        let list = match (is_new, changed) {
            (true, _) => &mut report.created,
            (false, true) => &mut report.updated,
            (false, false) => &mut report.unchanged,
        };
        list.push(p.code.clone());
        if changed {
            evs.push(NewEvent {
                actor: actor.to_owned(),
                kind: "policy.saved".into(),
                subject_type: "policy".into(),
                subject_id: None,
                data: serde_json::json!({ "policy": p, "default": p.code == file.default }),
            });
        }
    }
    if !parsed.iter().any(|p| p.code == file.default) {
        // The default is an existing policy that the file does not repeat.
        let current = existing
            .iter()
            .find(|p| p.code == file.default)
            .expect("checked above");
        if repo::upsert_policy(&mut tx, org, &policy_row(current, true), now).await? {
            evs.push(NewEvent {
                actor: actor.to_owned(),
                kind: "policy.default_changed".into(),
                subject_type: "policy".into(),
                subject_id: None,
                data: serde_json::json!({ "default": file.default }),
            });
        }
    }
    events::append(&mut tx, org, now, &evs).await?;
    tx.commit().await?;
    Ok(report)
}
