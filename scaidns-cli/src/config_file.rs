//! The client's config file: named profiles of a server URL and an API key, so people stop
//! exporting keys in their shell. `scaidns login` writes it, client commands read it.
//!
//! ```toml
//! default_profile = "default"
//!
//! [profiles.default]
//! url = "https://dns.example.com"
//! api_key = "sk_…"
//! ```
//!
//! Where: `SCAIDNS_CONFIG`, else `$XDG_CONFIG_HOME/scaidns/config.toml`, else
//! `~/.config/scaidns/config.toml`. The file holds secrets: it is written mode 0600 inside a
//! 0700 directory, replaced whole, and never through a symbolic link. Reading refuses a
//! symbolic link and a file another user owns (either could hand us someone else's URL and
//! key), and warns about a file open to others, before reading it.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, value};

use crate::output::{Failure, INVALID, USAGE, origin};

/// The profile used when neither `--profile`, `SCAIDNS_PROFILE` nor `default_profile` names one.
pub const FALLBACK_PROFILE: &str = "default";

/// One profile as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Server root URL.
    pub url: Option<String>,
    /// API key.
    pub api_key: Option<String>,
}

/// The config file, parsed; edits keep the rest of the file (comments, other profiles) as is.
#[derive(Debug)]
pub struct ConfigFile {
    path: PathBuf,
    doc: DocumentMut,
}

/// Where the config file is, from the environment: `SCAIDNS_CONFIG`, `XDG_CONFIG_HOME`, `HOME`.
pub fn default_path() -> Result<PathBuf, Failure> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(path) = var(crate::cli::CONFIG_PATH_VARIABLE) {
        return Ok(PathBuf::from(path));
    }
    let base = match (var("XDG_CONFIG_HOME"), var("HOME")) {
        (Some(xdg), _) => PathBuf::from(xdg),
        (None, Some(home)) => PathBuf::from(home).join(".config"),
        (None, None) => {
            return Err(Failure::new(
                USAGE,
                "cannot find the config file: set SCAIDNS_CONFIG, XDG_CONFIG_HOME or HOME",
            ));
        }
    };
    Ok(base.join("scaidns").join("config.toml"))
}

impl ConfigFile {
    /// Reads the file at `path`; a missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<Self, Failure> {
        check_before_reading(path)?;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(Failure::new(
                    USAGE,
                    format!("cannot read {}: {e}", path.display()),
                ));
            }
        };
        let doc = text.parse::<DocumentMut>().map_err(|e| {
            Failure::new(
                INVALID,
                format!("{} is not valid TOML: {}", path.display(), e.message()),
            )
        })?;
        Ok(Self {
            path: path.to_owned(),
            doc,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The profile to use: `requested` (from `--profile` or `SCAIDNS_PROFILE`), else the file's
    /// `default_profile`, else `default`.
    pub fn profile_name(&self, requested: Option<&str>) -> String {
        requested
            .map(str::to_owned)
            .or_else(|| {
                self.doc
                    .get("default_profile")
                    .and_then(Item::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| FALLBACK_PROFILE.to_owned())
    }

    /// The profile `name`, if the file has it.
    pub fn profile(&self, name: &str) -> Option<Profile> {
        let table = self.doc.get("profiles")?.get(name)?;
        let field = |key: &str| {
            table
                .get(key)
                .and_then(Item::as_str)
                .filter(|v| !v.trim().is_empty())
                .map(str::to_owned)
        };
        Some(Profile {
            url: field("url"),
            api_key: field("api_key"),
        })
    }

    /// Stores `profile` under `name`; the first profile stored becomes the default.
    pub fn set_profile(&mut self, name: &str, profile: &Profile) {
        let profiles = self
            .doc
            .entry("profiles")
            .or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            })
            .as_table_mut();
        let Some(profiles) = profiles else {
            // `profiles` was something else than a table: replace it.
            self.doc["profiles"] = Item::Table(Table::new());
            return self.set_profile(name, profile);
        };
        let entry = profiles
            .entry(name)
            .or_insert_with(|| Item::Table(Table::new()));
        if !entry.is_table() {
            *entry = Item::Table(Table::new());
        }
        if let Some(url) = &profile.url {
            entry["url"] = value(url.as_str());
        }
        if let Some(key) = &profile.api_key {
            entry["api_key"] = value(key.as_str());
        }
        if self.doc.get("default_profile").is_none() {
            self.doc["default_profile"] = value(name);
        }
    }

    /// Removes the profile `name` (and makes no profile the default if it was); whether it
    /// was there.
    pub fn remove_profile(&mut self, name: &str) -> bool {
        let removed = self
            .doc
            .get_mut("profiles")
            .and_then(Item::as_table_like_mut)
            .and_then(|p| p.remove(name))
            .is_some();
        if self.doc.get("default_profile").and_then(Item::as_str) == Some(name) {
            self.doc.remove("default_profile");
        }
        removed
    }

    /// Writes the file: directory 0700, file 0600, replaced whole.
    pub fn save(&self) -> Result<(), Failure> {
        let fail = |e: std::io::Error| {
            Failure::new(USAGE, format!("cannot write {}: {e}", self.path.display()))
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(fail)?;
        } else if let Some(dir) = self.path.parent() {
            tighten_own_dir(dir).map_err(fail)?;
        }
        scaidns_server::owner_only::write(&self.path, self.doc.to_string().as_bytes()).map_err(fail)
    }
}

/// Before the file is read: not a symbolic link, owned by the user running the command, and
/// (like ssh with a private key) a warning when it is open to others. A missing file is fine.
fn check_before_reading(path: &Path) -> Result<(), Failure> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(Failure::new(
                USAGE,
                format!("cannot read {}: {e}", path.display()),
            ));
        }
    };
    if meta.file_type().is_symlink() {
        return Err(Failure::new(
            USAGE,
            format!(
                "{} is a symbolic link; the config file holds API keys and is not read through \
                 one: point SCAIDNS_CONFIG at the file itself",
                path.display()
            ),
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me {
            return Err(Failure::new(
                USAGE,
                format!(
                    "{} belongs to another user (uid {}); the config file holds API keys and \
                     must be your own",
                    path.display(),
                    meta.uid()
                ),
            ));
        }
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "warning: {} is readable by other users; it holds API keys: chmod 600 it",
                path.display()
            );
        }
    }
    Ok(())
}

