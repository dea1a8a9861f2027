//! The arguments of the commands that write to the cluster: `sync` and `rollback`.

use clap::Args;

use super::AppArgs;

#[derive(Debug, Args, Clone)]
pub struct SyncFlags {
    /// Print the plan (from a server-side dry-run) and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Also delete objects that carry this app's tracking mark and are no longer in Git.
    #[arg(long)]
    pub prune: bool,
    /// Apply without asking (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Also run the app's hooks (Argo CD or Helm hook annotations, `generateName` objects):
    /// PreSync/pre-* before the apply, the others after it.
    #[arg(long)]
    pub hooks: bool,
    /// Only these objects: KIND/NAMESPACE/NAME, or KIND/NAME when cluster-scoped (repeatable).
    #[arg(long, value_name = "KIND/NAMESPACE/NAME")]
    pub only: Vec<String>,
    /// Take over fields another owner manages, for these objects (repeatable).
    #[arg(long, value_name = "KIND/NAMESPACE/NAME")]
    pub force_conflicts: Vec<String>,
    /// Create the objects' namespaces that neither Git nor the cluster has (as Argo CD's
    /// CreateNamespace=true; also `createNamespace: true` in the app file). Dry-run first.
    #[arg(long)]
    pub create_namespace: bool,
    /// When Argo CD or Flux syncs this app on its own: disable its auto-sync (Argo CD) or
    /// suspend it (Flux) first, through the same dry-run and confirmation.
    #[arg(long)]
    pub suspend_controller: bool,
    /// The app name in kdrift's tracking label (default: repository directory and path).
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub app: AppArgs,
    /// The commit to sync: any commit-ish.
    #[arg(long, default_value = "HEAD")]
    pub rev: String,
    #[command(flatten)]
    pub flags: SyncFlags,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The commit to roll back to: any commit-ish.
    pub rev: String,
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub flags: SyncFlags,
    /// Also write a commit on top of HEAD whose app path matches REV, on a branch.
    #[arg(long)]
    pub write_revert_commit: bool,
    /// The branch for the revert commit (default: kdrift/rollback-<short REV>).
    #[arg(long, requires = "write_revert_commit")]
    pub branch: Option<String>,
}
