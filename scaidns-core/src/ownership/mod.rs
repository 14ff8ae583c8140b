//! Domain-ownership validation challenges (spec §4): the model and its status machine.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ValidationId, ZoneId};
use crate::string_enum::string_enum;

pub mod targets;

/// Owner-name label under which the TXT challenge is published.
pub const CHALLENGE_LABEL: &str = "_scaidns-verify";
/// Prefix of the TXT value.
pub const CHALLENGE_PREFIX: &str = "scaidns-verify=";

string_enum!(
    /// How ownership is proven.
    ValidationType {
        /// A TXT record at `_scaidns-verify.<zone>`.
        TxtRecord => "txt_record",
        /// The zone is delegated to the platform nameservers.
        Nameservers => "nameservers",
    }
);

string_enum!(
    /// Challenge lifecycle (spec §4.3).
    ValidationStatus {
        /// Issued, waiting for a check.
        Pending => "pending",
        /// A check is running.
        Verifying => "verifying",
        /// The last check failed; may be re-checked until expiry.
        Failed => "failed",
        /// Passed; the zone is active.
        Validated => "validated",
        /// Past `expires_at`.
        Expired => "expired",
        /// Cancelled or superseded.
        Cancelled => "cancelled",
    }
);

impl ValidationStatus {
    /// Whether a check may still run against this challenge.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Failed | Self::Verifying)
    }
}

/// One challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validation {
    /// Id.
    pub id: ValidationId,
    /// Zone being validated.
    pub zone_id: ZoneId,
    /// Method.
    pub validation_type: ValidationType,
    /// State.
    pub status: ValidationStatus,
    /// The random token (`challenge_value`).
    pub token: String,
    /// Message of the last check.
    pub last_message: Option<String>,
    /// When the last check ran.
    pub checked_at: Option<DateTime<Utc>>,
    /// How many checks ran (by the owner and by the worker).
    pub check_count: u32,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Validation {
    /// The full TXT value expected at the challenge name.
    pub fn expected_value(&self) -> String {
        format!("{CHALLENGE_PREFIX}{}", self.token)
    }
}
