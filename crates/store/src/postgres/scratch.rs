//! A throw-away database for one test or benchmark run.

use sqlx::Connection;

use crate::error::{Result, StoreError};

/// A database of its own on a PostgreSQL server, dropped (connections and all) with this value.
#[derive(Debug)]
pub struct ScratchDatabase {
    /// The new database's URL.
    pub url: String,
    admin: String,
    name: String,
}

impl ScratchDatabase {
    /// Creates `PREFIX_<random>` on the server `admin_url` points at (any database there).
    pub async fn create(admin_url: &str, prefix: &str) -> Result<ScratchDatabase> {
        let name = format!("{prefix}_{:016x}", rand_suffix());
        let mut conn = sqlx::PgConnection::connect(admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .ok_or_else(|| StoreError::Unavailable(format!("not a database URL: {admin_url}")))?;
        Ok(ScratchDatabase {
            url: format!("{base}/{name}"),
            admin: admin_url.to_owned(),
            name,
        })
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // A runtime of its own: the caller's may be shutting down.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&mut c).await;
                }
            })
        })
        .join();
    }
}
