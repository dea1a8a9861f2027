//! Git-side benchmark: a generated repository with 10,000 commits and 1,000 objects.
//! Prints kdrift's times next to `git log` on the same repository, as ratios.
//!
//! `cargo bench --bench git_history` runs it in full; without `--bench` (as `cargo test
//! --all-targets` runs it) it only checks itself on a small repository.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kdrift::git::history::History;
use kdrift::git::{App, AppSpec, Revision};

struct Size {
    commits: usize,
    files: usize,
    objects_per_file: usize,
    runs: usize,
}

fn config_map(file: usize, i: usize, version: usize) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{file:03}-{i:02}\n  labels: {{app: bench}}\ndata:\n  version: \"{version}\"\n  payload: \"{}\"\n",
        "x".repeat(64)
    )
}

fn file_content(file: usize, size: &Size, changed: Option<(usize, usize)>) -> String {
    (0..size.objects_per_file)
        .map(|i| {
            let version = match changed {
                Some((obj, v)) if obj == i => v,
                _ => 0,
            };
            config_map(file, i, version)
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn data(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    writeln!(out, "data {}", text.len())?;
    out.write_all(text.as_bytes())?;
    writeln!(out)
}

/// Builds the repository with `git fast-import`: one commit adding every file, then
/// commits that each change one object (every tenth touches only a file outside the app).
fn generate(dir: &Path, size: &Size) -> std::io::Result<()> {
    let git = |args: &[&str]| Command::new("git").args(args).current_dir(dir).output();
    git(&["init", "-q", "-b", "main"])?;
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()?;
    let mut input =
        std::io::BufWriter::new(child.stdin.take().ok_or(std::io::ErrorKind::BrokenPipe)?);
    let mut version = vec![(0usize, 0usize); size.files];
    for c in 0..size.commits {
        writeln!(input, "commit refs/heads/main")?;
        writeln!(
            input,
            "committer Bench <bench@example.test> {} +0000",
            1_700_000_000 + c
        )?;
        data(&mut input, &format!("commit {c}"))?;
        if c == 0 {
            for f in 0..size.files {
                writeln!(input, "M 100644 inline app/f{f:03}.yaml")?;
                data(&mut input, &file_content(f, size, None))?;
            }
        } else if c % 10 == 0 {
            writeln!(input, "M 100644 inline docs/notes.txt")?;
            data(&mut input, &format!("note {c}\n"))?;
        } else {
            let f = (c * 7) % size.files;
            let obj = c % size.objects_per_file;
            version[f] = (obj, c);
            writeln!(input, "M 100644 inline app/f{f:03}.yaml")?;
            data(&mut input, &file_content(f, size, Some(version[f])))?;
        }
    }
    drop(input);
    child.wait()?;
    Ok(())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn git_log(dir: &Path, args: &[&str]) -> usize {
    let out = Command::new("git")
        .args(["log", "--first-parent", "--format=%H%x09%an%x09%at%x09%s"])
        .args(args)
        .args(["--", "app"])
        .current_dir(dir)
        .output()
        .expect("git log");
    out.stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let size = if full {
        Size {
            commits: 10_000,
            files: 100,
            objects_per_file: 10,
            runs: 5,
        }
    } else {
        Size {
            commits: 200,
            files: 10,
            objects_per_file: 10,
            runs: 1,
        }
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let start = Instant::now();
    generate(dir.path(), &size).expect("generate repository");
    println!(
        "repository: {} commits, {} objects ({} files), generated in {}",
        size.commits,
        size.files * size.objects_per_file,
        size.files,
        ms(start.elapsed())
    );
    let app = App::open(&AppSpec {
        repo: Some(dir.path().to_path_buf()),
        path: "app".into(),
        load: Default::default(),
        tools: Default::default(),
    })
    .expect("open");
    let head = app.resolve("HEAD").expect("HEAD");
    let page = 100.min(size.commits / 2);
    let many = 1000.min(size.commits / 2);

    let first_page = time(size.runs, || {
        History::first_parent(&app, head)
            .next_page(page)
            .expect("page")
            .len()
    });
    let with_changes = time(size.runs, || {
        let mut h = History::first_parent(&app, head);
        let commits = h.next_page(many).expect("page");
        let changed: usize = commits
            .iter()
            .map(|c| {
                h.changes(c)
                    .changes
                    .map(|ch| ch.modified.len())
                    .unwrap_or(0)
            })
            .sum();
        assert!(
            changed >= commits.len() - 1,
            "every commit touching app changes an object"
        );
        changed
    });
    let load = time(size.runs, || {
        let set = app.desired(&Revision::Rev("HEAD".into())).expect("desired");
        assert_eq!(set.len(), size.files * size.objects_per_file);
        set.len()
    });
    let n_page = format!("-n{page}");
    let n_many = format!("-n{many}");
    let git_page = time(size.runs, || git_log(dir.path(), &[&n_page]));
    let git_many = time(size.runs, || git_log(dir.path(), &[&n_many]));
    let git_many_files = time(size.runs, || {
        git_log(dir.path(), &[&n_many, "--name-status"])
    });
    assert_eq!(git_log(dir.path(), &[&n_page]), page);

    println!("median of {} runs", size.runs);
    println!(
        "first page of {page} commits:        kdrift {:>10}   git log {:>10}   ratio {:.2}",
        ms(first_page),
        ms(git_page),
        first_page.as_secs_f64() / git_page.as_secs_f64()
    );
    println!(
        "{many} commits with object changes:  kdrift {:>10}   git log --name-status {:>10}   ratio {:.2}",
        ms(with_changes),
        ms(git_many_files),
        with_changes.as_secs_f64() / git_many_files.as_secs_f64()
    );
    println!(
        "{many} commits, log only:           git log {:>10}",
        ms(git_many)
    );
    println!(
        "desired set at HEAD ({} objects): kdrift {:>10}",
        size.files * size.objects_per_file,
        ms(load)
    );
}
