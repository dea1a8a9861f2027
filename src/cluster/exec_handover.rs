//! Exec credential plugins that prompt (a device code, a browser login) need the terminal,
//! which the TUI holds. While the TUI runs, kdrift starts such a plugin through itself
//! (`kdrift __kdrift-exec-handover COMMAND ARGS…`): that shim asks the TUI, over a private
//! Unix socket, to hand the terminal over, runs the plugin on it, and gives it back.

use std::collections::HashMap;
use std::path::Path;

use kube::config::ExecInteractiveMode;

/// The hidden first argument that makes the binary the shim.
pub const SHIM_ARG: &str = "__kdrift-exec-handover";
/// The socket the shim asks through.
pub const SOCKET_ENV: &str = "KDRIFT_TERMINAL_HANDOVER";

/// Routes an interactive exec plugin of `config` through the shim; a plugin that may not
/// prompt (`interactiveMode: Never`) is left as it is.
pub fn route_through_shim(config: &mut kube::Config, socket: &Path) {
    let Some(exec) = config.auth_info.exec.as_mut() else {
        return;
    };
    if exec.interactive_mode == Some(ExecInteractiveMode::Never) {
        return;
    }
    let (Ok(me), Some(command)) = (std::env::current_exe(), exec.command.clone()) else {
        return;
    };
    let mut args = vec![SHIM_ARG.to_string(), command];
    args.extend(exec.args.take().unwrap_or_default());
    exec.command = Some(me.to_string_lossy().into_owned());
    exec.args = Some(args);
    exec.env.get_or_insert_with(Vec::new).push(HashMap::from([
        ("name".to_string(), SOCKET_ENV.to_string()),
        ("value".to_string(), socket.to_string_lossy().into_owned()),
    ]));
}
