//! A review as Markdown for a pull-request comment: a summary table, then per app what
//! would happen live and each object's diff folded in `<details>`, kept under a size a code
//! host accepts (GitHub: 65,536 characters per comment), the rest summarised.

use std::fmt::Write as _;

use super::{AppReview, LiveEffects};
use crate::model::object::ObjectKey;

/// Room kept for the closing summary when the limit cuts the diffs short.
const TAIL_RESERVE: usize = 400;
/// Items of a list (prunes, overwrites, files) shown before "and N more".
const LIST_LIMIT: usize = 50;

/// Text from outside (names, paths) made inert in Markdown and HTML: no control
/// characters, no markup, no table breaks.
pub fn inline(text: &str) -> String {
    crate::model::logs::clean(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "&#124;")
        .replace('`', "&#96;")
        .replace('\n', " ")
}

fn key(k: &ObjectKey) -> String {
    let name = match &k.namespace {
        Some(ns) => format!("{}/{ns}/{}", k.kind, k.name),
        None => format!("{}/{}", k.kind, k.name),
    };
    format!("<code>{}</code>", inline(&name))
}

/// A fence longer than any run of backticks in `body`, so the body cannot close it.
fn fence(body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn count(n: usize) -> String {
    n.to_string()
}

fn live_counts(live: Option<&LiveEffects>) -> (String, String) {
    match live {
        Some(l) => (count(l.would_prune.len()), count(l.would_overwrite.len())),
        None => ("–".into(), "–".into()),
    }
}

fn list<T>(out: &mut String, title: &str, items: &[T], show: impl Fn(&T) -> String) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "**{title}**:\n");
    for item in items.iter().take(LIST_LIMIT) {
        let _ = writeln!(out, "- {}", show(item));
    }
    if items.len() > LIST_LIMIT {
        let _ = writeln!(out, "- … and {} more", items.len() - LIST_LIMIT);
    }
    out.push('\n');
}

/// The whole comment, at most `limit` characters (diffs are dropped first).
pub fn render(
    base: &str,
    head: &str,
    apps: &[AppReview],
    outside: &[String],
    limit: usize,
) -> String {
    let mut out = format!("## kdrift review `{}..{}`\n\n", inline(base), inline(head));
    if apps.is_empty() {
        out.push_str("No app is touched by this change.\n\n");
        list(&mut out, "Files under no app", outside, |f| {
            format!("<code>{}</code>", inline(f))
        });
        return out;
    }
    out.push_str("| App | Created | Changed | Deleted | Renamed | Would prune | Would overwrite live drift |\n");
    out.push_str("|---|--:|--:|--:|--:|--:|--:|\n");
    for app in apps {
        let (prune, overwrite) = live_counts(app.live.as_ref());
        let _ = writeln!(
            out,
            "| <code>{}</code> | {} | {} | {} | {} | {prune} | {overwrite} |",
            inline(if app.path.is_empty() { "." } else { &app.path }),
            app.created.len(),
            app.changed.len(),
            app.deleted.len(),
            app.renamed.len(),
        );
    }
    out.push('\n');
    list(&mut out, "Files under no app", outside, |f| {
        format!("<code>{}</code>", inline(f))
    });
    let mut left_out = 0;
    for app in apps {
        let _ = writeln!(
            out,
            "### <code>{}</code>\n",
            inline(if app.path.is_empty() { "." } else { &app.path })
        );
        if app.object_changes() == 0 {
            out.push_str("No object changes.\n\n");
        }
        lists(&mut out, app);
        for (summary, diff) in details(app) {
            let block = detail_block(&summary, &diff);
            if left_out > 0 || out.len() + block.len() + TAIL_RESERVE > limit {
                left_out += 1;
                continue;
            }
            out.push_str(&block);
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "… {left_out} more object diffs left out to keep this under {limit} characters: run `kdrift review {}..{}` to see them all.",
            inline(base),
            inline(head)
        );
    }
    out
}

fn lists(out: &mut String, app: &AppReview) {
    list(out, "Errors", &app.errors, |e| inline(e));
    if let Some(live) = &app.live {
        list(
            out,
            "Would overwrite live drift",
            &live.would_overwrite,
            |o| {
                format!(
                    "{} <code>{}</code> (set by {})",
                    key(&o.key),
                    inline(&o.field),
                    inline(&o.manager)
                )
            },
        );
        list(out, "Would prune", &live.would_prune, key);
        list(out, "Not judged live", &live.unknown, |(k, why)| {
            format!("{}: {}", key(k), inline(why))
        });
    }
    list(
        out,
        "Files that change no object",
        &app.files_without_object_change,
        |f| format!("<code>{}</code>", inline(f)),
    );
}

/// Each object's summary line and diff.
fn details(app: &AppReview) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (what, changes) in [
        ("created", &app.created),
        ("changed", &app.changed),
        ("deleted", &app.deleted),
    ] {
        for c in changes {
            out.push((
                format!(
                    "{what} {} (+{} −{}) from <code>{}</code>",
                    key(&c.key),
                    c.diff.added,
                    c.diff.removed,
                    inline(&c.source)
                ),
                c.diff.unified.clone(),
            ));
        }
    }
    for r in &app.renamed {
        out.push((
            format!("renamed {} → {}", key(&r.from), key(&r.to)),
            r.diff.unified.clone(),
        ));
    }
    out
}

fn detail_block(summary: &str, diff: &str) -> String {
    let body: String = diff
        .lines()
        .map(|l| crate::model::logs::clean(l) + "\n")
        .collect();
    let fence = fence(&body);
    format!("<details><summary>{summary}</summary>\n\n{fence}diff\n{body}{fence}\n\n</details>\n\n")
}

/// Text the TUI exports (a diff pane, a plan) as a titled Markdown code block.
pub fn text_block(title: &str, body: &str) -> String {
    let body: String = body
        .lines()
        .map(|l| crate::model::logs::clean(l) + "\n")
        .collect();
    let fence = fence(&body);
    format!("## {}\n\n{fence}diff\n{body}{fence}\n", inline(title))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_outgrows_any_backticks_in_the_body() {
        assert_eq!(fence("plain"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }

    #[test]
    fn names_cannot_inject_markup() {
        let hostile = "x|</code><script>alert(1)</script>`\n\u{1b}]0;t\u{7}";
        let shown = inline(hostile);
        for bad in ["|", "<", ">", "`", "\n", "\u{1b}", "\u{7}"] {
            assert!(!shown.contains(bad), "{bad:?} in {shown:?}");
        }
    }
}
