//! `kdrift` with no subcommand: the terminal UI on the app, or, when no path is given and
//! the repository holds several apps, on the apps overview first.

use super::ExitCode;
use crate::app::handover::Handover;
use crate::app::state::{AppState, Screen};
use crate::cli::Cli;
use crate::cluster::Connection;
use crate::config::Config;
use crate::config::settings::Settings;
use crate::ops::Context;

pub async fn run(
    conn: Connection,
    cli: &Cli,
    settings: &Settings,
    config: Config,
    handover: Option<Handover>,
) -> anyhow::Result<ExitCode> {
    // Drawn before the context asks the cluster anything (discovery, the sync record).
    let _skeleton = crate::app::run::skeleton(&conn.context, &conn.server, &cli.app.path, &config)?;
    let ctx = super::app::context(&conn, &cli.app, cli.app_name.as_deref(), settings).await?;
    let apps = if cli.app.path.is_empty() {
        let app = crate::git::App::open(&ctx.spec)?;
        let head = app.resolve("HEAD")?;
        crate::git::apps::discover(&app.repo, head)?.len()
    } else {
        0
    };
    let overview = (apps > 1).then(|| (cli.app.clone(), settings.clone()));
    open(ctx, config, overview, handover).await
}

/// Opens the TUI on the app of `ctx` (its gateway decides whether it may mutate), or on
/// the overview of the repository's apps.
pub async fn open(
    ctx: Context,
    config: Config,
    overview: Option<(crate::cli::AppArgs, Settings)>,
    handover: Option<Handover>,
) -> anyhow::Result<ExitCode> {
    let app = crate::git::App::open(&ctx.spec)?;
    let head_id = app.resolve("HEAD")?;
    let full_head = head_id.to_string();
    let head = head_id.to_hex_with_len(7).to_string();
    let context = match &ctx.conn.impersonate {
        Some(user) => format!("{} as {user}", ctx.conn.context),
        None => ctx.conn.context.clone(),
    };
    let mut state = AppState::new(
        context,
        ctx.conn.server.clone(),
        ctx.drift.app.clone(),
        app.path.clone(),
        head,
        config.keymap.clone(),
    );
    drop(app);
    state.data.readonly = ctx.gateway.readonly;
    if overview.is_some() {
        state.mode.screen = Screen::Apps;
        state.mode.multi_app = true;
    } else if let Some(record) = &ctx.record
        && let Some(live) = &record.live_commit
    {
        // Which commit the cluster runs, from the record any session wrote.
        state.data.live_commit = Some(live.clone());
        if *live != full_head {
            state.data.cluster_at = Some(crate::model::logs::clean(
                &crate::model::applyset::short(live),
            ));
        }
    }
    state.logs.buffer_lines = config.log_buffer_lines;
    state.logs.tail_lines = config.log_tail_lines;
    crate::app::run::run(ctx, state, config, overview, handover).await?;
    Ok(0)
}
