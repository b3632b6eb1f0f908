//! `creanta bench run`: the daily run measured against its floor, side by side in one process
//! (issue 5): the run that plans, records its actions and queues its messages, against a bare
//! scan of the same open invoices plus a bare insert of as many action rows (one prepared
//! statement per row, in one transaction). Rendering (templates and PDF letters) is reported
//! from the run's own timing, and sending is timed on a sample of the queued messages against
//! an SMTP server given by URL (messages per second).

use std::time::{Duration, Instant};

use creanta_store::args;
use creanta_store::repo::calendar as repo;
use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::{RunOptions, RunReport, run};
use crate::outbox::{MailSettings, deliver_outbox};
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize)]
pub struct RunBench {
    pub open_invoices: usize,
    pub actions: usize,
    pub messages: usize,
    pub run: Duration,
    pub render: Duration,
    pub scan: Duration,
    pub insert: Duration,
}

impl RunBench {
    pub fn floor(&self) -> Duration {
        self.scan + self.insert
    }
    pub fn ratio(&self) -> f64 {
        self.run.as_secs_f64() / self.floor().as_secs_f64()
    }
    /// What the target measures: planning, recording and queueing, rendering set apart.
    pub fn without_rendering(&self) -> Duration {
        self.run.saturating_sub(self.render)
    }
    pub fn ratio_without_rendering(&self) -> f64 {
        self.without_rendering().as_secs_f64() / self.floor().as_secs_f64()
    }
}

