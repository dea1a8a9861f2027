//! The event loop: one UI task owns the state and the terminal. It drains every pending
//! input, updates, dispatches commands to workers, and draws once, only when something
//! changed, at most once a frame. The terminal is restored on every way out: quit, error,
//! a panic in any task (hook chained, then the process ends), SIGTERM, SIGHUP, SIGINT and
//! SIGQUIT; Ctrl-Z and SIGTSTP suspend cleanly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyCode, KeyEventKind, KeyModifiers};
use futures::StreamExt;
use ratatui::layout::Rect;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Notify, mpsc};

use std::cell::RefCell;

use super::dispatch::{AppWorkers, Dispatch, Refresh};
use super::handover::{self, Handover};
use super::state::AppState;
use super::update::Input;
use super::workers::{self, Context};
use crate::cli::AppArgs;
use crate::config::Config;
use crate::config::settings::Settings;

const FRAME: Duration = Duration::from_millis(16);

/// Restores the terminal when dropped (errors and early returns included).
pub struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

fn install_panic_hook() {
    // ratatui::init() installed a hook that restores the terminal, then prints the panic.
    // A panic in any task must also end kdrift, not leave it running without a screen.
    let restore_and_print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_and_print(info);
        std::process::exit(101);
    }));
}

/// Marks the terminal as held by the TUI while alive.
struct Held(Arc<std::sync::atomic::AtomicBool>);

