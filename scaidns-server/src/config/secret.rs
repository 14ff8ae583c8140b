//! Secrets in the configuration: wrapped so they never print, and in development generated
//! once into the data directory so a restart keeps API keys valid.

use std::fmt;
use std::path::Path;

/// A value that must never appear in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Reads `dir/name`, or creates it with 32 random bytes (hex) and mode 0600.
pub(super) fn dev_secret(dir: &Path, name: &str) -> std::io::Result<Secret> {
    let path = dir.join(name);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if !existing.is_empty() {
            return Ok(Secret::new(existing));
        }
    }
    std::fs::create_dir_all(dir)?;
    let value = hex::encode(rand::random::<[u8; 32]>());
    crate::owner_only::write(&path, value.as_bytes())?;
    Ok(Secret::new(value))
}
