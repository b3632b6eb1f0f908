//! Action calendars (DESIGN.md, "The daily run"): a policy is an ordered list of steps, each
//! at a day offset from the due date, with what to do then.
//!
//! A policy is written by people (in the web UI, or as TOML with `creanta policy
//! export|import`), so [`Policy::parse`] checks it whole and names the step and field of
//! every problem.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::code_enum;
use crate::money::{Currency, Money, format_amount, parse_amount};

code_enum!(
    /// What a step does. `email` goes out by itself; `call`, `letter` and `escalate` become
    /// tasks on the owner's agenda (`letter` also emails the notice when it can);
    /// `internal_alert` tells the owner without contacting the debtor.
    ActionKind { Email = "email", Call = "call", Letter = "letter", Escalate = "escalate", InternalAlert = "internal_alert" }
);

code_enum!(
    /// A document generated for a step and attached to its message.
    GeneratedDoc { Statement = "statement", Notice = "notice" }
);

impl ActionKind {
    /// Whether the step writes to the debtor (and so counts as the day's one communication).
    pub fn contacts_debtor(self) -> bool {
        matches!(self, ActionKind::Email | ActionKind::Letter)
    }
}

/// One step of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Stable name within the policy: what "this step was done for this invoice" refers to,
    /// so renaming a step makes it new for every invoice.
    pub code: String,
    /// Calendar days from the due date; negative before it. The date it gives moves to the
    /// next business day when it falls on a weekend or a Romanian public holiday.
    pub offset: i32,
    pub kind: ActionKind,
    /// The communication template (subject and body per language).
    pub template: String,
    /// Below this open amount (per currency) the step is skipped; currencies not listed
    /// have no minimum. In files: `min_open = { RON = "100.00" }`.
    #[serde(
        default,
        with = "min_open_serde",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub min_open: BTreeMap<Currency, i64>,
    /// A manager approves the action before anything goes out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_approval: bool,
    /// Generated documents attached to the message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attach: Vec<GeneratedDoc>,
}

impl Step {
    /// The minimum open amount for invoices in `currency`, if any.
    pub fn minimum(&self, currency: Currency) -> Option<Money> {
        self.min_open
            .get(&currency)
            .map(|&minor| Money::new(minor, currency))
    }

    /// `+10`, `-3`, `0`: how the offset is written in reasons.
    pub fn offset_label(&self) -> String {
        if self.offset > 0 {
            format!("+{}", self.offset)
        } else {
            self.offset.to_string()
        }
    }
}

/// An action calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub code: String,
    pub name: String,
    /// Sorted by offset, no two at the same offset (one "latest step" on any day).
    pub steps: Vec<Step>,
}

/// A problem in a policy, naming the step and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy {policy}{}: {field}: {message}", step.as_ref().map(|s| format!(", step {s}")).unwrap_or_default())]
pub struct PolicyError {
    pub policy: String,
    /// `2 (reminder)`: position from 1 and code.
    pub step: Option<String>,
    pub field: &'static str,
    pub message: String,
}

/// Offsets beyond these are certainly typing mistakes.
const OFFSET_RANGE: std::ops::RangeInclusive<i32> = -365..=3650;

/// A code of a policy, step or template: 1 to 64 of `a-z 0-9 _ - +`.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '+'))
}

impl Policy {
    /// Checks a policy as people write it, and sorts its steps by offset.
    pub fn parse(mut policy: Policy) -> Result<Policy, PolicyError> {
        let name = policy.code.clone();
        let err = |step: Option<String>, field: &'static str, message: String| PolicyError {
            policy: name.clone(),
            step,
            field,
            message,
        };
        if !valid_code(&policy.code) {
            return Err(err(
                None,
                "code",
                format!(
                    "{:?} must be 1–64 lowercase letters, digits, '_', '-' or '+'",
                    policy.code
                ),
            ));
        }
        if policy.name.trim().is_empty() {
            return Err(err(None, "name", "must not be empty".into()));
        }
        if policy.steps.is_empty() {
            return Err(err(
                None,
                "steps",
                "a policy needs at least one step".into(),
            ));
        }
        let mut codes = BTreeSet::new();
        let mut offsets = BTreeMap::new();
        for (i, s) in policy.steps.iter().enumerate() {
            let at = Some(format!("{} ({})", i + 1, s.code));
            if !valid_code(&s.code) {
                return Err(err(
                    at,
                    "code",
                    format!(
                        "{:?} must be 1–64 lowercase letters, digits, '_', '-' or '+'",
                        s.code
                    ),
                ));
            }
            if !codes.insert(s.code.as_str()) {
                return Err(err(at, "code", "used by an earlier step".into()));
            }
            if !OFFSET_RANGE.contains(&s.offset) {
                return Err(err(
                    at,
                    "offset",
                    format!("{} days is outside -365..3650", s.offset),
                ));
            }
            if let Some(other) = offsets.insert(s.offset, s.code.as_str()) {
                return Err(err(
                    at,
                    "offset",
                    format!("step {other} is already at {} days", s.offset),
                ));
            }
            if !valid_code(&s.template) {
                return Err(err(
                    at,
                    "template",
                    format!("{:?} is not a template code", s.template),
                ));
            }
            if let Some((c, m)) = s.min_open.iter().find(|(_, m)| **m < 0) {
                return Err(err(
                    at,
                    "min_open",
                    format!("{} {c} is negative", format_amount(*m, *c)),
                ));
            }
            if !s.kind.contacts_debtor() && !s.attach.is_empty() {
                return Err(err(
                    at,
                    "attach",
                    format!("a {} step sends nothing to attach to", s.kind),
                ));
            }
        }
        policy.steps.sort_by_key(|s| s.offset);
        Ok(policy)
    }

    pub fn step(&self, code: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.code == code)
    }

    /// The calendar a new organization starts with (DESIGN.md): −3 friendly reminder, +1
    /// reminder, +5 call, +10 firm reminder with the statement of account, +20 formal notice
    /// (by email and registered letter), +30 escalation to a partner, for approval.
    pub fn standard() -> Policy {
        let step = |code: &str, offset, kind, template: &str| Step {
            code: code.into(),
            offset,
            kind,
            template: template.into(),
            min_open: BTreeMap::new(),
            needs_approval: false,
            attach: Vec::new(),
        };
        let mut firm = step("firm_reminder", 10, ActionKind::Email, "firm_reminder");
        firm.attach = vec![GeneratedDoc::Statement];
        let mut notice = step("formal_notice", 20, ActionKind::Letter, "formal_notice");
        notice.attach = vec![GeneratedDoc::Notice, GeneratedDoc::Statement];
        let mut escalate = step("escalation", 30, ActionKind::Escalate, "escalation");
        escalate.needs_approval = true;
        Policy {
            code: STANDARD_POLICY.into(),
            name: "Calendar standard".into(),
            steps: vec![
                step("before_due", -3, ActionKind::Email, "friendly_reminder"),
                step("reminder", 1, ActionKind::Email, "reminder"),
                step("call", 5, ActionKind::Call, "call"),
                firm,
                notice,
                escalate,
            ],
        }
    }
}

