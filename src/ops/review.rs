//! `kdrift review`: what a change (BASE..HEAD) does to each app it touches, rendered at both
//! commits and compared object by object, offline; with a cluster, also what a sync of HEAD
//! would overwrite or prune there now. The CLI and the TUI's marked-commit view share it.

use gix::ObjectId;
use serde::Serialize;

use crate::cli::AppArgs;
use crate::cluster::Connection;
use crate::config::settings::Settings;
use crate::git::apps::{FoundApp, discover};
use crate::git::tree::{FileChange, changed_files};
use crate::git::{App, GitError};
use crate::model::review::{AppReview, compare, live_effects};
use crate::model::source::SourceKind;

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub base: String,
    pub head: String,
    /// Apps the change touches (their objects or their files), each compared.
    pub apps: Vec<AppReview>,
    /// Files of the change under no app (every app reviewed): they change no object.
    pub files_outside_apps: Vec<String>,
}

impl Review {
    pub fn object_changes(&self) -> usize {
        self.apps.iter().map(AppReview::object_changes).sum()
    }
}

/// Splits `BASE..HEAD` (HEAD defaults to `HEAD`); a single revision is its own base.
pub fn parse_range(range: &str) -> Result<(String, String), String> {
    match range.split_once("..") {
        Some((base, head)) if !base.is_empty() && !head.starts_with('.') => Ok((
            base.to_string(),
            if head.is_empty() { "HEAD" } else { head }.to_string(),
        )),
        _ => Err(format!(
            "{range:?} is not a range: write BASE..HEAD (HEAD may be left out), or use --base"
        )),
    }
}

fn tree_of(app: &App, commit: ObjectId) -> Result<ObjectId, GitError> {
    Ok(app
        .repo
        .find_commit(commit)
        .map_err(GitError::read)?
        .tree_id()
        .map_err(GitError::read)?
        .detach())
}

fn under(path: &str, file: &str) -> bool {
    path.is_empty() || file == path || file.starts_with(&format!("{path}/"))
}

/// The apps to compare: `--path` when given (as the user's arguments say), else every app
/// found at either commit.
fn apps_at(
    app: &App,
    base: ObjectId,
    head: ObjectId,
    args: &AppArgs,
    app_name: Option<String>,
) -> Result<Vec<FoundApp>, GitError> {
    if !args.path.is_empty() {
        let kind = kind_at(app, head)?;
        return Ok(vec![FoundApp {
            path: app.path.clone(),
            kind,
            name: app_name,
            namespace: None,
        }]);
    }
    let mut found = discover(&app.repo, head)?;
    for old in discover(&app.repo, base)? {
        if !found.iter().any(|f| f.path == old.path) {
            found.push(old);
        }
    }
    Ok(found)
}

/// Compares every app the change touches; `conn` adds the live part.
pub async fn review(
    args: &AppArgs,
    settings: &Settings,
    base: &str,
    head: &str,
    app_name: Option<&str>,
    conn: Option<&Connection>,
) -> Result<Review, String> {
    let (args, settings) = (args.clone(), settings.clone());
    let (base, head) = (base.to_string(), head.to_string());
    let name = app_name.map(str::to_string);
    let (review, contexts) =
        tokio::task::spawn_blocking(move || offline(&args, &settings, &base, &head, name))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    let Some(conn) = conn else {
        return Ok(review);
    };
    with_live(review, contexts, conn).await
}

/// The files that differ between two commits, read once for all the apps compared.
fn files_between(app: &App, base: ObjectId, head: ObjectId) -> Result<Vec<FileChange>, GitError> {
    let mut files: Vec<FileChange> = Vec::new();
    changed_files(
        &app.repo,
        Some(tree_of(app, base)?),
        Some(tree_of(app, head)?),
        "",
        &mut files,
    )?;
    Ok(files)
}

/// One app's comparison of two commits (the CLI per app, the TUI's marked commit); `files`
/// are the change's, from [`files_between`].
pub fn compare_app(
    app: &App,
    base: ObjectId,
    head: ObjectId,
    kind: SourceKind,
    files: &[FileChange],
) -> Result<AppReview, GitError> {
    let touched: Vec<String> = files
        .iter()
        .filter(|f| under(&app.path, &f.path))
        .map(|f| crate::model::logs::clean(&f.path))
        .collect();
    // An app the change adds (or removes) has no objects on the other side.
    let at = |id: ObjectId| match exists(app, id) {
        Ok(false) => crate::model::desired::DesiredSet::default(),
        _ => app
            .desired_at(id)
            .unwrap_or_else(|e| error_set(&app.path, &e)),
    };
    Ok(compare(
        &app.path,
        &at(base),
        &at(head),
        &touched,
        kind == SourceKind::Plain,
        crate::model::diff::DEFAULT_DEADLINE,
    ))
}

