//! Command-line interface definitions.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

mod sync_args;
pub use sync_args::{RollbackArgs, SyncArgs, SyncFlags};

/// `--version`: the package version and the commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("KDRIFT_COMMIT"),
    ")"
);

/// Invoked as `kubectl-kdrift`, kdrift is a kubectl plugin (`kubectl kdrift …`).
pub const PLUGIN_NAME: &str = "kubectl-kdrift";

/// The command line as parsed; when run as the kubectl plugin, help and errors name the
/// command as the user typed it (`kubectl kdrift`).
pub fn parse() -> Cli {
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The clap command, named as invoked.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    if invoked_as_plugin() {
        cmd.bin_name("kubectl kdrift").display_name(PLUGIN_NAME)
    } else {
        cmd
    }
}

fn invoked_as_plugin() -> bool {
    std::env::args_os()
        .next()
        .map(PathBuf::from)
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .is_some_and(|name| name == PLUGIN_NAME)
}

#[derive(Debug, Parser)]
#[command(
    name = "kdrift",
    version = VERSION,
    about = "GitOps on Kubernetes: Git versus live, drift, health"
)]
pub struct Cli {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Refuse every mutation (sync, prune, rollback, revert commit).
    #[arg(long, global = true, env = "KDRIFT_READONLY")]
    pub readonly: bool,
    /// Field manager of server-side apply and dry-runs (default: the config file's, then
    /// `kdrift`).
    #[arg(long, global = true, value_name = "NAME", env = "KDRIFT_FIELD_MANAGER")]
    pub field_manager: Option<String>,
    /// The app the terminal UI shows (without a subcommand).
    #[command(flatten)]
    pub app: AppArgs,
    /// Theme: dark, light, high-contrast, or one of yours (themes/NAME.toml in the config
    /// directory).
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Config file (default: config.toml in kdrift's config directory).
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<PathBuf>,
    /// The app name in kdrift's tracking label (default: repository directory and path).
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
    /// Without a subcommand, kdrift opens the terminal UI on the app.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ClusterArgs {
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Username to impersonate for every request (kubectl's `--as`).
    #[arg(long = "as", global = true, value_name = "USER")]
    pub impersonate: Option<String>,
    /// Group to impersonate (repeatable; kubectl's `--as-group`).
    #[arg(long = "as-group", global = true, value_name = "GROUP")]
    pub impersonate_groups: Vec<String>,
    /// How long a request may take to connect and to answer: 0 (no limit), seconds, or a
    /// duration such as 30s, 2m, 500ms (kubectl's `--request-timeout`).
    #[arg(long, global = true, value_name = "DURATION", default_value = "0")]
    pub request_timeout: String,
    /// Colour in text output and the terminal UI: auto (a terminal, and no NO_COLOR),
    /// always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorArg {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Health of the control plane, the nodes and their kubelets, and workloads.
    ///
    /// Exit code 0 when everything is healthy, 1 when anything is not (degraded, down,
    /// progressing, unknown or unreadable), 2 on error.
    Health(HealthArgs),
    /// Print the desired objects of the app at a revision (or the working tree) as YAML,
    /// secrets masked; skipped files and errors go to stderr.
    ///
    /// Exit code 0 when every file loaded, 1 when some had errors (the rest is printed),
    /// 2 when nothing could be read.
    Render(RenderArgs),
    /// The commits that touch the app path, newest first, with the objects each added,
    /// removed and modified.
    History(HistoryArgs),
    /// Compare the app in Git with the live cluster, object by object, through two lenses:
    /// the apply preview (what a sync would change) and live drift (fields set outside
    /// Git, with the field manager that set them). Secrets are masked.
    ///
    /// Exit code 0 when everything is in sync, 1 when anything differs, 2 on error
    /// (including objects whose state is Unknown, and manifests that failed to load).
    Diff(DiffArgs),
    /// Apply the desired state to the cluster with server-side apply (field manager
    /// `kdrift`), after a dry-run whose plan is printed and confirmed.
    ///
    /// Exit code 0 when everything planned was applied, 1 when some objects failed or were
    /// left alone (conflicts, errors), 2 on error or refusal.
    Sync(SyncArgs),
    /// Sync the desired state as of an older commit (same plan, dry-run, confirmation and
    /// safety as sync), optionally writing a revert commit on a branch for review.
    Rollback(RollbackArgs),
    /// Every app of the repository (kustomizations, charts, jsonnet apps and directories of
    /// manifests that no other app uses): source, objects, sync summary, health, the live
    /// commit and how far behind HEAD it is, the last change. Drifted and unhealthy first.
    ///
    /// Exit code 0 when every app is in sync, 1 otherwise, 2 on error.
    Apps(AppsArgs),
    /// Review a change: what BASE..HEAD does to each app's objects once rendered (created,
    /// changed with the diff, deleted, renamed; files that change no object), Secrets
    /// masked, with no cluster needed; with `--live`, also what a sync of HEAD would
    /// overwrite or prune in the cluster now.
    ///
    /// Exit code 0 when the change alters no object, 1 when it does, 2 on error.
    Review(ReviewArgs),
    /// The app's sync record: which commit the cluster runs and the last syncs (who, when,
    /// what), from its ApplySet parent in the cluster.
    Log(LogArgs),
    /// The configuration file.
    Config(ConfigArgs),
    /// Shell completion script: `source <(kdrift completion bash)`, or write it where your
    /// shell looks (zsh: a directory in $fpath as `_kdrift`; fish:
    /// ~/.config/fish/completions/kdrift.fish).
    Completion(CompletionArgs),
    /// The manual page (roff), for `man -l` or a directory in $MANPATH: `kdrift man >
    /// ~/.local/share/man/man1/kdrift.1`.
    Man,
    /// kdrift's version, the commit it was built from, and its Kubernetes client versions.
    Version(VersionArgs),
    /// The demo: a local control plane (built on first use), a demo GitOps repository with a
    /// real history, an older commit synced, live changes made by hand, and the TUI on it.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct AppsArgs {
    /// How to read the apps (`--path` is ignored: every app is listed).
    #[command(flatten)]
    pub app: AppArgs,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// `BASE..HEAD` (HEAD may be left out); default: HEAD's parent to HEAD.
    pub range: Option<String>,
    /// The base revision, instead of a range.
    #[arg(long, conflicts_with = "range")]
    pub base: Option<String>,
    /// The head revision, with `--base` (or alone: its parent to it).
    #[arg(long, default_value = "HEAD", conflicts_with = "range")]
    pub head: String,
    /// Which apps: `--path` for one, else every app the change touches.
    #[command(flatten)]
    pub app: AppArgs,
    /// Also dry-run HEAD against the cluster: the live drift a sync would overwrite and
    /// the objects it would prune.
    #[arg(long)]
    pub live: bool,
    /// With `--path`: the app name in kdrift's tracking label (default: repository
    /// directory and path).
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
    #[arg(long, short = 'o', value_enum, default_value_t = ReviewOutput::Text)]
    pub output: ReviewOutput,
    /// Markdown: at most this many characters (a GitHub comment holds 65,536); diffs
    /// beyond it are summarised.
    #[arg(long, value_name = "N", default_value_t = 60_000)]
    pub max_chars: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewOutput {
    Text,
    Json,
    Yaml,
    Markdown,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub app: AppArgs,
    /// The app name in kdrift's tracking label (default: repository directory and path).
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Stop the demo's control plane.
    #[arg(long)]
    pub down: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the default configuration file, with comments.
    #[arg(long)]
    pub print_default: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub side: GitSide,
    /// The app name in kdrift's tracking label (default: repository directory and path).
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
    /// Which lens decides and shows differences.
    #[arg(long, value_enum, default_value_t = LensArg::Both)]
    pub lens: LensArg,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LensArg {
    Preview,
    Drift,
    Both,
}

/// Which app: a repository, a path in it, how to read it.
#[derive(Debug, Args, Clone)]
pub struct AppArgs {
    /// A directory inside the Git repository (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// The app's directory (or file), relative to the repository root (default: the root).
    #[arg(long, value_name = "PATH", default_value = "")]
    pub path: String,
    /// Namespace for namespaced objects that name none, and the app's target namespace
    /// (default: the kubeconfig context's, then the config file's, then `default`).
    #[arg(
        long = "namespace",
        short = 'n',
        value_name = "NS",
        env = "KDRIFT_NAMESPACE"
    )]
    pub namespace: Option<String>,
    /// Refuse manifest files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::model::manifest::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_size: u64,
    /// The kustomize program (`kustomize` or `kubectl`; default: whichever is on PATH).
    #[arg(long, value_name = "PATH", env = "KDRIFT_KUSTOMIZE")]
    pub kustomize: Option<PathBuf>,
    /// Stop a renderer (kustomize, helm, jsonnet) after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub kustomize_timeout: u64,
    /// The `helm` program for charts (default: env KDRIFT_HELM, then PATH).
    #[arg(long, value_name = "PATH")]
    pub helm: Option<PathBuf>,
    /// Helm release name (default: the app file's, then the chart directory's name).
    #[arg(long, value_name = "NAME")]
    pub release: Option<String>,
    /// A Helm value file, relative to the chart, after the app file's (repeatable).
    #[arg(long = "values", short = 'f', value_name = "FILE")]
    pub values: Vec<String>,
    /// A Helm value, `KEY=VALUE`, after the app file's (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// The `jsonnet` program (go-jsonnet; default: env KDRIFT_JSONNET, then PATH).
    #[arg(long, value_name = "PATH")]
    pub jsonnet: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub app: AppArgs,
    #[command(flatten)]
    pub side: GitSide,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

/// Which Git side to read: a commit, or the working tree.
#[derive(Debug, Args)]
pub struct GitSide {
    /// Any commit-ish: branch, tag, short hash, HEAD~3.
    #[arg(long, default_value = "HEAD", conflicts_with = "worktree")]
    pub rev: String,
    /// Read the working tree, uncommitted edits included, instead of a commit.
    #[arg(long)]
    pub worktree: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub app: AppArgs,
    /// Where history starts.
    #[arg(long, default_value = "HEAD")]
    pub rev: String,
    /// At most this many commits.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Follow every parent (merged branches too), not only first parents.
    #[arg(long)]
    pub full_history: bool,
    /// The app name in kdrift's tracking label, for the live badge (default: repository
    /// directory and path).
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct HealthArgs {
    /// Also judge the workloads of this namespace (repeatable).
    #[arg(long = "namespace", short = 'n', value_name = "NS")]
    pub namespaces: Vec<String>,
    /// Also judge the workloads of every namespace (kubectl's `-A`).
    #[arg(long, short = 'A', conflicts_with = "namespaces")]
    pub all_namespaces: bool,
    /// Also judge the objects of the app at this path of the Git repository (see `render`).
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// A directory inside the app's Git repository (default: the current directory).
    #[arg(long, value_name = "DIR", requires = "path")]
    pub repo: Option<PathBuf>,
    /// The app's revision.
    #[arg(long, default_value = "HEAD", requires = "path")]
    pub rev: String,
    /// Namespace for the app's namespaced objects that name none (default: as for the
    /// other commands: the kubeconfig context's, the config file's, then `default`).
    #[arg(long, value_name = "NS", requires = "path")]
    pub app_namespace: Option<String>,
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
    Yaml,
}
