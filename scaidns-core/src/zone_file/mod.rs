//! Zone data as text: RFC 1035 master files and the JSON and CSV record lists, read for
//! import (`parse`) and written for export (`render`).

pub mod parse;
pub mod render;
