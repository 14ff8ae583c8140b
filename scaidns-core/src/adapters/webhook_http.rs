//! [`WebhookSender`] over hyper with rustls (ring, the system's roots), the stack the OIDC
//! adapter uses. Every request connects to the one address the service checked: the connector's
//! resolver answers that address whatever the name, so no second lookup can lead elsewhere
//! (DNS rebinding), while TLS still verifies the certificate against the URL's host. The legacy
//! client follows no redirect; the whole exchange is bounded by a timeout and the answer by
//! [`MAX_RESPONSE_BYTES`].

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use http::{Method, Request, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;

use crate::outbound_webhook::delivery::{AttemptOutcome, MAX_RESPONSE_BYTES};
use crate::ports::webhook_sender::{WebhookRequest, WebhookSender};

/// A resolver that answers one fixed address.
#[derive(Clone, Copy)]
struct Pinned(SocketAddr);

impl tower_service::Service<Name> for Pinned {
    type Response = std::iter::Once<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _name: Name) -> Self::Future {
        let addr = self.0;
        Box::pin(async move { Ok(std::iter::once(addr)) })
    }
}

/// The HTTP sender.
#[derive(Clone)]
pub struct HttpWebhookSender {
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpWebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpWebhookSender")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl HttpWebhookSender {
    /// A sender trusting the system's roots, giving each delivery `timeout` in all.
    pub fn new(timeout: Duration) -> std::io::Result<Self> {
        use hyper_rustls::ConfigBuilderExt;
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_native_roots()?
        .with_no_client_auth();
        Ok(Self {
            tls: Arc::new(tls),
            timeout,
        })
    }

    async fn exchange(&self, request: WebhookRequest) -> AttemptOutcome {
        let mut http = HttpConnector::new_with_resolver(Pinned(request.address));
        http.enforce_http(false);
        http.set_connect_timeout(Some(self.timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*self.tls).clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build(connector);
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(&request.url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, "ScaiDNS-Webhooks/1");
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let req = match builder.body(Full::new(Bytes::from(request.body))) {
            Ok(req) => req,
            Err(e) => return failed(None, format!("invalid request: {e}")),
        };
        let response = match client.request(req).await {
            Ok(response) => response,
            Err(e) => return failed(None, format!("cannot reach the endpoint: {e}")),
        };
        let code = response.status().as_u16();
        // Read (a bounded part of) the answer so the exchange completes; its content is not kept.
        let _ = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await;
        if (200..300).contains(&code) {
            AttemptOutcome::Delivered { code }
        } else if (300..400).contains(&code) {
            failed(
                Some(code),
                format!("HTTP {code}: redirects are not followed"),
            )
        } else {
            failed(Some(code), format!("HTTP {code}"))
        }
    }
}

fn failed(code: Option<u16>, error: String) -> AttemptOutcome {
    AttemptOutcome::Failed { code, error }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<IpAddr>, String> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let lookup = tokio::net::lookup_host((host, port));
        match tokio::time::timeout(self.timeout, lookup).await {
            Ok(Ok(addrs)) => Ok(addrs.map(|a| a.ip()).collect()),
            Ok(Err(e)) => Err(format!("cannot resolve {host}: {e}")),
            Err(_) => Err(format!("resolving {host} timed out")),
        }
    }

    async fn send(&self, request: WebhookRequest) -> AttemptOutcome {
        match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(outcome) => outcome,
            Err(_) => failed(None, format!("no answer within {:?}", self.timeout)),
        }
    }
}
