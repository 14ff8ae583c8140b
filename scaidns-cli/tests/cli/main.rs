//! The `scaidns` binary's integration tests, in one test binary: each module drives the binary
//! under test (`CARGO_BIN_EXE_scaidns`) against a real server, store and DNS backend.

mod audit_command;
mod cli_reference;
mod client_commands;
mod common;
mod dry_run;
mod history_commands;
mod login_and_completions;
mod operator_commands;
mod production;
mod production_start;
mod records_bulk_delete;
mod records_edit;
mod resource_commands;
mod reverse_commands;
mod scale_out;
mod secondary_commands;
mod session_commands;
mod templates_command;
mod users_command;
