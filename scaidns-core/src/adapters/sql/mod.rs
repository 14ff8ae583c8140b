//! sql adapter (in progress).
