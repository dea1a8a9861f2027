//! The one masking of secret values in free text (log lines, the pager, errors): every
//! value of the app's Secrets, as Git and the cluster hold them (a live Secret's last-applied
//! annotation included), in every form text carries it: as written, base64 (padded or not,
//! standard or URL-safe), URL-encoded, JSON-escaped. Values of 6 characters or more are
//! masked wherever they occur; shorter ones only as whole tokens, so a 3-character password
//! goes while the digit in "port 80" of another line stays unless it is one.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;

use super::{LAST_APPLIED, MASK, is_secret};

/// Below this length a form is masked only where it stands alone.
pub const WHOLE_TOKEN_BELOW: usize = 6;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    /// Masked wherever they occur, longest first.
    long: Vec<String>,
    /// Masked where neither neighbour is a letter or digit.
    short: BTreeSet<String>,
}

/// Every form a value takes in text.
fn forms(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json
        .strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or_default()
        .to_string();
    // Go's encoder escapes <, > and & too; some escape the slash.
    let go_json = json
        .replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e");
    let mut out = vec![
        value.to_string(),
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
        percent(value, false, true),
        percent(value, false, false),
        percent(value, true, true),
        json.clone(),
        json.replace('/', "\\/"),
        go_json.clone(),
        go_json.replace('/', "\\/"),
    ];
    out.sort();
    out.dedup();
    out.retain(|f| !f.is_empty());
    out
}

/// Percent-encoding of everything but unreserved characters (RFC 3986), in upper or lower
/// case hex, optionally with `+` for spaces (forms).
fn percent(value: &str, plus_for_space: bool, upper: bool) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' if plus_for_space => "+".to_string(),
            _ if upper => format!("%{b:02X}"),
            _ => format!("%{b:02x}"),
        })
        .collect()
}

/// The plain values of a Secret: `stringData` as written, `data` decoded, and the same of
/// the object its last-applied annotation holds (which may be older values).
pub fn plain_values(obj: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if !is_secret(obj) {
        return out;
    }
    let strings = |field: &str| {
        obj.get(field)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.values())
            .filter_map(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    out.extend(strings("stringData"));
    for encoded in strings("data") {
        match STANDARD.decode(encoded.trim()) {
            Ok(decoded) => out.push(String::from_utf8_lossy(&decoded).into_owned()),
            // Not base64 after all: the value as written is what may leak.
            Err(_) => out.push(encoded),
        }
    }
    if let Some(last) = obj
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
        && let Ok(previous) = serde_json::from_str::<Value>(last)
    {
        out.extend(plain_values(&previous));
    }
    out
}

impl Redactor {
    pub fn new(values: impl IntoIterator<Item = String>) -> Self {
        let mut long = BTreeSet::new();
        let mut short = BTreeSet::new();
        for value in values.into_iter().filter(|v| !v.is_empty()) {
            for form in forms(&value) {
                if form.chars().count() >= WHOLE_TOKEN_BELOW {
                    long.insert(form);
                } else {
                    short.insert(form);
                }
            }
        }
        let mut long: Vec<String> = long.into_iter().collect();
        long.sort_by_key(|v| std::cmp::Reverse(v.len()));
        Redactor { long, short }
    }

    /// The values of every Secret among `objects`.
    pub fn of_objects<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Self {
        Redactor::new(objects.into_iter().flat_map(plain_values))
    }

    pub fn is_empty(&self) -> bool {
        self.long.is_empty() && self.short.is_empty()
    }

    /// How many forms it masks (for bounds and tests).
    pub fn len(&self) -> usize {
        self.long.len() + self.short.len()
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = self
            .long
            .iter()
            .fold(text.to_string(), |t, v| t.replace(v.as_str(), MASK));
        for token in &self.short {
            out = replace_whole(&out, token);
        }
        out
    }
}

/// Replaces `token` where it is not part of a longer word.
fn replace_whole(text: &str, token: &str) -> String {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut before: Option<char> = None;
    while let Some(at) = rest.find(token) {
        let prev = rest[..at].chars().next_back().or(before);
        let next = rest[at + token.len()..].chars().next();
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        if word(prev) || word(next) {
            out.push_str(token);
        } else {
            out.push_str(MASK);
        }
        before = token.chars().next_back();
        rest = &tail[token.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_encoding_of_a_value_is_masked() {
        let r = Redactor::new(["Tr0ub4dor&3/horse+staple".to_string()]);
        for form in [
            "Tr0ub4dor&3/horse+staple",
            "VHIwdWI0ZG9yJjMvaG9yc2Urc3RhcGxl",
            "Tr0ub4dor%263%2Fhorse%2Bstaple",
            "Tr0ub4dor%263%2fhorse%2bstaple",
            "Tr0ub4dor\\u00263\\/horse+staple",
            "Tr0ub4dor\\u00263/horse+staple",
        ] {
            let line = format!("login with {form} now");
            assert_eq!(r.redact(&line), "login with <masked> now", "{form}");
        }
        let unpadded = Redactor::new(["ab-secret".to_string()]);
        let b64 = STANDARD_NO_PAD.encode("ab-secret");
        assert!(!b64.ends_with('='));
        assert_eq!(unpadded.redact(&format!("x {b64} y")), "x <masked> y");
    }

    #[test]
    fn short_values_go_as_whole_tokens_only() {
        let r = Redactor::new(["x9z".to_string()]);
        assert_eq!(r.redact("pin=x9z;"), "pin=<masked>;");
        assert_eq!(r.redact("x9z"), "<masked>");
        assert_eq!(r.redact("ax9zb stays"), "ax9zb stays");
        assert_eq!(r.redact("x9z and x9z"), "<masked> and <masked>");
    }

    #[test]
    fn values_come_from_data_string_data_and_the_last_applied_leftover() {
        let secret = json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"annotations": {LAST_APPLIED: "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"p\":\"old-password\"}}"}},
            "data": {"p": STANDARD.encode("new-password")}, "stringData": {"q": "abc"}});
        let mut values = plain_values(&secret);
        values.sort();
        assert_eq!(values, ["abc", "new-password", "old-password"]);
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "visible"}});
        assert!(plain_values(&cm).is_empty());
        let r = Redactor::of_objects([&secret, &cm]);
        assert_eq!(
            r.redact("old-password new-password abc visible"),
            "<masked> <masked> <masked> visible"
        );
    }
}
