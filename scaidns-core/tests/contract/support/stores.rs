//! Store fixtures: a fresh, migrated database per behaviour, handed to store suites as
//! `&dyn Store` and to the SQL adapter's own checks as the database itself.

use scaidns_core::ports::Store;

use crate::support::contract::UnderTest;
use crate::support::db::TestDb;

impl UnderTest for TestDb {
    type Subject = dyn Store;

    fn subject(&self) -> &Self::Subject {
        &self.store
    }
}

/// A test database for checks that need the SQL adapter itself (its URL, raw SQL).
pub struct SqlDb(TestDb);

impl SqlDb {
    /// A new SQLite database.
    pub async fn sqlite() -> Self {
        Self(TestDb::sqlite().await)
    }

    /// A new MariaDB database.
    pub async fn mysql() -> Self {
        Self(TestDb::mysql().await)
    }

    /// A new PostgreSQL database.
    pub async fn postgres() -> Self {
        Self(TestDb::postgres().await)
    }
}

impl UnderTest for SqlDb {
    type Subject = TestDb;

    fn subject(&self) -> &TestDb {
        &self.0
    }
}
