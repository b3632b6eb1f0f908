//! `creanta`: the command line. Each command parses its arguments, calls one use case of
//! `creanta-app` and presents the result.

mod config;
mod output;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use creanta_app::import::{ImportError, ImportKind, ImportOptions};
use creanta_app::{App, AppConfig, DEFAULT_ORG};
use creanta_domain::money::{Currency, format_amount};
use jiff::civil::Date;
use output::{Format, Sheet};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "creanta",
    version,
    about = "Creanța — receivables recovery: imports, aging, collection."
)]
struct Cli {
    /// Organization to work in.
    #[arg(long, global = true, env = "CREANTA_ORG", default_value = DEFAULT_ORG)]
    org: String,
    /// Data folder of the embedded SQLite database and documents.
    #[arg(
        long,
        global = true,
        env = "CREANTA_DATA_DIR",
        default_value = "creanta-data"
    )]
    data_dir: PathBuf,
    /// Log lines as text or JSON (one object per line).
    #[arg(
        long,
        global = true,
        env = "CREANTA_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
enum LogFormat {
    #[default]
    Text,
    Json,
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CREANTA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=error"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Manage organizations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Import master data, invoices, payments or documents (all-or-nothing, idempotent).
    Import {
        /// entities, debtors, contacts, contracts, invoices, payments or documents
        kind: ImportKind,
        /// Files or folders (searched recursively). Invoices also read e-Factura XML and ANAF ZIPs.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Create unknown e-invoice sellers as new entities.
        #[arg(long)]
        add_entities: bool,
        /// Leave out invoices received from suppliers instead of refusing the import.
        #[arg(long)]
        skip_supplier_invoices: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Load realistic demo data (or, with --export, write it as import files).
    Demo {
        #[arg(long, default_value_t = 300)]
        debtors: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The day the data is generated for (default: today).
        #[arg(long)]
        today: Option<Date>,
        /// Write import files to this folder instead of loading them.
        #[arg(long)]
        export: Option<PathBuf>,
        /// With --export: also write every invoice as e-Factura UBL XML.
        #[arg(long)]
        ubl: bool,
        /// Do not generate PDF documents.
        #[arg(long)]
        no_documents: bool,
        /// Then serve the web application on this address.
        #[arg(long, value_name = "BIND", num_args = 0..=1, default_missing_value = "127.0.0.1:8080")]
        serve: Option<String>,
    },
    /// Serve the web application.
    Serve {
        #[arg(long, env = "CREANTA_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Mark cookies Secure (set when Creanța is reached over https).
        #[arg(long, env = "CREANTA_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Local time of the daily run of the action calendar (HH:MM, in each organization's
        /// time zone), or `off`; the outbox is delivered every minute either way.
        #[arg(long, env = "CREANTA_RUN_AT", default_value = "08:00")]
        run_at: String,
    },
    /// Manage the users of the organization.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Personal API tokens for machine clients.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Tell whether a value is a valid CUI, CNP or IBAN, and its normal form.
    Id {
        value: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// List invoices.
    Invoices {
        #[arg(long)]
        debtor: Option<String>,
        /// Only invoices with an amount still open.
        #[arg(long)]
        open: bool,
        /// Only open invoices past their due date.
        #[arg(long)]
        overdue: bool,
        /// The day that decides what is overdue (default: today).
        #[arg(long)]
        date: Option<Date>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Measure imports against their floor (see BENCHMARKS.md).
    #[command(hide = true)]
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Pre-flight check: find the mistakes that block payment, store them, say how to fix
    /// them. Lists the invoices with findings (with --invoice, that invoice even when clean);
    /// exits with status 1 when an error (not only warnings) is listed.
    Check {
        /// One invoice: ENTITY_TAX_ID:SERIES-NUMBER, e.g. RO18547290:TCG-1001.
        #[arg(long, conflicts_with_all = ["debtor", "all"])]
        invoice: Option<String>,
        /// Every invoice of one debtor (its code).
        #[arg(long, conflicts_with = "all")]
        debtor: Option<String>,
        /// Every invoice of the organization (the default).
        #[arg(long)]
        all: bool,
        /// Language of the messages and fixes: ro or en.
        #[arg(long, default_value = "en")]
        lang: creanta_domain::model::Language,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// E-mail every checked invoice without open errors to the debtor's finance contacts,
    /// with its PDF and required documents, through the outbox: SMTP when CREANTA_SMTP_URL is
    /// set, else `.eml` files under DATA_DIR/outbox/.
    Deliver {
        /// The delivery date: invoices issued later wait (default: today).
        #[arg(long)]
        date: Option<Date>,
        /// First let this invoice (ENTITY_TAX_ID:SERIES-NUMBER) go despite open errors.
        #[arg(long = "override", value_name = "INVOICE", requires_all = ["reason", "as_user"])]
        override_invoice: Option<String>,
        /// Why the override is justified (logged).
        #[arg(long)]
        reason: Option<String>,
        /// The manager or admin (e-mail) who decides the override.
        #[arg(long = "as", value_name = "EMAIL")]
        as_user: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The daily run of the action calendar: plan the day's steps for every late debtor,
    /// record them, queue the day's one message per debtor and deliver the outbox.
    Run {
        /// The day to run (default: today in the organization's time zone).
        #[arg(long)]
        date: Option<Date>,
        /// Plan and report only: nothing is recorded, queued or sent.
        #[arg(long)]
        dry_run: bool,
        /// Record and queue, but leave the outbox for a later `creanta deliver` or run.
        #[arg(long)]
        no_send: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Rate tables: the BNR reference rate (shipped, with sources) and exchange rates.
    Rates {
        #[command(subcommand)]
        command: RatesCommand,
    },
    /// Interest (or contractual penalties) and fixed compensation of a debtor's late invoices.
    Interest {
        /// The debtor's code.
        #[arg(long)]
        debtor: String,
        /// The day to compute to, included (default: today).
        #[arg(long)]
        date: Option<Date>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Action calendars: list, export and import them as TOML.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Open amounts per debtor by days past due, with totals per currency.
    Aging {
        #[arg(long)]
        date: Option<Date>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Subcommand)]
enum RatesCommand {
    /// The history of a rate.
    List {
        /// `reference` (BNR reference rate) or a currency (EUR: RON per EUR).
        #[arg(long, default_value = "reference")]
        kind: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Reads a rate file: CSV/XLSX with `effective_from,rate_percent` (or `date,rate`), or
    /// BNR's exchange-rate XML (nbrfxrates*.xml) for a currency. All or nothing, idempotent.
    Import {
        file: PathBuf,
        #[arg(long, default_value = "reference")]
        kind: String,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// The policies and their steps.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Writes every policy as TOML (to stdout, or FILE).
    Export { file: Option<PathBuf> },
    /// Reads policies from a TOML file written by `export` (all or nothing).
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// The daily run over the organization's open invoices vs a bare scan of them plus a bare
    /// insert of as many action rows; with --smtp, sending a sample of the queued messages.
    Run {
        /// The day to run (default: today).
        #[arg(long)]
        date: Option<Date>,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// An SMTP server (smtp://127.0.0.1:2525?tls=none) to time sending against.
        #[arg(long)]
        smtp: Option<String>,
        /// How many queued messages the send benchmark sends.
        #[arg(long, default_value_t = 2000)]
        sample: usize,
    },
    /// Import of invoices (CSV and e-Factura XML) vs parsing + bare bulk insert.
    Import {
        /// A folder written by `creanta demo --export DIR --ubl --no-documents`.
        dir: PathBuf,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Also measure on this PostgreSQL server.
        #[arg(long)]
        postgres: Option<String>,
        /// Measure the CSV file only.
        #[arg(long)]
        no_ubl: bool,
    },
    /// The pre-flight check of every invoice of the organization: from scratch, and again
    /// with nothing changed. Forgets the stored findings first: run it on a copy.
    Check {
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; prints a one-time password.
    Add {
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        /// admin, manager, collector or partner
        #[arg(long, default_value = "collector")]
        role: creanta_domain::model::Role,
        /// ro or en
        #[arg(long, default_value = "ro")]
        language: creanta_domain::model::Language,
    },
    /// List users.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Set a new password (generated and printed unless given on stdin with --stdin).
    Passwd {
        email: String,
        #[arg(long)]
        stdin: bool,
    },
    /// Disable a user and end their sessions.
    Disable { email: String },
    /// Enable a disabled user.
    Enable { email: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a user; prints it once.
    Create {
        email: String,
        #[arg(long, default_value = "api")]
        name: String,
    },
    /// List tokens (never their secret).
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Add an organization.
    Add { name: String },
    /// List organizations.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// Exit code for bad input (usage errors and rejected imports), as the issue asks.
const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    if let Err(e) = config::load() {
        eprintln!("error: {e}");
        return ExitCode::from(BAD_INPUT);
    }
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(ImportError::Rejected { errors, .. }) = e.downcast_ref::<ImportError>() {
                for err in errors {
                    eprintln!("{err}");
                }
                eprintln!("error: {e}");
                return ExitCode::from(BAD_INPUT);
            }
            if let Some(creanta_app::AppError::Invalid(_)) =
                e.downcast_ref::<creanta_app::AppError>()
            {
                eprintln!("error: {e}");
                return ExitCode::from(BAD_INPUT);
            }
            // `creanta invoices | head` closes the pipe early; that is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn config(cli: &Cli) -> AppConfig {
    let mut c = AppConfig::from_env();
    c.data_dir = cli.data_dir.clone();
    c
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let cfg = config(&cli);
    match &cli.command {
        Command::Org { command } => match command {
            OrgCommand::Add { name } => {
                let org = App::add_org(&cfg, name).await?;
                println!("organization {:?} ready (id {})", org.name, org.id);
            }
            OrgCommand::List { format } => {
                let orgs = App::list_orgs(&cfg).await?;
                let mut sheet = Sheet::new(&[("id", true), ("name", false), ("time_zone", false)]);
                for o in &orgs {
                    sheet.push(vec![o.id.to_string(), o.name.clone(), o.time_zone.clone()]);
                }
                output::print(*format, &sheet, &json!(orgs))?;
            }
        },
        Command::Import {
            kind,
            files,
            add_entities,
            skip_supplier_invoices,
            format,
        } => {
            let app = App::open(&cfg, &cli.org).await?;
            let options = ImportOptions {
                add_entities: *add_entities,
                skip_supplier_invoices: *skip_supplier_invoices,
                defer_check: false,
            };
            let bar = progress::Bar::new();
            let summary =
                creanta_app::import::import_paths(&app, *kind, files, &options, &bar).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
                _ => println!("{summary}"),
            }
        }
        Command::Demo {
            debtors,
            seed,
            today,
            export,
            ubl,
            no_documents,
            serve,
        } => {
            let options = creanta_app::demo::DemoOptions {
                debtors: *debtors,
                seed: *seed,
                today: today.unwrap_or_else(creanta_app::local_today),
                documents: !*no_documents,
            };
            let data = creanta_app::demo::generate(&options);
            if let Some(dir) = export {
                creanta_app::demo::export(&data, dir, *ubl)
                    .with_context(|| format!("writing demo files to {}", dir.display()))?;
                println!(
                    "wrote {} debtors, {} invoices, {} payments to {}",
                    data.debtors.len(),
                    data.invoices.len(),
                    data.payments.len(),
                    dir.display()
                );
            } else {
                let app = App::open(&cfg, &cli.org).await?;
                let bar = progress::Bar::new();
                let loaded = creanta_app::import::import_demo(&app, data, &bar).await?;
                for summary in &loaded.summaries {
                    println!("{summary}");
                }
                let c = &loaded.check;
                println!(
                    "check: {} invoices, {} with errors, {} with warnings only, {} findings",
                    c.checked, c.with_errors, c.with_warnings_only, c.findings_opened
                );
                println!();
                print_aging(&app, options.today, Format::Table).await?;
                if let Some(bind) = serve {
                    let mail = creanta_app::outbox::MailSettings::from_env(&cfg.data_dir)?;
                    let run_at = std::env::var("CREANTA_RUN_AT").unwrap_or_else(|_| "08:00".into());
                    let run_at = creanta_app::scheduler::parse_run_at(&run_at)
                        .map_err(anyhow::Error::msg)?;
                    self::serve(&app, bind, false, mail, run_at).await?;
                }
            }
        }
        Command::Serve {
            bind,
            secure_cookies,
            run_at,
        } => {
            let run_at =
                creanta_app::scheduler::parse_run_at(run_at).map_err(anyhow::Error::msg)?;
            let app = App::open(&cfg, &cli.org).await?;
            let mail = creanta_app::outbox::MailSettings::from_env(&cfg.data_dir)?;
            serve(&app, bind, *secure_cookies, mail, run_at).await?;
        }
        Command::User { command } => {
            let app = App::open(&cfg, &cli.org).await?;
            user_command(&app, command).await?;
        }
        Command::Token { command } => {
            let app = App::open(&cfg, &cli.org).await?;
            token_command(&app, command).await?;
        }
        Command::Id { value, format } => {
            let report = creanta_domain::ids::identify(value);
            let mut sheet = Sheet::new(&[
                ("input", false),
                ("kind", false),
                ("valid", false),
                ("normalized", false),
                ("error", false),
            ]);
            sheet.push(vec![
                report.input.clone(),
                report.kind.map(|k| k.name().to_owned()).unwrap_or_default(),
                report.valid.to_string(),
                report.normalized.clone().unwrap_or_default(),
                report.error.clone().unwrap_or_default(),
            ]);
            output::print(*format, &sheet, &serde_json::to_value(&report)?)?;
            if !report.valid {
                std::process::exit(1);
            }
        }
        Command::Invoices {
            debtor,
            open,
            overdue,
            date,
            format,
        } => {
            let app = App::open(&cfg, &cli.org).await?;
            let day = date.unwrap_or_else(|| app.today());
            let filter = creanta_store_filter(debtor.clone(), *open, overdue.then_some(day));
            let list = creanta_app::reports::invoices(&app, &filter).await?;
            let mut sheet = Sheet::new(&[
                ("entity", false),
                ("series", false),
                ("number", false),
                ("debtor", false),
                ("issue_date", false),
                ("due_date", false),
                ("days_late", true),
                ("currency", false),
                ("total", true),
                ("open", true),
            ]);
            let mut json_rows = Vec::new();
            for i in &list {
                let cur = currency(&i.currency);
                let late = creanta_domain::aging::days_late(i.due_date, day).max(0);
                let late = if i.open != 0 && late > 0 {
                    late.to_string()
                } else {
                    String::new()
                };
                sheet.push(vec![
                    i.entity_tax_id.clone(),
                    i.series.clone(),
                    i.number.clone(),
                    i.debtor_code.clone(),
                    i.issue_date.to_string(),
                    i.due_date.to_string(),
                    late,
                    i.currency.clone(),
                    format_amount(i.total, cur),
                    format_amount(i.open, cur),
                ]);
                json_rows.push(json!({
                    "entity_tax_id": i.entity_tax_id, "entity_name": i.entity_name,
                    "series": i.series, "number": i.number, "kind": i.kind,
                    "debtor_code": i.debtor_code, "debtor_name": i.debtor_name,
                    "issue_date": i.issue_date, "due_date": i.due_date, "currency": i.currency,
                    "total": format_amount(i.total, cur), "paid": format_amount(i.paid, cur),
                    "open": format_amount(i.open, cur),
                }));
            }
            output::print(*format, &sheet, &json!(json_rows))?;
        }
        Command::Bench {
            command:
                BenchCommand::Run {
                    date,
                    runs,
                    smtp,
                    sample,
                },
        } => {
            let app = App::open(&cfg, &cli.org).await?;
            let day = date.unwrap_or_else(|| app.today());
            let lines =
                creanta_app::bench_run::run_benchmark(&app, day, *runs, &mut |m| eprintln!("{m}"))
                    .await?;
            let median = |mut v: Vec<std::time::Duration>| {
                v.sort();
                v[v.len() / 2]
            };
            let run = median(lines.iter().map(|l| l.run).collect());
            let without = median(lines.iter().map(|l| l.without_rendering()).collect());
            let floor = median(lines.iter().map(|l| l.floor()).collect());
            let median_of = |f: fn(&creanta_app::bench_run::RunBench) -> f64| {
                let mut v: Vec<f64> = lines.iter().map(f).collect();
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            println!(
                "median of {} runs: run {:.2?}, run without rendering {:.2?} (target < 20 s), \
                 floor {:.2?}; run / floor {:.2}, (run - rendering) / floor {:.2} (target <= 3; \
                 medians of the ratios)",
                lines.len(),
                run,
                without,
                floor,
                median_of(|l| l.ratio()),
                median_of(|l| l.ratio_without_rendering()),
            );
            if let Some(url) = smtp {
                let settings = creanta_app::outbox::MailSettings {
                    smtp: Some(
                        creanta_app::outbox::SmtpSettings::from_url(url)
                            .map_err(anyhow::Error::msg)?,
                    ),
                    ..creanta_app::outbox::MailSettings::files(&cfg.data_dir)
                };
                let (n, took) =
                    creanta_app::bench_run::send_benchmark(&app, &settings, *sample).await?;
                println!(
                    "sending: {n} messages in {took:.2?}: {:.0} messages per second",
                    n as f64 / took.as_secs_f64()
                );
            }
        }
        Command::Bench {
            command: BenchCommand::Check { runs },
        } => {
            let app = App::open(&cfg, &cli.org).await?;
            let runs =
                creanta_app::bench::check_benchmark(&app, *runs, &mut |m| eprintln!("{m}")).await?;
            let (first, again, scan) = creanta_app::bench::check_medians(&runs);
            println!(
                "| backend | invoices | findings | first check | again | bare scan | first / scan |"
            );
            println!("|---|---:|---:|---:|---:|---:|---:|");
            println!(
                "| {:?} | {} | {} | {:.2} s | {:.2} s | {:.2} s | {:.1}× |",
                app.store.backend(),
                runs[0].invoices,
                runs[0].findings,
                first.as_secs_f64(),
                again.as_secs_f64(),
                scan.as_secs_f64(),
                first.as_secs_f64() / scan.as_secs_f64()
            );
        }
        Command::Bench {
            command:
                BenchCommand::Import {
                    dir,
                    runs,
                    postgres,
                    no_ubl,
                },
        } => {
            creanta_app::bench::check_export_dir(dir, !*no_ubl)?;
            let lines = creanta_app::bench::import_benchmark(
                dir,
                *runs,
                postgres.clone(),
                !*no_ubl,
                &mut |m| eprintln!("{m}"),
            )
            .await?;
            println!(
                "| backend | format | invoices | import | parse | bare insert | floor | import / floor \
                 | batched insert | import / (parse + batched) |"
            );
            println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            let secs = |d: std::time::Duration| format!("{:.2} s", d.as_secs_f64());
            for l in &lines {
                println!(
                    "| {} | {} | {} | {} | {} | {} | {} | {:.2}× | {} | {:.2}× |",
                    l.backend,
                    l.format,
                    l.invoices,
                    secs(l.full),
                    secs(l.parse),
                    secs(l.insert),
                    secs(l.floor()),
                    l.ratio(),
                    secs(l.batched),
                    l.batched_ratio()
                );
            }
        }
        Command::Check {
            invoice,
            debtor,
            all: _,
            lang,
            format,
        } => {
            let app = App::open(&cfg, &cli.org).await?;
            if !run_check(&app, invoice.as_deref(), debtor.as_deref(), *lang, *format).await? {
                std::process::exit(1);
            }
        }
        Command::Deliver {
            date,
            override_invoice,
            reason,
            as_user,
            format,
        } => {
            let app = App::open(&cfg, &cli.org).await?;
            let settings = creanta_app::outbox::MailSettings::from_env(&cfg.data_dir)?;
            if let (Some(invoice), Some(reason), Some(user)) = (override_invoice, reason, as_user) {
                let id = creanta_app::deliver::find_invoice(&app, invoice).await?;
                creanta_app::deliver::override_delivery(&app, id, user, reason).await?;
                if *format == Format::Table {
                    println!("{invoice}: delivery allowed despite open errors by {user}");
                }
            }
            let day = date.unwrap_or_else(|| app.today());
            let report =
                creanta_app::deliver::deliver_invoices(&app, day, CLI_ACTOR, &settings).await?;
            print_delivery(&report, *format)?;
        }
        Command::Run {
            date,
            dry_run,
            no_send,
            format,
        } => {
            let app = App::open(&cfg, &cli.org).await?;
            let settings = creanta_app::outbox::MailSettings::from_env(&cfg.data_dir)?;
            let opts = creanta_app::calendar::RunOptions {
                date: date.unwrap_or_else(|| app.today()),
                dry_run: *dry_run,
                send: !*no_send,
                actor: CLI_ACTOR.to_owned(),
            };
            let report = creanta_app::calendar::run(&app, &opts, &settings).await?;
            print_run(&report, *format)?;
        }
        Command::Rates { command } => {
            let app = App::open(&cfg, &cli.org).await?;
            match command {
                RatesCommand::List { kind, format } => {
                    let kind = creanta_app::rates::RateKind::parse(kind)?;
                    let rows = creanta_app::rates::list(&app, kind).await?;
                    let mut sheet =
                        Sheet::new(&[("from", false), ("value", true), ("source", false)]);
                    for r in &rows {
                        sheet.push(vec![
                            r.effective_from.to_string(),
                            r.value.clone(),
                            r.source.clone().unwrap_or_default(),
                        ]);
                    }
                    output::print(*format, &sheet, &serde_json::to_value(&rows)?)?;
                }
                RatesCommand::Import { file, kind } => {
                    let kind = creanta_app::rates::RateKind::parse(kind)?;
                    let r = creanta_app::rates::import(&app, kind, file, CLI_ACTOR).await?;
                    println!(
                        "{}: {} new or changed, {} unchanged",
                        file.display(),
                        r.new_or_changed,
                        r.unchanged
                    );
                }
            }
        }
        Command::Interest {
            debtor,
            date,
            format,
        } => {
            let app = App::open(&cfg, &cli.org).await?;
            let id = creanta_app::check::find_debtor(&app, debtor).await?;
            let day = date.unwrap_or_else(|| app.today());
            let c = creanta_app::interest::charges(&app, id, day).await?;
            print_charges(&c, *format)?;
        }
        Command::Policy { command } => {
            let app = App::open(&cfg, &cli.org).await?;
            match command {
                PolicyCommand::List { format } => {
                    let (policies, default) = creanta_app::calendar::policies(&app).await?;
                    print_policies(&policies, &default, *format)?;
                }
                PolicyCommand::Export { file } => {
                    let text = creanta_app::calendar::export_toml(&app).await?;
                    match file {
                        Some(path) => std::fs::write(path, text)
                            .with_context(|| format!("writing {}", path.display()))?,
                        None => print!("{text}"),
                    }
                }
                PolicyCommand::Import { file } => {
                    let text = std::fs::read_to_string(file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    let name = file.display().to_string();
                    let r =
                        creanta_app::calendar::import_toml(&app, &name, &text, CLI_ACTOR).await?;
                    println!(
                        "{name}: {} created, {} updated, {} unchanged",
                        r.created.len(),
                        r.updated.len(),
                        r.unchanged.len()
                    );
                }
            }
        }
        Command::Aging { date, format } => {
            let app = App::open(&cfg, &cli.org).await?;
            let day = date.unwrap_or_else(|| app.today());
            print_aging(&app, day, *format).await?;
        }
    }
    Ok(())
}

const CLI_ACTOR: &str = "cli";

/// Runs `creanta check` and prints its findings; `false` when an error is among them.
async fn run_check(
    app: &App,
    invoice: Option<&str>,
    debtor: Option<&str>,
    lang: creanta_domain::model::Language,
    format: Format,
) -> anyhow::Result<bool> {
    use creanta_app::check::{self, Scope, ShownFinding};
    let (scope, only): (Scope, Option<Vec<i64>>) = match (invoice, debtor) {
        (Some(reference), _) => {
            let found = check::find_invoice(app, reference).await?;
            let debtors = found.iter().map(|(_, d)| *d).collect();
            (
                Scope::Debtors(debtors),
                Some(found.iter().map(|(i, _)| *i).collect()),
            )
        }
        (None, Some(code)) => (
            Scope::Debtors(vec![check::find_debtor(app, code).await?]),
            None,
        ),
        (None, None) => (Scope::All, None),
    };
    let report = check::check(app, &scope, CLI_ACTOR).await?;
    let listed: Vec<&check::CheckedInvoice> = report
        .invoices
        .iter()
        .filter(|i| match &only {
            Some(ids) => ids.contains(&i.invoice_id),
            None => !i.findings.is_empty(),
        })
        .collect();
    let mut sheet = Sheet::new(&[
        ("invoice", false),
        ("entity", false),
        ("debtor", false),
        ("code", false),
        ("severity", false),
        ("field", false),
        ("message", false),
        ("fix", false),
    ]);
    let mut json_rows = Vec::with_capacity(listed.len());
    for inv in &listed {
        let shown: Vec<ShownFinding> = inv
            .findings
            .iter()
            .map(|f| ShownFinding::of(f, lang))
            .collect();
        if shown.is_empty() {
            sheet.push(vec![
                inv.label(),
                inv.entity_tax_id.clone(),
                inv.debtor_code.clone(),
                String::new(),
                "ok".into(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for f in &shown {
            sheet.push(vec![
                inv.label(),
                inv.entity_tax_id.clone(),
                inv.debtor_code.clone(),
                f.code.clone(),
                f.severity.clone(),
                f.field.clone(),
                f.message.clone(),
                f.fix.clone(),
            ]);
        }
        json_rows.push(json!({
            "invoice": inv.label(),
            "entity": inv.entity_tax_id,
            "debtor": inv.debtor_code,
            "findings": shown,
        }));
    }
    output::print(format, &sheet, &serde_json::Value::Array(json_rows))?;
    eprintln!(
        "checked {} invoices: {} with errors, {} with warnings only; {} findings opened, {} closed",
        report.checked,
        report.with_errors,
        report.with_warnings_only,
        report.findings_opened,
        report.findings_closed
    );
    Ok(!listed
        .iter()
        .any(|i| i.findings.iter().any(|f| f.is_error())))
}

async fn user_command(app: &App, command: &UserCommand) -> anyhow::Result<()> {
    use creanta_app::accounts;
    match command {
        UserCommand::Add {
            email,
            name,
            role,
            language,
        } => {
            let (user, password) =
                accounts::add_user(app, CLI_ACTOR, email, name, *role, *language).await?;
            println!(
                "user {} ({}) added to {}; one-time password: {password}",
                user.email, user.role, app.org.name
            );
        }
        UserCommand::List { format } => {
            let users = accounts::list_users(app).await?;
            let mut sheet = Sheet::new(&[
                ("email", false),
                ("name", false),
                ("role", false),
                ("language", false),
                ("active", false),
            ]);
            for u in &users {
                sheet.push(vec![
                    u.email.clone(),
                    u.name.clone(),
                    u.role.clone(),
                    u.language.clone(),
                    u.active.to_string(),
                ]);
            }
            output::print(*format, &sheet, &serde_json::to_value(&users)?)?;
        }
        UserCommand::Passwd { email, stdin } => {
            let given = if *stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let password = accounts::set_password(app, CLI_ACTOR, email, given.as_deref()).await?;
            if given.is_none() {
                println!("new one-time password for {email}: {password}");
            } else {
                println!("password of {email} changed");
            }
        }
        UserCommand::Disable { email } => {
            accounts::set_active(app, CLI_ACTOR, email, false).await?;
            println!("{email} disabled");
        }
        UserCommand::Enable { email } => {
            accounts::set_active(app, CLI_ACTOR, email, true).await?;
            println!("{email} enabled");
        }
    }
    Ok(())
}

async fn token_command(app: &App, command: &TokenCommand) -> anyhow::Result<()> {
    use creanta_app::accounts;
    match command {
        TokenCommand::Create { email, name } => {
            let (id, token) = accounts::create_token(app, CLI_ACTOR, email, name).await?;
            println!("token #{id} for {email}: {token}");
        }
        TokenCommand::List { format } => {
            let tokens = accounts::list_tokens(app).await?;
            let mut sheet = Sheet::new(&[
                ("id", true),
                ("user_id", true),
                ("name", false),
                ("created_at", false),
                ("revoked", false),
            ]);
            for t in &tokens {
                sheet.push(vec![
                    t.id.to_string(),
                    t.user_id.to_string(),
                    t.name.clone(),
                    t.created_at.to_string(),
                    t.revoked.to_string(),
                ]);
            }
            output::print(*format, &sheet, &serde_json::to_value(&tokens)?)?;
        }
        TokenCommand::Revoke { id } => {
            accounts::revoke_token(app, CLI_ACTOR, *id).await?;
            println!("token #{id} revoked");
        }
    }
    Ok(())
}

async fn serve(
    app: &App,
    bind: &str,
    secure_cookies: bool,
    mail: creanta_app::outbox::MailSettings,
    run_at: Option<jiff::civil::Time>,
) -> anyhow::Result<()> {
    if let Some((user, password)) = creanta_app::accounts::ensure_first_admin(app).await? {
        println!(
            "First start of {}: administrator {} created, one-time password: {password}",
            app.org.name, user.email
        );
        println!("Change it with `creanta user passwd {}`.", user.email);
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    println!("Creanța is serving http://{}/", listener.local_addr()?);
    match run_at {
        Some(at) => println!(
            "The daily run starts at {} local time; the outbox is delivered every minute.",
            at.strftime("%H:%M")
        ),
        None => {
            println!("The daily run is off (--run-at off); the outbox is delivered every minute.")
        }
    }
    let scheduler = creanta_app::scheduler::spawn(app.store.clone(), mail.clone(), run_at);
    let state = creanta_web::WebState {
        store: app.store.clone(),
        secure_cookies,
        mail,
    };
    // Ctrl-C or SIGTERM (a service manager): stop accepting, finish what is in flight.
    let shutdown = async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
        }
        tracing::info!("shutting down");
    };
    creanta_web::serve(state, listener, shutdown).await?;
    scheduler.abort();
    Ok(())
}

async fn print_aging(app: &App, day: Date, format: Format) -> anyhow::Result<()> {
    let aging = creanta_app::reports::aging(app, day).await?;
    let mut sheet = Sheet::new(&[
        ("debtor", false),
        ("name", false),
        ("currency", false),
        ("not_due", true),
        ("1-30", true),
        ("31-60", true),
        ("61-90", true),
        ("over_90", true),
        ("total_open", true),
    ]);
    let mut json_rows = Vec::new();
    for r in aging.rows.iter().chain(&aging.totals) {
        let cur = currency(&r.currency);
        let cells = [r.not_due, r.d1_30, r.d31_60, r.d61_90, r.over_90, r.total]
            .map(|v| format_amount(v, cur));
        let mut row = vec![
            r.debtor_code.clone(),
            r.debtor_name.clone(),
            r.currency.clone(),
        ];
        row.extend(cells.iter().cloned());
        sheet.push(row);
        json_rows.push(json!({
            "debtor_code": r.debtor_code, "debtor_name": r.debtor_name, "currency": r.currency,
            "not_due": cells[0], "d1_30": cells[1], "d31_60": cells[2], "d61_90": cells[3],
            "over_90": cells[4], "total": cells[5],
        }));
    }
    if format == Format::Table {
        println!("Aging on {day} (organization {})", app.org.name);
    }
    output::print(format, &sheet, &json!({ "date": day, "rows": json_rows }))
}

fn creanta_store_filter(
    debtor_code: Option<String>,
    open_only: bool,
    overdue_on: Option<Date>,
) -> creanta_app::reports::InvoiceFilter {
    creanta_app::reports::InvoiceFilter {
        debtor_code,
        open_only,
        overdue_on,
    }
}

/// Currencies come from our own database, where they were checked on import.
fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap_or(Currency::RON)
}

fn print_run(r: &creanta_app::calendar::RunReport, format: Format) -> anyhow::Result<()> {
    let mut sheet = Sheet::new(&[
        ("debtor", false),
        ("step", false),
        ("kind", false),
        ("status", false),
        ("why", false),
    ]);
    for a in &r.actions {
        let why = a
            .invoices
            .iter()
            .map(|i| i.reason.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        sheet.push(vec![
            format!("{} {}", a.debtor_code, a.debtor_name),
            format!("{} ({:+})", a.step, a.offset),
            a.kind.to_string(),
            if a.recorded || r.dry_run {
                a.status.clone()
            } else {
                format!("{} (recorded before)", a.status)
            },
            why,
        ]);
    }
    for s in &r.skipped {
        sheet.push(vec![
            format!("debtor #{}", s.debtor_id),
            s.step.clone().unwrap_or_default(),
            String::new(),
            "skipped".into(),
            format!("invoice {}: {}", s.label, s.why),
        ]);
    }
    output::print(format, &sheet, &serde_json::to_value(r)?)?;
    if format == Format::Table {
        let mut line = format!(
            "{}: {} actions ({} new), {} messages queued, {} tasks, {} skipped, {} up to date, {} not yet due",
            r.date,
            r.actions.len(),
            r.recorded,
            r.messages_queued,
            r.tasks_created,
            r.skipped.len(),
            r.up_to_date,
            r.not_yet_due
        );
        if r.dry_run {
            line.push_str(" — dry run, nothing recorded");
        }
        if let Some(o) = &r.outbox {
            line.push_str(&format!(
                "; outbox: {} sent, {} written, {} retrying, {} failed, {} uncertain, {} cancelled",
                o.sent, o.written, o.retrying, o.failed, o.uncertain, o.cancelled
            ));
        }
        eprintln!("{line}");
    }
    Ok(())
}

fn print_charges(c: &creanta_app::interest::DebtorCharges, format: Format) -> anyhow::Result<()> {
    let mut sheet = Sheet::new(&[
        ("invoice", false),
        ("due", false),
        ("days", true),
        ("open", true),
        ("interest", true),
        ("compensation", true),
        ("basis", false),
    ]);
    let money =
        |m: creanta_domain::Money| format!("{} {}", format_amount(m.minor, m.currency), m.currency);
    for i in &c.invoices {
        let mut basis = match &i.charge {
            Some(ch) => match ch.basis {
                creanta_domain::interest::ChargeBasis::LegalInterest { .. } => {
                    let rates: Vec<String> = ch
                        .segments
                        .iter()
                        .map(|s| format!("{}% × {} d", s.rate, s.days))
                        .collect();
                    format!("legal interest: {}", rates.join(" + "))
                }
                creanta_domain::interest::ChargeBasis::ContractPenalty {
                    percent_per_day, ..
                } => {
                    let capped = if ch.capped { ", capped" } else { "" };
                    format!("contract: {percent_per_day}%/day{capped}")
                }
            },
            None => String::new(),
        };
        for p in &i.problems {
            if !basis.is_empty() {
                basis.push_str("; ");
            }
            basis.push_str(&p.to_string());
        }
        sheet.push(vec![
            i.label.clone(),
            i.due_date.to_string(),
            i.days_late.to_string(),
            money(i.open),
            i.charge
                .as_ref()
                .map(|ch| money(ch.amount))
                .unwrap_or_default(),
            i.compensation.map(money).unwrap_or_default(),
            basis,
        ]);
    }
    for t in &c.totals {
        sheet.push(vec![
            format!("TOTAL {}", t.currency),
            String::new(),
            String::new(),
            format_amount(t.open, t.currency),
            format_amount(t.interest, t.currency),
            format_amount(t.compensation, t.currency),
            String::new(),
        ]);
    }
    output::print(format, &sheet, &serde_json::to_value(c)?)
}

fn print_policies(
    policies: &[creanta_domain::dunning::Policy],
    default: &str,
    format: Format,
) -> anyhow::Result<()> {
    let mut sheet = Sheet::new(&[
        ("policy", false),
        ("step", false),
        ("offset", true),
        ("kind", false),
        ("template", false),
        ("minimum", false),
        ("approval", false),
    ]);
    for p in policies {
        let name = if p.code == default {
            format!("{} (default)", p.code)
        } else {
            p.code.clone()
        };
        for s in &p.steps {
            let minimum = s
                .min_open
                .iter()
                .map(|(c, m)| format!("{} {c}", creanta_domain::format_amount(*m, *c)))
                .collect::<Vec<_>>()
                .join(", ");
            sheet.push(vec![
                name.clone(),
                s.code.clone(),
                s.offset.to_string(),
                s.kind.to_string(),
                s.template.clone(),
                minimum,
                if s.needs_approval { "yes" } else { "" }.to_owned(),
            ]);
        }
    }
    let json = serde_json::json!({ "default": default, "policies": policies });
    output::print(format, &sheet, &json)
}

fn print_delivery(r: &creanta_app::deliver::DeliveryReport, format: Format) -> anyhow::Result<()> {
    let labels = |list: &[creanta_app::deliver::InvoiceRef]| {
        list.iter()
            .map(|i| i.label())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let outcomes = |result: &str| {
        r.outbox
            .outcomes
            .iter()
            .filter(|o| o.result == result)
            .map(|o| format!("#{}: {}", o.id, o.detail))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let blocked = r
        .blocked
        .iter()
        .map(|b| format!("{} ({})", b.invoice.label(), b.reasons.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let mut sheet = Sheet::new(&[("result", false), ("count", true), ("details", false)]);
    for (what, n, detail) in [
        ("queued", r.queued, String::new()),
        ("overridden", r.overridden.len(), labels(&r.overridden)),
        ("sent", r.outbox.sent, String::new()),
        ("written", r.outbox.written, String::new()),
        ("retrying", r.outbox.retrying, outcomes("retrying")),
        ("failed", r.outbox.failed, outcomes("failed")),
        ("uncertain", r.outbox.uncertain, outcomes("uncertain")),
        ("cancelled", r.outbox.cancelled, outcomes("cancelled")),
        ("blocked", r.blocked.len(), blocked),
        ("not_checked", r.not_checked.len(), labels(&r.not_checked)),
        (
            "no_recipient",
            r.no_recipient.len(),
            labels(&r.no_recipient),
        ),
        (
            "no_invoice_file",
            r.no_invoice_file.len(),
            labels(&r.no_invoice_file),
        ),
        ("sent_elsewhere", r.sent_elsewhere, String::new()),
    ] {
        sheet.push(vec![what.to_owned(), n.to_string(), detail]);
    }
    output::print(format, &sheet, &serde_json::to_value(r)?)
}
