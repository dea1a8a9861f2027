//! Themes by meaning (added, removed, synced, out_of_sync…): compiled-in `dark`, `light`
//! and `high-contrast`, plus the user's own `themes/NAME.toml` in the config directory.

use std::collections::BTreeMap;

use ratatui::style::Color;

pub const BUILT_IN: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// The syntect theme for YAML highlighting.
    pub syntax: String,
    pub text: Color,
    pub muted: Color,
    pub title: Color,
    pub border: Color,
    pub focus: Color,
    pub selected_fg: Color,
    pub selected_bg: Color,
    pub added: Color,
    pub removed: Color,
    pub hunk: Color,
    pub synced: Color,
    pub out_of_sync: Color,
    pub missing: Color,
    pub extra: Color,
    pub unknown: Color,
    pub healthy: Color,
    pub progressing: Color,
    pub degraded: Color,
    pub suspended: Color,
    pub status_bg: Color,
    /// No colour at all (`NO_COLOR`, `--color never`): emphasis by reverse video only.
    pub monochrome: bool,
}

fn color(text: &str) -> Option<Color> {
    text.parse::<Color>().ok()
}

impl Theme {
    /// Parses a theme file over the `dark` defaults; unknown keys and bad colours become
    /// warnings naming them.
    pub fn parse(name: &str, text: &str, warnings: &mut Vec<String>) -> Theme {
        let mut theme = Theme::dark_defaults(name);
        let table: BTreeMap<String, toml::Value> = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                warnings.push(format!("theme {name}: {e}"));
                return theme;
            }
        };
        for (key, value) in table {
            let Some(s) = value.as_str() else {
                warnings.push(format!("theme {name}: {key} must be a string"));
                continue;
            };
            if key == "syntax" {
                theme.syntax = s.to_string();
                continue;
            }
            let Some(c) = color(s) else {
                warnings.push(format!("theme {name}: {key} = {s:?} is not a colour"));
                continue;
            };
            let slot = match key.as_str() {
                "text" => &mut theme.text,
                "muted" => &mut theme.muted,
                "title" => &mut theme.title,
                "border" => &mut theme.border,
                "focus" => &mut theme.focus,
                "selected_fg" => &mut theme.selected_fg,
                "selected_bg" => &mut theme.selected_bg,
                "added" => &mut theme.added,
                "removed" => &mut theme.removed,
                "hunk" => &mut theme.hunk,
                "synced" => &mut theme.synced,
                "out_of_sync" => &mut theme.out_of_sync,
                "missing" => &mut theme.missing,
                "extra" => &mut theme.extra,
                "unknown" => &mut theme.unknown,
                "healthy" => &mut theme.healthy,
                "progressing" => &mut theme.progressing,
                "degraded" => &mut theme.degraded,
                "suspended" => &mut theme.suspended,
                "status_bg" => &mut theme.status_bg,
                other => {
                    warnings.push(format!("theme {name}: unknown key {other:?}"));
                    continue;
                }
            };
            *slot = c;
        }
        theme
    }

    /// The theme for `NO_COLOR` or `--color never`: every colour the terminal's own, no
    /// syntax colours, and the selection in reverse video so it stays visible.
    pub fn without_color(self) -> Theme {
        let none = Color::Reset;
        Theme {
            name: format!("{} (no colour)", self.name),
            syntax: String::new(),
            text: none,
            muted: none,
            title: none,
            border: none,
            focus: none,
            selected_fg: none,
            selected_bg: none,
            added: none,
            removed: none,
            hunk: none,
            synced: none,
            out_of_sync: none,
            missing: none,
            extra: none,
            unknown: none,
            healthy: none,
            progressing: none,
            degraded: none,
            suspended: none,
            status_bg: none,
            monochrome: true,
        }
    }

    /// The selected row: the theme's colours, or reverse video without colour.
    pub fn selection(&self) -> ratatui::style::Style {
        use ratatui::style::{Modifier, Style};
        if self.monochrome {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().fg(self.selected_fg).bg(self.selected_bg)
        }
    }

    fn dark_defaults(name: &str) -> Theme {
        Theme {
            name: name.to_string(),
            syntax: "base16-ocean.dark".into(),
            text: Color::White,
            muted: Color::DarkGray,
            title: Color::Cyan,
            border: Color::Gray,
            focus: Color::Cyan,
            selected_fg: Color::Black,
            selected_bg: Color::Cyan,
            added: Color::Green,
            removed: Color::Red,
            hunk: Color::Magenta,
            synced: Color::Green,
            out_of_sync: Color::Yellow,
            missing: Color::LightRed,
            extra: Color::Magenta,
            unknown: Color::Gray,
            healthy: Color::Green,
            progressing: Color::LightBlue,
            degraded: Color::LightRed,
            suspended: Color::Gray,
            status_bg: Color::Black,
            monochrome: false,
        }
    }

    /// A theme by name: the user's `themes/NAME.toml` first, then the built-ins; an unknown
    /// name falls back to `dark` with a warning.
    pub fn load(
        name: &str,
        user_dir: Option<&std::path::Path>,
        warnings: &mut Vec<String>,
    ) -> Theme {
        if let Some(dir) = user_dir {
            let path = dir.join(format!("{name}.toml"));
            if let Ok(text) = std::fs::read_to_string(&path) {
                return Theme::parse(name, &text, warnings);
            }
        }
        match BUILT_IN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Theme::parse(n, text, warnings),
            None => {
                warnings.push(format!(
                    "theme {name:?} not found; using dark (built-in: dark, light, high-contrast)"
                ));
                Theme::parse("dark", BUILT_IN[0].1, warnings)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse_cleanly() {
        for (name, text) in BUILT_IN {
            let mut warnings = Vec::new();
            let theme = Theme::parse(name, text, &mut warnings);
            assert!(warnings.is_empty(), "{name}: {warnings:?}");
            assert_eq!(theme.name, name);
        }
    }

    #[test]
    fn bad_entries_are_named() {
        let mut warnings = Vec::new();
        let theme = Theme::parse(
            "mine",
            "added = \"nope\"\nsparkle = \"red\"\nremoved = \"#ff0000\"\n",
            &mut warnings,
        );
        assert_eq!(theme.removed, Color::Rgb(255, 0, 0));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("added = \"nope\" is not a colour"));
        assert!(warnings[1].contains("unknown key \"sparkle\""));
        let mut w = Vec::new();
        assert_eq!(Theme::load("nope", None, &mut w).name, "dark");
        assert!(w[0].contains("not found"));
    }
}
