//! Pages of a list: what a caller asks for and what a store answers. Plain values beside the
//! model rather than in a port: every store trait (zones, identity cache, RBAC) lists in pages,
//! and the service hands the same pages to the server, so one path serves both.

/// A page request: `page` is 1-based, `page_size` 1..=100 (checked by the caller).
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
