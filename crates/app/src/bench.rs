//! `creanta bench import`: the import measured against its floor, side by side in one run.
//!
//! For each backend and each format (CSV, e-Factura XML) of the same invoices:
//! * full — `import invoices` into a store that holds the entities and debtors;
//! * parse — reading and checking the same files, nothing stored;
//! * insert — a bare bulk insert of the same rows into the same table and indexes
//!   (one prepared statement in one transaction on SQLite, `COPY` on PostgreSQL);
//! * batched — the same rows through our multi-row INSERT alone, without any import logic;
//! * floor = parse + insert, and the ratios full / floor and full / (parse + batched).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use creanta_store::records::Invoice;
use creanta_store::repo;
use serde::Serialize;

use crate::import::{self, ImportKind, ImportOptions, NoProgress};
use crate::testing::TestApp;
use crate::{App, AppError};

#[derive(Debug, Clone, Serialize)]
pub struct BenchLine {
    pub backend: String,
    pub format: String,
    pub invoices: usize,
    pub full: Duration,
    pub parse: Duration,
    pub insert: Duration,
    /// The same rows through our multi-row INSERT alone: a stronger floor than `insert` on
    /// SQLite, where sqlx pays a round trip to its worker thread per statement.
    pub batched: Duration,
}

impl BenchLine {
    pub fn floor(&self) -> Duration {
        self.parse + self.insert
    }
    pub fn ratio(&self) -> f64 {
        self.full.as_secs_f64() / self.floor().as_secs_f64()
    }
    pub fn batched_floor(&self) -> Duration {
        self.parse + self.batched
    }
    pub fn batched_ratio(&self) -> f64 {
        self.full.as_secs_f64() / self.batched_floor().as_secs_f64()
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench_err(e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(e.to_string())
}

async fn with_master_data(url: &Option<String>, dir: &Path) -> Result<TestApp, AppError> {
    let t = TestApp::with_database(url.clone()).await;
    for (kind, file) in [
        (ImportKind::Entities, "entities.csv"),
        (ImportKind::Debtors, "debtors.csv"),
    ] {
        import::import_paths(
            &t.app,
            kind,
            &[dir.join(file)],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .map_err(bench_err)?;
    }
    Ok(t)
}

/// The rows of `input` as invoice records, ids resolved as the import would.
async fn records(app: &App, input: &import::Input) -> Result<Vec<Invoice>, AppError> {
    let mut tx = app.store.begin().await?;
    let entities = repo::ids_by(&mut tx, app.org_id(), "entities", "tax_id", "tax_id").await?;
    let by_code = repo::ids_by(&mut tx, app.org_id(), "debtors", "code", "code").await?;
    let by_tax = repo::ids_by(&mut tx, app.org_id(), "debtors", "tax_id", "code").await?;
    drop(tx);
    // A buyer the import would create as a new debtor (a mistyped tax id in the demo data)
    // is given any debtor here: the floor measures the cost of inserting, not resolving.
    let any_debtor = by_code.values().min().copied().unwrap_or_default();
    input
        .invoices
        .iter()
        .map(|inc| {
            let r = &inc.row;
            let debtor = r
                .debtor_code
                .as_ref()
                .and_then(|c| by_code.get(c))
                .or_else(|| by_tax.get(&r.buyer_tax_id))
                .unwrap_or(&any_debtor);
            let Some(entity_id) = entities.get(&r.entity_tax_id) else {
                return Err(bench_err(format!(
                    "{}: unknown entity {}",
                    inc.file, r.entity_tax_id
                )));
            };
            Ok(import::invoice_record(inc, *entity_id, *debtor))
        })
        .collect()
}

/// Runs every measurement `runs` times on SQLite and, when `postgres_url` is given, on
/// PostgreSQL. `dir` is a `creanta demo --export DIR --ubl` folder.
pub async fn import_benchmark(
    dir: &Path,
    runs: usize,
    postgres_url: Option<String>,
    with_ubl: bool,
    report: &mut dyn FnMut(&str),
) -> Result<Vec<BenchLine>, AppError> {
    let mut lines = Vec::new();
    let mut backends = vec![("sqlite", None)];
    if let Some(url) = postgres_url {
        backends.push(("postgres", Some(url)));
    }
    let mut formats = vec![("csv", vec![dir.join("invoices.csv")])];
    if with_ubl {
        formats.push(("ubl", vec![dir.join("ubl")]));
    }
    for (backend, url) in &backends {
        for (format, paths) in &formats {
            let (mut full, mut parse, mut insert, mut batched) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let mut count = 0;
            for run in 0..runs.max(1) {
                report(&format!("{backend} {format} run {}/{runs}", run + 1));
                let started = Instant::now();
                let input = import::read_paths(ImportKind::Invoices, paths, &NoProgress)
                    .map_err(bench_err)?;
                parse.push(started.elapsed());
                count = input.invoices.len();

                let t = with_master_data(url, dir).await?;
                let recs = records(&t.app, &input).await?;
                let started = Instant::now();
                creanta_store::bulk::bare_insert(&t.app.store, t.app.org_id(), &recs).await?;
                insert.push(started.elapsed());
                t.cleanup().await;

                let t = with_master_data(url, dir).await?;
                let started = Instant::now();
                let mut tx = t.app.store.begin().await?;
                repo::insert_many(&mut tx, t.app.org_id(), &recs).await?;
                tx.commit().await?;
                batched.push(started.elapsed());
                t.cleanup().await;

                let t = with_master_data(url, dir).await?;
                let started = Instant::now();
                let s = import::import_paths(
                    &t.app,
                    ImportKind::Invoices,
                    paths,
                    &ImportOptions::default(),
                    &NoProgress,
                )
                .await
                .map_err(bench_err)?;
                full.push(started.elapsed());
                if s.new != count {
                    return Err(bench_err(format!("imported {} of {count} invoices", s.new)));
                }
                t.cleanup().await;
            }
            lines.push(BenchLine {
                backend: (*backend).into(),
                format: (*format).into(),
                invoices: count,
                full: median(full),
                parse: median(parse),
                insert: median(insert),
                batched: median(batched),
            });
        }
    }
    Ok(lines)
}

/// The folder a `--export` wrote, checked before a long run starts.
pub fn check_export_dir(dir: &Path, with_ubl: bool) -> Result<(), AppError> {
    let mut needed: Vec<PathBuf> = ["entities.csv", "debtors.csv", "invoices.csv"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    if with_ubl {
        needed.push(dir.join("ubl"));
    }
    match needed.iter().find(|p| !p.exists()) {
        Some(p) => Err(bench_err(format!(
            "{} is missing: create the data with `creanta demo --export {} --ubl --no-documents`",
            p.display(),
            dir.display()
        ))),
        None => Ok(()),
    }
}

/// One run of `creanta bench check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRun {
    pub invoices: usize,
    pub findings: usize,
    /// Every invoice checked with no stored state: findings, check rows and events written.
    pub first: Duration,
    /// The same again: everything read, nothing changed, nothing written.
    pub again: Duration,
    /// A bare scan of the same invoice columns, for scale.
    pub scan: Duration,
}

/// Checks every invoice of the organization `runs` times from scratch, then once more each
/// time with nothing changed. Each run first forgets the stored findings and check rows
/// (the events of earlier runs stay: the log is append-only), so use a copy made for it.
pub async fn check_benchmark(
    app: &App,
    runs: usize,
    report: &mut dyn FnMut(String),
) -> Result<Vec<CheckRun>, AppError> {
    use crate::check::{Scope, check};
    let org = app.org_id();
    let mut out = Vec::new();
    for run in 1..=runs.max(1) {
        let mut tx = app.store.begin().await?;
        tx.execute(
            "DELETE FROM findings WHERE org_id = $1",
            &creanta_store::args![org],
        )
        .await?;
        tx.execute(
            "DELETE FROM invoice_checks WHERE org_id = $1",
            &creanta_store::args![org],
        )
        .await?;
        tx.commit().await?;

        let started = Instant::now();
        let first_report = check(app, &Scope::All, "bench").await?;
        let first = started.elapsed();
        let started = Instant::now();
        let again_report = check(app, &Scope::All, "bench").await?;
        let again = started.elapsed();
        if again_report.findings_opened + again_report.findings_closed != 0 {
            return Err(bench_err("a second check changed findings"));
        }
        let started = Instant::now();
        let mut tx = app.store.begin().await?;
        let scanned = creanta_store::repo::findings::invoices(&mut tx, org, None)
            .await?
            .len();
        drop(tx);
        let scan = started.elapsed();
        let line = CheckRun {
            invoices: first_report.checked,
            findings: first_report.findings_opened,
            first,
            again,
            scan,
        };
        debug_assert_eq!(scanned, line.invoices);
        report(format!(
            "run {run}: {} invoices, {} findings: first check {:.2?}, again {:.2?}, scan {:.2?}",
            line.invoices, line.findings, line.first, line.again, line.scan
        ));
        out.push(line);
    }
    Ok(out)
}

/// Medians of [`check_benchmark`]'s runs: `(first, again, scan)`.
pub fn check_medians(runs: &[CheckRun]) -> (Duration, Duration, Duration) {
    (
        median(runs.iter().map(|r| r.first).collect()),
        median(runs.iter().map(|r| r.again).collect()),
        median(runs.iter().map(|r| r.scan).collect()),
    )
}