/// An existing directory named `scaidns` (the default location's, the CLI's own) open to
/// others is set to 0700 on save; a directory of another name (SCAIDNS_CONFIG pointing
/// elsewhere, e.g. a shared one) is left alone.
fn tighten_own_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if dir.file_name().is_some_and(|n| n == "scaidns") {
            let meta = std::fs::symlink_metadata(dir)?;
            if meta.is_dir() && meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Whether two server URLs name the same server: same origin (scheme, host, port, the
/// default port spelled or not; case of the host and a trailing slash do not matter). URLs
/// that do not parse are compared as written.
pub fn same_url(a: &str, b: &str) -> bool {
    match (reqwest::Url::parse(a.trim()), reqwest::Url::parse(b.trim())) {
        (Ok(a), Ok(b)) => origin(&a) == origin(&b),
        _ => a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/'),
    }
}

/// `url` for messages: its origin, never a `user:password@` part.
pub fn display_origin(url: &str) -> String {
    reqwest::Url::parse(url.trim())
        .map_or_else(|_| "(an unparsable URL)".to_owned(), |u| origin(&u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_round_trip_and_the_first_becomes_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("config.toml");
        let mut file = ConfigFile::load(&path).unwrap();
        assert_eq!(file.profile_name(None), "default");
        assert_eq!(file.profile("work"), None);
        let work = Profile {
            url: Some("https://dns.example".into()),
            api_key: Some("sk_work".into()),
        };
        file.set_profile("work", &work);
        file.set_profile(
            "lab",
            &Profile {
                url: Some("http://lab".into()),
                api_key: None,
            },
        );
        file.save().unwrap();

        let file = ConfigFile::load(&path).unwrap();
        assert_eq!(file.profile_name(None), "work");
        assert_eq!(file.profile_name(Some("lab")), "lab");
        assert_eq!(file.profile("work"), Some(work));
        assert_eq!(file.profile("lab").unwrap().api_key, None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }

    #[test]
    fn removing_the_default_profile_clears_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "# mine\ndefault_profile = \"a\"\n[profiles.a]\nurl = \"http://a\"\napi_key = \"k\"\n",
        )
        .unwrap();
        let mut file = ConfigFile::load(&path).unwrap();
        assert!(file.remove_profile("a"));
        assert!(!file.remove_profile("a"));
        assert_eq!(file.profile_name(None), "default");
        file.save().unwrap();
        assert_eq!(ConfigFile::load(&path).unwrap().profile("a"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_refused_and_a_loose_own_directory_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        std::fs::write(&real, "").unwrap();
        let link = dir.path().join("config.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let err = ConfigFile::load(&link).unwrap_err();
        assert!(err.message.contains("symbolic link"), "{}", err.message);

        let own = dir.path().join("scaidns");
        std::fs::create_dir(&own).unwrap();
        std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = ConfigFile::load(&own.join("config.toml")).unwrap();
        file.save().unwrap();
        let mode = std::fs::metadata(&own).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn broken_toml_is_invalid_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[profiles.a\n").unwrap();
        let err = ConfigFile::load(&path).unwrap_err();
        assert_eq!(err.code, INVALID);
        assert!(err.message.contains("not valid TOML"), "{}", err.message);
    }

    #[test]
    fn urls_compare_by_origin() {
        assert!(same_url("http://a:8000/", "http://a:8000"));
        assert!(same_url("https://DNS.example", "https://dns.example:443/"));
        assert!(same_url("http://u:p@a:8000", "http://a:8000"));
        assert!(!same_url("http://a:8000", "http://b:8000"));
        assert!(!same_url("http://a:8000", "https://a:8000"));
        assert!(!same_url("http://a:8000", "http://a:8001"));
        assert_eq!(
            display_origin("https://u:secret@dns.example/x"),
            "https://dns.example:443"
        );
    }
}
