//! The stores every proxy test runs against: a fresh SQLite file, and a fresh schema in the
//! PostgreSQL server named by `SIS_ONBOARD_TEST_POSTGRES_URL` (`cargo xtask test` sets it to
//! the machine's server; when it is set, an unreachable server fails the test).
#![allow(clippy::unwrap_used, missing_docs, dead_code)]

use sqlx::Connection;

pub mod binary;
pub mod harness;

/// Where a test's store lives; keeps its temporary folder alive.
pub struct TestStore {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The URL to open.
    pub url: String,
    /// The SQLite file's folder (None for PostgreSQL).
    pub dir: Option<tempfile::TempDir>,
    /// The PostgreSQL server and the test's schema in it, dropped with the store.
    pub schema: Option<(String, String)>,
}

/// Drops the test's PostgreSQL schema, so test runs leave no `t_…` schemas behind.
impl Drop for TestStore {
    fn drop(&mut self) {
        let Some((base, schema)) = self.schema.take() else {
            return;
        };
        // Drop cannot await, and may run on the test's runtime thread: a thread of its own
        // with its own runtime does the one statement.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let mut admin = sqlx::PgConnection::connect(&base).await?;
                    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .execute(&mut admin)
                        .await
                        .map(|_| ())
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) && !std::thread::panicking() {
            panic!("the test schema could not be dropped: {dropped:?}");
        }
    }
}

/// A fresh SQLite store and, when configured, a fresh PostgreSQL schema.
pub async fn test_stores() -> Vec<TestStore> {
    let dir = tempfile::tempdir().unwrap();
    let mut stores = vec![TestStore {
        backend: "sqlite",
        url: format!("sqlite://{}", dir.path().join("proxy.sqlite").display()),
        dir: Some(dir),
        schema: None,
    }];
    if let Ok(base) = std::env::var("SIS_ONBOARD_TEST_POSTGRES_URL") {
        let schema = format!("t_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::PgConnection::connect(&base)
            .await
            .unwrap_or_else(|e| {
                panic!("SIS_ONBOARD_TEST_POSTGRES_URL is set but {base} is unreachable: {e}")
            });
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let separator = if base.contains('?') { '&' } else { '?' };
        stores.push(TestStore {
            backend: "postgres",
            url: format!("{base}{separator}options=-c%20search_path%3D{schema}"),
            dir: None,
            schema: Some((base.clone(), schema)),
        });
    } else {
        eprintln!("SIS_ONBOARD_TEST_POSTGRES_URL is not set: PostgreSQL is skipped");
    }
    stores
}
