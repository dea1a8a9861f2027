//! The settings every front end uses, resolved once: a flag (or its environment variable)
//! wins, then the kubeconfig context (as kubectl), then the config file, then `default`.

use super::Config;

/// Where the namespace came from (said in messages where it matters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceSource {
    Flag,
    Config,
    Context,
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Namespace for namespaced objects that name none, and the app's target namespace.
    pub namespace: String,
    pub namespace_source: NamespaceSource,
    /// Field manager of every server-side apply and dry-run.
    pub field_manager: String,
    /// Shuts the mutation gateway.
    pub readonly: bool,
    /// Colour in text output (diffs): `--color`, else a terminal without `NO_COLOR`.
    pub color: bool,
}

/// What the command line said; `None` where it said nothing.
#[derive(Debug, Clone, Default)]
pub struct Flags<'a> {
    pub namespace: Option<&'a str>,
    pub field_manager: Option<&'a str>,
    pub readonly: bool,
    /// Colour for text output, already decided by [`color_enabled`].
    pub color: bool,
}

/// `--color`: `always`/`never` as said; `auto` means colour only on a terminal and only
/// when `NO_COLOR` is unset or empty (no-color.org).
pub fn color_enabled(choice: crate::cli::ColorArg, terminal: bool, no_color: bool) -> bool {
    match choice {
        crate::cli::ColorArg::Always => true,
        crate::cli::ColorArg::Never => false,
        crate::cli::ColorArg::Auto => terminal && !no_color,
    }
}

/// Whether `NO_COLOR` asks for no colour (set and not empty).
pub fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Settings {
    /// `context_namespace` is the kubeconfig context's `namespace`, if it has one.
    pub fn resolve(flags: &Flags<'_>, config: &Config, context_namespace: Option<&str>) -> Self {
        let non_empty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
        let (namespace, namespace_source) = if let Some(ns) = non_empty(flags.namespace) {
            (ns, NamespaceSource::Flag)
        } else if let Some(ns) = non_empty(context_namespace) {
            (ns, NamespaceSource::Context)
        } else if let Some(ns) = non_empty(config.namespace.as_deref()) {
            (ns, NamespaceSource::Config)
        } else {
            ("default".to_string(), NamespaceSource::Default)
        };
        Settings {
            namespace,
            namespace_source,
            field_manager: non_empty(flags.field_manager)
                .unwrap_or_else(|| config.field_manager.clone()),
            readonly: flags.readonly || config.readonly,
            color: flags.color,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::from_text(text, None, None)
    }

    #[test]
    fn an_explicit_flag_wins_even_when_it_says_default() {
        let c = config("namespace = \"team-a\"\nfield_manager = \"ops\"\n");
        let s = Settings::resolve(
            &Flags {
                namespace: Some("default"),
                ..Default::default()
            },
            &c,
            Some("ctx-ns"),
        );
        assert_eq!(s.namespace, "default");
        assert_eq!(s.namespace_source, NamespaceSource::Flag);
        assert_eq!(s.field_manager, "ops", "the config's manager when no flag");
    }

    #[test]
    fn context_then_config_then_default() {
        let flags = Flags::default();
        let team = config("namespace = \"team-a\"\n");
        let with_ns = Settings::resolve(&flags, &team, None);
        assert_eq!(
            (with_ns.namespace.as_str(), with_ns.namespace_source),
            ("team-a", NamespaceSource::Config)
        );
        let from_context = Settings::resolve(&flags, &team, Some("ctx"));
        assert_eq!(
            (
                from_context.namespace.as_str(),
                from_context.namespace_source
            ),
            ("ctx", NamespaceSource::Context)
        );
        let fallback = Settings::resolve(&flags, &config(""), None);
        assert_eq!(
            (fallback.namespace.as_str(), fallback.namespace_source),
            ("default", NamespaceSource::Default)
        );
        assert_eq!(fallback.field_manager, "kdrift");
        assert!(!fallback.readonly);
    }

    #[test]
    fn readonly_from_either_and_manager_flag_wins() {
        let c = config("readonly = true\nfield_manager = \"ops\"\n");
        let s = Settings::resolve(
            &Flags {
                field_manager: Some("ci-bot"),
                ..Default::default()
            },
            &c,
            None,
        );
        assert!(s.readonly);
        assert_eq!(s.field_manager, "ci-bot");
    }

    #[test]
    fn colour_follows_the_flag_then_the_terminal_and_no_color() {
        use crate::cli::ColorArg::*;
        assert!(color_enabled(Always, false, true));
        assert!(!color_enabled(Never, true, false));
        assert!(color_enabled(Auto, true, false));
        assert!(!color_enabled(Auto, true, true), "NO_COLOR");
        assert!(!color_enabled(Auto, false, false), "a pipe");
    }
}
