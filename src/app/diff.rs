//! The diff pane: the lens, the scroll, the text shown (computed once per change, read by
//! the drawing) and its highlighting (the newest request wins).

use super::data::{Highlighted, Lens};
use super::msg::Command;

#[derive(Debug, Clone)]
pub struct DiffPane {
    /// What the pane shows for the selection, its Git side and lens, as last computed.
    pub text: String,
    pub scroll: u16,
    pub lens: Lens,
    pub highlighted: Option<Highlighted>,
    /// The text last sent for highlighting.
    pub highlight_requested: String,
    pub highlight_gen: u64,
}

impl Default for DiffPane {
    fn default() -> Self {
        DiffPane {
            text: String::new(),
            scroll: 0,
            lens: Lens::Preview,
            highlighted: None,
            highlight_requested: String::new(),
            highlight_gen: 0,
        }
    }
}

impl DiffPane {
    pub fn scroll_by(&mut self, delta: isize) {
        self.scroll = (self.scroll as isize + delta).max(0) as u16;
    }

    pub fn toggle_lens(&mut self) {
        self.lens = match self.lens {
            Lens::Preview => Lens::Drift,
            Lens::Drift => Lens::Preview,
        };
        self.scroll = 0;
    }

    /// Keeps the text to show; when it changed, asks for its highlighting.
    pub fn show(&mut self, text: String) -> Vec<Command> {
        let changed = text != self.highlight_requested;
        self.text = text;
        if self.text.is_empty() || !changed {
            return Vec::new();
        }
        self.highlight_requested = self.text.clone();
        self.highlight_gen += 1;
        vec![Command::Highlight {
            generation: self.highlight_gen,
            text: self.text.clone(),
        }]
    }

    pub fn on_highlighted(&mut self, generation: u64, highlighted: Highlighted) {
        if generation == self.highlight_gen {
            self.highlighted = Some(highlighted);
        }
    }
}
