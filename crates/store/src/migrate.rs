//! Applies the per-backend migrations in order, once each, at open time.

use crate::{Backend, Result, Store, args};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "sessions",
        sqlite: include_str!("../migrations/sqlite/0002_sessions.sql"),
        postgres: include_str!("../migrations/postgres/0002_sessions.sql"),
    },
    Migration {
        version: 3,
        name: "api_tokens",
        sqlite: include_str!("../migrations/sqlite/0003_api_tokens.sql"),
        postgres: include_str!("../migrations/postgres/0003_api_tokens.sql"),
    },
    Migration {
        version: 4,
        name: "debtor_list",
        sqlite: include_str!("../migrations/sqlite/0004_debtor_list.sql"),
        postgres: include_str!("../migrations/postgres/0004_debtor_list.sql"),
    },
    Migration {
        version: 5,
        name: "findings",
        sqlite: include_str!("../migrations/sqlite/0005_findings.sql"),
        postgres: include_str!("../migrations/postgres/0005_findings.sql"),
    },
    Migration {
        version: 6,
        name: "outbox",
        sqlite: include_str!("../migrations/sqlite/0006_outbox.sql"),
        postgres: include_str!("../migrations/postgres/0006_outbox.sql"),
    },
    Migration {
        version: 7,
        name: "calendar",
        sqlite: include_str!("../migrations/sqlite/0007_calendar.sql"),
        postgres: include_str!("../migrations/postgres/0007_calendar.sql"),
    },
    Migration {
        version: 8,
        name: "credit_notes_approvals",
        sqlite: include_str!("../migrations/sqlite/0008_credit_notes_approvals.sql"),
        postgres: include_str!("../migrations/postgres/0008_credit_notes_approvals.sql"),
    },
];

pub(crate) async fn run(store: &Store) -> Result<()> {
    // One transaction for the whole check-and-apply: on PostgreSQL the advisory lock makes
    // concurrent starters wait for the first; SQLite's BEGIN IMMEDIATE does the same.
    let mut tx = store.begin().await?;
    if tx.backend() == Backend::Postgres {
        tx.execute("SELECT pg_advisory_xact_lock(7461626)", &[])
            .await?;
    }
    tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
        &[],
    )
    .await?;
    let applied: Vec<i64> = tx
        .fetch_all("SELECT version FROM schema_migrations", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_>>()?;
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let script = match store.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        tx.execute_script(script).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &args![m.version, m.name],
        )
        .await?;
    }
    tx.commit().await
}
