//! The one shape of a paged list, `{data, total, page, page_size, total_pages}`, declared per
//! resource by [`page_envelope!`]. A macro rather than a generic `Object`, so every list keeps
//! its own schema name and descriptions in the committed spec (and the generated client keeps
//! its type names).

/// Declares `$name`, the page envelope of `$item`, with a constructor from the service's page.
macro_rules! page_envelope {
    (
        $(#[doc = $doc:literal])*
        $name:ident of $item:ty,
        data: $data_doc:literal,
        total: $total_doc:literal $(,)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, poem_openapi::Object)]
        pub struct $name {
            #[doc = $data_doc]
            pub data: Vec<$item>,
            #[doc = $total_doc]
            pub total: u64,
            /// This page (1-based).
            pub page: u32,
            /// Items per page.
            pub page_size: u32,
            /// Number of pages.
            pub total_pages: u64,
        }

        impl $name {
            /// The envelope of one page of the service's answer to `query`.
            pub fn new<T: Into<$item>>(
                result: scaidns_core::paging::Page<T>,
                query: scaidns_core::service::queries::PageQuery,
            ) -> Self {
                Self {
                    data: result.items.into_iter().map(Into::into).collect(),
                    total: result.total,
                    page: query.page,
                    page_size: query.page_size,
                    total_pages: $crate::api::total_pages(result.total, query.page_size),
                }
            }
        }
    };
}

pub(crate) use page_envelope;