impl Held {
    fn new(flag: Arc<std::sync::atomic::AtomicBool>) -> Self {
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        Held(flag)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Lends the terminal to an exec plugin (its prompt, its input) and takes it back after.
async fn hand_over(
    terminal: &mut ratatui::DefaultTerminal,
    request: handover::Request,
) -> std::io::Result<()> {
    ratatui::restore();
    let _ = request.granted.send(());
    let _ = request.finished.await;
    *terminal = retake()?;
    Ok(())
}

/// Stops the process (Ctrl-Z, or SIGTSTP from outside) with the terminal restored, and
/// takes it back on resume. SIGSTOP, since kdrift handles SIGTSTP itself.
fn suspend(terminal: &mut ratatui::DefaultTerminal) -> std::io::Result<()> {
    ratatui::restore();
    // SAFETY: raising a signal on our own process has no memory-safety preconditions.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
    *terminal = retake()?;
    Ok(())
}

const HEADLESS: &str = "the terminal UI needs a terminal; without one, use a headless \
     subcommand (diff, health, history, apps, log: see `kdrift --help`)";

/// Why there is no terminal for the TUI, in kdrift's words, before anything is started:
/// output to a file or a pipe, or no controlling terminal (a service, `setsid`).
pub fn require_terminal() -> std::io::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(refused("standard output is not a terminal"));
    }
    // As crossterm finds the terminal for raw mode and input: standard input if it is
    // one, else /dev/tty (which needs a controlling terminal).
    if std::io::stdin().is_terminal() {
        return Ok(());
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map(drop)
        .map_err(|e| no_terminal(&e))
}

/// The TUI refused, and why, with where to turn instead.
fn refused(why: &str) -> std::io::Error {
    std::io::Error::other(format!("{why}: {HEADLESS}"))
}

fn no_terminal(e: &std::io::Error) -> std::io::Error {
    match e.raw_os_error() {
        Some(libc::ENXIO) => refused("there is no controlling terminal"),
        _ => refused(&format!("cannot take the terminal ({e})")),
    }
}

/// The terminal in raw mode on the alternate screen, or why there is none.
fn take_terminal() -> std::io::Result<ratatui::DefaultTerminal> {
    require_terminal()?;
    ratatui::try_init().map_err(|e| no_terminal(&e))
}

/// Takes the terminal back (raw mode, alternate screen) after a pager, a plugin or a stop,
/// cleared without asking the terminal where its cursor is: a loaded machine can take longer
/// than crossterm waits for that reply, and a fresh terminal's buffers already match a
/// cleared screen.
fn retake() -> std::io::Result<ratatui::DefaultTerminal> {
    let terminal = take_terminal()?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    Ok(terminal)
}

/// The first frame, before any cluster answer: the tree's skeleton (every part "loading…")
/// under the context's name, left on the alternate screen for [`run`]; the guard restores
/// the terminal if kdrift ends before.
pub fn skeleton(
    context: &str,
    server: &str,
    app_path: &str,
    config: &Config,
) -> std::io::Result<Restore> {
    let mut terminal = take_terminal()?;
    let restore = Restore;
    let state = AppState::new(
        context.into(),
        server.into(),
        String::new(),
        app_path.into(),
        String::new(),
        config.keymap.clone(),
    );
    terminal.draw(|f| crate::ui::draw(f, &state, &config.theme))?;
    super::milestones::first_frame();
    // Cooked again until the loop runs: an exec plugin that prompts while connecting reads
    // its line as it would without the TUI (the loop hands the terminal over after).
    crossterm::terminal::disable_raw_mode()?;
    Ok(restore)
}

// Over 80 lines: the loop's setup, its select over inputs and the frame cap in one place,
// so the terminal's restore paths stay visible together.
pub async fn run(
    ctx: Context,
    mut state: AppState,
    config: Config,
    overview: Option<(AppArgs, Settings)>,
    mut handover: Option<Handover>,
) -> anyhow::Result<()> {
    // Cleared: the skeleton drawn before connecting may be on screen.
    let mut terminal = retake()?;
    let _restore = Restore;
    // Exec plugins that prompt now ask for the terminal first (and get it back to us).
    let _held = handover.as_ref().map(|h| Held::new(h.active.clone()));
    install_panic_hook();
    state.data.warnings = config.warnings.clone();

    let (tx, mut rx) = workers::Sender::channel();
    let (opened_tx, mut opened_rx) = mpsc::unbounded_channel();
    let refresh = Refresh {
        health: Arc::new(Notify::new()),
        drift: Arc::new(Notify::new()),
        apps: Arc::new(Notify::new()),
    };
    let mut app = AppWorkers::new(ctx.clone());
    // With the overview, the apps' rows first, and an app's workers once one is opened.
    let _apps = overview.as_ref().map(|(args, settings)| {
        state.apps.loading = true;
        workers::spawn_apps(
            ctx.conn.clone(),
            args.clone(),
            settings.clone(),
            tx.clone(),
            refresh.apps.clone(),
        )
    });
    state.history.loading = app.start(&tx, &refresh, overview.is_none());
    let dispatch = Dispatch {
        logs: Default::default(),
        app: RefCell::new(app),
        tx: &tx,
        refresh: &refresh,
        syntax: &config.theme.syntax,
        overview: overview.map(|(a, s)| (a, s, opened_tx)),
    };

    let mut events = Events::start();
    let size = terminal.size()?;
    state.mode.layout = crate::ui::layout(Rect::new(0, 0, size.width, size.height));
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    // Sent from outside (`kill -INT`, `kill -QUIT`): in raw mode the keys send none.
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigquit = signal(SignalKind::quit())?;
    let mut sigtstp = signal(SignalKind::from_raw(libc::SIGTSTP))?;
    let mut dirty = true;
    // A key press is answered at once; only workers' messages wait for the frame cap.
    let mut keyed = false;
    let mut milestones = super::milestones::Milestones::default();
    let mut last_draw = Instant::now() - FRAME;
    loop {
        if dirty && (keyed || last_draw.elapsed() >= FRAME) {
            terminal.draw(|f| crate::ui::draw(f, &state, &config.theme))?;
            last_draw = Instant::now();
            dirty = false;
            keyed = false;
            milestones.drawn(&state);
        }
        // Sleep until input, or until the frame cap lets a pending draw through.
        let wait = if dirty {
            FRAME.saturating_sub(last_draw.elapsed())
        } else {
            Duration::from_secs(3600)
        };
        let mut inputs = Vec::new();
        tokio::select! {
            ev = events.rx.recv() => match ev {
                Some((at, Ok(ev))) => inputs.push((at, ev)),
                Some((_, Err(e))) => return Err(e.into()),
                None => return Ok(()),
            },
            Some((epoch, msg)) = rx.recv() => {
                dispatch.deliver(&mut state, epoch, msg);
                dirty = true;
            }
            Some(opened) = opened_rx.recv() => {
                dispatch.opened(&mut state, opened);
                dirty = true;
            }
            request = Handover::next(&mut handover) => {
                events.released(hand_over(&mut terminal, request)).await?;
                dirty = true;
            }
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
            _ = sigint.recv() => return Ok(()),
            _ = sigquit.recv() => return Ok(()),
            _ = sigtstp.recv() => {
                events.released(async { suspend(&mut terminal) }).await?;
                dirty = true;
            }
            _ = tokio::time::sleep(wait) => {}
        }
        // Drain whatever else is pending before drawing once.
        while let Ok((epoch, msg)) = rx.try_recv() {
            dispatch.deliver(&mut state, epoch, msg);
            dirty = true;
        }
        while let Ok((at, Ok(ev))) = events.rx.try_recv() {
            inputs.push((at, ev));
        }
        for (at, ev) in inputs {
            match ev {
                Event::Key(key) if key.kind == KeyEventKind::Press => {
                    tracing::debug!(?key, "key");
                    milestones.key(at);
                    keyed = true;
                    if key.code == KeyCode::Char('z')
                        && key.modifiers.contains(KeyModifiers::CONTROL)
                    {
                        events.released(async { suspend(&mut terminal) }).await?;
                        dirty = true;
                        continue;
                    }
                    if let Some(text) = dispatch.apply(&mut state, Input::Key(key)) {
                        let paged = events.released(pager(&mut terminal, &text)).await;
                        // The terminal not taken back ends the TUI (restored on the way out).
                        if let Err(e) = paged? {
                            state.mode.notice = Some(e);
                        }
                    }
                    dirty = true;
                }
                Event::Resize(columns, rows) => {
                    state.mode.layout = crate::ui::layout(Rect::new(0, 0, columns, rows));
                    dirty = true;
                }
                _ => {}
            }
        }
        if state.mode.quit {
            return Ok(());
        }
    }
}

/// Terminal events arrive on a channel of their own, fed by one task that alone polls
/// the EventStream (polling it from several places loses wake-ups).
struct Events {
    /// Each event with the time it arrived (for key-to-frame times).
    rx: mpsc::UnboundedReceiver<(Instant, std::io::Result<Event>)>,
    task: tokio::task::JoinHandle<()>,
}

impl Events {
    fn start() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut events = EventStream::new();
            while let Some(ev) = events.next().await {
                if tx.send((Instant::now(), ev)).is_err() {
                    return;
                }
            }
        });
        Events { rx, task }
    }

    /// Runs `work` (a pager, a suspend) with the terminal's input released, then reads it
    /// again. The task must stop first, or it keeps the input to itself.
    async fn released<T>(&mut self, work: impl std::future::Future<Output = T>) -> T {
        self.task.abort();
        let _ = (&mut self.task).await;
        let out = work.await;
        *self = Events::start();
        out
    }
}

/// Shows `text` in `$PAGER` (else `less`) with the terminal restored, then takes it back.
/// The text goes through a private temporary file, removed afterwards.
async fn pager(
    terminal: &mut ratatui::DefaultTerminal,
    text: &str,
) -> std::io::Result<Result<(), String>> {
    use std::io::Write;
    let written = tempfile::Builder::new()
        .prefix("kdrift-logs-")
        .suffix(".log")
        .tempfile();
    let mut file = match written {
        Ok(f) => f,
        Err(e) => return Ok(Err(format!("pager: cannot write a temporary file: {e}"))),
    };
    if let Err(e) = file.write_all(text.as_bytes()).and_then(|()| file.flush()) {
        return Ok(Err(format!("pager: cannot write a temporary file: {e}")));
    }
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less".into());
    ratatui::restore();
    // $PAGER may carry arguments ("less -R"): let the shell split it.
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{pager} \"$1\""))
        .arg("kdrift-pager")
        .arg(file.path())
        .status()
        .await;
    *terminal = retake()?;
    Ok(match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("pager {pager:?} exited with {s}")),
        Err(e) => Err(format!("pager {pager:?} did not start: {e}")),
    })
}
