//! Settings: defaults → `creanta.toml` → `CREANTA_*` environment → command-line flags.
//!
//! The file's values are handed to clap as environment variables that are not already set,
//! so clap's own order (flag, then environment, then default) gives the precedence above.

use std::path::Path;

/// Keys of `creanta.toml` and the environment variable each one stands for.
const KEYS: &[(&str, &str)] = &[
    ("database_url", "DATABASE_URL"),
    ("data_dir", "CREANTA_DATA_DIR"),
    ("org", "CREANTA_ORG"),
    ("bind", "CREANTA_BIND"),
    ("secure_cookies", "CREANTA_SECURE_COOKIES"),
    ("log_format", "CREANTA_LOG_FORMAT"),
    ("smtp_url", "CREANTA_SMTP_URL"),
    ("mail_from", "CREANTA_MAIL_FROM"),
    ("run_at", "CREANTA_RUN_AT"),
];

/// Reads `creanta.toml` (or the file `CREANTA_CONFIG` names) if there is one.
pub fn load() -> Result<(), String> {
    let path = std::env::var("CREANTA_CONFIG").unwrap_or_else(|_| "creanta.toml".into());
    let path = Path::new(&path);
    if !path.exists() {
        return Ok(());
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    for (key, value) in &table {
        let Some((_, var)) = KEYS.iter().find(|(k, _)| k == key) else {
            let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
            return Err(format!(
                "{}: unknown setting {key:?} (known: {})",
                path.display(),
                known.join(", ")
            ));
        };
        let value = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Integer(i) => i.to_string(),
            other => {
                return Err(format!(
                    "{}: {key}: {other:?} is not a string, number or boolean",
                    path.display()
                ));
            }
        };
        if std::env::var_os(var).is_none() {
            // SAFETY: called at the start of main, before any other thread exists.
            unsafe { std::env::set_var(var, value) };
        }
    }
    Ok(())
}
