//! The logs pane: a header with the stream's state and the search, then the lines that fit,
//! from the newest up while following, from the anchored line down while paused.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::logs::LogsView;
use crate::config::theme::Theme;
use crate::model::logs::{LogLine, match_ranges};

/// The pane's frame: borders, then a header line.
fn frame_block() -> Block<'static> {
    Block::default().borders(Borders::ALL)
}

/// Where the log lines go in a pane drawn on `area`.
pub fn body(area: Rect) -> Rect {
    let inner = frame_block().inner(area);
    Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    }
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, view: &LogsView, theme: &Theme) {
    let block = frame_block()
        .border_style(Style::default().fg(theme.focus))
        .title(Span::styled(
            format!(" Logs: {} ", view.title),
            Style::default()
                .fg(theme.title)
                .add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let header = Rect { height: 1, ..inner };
    let body = body(area);
    let mut head = vec![Span::styled(
        view.summary(),
        Style::default().fg(theme.muted),
    )];
    if view.search_editing || !view.search.is_empty() {
        let cursor = if view.search_editing { "▏" } else { "" };
        head.push(Span::styled(
            format!("  /{}{cursor}", view.search),
            Style::default().fg(theme.focus),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(head)), header);

    let lines = visible(view, body.width as usize, body.height as usize);
    let rendered: Vec<Line> = lines.iter().map(|l| styled(view, l, theme)).collect();
    let mut paragraph = Paragraph::new(rendered);
    if view.wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    } else {
        paragraph = paragraph.scroll((0, view.hscroll));
    }
    frame.render_widget(paragraph, body);
}

/// The logical lines that fill `height` rows of `width` columns.
fn visible(view: &LogsView, width: usize, height: usize) -> Vec<&LogLine> {
    let rows_of = |l: &LogLine| -> usize {
        if !view.wrap || width == 0 {
            return 1;
        }
        let text = view.buffer.format(l, view.with_source(), view.timestamps);
        Line::from(text).width().max(1).div_ceil(width)
    };
    let mut out = Vec::new();
    let mut used = 0;
    if view.follow {
        for line in view.buffer.iter().rev() {
            used += rows_of(line);
            if used > height && !out.is_empty() {
                break;
            }
            out.push(line);
        }
        out.reverse();
    } else {
        for line in view.buffer.from(view.top) {
            if used >= height {
                break;
            }
            used += rows_of(line);
            out.push(line);
        }
    }
    out
}

fn styled(view: &LogsView, line: &LogLine, theme: &Theme) -> Line<'static> {
    let muted = Style::default().fg(theme.muted);
    let text_style = Style::default().fg(theme.text);
    let mut spans = Vec::new();
    if view.with_source() {
        spans.push(Span::styled(
            format!("[{}] ", view.buffer.source_label(line.source)),
            muted,
        ));
    }
    if view.timestamps
        && let Some(ts) = line.ts
    {
        spans.push(Span::styled(format!("{ts} "), muted));
    }
    let mut at = 0;
    for (start, end) in match_ranges(&line.text, &view.search) {
        spans.push(Span::styled(line.text[at..start].to_string(), text_style));
        spans.push(Span::styled(
            line.text[start..end].to_string(),
            theme.selection().add_modifier(Modifier::BOLD),
        ));
        at = end;
    }
    spans.push(Span::styled(line.text[at..].to_string(), text_style));
    Line::from(spans)
}