/// The TUI's comparison of two commits of the app it shows.
pub fn compare_commits(
    spec: &crate::git::AppSpec,
    base: &str,
    head: &str,
) -> Result<AppReview, GitError> {
    let app = App::open(spec)?;
    let (base, head) = (app.resolve(base)?, app.resolve(head)?);
    let kind = kind_at(&app, head)?;
    let files = files_between(&app, base, head)?;
    compare_app(&app, base, head, kind, &files)
}

fn kind_at(app: &App, commit: ObjectId) -> Result<SourceKind, GitError> {
    let files = crate::git::files::CommitFiles {
        repo: &app.repo,
        root_tree: tree_of(app, commit)?,
    };
    Ok(crate::model::source::detect(&files.names_in(&app.path)?))
}

/// What `--live` needs per app: its arguments, settings, name and HEAD.
type LiveInputs = Vec<(AppArgs, Settings, Option<String>, ObjectId)>;

fn offline(
    args: &AppArgs,
    settings: &Settings,
    base: &str,
    head: &str,
    app_name: Option<String>,
) -> Result<(Review, LiveInputs), GitError> {
    let root = crate::ops::context::open(args, settings)?;
    let (base_id, head_id) = (root.resolve(base)?, root.resolve(head)?);
    let mut review = Review {
        base: base_id.to_hex_with_len(7).to_string(),
        head: head_id.to_hex_with_len(7).to_string(),
        apps: Vec::new(),
        files_outside_apps: Vec::new(),
    };
    let mut live = Vec::new();
    let found_apps = apps_at(&root, base_id, head_id, args, app_name)?;
    let files = files_between(&root, base_id, head_id)?;
    if args.path.is_empty() {
        review.files_outside_apps = files
            .iter()
            .filter(|f| !found_apps.iter().any(|a| under(&a.path, &f.path)))
            .map(|f| crate::model::logs::clean(&f.path))
            .collect();
    }
    for found in found_apps {
        let (app_args, app_settings) = crate::ops::apps::app_args(args, &found, settings);
        let app = crate::ops::context::open(&app_args, &app_settings)?;
        let compared = compare_app(&app, base_id, head_id, found.kind, &files)?;
        let touched = !compared.files_without_object_change.is_empty();
        if compared.object_changes() > 0 || touched || !compared.errors.is_empty() {
            review.apps.push(compared);
            live.push((app_args, app_settings, found.name.clone(), head_id));
        }
    }
    Ok((review, live))
}

fn exists(app: &App, commit: ObjectId) -> Result<bool, GitError> {
    let files = crate::git::files::CommitFiles {
        repo: &app.repo,
        root_tree: tree_of(app, commit)?,
    };
    Ok(files.entry(&app.path)?.is_some())
}

/// A side that could not be read at all reads as one error, not as "every object deleted".
fn error_set(path: &str, e: &GitError) -> crate::model::desired::DesiredSet {
    let mut set = crate::model::desired::DesiredSet::default();
    set.errors.push(crate::model::manifest::LoadError {
        file: if path.is_empty() {
            ".".into()
        } else {
            path.to_string()
        },
        line: None,
        column: None,
        message: e.to_string(),
    });
    set
}

async fn with_live(
    mut review: Review,
    inputs: LiveInputs,
    conn: &Connection,
) -> Result<Review, String> {
    for (app_review, (args, settings, name, head)) in review.apps.iter_mut().zip(inputs) {
        let ctx = crate::ops::context::context(conn, &args, name.as_deref(), &settings)
            .await
            .map_err(|e| e.to_string())?;
        // Rendered again for the cluster it targets (a chart's `.Capabilities`).
        let (_, desired) = crate::ops::sync::desired_at(&ctx.spec, &head.to_string()).await?;
        let report = crate::cluster::drift::compute(conn, &desired, &ctx.drift, &ctx.cache)
            .await
            .map_err(|e| e.to_string())?;
        app_review.live = Some(live_effects(app_review, &report.objects));
    }
    Ok(review)
}
