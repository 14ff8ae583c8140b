//! Receives ScaiDNS change webhooks on `POST /hook` and prints each verified event. The secret
//! is the one the subscription's creation answered with:
//!
//! ```sh
//! SCAIDNS_WEBHOOK_SECRET=whsec_… cargo run -p scaidns-examples --example verify_webhook -- 127.0.0.1:8088
//! ```
//!
//! ScaiDNS delivers only to `https` URLs with public addresses (unless
//! `WEBHOOK_ALLOW_INSECURE_TARGETS` is on), so put it behind a TLS-terminating proxy.

use poem::Server;
use poem::listener::TcpListener;
use scaidns_examples::verify_webhook::{Inbox, receiver};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8088".into());
    let secret = std::env::var("SCAIDNS_WEBHOOK_SECRET")
        .map_err(|_| "set SCAIDNS_WEBHOOK_SECRET to the subscription's secret (whsec_…)")?;
    println!("receiving on http://{addr}/hook");
    Server::new(TcpListener::bind(addr))
        .run_with_graceful_shutdown(
            receiver(secret, Inbox::default()),
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
            None,
        )
        .await?;
    Ok(())
}
