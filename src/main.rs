use std::process::ExitCode;

use clap::Parser;
use kdrift::cli::{Cli, Command};
use kdrift::cluster::{ConnectOptions, Connection};

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            eprintln!("kdrift: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<u8> {
    let options = ConnectOptions {
        kubeconfig: cli.cluster.kubeconfig.clone(),
        context: cli.cluster.context.clone(),
    };
    let config = kdrift::config::Config::load(cli.config.as_deref(), cli.theme.as_deref());
    let gateway = kdrift::model::plan::Gateway {
        readonly: cli.readonly || config.readonly,
    };
    match &cli.command {
        None => {
            let conn = Connection::open(&options).await?;
            kdrift::cmd::tui::run(conn, &cli, config).await
        }
        Some(Command::Demo(args)) => kdrift::cmd::demo::run(args.down, &cli, config).await,
        Some(Command::Config(args)) => {
            if args.print_default {
                kdrift::cmd::output::print(kdrift::config::DEFAULT_FILE)?;
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
            kdrift::cmd::health::run(&conn, args).await
        }
        Some(Command::Render(args)) => kdrift::cmd::render::run(args),
        Some(Command::History(args)) => kdrift::cmd::history::run(args),
        Some(Command::Sync(args)) => {
            let conn = Connection::open(&options).await?;
            kdrift::cmd::sync::sync(&conn, args, gateway).await
        }
        Some(Command::Rollback(args)) => {
            let conn = Connection::open(&options).await?;
            kdrift::cmd::sync::rollback(&conn, args, gateway).await
        }
        Some(Command::Diff(args)) => {
            let conn = Connection::open(&options).await?;
            kdrift::cmd::diff::run(&conn, args).await
        }
    }
}