/// Removes what a run of the calendar wrote (actions, their messages and letters), so that
/// every measured run starts from the same state. Events stay: the log is append-only.
async fn reset(app: &App) -> Result<(), AppError> {
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    for sql in [
        "DELETE FROM action_invoices WHERE org_id = $1",
        "DELETE FROM actions WHERE org_id = $1",
        "DELETE FROM outbox_invoices WHERE org_id = $1 AND outbox_id IN \
         (SELECT id FROM outbox WHERE org_id = $1 AND kind IN ('reminder', 'notice', 'statement'))",
        "DELETE FROM outbox WHERE org_id = $1 AND kind IN ('reminder', 'notice', 'statement')",
        "DELETE FROM documents WHERE org_id = $1 AND doc_type IN ('statement', 'notice') \
         AND invoice_id IS NULL",
    ] {
        tx.execute(sql, &args![org]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The floor's insert: `n` action rows, one prepared statement each, in one transaction, into
/// a scratch table with the same columns and indexes as `actions`.
async fn bare_insert(app: &App, n: usize, day: Date) -> Result<Duration, AppError> {
    let org = app.org_id();
    let mut tx = app.store.begin().await?;
    tx.execute("DROP TABLE IF EXISTS bench_actions", &[])
        .await?;
    tx.execute(
        "CREATE TABLE bench_actions (id BIGINT PRIMARY KEY, org_id BIGINT NOT NULL, key TEXT NOT NULL, \
         debtor_id BIGINT NOT NULL, run_date TEXT NOT NULL, policy TEXT NOT NULL, step TEXT NOT NULL, \
         step_offset BIGINT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, \
         UNIQUE (org_id, key))",
        &[],
    )
    .await?;
    tx.execute(
        "CREATE INDEX bench_actions_debtor ON bench_actions (org_id, debtor_id, run_date)",
        &[],
    )
    .await?;
    tx.execute(
        "CREATE INDEX bench_actions_status ON bench_actions (org_id, status)",
        &[],
    )
    .await?;
    tx.commit().await?;
    let started = Instant::now();
    let mut tx = app.store.begin().await?;
    let day = day.to_string();
    for i in 0..n as i64 {
        tx.execute(
            "INSERT INTO bench_actions (id, org_id, key, debtor_id, run_date, policy, step, \
             step_offset, kind, status, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &args![
                i + 1,
                org,
                format!("{i}:standard:reminder:{day}"),
                i,
                day.as_str(),
                "standard",
                "reminder",
                1i64,
                "email",
                "done",
                "invoice X 1 day overdue → step +1 (reminder)"
            ],
        )
        .await?;
    }
    tx.commit().await?;
    let took = started.elapsed();
    let mut tx = app.store.begin().await?;
    tx.execute("DROP TABLE bench_actions", &[]).await?;
    tx.commit().await?;
    Ok(took)
}

/// Measures `runs` runs of `day` and their floor; each starts from the same state.
pub async fn run_benchmark(
    app: &App,
    day: Date,
    runs: usize,
    report: &mut dyn FnMut(String),
) -> Result<Vec<RunBench>, AppError> {
    let settings = MailSettings::files(&std::env::temp_dir().join("creanta-bench-outbox"));
    let mut out = Vec::new();
    for n in 1..=runs.max(1) {
        reset(app).await?;
        let started = Instant::now();
        let r: RunReport = run(
            app,
            &RunOptions {
                date: day,
                dry_run: false,
                send: false,
                actor: "bench".into(),
            },
            &settings,
        )
        .await?;
        let took = started.elapsed();
        let started = Instant::now();
        let mut tx = app.store.begin().await?;
        let open = repo::open_invoices(&mut tx, app.org_id(), None)
            .await?
            .len();
        drop(tx);
        let scan = started.elapsed();
        let insert = bare_insert(app, r.recorded, day).await?;
        let line = RunBench {
            open_invoices: open,
            actions: r.recorded,
            messages: r.messages_queued,
            run: took,
            render: Duration::from_millis(r.timing.render_ms),
            scan,
            insert,
        };
        report(format!(
            "run {n}: {} open invoices, {} actions, {} messages: run {:.2?} (read {} ms, plan {} ms, \
             write {} ms of which rendering {} ms); floor {:.2?} (scan {:.2?} + insert {:.2?}); \
             run / floor {:.2}, (run - rendering) / floor {:.2}",
            line.open_invoices,
            line.actions,
            line.messages,
            line.run,
            r.timing.read_ms,
            r.timing.plan_ms,
            r.timing.write_ms,
            r.timing.render_ms,
            line.floor(),
            line.scan,
            line.insert,
            line.ratio(),
            line.ratio_without_rendering()
        ));
        out.push(line);
    }
    Ok(out)
}

/// Sends `sample` of the queued messages through `settings` and returns (messages, time).
/// The others are held back for the duration (their next attempt moved a day ahead), then
/// released as they were.
pub async fn send_benchmark(
    app: &App,
    settings: &MailSettings,
    sample: usize,
) -> Result<(usize, Duration), AppError> {
    let org = app.org_id();
    let now = crate::now().as_second();
    let mut tx = app.store.begin().await?;
    let cut: Option<i64> = tx
        .fetch_optional(
            "SELECT id FROM outbox WHERE org_id = $1 AND status = $2 ORDER BY id LIMIT 1 OFFSET $3",
            &args![org, "queued", sample as i64],
        )
        .await?
        .map(|r| r.get(0))
        .transpose()?;
    if let Some(cut) = cut {
        tx.execute(
            "UPDATE outbox SET next_attempt_at = next_attempt_at + 86400 WHERE org_id = $1 \
             AND status = $2 AND id >= $3",
            &args![org, "queued", cut],
        )
        .await?;
    }
    tx.commit().await?;
    let started = Instant::now();
    let sent = deliver_outbox(app, settings).await?;
    let took = started.elapsed();
    if let Some(cut) = cut {
        let mut tx = app.store.begin().await?;
        tx.execute(
            "UPDATE outbox SET next_attempt_at = $1 WHERE org_id = $2 AND status = $3 AND id >= $4",
            &args![now, org, "queued", cut],
        )
        .await?;
        tx.commit().await?;
    }
    Ok((sent.sent + sent.written, took))
}
