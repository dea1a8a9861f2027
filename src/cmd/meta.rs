//! About kdrift itself: `completion`, `man`, `version`.

use serde::Serialize;

use super::ExitCode;
use crate::cli::Output;

pub fn completion(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut cmd = crate::cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "kdrift", &mut script);
    super::output::print(&String::from_utf8_lossy(&script))?;
    Ok(0)
}

pub fn man() -> anyhow::Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::cli::command()).render(&mut page)?;
    super::output::print(&String::from_utf8_lossy(&page))?;
    Ok(0)
}

#[derive(Serialize)]
struct VersionDoc {
    version: &'static str,
    commit: &'static str,
    kube: &'static str,
    k8s_openapi: &'static str,
    kubernetes_api: &'static str,
}

const DOC: VersionDoc = VersionDoc {
    version: env!("CARGO_PKG_VERSION"),
    commit: env!("KDRIFT_COMMIT"),
    kube: env!("KDRIFT_KUBE_VERSION"),
    k8s_openapi: env!("KDRIFT_K8S_OPENAPI_VERSION"),
    // The k8s-openapi feature Cargo.toml selects.
    kubernetes_api: "1.36",
};

pub fn version(output: Output) -> anyhow::Result<ExitCode> {
    match output {
        Output::Text => super::output::print(&format!(
            "kdrift {} (commit {})\nkube {}, k8s-openapi {} (Kubernetes API {})\n",
            DOC.version, DOC.commit, DOC.kube, DOC.k8s_openapi, DOC.kubernetes_api
        ))?,
        other => super::output::document(&DOC, other)?,
    }
    Ok(0)
}
