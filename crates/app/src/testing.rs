//! Test support: a fresh, empty Creanța per test, on SQLite (in a temporary folder) or, when
//! `TEST_DATABASE_URL` is set, on PostgreSQL (in a schema of its own). The same tests run on
//! both backends this way.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::{App, AppConfig, DEFAULT_ORG};

pub struct TestApp {
    pub app: App,
    pub config: AppConfig,
    /// Keeps the data folder alive for the test's duration.
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A folder removed on drop (tests only; avoids a dependency for three lines).
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Which backend the tests run on, for messages.
pub fn backend_name() -> &'static str {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        let url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty());
        TestApp::with_database(url).await
    }

    /// A fresh store on SQLite (`None`) or in a new schema of the PostgreSQL at `url`.
    pub async fn with_database(url: Option<String>) -> TestApp {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let unique = format!("t{}_{}_{}", std::process::id(), n, nanos);
        let dir = std::env::temp_dir().join(format!("creanta-test-{unique}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let config = AppConfig {
            pg_schema: url.as_ref().map(|_| unique.clone()),
            database_url: url,
            data_dir: dir.clone(),
        };
        let app = App::open(&config, DEFAULT_ORG)
            .await
            .expect("open test store");
        TestApp {
            app,
            config,
            _dir: tempdir::Dir(dir),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.config.data_dir.clone()
    }

    /// Opens another organization in the same store.
    pub async fn other_org(&self, name: &str) -> App {
        App::add_org(&self.config, name).await.expect("add org");
        App::open(&self.config, name).await.expect("open org")
    }

    /// Drops the PostgreSQL schema (SQLite files go with the folder). A server a test has
    /// just dropped may still be finishing a request in the schema; PostgreSQL then reports a
    /// deadlock to one of the two, so the drop is tried again after a moment.
    pub async fn cleanup(self) {
        if let Some(schema) = &self.config.pg_schema {
            let mut attempt = 1;
            while let Err(e) = self.app.store.drop_schema(schema).await {
                assert!(attempt < 5, "drop schema {schema}: {e:?}");
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
        self.app.store.close().await;
    }
}
