//! Pages of a list: what a caller asks for and what a store answers. Plain values beside the
//! model rather than in a port: every store trait (zones, identity cache, RBAC) lists in pages,
//! and the service hands the same pages to the server, so one path serves both.

/// A page request: `page` is 1-based, `page_size` at least 1 (its bound is checked by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
}

impl PageRequest {
    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.page_size)
    }

    /// This page of `items` (empty past the end).
    pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = usize::try_from(self.offset())
            .unwrap_or(usize::MAX)
            .min(items.len());
        let end = start
            .saturating_add(self.page_size as usize)
            .min(items.len());
        &items[start..end]
    }

    /// Everything in one page (for callers that need a whole set, such as exports).
    pub const ALL: Self = Self {
        page: 1,
        page_size: u32::MAX,
    };
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: 50,
        }
    }
}

/// One page of results and the total count.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Items of this page.
    pub items: Vec<T>,
    /// Items across all pages.
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_is_the_page_and_empty_past_the_end() {
        let items = [1, 2, 3, 4, 5];
        let page = |page, page_size| PageRequest { page, page_size };
        assert_eq!(page(1, 2).slice(&items), [1, 2]);
        assert_eq!(page(3, 2).slice(&items), [5]);
        assert!(page(4, 2).slice(&items).is_empty());
        assert!(page(u32::MAX, u32::MAX).slice(&items).is_empty());
        assert_eq!(PageRequest::ALL.slice(&items), items);
    }
}
