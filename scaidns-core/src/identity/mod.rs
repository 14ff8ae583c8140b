//! Principals and their credentials, and what the identity provider tells ScaiDNS about them.

pub mod api_key;
pub mod linking;
pub mod upstream;
pub mod webhook;
