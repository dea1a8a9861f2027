//! Many files parsed at once. Reading stays on the caller's thread (a Git repository handle
//! is not `Send`, and reading is the small part); parsing, most of loading a big app, runs
//! on every core. The result is what loading the files one by one would give, in order.

use std::sync::Mutex;
use std::sync::mpsc::sync_channel;

use super::{FileLoad, LoadError, LoadOptions, load_file};

/// A file's bytes, or why they could not be read.
pub type FileRead = Result<Vec<u8>, LoadError>;

/// Files go to a parser in batches of this many (or fewer, once the batch holds
/// [`BATCH_BYTES`]): handing over each small file alone costs as much as parsing it.
const BATCH_FILES: usize = 64;
const BATCH_BYTES: usize = 1024 * 1024;

type Batch = Vec<(usize, String, FileRead)>;

/// Each file's load, in the order `files` yields them (path, bytes or the reading error).
/// At most two batches per parser wait read but unparsed, so memory stays that of a few
/// megabytes beyond what the loads themselves hold.
pub fn load_files<I>(files: I, opts: &LoadOptions) -> Vec<FileLoad>
where
    I: Iterator<Item = (String, FileRead)>,
{
    let workers = crate::memory::cpu_threads();
    if workers < 2 {
        return files
            .map(|(path, read)| load_read(&path, read, opts))
            .collect();
    }
    let (queue, waiting) = sync_channel::<Batch>(2 * workers);
    let waiting = Mutex::new(waiting);
    std::thread::scope(|scope| {
        let parsers: Vec<_> = (0..workers)
            .map(|_| {
                let waiting = &waiting;
                scope.spawn(move || {
                    let mut done = Vec::new();
                    // The lock is held only to take the next batch: one waits, the rest parse.
                    while let Some(batch) = waiting.lock().ok().and_then(|w| w.recv().ok()) {
                        for (index, path, read) in batch {
                            done.push((index, load_read(&path, read, opts)));
                        }
                    }
                    done
                })
            })
            .collect();
        send_in_batches(files, &queue);
        drop(queue);
        let mut loads: Vec<(usize, FileLoad)> = Vec::new();
        for parser in parsers {
            match parser.join() {
                Ok(done) => loads.extend(done),
                // As loading on this thread would have: a parser's panic is this call's.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        loads.sort_unstable_by_key(|(index, _)| *index);
        loads.into_iter().map(|(_, load)| load).collect()
    })
}

fn send_in_batches(
    files: impl Iterator<Item = (String, FileRead)>,
    queue: &std::sync::mpsc::SyncSender<Batch>,
) {
    let mut batch = Batch::new();
    let mut bytes = 0;
    for (index, (path, read)) in files.enumerate() {
        bytes += read.as_ref().map_or(0, Vec::len);
        batch.push((index, path, read));
        if batch.len() == BATCH_FILES || bytes >= BATCH_BYTES {
            bytes = 0;
            if queue.send(std::mem::take(&mut batch)).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = queue.send(batch);
    }
}

/// One file's load from its bytes, or its reading error.
pub fn load_read(path: &str, read: FileRead, opts: &LoadOptions) -> FileLoad {
    match read {
        Ok(bytes) => load_file(path, &bytes, opts),
        Err(error) => FileLoad {
            errors: vec![error],
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_map(i: usize) -> Vec<u8> {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  k: v\n")
            .into_bytes()
    }

    #[test]
    fn the_loads_come_back_in_the_order_given_with_reading_errors_in_place() {
        let opts = LoadOptions::default();
        let files = (0..200).map(|i| {
            let read = if i % 50 == 7 {
                Err(LoadError {
                    file: format!("f-{i}.yaml"),
                    line: None,
                    column: None,
                    message: "unreadable".into(),
                })
            } else if i % 50 == 9 {
                Ok(b"a: [unclosed\n".to_vec())
            } else {
                Ok(config_map(i))
            };
            (format!("f-{i}.yaml"), read)
        });
        let loads = load_files(files, &opts);
        assert_eq!(loads.len(), 200);
        for (i, load) in loads.iter().enumerate() {
            match i % 50 {
                7 => assert_eq!(load.errors[0].message, "unreadable", "file {i}"),
                9 => {
                    assert!(load.manifests.is_empty(), "file {i}");
                    assert_eq!(load.errors[0].file, format!("f-{i}.yaml"));
                    assert_eq!(load.errors[0].line, Some(1), "file {i}");
                }
                _ => {
                    assert!(load.errors.is_empty(), "file {i}: {:?}", load.errors);
                    assert_eq!(load.manifests[0].id.name, format!("cm-{i}"));
                }
            }
        }
    }

    #[test]
    fn no_files_is_no_loads() {
        assert!(load_files(std::iter::empty(), &LoadOptions::default()).is_empty());
    }
}
