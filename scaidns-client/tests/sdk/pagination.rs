//! Paginated lists as streams.

use futures::{StreamExt, TryStreamExt};

use crate::server::{ScriptedServer, json};
use crate::{client, zone_page};

#[tokio::test]
async fn stream_yields_every_item_across_pages() {
    let names: Vec<String> = (1..=5).map(|i| format!("z{i}.test")).collect();
    let all = names.clone();
    let server = ScriptedServer::start(move |_, request| {
        let page: u32 = request.query("page").unwrap().parse().unwrap();
        let size: u32 = request.query("page_size").unwrap().parse().unwrap();
        let start = ((page - 1) * size) as usize;
        let slice: Vec<String> = all
            .iter()
            .skip(start)
            .take(size as usize)
            .cloned()
            .collect();
        json(200, zone_page(&slice, page, size, all.len() as u64))
    })
    .await;
    let client = client(&server.url, 1);
    let got: Vec<String> = scaidns_client::paginate(2, |page, size| {
        client.zone_list(None, None, None, Some(page), Some(size), None, None)
    })
    .map_ok(|z| z.name)
    .try_collect()
    .await
    .expect("all pages");
    assert_eq!(got, names);
    let pages: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.query("page").unwrap().to_owned())
        .collect();
    assert_eq!(pages, ["1", "2", "3"]);

    // The named stream walks the same list, 100 per page: one request.
    let got: Vec<String> = client
        .zones_stream()
        .map_ok(|z| z.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, names);
    assert_eq!(server.attempts(), 4);
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_with_its_error() {
    let server = ScriptedServer::start(|n, _| match n {
        0 => json(200, zone_page(&["a.test".into()], 1, 1, 3)),
        _ => crate::server::envelope(403, "forbidden", serde_json::json!("no"), "r2"),
    })
    .await;
    let client = client(&server.url, 1);
    let items: Vec<_> = scaidns_client::paginate(1, |page, size| {
        client.zone_list(None, None, None, Some(page), Some(size), None, None)
    })
    .collect::<Vec<_>>()
    .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().name, "a.test");
    assert_eq!(items[1].as_ref().unwrap_err().code(), "forbidden");
}
