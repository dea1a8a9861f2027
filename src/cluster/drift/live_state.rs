//! Whether the session's watches are live, as the status bar says it.

use super::Session;

impl Session {
    /// Live, stale (every watch fails: the first reason), or partly live: which watches
    /// fail, grouped by namespace and why in a word ("every kind in default (forbidden)").
    pub fn live_state(&self) -> crate::model::drift::LiveState {
        use std::collections::BTreeMap;

        use crate::model::drift::LiveState;
        // (namespace, why) to the kinds failing so; watches per namespace.
        let mut failing: BTreeMap<(String, &str), Vec<String>> = BTreeMap::new();
        let mut per_namespace: BTreeMap<String, usize> = BTreeMap::new();
        let mut first = None;
        for w in self.watches.values() {
            let ns = w.scope.namespace.clone().unwrap_or_default();
            *per_namespace.entry(ns.clone()).or_default() += 1;
            if let crate::cluster::live::WatchState::Failed(reason) = &*w.state.borrow() {
                let word = if reason.contains("forbidden") {
                    "forbidden"
                } else if reason.contains("cannot reach") {
                    "unreachable"
                } else {
                    "failing"
                };
                failing
                    .entry((ns, word))
                    .or_default()
                    .push(w.scope.resource.plural.clone());
                first.get_or_insert_with(|| reason.clone());
            }
        }
        let count: usize = failing.values().map(Vec::len).sum();
        match first {
            None => LiveState::Live,
            Some(reason) if count == self.watches.len() => LiveState::Stale(reason),
            Some(_) => LiveState::Partial {
                failed: failing
                    .into_iter()
                    .map(|((ns, word), mut kinds)| {
                        kinds.sort();
                        let place = if ns.is_empty() {
                            "cluster-wide".to_string()
                        } else {
                            format!("in {ns}")
                        };
                        if per_namespace.get(&ns) == Some(&kinds.len()) && kinds.len() > 1 {
                            format!("every kind {place} ({word})")
                        } else {
                            format!("{} {place} ({word})", kinds.join(", "))
                        }
                    })
                    .collect(),
                total: self.watches.len(),
            },
        }
    }
}
