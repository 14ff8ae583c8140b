//! pdns adapter (in progress).
