//! The load side of `scripts/bench.sh` (issue 12): given a running `scaidns serve` (with a
//! bootstrapped platform admin key) and the PowerDNS it publishes to, it builds a tenant and
//! zones through the public API and measures ScaiDNS beside PowerDNS's own API; HTTP only, so
//! it keeps working while the server's insides change.
//!
//! ```text
//! bench_load run --store NAME --url URL --admin-key KEY --pdns-url URL --pdns-key KEY
//!                --server-pid PID --out FILE [--smoke] [--zones N] [--duration SECONDS]
//!                [--loader wrk|builtin] [--write-samples N] [--writes-each N] [--list-samples N]
//!                [--import-records N] [--only import]
//! bench_load report FILE...
//! ```
//!
//! `run` saves its figures as JSON; `report` prints several runs side by side. Slow figures
//! never fail the tool; a request that fails unexpectedly does (exit status 1).

mod figures;
mod http;
mod import;
mod measure;
mod results;
mod setup;

use std::collections::HashMap;
use std::time::Duration;

use figures::Sizes;
use http::{Api, Fail};
use results::Row;

/// Records in the zone the read and write figures use (issue 12: a 100-record zone).
const ZONE_RECORDS: usize = 100;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("report") => results::report(&args[1..]),
        Some("run") => run_blocking(&args[1..]),
        _ => Err(
            "usage: bench_load run --store NAME --url URL --admin-key KEY --pdns-url URL \
                  --pdns-key KEY --server-pid PID --out FILE [--smoke] [--zones N] \
                  [--duration SECONDS] [--import-records N] [--only import] \
                  | bench_load report FILE..."
                .to_owned(),
        ),
    };
    if let Err(why) = outcome {
        eprintln!("bench_load: {why}");
        std::process::exit(1);
    }
}

fn run_blocking(args: &[String]) -> Result<(), Fail> {
    let options = Options::parse(args)?;
    // Two worker threads: the machine the figures are quoted for has two cores.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?
        .block_on(run(options))
}

struct Options {
    store: String,
    url: String,
    admin_key: String,
    pdns_url: String,
    pdns_key: String,
    pid: u32,
    out: String,
    smoke: bool,
    zones: usize,
    /// Records of the import, export and bulk figures (issue 9: 10,000).
    import_records: usize,
    /// Only the import, export and bulk figures (`--only import`).
    only_import: bool,
    sizes: Sizes,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, Fail> {
        let mut flags: HashMap<&str, &str> = HashMap::new();
        let mut smoke = false;
        let mut i = 0;
        while i < args.len() {
            let name = args[i].as_str();
            if name == "--smoke" {
                smoke = true;
                i += 1;
                continue;
            }
            let value = args
                .get(i + 1)
                .ok_or_else(|| format!("{name} needs a value"))?;
            flags.insert(name.trim_start_matches("--"), value.as_str());
            i += 2;
        }
        let need = |name: &str| {
            flags
                .get(name)
                .map(|v| (*v).to_owned())
                .ok_or_else(|| format!("missing --{name}"))
        };
        let number = |name: &str, default: usize| -> Result<usize, Fail> {
            flags.get(name).map_or(Ok(default), |v| {
                v.parse().map_err(|e| format!("--{name} {v}: {e}"))
            })
        };
        let duration = number("duration", if smoke { 2 } else { 10 })?;
        Ok(Self {
            store: need("store")?,
            url: need("url")?,
            admin_key: need("admin-key")?,
            pdns_url: need("pdns-url")?,
            pdns_key: need("pdns-key")?,
            pid: need("server-pid")?
                .parse()
                .map_err(|e| format!("--server-pid: {e}"))?,
            out: need("out")?,
            zones: number("zones", if smoke { 20 } else { 10_000 })?,
            import_records: number("import-records", if smoke { 50 } else { 10_000 })?,
            only_import: match flags.get("only").copied() {
                None | Some("all") => false,
                Some("import") => true,
                Some(other) => return Err(format!("--only {other}: import or all")),
            },
            sizes: Sizes {
                duration: Duration::from_secs(duration as u64),
                connections: 8,
                write_samples: number("write-samples", if smoke { 5 } else { 100 })?,
                writers: 50,
                writes_each: number("writes-each", if smoke { 2 } else { 10 })?,
                list_samples: number("list-samples", if smoke { 10 } else { 200 })?,
                use_wrk: flags.get("loader").copied() != Some("builtin")
                    && measure::wrk_available(),
            },
            smoke,
        })
    }
}

