//! Change notices between replicas: one replica tells the others that something their caches
//! hold may be stale, so they drop it before their staleness bound runs out. Best effort by
//! design: a lost notice costs at most the caches' staleness bounds (`AUTH_CACHE_MAX_STALENESS`
//! for callers, `ZONE_CACHE_MAX_STALENESS` for zones), never correctness beyond them.

use crate::ids::ZoneId;

/// Where a replica announces that something other replicas may cache changed.
pub trait ChangeFeed: Send + Sync + std::fmt::Debug {
    /// Announces that who may do what changed (a key, a user, a membership, a role, an
    /// assignment or a grant); returns at once (delivery happens in the background).
    fn announce_auth_change(&self);

    /// Announces that a zone's row changed (its generation, status or existence); returns at
    /// once (delivery happens in the background).
    fn announce_zone_change(&self, zone: ZoneId);

    /// Announces that a platform configuration value was set through the API; returns at
    /// once (delivery happens in the background).
    fn announce_config_change(&self);
}

/// What a replica heard on the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeNotice {
    /// Who may do what changed somewhere.
    Auth,
    /// This zone's row changed.
    Zone(ZoneId),
    /// A platform configuration value changed.
    Config,
    /// Anything may have changed: listening (re)started, so notices sent meanwhile are lost,
    /// or a notice was not understood.
    Everything,
}

impl ChangeNotice {
    /// The notice's text on the wire.
    pub fn encode(self) -> String {
        match self {
            Self::Auth => "auth".to_owned(),
            Self::Zone(id) => format!("zone:{id}"),
            Self::Config => "config".to_owned(),
            Self::Everything => "all".to_owned(),
        }
    }

    /// A notice from its text; what is not understood means everything.
    pub fn decode(text: &str) -> Self {
        match text {
            "auth" => Self::Auth,
            "config" => Self::Config,
            _ => text
                .strip_prefix("zone:")
                .and_then(|id| id.parse().ok())
                .map_or(Self::Everything, Self::Zone),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_survive_the_wire_and_garbage_means_everything() {
        let zone = ZoneId::new();
        for notice in [
            ChangeNotice::Auth,
            ChangeNotice::Zone(zone),
            ChangeNotice::Config,
            ChangeNotice::Everything,
        ] {
            assert_eq!(ChangeNotice::decode(&notice.encode()), notice);
        }
        assert_eq!(ChangeNotice::decode("zone:nope"), ChangeNotice::Everything);
        assert_eq!(ChangeNotice::decode(""), ChangeNotice::Everything);
    }
}
