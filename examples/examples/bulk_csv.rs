//! Applies a CSV file of record changes to a zone in one bulk request:
//! `SCAIDNS_URL=http://127.0.0.1:8000 SCAIDNS_API_KEY=… cargo run -p scaidns-examples --example bulk_csv -- <zone-id> changes.csv`
//! (the file's format: `scaidns_examples::bulk_csv`).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(zone_id), Some(path)) = (args.next(), args.next()) else {
        return Err("usage: bulk_csv <zone-id> <file.csv>".into());
    };
    let client = scaidns_client::Client::builder()
        .base_url(std::env::var("SCAIDNS_URL").unwrap_or_else(|_| "http://127.0.0.1:8000".into()))
        .api_key(std::env::var("SCAIDNS_API_KEY")?)
        .build()?;
    let rows = scaidns_examples::bulk_csv::parse_csv(&std::fs::read_to_string(path)?)?;
    let done = scaidns_examples::bulk_csv::apply(&client, &zone_id, &rows).await?;
    println!(
        "created {}, deleted {}; publication: {}",
        done.total_created, done.deleted, done.sync_status
    );
    Ok(())
}
