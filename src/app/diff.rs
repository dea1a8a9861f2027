//! The diff pane's data: the lens, the scroll, and the highlighted text (the newest
//! request wins). A leaf of `app/`.

use super::data::{Highlighted, Lens};

#[derive(Debug, Clone)]
pub struct DiffPane {
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
            scroll: 0,
            lens: Lens::Preview,
            highlighted: None,
            highlight_requested: String::new(),
            highlight_gen: 0,
        }
    }
}
