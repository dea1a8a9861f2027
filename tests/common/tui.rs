//! The real binary in a pseudo-terminal (tmux), for the TUI's end-to-end tests.

use std::process::Command;
use std::time::{Duration, Instant};

use super::repo::TestRepo;

pub struct Tmux {
    session: String,
}

impl Tmux {
    /// Runs `command` in a detached 120x40 tmux session; after it exits, the pane shows its
    /// exit code and whether the terminal is back in canonical (cooked) mode.
    pub fn start(command: &str, env: &[(&str, &str)]) -> Tmux {
        Tmux::start_sized(command, env, 120)
    }

    /// As [`start`](Self::start), `columns` wide (long status lines).
    pub fn start_sized(command: &str, env: &[(&str, &str)], columns: u16) -> Tmux {
        let session = super::unique_name("kdrift-tui");
        let exports: String = env
            .iter()
            .map(|(k, v)| format!("export {k}='{v}'; "))
            .collect();
        let script = format!(
            "{exports}{command}; echo EXITED=$?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'; echo END-OF-RUN; sleep 600"
        );
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &columns.to_string(),
                "-y",
                "40",
                "sh",
                "-c",
                &script,
            ])
            .status()
            .expect("tmux (install it: apt-get install tmux)");
        assert!(status.success());
        Tmux { session }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("capture");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A tmux format about the pane (`#{alternate_on}`, `#{cursor_flag}`).
    pub fn display(&self, format: &str) -> String {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.session, format])
            .output()
            .expect("display-message");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The screen with its attributes as escape sequences (`capture-pane -e`).
    pub fn screen_with_escapes(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-e", "-t", &self.session])
            .output()
            .expect("capture");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            Command::new("tmux")
                .args(["send-keys", "-t", &self.session, k])
                .status()
                .expect("send-keys");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn wait_for(&self, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

pub fn kdrift_command(
    kubeconfig: &std::path::Path,
    repo: &TestRepo,
    ns: &str,
    app: &str,
) -> String {
    format!(
        "{} --kubeconfig {} --repo {} --path app --namespace {ns} --app-name {app}",
        env!("CARGO_BIN_EXE_kdrift"),
        kubeconfig.display(),
        repo.path().display()
    )
}

/// Whether the tree shows object `name` with `status`, with or without its pod count
/// (`web Synced`, `web (3 pods) Synced`).
pub fn object_row(screen: &str, name: &str, status: &str) -> bool {
    screen.lines().any(|l| {
        l.contains(&format!(" {name} {status}"))
            || (l.contains(&format!(" {name} (")) && {
                let after = &l[l.find(&format!(" {name} (")).unwrap_or(0)..];
                after.contains(&format!("pod) {status}"))
                    || after.contains(&format!("pods) {status}"))
            })
    })
}
