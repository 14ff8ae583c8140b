//! Principals and their credentials.

pub mod api_key;
