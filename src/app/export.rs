//! `e`: what the screen shows, as Markdown, for an incident note or an audit record: the
//! plan in a popup, else the comparison of the marked commit, else the diff pane.

use super::msg::Command;
use super::popup::Stage;
use super::state::AppState;
use crate::model::review::markdown;

pub fn export(state: &mut AppState) -> Vec<Command> {
    let short = |c: &str| c[..c.len().min(7)].to_string();
    if let Some(popup) = &state.popup.current
        && let Stage::Plan(plan, _) = &popup.stage
    {
        let rev = popup.short.clone().unwrap_or_else(|| "HEAD".into());
        let text = crate::model::plan::render(plan, &rev);
        return vec![Command::Export {
            what: "plan".into(),
            markdown: markdown::text_block(&format!("kdrift plan: {}", state.data.app_name), &text),
        }];
    }
    if let (Some(marked), Some(Ok(review))) = (&state.history.marked, &state.history.review) {
        let head = state
            .history
            .selected_commit
            .as_deref()
            .map(short)
            .unwrap_or_else(|| state.data.head.clone());
        return vec![Command::Export {
            what: "review".into(),
            markdown: markdown::render(
                &short(marked),
                &head,
                std::slice::from_ref(&**review),
                &[],
                usize::MAX,
            ),
        }];
    }
    let text = super::view::diff_text(state);
    if text.trim().is_empty() {
        state.mode.notice = Some("nothing to export: select an object, or mark a commit".into());
        return Vec::new();
    }
    let title = state
        .selected_object()
        .map(|k| format!("kdrift: {k}"))
        .unwrap_or_else(|| format!("kdrift: {}", state.data.app_name));
    vec![Command::Export {
        what: "diff".into(),
        markdown: markdown::text_block(&title, &text),
    }]
}
