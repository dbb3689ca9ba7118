//! The space file (`import.md`): tiers, things, groups, people with their tokens, payments and
//! ledger, inductions, Hive13 devices, soda slots and API tokens in one JSON document.
//!
//! `parse` reads a document strictly (unknown keys are errors) and reports the JSON path of the
//! first problem. `resolve` then checks every reference (thing by id or name, person by id,
//! tier, group) against the file and against what the database already holds, and produces the
//! rows to upsert. The store writes them in one transaction; `export` is the same document
//! read back from the database, so export → import → export is stable.

mod format;
mod resolve;

pub use format::*;
pub use resolve::{
    Existing, ImportError, Options, Resolved, ResolvedDevice, ResolvedThing, resolve,
};

/// The JSON path of the first string (or key) holding a NUL character, which no database column
/// can store, if any.
fn nul_path(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::String(text) => text.contains('\0').then(|| path.to_owned()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_path(item, &format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if key.contains('\0') {
                Some(here)
            } else {
                nul_path(item, &here)
            }
        }),
        _ => None,
    }
}

/// Reads a space file; the error names the JSON path of the first problem.
pub fn parse(text: &str) -> Result<SpaceFile, ImportError> {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text)
        && let Some(path) = nul_path(&value, "")
    {
        return Err(ImportError::new(path, "must not contain NUL characters"));
    }
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        let message = match message.rfind(" at line ") {
            Some(cut) => format!(
                "{} (line {}, column {})",
                &message[..cut],
                inner.line(),
                inner.column()
            ),
            None => message,
        };
        ImportError::new(if path == "." { String::new() } else { path }, message)
    })
}

/// Writes a space file as `export` prints it: pretty JSON with a final newline.
pub fn render(space: &SpaceFile) -> String {
    let mut text = serde_json::to_string_pretty(space).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
