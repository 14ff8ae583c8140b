//! DNSSEC key lifecycle (RFC 6781 rollovers, RFC 7583 timing). Built by the DNSSEC work.
