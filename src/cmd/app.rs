//! Turning the app arguments into an opened app.

use std::time::Duration;

use crate::cli::AppArgs;
use crate::git::kustomize::Tool;
use crate::git::{App, AppSpec, GitError};
use crate::model::manifest::LoadOptions;

pub fn open(args: &AppArgs) -> Result<App, GitError> {
    App::open(&AppSpec {
        repo: args.repo.clone(),
        path: args.path.clone(),
        load: LoadOptions {
            namespace: args.namespace.clone(),
            max_file_bytes: args.max_file_size,
        },
        kustomize: Tool {
            program: args.kustomize.clone(),
            timeout: Duration::from_secs(args.kustomize_timeout),
        },
    })
}
