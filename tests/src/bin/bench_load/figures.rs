//! The figures of issue 12, each measured the same way on ScaiDNS and, where there is one, on
//! PowerDNS's own API: reads, single writes, concurrent writers, the zone list and memory.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::http::{Api, Fail};
use crate::measure::{RssSampler, quantile_ms, throughput};
use crate::results::Row;

/// Sizes of one run.
pub struct Sizes {
    pub duration: Duration,
    pub connections: usize,
    pub write_samples: usize,
    pub writers: usize,
    pub writes_each: usize,
    pub list_samples: usize,
    pub use_wrk: bool,
}

/// Authenticated record list vs PowerDNS's zone GET (same zone, same connections, same time).
pub async fn reads(
    api: &Api,
    pdns: &Api,
    zone_id: &str,
    zone: &str,
    sizes: &Sizes,
    pid: u32,
) -> Result<(Row, f64), Fail> {
    // The whole zone, as PowerDNS answers it (the list is paged, 100 by default).
    let path = format!("/api/v1/domains/{zone_id}/records?page_size=1000");
    let pdns_path = format!("/api/v1/servers/localhost/zones/{zone}.");
    // One checked request each first: the loop below only counts statuses.
    api.expect(Method::GET, &path, None, 200).await?;
    pdns.expect(Method::GET, &pdns_path, None, 200).await?;
    let sampler = RssSampler::start(pid);
    let ours = throughput(api, &path, sizes.connections, sizes.duration, sizes.use_wrk).await?;
    let rss = sampler.max();
    drop(sampler);
    let theirs = throughput(
        pdns,
        &pdns_path,
        sizes.connections,
        sizes.duration,
        sizes.use_wrk,
    )
    .await?;
    let row = Row::versus(
        "reads",
        "authenticated `GET /api/v1/domains/{id}/records` vs PowerDNS `GET /api/v1/servers/localhost/zones/{zone}`",
        ours.per_second,
        theirs.per_second,
        "req/s",
    )
    .target("**≥ 10×**")
    .note(format!("{}, {} connections, {} s", ours.loader, sizes.connections, sizes.duration.as_secs()));
    Ok((row, rss))
}

/// Single record create p50 (until the 201) vs a direct PowerDNS PATCH of one RRset p50, one
/// request at a time, new names each time, after a few unmeasured warm-up requests.
pub async fn single_writes(
    api: &Api,
    pdns: &Api,
    zone_id: &str,
    pdns_zone: &str,
    sizes: &Sizes,
) -> Result<Vec<Row>, Fail> {
    const WARM_UP: usize = 3;
    let mut ours = Vec::new();
    for i in 0..WARM_UP + sizes.write_samples {
        let body = json!({"name": format!("single{i}"), "type": "A", "content": "198.51.100.1"});
        let answer = api
            .expect(
                Method::POST,
                &format!("/api/v1/domains/{zone_id}/records"),
                Some(&body),
                201,
            )
            .await?;
        if i >= WARM_UP {
            ours.push(answer.elapsed);
        }
    }
    let mut theirs = Vec::new();
    for i in 0..WARM_UP + sizes.write_samples {
        let body = json!({"rrsets": [{
            "name": format!("single{i}.{pdns_zone}."), "type": "A", "ttl": 3600,
            "changetype": "REPLACE", "records": [{"content": "198.51.100.1", "disabled": false}],
        }]});
        let answer = pdns
            .expect(
                Method::PATCH,
                &format!("/api/v1/servers/localhost/zones/{pdns_zone}."),
                Some(&body),
                204,
            )
            .await?;
        if i >= WARM_UP {
            theirs.push(answer.elapsed);
        }
    }
    // The breakdown: a create refused for its content (422) makes the same HTTP request,
    // authentication, zone authorisation and input parsing as a real one, but no store write
    // and no PowerDNS call; PowerDNS's PATCH is measured above; the store is the rest.
    let mut refused = Vec::new();
    for i in 0..WARM_UP + sizes.write_samples {
        let body = json!({"name": format!("refused{i}"), "type": "A", "content": "not-an-address"});
        let answer = api
            .expect(
                Method::POST,
                &format!("/api/v1/domains/{zone_id}/records"),
                Some(&body),
                422,
            )
            .await?;
        if i >= WARM_UP {
            refused.push(answer.elapsed);
        }
    }
    let (ours, theirs, front) = (
        quantile_ms(&ours, 0.5),
        quantile_ms(&theirs, 0.5),
        quantile_ms(&refused, 0.5),
    );
    let write = Row::versus(
        "write_p50",
        "single record create p50 (until the 201) vs a direct PowerDNS PATCH of one RRset p50",
        ours,
        theirs,
        "ms",
    )
    .target("**≤ 1.5×**")
    .note(format!("{} samples each", sizes.write_samples));
    let breakdown = Row::single(
        "write_breakdown",
        "single record create p50, broken down: HTTP and authentication (a create refused for its content, p50) / PowerDNS's PATCH / store and the rest",
        front,
        "ms",
    )
    .note(format!(
        "{front:.2} / {theirs:.2} / {:.2} ms",
        (ours - front - theirs).max(0.0)
    ));
    Ok(vec![write, breakdown])
}

