//! Persistence for Creanța on SQLite (embedded default) and PostgreSQL (production).
//!
//! Every query is written once with `$1` placeholders and run on either backend through
//! [`sql`]. Dialect differences live in [`Backend`] and in the per-backend migrations.
//! Every table carries `org_id`, and every function here takes the organization it works in.

pub mod blobs;
pub mod bulk;
mod migrate;
pub mod records;
pub mod repo;
pub mod sql;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub use blobs::{BlobStore, LocalBlobStore};
pub use sql::{Row, Value};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("blob store: {0}")]
    Blob(#[from] std::io::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("unknown organization \"{0}\" (see `creanta org list`)")]
    UnknownOrg(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Largest number of bind parameters we put in one statement.
    pub fn max_params(self) -> usize {
        match self {
            Backend::Sqlite => 32_000,
            Backend::Postgres => 65_000,
        }
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// Where the data lives. With no database URL: SQLite at `<data_dir>/creanta.db`.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    /// PostgreSQL only: work inside this schema (created when missing). Tests use it to get a
    /// fresh database each.
    pub pg_schema: Option<String>,
}

#[derive(Clone)]
pub struct Store {
    pool: Pool,
    blobs: Arc<dyn BlobStore>,
}

impl Store {
    pub async fn open(config: &StoreConfig) -> Result<Store> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            StoreError::Open(format!("cannot create {}: {e}", config.data_dir.display()))
        })?;
        let blobs: Arc<dyn BlobStore> =
            Arc::new(LocalBlobStore::new(config.data_dir.join("blobs")));
        let pool = match config.database_url.as_deref() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Pool::Pg(open_pg(url, config.pg_schema.as_deref()).await?)
            }
            Some(url) if url.starts_with("sqlite:") => {
                let opts: SqliteConnectOptions = url
                    .parse()
                    .map_err(|e| StoreError::Open(format!("{url}: {e}")))?;
                Pool::Sqlite(open_sqlite(opts).await?)
            }
            Some(url) => {
                return Err(StoreError::Open(format!(
                    "unsupported DATABASE_URL \"{url}\": use postgres://… or sqlite:…"
                )));
            }
            None => Pool::Sqlite(
                open_sqlite(
                    SqliteConnectOptions::new().filename(config.data_dir.join("creanta.db")),
                )
                .await?,
            ),
        };
        let store = Store { pool, blobs };
        migrate::run(&store).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Pg(_) => Backend::Postgres,
        }
    }

    pub fn blobs(&self) -> &dyn BlobStore {
        self.blobs.as_ref()
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    pub async fn fetch_all(&self, sql: &str, args: &[Value]) -> Result<Vec<Row>> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => sql::sqlite_query(sql, args)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Pool::Pg(p) => sql::pg_query(sql, args)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(Row::Pg)
                .collect(),
        })
    }

    pub async fn fetch_optional(&self, sql: &str, args: &[Value]) -> Result<Option<Row>> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => sql::sqlite_query(sql, args)
                .fetch_optional(p)
                .await?
                .map(Row::Sqlite),
            Pool::Pg(p) => sql::pg_query(sql, args)
                .fetch_optional(p)
                .await?
                .map(Row::Pg),
        })
    }

    /// Drops a PostgreSQL schema made for a test.
    pub async fn drop_schema(&self, schema: &str) -> Result<()> {
        if let Pool::Pg(p) = &self.pool {
            check_schema_name(schema)?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(p)
                .await?;
        }
        Ok(())
    }

    /// Connections open and idle in the pool, for the metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.pool {
            Pool::Sqlite(p) => (p.size(), p.num_idle()),
            Pool::Pg(p) => (p.size(), p.num_idle()),
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Pg(p) => p.close().await,
        }
    }
}

/// Schema names are spliced into SQL; only letters, digits and `_` are accepted.
fn check_schema_name(schema: &str) -> Result<()> {
    if schema.is_empty()
        || !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(StoreError::Open(format!(
            "bad schema name {schema:?}: use letters, digits and _"
        )));
    }
    Ok(())
}

async fn open_sqlite(opts: SqliteConnectOptions) -> Result<SqlitePool> {
    let opts = opts
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(opts)
        .await
        .map_err(|e| StoreError::Open(e.to_string()))
}

async fn open_pg(url: &str, schema: Option<&str>) -> Result<PgPool> {
    let mut opts: PgConnectOptions = url
        .parse()
        .map_err(|e| StoreError::Open(format!("{url}: {e}")))?;
    if let Some(schema) = schema {
        check_schema_name(schema)?;
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await
            .map_err(|e| StoreError::Open(format!("{url}: {e}")))?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}"
        )))
        .execute(&admin)
        .await?;
        admin.close().await;
        opts = opts.options([("search_path", schema)]);
    }
    PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(opts)
        .await
        .map_err(|e| StoreError::Open(format!("{url}: {e}")))
}

/// One transaction on either backend. Dropped without [`Tx::commit`], it rolls back: that is
/// how imports stay all-or-nothing.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Pg(_) => Backend::Postgres,
        }
    }

    pub async fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64> {
        Ok(match self {
            Tx::Sqlite(t) => sql::sqlite_query(sql, args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
            Tx::Pg(t) => sql::pg_query(sql, args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
        })
    }

    pub async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>> {
        Ok(match self {
            Tx::Sqlite(t) => sql::sqlite_query(sql, args)
                .fetch_all(&mut **t)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Tx::Pg(t) => sql::pg_query(sql, args)
                .fetch_all(&mut **t)
                .await?
                .into_iter()
                .map(Row::Pg)
                .collect(),
        })
    }

    pub async fn fetch_optional(&mut self, sql: &str, args: &[Value]) -> Result<Option<Row>> {
        Ok(match self {
            Tx::Sqlite(t) => sql::sqlite_query(sql, args)
                .fetch_optional(&mut **t)
                .await?
                .map(Row::Sqlite),
            Tx::Pg(t) => sql::pg_query(sql, args)
                .fetch_optional(&mut **t)
                .await?
                .map(Row::Pg),
        })
    }

    pub async fn fetch_one(&mut self, sql: &str, args: &[Value]) -> Result<Row> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::Db(sqlx::Error::RowNotFound))
    }

    /// Runs a script of several statements (migrations).
    pub(crate) async fn execute_script(&mut self, script: &str) -> Result<()> {
        let q = sqlx::raw_sql(sqlx::AssertSqlSafe(script.to_owned()));
        match self {
            Tx::Sqlite(t) => {
                q.execute(&mut **t).await?;
            }
            Tx::Pg(t) => {
                q.execute(&mut **t).await?;
            }
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Default data folder, relative to the working directory.
pub fn default_data_dir() -> PathBuf {
    Path::new("creanta-data").to_path_buf()
}
