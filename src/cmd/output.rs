//! Writing to stdout without panicking when the reader goes away (`kdrift … | head`).

use std::io::{ErrorKind, Write};

use serde::Serialize;

use crate::cli::Output;

pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A machine-readable document, as `-o json` or `-o yaml` (the same fields in both).
pub fn document<T: Serialize>(doc: &T, output: Output) -> anyhow::Result<()> {
    let text = match output {
        Output::Yaml => serde_saphyr::to_string(doc)
            .map_err(|e| anyhow::anyhow!("cannot write the YAML document: {e}"))?,
        _ => serde_json::to_string_pretty(doc)? + "\n",
    };
    print(&text)?;
    Ok(())
}
