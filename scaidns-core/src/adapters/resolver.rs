//! resolver adapter (in progress).
