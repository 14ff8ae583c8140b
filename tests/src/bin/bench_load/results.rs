//! The figures of one run as rows (saved as JSON, one file per store), and the side-by-side
//! table of several runs. A later figure (the bulk import, a PostgreSQL column) is one more row
//! or one more file: the table takes whatever rows and stores it is given.

use serde_json::{Value, json};

use crate::http::Fail;

/// One line of the table.
#[derive(Clone)]
pub struct Row {
    /// Stable key, for matching rows across stores.
    pub id: &'static str,
    pub label: &'static str,
    /// ScaiDNS's figure (absent: not measured).
    pub scaidns: Option<f64>,
    /// PowerDNS's figure for the same operation, when there is a yardstick.
    pub pdns: Option<f64>,
    pub unit: &'static str,
    /// What issue 12 asks for.
    pub target: &'static str,
    /// Extra words for the cell (counts, why not measured).
    pub note: String,
}

impl Row {
    /// A row with ScaiDNS's figure only.
    pub fn single(id: &'static str, label: &'static str, value: f64, unit: &'static str) -> Self {
        Self {
            id,
            label,
            scaidns: Some(value),
            pdns: None,
            unit,
            target: "",
            note: String::new(),
        }
    }

    /// A row comparing ScaiDNS with PowerDNS.
    pub fn versus(
        id: &'static str,
        label: &'static str,
        scaidns: f64,
        pdns: f64,
        unit: &'static str,
    ) -> Self {
        Self {
            pdns: Some(pdns),
            ..Self::single(id, label, scaidns, unit)
        }
    }

    pub fn target(mut self, target: &'static str) -> Self {
        self.target = target;
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    fn to_json(&self) -> Value {
        json!({
            "id": self.id, "label": self.label, "scaidns": self.scaidns, "pdns": self.pdns,
            "unit": self.unit, "target": self.target, "note": self.note,
        })
    }
}

/// The table cell: `0.50× (660 vs 1,306 req/s)` for a comparison, `660 req/s` otherwise.
fn cell(scaidns: Option<f64>, pdns: Option<f64>, unit: &str, note: &str) -> String {
    let mut cell = match (scaidns, pdns) {
        (Some(s), Some(p)) => format!("{}× ({} vs {} {unit})", fmt(s / p, 2), number(s), number(p)),
        (Some(s), None) if unit.is_empty() => number(s),
        (Some(s), None) => format!("{} {unit}", number(s)),
        (None, _) => "not measured".to_owned(),
    };
    if !note.is_empty() {
        cell = format!("{cell} ({note})");
    }
    cell
}

/// The rows of one run, as saved.
pub fn run_json(store: &str, mode: &str, rows: &[Row]) -> Value {
    json!({"store": store, "mode": mode, "rows": rows.iter().map(Row::to_json).collect::<Vec<_>>()})
}

/// Prints the runs in `files` side by side, one column per store, as a Markdown table.
pub fn report(files: &[String]) -> Result<(), Fail> {
    let mut runs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        let run: Value = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
        runs.push(run);
    }
    let store_name = |run: &Value| match run["store"].as_str() {
        Some("mysql") => "MariaDB store".to_owned(),
        Some("sqlite") => "SQLite store".to_owned(),
        Some("postgres") => "PostgreSQL store".to_owned(),
        Some(other) => format!("{other} store"),
        None => "?".to_owned(),
    };
    let mut header = "| Figure |".to_owned();
    for run in &runs {
        header.push_str(&format!(" {} |", store_name(run)));
    }
    header.push_str(" Target |");
    println!("{header}");
    println!("|---|{}---|", "---|".repeat(runs.len()));
    // Rows in the order of the first run; a row another run lacks is left empty there.
    let first = runs
        .first()
        .and_then(|r| r["rows"].as_array())
        .cloned()
        .unwrap_or_default();
    for row in &first {
        let id = row["id"].as_str().unwrap_or("");
        let mut line = format!("| {} |", row["label"].as_str().unwrap_or(""));
        for run in &runs {
            let cell = run["rows"]
                .as_array()
                .and_then(|rows| rows.iter().find(|r| r["id"] == id))
                .map(|r| {
                    cell(
                        r["scaidns"].as_f64(),
                        r["pdns"].as_f64(),
                        r["unit"].as_str().unwrap_or(""),
                        r["note"].as_str().unwrap_or(""),
                    )
                })
                .unwrap_or_default();
            line.push_str(&format!(" {cell} |"));
        }
        line.push_str(&format!(" {} |", row["target"].as_str().unwrap_or("")));
        println!("{line}");
    }
    Ok(())
}

fn fmt(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

/// `1306.4` → `1,306`; small values keep a decimal or two.
fn number(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_owned();
    }
    if v.abs() >= 100.0 {
        let digits = format!("{:.0}", v.abs());
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 { format!("-{out}") } else { out }
    } else if v.abs() >= 10.0 || v == v.trunc() {
        format!("{v:.1}").trim_end_matches(".0").to_owned()
    } else {
        format!("{v:.2}")
    }
}