/// Code of the policy every new organization gets.
pub const STANDARD_POLICY: &str = "standard";

/// `min_open = { RON = "100.00" }` in files; minor units inside.
mod min_open_serde {
    use super::*;

    pub fn serialize<S: serde::Serializer>(
        m: &BTreeMap<Currency, i64>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(m.len()))?;
        for (c, minor) in m {
            map.serialize_entry(c.as_str(), &format_amount(*minor, *c))?;
        }
        map.end()
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<Currency, i64>, D::Error> {
        let written = BTreeMap::<String, String>::deserialize(d)?;
        let mut out = BTreeMap::new();
        for (code, amount) in written {
            let c = Currency::parse(&code).map_err(serde::de::Error::custom)?;
            let minor = parse_amount(&amount, c)
                .map_err(|e| serde::de::Error::custom(format!("{code} {amount:?}: {e}")))?;
            out.insert(c, minor);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_policy_is_valid_and_sorted() {
        let p = Policy::parse(Policy::standard()).unwrap();
        let offsets: Vec<i32> = p.steps.iter().map(|s| s.offset).collect();
        assert_eq!(offsets, [-3, 1, 5, 10, 20, 30]);
        assert_eq!(p.step("call").unwrap().kind, ActionKind::Call);
        assert!(p.step("escalation").unwrap().needs_approval);
    }

    #[test]
    fn steps_are_sorted_by_offset() {
        let mut p = Policy::standard();
        p.steps.reverse();
        let p = Policy::parse(p).unwrap();
        assert_eq!(p.steps[0].code, "before_due");
    }

    #[test]
    fn problems_name_the_step_and_field() {
        let mut p = Policy::standard();
        p.steps[2].offset = 1;
        let e = Policy::parse(p).unwrap_err();
        assert_eq!(e.field, "offset");
        assert_eq!(e.step.as_deref(), Some("3 (call)"));
        assert!(
            e.to_string().contains("step reminder is already at 1 days"),
            "{e}"
        );

        let mut p = Policy::standard();
        p.steps[1].code = "before_due".into();
        assert_eq!(Policy::parse(p).unwrap_err().field, "code");

        let mut p = Policy::standard();
        p.steps[2].attach = vec![GeneratedDoc::Statement];
        assert_eq!(Policy::parse(p).unwrap_err().field, "attach");

        let mut p = Policy::standard();
        p.steps.clear();
        assert_eq!(Policy::parse(p).unwrap_err().field, "steps");

        // A message may wait for a manager too: it is written when approved.
        let mut p = Policy::standard();
        p.steps[1].needs_approval = true;
        assert!(Policy::parse(p).unwrap().steps[1].needs_approval);

        let mut p = Policy::standard();
        p.steps[0].offset = 5000;
        assert_eq!(Policy::parse(p).unwrap_err().field, "offset");

        let mut p = Policy::standard();
        p.code = "Standard Policy".into();
        assert_eq!(Policy::parse(p).unwrap_err().field, "code");
    }

    #[test]
    fn minimum_amounts_are_written_as_decimal_text() {
        let mut p = Policy::standard();
        p.steps[4].min_open.insert(Currency::RON, 10_000);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["steps"][4]["min_open"]["RON"], "100.00");
        let back: Policy = serde_json::from_value(json).unwrap();
        assert_eq!(
            back.steps[4].minimum(Currency::RON),
            Some(Money::new(10_000, Currency::RON))
        );
        assert_eq!(back.steps[4].minimum(Currency::EUR), None);
        let bad = serde_json::json!({"code": "x", "offset": 1, "kind": "email", "template": "t",
            "min_open": {"RON": "abc"}});
        assert!(serde_json::from_value::<Step>(bad).is_err());
    }
}
