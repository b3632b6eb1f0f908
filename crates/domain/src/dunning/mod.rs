//! The action calendar: policies and the planning of a day (DESIGN.md, "The daily run").

mod plan;
mod policy;
pub mod reasons;
#[cfg(test)]
mod tests;

pub use plan::{
    Communication, Context, DayPlan, DueInvoice, Hold, PlannedAction, PolicyChoice, RunInvoice,
    SkipReason, Skipped, choose_policy, plan_day, step_date,
};
pub use policy::{
    ActionKind, GeneratedDoc, Policy, PolicyError, STANDARD_POLICY, Step, valid_code,
};
