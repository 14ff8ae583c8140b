//! Scale-out on one machine (issue 12, item 5): three `scaidns serve` replicas and two
//! `scaidns worker` processes of the binary under test (the replicas run plain `serve`, so they
//! run the jobs too: a harder case for the job leases than the deployment guide's
//! `serve --no-jobs` beside dedicated workers), against one MariaDB, one Redis and one
//! PowerDNS on loopback. Mixed writes go through all three replicas at once; mid-run one
//! replica is killed, a second worker joins, and one worker is killed while it runs the retry
//! queue's job (`sync_pending_zones`) against a frozen PowerDNS. Afterwards: every
//! acknowledged write is in the store and in PowerDNS, store and PowerDNS agree on every zone,
//! no job lease was ever held by two processes at once, and the interrupted job, taken over
//! once its lease lapsed, left the same state a single run would. Before the load, with all
//! three replicas up: a key revoked through one replica is refused by all three well inside
//! the cache's staleness bound, and a rate limit hit through one replica counts on the others.
//!
//! Nothing waits on a timer for an outcome: every wait polls for the state it needs, with a
//! bound. The processes run on the system clock, so two of the job table's deadlines are moved
//! by the test instead of waiting for them (a due time, and the killed worker's ten-minute
//! lease), as the passing of that time would.

mod cluster;
mod leases;
mod load;
mod shared_state;

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::MySqlPool;

use cluster::Cluster;
use leases::LeaseChange;
use load::{Ledger, Load, ZoneRef};
use shared_state::Api;

const WRITERS: usize = 6;
const OPS_EACH: usize = 30;
const SHARED_ZONES: usize = 3;
/// The retry queue's job, interrupted by the worker kill.
use scaidns_core::service::worker::SYNC_JOB;
/// Longest wait for one step: three passes of the 30 s worker loop.
const STEP_BOUND: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_and_workers_survive_kills_without_losing_a_write() {
    let t0 = Instant::now();
    // The second worker joins mid-run (see `kill_worker_in_sync_job`).
    let mut cluster = Cluster::start(3, 1).await;
    step(t0, "3 replicas and a worker up");
    let db = MySqlPool::connect(&cluster.db.url)
        .await
        .expect("connect to the test database");
    leases::record_history(&db).await;
    let api = Api::new();
    let urls = cluster.live_urls();

    let propagation = shared_state::revoked_key_is_refused_everywhere(
        &api,
        &urls,
        &cluster.admin_key,
        &cluster.admin_user_id,
    )
    .await;
    shared_state::rate_limits_are_shared(&api, &urls, &cluster.admin_key, &cluster.admin_user_id)
        .await;

    step(t0, "revocation and rate limits shared");
    let mut zones = Vec::new();
    for n in 0..SHARED_ZONES {
        let (status, body, _) = api
            .call(
                &cluster.admin_key,
                Method::POST,
                &format!("{}/api/v1/domains", urls[n % urls.len()]),
                Some(json!({"name": format!("shared-{n}.scale-out.test")})),
            )
            .await;
        assert!(status.is_success(), "zone create: {status} {body}");
        zones.push(zone_ref(&body));
    }

    let load = Load::new(urls.clone(), &cluster.admin_key, zones);
    let total = WRITERS * OPS_EACH;
    let writers = tokio::spawn({
        let load = load.clone();
        async move { load.run(WRITERS, OPS_EACH).await }
    });
    acked_at_least(&load, total / 4, &writers).await;
    cluster.replicas[2].kill().await;
    step(t0, "replica serve-3 killed");
    acked_at_least(&load, total / 2, &writers).await;
    let interrupted = kill_worker_in_sync_job(&mut cluster, &db).await;
    step(t0, &format!("worker {interrupted} killed in {SYNC_JOB}"));
    let ledger = writers.await.expect("writers");
    step(t0, "writers done");

    // Ten minutes on: the killed worker's lease has lapsed.
    sqlx::query("UPDATE jobs SET lease_expires_at = ? WHERE name = ? AND lease_owner = ?")
        .bind(Utc::now().naive_utc())
        .bind(SYNC_JOB)
        .bind(&interrupted)
        .execute(&db)
        .await
        .expect("lapse the lease");
    let (db_ref, interrupted_ref) = (&db, interrupted.as_str());
    let history = poll(
        "the interrupted job taken over, run and every zone in sync",
        move || taken_over_and_synced(db_ref, interrupted_ref),
    )
    .await;
    step(t0, "job taken over, every zone in sync");

    assert!(
        ledger.refused.is_empty(),
        "writes refused: {:#?}\n{}",
        ledger.refused,
        cluster.logs()
    );
    assert_eq!(
        leases::overlaps(&history),
        Vec::<String>::new(),
        "a job held by two processes at once"
    );
    let survivor = &cluster.live_urls()[0];
    let mismatches = compare_store_and_powerdns(&cluster, &api, survivor, &db, &ledger).await;
    assert!(
        mismatches.is_empty(),
        "{}\n{}",
        mismatches.join("\n"),
        cluster.logs()
    );
    eprintln!(
        "scale-out: {} writes acknowledged, {} names left uncertain by the replica kill, \
         revocation reached every replica within {propagation:?}, job leases changed {} times",
        load.acked.load(std::sync::atomic::Ordering::SeqCst),
        ledger.uncertain.len(),
        history.len()
    );
}

