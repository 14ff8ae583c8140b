//! The core's observer port on the server's metrics registry: database operations, validation
//! checks and worker jobs measured in the core and the SQL store land in `/metrics`.

use std::time::Duration;

use scaidns_core::ports::Observer;

use crate::metrics::Metrics;

impl Observer for Metrics {
    fn db_query(&self, operation: &'static str, ok: bool, elapsed: Duration) {
        self.observe_db_query(operation, ok, elapsed);
    }

    fn validation_check(&self, result: &'static str) {
        self.observe_validation_check(result);
    }

    fn worker_job(&self, job: &'static str, ok: bool, elapsed: Duration) {
        self.observe_worker_job(job, ok, elapsed);
    }
}
