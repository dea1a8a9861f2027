//! The apps of a repository, found in HEAD's tree: every kustomization, chart and jsonnet
//! app that no other app uses as a base or dependency, and every directory of manifests
//! not inside another app. A stable order: by path.

use std::collections::BTreeSet;

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use super::GitError;
use super::files::CommitFiles;
use super::inputs::Inputs;
use super::tree::{entries, join};
use crate::model::manifest::is_manifest_file;
use crate::model::source::{SourceKind, detect};

/// An app found in the repository.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FoundApp {
    pub path: String,
    pub kind: SourceKind,
    /// Declared in the root app file: its name and namespace.
    pub name: Option<String>,
    pub namespace: Option<String>,
}

/// Whether a blob looks like a Kubernetes manifest (without parsing it).
fn looks_like_manifest(repo: &gix::Repository, id: ObjectId) -> bool {
    repo.find_blob(id).is_ok_and(|b| {
        let text = String::from_utf8_lossy(&b.data);
        text.contains("apiVersion") && text.contains("kind")
    })
}

fn walk(
    repo: &gix::Repository,
    dir: &str,
    tree: ObjectId,
    found: &mut Vec<FoundApp>,
) -> Result<(), GitError> {
    let entries = entries(repo, Some(tree))?;
    let names: Vec<String> = entries.keys().cloned().collect();
    let kind = detect(&names);
    // A source, or a directory of manifests (what is under it belongs to it).
    let is_app = kind != SourceKind::Plain
        || (!dir.is_empty()
            && entries.iter().any(|(name, (id, k))| {
                matches!(k, EntryKind::Blob | EntryKind::BlobExecutable)
                    && is_manifest_file(name)
                    && looks_like_manifest(repo, *id)
            }));
    if is_app {
        found.push(FoundApp {
            path: dir.to_string(),
            kind,
            name: None,
            namespace: None,
        });
        return Ok(());
    }
    for (name, (id, k)) in entries {
        if k == EntryKind::Tree && !name.starts_with('.') {
            walk(repo, &join(dir, &name), id, found)?;
        }
    }
    Ok(())
}

/// The apps of the repository at a commit.
pub fn discover(repo: &gix::Repository, commit: ObjectId) -> Result<Vec<FoundApp>, GitError> {
    let root_tree = super::tree::AppTree::at(repo, commit, "")?.root_tree;
    let mut found = Vec::new();
    walk(repo, "", root_tree, &mut found)?;
    // Bases, components and local dependencies of other apps are parts, not apps.
    let files = CommitFiles { repo, root_tree };
    let mut parts: BTreeSet<String> = BTreeSet::new();
    for app in found.iter().filter(|a| a.kind != SourceKind::Plain) {
        let inputs = Inputs::at(&files, &app.path)?;
        for p in inputs.paths {
            let dir = p
                .strip_suffix("/kustomization.yaml")
                .or_else(|| p.strip_suffix("/kustomization.yml"))
                .or_else(|| p.strip_suffix("/Kustomization"))
                .unwrap_or(&p);
            if dir != app.path {
                parts.insert(dir.to_string());
            }
        }
    }
    found.retain(|a| !parts.contains(&a.path));
    // Apps the root app file declares: added, or their found entry given a name.
    for declared in Inputs::at(&files, "")?.app_file.apps {
        let Ok(path) = super::app::normalise_path(&declared.path) else {
            continue;
        };
        let kind = crate::model::source::detect(&files.names_in(&path)?);
        found.retain(|a| a.path != path);
        found.push(FoundApp {
            path,
            kind,
            name: declared.name,
            namespace: declared.namespace,
        });
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}
