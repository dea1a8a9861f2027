//! Log lines as the logs pane keeps them: a bounded buffer (memory stays flat on chatty
//! pods), terminal-safe text, search matches, and the bookkeeping that lets a dropped
//! stream resume from its last timestamp without showing a line twice.

use std::collections::VecDeque;

use jiff::Timestamp;

/// The longest line kept; a pod printing megabyte lines must not grow the buffer unbounded.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Position in the whole stream (never reused), so a view can stay anchored while old
    /// lines are evicted.
    pub seq: u64,
    /// Index into the buffer's sources (`pod/container`).
    pub source: u16,
    pub ts: Option<Timestamp>,
    pub text: String,
}

/// The last `cap` lines, oldest first.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    cap: usize,
    next_seq: u64,
    sources: Vec<String>,
}

impl LogBuffer {
    pub fn new(cap: usize) -> Self {
        LogBuffer {
            lines: VecDeque::new(),
            cap: cap.max(1),
            next_seq: 0,
            sources: Vec::new(),
        }
    }

    /// The index of a source label, added on first use.
    pub fn source(&mut self, label: &str) -> u16 {
        match self.sources.iter().position(|s| s == label) {
            Some(i) => i as u16,
            None => {
                self.sources.push(label.to_string());
                (self.sources.len() - 1) as u16
            }
        }
    }

    pub fn source_label(&self, source: u16) -> &str {
        self.sources
            .get(source as usize)
            .map(String::as_str)
            .unwrap_or("?")
    }

    pub fn push(&mut self, source: u16, ts: Option<Timestamp>, text: String) {
        if self.lines.len() == self.cap {
            self.lines.pop_front();
        }
        self.lines.push_back(LogLine {
            seq: self.next_seq,
            source,
            ts,
            text,
        });
        self.next_seq += 1;
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Lines received in all, evicted ones included.
    pub fn received(&self) -> u64 {
        self.next_seq
    }

    pub fn evicted(&self) -> u64 {
        self.next_seq - self.lines.len() as u64
    }

    pub fn first_seq(&self) -> u64 {
        self.evicted()
    }

    pub fn last_seq(&self) -> Option<u64> {
        self.next_seq
            .checked_sub(1)
            .filter(|_| !self.lines.is_empty())
    }

    pub fn get(&self, seq: u64) -> Option<&LogLine> {
        let index = seq.checked_sub(self.first_seq())?;
        self.lines.get(usize::try_from(index).ok()?)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogLine> {
        self.lines.iter()
    }

    /// Lines from `seq` on (from the oldest kept when `seq` was evicted).
    pub fn from(&self, seq: u64) -> impl DoubleEndedIterator<Item = &LogLine> {
        let start = usize::try_from(seq.saturating_sub(self.first_seq()))
            .unwrap_or(usize::MAX)
            .min(self.lines.len());
        self.lines.range(start..)
    }

    /// Lines up to and including `seq`.
    fn until(&self, seq: u64) -> impl DoubleEndedIterator<Item = &LogLine> {
        let end = match seq.checked_sub(self.first_seq()) {
            Some(i) => usize::try_from(i + 1)
                .unwrap_or(usize::MAX)
                .min(self.lines.len()),
            None => 0,
        };
        self.lines.range(..end)
    }

    /// The line as shown: `[source] ` when several sources, then the timestamp if asked.
    pub fn format(&self, line: &LogLine, with_source: bool, timestamps: bool) -> String {
        let mut out = String::new();
        if with_source {
            out.push('[');
            out.push_str(self.source_label(line.source));
            out.push_str("] ");
        }
        if timestamps && let Some(ts) = line.ts {
            out.push_str(&ts.to_string());
            out.push(' ');
        }
        out.push_str(&line.text);
        out
    }

    /// The next (or previous) line at or after `from` whose text contains `query`.
    pub fn find(&self, query: &str, from: u64, forward: bool) -> Option<u64> {
        if query.is_empty() {
            return None;
        }
        let hit = |l: &&LogLine| !match_ranges(&l.text, query).is_empty();
        if forward {
            self.from(from).find(hit)
        } else {
            self.until(from).rev().find(hit)
        }
        .map(|l| l.seq)
    }
}

/// Splits a line the API sent with `timestamps=true` into its timestamp and text.
pub fn split_timestamp(raw: &str) -> (Option<Timestamp>, &str) {
    match raw.split_once(' ') {
        Some((head, rest)) => match head.parse::<Timestamp>() {
            Ok(ts) => (Some(ts), rest),
            Err(_) => (None, raw),
        },
        None => match raw.parse::<Timestamp>() {
            Ok(ts) => (Some(ts), ""),
            Err(_) => (None, raw),
        },
    }
}

/// Text safe to draw: escape sequences and control characters removed (a log line must not
/// move the cursor or retitle the terminal), tabs expanded, length capped.
pub fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_LINE_BYTES));
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() >= MAX_LINE_BYTES {
            out.push_str(" …[line cut]");
            break;
        }
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\t' => {
                let width = out.chars().count();
                out.extend(std::iter::repeat_n(' ', 8 - width % 8));
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips one escape sequence after ESC: CSI (`[` … final byte), OSC (`]` … BEL or ST), or
/// a two-character escape.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
        Some(']') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    chars.next_if_eq(&'\\');
                    break;
                }
            }
        }
        _ => {}
    }
}

