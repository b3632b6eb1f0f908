//! Creanța use cases. Each public function is one thing a user does; it owns its
//! transaction. The CLI and the web layer only parse input and present results.

pub mod accounts;
pub mod bench;
pub mod bench_run;
pub mod calendar;
pub mod check;
pub mod deliver;
pub mod demo;
pub mod edit;
pub mod import;
pub mod interest;
mod mailing;
pub mod outbox;
mod pdf;
pub mod prevention;
pub mod rates;
pub mod reports;
pub mod scheduler;
pub mod settings;
#[doc(hidden)]
pub mod testing;
pub mod upkeep;

use std::path::PathBuf;

use creanta_store::repo::orgs::{self, Organization};
use creanta_store::{Store, StoreConfig, StoreError};

pub use creanta_store::repo::orgs::DEFAULT_ORG;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
    /// The change would leave the organization without an active admin.
    #[error("{0} is the last active admin of the organization: make another user admin first")]
    LastAdmin(String),
}

/// Where Creanța keeps its data: `DATABASE_URL` (PostgreSQL or SQLite URL) or the embedded
/// SQLite database in `data_dir`.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub pg_schema: Option<String>,
}

impl AppConfig {
    pub fn from_env() -> AppConfig {
        AppConfig {
            database_url: std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty()),
            data_dir: std::env::var_os("CREANTA_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(creanta_store::default_data_dir),
            // Lets tests (and hosted deployments) keep several databases in one server.
            pg_schema: std::env::var("CREANTA_PG_SCHEMA")
                .ok()
                .filter(|s| !s.is_empty()),
        }
    }

    fn store_config(&self) -> StoreConfig {
        StoreConfig {
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
            pg_schema: self.pg_schema.clone(),
        }
    }
}

/// An open store and the organization the caller works in.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub org: Organization,
}

impl App {
    /// Opens the store (migrating it) and selects `org_name`. The default organization is
    /// created on first use; any other must have been added with `creanta org add`.
    pub async fn open(config: &AppConfig, org_name: &str) -> Result<App, AppError> {
        let store = Store::open(&config.store_config()).await?;
        let org = if org_name == DEFAULT_ORG {
            orgs::ensure(&store, DEFAULT_ORG, now()).await?
        } else {
            orgs::find(&store, org_name).await?
        };
        Ok(App { store, org })
    }

    pub async fn add_org(config: &AppConfig, name: &str) -> Result<Organization, AppError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(AppError::Invalid(
                "an organization name must have 1 to 100 characters".into(),
            ));
        }
        let store = Store::open(&config.store_config()).await?;
        orgs::ensure(&store, DEFAULT_ORG, now()).await?;
        Ok(orgs::ensure(&store, name, now()).await?)
    }

    pub async fn list_orgs(config: &AppConfig) -> Result<Vec<Organization>, AppError> {
        let store = Store::open(&config.store_config()).await?;
        orgs::ensure(&store, DEFAULT_ORG, now()).await?;
        Ok(orgs::list(&store).await?)
    }

    pub fn org_id(&self) -> i64 {
        self.org.id
    }

    /// Today in the organization's time zone: the date that decides what is late.
    pub fn today(&self) -> jiff::civil::Date {
        today_in(&self.org.time_zone)
    }
}

/// Today in `time_zone` (UTC if the zone is unknown to this machine).
pub fn today_in(time_zone: &str) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    now().to_zoned(tz).date()
}

/// Today where a new organization lives (Europe/Bucharest).
pub fn local_today() -> jiff::civil::Date {
    today_in("Europe/Bucharest")
}

/// The wall clock, in one place.
pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}
