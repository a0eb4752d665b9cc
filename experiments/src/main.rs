//! The book's experiments. Run through `cargo xtask experiments`:
//!
//! ```text
//! cargo xtask experiments                      run all, record results/, render src/generated/
//! cargo xtask experiments --chapter 1          one chapter
//! cargo xtask experiments --only ch01/costs    one experiment
//! cargo xtask experiments --quick --out DIR    tiny sizes, results and renderings under DIR
//! cargo xtask experiments --render-only        re-render src/generated/ from results/
//! cargo xtask experiments --render-only --check   fail if src/generated/ is stale
//! ```
//!
//! An experiment measures with the listings' own code (each chapter module
//! includes the listing's source file), so what the book shows is what is
//! measured.

mod harness;
mod render;
#[path = "../../xtask/src/results.rs"]
mod results;

mod ch01;
mod ch02;
mod ch03;
mod ch04;
mod ch05;
mod ch06;
mod ch07;

use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use harness::Ctx;
use indicatif::MultiProgress;
use render::Rendered;
use results::Results;
use std::path::{Path, PathBuf};

/// What an experiment's run returns: the values prose quotes and its data.
pub struct Recorded {
    pub values: harness::Values,
    pub data: serde_json::Value,
}

impl Recorded {
    /// The values prose quotes, and the experiment's data as JSON.
    pub fn new(values: harness::Values, data: impl serde::Serialize) -> Result<Recorded> {
        Ok(Recorded {
            values,
            data: serde_json::to_value(data)?,
        })
    }
}

/// An experiment's data, read back from its results for rendering.
pub fn data_of<T: serde::de::DeserializeOwned>(results: &Results) -> Result<T> {
    Ok(serde_json::from_value(results.data.clone())?)
}

pub struct Experiment {
    /// `ch01/costs`: where its results go (`results/ch01/costs.json`).
    pub id: &'static str,
    pub title: &'static str,
    /// Progress steps the run reports, given quick mode (for the progress bar).
    pub steps: fn(bool) -> u64,
    pub run: fn(&Ctx) -> Result<Recorded>,
    pub render: fn(&Results) -> Result<Rendered>,
}

fn registry() -> Vec<Experiment> {
    let mut all = Vec::new();
    all.extend(ch01::experiments());
    all.extend(ch02::experiments());
    all.extend(ch03::experiments());
    all.extend(ch04::experiments());
    all.extend(ch05::experiments());
    all.extend(ch06::experiments());
    all.extend(ch07::experiments());
    all
}

#[derive(Parser)]
#[command(about = "Run the book's experiments, record results, render tables and plots")]
struct Cli {
    /// Only the experiments of this chapter.
    #[arg(long)]
    chapter: Option<u32>,
    /// Only this experiment (e.g. ch01/costs).
    #[arg(long)]
    only: Option<String>,
    /// Tiny sizes: proves each experiment runs; the numbers mean nothing.
    #[arg(long)]
    quick: bool,
    /// Where results go (default: results/; for --quick: required).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Do not measure: render the tables and plots from existing results.
    #[arg(long)]
    render_only: bool,
    /// With --render-only: fail if the committed renderings are stale.
    #[arg(long)]
    check: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() -> Result<()> {
    // Some measurements need a fresh process: this binary, run again.
    ch04::process_pool::serve_if_worker(ch04::worker_handler);
    if let Some(done) = ch02::child_entry() {
        return done;
    }
    if let Some(done) = ch03::ipc_ladder::child_entry() {
        return done;
    }
    if let Some(done) = ch03::ring::child_entry() {
        return done;
    }
    if let Some(done) = ch04::sharing::child_entry() {
        return done;
    }
    if let Some(done) = ch06::echo::child_entry() {
        return done;
    }
    if let Some(done) = ch06::fib::child_entry() {
        return done;
    }
    if let Some(done) = ch07::spawn::child_entry() {
        return done;
    }
    if let Some(done) = ch07::echo::child_entry() {
        return done;
    }
    let cli = Cli::parse();
    let selected: Vec<Experiment> = registry()
        .into_iter()
        .filter(|e| {
            cli.chapter
                .is_none_or(|c| e.id.starts_with(&format!("ch{c:02}/")))
        })
        .filter(|e| cli.only.as_deref().is_none_or(|o| e.id == o))
        .collect();
    ensure!(!selected.is_empty(), "no experiment matches");
    let root = root();
    if cli.render_only {
        let results_dir = cli.out.clone().unwrap_or_else(|| root.join("results"));
        return render_all(
            &selected,
            &results_dir,
            &root.join("src/generated"),
            cli.check,
        );
    }
    let (results_dir, generated_dir) = match (&cli.out, cli.quick) {
        (Some(out), _) => (out.clone(), out.join("generated")),
        (None, false) => (root.join("results"), root.join("src/generated")),
        (None, true) => {
            bail!("--quick needs --out DIR: quick results must not replace the committed ones")
        }
    };
    let machine = harness::machine();
    eprintln!(
        "Measuring on {} ({} logical CPUs), {}{}",
        machine.cpu,
        machine.cores,
        machine.rustc,
        if cli.quick { ", quick mode" } else { "" }
    );
    let progress = MultiProgress::new();
    for e in &selected {
        let ctx = Ctx::new(cli.quick, &progress, e.id, (e.steps)(cli.quick));
        let recorded = (e.run)(&ctx).with_context(|| format!("experiment {}", e.id))?;
        ctx.finish();
        let results = Results {
            id: e.id.to_string(),
            title: e.title.to_string(),
            mode: if cli.quick { "quick" } else { "full" }.to_string(),
            machine: machine.clone(),
            values: recorded.values.0,
            data: recorded.data,
        };
        let path = results::path(&results_dir, e.id);
        std::fs::create_dir_all(path.parent().context("results folder")?)?;
        std::fs::write(&path, serde_json::to_string_pretty(&results)? + "\n")?;
    }
    render_all(&selected, &results_dir, &generated_dir, false)
}

/// Renders each experiment's results into `<generated>/<id>.md` and its
/// plots into `<generated>/<id>[-suffix].svg`; with `check`, compares
/// instead of writing.
fn render_all(
    selected: &[Experiment],
    results_dir: &Path,
    generated: &Path,
    check: bool,
) -> Result<()> {
    let mut stale = Vec::new();
    for e in selected {
        let results = results::load(results_dir, e.id)?;
        let rendered = (e.render)(&results).with_context(|| format!("rendering {}", e.id))?;
        let mut files = vec![(generated.join(format!("{}.md", e.id)), rendered.markdown)];
        for (suffix, svg) in rendered.plots {
            files.push((generated.join(format!("{}{suffix}.svg", e.id)), svg));
        }
        for (file, text) in files {
            if check {
                if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
                    stale.push(file.display().to_string());
                }
            } else {
                std::fs::create_dir_all(file.parent().context("folder")?)?;
                std::fs::write(&file, text)?;
            }
        }
    }
    if !stale.is_empty() {
        bail!(
            "stale renderings (they differ from what results/ gives): {}\nrun `cargo xtask experiments --render-only`",
            stale.join(", ")
        );
    }
    // Every committed result belongs to an experiment that still exists.
    if check {
        let known: Vec<&str> = registry().iter().map(|e| e.id).collect();
        for id in results::all_ids(results_dir)? {
            ensure!(
                known.contains(&id.as_str()),
                "results/{id}.json belongs to no experiment"
            );
        }
    }
    Ok(())
}
