//! Who held which job lease, and when, as the database itself saw it: a trigger on `jobs`
//! (installed by the test in its own database, not part of the schema) appends every change of
//! a job row to `job_lease_history`, inside the statement that made it. Row locks order the
//! changes of one job, so the history is the exact sequence of claims, finishes and lapses
//! whatever the processes' logs say.

use chrono::NaiveDateTime;
use sqlx::MySqlPool;

/// One change of a job row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeaseChange {
    pub job: String,
    pub old_owner: Option<String>,
    pub new_owner: Option<String>,
    pub old_expires: Option<NaiveDateTime>,
    pub old_run_count: i64,
    pub new_run_count: i64,
    pub started_at: Option<NaiveDateTime>,
}

impl LeaseChange {
    /// A worker claimed the job (`claim_job` raises the run count).
    pub fn is_claim(&self) -> bool {
        self.new_run_count == self.old_run_count + 1
    }

    /// The holder finished (`finish_job` clears the owner).
    pub fn is_finish(&self) -> bool {
        self.old_owner.is_some() && self.new_owner.is_none()
    }
}

/// Creates the history table and the trigger.
pub async fn record_history(db: &MySqlPool) {
    sqlx::raw_sql(
        "CREATE TABLE job_lease_history (\
             seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, \
             job VARCHAR(64) NOT NULL, \
             old_owner VARCHAR(191) NULL, new_owner VARCHAR(191) NULL, \
             old_expires DATETIME(6) NULL, new_expires DATETIME(6) NULL, \
             old_run_count BIGINT NOT NULL, new_run_count BIGINT NOT NULL, \
             started_at DATETIME(6) NULL); \
         CREATE TRIGGER jobs_lease_history AFTER UPDATE ON jobs FOR EACH ROW \
             INSERT INTO job_lease_history \
             (job, old_owner, new_owner, old_expires, new_expires, old_run_count, \
              new_run_count, started_at) \
             VALUES (NEW.name, OLD.lease_owner, NEW.lease_owner, OLD.lease_expires_at, \
              NEW.lease_expires_at, OLD.run_count, NEW.run_count, NEW.last_started_at);",
    )
    .execute(db)
    .await
    .expect("job lease history trigger");
}

/// The whole history, in order.
pub async fn history(db: &MySqlPool) -> Vec<LeaseChange> {
    sqlx::query_as(
        "SELECT job, old_owner, new_owner, old_expires, old_run_count, new_run_count, \
         started_at FROM job_lease_history ORDER BY seq",
    )
    .fetch_all(db)
    .await
    .expect("read job lease history")
}

/// Every claim the history shows made while another process's lease had not expired yet at
/// the claim's own time: a job held by two processes at once. (A finish by a process that lost
/// its lease changes no row, so it cannot show here; `finish_job` reports it to the caller.)
pub fn overlaps(history: &[LeaseChange]) -> Vec<String> {
    let mut found = Vec::new();
    for change in history {
        if change.is_claim() {
            let started = change.started_at.expect("a claim sets last_started_at");
            if let (Some(owner), Some(expires)) = (&change.old_owner, change.old_expires)
                && expires > started
            {
                found.push(format!(
                    "{}: claimed by {:?} at {started} while {owner} held it until {expires}",
                    change.job, change.new_owner
                ));
            }
        }
    }
    found
}
