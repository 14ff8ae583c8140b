//! Zone-level record rules (filled in by the record-rules work).
