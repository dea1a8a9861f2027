//! Turning the app arguments and the resolved settings into an opened app, and into the
//! context the shared flows run in.

use std::sync::Arc;
use std::time::Duration;

use crate::cli::AppArgs;
use crate::cluster::Connection;
use crate::cluster::drift::{DriftOptions, DryRunCache};
use crate::config::settings::Settings;
use crate::git::kustomize::Tool;
use crate::git::render::Renderers;
use crate::git::{App, AppSpec, GitError, Revision};
use crate::model::manifest::LoadOptions;
use crate::model::plan::Gateway;
use crate::ops::Context;

/// How to read the app: the one place app arguments become an `AppSpec`.
pub fn spec(args: &AppArgs, settings: &Settings) -> AppSpec {
    AppSpec {
        repo: args.repo.clone(),
        path: args.path.clone(),
        load: LoadOptions {
            namespace: settings.namespace.clone(),
            max_file_bytes: args.max_file_size,
        },
        tools: Renderers {
            kustomize: Tool {
                program: args.kustomize.clone(),
                timeout: Duration::from_secs(args.kustomize_timeout),
            },
            helm: crate::git::helm::Tool {
                program: args.helm.clone(),
                timeout: Some(Duration::from_secs(args.kustomize_timeout)),
                release: args.release.clone(),
                values: args.values.clone(),
                set: args.set.clone(),
                ..Default::default()
            },
            jsonnet: crate::git::jsonnet::Tool {
                program: args.jsonnet.clone(),
                timeout: Some(Duration::from_secs(args.kustomize_timeout)),
            },
        },
    }
}

pub fn open(args: &AppArgs, settings: &Settings) -> Result<App, GitError> {
    let mut spec = spec(args, settings);
    let app = App::open(&spec)?;
    // The app file's namespace, declared in Git, comes after a flag only.
    match app_file_namespace(&app, settings) {
        Some(ns) => {
            spec.load.namespace = ns;
            App::open(&spec)
        }
        None => Ok(app),
    }
}

fn app_file_namespace(app: &App, settings: &Settings) -> Option<String> {
    if settings.namespace_source == crate::config::settings::NamespaceSource::Flag {
        return None;
    }
    app.app_file().namespace.filter(|ns| !ns.is_empty())
}

/// The context of the shared flows (diff, sync, rollback, the TUI): the app, its name in
/// the tracking label, the field manager, the namespace and the gateway, from the settings.
pub async fn context(
    conn: &Connection,
    args: &AppArgs,
    app_name: Option<&str>,
    settings: &Settings,
) -> Result<Context, GitError> {
    let controllers = crate::cluster::controllers::list(conn).await;
    context_with(conn, args, app_name, settings, &controllers).await
}

/// Helm options the controller declares, after any given on the command line.
fn controller_helm(tool: &mut crate::git::helm::Tool, helm: &crate::model::controller::HelmSource) {
    if tool.release.is_none() {
        tool.release = helm.release_name.clone();
    }
    tool.values.extend(helm.value_files.iter().cloned());
    tool.set.extend(helm.parameters.iter().cloned());
    tool.inline_values = helm.values.clone();
}

/// As [`context`], with the controllers' apps already listed (the overview lists them once).
pub async fn context_with(
    conn: &Connection,
    args: &AppArgs,
    app_name: Option<&str>,
    settings: &Settings,
    controllers: &[crate::model::controller::ControllerApp],
) -> Result<Context, GitError> {
    let mut spec = spec(args, settings);
    // Charts render for the cluster they target (`.Capabilities`), as Argo CD does.
    let (kube_version, api_versions) = crate::cluster::discovery::capabilities(conn).await;
    spec.tools.helm.kube_version = kube_version;
    spec.tools.helm.api_versions = api_versions;
    // In a block: the repository is not held across the cluster's awaits.
    let (name, namespace, app_file, controller) = {
        let mut app = App::open(&spec)?;
        let remotes = crate::git::remotes::urls(&app.repo);
        let controller = crate::model::controller::find(controllers, &remotes, &app.path).cloned();
        let mut namespace = settings.namespace.clone();
        // Where the controller deploys, then the app file's; a flag wins over both.
        let declared = controller
            .as_ref()
            .and_then(|c| c.target_namespace.clone())
            .filter(|_| settings.namespace_source != crate::config::settings::NamespaceSource::Flag)
            .or_else(|| app_file_namespace(&app, settings));
        if let Some(ns) = declared {
            spec.load.namespace = ns.clone();
            namespace = ns;
        }
        if let Some(c) = &controller {
            controller_helm(&mut spec.tools.helm, &c.helm);
        }
        if controller.is_some() || spec.load.namespace != app.load.namespace {
            app = App::open(&spec)?;
        }
        let name = match (app_name, &controller) {
            (None, Some(c)) => crate::model::tracking::sanitize(&c.name),
            _ => default_app_name(&app, app_name),
        };
        (name, namespace, app.app_file(), controller)
    };
    let mut drift = DriftOptions::new(&name, &namespace);
    drift.field_manager = settings.field_manager.clone();
    let file = crate::git::tree::join(&spec.path, crate::model::source::APP_FILE);
    drift.ignore = crate::model::ignore::from_app_file(&file, app_file.ignore_differences);
    drift.create_namespace = app_file.create_namespace;
    if let Some(c) = &controller {
        drift.ignore.extend(c.ignore.iter().cloned());
    }
    drift.controller = controller;
    let mut ctx = Context {
        conn: conn.clone(),
        spec,
        drift,
        cache: Arc::new(DryRunCache::persistent()),
        gateway: Gateway {
            readonly: settings.readonly,
        },
        record: None,
    };
    // Read once for every front end; prune reads its inventory (the kinds synced before).
    ctx.record = super::record::read(&ctx).await.ok().flatten();
    if let Some(record) = &ctx.record {
        ctx.drift.inventory = record.group_kinds.iter().cloned().collect();
    }
    if let Some(c) = &ctx.drift.controller {
        ctx.drift
            .inventory
            .extend(c.inventory_kinds.iter().cloned());
    }
    Ok(ctx)
}

/// The revision to read (`--rev`, or the working tree with `--worktree`) and the full hash
/// of the commit, if it is one.
pub fn revision(
    app: &App,
    rev: &str,
    worktree: bool,
) -> Result<(Revision, Option<String>), GitError> {
    if worktree {
        return Ok((Revision::Worktree, None));
    }
    let id = app.resolve(rev)?.to_string();
    Ok((Revision::Rev(id.clone()), Some(id)))
}

/// The app name for the tracking label: explicit, or repository directory plus path.
pub fn default_app_name(app: &App, explicit: Option<&str>) -> String {
    match explicit {
        Some(name) => crate::model::tracking::sanitize(name),
        None => {
            let dir = app
                .root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "app".into());
            crate::model::tracking::app_name(&dir, &app.path)
        }
    }
}
