//! The measuring primitives: closed-loop throughput (wrk when installed, a built-in loop of the
//! same shape otherwise), sequential latency samples, percentiles, and the server's memory read
//! from `/proc`.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::http::{Api, Fail};

/// What a throughput run measured.
pub struct Throughput {
    pub per_second: f64,
    /// Which loader measured it (`wrk` or `builtin`).
    pub loader: &'static str,
}

/// GETs `path` on `api` with `connections` connections for `duration`, keeping each connection
/// busy (closed loop). Any answer other than 2xx is a failure of the tool: a rate limit or a
/// broken route would otherwise show up as a fast figure.
pub async fn throughput(
    api: &Api,
    path: &str,
    connections: usize,
    duration: Duration,
    use_wrk: bool,
) -> Result<Throughput, Fail> {
    if use_wrk {
        return wrk(api, path, connections, duration).await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (api, path, stop, done) = (api.clone(), path.to_owned(), stop.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let answer = api.call(reqwest::Method::GET, &path, None).await?;
                if !answer.status.is_success() {
                    return Err(format!(
                        "GET {path}: {} under load: {}",
                        answer.status, answer.body
                    ));
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), Fail>(())
        }));
    }
    let start = Instant::now();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.map_err(|e| format!("load task: {e}"))??;
    }
    let count = done.load(Ordering::Relaxed) as f64;
    Ok(Throughput {
        per_second: count / start.elapsed().as_secs_f64(),
        loader: "builtin",
    })
}

async fn wrk(
    api: &Api,
    path: &str,
    connections: usize,
    duration: Duration,
) -> Result<Throughput, Fail> {
    let url = api.url(path);
    let args = vec![
        "-t1".to_owned(),
        format!("-c{connections}"),
        format!("-d{}s", duration.as_secs().max(1)),
        // A slow answer is a figure, not an error (wrk's default would count it after 2 s).
        "--timeout".to_owned(),
        "30s".to_owned(),
        "-H".to_owned(),
        api.header_line(),
        "-H".to_owned(),
        "Accept: application/json".to_owned(),
        url.clone(),
    ];
    let output = tokio::task::spawn_blocking(move || Command::new("wrk").args(&args).output())
        .await
        .map_err(|e| format!("wrk: {e}"))?
        .map_err(|e| format!("running wrk: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "wrk {url} exited with {}: {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    if let Some(line) = stdout
        .lines()
        .find(|l| l.contains("Non-2xx or 3xx responses"))
    {
        return Err(format!("GET {path} under wrk: {}", line.trim()));
    }
    if let Some(line) = stdout.lines().find(|l| l.contains("Socket errors")) {
        return Err(format!("GET {path} under wrk: {}", line.trim()));
    }
    let per_second = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk's output: {stdout}"))?;
    Ok(Throughput {
        per_second,
        loader: "wrk",
    })
}

/// Whether `wrk` can be run.
pub fn wrk_available() -> bool {
    Command::new("wrk").arg("--version").output().is_ok()
}

/// The `q`-quantile (0..=1) of `samples`, in milliseconds (nearest rank).
pub fn quantile_ms(samples: &[Duration], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted: Vec<Duration> = samples.to_vec();
    sorted.sort();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

/// `VmRSS` and `VmHWM` of process `pid`, in MiB.
pub fn memory(pid: u32) -> Result<(f64, f64), Fail> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading /proc/{pid}/status: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .ok_or_else(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// Samples `VmRSS` of `pid` every 50 ms until dropped; [`RssSampler::max`] is the highest seen.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    max_kb: Arc<AtomicU64>,
}

impl RssSampler {
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let max_kb = Arc::new(AtomicU64::new(0));
        let (s, m) = (stop.clone(), max_kb.clone());
        tokio::spawn(async move {
            while !s.load(Ordering::Relaxed) {
                if let Ok((rss, _)) = memory(pid) {
                    m.fetch_max((rss * 1024.0) as u64, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        Self { stop, max_kb }
    }

    /// The highest `VmRSS` seen so far, in MiB.
    pub fn max(&self) -> f64 {
        self.max_kb.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
