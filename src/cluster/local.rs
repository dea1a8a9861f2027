//! The local control plane kdrift's tests, benchmarks and demo run on: the tooling script
//! (`tools/cluster/kdrift-cluster`, embedded so the demo needs no checkout) and what it
//! says of a running cluster, parsed once into a `ClusterEnv`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The tooling script and the seed objects it applies, as compiled in.
pub const SCRIPT: &str = include_str!("../../tools/cluster/kdrift-cluster");
pub const SEED: &str = include_str!("../../tools/cluster/seed.yaml");

/// Where a running local cluster keeps what clients need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterEnv {
    pub admin_kubeconfig: PathBuf,
    /// A user allowed only in `restricted_namespace`.
    pub restricted_kubeconfig: PathBuf,
    pub restricted_namespace: String,
    /// The CRI-format file KWOK serves as every pod's log.
    pub pod_log_file: PathBuf,
    /// The locally built binaries (kubectl among them).
    pub bin_dir: PathBuf,
    /// The pinned `helm` and `jsonnet` (go-jsonnet) the tooling builds.
    pub helm: PathBuf,
    pub jsonnet: PathBuf,
    /// The pinned standalone `kustomize` (faster to start than `kubectl kustomize`).
    pub kustomize: PathBuf,
}

impl ClusterEnv {
    /// Parses the `export NAME=value` lines of `kdrift-cluster env`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let var = |name: &str| -> Result<String, String> {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}=")))
                .map(str::to_string)
                .ok_or_else(|| format!("the control plane tooling did not say {name}"))
        };
        Ok(ClusterEnv {
            admin_kubeconfig: var("KDRIFT_ADMIN_KUBECONFIG")?.into(),
            restricted_kubeconfig: var("KDRIFT_RESTRICTED_KUBECONFIG")?.into(),
            restricted_namespace: var("KDRIFT_RESTRICTED_NAMESPACE")?,
            pod_log_file: var("KDRIFT_POD_LOG_FILE")?.into(),
            bin_dir: var("KDRIFT_BIN_DIR")?.into(),
            helm: var("KDRIFT_HELM")?.into(),
            jsonnet: var("KDRIFT_JSONNET")?.into(),
            kustomize: var("KDRIFT_KUSTOMIZE")?.into(),
        })
    }

    /// The cluster's state directory (PKI, kubeconfigs, pids).
    pub fn state_dir(&self) -> Option<&Path> {
        self.admin_kubeconfig.parent()
    }
}

/// The tooling script at a path (a checkout's `tools/cluster/kdrift-cluster`, or the
/// embedded copy written out by `Tool::written_to`).
#[derive(Debug, Clone)]
pub struct Tool {
    pub script: PathBuf,
}

impl Tool {
    /// Writes the embedded script and its seed into `dir` and uses that copy.
    pub fn written_to(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("seed.yaml"), SEED)?;
        let script = dir.join("kdrift-cluster");
        std::fs::write(&script, SCRIPT)?;
        Ok(Tool { script })
    }

    /// Runs a verb (`build`, `up`, `down`, `restart-kwok`…); its progress goes to stderr.
    /// Returns what it printed on stdout.
    pub fn run(&self, verb: &str, envs: &[(&str, &Path)]) -> Result<String, String> {
        let mut cmd = Command::new("bash");
        cmd.arg(&self.script).arg(verb).stderr(Stdio::inherit());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run the local control plane's tooling: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "the local control plane's `{verb}` failed (see above)"
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// What a running (or built) cluster says of itself.
    pub fn env(&self) -> Result<ClusterEnv, String> {
        ClusterEnv::parse(&self.run("env", &[])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_output_parses_once_and_names_what_is_missing() {
        let text = "export KDRIFT_ADMIN_KUBECONFIG=/s/admin.kubeconfig\nexport KDRIFT_RESTRICTED_KUBECONFIG=/s/restricted.kubeconfig\nexport KDRIFT_RESTRICTED_NAMESPACE=kdrift-restricted\nexport KDRIFT_POD_LOG_FILE=/s/pod-logs/pods.log\nexport KDRIFT_BIN_DIR=/c/bin\nexport KDRIFT_HELM=/c/helm/helm\nexport KDRIFT_JSONNET=/c/jsonnet/jsonnet\nexport KDRIFT_KUSTOMIZE=/c/kustomize/kustomize\n";
        let env = ClusterEnv::parse(text).expect("parse");
        assert_eq!(env.admin_kubeconfig, PathBuf::from("/s/admin.kubeconfig"));
        assert_eq!(env.restricted_namespace, "kdrift-restricted");
        assert_eq!(env.state_dir(), Some(Path::new("/s")));
        let err = ClusterEnv::parse("export KDRIFT_ADMIN_KUBECONFIG=/x\n").expect_err("incomplete");
        assert!(err.contains("KDRIFT_RESTRICTED_KUBECONFIG"), "{err}");
    }

    #[test]
    fn the_embedded_script_knows_every_verb_the_tools_use() {
        for verb in ["build)", "up)", "down)", "env)", "restart-kwok)"] {
            assert!(SCRIPT.contains(verb), "{verb}");
        }
        assert!(SEED.contains("kind:"));
    }
}