/// Byte ranges of case-insensitive (ASCII) matches of `query` in `text`.
pub fn match_ranges(text: &str, query: &str) -> Vec<(usize, usize)> {
    if query.is_empty() {
        return Vec::new();
    }
    let hay = text.to_ascii_lowercase();
    let needle = query.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(i) = hay[start..].find(&needle) {
        let begin = start + i;
        out.push((begin, begin + needle.len()));
        start = begin + needle.len();
    }
    out
}

/// Where a followed stream stands, so that after a drop it can ask for lines since its
/// last timestamp (the API takes whole seconds) and skip the ones it already has.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    last: Option<Timestamp>,
    /// Lines accepted with exactly `last` as their timestamp.
    at_last: usize,
    /// While replaying after a reconnect: lines at `last` still to skip.
    skip: usize,
    replaying: bool,
}

impl Resume {
    /// Call before reconnecting; returns the `sinceTime` to ask for.
    pub fn reconnect(&mut self) -> Option<Timestamp> {
        let last = self.last?;
        self.replaying = true;
        self.skip = self.at_last;
        Timestamp::from_second(last.as_second()).ok()
    }

    /// Whether a received line is new.
    pub fn accept(&mut self, ts: Option<Timestamp>) -> bool {
        let Some(ts) = ts else {
            return true;
        };
        match self.last {
            Some(last) if self.replaying && ts < last => return false,
            Some(last) if ts == last => {
                if self.replaying && self.skip > 0 {
                    self.skip -= 1;
                    return false;
                }
                self.at_last += 1;
            }
            Some(last) if ts < last => {}
            _ => {
                self.last = Some(ts);
                self.at_last = 1;
                self.replaying = false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn buffer_is_bounded_and_keeps_sequence_numbers() {
        let mut b = LogBuffer::new(3);
        let src = b.source("web-1/app");
        for i in 0..5 {
            b.push(src, None, format!("line {i}"));
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.received(), 5);
        assert_eq!(b.evicted(), 2);
        assert_eq!(b.first_seq(), 2);
        assert_eq!(b.last_seq(), Some(4));
        assert_eq!(b.get(1), None);
        assert_eq!(
            b.from(0).count(),
            3,
            "an evicted start gives every kept line"
        );
        assert_eq!(b.from(4).map(|l| l.seq).collect::<Vec<_>>(), [4]);
        assert_eq!(b.from(9).count(), 0);
        assert_eq!(b.until(3).map(|l| l.seq).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(b.until(1).count(), 0);
        assert_eq!(b.get(3).map(|l| l.text.as_str()), Some("line 3"));
        assert_eq!(
            b.iter().map(|l| l.text.clone()).collect::<Vec<_>>(),
            ["line 2", "line 3", "line 4"]
        );
    }

    #[test]
    fn format_adds_source_and_timestamp_on_request() {
        let mut b = LogBuffer::new(10);
        let src = b.source("web-1/app");
        b.push(src, Some(ts("2026-11-26T08:00:01.5Z")), "hello".into());
        let line = b.get(0).expect("line").clone();
        assert_eq!(b.format(&line, false, false), "hello");
        assert_eq!(
            b.format(&line, true, true),
            "[web-1/app] 2026-11-26T08:00:01.5Z hello"
        );
    }

    #[test]
    fn timestamps_split_from_the_text() {
        let (t, text) = split_timestamp("2026-11-26T08:00:01.123456789Z GET /healthz 200");
        assert_eq!(t, Some(ts("2026-11-26T08:00:01.123456789Z")));
        assert_eq!(text, "GET /healthz 200");
        assert_eq!(
            split_timestamp("no timestamp here"),
            (None, "no timestamp here")
        );
        assert_eq!(split_timestamp(""), (None, ""));
    }

    #[test]
    fn clean_strips_escapes_and_controls_and_expands_tabs() {
        assert_eq!(clean("\u{1b}[31mred\u{1b}[0m text"), "red text");
        assert_eq!(clean("\u{1b}]0;new title\u{7}after"), "after");
        assert_eq!(clean("\u{1b}]8;;http://x\u{1b}\\link"), "link");
        assert_eq!(clean("a\tb"), "a       b");
        assert_eq!(clean("bell\u{7} cr\r"), "bell cr");
        let long = "x".repeat(MAX_LINE_BYTES * 2);
        let cleaned = clean(&long);
        assert!(cleaned.len() < MAX_LINE_BYTES + 20);
        assert!(cleaned.ends_with("…[line cut]"));
    }

    #[test]
    fn search_is_case_insensitive_and_finds_in_both_directions() {
        assert_eq!(match_ranges("Error: an ERROR", "error"), [(0, 5), (10, 15)]);
        assert!(match_ranges("fine", "").is_empty());
        let mut b = LogBuffer::new(10);
        let src = b.source("p/c");
        for text in ["ok", "error one", "ok", "ERROR two", "ok"] {
            b.push(src, None, text.into());
        }
        assert_eq!(b.find("error", 0, true), Some(1));
        assert_eq!(b.find("error", 2, true), Some(3));
        assert_eq!(b.find("error", 4, true), None);
        assert_eq!(b.find("error", 2, false), Some(1));
        assert_eq!(b.find("", 0, true), None);
    }

    #[test]
    fn resume_skips_lines_already_seen_after_a_reconnect() {
        let mut r = Resume::default();
        assert_eq!(r.reconnect(), None, "nothing seen: no sinceTime");
        let a = ts("2026-11-26T08:00:01.100Z");
        let b = ts("2026-11-26T08:00:01.200Z");
        assert!(r.accept(Some(a)));
        assert!(r.accept(Some(b)));
        assert!(r.accept(Some(b)), "two lines may share a timestamp");
        assert_eq!(r.reconnect(), Some(ts("2026-11-26T08:00:01Z")));
        // The API replays the whole second.
        assert!(!r.accept(Some(a)));
        assert!(!r.accept(Some(b)));
        assert!(!r.accept(Some(b)));
        let c = ts("2026-11-26T08:00:01.300Z");
        assert!(r.accept(Some(c)));
        // Outside a replay, an out-of-order line is kept.
        assert!(r.accept(Some(a)));
    }
}
