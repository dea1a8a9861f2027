//! `kdrift sync` and `kdrift rollback`: plan from a dry-run, confirm, apply, prune.

use std::io::{BufRead, IsTerminal, Write};

use super::ExitCode;
use crate::cli::{RollbackArgs, SyncArgs, SyncFlags};
use crate::cluster::Connection;
use crate::config::settings::Settings;
use crate::model::plan::{Action, Plan};
use crate::ops::Context;
use crate::ops::sync::{self, Mode, Prepared, Refusal, Request, RevertRequest};

fn ask(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).is_ok()
        && matches!(answer.trim(), "y" | "Y" | "yes")
}

/// Asks unless `--yes`; refuses to ask when stdin is not a terminal.
fn confirm(flags: &SyncFlags, question: &str) -> Result<bool, String> {
    if flags.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(
            "refusing to ask for confirmation: stdin is not a terminal; pass --yes to apply".into(),
        );
    }
    Ok(ask(question))
}

fn print_event(event: crate::ops::sync::Event) {
    if let crate::ops::sync::Event::Applied(r) = event {
        match &r.outcome {
            Ok(what) => println!("  {:<9} {}  {what}", r.action.label(), r.key),
            Err(why) => println!("  {:<9} {}  FAILED: {why}", r.action.label(), r.key),
        }
    }
}

/// The shared flow of sync and rollback, over the one pipeline (`ops::sync`).
async fn run_flow(
    ctx: &Context,
    request: Request,
    flags: &SyncFlags,
    revert: Option<RevertRequest>,
) -> anyhow::Result<ExitCode> {
    let prepared = match sync::prepare(ctx, &request, &mut print_event).await {
        Ok(p) => p,
        Err(Refusal::ManifestErrors(desired)) => {
            super::render::report_problems(&desired);
            eprintln!(
                "kdrift: refusing to sync: {} manifest error(s) above; fix them first",
                desired.errors.len()
            );
            return Ok(2);
        }
        Err(Refusal::Failed(why)) => anyhow::bail!(why),
    };
    super::render::report_problems(&prepared.desired);
    let Prepared {
        plan,
        handles,
        short,
        ..
    } = &prepared;
    super::output::print(&crate::model::plan::render(
        plan,
        &format!("{} ({short}), app {}", request.rev, ctx.drift.app),
    ))?;
    if let Some(note) = sync::hooks_note(&prepared, flags.hooks) {
        println!("  {note}");
    }
    if let Some(guard) = &prepared.guard {
        println!("  ! {}", crate::model::logs::clean(&guard.warning));
    }
    if flags.dry_run {
        return Ok(0);
    }
    if let Some(guard) = &prepared.guard
        && !flags.suspend_controller
        && plan.writes() > 0
    {
        eprintln!(
            "kdrift: refusing to sync: {} syncs this app on its own and would put HEAD back; pass --suspend-controller to suspend it first (see above), or roll back with a revert commit",
            guard.controller.label()
        );
        return Ok(2);
    }
    if let Err(refusal) = ctx.gateway.allow(request.mode.mutation()) {
        eprintln!("kdrift: {refusal}");
        return Ok(2);
    }
    if let Some(nothing) = plan.nothing_to_apply(short)
        && revert.is_none()
        && (!flags.hooks || prepared.desired.hooks.is_empty())
    {
        println!("{nothing}");
        let left = plan.count(Action::Conflict) + plan.count(Action::Error);
        return Ok(if left > 0 { 1 } else { 0 });
    }
    if let Err(code) = agree(ctx, plan, flags) {
        return Ok(code);
    }
    let hooks = sync::hooks_to_run(&prepared, flags.hooks);
    let synced = prepared.synced();
    let outcome = sync::apply(
        ctx,
        plan,
        handles,
        &hooks,
        revert,
        Some(&synced),
        prepared.guard.as_ref().filter(|_| flags.suspend_controller),
        &mut print_event,
    )
    .await;
    if let Some(done) = &outcome.controller {
        println!("{}", crate::model::logs::clean(done));
    }
    if let Some(why) = &outcome.refused {
        eprintln!("kdrift: {why}");
        return Ok(2);
    }
    let summary = sync::summary(plan, &outcome);
    println!("{}", summary.text);
    let mut code = if summary.complete { 0 } else { 1 };
    match &outcome.revert {
        Some(Ok(text)) => println!("{text}"),
        Some(Err(why)) => {
            eprintln!("kdrift: {why}");
            code = code.max(1);
        }
        None => {}
    }
    Ok(code)
}

/// The confirmations: the plan, then guarded prunes (Namespaces, CRDs) again. `Err` is the
/// exit code when the user (or a missing terminal) said no.
fn agree(ctx: &Context, plan: &Plan, flags: &SyncFlags) -> Result<(), ExitCode> {
    let first = match ctx
        .drift
        .controller
        .as_ref()
        .and_then(crate::model::controller::guard)
    {
        Some(g) if flags.suspend_controller => format!(
            " (suspending {} of {} first)",
            g.controller.label(),
            crate::model::logs::clean(&format!("{} {}/{}", g.kind, g.namespace, g.name))
        ),
        _ => String::new(),
    };
    let question = format!(
        "Apply {} change(s) to context {}{first}?",
        plan.writes(),
        ctx.conn.context
    );
    match confirm(flags, &question) {
        Ok(true) => {}
        Ok(false) => {
            println!("Nothing applied.");
            return Err(1);
        }
        Err(refusal) => {
            eprintln!("kdrift: {refusal}");
            return Err(2);
        }
    }
    let guarded = plan.guarded_prunes();
    if !guarded.is_empty() && !flags.yes {
        let names: Vec<String> = guarded.iter().map(|i| i.key.to_string()).collect();
        if !ask(&format!(
            "Also delete {} and everything in it?",
            names.join(", ")
        )) {
            println!("Nothing applied.");
            return Err(1);
        }
    }
    Ok(())
}

fn request(rev: &str, mode: Mode, flags: &SyncFlags) -> Request {
    Request {
        rev: rev.to_string(),
        mode,
        only: flags.only.clone(),
        force_conflicts: flags.force_conflicts.clone(),
        prune: flags.prune,
        create_namespace: flags.create_namespace,
    }
}

pub async fn sync(
    conn: &Connection,
    args: &SyncArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let ctx =
        super::app::context(conn, &args.app, args.flags.app_name.as_deref(), settings).await?;
    run_flow(
        &ctx,
        request(&args.rev, Mode::Sync, &args.flags),
        &args.flags,
        None,
    )
    .await
}

pub async fn rollback(
    conn: &Connection,
    args: &RollbackArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let ctx =
        super::app::context(conn, &args.app, args.flags.app_name.as_deref(), settings).await?;
    let commit = super::app::open(&args.app, settings)?.resolve(&args.rev)?;
    let revert = args.write_revert_commit.then(|| RevertRequest {
        commit: commit.to_string(),
        branch: args.branch.clone(),
    });
    run_flow(
        &ctx,
        request(&args.rev, Mode::Rollback, &args.flags),
        &args.flags,
        revert,
    )
    .await
}
