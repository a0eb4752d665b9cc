//! The format of an experiment's result file, `results/<chapter>/<name>.json`.
//!
//! The experiments crate writes these files (it includes this module by path,
//! so there is one definition); the preprocessor reads them for
//! `{{#value}}` and `{{#machine}}`. The book states measured numbers only
//! through these files.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    /// `ch01/costs`: the file's path under `results/`, without `.json`.
    pub id: String,
    pub title: String,
    /// `full` for the committed results, `quick` for the test command's run.
    pub mode: String,
    pub machine: Machine,
    /// Named values that prose quotes with `{{#value id key}}`.
    pub values: BTreeMap<String, Value>,
    /// The experiment's own data (tables and plots are rendered from it).
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    pub cpu: String,
    /// Logical CPUs the process may use.
    pub cores: usize,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    /// The day the results were recorded, `YYYY-MM-DD`.
    pub date: String,
    /// The data and unified caches of CPU 0, such as `L1d 48 KiB, L2 1 MiB`.
    #[serde(default)]
    pub caches: String,
    /// Hardware threads per core as Linux sees them (2 with SMT, such as
    /// Intel's Hyper-Threading; 0 when unknown). In a virtual machine, the
    /// host's sharing of cores may be invisible.
    #[serde(default)]
    pub threads_per_core: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Value {
    pub value: f64,
    pub unit: String,
    /// How prose shows it, such as `11.2 µs`.
    pub display: String,
}

impl Results {
    pub fn machine_line(&self) -> String {
        let m = &self.machine;
        let caches = if m.caches.is_empty() {
            String::new()
        } else {
            format!(" ({})", m.caches)
        };
        let smt = match m.threads_per_core {
            0 => String::new(),
            1 => " (one hardware thread per core)".to_string(),
            n => format!(" ({n} hardware threads per core)"),
        };
        format!(
            "{}{caches}, {} logical CPUs{smt}, {} (kernel {}), {}, recorded {}{}",
            m.cpu,
            m.cores,
            m.os,
            m.kernel,
            m.rustc,
            m.date,
            if self.mode == "full" {
                ""
            } else {
                " (quick mode: sizes too small to mean anything)"
            }
        )
    }
}

/// The file of result `id` in the results folder `dir` (normally `results/`).
pub fn path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

pub fn load(dir: &Path, id: &str) -> Result<Results> {
    let path = path(dir, id);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading {}; run `cargo xtask experiments --only {id}`",
            path.display()
        )
    })?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Every result id in the results folder `dir`, sorted: `ch01/amdahl`, `ch01/costs`, …
pub fn all_ids(dir: &Path) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    if !dir.is_dir() {
        return Ok(ids);
    }
    for chapter in std::fs::read_dir(dir)? {
        let chapter = chapter?.path();
        if !chapter.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&chapter)? {
            let file = file?.path();
            if file.extension().is_some_and(|e| e == "json") {
                let ch = chapter.file_name().unwrap_or_default().to_string_lossy();
                let name = file.file_stem().unwrap_or_default().to_string_lossy();
                ids.push(format!("{ch}/{name}"));
            }
        }
    }
    ids.sort();
    Ok(ids)
}
