//! The exec-plugin shim (see `cluster::exec_handover`): asks the TUI for the terminal, runs
//! the real plugin on it with its stdout captured for kube, then gives the terminal back.
//! Without a TUI to ask (none listening, no answer), it simply runs the plugin.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::cluster::exec_handover::SOCKET_ENV;

pub fn run(args: &[OsString]) -> u8 {
    let Some((command, rest)) = args.split_first() else {
        eprintln!("kdrift: the exec-plugin shim was started without a plugin to run");
        return 2;
    };
    let mut session = ask_for_terminal();
    let output = Command::new(command)
        .args(rest)
        .env_remove(SOCKET_ENV)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .output();
    if let Some(stream) = session.as_mut() {
        let _ = stream.write_all(b"resume\n");
    }
    match output {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(&out.stdout).and_then(|()| stdout.flush());
            out.status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1)
        }
        Err(e) => {
            let name = crate::model::logs::clean(&command.to_string_lossy());
            eprintln!("kdrift: cannot run the credential plugin {name}: {e}");
            1
        }
    }
}

/// The socket's session once the TUI has let the terminal go; `None` to run without it.
fn ask_for_terminal() -> Option<UnixStream> {
    let path = std::env::var_os(SOCKET_ENV)?;
    let mut stream = UnixStream::connect(path).ok()?;
    // The TUI answers between two frames; a TUI that cannot is not waited for long.
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    stream.write_all(b"suspend\n").ok()?;
    let mut answer = String::new();
    BufReader::new(stream.try_clone().ok()?)
        .read_line(&mut answer)
        .ok()?;
    (answer.trim() == "ok").then_some(stream)
}