/// Progress on the test's output, so a slow or stuck run shows where it stands.
fn step(t0: Instant, what: &str) {
    eprintln!("[{:6.1}s] {what}", t0.elapsed().as_secs_f64());
}

fn zone_ref(body: &Value) -> ZoneRef {
    (
        body["id"].as_str().expect("zone id").to_owned(),
        body["name"].as_str().expect("zone name").to_owned(),
    )
}

/// Polls `check` until it yields, for at most [`STEP_BOUND`].
async fn poll<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + STEP_BOUND;
    loop {
        if let Some(done) = check().await {
            return done;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not reached within {STEP_BOUND:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn acked_at_least(load: &Load, n: usize, writers: &tokio::task::JoinHandle<Ledger>) {
    poll(&format!("{n} acknowledged writes"), move || async move {
        if load.acked.load(std::sync::atomic::Ordering::SeqCst) >= n {
            return Some(());
        }
        assert!(
            !writers.is_finished(),
            "the writers stopped before {n} acks"
        );
        None
    })
    .await;
}

/// The job's lease holder and when it claimed it.
async fn sync_job_lease(db: &MySqlPool) -> Option<(String, NaiveDateTime)> {
    let row: Option<(Option<String>, Option<NaiveDateTime>)> =
        sqlx::query_as("SELECT lease_owner, last_started_at FROM jobs WHERE name = ?")
            .bind(SYNC_JOB)
            .fetch_optional(db)
            .await
            .expect("read the job");
    match row {
        Some((Some(owner), Some(started))) => Some((owner, started)),
        _ => None,
    }
}

async fn unsynced_zones(db: &MySqlPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM zones WHERE sync_status <> 'in_sync'")
        .fetch_one(db)
        .await
        .expect("count unsynced zones")
}

/// Freezes PowerDNS so that publications hang, lets the writers' commits leave zones pending,
/// then freezes the replicas so only a worker can claim the retry queue's job, makes the job
/// due, starts the second worker (its first pass is immediate, and its PowerDNS check at start
/// runs beside it rather than first, so the replicas stay frozen for a moment only: far less
/// than the 10 s a request waits for a pooled connection), and kills
/// the worker that claims the job while it waits on PowerDNS. Returns the killed worker's lease
/// owner name.
async fn kill_worker_in_sync_job(cluster: &mut Cluster, db: &MySqlPool) -> String {
    const ATTEMPTS: usize = 3;
    for attempt in 0..ATTEMPTS {
        cluster.pdns.pause();
        poll("a zone left pending by a write", move || async move {
            (unsynced_zones(db).await > 0).then_some(())
        })
        .await;
        let pending_since = Utc::now().naive_utc();
        let live: Vec<usize> = (0..cluster.replicas.len())
            .filter(|i| !cluster.replicas[*i].killed)
            .collect();
        for i in &live {
            cluster.replicas[*i].freeze(true);
        }
        make_due(db, pending_since).await;
        if attempt == 0 {
            cluster.add_worker();
        }
        let replicas = &cluster.replicas;
        let holder = poll("a worker to claim the due job", move || async move {
            match sync_job_lease(db).await {
                // Taken by a replica's own pass before it froze: it cannot end while frozen.
                Some((owner, _)) if replicas.iter().any(|r| r.owns(&owner)) => Some(owner),
                Some((owner, started)) if started >= pending_since => Some(owner),
                Some(_) => None,
                None => {
                    // Released by a run that started before the zones were pending.
                    make_due(db, pending_since).await;
                    None
                }
            }
        })
        .await;
        if cluster.replicas.iter().any(|r| r.owns(&holder)) {
            // A replica's pass took the job first; let it finish and try again.
            for i in &live {
                cluster.replicas[*i].freeze(false);
            }
            cluster.pdns.resume();
            let holder = &holder;
            poll("the replica's run of the job to end", move || async move {
                (sync_job_lease(db).await.map(|l| l.0).as_ref() != Some(holder)).then_some(())
            })
            .await;
            continue;
        }
        let worker = cluster
            .owner_of(&holder)
            .unwrap_or_else(|| panic!("lease owner {holder} is none of the processes"));
        assert!(worker.label.starts_with("worker"), "{holder} is no worker");
        worker.kill().await;
        cluster.pdns.resume();
        for i in &live {
            cluster.replicas[*i].freeze(false);
        }
        return holder;
    }
    panic!("the replicas' own passes took the job {ATTEMPTS} times");
}

/// Makes the retry queue's job due at `at` unless it is held: its interval has passed.
async fn make_due(db: &MySqlPool, at: NaiveDateTime) {
    sqlx::query(
        "UPDATE jobs SET next_run_at = ? \
         WHERE name = ? AND lease_owner IS NULL AND next_run_at > ?",
    )
    .bind(at)
    .bind(SYNC_JOB)
    .bind(at)
    .execute(db)
    .await
    .expect("make the job due");
}

/// The history once another process claimed the job after `interrupted`'s lapsed lease and
/// finished it, and no zone is waiting for publication.
async fn taken_over_and_synced(db: &MySqlPool, interrupted: &str) -> Option<Vec<LeaseChange>> {
    let history = leases::history(db).await;
    let job: Vec<&LeaseChange> = history.iter().filter(|c| c.job == SYNC_JOB).collect();
    let killed_claim = job
        .iter()
        .rposition(|c| c.is_claim() && c.new_owner.as_deref() == Some(interrupted))?;
    let takeover = job[killed_claim + 1..].iter().position(|c| c.is_claim())? + killed_claim + 1;
    assert!(
        job[killed_claim + 1..takeover]
            .iter()
            .all(|c| !c.is_finish()),
        "the killed worker's run finished: {job:#?}"
    );
    assert_eq!(
        job[takeover].old_owner.as_deref(),
        Some(interrupted),
        "the job was taken over from the killed worker"
    );
    let new_owner = job[takeover].new_owner.clone();
    let finished = job[takeover + 1..]
        .iter()
        .any(|c| c.is_finish() && c.old_owner == new_owner);
    (finished && unsynced_zones(db).await == 0).then_some(history)
}

/// (zone name) → (record name → sorted A contents).
type ARecords = BTreeMap<String, Vec<String>>;

async fn stored_a(api: &Api, replica: &str, key: &str, zone_id: &str) -> ARecords {
    let (status, body, _) = api
        .call(
            key,
            Method::GET,
            &format!("{replica}/api/v1/domains/{zone_id}/records?type=A&page_size=1000"),
            None,
        )
        .await;
    assert!(status.is_success(), "records of {zone_id}: {status} {body}");
    assert!(body["total"].as_u64() <= Some(1000), "more than one page");
    let mut out = ARecords::new();
    for r in body["data"].as_array().expect("records") {
        out.entry(r["name"].as_str().expect("name").to_owned())
            .or_default()
            .push(r["content"].as_str().expect("content").to_owned());
    }
    out.values_mut().for_each(|v| v.sort());
    out
}

async fn served_a(api: &Api, cluster: &Cluster, zone: &str) -> ARecords {
    let (status, body, _) = api
        .call(
            &cluster.pdns.api_key,
            Method::GET,
            &format!(
                "{}/api/v1/servers/localhost/zones/{zone}.",
                cluster.pdns.api_url
            ),
            None,
        )
        .await;
    let mut out = ARecords::new();
    if !status.is_success() {
        return out;
    }
    for rrset in body["rrsets"].as_array().expect("rrsets") {
        if rrset["type"] != "A" {
            continue;
        }
        let name = rrset["name"]
            .as_str()
            .expect("name")
            .trim_end_matches('.')
            .to_owned();
        let mut contents: Vec<String> = rrset["records"]
            .as_array()
            .expect("records")
            .iter()
            .map(|r| r["content"].as_str().expect("content").to_owned())
            .collect();
        contents.sort();
        out.insert(name, contents);
    }
    out
}

/// Every zone the store holds as active: the store's A records equal PowerDNS's, and every
/// acknowledged write left what it said.
async fn compare_store_and_powerdns(
    cluster: &Cluster,
    api: &Api,
    survivor: &str,
    db: &MySqlPool,
    ledger: &Ledger,
) -> Vec<String> {
    let zones: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM zones WHERE status = 'active' ORDER BY name")
            .fetch_all(db)
            .await
            .expect("list zones");
    let mut mismatches = Vec::new();
    let mut stored_all: BTreeMap<String, ARecords> = BTreeMap::new();
    for (id, name) in &zones {
        let stored = stored_a(api, survivor, &cluster.admin_key, id).await;
        let served = served_a(api, cluster, name).await;
        if stored != served {
            mismatches.push(format!(
                "{name}: store and PowerDNS differ\n  store:    {stored:?}\n  PowerDNS: {served:?}"
            ));
        }
        stored_all.insert(name.clone(), stored);
    }
    for zone in &ledger.zones {
        if !stored_all.contains_key(&zone.1) {
            mismatches.push(format!("zone {} acknowledged but not active", zone.1));
        }
    }
    for ((zone, name), expected) in &ledger.expected {
        if ledger.uncertain.contains(&(zone.clone(), name.clone())) {
            continue;
        }
        let stored = stored_all.get(zone).and_then(|z| z.get(name));
        let ok = match expected {
            Some(content) => stored == Some(&vec![content.clone()]),
            None => stored.is_none(),
        };
        if !ok {
            mismatches.push(format!(
                "{name}: acknowledged as {expected:?}, stored as {stored:?}"
            ));
        }
    }
    mismatches
}
