//! `docs/cli.md` cannot drift from the API: every `operationId` of `openapi/scaidns.json` has
//! exactly one row in its table, no row names an operation the API lacks, a row says either
//! which command calls the operation (a command that exists: its `--help` succeeds) or why
//! none does; and every top-level command has a row in its "Command groups" table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

fn workspace_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn operation_ids() -> BTreeSet<String> {
    let spec: Value = serde_json::from_str(&workspace_file("openapi/scaidns.json")).unwrap();
    spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap().to_owned())
        .collect()
}

/// The table's rows: operationId → the command cell.
fn reference_rows() -> BTreeMap<String, String> {
    let mut rows = BTreeMap::new();
    for line in workspace_file("docs/cli.md").lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| `op` | command |` splits into ["", "`op`", "command", ""].
        let [_, first, command, _] = cells.as_slice() else {
            continue;
        };
        let Some(op) = first
            .strip_prefix('`')
            .and_then(|c| c.strip_suffix('`'))
            .filter(|op| op.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .filter(|op| op.contains('_'))
        else {
            continue;
        };
        let previous = rows.insert(op.to_owned(), (*command).to_owned());
        assert!(previous.is_none(), "docs/cli.md lists {op} twice");
    }
    rows
}

/// The subcommand words of the first `` `scaidns …` `` in a cell: `scaidns records bulk-delete
/// ZONE ID…` → ["records", "bulk-delete"] (arguments are upper case, flags start with `-`).
fn command_words(cell: &str) -> Option<Vec<String>> {
    let start = cell.find("`scaidns ")? + 1;
    let end = start + cell[start..].find('`')?;
    Some(
        cell[start..end]
            .split_whitespace()
            .skip(1)
            .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .take_while(|w| !w.starts_with('-'))
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn every_operation_has_a_row_in_the_cli_reference() {
    let ops = operation_ids();
    let rows = reference_rows();
    let missing: Vec<&String> = ops.iter().filter(|op| !rows.contains_key(*op)).collect();
    let unknown: Vec<&String> = rows.keys().filter(|op| !ops.contains(*op)).collect();
    assert!(
        missing.is_empty(),
        "operations of openapi/scaidns.json missing from the table of docs/cli.md (add a row: \
         the command that calls it, or `not in the CLI: <why>`): {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "docs/cli.md lists operations openapi/scaidns.json does not have: {unknown:?}"
    );
}

#[tokio::test]
async fn every_command_of_the_cli_reference_exists() {
    let mut checked = BTreeSet::new();
    for (op, cell) in reference_rows() {
        if let Some(why) = cell.strip_prefix("not in the CLI:") {
            assert!(why.trim().len() > 10, "{op}: say why it is not in the CLI");
            continue;
        }
        let words = command_words(&cell)
            .unwrap_or_else(|| panic!("{op}: name a `scaidns …` command or say why none"));
        assert!(!words.is_empty(), "{op}: no command in {cell:?}");
        if !checked.insert(words.clone()) {
            continue;
        }
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
            .args(&words)
            .arg("--help")
            .env(
                "SCAIDNS_CONFIG",
                "/nonexistent/scaidns-cli-reference/config.toml",
            )
            .output()
            .await
            .expect("run scaidns");
        assert!(
            out.status.success(),
            "{op}: `scaidns {} --help` fails: {}",
            words.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        // clap answers `--help` of a group with the group's help: the last word must be the
        // command itself, not an unknown word swallowed as an argument.
        let usage = String::from_utf8_lossy(&out.stdout);
        assert!(
            usage.contains(&format!("Usage: scaidns {}", words.join(" "))),
            "{op}: `scaidns {}` is not a command:\n{usage}",
            words.join(" ")
        );
    }
}

/// The names in the first cell of the "Command groups" table of `docs/cli.md` (`` `login` /
/// `logout` `` names two).
fn documented_groups() -> BTreeSet<String> {
    let doc = workspace_file("docs/cli.md");
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Command groups"))
        .expect("docs/cli.md has a `## Command groups` section");
    section
        .lines()
        .filter_map(|line| line.strip_prefix('|')?.split('|').next())
        .flat_map(|cell| cell.split('`').skip(1).step_by(2).map(str::to_owned))
        .collect()
}

/// Every top-level command of `scaidns --help` has a row in the "Command groups" table, and
/// every row names a command that exists.
#[tokio::test]
async fn every_command_group_has_a_row_in_the_cli_reference() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .arg("--help")
        .env(
            "SCAIDNS_CONFIG",
            "/nonexistent/scaidns-cli-reference/config.toml",
        )
        .output()
        .await
        .expect("run scaidns");
    let help = String::from_utf8_lossy(&out.stdout);
    let commands: BTreeSet<String> = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands: section in `scaidns --help`")
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect();
    assert!(commands.contains("records"), "{help}");
    let documented = documented_groups();
    let missing: Vec<&String> = commands.difference(&documented).collect();
    let unknown: Vec<&String> = documented.difference(&commands).collect();
    assert!(
        missing.is_empty(),
        "commands missing from the Command groups table of docs/cli.md: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "docs/cli.md lists command groups `scaidns --help` does not have: {unknown:?}"
    );
}
