//! Typed SDK for the ScaiDNS API.
