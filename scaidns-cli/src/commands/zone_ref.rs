//! A zone argument is a name or an id (interface decision 26). Ids are used as given; a name is
//! looked up through the zone list, so the server's tenant scoping decides what is visible.

use scaidns_client::Client;
use scaidns_client::types::{DomainResponse, ZoneStatusDto};

use crate::output::{Failure, INVALID, NOT_FOUND};

/// Which zones a name may resolve to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// Only zones that are not deleted.
    Exclude,
    /// Prefer a live zone, else a deleted one (hard delete).
    Allow,
    /// Only soft-deleted zones (restore).
    Only,
}

/// What the command does with the zone. Preferring the live zone among several of the same
/// name is only safe for reading: a platform admin deleting or changing "example.com" by name
/// must not silently hit another tenant's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Shows the zone; an ambiguous name picks the live zone and says so.
    Read,
    /// Changes or deletes the zone; an ambiguous name is refused, listing the ids.
    Write,
}

/// Whether `arg` is already an id (a UUID: 36 characters, hex and hyphens).
pub fn looks_like_id(arg: &str) -> bool {
    arg.len() == 36
        && arg.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The canonical spelling the API uses for zone names in responses.
fn normalise(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The id of the zone `arg` names.
pub async fn zone_id(
    client: &Client,
    arg: &str,
    deleted: Deleted,
    purpose: Purpose,
) -> Result<String, Failure> {
    if looks_like_id(arg) {
        return Ok(arg.to_owned());
    }
    Ok(find(client, arg, deleted, purpose).await?.id)
}

/// The zone `arg` names (fetched by id when it is one).
pub async fn zone(
    client: &Client,
    arg: &str,
    deleted: Deleted,
    purpose: Purpose,
) -> Result<DomainResponse, Failure> {
    if looks_like_id(arg) {
        return Ok(client
            .zone_get(arg, Some(deleted != Deleted::Exclude))
            .await?
            .into_inner());
    }
    find(client, arg, deleted, purpose).await
}

/// Served by the DNS backend.
fn is_live(z: &DomainResponse) -> bool {
    z.status == ZoneStatusDto::Active
}

async fn find(
    client: &Client,
    arg: &str,
    deleted: Deleted,
    purpose: Purpose,
) -> Result<DomainResponse, Failure> {
    let wanted = normalise(arg);
    let include_deleted = deleted != Deleted::Exclude;
    let zones = scaidns_client::collect_pages(100, |page, size| {
        let search = wanted.clone();
        async move {
            let r = client
                .zone_list(
                    None,
                    None,
                    Some(include_deleted),
                    Some(page),
                    Some(size),
                    Some(&search),
                    None,
                )
                .await?
                .into_inner();
            Ok::<_, Failure>((r.data, r.total))
        }
    })
    .await?;
    let is_deleted = |z: &DomainResponse| z.status == ZoneStatusDto::Deleted;
    let mut matches: Vec<DomainResponse> = zones
        .into_iter()
        .filter(|z| z.name == wanted)
        .filter(|z| match deleted {
            Deleted::Exclude => !is_deleted(z),
            Deleted::Allow => true,
            Deleted::Only => is_deleted(z),
        })
        .collect();
    if deleted == Deleted::Allow && matches.iter().any(|z| !is_deleted(z)) {
        matches.retain(|z| !is_deleted(z));
    }
    pick(&wanted, matches, deleted, purpose)
}

/// The one zone among `matches` (all named `wanted`) the command may use.
fn pick(
    wanted: &str,
    mut matches: Vec<DomainResponse>,
    deleted: Deleted,
    purpose: Purpose,
) -> Result<DomainResponse, Failure> {
    match matches.len() {
        0 => Err(Failure::new(
            NOT_FOUND,
            match deleted {
                Deleted::Only => format!("no deleted zone named {wanted}"),
                _ => format!("no zone named {wanted}"),
            },
        )),
        1 => Ok(matches.remove(0)),
        // Only one of them can be live (a name is served once); pending claims of other
        // tenants are what a platform admin usually sees beside it.
        _ if purpose == Purpose::Read && matches.iter().filter(|z| is_live(z)).count() == 1 => {
            let chosen = matches.into_iter().find(is_live).expect("counted above");
            eprintln!(
                "several zones are named {wanted}; using the live one, {} (tenant {}); pass an id \
                 to pick another",
                chosen.id, chosen.tenant_id
            );
            Ok(chosen)
        }
        _ => {
            let ids: Vec<String> = matches
                .iter()
                .map(|z| format!("{} (tenant {}, {})", z.id, z.tenant_id, z.status))
                .collect();
            Err(Failure::new(
                INVALID,
                format!(
                    "several zones are named {wanted}; pass the id instead:\n  {}",
                    ids.join("\n  ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names() {
        assert!(looks_like_id("0192f3a4-5b6c-7d8e-9f00-112233445566"));
        assert!(!looks_like_id("example.com"));
        assert!(!looks_like_id("0192f3a4-5b6c-7d8e-9f00-11223344556g"));
        assert_eq!(normalise(" Example.COM. "), "example.com");
    }
}
