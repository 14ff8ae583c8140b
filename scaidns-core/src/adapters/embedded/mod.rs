//! embedded adapter (in progress).
