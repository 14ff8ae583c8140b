//! Request bodies given as a JSON file (`-`: standard input), for the commands whose input is
//! a whole request (`records bulk`, `ptr bulk-add`, `templates create|update`).

use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::output::{Failure, USAGE};

/// The body in `file`; `shape` says what it should look like, for the message when it does
/// not parse.
pub fn read<T: DeserializeOwned>(file: &Path, shape: &str) -> Result<T, Failure> {
    let shown = file.display();
    let text = if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::new(USAGE, format!("cannot read standard input: {e}")))?;
        text
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| Failure::new(USAGE, format!("cannot read {shown}: {e}")))?
    };
    serde_json::from_str(&text)
        .map_err(|e| Failure::new(USAGE, format!("{shown} is not {shape}: {e}")))
}
