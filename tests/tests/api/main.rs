//! End-to-end API tests: the real server on a free port, driven through the generated client
//! (and raw HTTP where the point is the wire format).

mod admin;
mod api_key_admin;
mod api_keys;
mod audit_completeness;
mod authz_matrix;
mod concurrent_writes;
mod dnssec;
mod dnssec_powerdns;
mod domains;
mod errors;
mod grants;
mod groups;
mod health;
mod identity;
mod identity_provider;
mod identity_sync;
mod isolation;
mod key_narrowing;
mod malformed;
mod name_claims;
mod nameservers;
mod openapi;
mod powerdns;
mod privilege_rules;
mod rate_limit;
mod read_caches;
mod records;
mod request_limits;
mod review_fixes;
mod secrets_in_logs;
mod store_engines;
mod tenant_leaks;
mod util;
mod validation_limits;
mod webhooks;
