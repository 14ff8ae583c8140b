//! The real PowerDNS API clients the compatible API is proven with, run as processes: octoDNS
//! (`octodns-sync` with `octodns-powerdns`) and python-powerdns. Both come from the pinned
//! virtual environment of `scripts/pdns-compat/install-clients.sh`, which this module runs
//! once per test process (under a file lock, so parallel test processes do not install twice);
//! `scripts/test.sh` runs it before the suite, so there it only checks the pins.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The virtual environment holding the clients.
fn venv() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let lock = root.join("target/pdns-clients-venv.lock");
        let out = Command::new("flock")
            .arg(&lock)
            .arg(root.join("scripts/pdns-compat/install-clients.sh"))
            .current_dir(&root)
            .output()
            .expect("run scripts/pdns-compat/install-clients.sh (needs flock and python3)");
        assert!(
            out.status.success(),
            "installing the PowerDNS clients failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

/// What a client process printed, and whether it succeeded.
pub struct Ran {
    pub ok: bool,
    pub output: String,
}

/// Runs `cmd` off the test's runtime thread, which serves the ScaiDNS the client talks to.
async fn run(mut cmd: Command) -> Ran {
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("client process task")
        .expect("start a client process");
    Ran {
        ok: out.status.success(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// An octoDNS setup syncing `zone` (with trailing dot) from YAML in a temporary directory to
/// ScaiDNS at `port` as a PowerDNS server.
pub struct OctoDns {
    dir: tempfile::TempDir,
    key: String,
}

impl OctoDns {
    /// `records` is the zone's octoDNS YAML.
    pub fn new(port: u16, key: &str, zone: &str, records: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("zones")).unwrap();
        std::fs::write(
            dir.path().join("config.yaml"),
            format!(
                "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./zones\n    enforce_order: false\n  scaidns:\n    class: octodns_powerdns.PowerDnsProvider\n    host: 127.0.0.1\n    port: {port}\n    api_key: env/SCAIDNS_API_KEY\n    timeout: 30\nzones:\n  {zone}:\n    sources: [config]\n    targets: [scaidns]\n"
            ),
        )
        .unwrap();
        let octo = Self {
            dir,
            key: key.to_owned(),
        };
        octo.set_records(zone, records);
        octo
    }

    /// Replaces the zone's YAML.
    pub fn set_records(&self, zone: &str, records: &str) {
        std::fs::write(self.dir.path().join(format!("zones/{zone}yaml")), records).unwrap();
    }

    /// `octodns-sync --doit`.
    pub async fn sync(&self) -> Ran {
        let venv = tokio::task::spawn_blocking(|| venv().to_owned())
            .await
            .expect("install the clients");
        let mut cmd = Command::new(venv.join("bin/octodns-sync"));
        cmd.arg("--config-file")
            .arg("config.yaml")
            .arg("--doit")
            .current_dir(self.dir.path())
            .env("SCAIDNS_API_KEY", &self.key);
        run(cmd).await
    }
}

/// Runs a python-powerdns script; `argv[1]` is the API endpoint (`…/api/v1`), `argv[2]` the
/// key, further arguments follow.
pub async fn python_powerdns(script: &str, base_url: &str, key: &str, args: &[&str]) -> Ran {
    let venv = tokio::task::spawn_blocking(|| venv().to_owned())
        .await
        .expect("install the clients");
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg("-c")
        .arg(script)
        .arg(format!("{base_url}/api/v1"))
        .arg(key)
        .args(args);
    run(cmd).await
}