/// `writers` clients at once, each creating `writes_each` records in the one zone, no
/// `If-Match`: throughput, refused writes and lost updates (acknowledged records missing from
/// the store's listing or from PowerDNS afterwards). Reported, never a failure of the tool.
pub async fn concurrent_writers(
    api: &Api,
    pdns: &Api,
    zone_id: &str,
    zone: &str,
    sizes: &Sizes,
    pid: u32,
) -> Result<(Vec<Row>, f64), Fail> {
    let path = format!("/api/v1/domains/{zone_id}/records");
    let gate = std::sync::Arc::new(tokio::sync::Barrier::new(sizes.writers));
    let sampler = RssSampler::start(pid);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..sizes.writers {
        let (api, path, gate, each) = (api.clone(), path.clone(), gate.clone(), sizes.writes_each);
        tasks.push(tokio::spawn(async move {
            gate.wait().await;
            let mut outcomes = Vec::new();
            for j in 0..each {
                let name = format!("w{w}-{j}");
                let body = json!({"name": name, "type": "A", "content": "203.0.113.7"});
                let answer = api.call(Method::POST, &path, Some(&body)).await?;
                outcomes.push((name, answer.status.as_u16(), answer.body));
            }
            Ok::<_, Fail>(outcomes)
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.extend(task.await.map_err(|e| format!("writer: {e}"))??);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let rss = sampler.max();
    drop(sampler);

    let total = outcomes.len();
    let acknowledged: Vec<&String> = outcomes
        .iter()
        .filter(|(_, status, _)| (200..300).contains(status))
        .map(|(name, _, _)| name)
        .collect();
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    for (_, status, body) in outcomes.iter().filter(|(_, s, _)| !(200..300).contains(s)) {
        let code = body["code"]
            .as_str()
            .or_else(|| body["error"].as_str())
            .unwrap_or("");
        *refused
            .entry(format!("{status} {code}").trim().to_owned())
            .or_default() += 1;
    }
    let refused_total: usize = refused.values().sum();

    // Every record, a page at a time (the list is paged, 1000 at most per page).
    let mut in_store: HashSet<String> = HashSet::new();
    for page in 1u32.. {
        let listed = api
            .expect(
                Method::GET,
                &format!("{path}?page={page}&page_size=1000"),
                None,
                200,
            )
            .await?;
        let rows = listed.body["data"].as_array().cloned().unwrap_or_default();
        in_store.extend(
            rows.iter()
                .filter_map(|r| r["name"].as_str())
                .map(short_name(zone)),
        );
        let total = listed.body["total"].as_u64().unwrap_or(0);
        if rows.is_empty() || u64::from(page) * 1000 >= total {
            break;
        }
    }
    let published = pdns
        .expect(
            Method::GET,
            &format!("/api/v1/servers/localhost/zones/{zone}."),
            None,
            200,
        )
        .await?;
    let in_pdns: HashSet<String> = published.body["rrsets"]
        .as_array()
        .map(|sets| {
            sets.iter()
                .filter_map(|r| r["name"].as_str())
                .map(short_name(zone))
                .collect()
        })
        .unwrap_or_default();
    let lost_store = acknowledged
        .iter()
        .filter(|n| !in_store.contains(n.as_str()))
        .count();
    let lost_pdns = acknowledged
        .iter()
        .filter(|n| !in_pdns.contains(n.as_str()))
        .count();

    let breakdown = refused
        .iter()
        .map(|(k, v)| format!("{v}× {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    let scenario = format!(
        "{} writers × {} records, one zone",
        sizes.writers, sizes.writes_each
    );
    Ok((
        vec![
            Row::single(
                "writers_throughput",
                "50 concurrent writers on one zone: acknowledged writes/s",
                acknowledged.len() as f64 / elapsed,
                "writes/s",
            )
            .note(format!("{scenario}; {total} requests in {elapsed:.1} s")),
            Row::single(
                "writers_refused",
                "50 concurrent writers: refused writes (non-2xx)",
                refused_total as f64,
                "",
            )
            .target("**0**")
            .note(if breakdown.is_empty() {
                format!("of {total}")
            } else {
                format!("of {total}: {breakdown}")
            }),
            Row::single(
                "writers_lost",
                "50 concurrent writers: lost updates (acknowledged, missing afterwards)",
                (lost_store.max(lost_pdns)) as f64,
                "",
            )
            .target("**0**")
            .note(format!("store {lost_store}, PowerDNS {lost_pdns}")),
        ],
        rss,
    ))
}

/// `www.zone.example.` → `www` (the relative name the writers used).
fn short_name(zone: &str) -> impl Fn(&str) -> String + '_ {
    move |name: &str| {
        let name = name.trim_end_matches('.');
        name.strip_suffix(zone)
            .map(|n| n.trim_end_matches('.').to_owned())
            .unwrap_or_else(|| name.to_owned())
    }
}

/// p50/p99 of the zone list of a tenant holding `zones` zones, on random pages of 100.
pub async fn zone_list(
    api: &Api,
    zones: usize,
    created_in: Duration,
    sizes: &Sizes,
) -> Result<Vec<Row>, Fail> {
    let first = api
        .expect(
            Method::GET,
            "/api/v1/domains?page=1&page_size=100",
            None,
            200,
        )
        .await?;
    let total = first.body["total"].as_u64().unwrap_or(0);
    if total != zones as u64 {
        return Err(format!("zone list reports {total} zones, expected {zones}"));
    }
    let pages = zones.div_ceil(100).max(1) as u32;
    let mut samples = Vec::new();
    for _ in 0..sizes.list_samples {
        let page = rand::random_range(1..=pages);
        let answer = api
            .expect(
                Method::GET,
                &format!("/api/v1/domains?page={page}&page_size=100"),
                None,
                200,
            )
            .await?;
        let got = answer.body["data"].as_array().map_or(0, Vec::len);
        if got == 0 {
            return Err(format!("page {page} of {pages} is empty"));
        }
        samples.push(answer.elapsed);
    }
    let p50 = quantile_ms(&samples, 0.5);
    let p99 = quantile_ms(&samples, 0.99);
    Ok(vec![
        Row::single(
            "zone_list",
            "authorised zone list, tenant with N zones: p50 / p99 of one page of 100",
            p50,
            "ms",
        )
        .note(format!(
            "p99 {p99:.1} ms; N = {zones}, {} random pages",
            sizes.list_samples
        )),
        Row::single(
            "zone_create_setup",
            "(setup) creating the N zones through the API, 8 at a time",
            zones as f64 / created_in.as_secs_f64(),
            "zones/s",
        ),
    ])
}
