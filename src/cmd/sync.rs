//! `kdrift sync` and `kdrift rollback`: plan from a dry-run, confirm, apply, prune.

use std::io::{BufRead, IsTerminal, Write};

use super::ExitCode;
use crate::cli::{RollbackArgs, SyncArgs, SyncFlags};
use crate::cluster::Connection;
use crate::cluster::drift::{DriftOptions, DryRunCache, compute};
use crate::cluster::sync::{ItemResult, SyncOutcome, execute};
use crate::git::revert;
use crate::model::plan::{Action, Gateway, Mutation, Plan, PlanOptions, build};

fn render_plan(plan: &Plan, rev: &str) -> String {
    let mut out = format!("Plan for {rev} (from a server-side dry-run):\n");
    for item in &plan.items {
        out.push_str(&format!(
            "  {:<9} {}  {}\n",
            item.action.label(),
            item.key,
            item.note
        ));
        if item.action.writes()
            && item.action != Action::Prune
            && let Some(p) = item.preview.as_ref().filter(|p| !p.is_empty())
        {
            for line in p.unified.lines() {
                out.push_str(&format!("      {line}\n"));
            }
        }
    }
    if let Some(reason) = &plan.prune_refused {
        out.push_str(&format!("  {reason}\n"));
    }
    let counts: Vec<String> = plan
        .counts()
        .iter()
        .map(|(a, n)| format!("{n} {}", a.label()))
        .collect();
    out.push_str(&format!("  ({})\n", counts.join(", ")));
    out
}

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

fn print_result(r: &ItemResult) {
    match &r.outcome {
        Ok(what) => println!("  {:<9} {}  {what}", r.action.label(), r.key),
        Err(why) => println!("  {:<9} {}  FAILED: {why}", r.action.label(), r.key),
    }
}

fn summary(plan: &Plan, outcome: &SyncOutcome) -> (String, ExitCode) {
    let done = |a: Action| {
        outcome
            .results
            .iter()
            .filter(|r| r.action == a && r.outcome.is_ok())
            .count()
    };
    let failed = outcome.failed();
    let left: Vec<String> = plan
        .items
        .iter()
        .filter(|i| matches!(i.action, Action::Conflict | Action::Error))
        .map(|i| format!("{} ({})", i.key, i.action.label()))
        .collect();
    let mut text = format!(
        "Synced: {} created, {} updated, {} pruned, {} unchanged.",
        done(Action::Create),
        done(Action::Update),
        done(Action::Prune),
        plan.count(Action::Unchanged)
    );
    if let Some(reason) = &outcome.prune_skipped {
        text.push_str(&format!("\n{reason}"));
    }
    if !failed.is_empty() {
        let names: Vec<String> = failed.iter().map(|r| r.key.to_string()).collect();
        text.push_str(&format!("\nFailed: {}", names.join(", ")));
    }
    if !left.is_empty() {
        text.push_str(&format!("\nLeft alone: {}", left.join(", ")));
    }
    let code = if failed.is_empty() && left.is_empty() && outcome.prune_skipped.is_none() {
        0
    } else {
        1
    };
    (text, code)
}

/// Work done once the user agreed (the rollback's revert commit).
type AfterConfirm = dyn Fn(&crate::git::App, gix::ObjectId) -> anyhow::Result<()>;

/// The shared flow of sync and rollback. `after_confirm` runs once the user agreed (the
/// rollback's revert commit).
async fn run_flow(
    conn: &Connection,
    app_args: &crate::cli::AppArgs,
    rev: &str,
    flags: &SyncFlags,
    gateway: Gateway,
    mutation: Mutation,
    after_confirm: Option<&AfterConfirm>,
) -> anyhow::Result<ExitCode> {
    let app = super::app::open(app_args)?;
    let commit = app.resolve(rev)?;
    let desired = app.desired_at(commit)?;
    super::render::report_problems(&desired);
    if !desired.errors.is_empty() {
        eprintln!(
            "kdrift: refusing to sync: {} manifest error(s) above; fix them first",
            desired.errors.len()
        );
        return Ok(2);
    }
    let name = super::diff::default_app_name(&app, flags.app_name.as_deref());
    let opts = DriftOptions::new(&name, &app_args.namespace);
    let report = compute(conn, &desired, &opts, &DryRunCache::default()).await?;
    let plan = build(
        &report.objects,
        &PlanOptions {
            prune: flags.prune,
            only: flags.only.clone(),
            force_conflicts: flags.force_conflicts.clone(),
            desired_count: desired.len(),
        },
    );
    let short = commit.to_hex_with_len(7).to_string();
    super::output::print(&render_plan(&plan, &format!("{rev} ({short}), app {name}")))?;
    if flags.dry_run {
        return Ok(0);
    }
    if let Err(refusal) = gateway.allow(mutation) {
        eprintln!("kdrift: {refusal}");
        return Ok(2);
    }
    if plan.writes() == 0 && after_confirm.is_none() {
        let left = plan.count(Action::Conflict) + plan.count(Action::Error);
        if left > 0 {
            println!(
                "Nothing applied: {left} object(s) left alone (see the plan); the rest already matches {short}."
            );
            return Ok(1);
        }
        println!("Nothing to do: the cluster already matches {short}; no object was written.");
        return Ok(0);
    }
    let question = format!(
        "Apply {} change(s) to context {}?",
        plan.writes(),
        conn.context
    );
    match confirm(flags, &question) {
        Ok(true) => {}
        Ok(false) => {
            println!("Nothing applied.");
            return Ok(1);
        }
        Err(refusal) => {
            eprintln!("kdrift: {refusal}");
            return Ok(2);
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
            return Ok(1);
        }
    }
    let outcome = execute(
        conn,
        gateway,
        &plan,
        &report.handles,
        &opts.field_manager,
        &mut print_result,
    )
    .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(refusal) => {
            eprintln!("kdrift: {refusal}");
            return Ok(2);
        }
    };
    let (text, mut code) = summary(&plan, &outcome);
    println!("{text}");
    if let Some(hook) = after_confirm
        && let Err(e) = hook(&app, commit)
    {
        eprintln!("kdrift: error: {e:#}");
        code = 2;
    }
    Ok(code)
}

pub async fn sync(
    conn: &Connection,
    args: &SyncArgs,
    gateway: Gateway,
) -> anyhow::Result<ExitCode> {
    run_flow(
        conn,
        &args.app,
        &args.rev,
        &args.flags,
        gateway,
        Mutation::Apply,
        None,
    )
    .await
}

pub async fn rollback(
    conn: &Connection,
    args: &RollbackArgs,
    gateway: Gateway,
) -> anyhow::Result<ExitCode> {
    let branch = args.branch.clone();
    let write_commit = move |app: &crate::git::App, rev: gix::ObjectId| -> anyhow::Result<()> {
        gateway
            .allow(Mutation::RevertCommit)
            .map_err(anyhow::Error::msg)?;
        let written = revert::write(app, rev, branch.as_deref())?;
        let review = if written.is_some() {
            " Push it for review."
        } else {
            ""
        };
        println!("{}{review}", revert::describe(written.as_ref(), rev));
        Ok(())
    };
    let hook: Option<&AfterConfirm> = if args.write_revert_commit {
        Some(&write_commit)
    } else {
        None
    };
    run_flow(
        conn,
        &args.app,
        &args.rev,
        &args.flags,
        gateway,
        Mutation::Rollback,
        hook,
    )
    .await
}
