//! Paginated lists (`page`/`page_size` in, `{data, total, …}` out) as `futures::Stream`s of
//! their items, fetching the next page only when the caller reaches it.

use std::future::Future;

use futures::{Stream, TryStreamExt, stream};

use crate::error::{Error, GeneratedError};
use crate::{Client, ResponseValue, types};

/// A page of a paginated list: its items and how many there are across all pages.
pub trait Page {
    /// What the list holds.
    type Item;
    /// The items of this page and the total across all pages.
    fn into_parts(self) -> (Vec<Self::Item>, u64);
}

macro_rules! pages {
    ($($list:ident => $item:ident),* $(,)?) => {$(
        impl Page for types::$list {
            type Item = types::$item;
            fn into_parts(self) -> (Vec<Self::Item>, u64) {
                (self.data, self.total)
            }
        }
    )*};
}

pages! {
    DomainList => DomainResponse,
    ApiKeyList => ApiKeyResponse,
    AuditLogList => AuditLogResponse,
    TenantList => TenantResponse,
    UserList => UserResponse,
    GroupList => GroupResponse,
    RecordList => RecordResponse,
}

/// Every item of a paginated list, page after page. `fetch(page, page_size)` is the generated
/// call for one page (pages count from 1; a `page_size` of 0 is sent as 1); the stream ends
/// after `total` items or at an empty page, and yields the error of a failed page as its last
/// item.
///
/// The list is read by page number, not from a snapshot: when items are created or deleted
/// while the stream is read, later pages shift, and an item can be skipped or seen twice.
/// Deduplicate by id, or read again, when that matters.
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn demo(client: &scaidns_client::Client) -> Result<(), scaidns_client::Error> {
/// let actions: Vec<String> = scaidns_client::paginate(100, |page, size| {
///     client.audit_list(None, None, None, None, Some(page), Some(size), None, None, None, None)
/// })
/// .map_ok(|entry| entry.action)
/// .try_collect()
/// .await?;
/// # Ok(()) }
/// ```
pub fn paginate<'a, L, E, F, Fut>(
    page_size: u32,
    mut fetch: F,
) -> impl Stream<Item = Result<L::Item, Error>> + Unpin + 'a
where
    L: Page + 'a,
    L::Item: 'a,
    E: serde::Serialize + 'a,
    F: FnMut(u32, u32) -> Fut + 'a,
    Fut: Future<Output = Result<ResponseValue<L>, GeneratedError<E>>> + 'a,
{
    page_stream(page_size, move |page, size| {
        let call = fetch(page, size);
        async move { Ok(call.await.map_err(Error::from)?.into_inner().into_parts()) }
    })
}

/// The one pagination loop: `fetch(page, page_size)` gives a page's items and the total.
/// [`paginate`] and [`collect_pages`](crate::collect_pages) both read lists through it.
pub(crate) fn page_stream<'a, T, E, F, Fut>(
    page_size: u32,
    fetch: F,
) -> impl Stream<Item = Result<T, E>> + Unpin + 'a
where
    T: 'a,
    E: 'a,
    F: FnMut(u32, u32) -> Fut + 'a,
    Fut: Future<Output = Result<(Vec<T>, u64), E>> + 'a,
{
    struct State<F> {
        fetch: F,
        page: u32,
        seen: u64,
        done: bool,
    }
    // A size of 0 would never advance.
    let page_size = page_size.max(1);
    let start = State {
        fetch,
        page: 1,
        seen: 0,
        done: false,
    };
    let items = stream::try_unfold(start, move |mut state| async move {
        if state.done {
            return Ok(None);
        }
        let (items, total) = (state.fetch)(state.page, page_size).await?;
        state.seen += items.len() as u64;
        state.done = items.is_empty() || state.seen >= total;
        state.page += 1;
        Ok(Some((items, state)))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten();
    // Boxed so that the stream is `Unpin`: `next()` and `try_next()` work on it as it is.
    Box::pin(items)
}

impl Client {
    /// Every zone the caller can see (deleted ones left out), 100 per request.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn demo(client: &scaidns_client::Client) -> Result<(), scaidns_client::Error> {
    /// let names: Vec<String> = client.zones_stream().map_ok(|z| z.name).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn zones_stream(
        &self,
    ) -> impl Stream<Item = Result<types::DomainResponse, Error>> + Unpin + '_ {
        paginate(100, move |page, size| {
            self.zone_list(None, None, None, Some(page), Some(size), None, None)
        })
    }

    /// Every API key of the caller's tenant (revoked ones left out), 100 per request.
    pub fn api_keys_stream(
        &self,
    ) -> impl Stream<Item = Result<types::ApiKeyResponse, Error>> + Unpin + '_ {
        paginate(100, move |page, size| {
            self.api_key_list(None, Some(page), Some(size), None)
        })
    }

    /// Every audit entry the caller can see, 100 per request.
    pub fn audit_stream(
        &self,
    ) -> impl Stream<Item = Result<types::AuditLogResponse, Error>> + Unpin + '_ {
        paginate(100, move |page, size| {
            self.audit_list(
                None,
                None,
                None,
                None,
                Some(page),
                Some(size),
                None,
                None,
                None,
                None,
            )
        })
    }
}
