use std::process::ExitCode;

use clap::Parser;
use kdrift::cli::{Cli, Command};
use kdrift::cluster::{ConnectOptions, Connection};

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    let gateway = kdrift::model::plan::Gateway {
        readonly: cli.readonly,
    };
    match &cli.command {
        Command::Health(args) => {
            let conn = Connection::open(&options).await?;
            kdrift::cmd::health::run(&conn, args).await
        }
        Command::Render(args) => kdrift::cmd::render::run(args),
        Command::Sync(args) => {
            let conn = Connection::open(&options).await?;
            kdrift::cmd::sync::sync(&conn, args, gateway).await
        }
        Command::Rollback(args) => {
            let conn = Connection::open(&options).await?;
            kdrift::cmd::sync::rollback(&conn, args, gateway).await
        }
        Command::Diff(args) => {
            let conn = Connection::open(&options).await?;
            kdrift::cmd::diff::run(&conn, args).await
        }
        Command::History(args) => kdrift::cmd::history::run(args),
    }
}
