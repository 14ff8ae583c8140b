//! Zone data as text: RFC 1035 master files and the JSON and CSV record lists.

pub mod parse;
