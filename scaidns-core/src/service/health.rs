//! Liveness and readiness of the service (spec api-zones §13, interface decision 16): what the
//! health endpoints and load balancers ask, answered from the service's own ports so the server
//! never calls them itself.

use super::ScaiDns;

/// The state of one dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// It answers.
    Ok,
    /// It is not part of this deployment.
    NotConfigured,
    /// It fails; the message may name hosts but never credentials (the adapters ensure that).
    Failed(String),
}

impl Check {
    /// Whether it does not stand in the way of readiness.
    pub fn passes(&self) -> bool {
        !matches!(self, Self::Failed(_))
    }
}

/// Overall readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadinessStatus {
    /// Everything works.
    Ok,
    /// The database works, something else does not.
    Degraded,
    /// The database fails.
    Down,
}

impl ReadinessStatus {
    /// `ok`, `degraded` or `down`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Degraded => "degraded",
            Self::Down => "down",
        }
    }
}

/// The answer of [`ScaiDns::health_ready`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// The store.
    pub database: Check,
    /// The DNS backend.
    pub dns_backend: Check,
    /// The shared rate-limit counter (Redis); in-process counting is `NotConfigured`.
    pub rate_limiter: Check,
    /// The identity provider's signing keys.
    pub identity_keys: Check,
}

impl Readiness {
    /// `down` without the database; `degraded` when anything else fails.
    pub fn status(&self) -> ReadinessStatus {
        if !self.database.passes() {
            ReadinessStatus::Down
        } else if self.dns_backend.passes()
            && self.rate_limiter.passes()
            && self.identity_keys.passes()
        {
            ReadinessStatus::Ok
        } else {
            ReadinessStatus::Degraded
        }
    }
}

impl ScaiDns {
    /// Liveness: the process serves requests. Always `ok`.
    pub fn health_live(&self) -> &'static str {
        "ok"
    }

    /// Readiness: checks the store, the DNS backend, the shared rate-limit counter and the
    /// identity provider's keys.
    pub async fn health_ready(&self) -> Readiness {
        let database = match self.store.health().await {
            Ok(()) => Check::Ok,
            Err(e) => Check::Failed(e.message().to_owned()),
        };
        let dns_backend = match self.backend.health().await {
            Ok(()) => Check::Ok,
            Err(e) => Check::Failed(e.message),
        };
        let rate_limiter = match &self.rate_limiter {
            Some(limits) if limits.shared => match limits.limiter.health().await {
                Ok(()) => Check::Ok,
                Err(e) => Check::Failed(e.to_string()),
            },
            _ => Check::NotConfigured,
        };
        // Bearer tokens can only be checked once the provider's keys are in: not ready before.
        let identity_keys = match &self.identity_provider {
            None => Check::NotConfigured,
            Some(p) if p.keys_loaded().await => Check::Ok,
            Some(_) => Check::Failed("signing keys not loaded".to_owned()),
        };
        Readiness {
            database,
            dns_backend,
            rate_limiter,
            identity_keys,
        }
    }
}
