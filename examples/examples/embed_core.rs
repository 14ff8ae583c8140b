//! Embeds the ScaiDNS core: SQLite in memory, the built-in DNS server on 127.0.0.1:1054, one
//! zone. Try `dig @127.0.0.1 -p 1054 www.example.test A` while it runs; ctrl-c stops it.

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:1054".into())
        .parse()?;
    let running =
        scaidns_examples::embedded::serve_zone(addr, "example.test", "192.0.2.10").await?;
    let port = running.dns.local_addr().port();
    println!("serving example.test; try: dig @127.0.0.1 -p {port} www.example.test A +short");
    tokio::signal::ctrl_c().await?;
    running.dns.shutdown().await?;
    Ok(())
}
