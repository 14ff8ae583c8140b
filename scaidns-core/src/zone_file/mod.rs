//! Zone files: the text forms a zone is exported in and imported from.

pub mod render;
