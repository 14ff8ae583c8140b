//! Sending a signed event to a subscriber over HTTP. The service decides what to send and
//! where (it checks every address the host resolves to); the sender resolves names and
//! connects to exactly the address it is given, follows no redirect, and bounds the time and
//! the answer it reads.

use std::net::{IpAddr, SocketAddr};

use async_trait::async_trait;

use crate::outbound_webhook::delivery::AttemptOutcome;

/// One POST to a subscriber.
#[derive(Debug, Clone)]
pub struct WebhookRequest {
    /// The subscription's URL (its host is sent as `Host` and checked by TLS).
    pub url: String,
    /// The address to connect to, checked by the caller.
    pub address: SocketAddr,
    /// Extra headers (the signature, the event's type and id).
    pub headers: Vec<(String, String)>,
    /// The JSON body, signed as is.
    pub body: Vec<u8>,
}

/// The HTTP side of outbound webhooks.
#[async_trait]
pub trait WebhookSender: Send + Sync + std::fmt::Debug {
    /// The addresses `host` resolves to (itself when it is an IP literal).
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<IpAddr>, String>;
    /// POSTs `request` and reports what came back.
    async fn send(&self, request: WebhookRequest) -> AttemptOutcome;
}
