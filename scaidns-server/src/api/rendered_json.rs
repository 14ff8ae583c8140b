//! A JSON answer whose body was rendered before: documented exactly like `Json<T>` (same media
//! type and schema), answered with bytes the service cached ([`RecordListing::rendered`]), so an
//! unchanged record set is not serialised again for every request.
//!
//! [`RecordListing::rendered`]: scaidns_core::service::records::RecordListing::rendered

use std::marker::PhantomData;
use std::sync::Arc;

use poem::http::header;
use poem::{IntoResponse, Response};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};

/// A body rendered from a `T`.
pub struct RenderedJson<T> {
    body: Arc<[u8]>,
    shape: PhantomData<fn() -> T>,
}

impl<T: ToJSON> RenderedJson<T> {
    /// The exact bytes `Json(value)` answers with.
    pub fn render(value: &T) -> Vec<u8> {
        // `Json<T>` serialises `to_json()` the same way; a `Value` always serialises.
        serde_json::to_vec(&value.to_json()).unwrap_or_default()
    }

    /// A body [`Self::render`] made.
    pub fn new(body: Arc<[u8]>) -> Self {
        Self {
            body,
            shape: PhantomData,
        }
    }
}

impl<T: Type> Payload for RenderedJson<T> {
    const CONTENT_TYPE: &'static str = <Json<T> as Payload>::CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        <Json<T> as Payload>::schema_ref()
    }

    fn register(registry: &mut Registry) {
        <Json<T> as Payload>::register(registry);
    }
}

impl<T: Type> IntoResponse for RenderedJson<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .header(header::CONTENT_TYPE, <Self as Payload>::CONTENT_TYPE)
            .body(bytes::Bytes::from_owner(ArcBytes(self.body)))
    }
}

/// The shared body as the owner `Bytes` reads from.
struct ArcBytes(Arc<[u8]>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem_openapi::Object;

    #[derive(Object)]
    struct Shape {
        name: String,
        count: u32,
        tags: Vec<String>,
    }

    #[tokio::test]
    async fn answers_the_bytes_json_would() {
        let value = || Shape {
            name: "a \"quoted\" é".into(),
            count: 3,
            tags: vec!["x".into()],
        };
        let direct = Json(value()).into_response();
        let rendered =
            RenderedJson::<Shape>::new(Arc::from(RenderedJson::render(&value()))).into_response();
        assert_eq!(
            direct.headers().get(header::CONTENT_TYPE),
            rendered.headers().get(header::CONTENT_TYPE)
        );
        let direct = direct.into_body().into_vec().await.unwrap();
        let rendered = rendered.into_body().into_vec().await.unwrap();
        assert_eq!(direct, rendered);
    }
}
