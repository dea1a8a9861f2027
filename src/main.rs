use std::process::ExitCode;

use std::io::IsTerminal;

use kdrift::cli::{Cli, Command};
use kdrift::cluster::connect::{context_namespace, parse_request_timeout};
use kdrift::cluster::{ConnectOptions, Connection};
use kdrift::config::settings::{Flags, Settings, color_enabled, no_color_env};

fn main() -> ExitCode {
    kdrift::logging::mark_start();
    kdrift::memory::limit_arenas();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args
        .get(1)
        .is_some_and(|a| a == kdrift::cluster::exec_handover::SHIM_ARG)
    {
        return ExitCode::from(kdrift::cmd::exec_shim::run(&args[2..]));
    }
    let cli = kdrift::cli::parse();
    kdrift::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kdrift: error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            tracing::error!("{e:#}");
            // Errors quote file names, objects and servers: none may act on the terminal.
            eprintln!(
                "kdrift: error: {}",
                kdrift::model::text::inert(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}

// Over 80 lines: one arm per subcommand, each resolving its settings and connection the
// same way; a table of them would hide that sameness.
async fn run(cli: Cli) -> anyhow::Result<u8> {
    let mut options = ConnectOptions {
        kubeconfig: cli.cluster.kubeconfig.clone(),
        context: cli.cluster.context.clone(),
        impersonate: cli.cluster.impersonate.clone(),
        impersonate_groups: cli.cluster.impersonate_groups.clone(),
        request_timeout: parse_request_timeout(&cli.cluster.request_timeout)
            .map_err(anyhow::Error::msg)?,
        terminal_handover: None,
    };
    let mut config = kdrift::config::Config::load(cli.config.as_deref(), cli.theme.as_deref());
    let color = color_enabled(
        cli.cluster.color,
        std::io::stdout().is_terminal(),
        no_color_env(),
    );
    // The terminal UI is always on a terminal: only the flag and NO_COLOR decide.
    if !color_enabled(cli.cluster.color, true, no_color_env()) {
        config.theme = config.theme.without_color();
    }
    // Settings are resolved here, once, and every front end takes them as they are.
    let settings = |namespace: Option<&str>| {
        Settings::resolve(
            &Flags {
                namespace,
                field_manager: cli.field_manager.as_deref(),
                readonly: cli.readonly,
                color,
            },
            &config,
            context_namespace(&options).as_deref(),
        )
    };
    // A subcommand's own `-n` wins; one given before the subcommand (`kdrift -n foo diff`,
    // as kubectl takes it) counts too.
    let app_settings = |app: &kdrift::cli::AppArgs| {
        settings(app.namespace.as_deref().or(cli.app.namespace.as_deref()))
    };
    match &cli.command {
        None => {
            let settings = app_settings(&cli.app);
            // Before connecting: the client's exec plugin is routed through it.
            let handover = kdrift::app::handover::Handover::start()
                .inspect_err(|e| tracing::warn!("no terminal hand-over for exec plugins: {e}"))
                .ok();
            options.terminal_handover = handover.as_ref().map(|h| h.socket.clone());
            let conn = Connection::open(&options).await?;
            kdrift::cmd::tui::run(conn, &cli, &settings, config, handover).await
        }
        Some(Command::Completion(args)) => kdrift::cmd::meta::completion(args.shell),
        Some(Command::Man) => kdrift::cmd::meta::man(),
        Some(Command::Version(args)) => kdrift::cmd::meta::version(args.output),
        Some(Command::Demo(args)) => {
            let settings = settings(Some(kdrift::cmd::demo::NAMESPACE));
            kdrift::cmd::demo::run(args.down, &cli, &settings, config).await
        }
        Some(Command::Config(args)) => {
            if args.print_default {
                kdrift::cmd::output::print(&kdrift::config::default_file())?;
            } else {
                let path = kdrift::config::default_path();
                println!(
                    "{}",
                    path.map(|p| p.display().to_string())
                        .unwrap_or_else(|| "no config directory on this system".into())
                );
                for w in &config.warnings {
                    eprintln!("kdrift: warning: {w}");
                }
            }
            Ok(0)
        }
        Some(Command::Health(args)) => {
            let conn = Connection::open(&options).await?;
            kdrift::cmd::health::run(&conn, args, &settings(None)).await
        }
        Some(Command::Render(args)) => kdrift::cmd::render::run(args, &app_settings(&args.app)),
        Some(Command::History(args)) => {
            // The cluster only adds the live badge: history works without it.
            let conn = Connection::open(&options).await.ok();
            let settings = app_settings(&args.app);
            kdrift::cmd::history::run(args, &settings, conn.as_ref()).await
        }
        Some(Command::Sync(args)) => {
            let settings = app_settings(&args.app);
            let conn = Connection::open(&options).await?;
            kdrift::cmd::sync::sync(&conn, args, &settings).await
        }
        Some(Command::Rollback(args)) => {
            let settings = app_settings(&args.app);
            let conn = Connection::open(&options).await?;
            kdrift::cmd::sync::rollback(&conn, args, &settings).await
        }
        Some(Command::Apps(args)) => {
            let settings = app_settings(&args.app);
            let conn = Connection::open(&options).await?;
            kdrift::cmd::apps::run(&conn, args, &settings).await
        }
        Some(Command::Review(args)) => {
            let settings = app_settings(&args.app);
            // Offline unless asked: a review needs no cluster.
            let conn = match args.live {
                true => Some(Connection::open(&options).await?),
                false => None,
            };
            kdrift::cmd::review::run(args, &settings, conn.as_ref()).await
        }
        Some(Command::Log(args)) => {
            let settings = app_settings(&args.app);
            let conn = Connection::open(&options).await?;
            kdrift::cmd::log::run(&conn, args, &settings).await
        }
        Some(Command::Diff(args)) => {
            let settings = app_settings(&args.app);
            let conn = Connection::open(&options).await?;
            kdrift::cmd::diff::run(&conn, args, &settings).await
        }
    }
}
