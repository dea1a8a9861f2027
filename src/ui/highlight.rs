//! YAML highlighting for the diff pane (syntect), run by a worker off the UI loop.

use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::ThemeSet;
use syntect::parsing::SyntaxSet;

use crate::app::state::{Highlighted, SpanStyle};

fn sets() -> &'static (SyntaxSet, ThemeSet) {
    static SETS: OnceLock<(SyntaxSet, ThemeSet)> = OnceLock::new();
    SETS.get_or_init(|| {
        (
            SyntaxSet::load_defaults_newlines(),
            ThemeSet::load_defaults(),
        )
    })
}

/// Splits each diff line into its marker (in theme colours) and its YAML (syntax colours).
pub fn highlight(text: &str, syntax_theme: &str) -> Highlighted {
    let (syntaxes, themes) = sets();
    let syntax = syntaxes
        .find_syntax_by_extension("yaml")
        .unwrap_or_else(|| syntaxes.find_syntax_plain_text());
    // No syntax theme (colour turned off): the diff markers only.
    let theme = if syntax_theme.is_empty() {
        None
    } else {
        themes
            .themes
            .get(syntax_theme)
            .or_else(|| themes.themes.values().next())
    };
    let mut lines = Vec::new();
    let mut highlighter = theme.map(|t| HighlightLines::new(syntax, t));
    for line in text.lines() {
        let (marker, rest, style) =
            if line.starts_with("+++") || line.starts_with("---") || line.starts_with('#') {
                (line, "", SpanStyle::Muted)
            } else if line.starts_with("@@") {
                (line, "", SpanStyle::Hunk)
            } else if let Some(rest) = line.strip_prefix('+') {
                ("+", rest, SpanStyle::Added)
            } else if let Some(rest) = line.strip_prefix('-') {
                ("-", rest, SpanStyle::Removed)
            } else {
                ("", line, SpanStyle::Plain)
            };
        let mut spans = vec![(style, marker.to_string())];
        if !rest.is_empty() {
            let owned = format!("{rest}\n");
            match highlighter
                .as_mut()
                .and_then(|h| h.highlight_line(&owned, syntaxes).ok())
            {
                // Changed lines keep their diff colour, so added/removed stay obvious.
                Some(ranges) if style == SpanStyle::Plain => {
                    for (s, piece) in ranges {
                        let c = s.foreground;
                        spans.push((
                            SpanStyle::Rgb(c.r, c.g, c.b),
                            piece.trim_end_matches('\n').to_string(),
                        ));
                    }
                }
                _ => spans.push((style, rest.to_string())),
            }
        }
        lines.push(spans);
    }
    Highlighted {
        source: text.to_string(),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_keep_diff_colours_and_context_gets_syntax_colours() {
        let h = highlight(
            "# head\n@@ -1 +1 @@\n-a: 1\n+a: 2\n b: text\n",
            "base16-ocean.dark",
        );
        assert_eq!(h.lines.len(), 5);
        assert_eq!(h.lines[0][0].0, SpanStyle::Muted);
        assert_eq!(h.lines[1][0].0, SpanStyle::Hunk);
        assert_eq!(
            h.lines[2],
            vec![
                (SpanStyle::Removed, "-".into()),
                (SpanStyle::Removed, "a: 1".into())
            ]
        );
        assert!(
            h.lines[4]
                .iter()
                .any(|(s, _)| matches!(s, SpanStyle::Rgb(..)))
        );
    }
}
