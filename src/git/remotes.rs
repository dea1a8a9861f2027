//! The repository's remotes, to match apps a controller declares by their `repoURL`.

/// The fetch URLs of every remote, as written in the repository's configuration.
pub fn urls(repo: &gix::Repository) -> Vec<String> {
    let mut out = Vec::new();
    for name in repo.remote_names() {
        let Ok(remote) = repo.find_remote(AsRef::<gix::bstr::BStr>::as_ref(&name)) else {
            continue;
        };
        if let Some(url) = remote.url(gix::remote::Direction::Fetch) {
            out.push(url.to_bstring().to_string());
        }
    }
    out
}
