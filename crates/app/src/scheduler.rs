//! The scheduler inside `creanta serve`: every organization's daily run at a local time
//! (default 08:00 in the organization's time zone, Europe/Bucharest for a new one), and the
//! outbox delivered every minute so that retries leave when their back-off ends.
//!
//! A server that starts after the hour runs the day at once: the run is idempotent (its actions
//! and messages have unique keys), so a restart, or several servers, never send anything twice.

use std::collections::HashMap;
use std::time::Duration;

use creanta_store::Store;
use creanta_store::repo::orgs;
use jiff::civil::{Date, Time};

use crate::calendar::{RunOptions, run};
use crate::outbox::{MailSettings, deliver_outbox};
use crate::{App, AppError};

/// Who the scheduler writes in the activity log.
pub const SCHEDULER_ACTOR: &str = "scheduler";

/// When the daily run starts: `None` turns it off.
pub const DEFAULT_RUN_AT: Time = Time::constant(8, 0, 0, 0);

/// `HH:MM` (local time), or `off`.
pub fn parse_run_at(s: &str) -> Result<Option<Time>, String> {
    let s = s.trim();
    if matches!(
        s.to_ascii_lowercase().as_str(),
        "off" | "no" | "none" | "false"
    ) {
        return Ok(None);
    }
    let bad = || format!("run time {s:?}: use HH:MM (e.g. 08:00), or off");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    Time::new(h, m, 0, 0).map(Some).map_err(|_| bad())
}

/// Whether the day `today` should be run now: it is `at` or later, and it was not run yet.
pub fn run_is_due(today: Date, local_time: Time, at: Time, last_run: Option<Date>) -> bool {
    local_time >= at && last_run.is_none_or(|d| d < today)
}

/// One tick: the daily run of every organization whose hour has come, then every outbox.
pub async fn tick(
    store: &Store,
    mail: &MailSettings,
    at: Option<Time>,
    last_run: &mut HashMap<i64, Date>,
) -> Result<(), AppError> {
    for org in orgs::list(store).await? {
        let tz = jiff::tz::TimeZone::get(&org.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let local = crate::now().to_zoned(tz);
        let app = App {
            store: store.clone(),
            org,
        };
        let today = local.date();
        if let Some(at) = at
            && run_is_due(
                today,
                local.time(),
                at,
                last_run.get(&app.org_id()).copied(),
            )
        {
            let opts = RunOptions {
                date: today,
                dry_run: false,
                send: false,
                actor: SCHEDULER_ACTOR.to_owned(),
            };
            let report = run(&app, &opts, mail).await?;
            tracing::info!(
                org = %app.org.name, date = %today, recorded = report.recorded,
                messages = report.messages_queued, tasks = report.tasks_created,
                skipped = report.skipped.len(), "daily run"
            );
            last_run.insert(app.org_id(), today);
        }
        let sent = deliver_outbox(&app, mail).await?;
        if !sent.outcomes.is_empty() {
            tracing::info!(
                org = %app.org.name, sent = sent.sent, written = sent.written,
                retrying = sent.retrying, failed = sent.failed, uncertain = sent.uncertain,
                cancelled = sent.cancelled, "outbox delivered"
            );
        }
    }
    Ok(())
}

/// Runs [`tick`] now and then every minute, until the runtime stops.
pub fn spawn(store: Store, mail: MailSettings, at: Option<Time>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_run = HashMap::new();
        loop {
            if let Err(e) = tick(&store, &mail, at, &mut last_run).await {
                tracing::warn!(error = %e, "scheduler");
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn the_day_runs_once_from_its_hour_on() {
        let at = time(8, 0, 0, 0);
        let today = date(2026, 12, 4);
        assert!(!run_is_due(today, time(7, 59, 0, 0), at, None));
        assert!(run_is_due(today, time(8, 0, 0, 0), at, None));
        // A server started in the afternoon runs the day at once…
        assert!(run_is_due(
            today,
            time(15, 30, 0, 0),
            at,
            Some(date(2026, 12, 3))
        ));
        // …and not again the same day.
        assert!(!run_is_due(today, time(15, 31, 0, 0), at, Some(today)));
        assert!(run_is_due(
            date(2026, 12, 5),
            time(8, 1, 0, 0),
            at,
            Some(today)
        ));
    }

    #[test]
    fn run_times_are_read_as_hours_and_minutes() {
        assert_eq!(parse_run_at("08:00"), Ok(Some(time(8, 0, 0, 0))));
        assert_eq!(parse_run_at(" 6:30 "), Ok(Some(time(6, 30, 0, 0))));
        assert_eq!(parse_run_at("off"), Ok(None));
        assert!(parse_run_at("25:00").unwrap_err().contains("HH:MM"));
        assert!(parse_run_at("8").is_err());
    }
}
