//! `kdrift` with no subcommand: the terminal UI on the app.

use std::sync::Arc;
use std::time::Duration;

use super::ExitCode;
use crate::app::state::AppState;
use crate::app::workers::Context;
use crate::cli::{AppArgs, Cli};
use crate::cluster::Connection;
use crate::cluster::drift::{DriftOptions, DryRunCache};
use crate::config::Config;
use crate::git::AppSpec;
use crate::git::kustomize::Tool;
use crate::model::manifest::LoadOptions;

pub async fn run(conn: Connection, cli: &Cli, config: Config) -> anyhow::Result<ExitCode> {
    let readonly = cli.readonly || config.readonly;
    open(conn, &cli.app, cli.app_name.as_deref(), config, readonly).await
}

/// Opens the TUI on an app; `readonly` shuts the mutation gateway.
pub async fn open(
    conn: Connection,
    args: &AppArgs,
    app_name: Option<&str>,
    config: Config,
    readonly: bool,
) -> anyhow::Result<ExitCode> {
    // --namespace on the command line wins over the config file's default.
    let namespace = if args.namespace != "default" {
        args.namespace.clone()
    } else {
        config.namespace.clone()
    };
    let spec = AppSpec {
        repo: args.repo.clone(),
        path: args.path.clone(),
        load: LoadOptions {
            namespace: namespace.clone(),
            max_file_bytes: args.max_file_size,
        },
        kustomize: Tool {
            program: args.kustomize.clone(),
            timeout: Duration::from_secs(args.kustomize_timeout),
        },
    };
    let app = crate::git::App::open(&spec)?;
    let head = app.resolve("HEAD")?.to_hex_with_len(7).to_string();
    let name = super::diff::default_app_name(&app, app_name);
    let mut drift = DriftOptions::new(&name, &namespace);
    drift.field_manager = config.field_manager.clone();
    let mut state = AppState::new(
        conn.context.clone(),
        conn.server.clone(),
        name,
        app.path.clone(),
        head,
        config.keymap.clone(),
    );
    state.readonly = readonly;
    state.log_buffer_lines = config.log_buffer_lines;
    state.log_tail_lines = config.log_tail_lines;
    drop(app);
    let ctx = Context {
        conn,
        spec,
        drift,
        cache: Arc::new(DryRunCache::default()),
    };
    crate::app::run::run(ctx, state, config).await?;
    Ok(0)
}
