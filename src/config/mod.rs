//! Configuration: compiled-in defaults, the user's file laid over them, themes and keymap.
//! Bad entries become warnings that name them; nothing in a config file can crash kdrift.

pub mod actions;
pub mod keymap;
pub mod settings;
pub mod theme;

use std::path::{Path, PathBuf};

use keymap::{Action, KeyMap};
use theme::Theme;

/// The settings part of the default file; its `[keys]` come from the actions table.
const DEFAULT_SETTINGS: &str = include_str!("../../assets/config.toml");

/// The commented default file `kdrift config --print-default` prints.
pub fn default_file() -> String {
    format!("{DEFAULT_SETTINGS}{}", keymap::default_keys_toml())
}

#[derive(Debug, Clone)]
pub struct Config {
    pub theme: Theme,
    /// The namespace to use when neither a flag nor the kubeconfig context names one.
    pub namespace: Option<String>,
    pub readonly: bool,
    pub field_manager: String,
    /// Lines a logs pane keeps, and fetches when it opens.
    pub log_buffer_lines: usize,
    pub log_tail_lines: usize,
    pub keymap: KeyMap,
    /// Problems found while loading, for the UI to show.
    pub warnings: Vec<String>,
}

/// kdrift's directories (config, data for logs and the demo).
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "kdrift", "kdrift")
}

pub fn default_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// Loads `path` (or the default location) over the defaults; a missing file is fine.
    pub fn load(path: Option<&Path>, theme_override: Option<&str>) -> Config {
        let path = path.map(Path::to_path_buf).or_else(default_path);
        let text = path.as_ref().and_then(|p| std::fs::read_to_string(p).ok());
        let dir = path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|d| d.join("themes"));
        Config::from_text(
            text.as_deref().unwrap_or(""),
            theme_override,
            dir.as_deref(),
        )
    }

    pub fn from_text(text: &str, theme_override: Option<&str>, theme_dir: Option<&Path>) -> Config {
        let mut warnings = Vec::new();
        let table: toml::Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                warnings.push(format!("config: {e}"));
                toml::Table::new()
            }
        };
        let mut theme_name = "dark".to_string();
        let mut config = Config {
            theme: Theme::parse("dark", theme::BUILT_IN[0].1, &mut Vec::new()),
            namespace: None,
            readonly: false,
            field_manager: "kdrift".into(),
            log_buffer_lines: 10_000,
            log_tail_lines: 1_000,
            keymap: KeyMap::default(),
            warnings: Vec::new(),
        };
        for (key, value) in &table {
            match (key.as_str(), value) {
                ("theme", toml::Value::String(s)) => theme_name = s.clone(),
                ("namespace", toml::Value::String(s)) => config.namespace = Some(s.clone()),
                ("readonly", toml::Value::Boolean(b)) => config.readonly = *b,
                ("field_manager", toml::Value::String(s)) => config.field_manager = s.clone(),
                ("log_buffer_lines", toml::Value::Integer(n)) if (1..=10_000_000).contains(n) => {
                    config.log_buffer_lines = *n as usize
                }
                ("log_tail_lines", toml::Value::Integer(n)) if (0..=10_000_000).contains(n) => {
                    config.log_tail_lines = *n as usize
                }
                ("log_buffer_lines" | "log_tail_lines", _) => warnings.push(format!(
                    "config: {key} must be a whole number of lines (at most 10000000)"
                )),
                ("keys", toml::Value::Table(keys)) => {
                    load_keys(keys, &mut config.keymap, &mut warnings)
                }
                ("theme" | "namespace" | "field_manager", _) => {
                    warnings.push(format!("config: {key} must be a string"))
                }
                ("readonly", _) => warnings.push("config: readonly must be true or false".into()),
                ("keys", _) => warnings.push("config: keys must be a table".into()),
                (other, _) => warnings.push(format!("config: unknown setting {other:?}")),
            }
        }
        config.theme = Theme::load(
            theme_override.unwrap_or(&theme_name),
            theme_dir,
            &mut warnings,
        );
        config.warnings = warnings;
        config
    }
}

fn load_keys(keys: &toml::Table, map: &mut KeyMap, warnings: &mut Vec<String>) {
    for (name, value) in keys {
        let Some(action) = Action::from_name(name) else {
            warnings.push(format!("config: [keys] unknown action {name:?}"));
            continue;
        };
        let names: Vec<String> = match value {
            toml::Value::Array(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            toml::Value::String(s) => vec![s.clone()],
            _ => {
                warnings.push(format!("config: [keys] {name} must be a list of keys"));
                continue;
            }
        };
        for bad in map.set(action, &names) {
            warnings.push(format!("config: [keys] {name}: {bad:?} is not a key"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_is_the_defaults() {
        let c = Config::from_text(&default_file(), None, None);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.theme.name, "dark");
        assert_eq!(
            c.namespace, None,
            "the kubeconfig context decides by default"
        );
        assert_eq!(c.log_buffer_lines, 10_000);
        assert_eq!(c.keymap.bindings, KeyMap::default().bindings);
    }

    #[test]
    fn overrides_and_warnings() {
        let c = Config::from_text(
            "theme = \"light\"\nreadonly = true\nlog_buffer_lines = 500\nlog_tail_lines = -1\ncolour = 3\n[keys]\nquit = [\"x\"]\nfly = [\"f\"]\ndown = [\"warp-9\"]\n",
            None,
            None,
        );
        assert_eq!(c.theme.name, "light");
        assert!(c.readonly);
        assert_eq!(c.keymap.hint(Action::Quit).as_deref(), Some("x"));
        assert_eq!(c.log_buffer_lines, 500);
        assert_eq!(c.log_tail_lines, 1_000, "a bad value keeps the default");
        assert_eq!(c.warnings.len(), 4, "{:?}", c.warnings);
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("log_tail_lines must be"))
        );
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("unknown setting \"colour\""))
        );
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("unknown action \"fly\""))
        );
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("\"warp-9\" is not a key"))
        );
        let broken = Config::from_text("theme = [", Some("high-contrast"), None);
        assert_eq!(broken.theme.name, "high-contrast");
        assert!(broken.warnings[0].starts_with("config:"));
    }
}
