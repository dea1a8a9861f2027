//! Text from outside (file names, object names, field managers, commit messages, error
//! messages quoting them) made inert before it reaches a terminal or a text output: control
//! characters, escape sequences and bidirectional overrides are shown escaped (`\x1b`,
//! `\n`, `\u{202e}`), never acted on, so a file name cannot retitle the terminal, move the
//! cursor or start a new line of YAML.

use std::fmt::Write as _;

/// Bidirectional formatting characters that reorder what a terminal shows (Trojan Source).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The text with every control character escaped; plain text is returned unchanged.
pub fn inert(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_escapes_and_bidi_overrides_are_shown_not_acted_on() {
        assert_eq!(inert("app/web.yaml"), "app/web.yaml");
        assert_eq!(
            inert("a\u{1b}]0;owned\u{7}b\nc\rd"),
            "a\\x1b]0;owned\\x07b\\nc\\rd"
        );
        assert_eq!(inert("x\u{9b}31m"), "x\\x9b31m", "C1 CSI");
        assert_eq!(inert("evil\u{202e}lmth.exe"), "evil\\u{202e}lmth.exe");
        for hostile in ["\u{1b}[2J", "a\u{0}b", "\u{7f}"] {
            assert!(!inert(hostile).chars().any(char::is_control), "{hostile:?}");
        }
    }
}
