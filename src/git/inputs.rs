//! What an app reads at a commit: its kind of source, its app file, and every path its
//! renderer needs (a kustomization's references followed recursively, a chart with its
//! value files and local dependencies, jsonnet with its imports). Rendering exports only
//! these; history compares only these.

use std::collections::{BTreeSet, VecDeque};

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use super::GitError;
use super::files::CommitFiles;
use crate::model::appfile::{self, AppFile};
use crate::model::manifest::{LoadError, parse_yaml, yaml_error};
use crate::model::source::{
    self, APP_FILE, KUSTOMIZATION_FILES, SourceKind, chart_dependencies, join_relative,
    jsonnet_imports, kustomize_refs,
};

#[derive(Debug, Clone)]
pub struct Inputs {
    pub kind: SourceKind,
    /// Repository paths (files or directories) the renderer reads.
    pub paths: BTreeSet<String>,
    /// References kdrift cannot follow offline (remote kustomize bases).
    pub remote: Vec<String>,
    pub app_file: AppFile,
    /// Problems found on the way (a bad app file, a reference leaving the repository).
    pub problems: Vec<LoadError>,
    /// Files the source would read from outside the repository (absolute, or `..` past
    /// the root): the renderer is not run.
    pub escapes: Vec<String>,
}

/// What to compare between two commits: each input path with what is there.
pub type Fingerprint = Vec<(String, Option<ObjectId>)>;

fn problem(file: &str, message: String) -> LoadError {
    LoadError {
        file: file.to_string(),
        line: None,
        column: None,
        message,
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

impl Inputs {
    /// The inputs of the app at `path` in this commit.
    pub fn at(files: &CommitFiles<'_>, path: &str) -> Result<Inputs, GitError> {
        let mut inputs = Inputs {
            kind: SourceKind::Plain,
            paths: BTreeSet::from([path.to_string()]),
            remote: Vec::new(),
            app_file: AppFile::default(),
            problems: Vec::new(),
            escapes: Vec::new(),
        };
        if !matches!(files.entry(path)?, Some((_, EntryKind::Tree))) {
            return Ok(inputs);
        }
        let names = files.names_in(path)?;
        let app_file = join(path, APP_FILE);
        if let Some(bytes) = files.read(&app_file)? {
            match appfile::parse(&app_file, &String::from_utf8_lossy(&bytes)) {
                Ok(f) => inputs.app_file = f,
                Err(e) => inputs.problems.push(e),
            }
        }
        inputs.kind = source::detect(&names);
        match inputs.kind {
            SourceKind::Plain => {}
            SourceKind::Kustomize => {
                inputs.paths.clear();
                inputs.kustomization_closure(files, path)?;
            }
            SourceKind::Helm => inputs.chart(files, path)?,
            SourceKind::Jsonnet => inputs.jsonnet(files, path)?,
        }
        Ok(inputs)
    }

    /// Follows a kustomization's references, and theirs, recursively.
    fn kustomization_closure(
        &mut self,
        files: &CommitFiles<'_>,
        start: &str,
    ) -> Result<(), GitError> {
        let mut queue = VecDeque::from([start.to_string()]);
        let mut seen = BTreeSet::new();
        while let Some(dir) = queue.pop_front() {
            if !seen.insert(dir.clone()) {
                continue;
            }
            let names = files.names_in(&dir)?;
            let Some(name) = KUSTOMIZATION_FILES
                .iter()
                .find(|n| names.iter().any(|x| x == *n))
            else {
                // A directory without a kustomization: kustomize reads what is in it.
                self.paths.insert(dir);
                continue;
            };
            let file = join(&dir, name);
            self.paths.insert(file.clone());
            let Some(bytes) = files.read(&file)? else {
                continue;
            };
            let parsed = match parse_yaml(&String::from_utf8_lossy(&bytes)) {
                Ok(v) => v,
                Err(e) => {
                    self.problems.push(yaml_error(&file, e));
                    continue;
                }
            };
            let refs = kustomize_refs(&parsed);
            self.remote.extend(refs.remote);
            for r in refs.local {
                let Some(p) = join_relative(&dir, &r) else {
                    self.problems.push(problem(
                        &file,
                        format!("{r:?} points outside the repository; not read"),
                    ));
                    continue;
                };
                match files.entry(&p)? {
                    Some((_, EntryKind::Tree)) => queue.push_back(p),
                    Some(_) => {
                        self.paths.insert(p);
                    }
                    // kustomize names what is missing better than a guess here.
                    None => {}
                }
            }
        }
        Ok(())
    }

    /// A chart: its directory, value files outside it, and local (`file://`) dependencies.
    fn chart(&mut self, files: &CommitFiles<'_>, path: &str) -> Result<(), GitError> {
        for vf in self.app_file.helm.value_files.clone() {
            match join_relative(path, &vf) {
                Some(p) => {
                    self.paths.insert(p);
                }
                None => self.problems.push(problem(
                    &join(path, APP_FILE),
                    format!("value file {vf:?} points outside the repository"),
                )),
            }
        }
        let mut queue = VecDeque::from([path.to_string()]);
        let mut seen = BTreeSet::new();
        while let Some(chart) = queue.pop_front() {
            if !seen.insert(chart.clone()) {
                continue;
            }
            self.paths.insert(chart.clone());
            let Some(bytes) = files.read(&join(&chart, "Chart.yaml"))? else {
                continue;
            };
            let Ok(parsed) = parse_yaml(&String::from_utf8_lossy(&bytes)) else {
                continue;
            };
            for dep in chart_dependencies(&parsed).0 {
                if let Some(p) = join_relative(&chart, &dep) {
                    queue.push_back(p);
                }
            }
        }
        Ok(())
    }

    /// jsonnet: the app's directory, its library paths, and every file imported from
    /// outside it, recursively.
    fn jsonnet(&mut self, files: &CommitFiles<'_>, path: &str) -> Result<(), GitError> {
        for lib in self.app_file.jsonnet.libs.clone() {
            match join_relative(path, &lib).filter(|_| !lib.starts_with('/')) {
                Some(p) => {
                    self.paths.insert(p);
                }
                None => self.escapes.push(lib),
            }
        }
        let Some((tree, _)) = files.entry(path)? else {
            return Ok(());
        };
        let mut queue: VecDeque<String> = super::tree::files_under(files.repo, tree, path)?
            .into_iter()
            .map(|f| f.path)
            .filter(|p| p.ends_with(".jsonnet") || p.ends_with(".libsonnet"))
            .collect();
        let mut seen = BTreeSet::new();
        while let Some(file) = queue.pop_front() {
            if !seen.insert(file.clone()) {
                continue;
            }
            let Some(bytes) = files.read(&file)? else {
                continue;
            };
            let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            for import in jsonnet_imports(&String::from_utf8_lossy(&bytes)) {
                let Some(p) = join_relative(dir, &import).filter(|_| !import.starts_with('/'))
                else {
                    self.escapes.push(format!("{file}: {import}"));
                    continue;
                };
                if files.entry(&p)?.is_some() {
                    if !self
                        .paths
                        .iter()
                        .any(|q| p == *q || p.starts_with(&format!("{q}/")))
                    {
                        self.paths.insert(p.clone());
                    }
                    queue.push_back(p);
                }
            }
        }
        Ok(())
    }

    /// Each input path with what is there in this commit.
    pub fn fingerprint(&self, files: &CommitFiles<'_>) -> Result<Fingerprint, GitError> {
        self.paths
            .iter()
            .map(|p| Ok((p.clone(), files.entry(p)?.map(|e| e.0))))
            .collect()
    }
}