async fn run(o: Options) -> Result<(), Fail> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .no_proxy()
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    let admin = Api::scaidns(&http, &o.url, &o.admin_key);
    let pdns = Api::pdns(&http, &o.pdns_url, &o.pdns_key);
    let step = |what: &str| eprintln!("  [{}] {what}", o.store);

    // Idle: started and bootstrapped, nothing asked of it yet.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (idle_rss, _) = measure::memory(o.pid)?;

    let bench = setup::tenant(&admin, "bench").await?;
    // First, so that the server's peak memory read after the import is the import's.
    step(&format!(
        "import, export and bulk of {} records",
        o.import_records
    ));
    let scale = import::figures(&bench.api, &pdns, o.import_records, o.pid).await?;
    let idle = || {
        Row::single(
            "rss_idle",
            "server RSS idle (after start-up)",
            idle_rss,
            "MB",
        )
        .target("< 40 MB")
    };
    if o.only_import {
        let mut rows = scale;
        rows.push(idle());
        return save(&o, &rows);
    }

    step("setup: 100-record zone in ScaiDNS and the same zone directly in PowerDNS");
    let zone = "records.bench.test";
    let zone_id = setup::zone(&bench.api, zone).await?;
    setup::fill(&bench.api, &zone_id, ZONE_RECORDS).await?;
    let direct = "direct.bench.test";
    setup::pdns_zone(&pdns, &format!("{direct}."), ZONE_RECORDS).await?;

    let mut rows: Vec<Row> = Vec::new();
    step("reads");
    let (reads, read_rss) =
        figures::reads(&bench.api, &pdns, &zone_id, zone, &o.sizes, o.pid).await?;
    rows.push(reads);
    step("single writes");
    rows.extend(figures::single_writes(&bench.api, &pdns, &zone_id, direct, &o.sizes).await?);
    rows.extend(scale);

    step("concurrent writers");
    let writers_zone = "writers.bench.test";
    let writers_id = setup::zone(&bench.api, writers_zone).await?;
    let (writer_rows, write_rss) = figures::concurrent_writers(
        &bench.api,
        &pdns,
        &writers_id,
        writers_zone,
        &o.sizes,
        o.pid,
    )
    .await?;
    rows.extend(writer_rows);

    step(&format!("zone list: creating {} zones", o.zones));
    let lister = setup::tenant(&admin, "zonelist").await?;
    let created_in = setup::many_zones(&lister.api, "list.bench.test", o.zones, 8).await?;
    step("zone list: paging");
    rows.extend(figures::zone_list(&lister.api, o.zones, created_in, &o.sizes).await?);

    // Idle again: what the run left behind (caches, pools) once the requests stopped.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (after_rss, peak) = measure::memory(o.pid)?;
    rows.push(idle());
    rows.push(
        Row::single(
            "rss_load",
            "server RSS under load (highest during reads and writers)",
            read_rss.max(write_rss),
            "MB",
        )
        .note(format!("peak over the whole run {peak:.1} MB")),
    );
    rows.push(Row::single(
        "rss_after",
        "server RSS idle after the run",
        after_rss,
        "MB",
    ));

    save(&o, &rows)
}

/// Writes the run's rows to `--out`.
fn save(o: &Options, rows: &[Row]) -> Result<(), Fail> {
    let mode = if o.smoke { "smoke" } else { "full" };
    let json = results::run_json(&o.store, mode, rows);
    std::fs::write(&o.out, format!("{json:#}\n")).map_err(|e| format!("{}: {e}", o.out))
}
