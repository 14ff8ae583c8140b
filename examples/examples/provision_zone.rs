//! Provisions a zone through the typed client against a running server:
//! `SCAIDNS_URL=http://127.0.0.1:8000 SCAIDNS_API_KEY=sdk_live_… \
//!  cargo run -p scaidns-examples --example provision_zone -- shop.test`

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let zone = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "shop.test".into());
    let url = std::env::var("SCAIDNS_URL").unwrap_or_else(|_| "http://127.0.0.1:8000".into());
    let key = std::env::var("SCAIDNS_API_KEY").map_err(|_| "set SCAIDNS_API_KEY")?;
    let client = scaidns_client::Client::with_api_key(&url, &key)?;
    let done = scaidns_examples::provision::provision(&client, &zone).await?;
    println!("zone {zone} ({}) is {}", done.zone_id, done.status);
    for r in done.records {
        println!(
            "  {:<6} {:<5} {:>6}  {}",
            r.display_name, r.type_, r.ttl, r.content
        );
    }
    Ok(())
}
