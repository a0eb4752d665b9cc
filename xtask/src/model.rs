//! What the book is made of: listing and exercise packages under `listings/`,
//! read from their `Cargo.toml` (the caption is the package `description`; the
//! rest lives in `[package.metadata.book]`).
//!
//! A package folder is named `listing-CC-NN-slug` or `exercise-CC-NN-slug` and
//! lives in `listings/chCC/`: the folder name is the package name and gives
//! the number the book prints ("Listing 1-3", "Exercise 1-2").

use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The repository root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Listing,
    Exercise,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Listing => "Listing",
            Kind::Exercise => "Exercise",
        }
    }
    fn prefix(self) -> &'static str {
        match self {
            Kind::Listing => "listing",
            Kind::Exercise => "exercise",
        }
    }
}

/// "Listing 1-3": the kind, chapter and number of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label {
    pub kind: Kind,
    pub chapter: u32,
    pub number: u32,
}

impl Label {
    /// Parses a folder or package name such as `listing-01-03-spawn-cost`,
    /// or a short reference such as `listing-01-03`.
    pub fn parse(name: &str) -> Option<Label> {
        let mut parts = name.splitn(4, '-');
        let kind = match parts.next()? {
            "listing" => Kind::Listing,
            "exercise" => Kind::Exercise,
            _ => return None,
        };
        let chapter = parts.next().filter(|s| s.len() == 2)?.parse().ok()?;
        let number = parts.next().filter(|s| s.len() == 2)?.parse().ok()?;
        if parts.next() == Some("") {
            return None;
        }
        Some(Label {
            kind,
            chapter,
            number,
        })
    }

    /// The HTML id of the listing or exercise on its page: `listing-1-3`.
    pub fn id(&self) -> String {
        format!("{}-{}-{}", self.kind.prefix(), self.chapter, self.number)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}-{}", self.kind.word(), self.chapter, self.number)
    }
}

/// `[package.metadata.book]` of a listing or exercise.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookMeta {
    /// The file the book shows (default `src/main.rs` for a listing,
    /// `src/lib.rs` for an exercise's starter).
    pub show: Option<String>,
    /// Arguments the checker passes, and the book shows in the run command.
    #[serde(default)]
    pub args: Vec<String>,
    /// Text fed to the program's standard input.
    pub stdin: Option<String>,
    /// Seconds the checker waits for the program before it fails the check.
    pub timeout: Option<u64>,
    /// The run command the book shows uses `--release` (measuring listings).
    #[serde(default)]
    pub release: bool,
    /// Extra normalisations `[regex, replacement]` for output that varies.
    #[serde(default)]
    pub normalize: Vec<(String, String)>,
    /// The compiler must reject this listing with this error code (`E0277`).
    pub compile_fail: Option<String>,
    /// The book's doc-test compiles this listing but does not run it; the
    /// reason is required and printed next to the block.
    pub no_run: Option<String>,
    /// The exit code the program must end with (default 0).
    pub exit_code: Option<i32>,
    /// Exercise only: title, difficulty (1 to 3 stars), minutes, hints.
    pub title: Option<String>,
    pub difficulty: Option<u8>,
    pub minutes: Option<u32>,
    #[serde(default)]
    pub hints: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Manifest {
    package: ManifestPackage,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    features: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
struct ManifestPackage {
    name: String,
    description: Option<String>,
    edition: Option<toml::Value>,
    license: Option<toml::Value>,
    #[serde(default)]
    metadata: Option<ManifestMetadata>,
}

#[derive(Debug, Clone, Deserialize)]
struct ManifestMetadata {
    book: Option<BookMeta>,
}

/// A listing or exercise package.
#[derive(Debug, Clone)]
pub struct Package {
    /// Absolute path of the package folder.
    pub dir: PathBuf,
    /// Path relative to `listings/`: `ch01/listing-01-03-spawn-cost`.
    pub rel: String,
    pub name: String,
    pub label: Label,
    /// The caption (package `description`).
    pub caption: String,
    pub meta: BookMeta,
    /// Crate names of the package's normal dependencies.
    pub crates: Vec<String>,
    /// Dependency keys with the version requirement each names.
    pub dependencies: BTreeMap<String, toml::Value>,
    pub features: BTreeMap<String, Vec<String>>,
    pub edition: Option<String>,
    pub license: Option<String>,
}

impl Package {
    pub fn load(dir: &Path, listings: &Path) -> Result<Package> {
        let manifest_path = dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("reading {}", manifest_path.display()))?;
        let manifest: Manifest = toml::from_str(&text)
            .with_context(|| format!("parsing {}", manifest_path.display()))?;
        let folder = dir
            .file_name()
            .and_then(|s| s.to_str())
            .context("folder name")?
            .to_string();
        let label = Label::parse(&folder).with_context(|| {
            format!("{folder}: a listing folder is named listing-CC-NN-slug or exercise-CC-NN-slug")
        })?;
        let chapter_dir = dir
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        ensure!(
            chapter_dir == format!("ch{:02}", label.chapter),
            "{folder} is in {chapter_dir}/, but its name says chapter {}",
            label.chapter
        );
        ensure!(
            manifest.package.name == folder,
            "{folder}: the package name ({}) must equal the folder name",
            manifest.package.name
        );
        let caption = manifest
            .package
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .with_context(|| {
                format!("{folder}: the package description is the caption; it is missing")
            })?;
        let meta = manifest
            .package
            .metadata
            .and_then(|m| m.book)
            .unwrap_or_default();
        let crates = manifest
            .dependencies
            .iter()
            .map(|(key, value)| {
                let package = value
                    .get("package")
                    .and_then(|p| p.as_str())
                    .map(|_| key.as_str())
                    .unwrap_or(key);
                package.replace('-', "_")
            })
            .collect();
        let rel = dir
            .strip_prefix(listings)
            .unwrap_or(dir)
            .to_string_lossy()
            .replace('\\', "/");
        let as_string = |v: Option<toml::Value>| {
            v.map(|v| match v {
                toml::Value::String(s) => s,
                other => other.to_string(),
            })
        };
        Ok(Package {
            dir: dir.to_path_buf(),
            rel,
            name: folder,
            label,
            caption,
            meta,
            crates,
            dependencies: manifest.dependencies,
            features: manifest.features,
            edition: as_string(manifest.package.edition),
            license: as_string(manifest.package.license),
        })
    }

    /// The file the book shows, relative to the package folder.
    pub fn shown_file(&self) -> &str {
        self.meta.show.as_deref().unwrap_or(match self.label.kind {
            Kind::Listing => "src/main.rs",
            Kind::Exercise => "src/lib.rs",
        })
    }

    /// The package is built for loom too (`[target.'cfg(loom)'.dependencies]`):
    /// its model checks run with `--cfg loom`.
    pub fn uses_loom(&self) -> bool {
        std::fs::read_to_string(self.dir.join("Cargo.toml"))
            .is_ok_and(|t| t.contains("[target.'cfg(loom)'.dependencies]"))
    }

    /// The package has a library (`src/lib.rs`) besides its program.
    pub fn has_lib(&self) -> bool {
        self.label.kind == Kind::Listing && self.dir.join("src/lib.rs").is_file()
    }

    pub fn is_compile_fail(&self) -> bool {
        self.meta.compile_fail.is_some()
    }

    /// Seconds the checker allows a run.
    pub fn timeout(&self) -> u64 {
        self.meta.timeout.unwrap_or(60)
    }

    /// The command the book shows to run the listing.
    pub fn run_command(&self) -> String {
        let mut cmd = String::from("cargo run");
        if self.meta.release {
            cmd.push_str(" --release");
        }
        cmd.push_str(" -p ");
        cmd.push_str(&self.name);
        if !self.meta.args.is_empty() {
            cmd.push_str(" --");
            for arg in &self.meta.args {
                cmd.push(' ');
                cmd.push_str(arg);
            }
        }
        cmd
    }

    pub fn expected_output_path(&self) -> PathBuf {
        self.dir.join("output.txt")
    }

    /// Checks the metadata makes sense for the package's kind.
    pub fn validate(&self) -> Result<()> {
        let m = &self.meta;
        let who = &self.name;
        ensure!(
            self.edition.as_deref() == Some("2024"),
            "{who}: edition must be \"2024\" and written out (a copied folder has no workspace to inherit from)"
        );
        ensure!(
            self.license.as_deref() == Some("MIT OR Apache-2.0"),
            "{who}: license must be \"MIT OR Apache-2.0\", written out in the package"
        );
        for (dep, value) in &self.dependencies {
            let has_version = match value {
                toml::Value::String(_) => true,
                toml::Value::Table(t) => t.contains_key("version"),
                _ => false,
            };
            ensure!(
                has_version,
                "{who}: dependency `{dep}` must name its version (no `workspace = true`, no bare paths)"
            );
        }
        if let Some(code) = &m.compile_fail {
            ensure!(
                regex::Regex::new(r"^E\d{4}$")?.is_match(code),
                "{who}: compile-fail must be an error code such as E0277, not {code:?}"
            );
            ensure!(
                m.no_run.is_none(),
                "{who}: compile-fail and no-run exclude each other"
            );
        }
        if let Some(reason) = &m.no_run {
            ensure!(reason.trim().len() > 10, "{who}: no-run needs a reason");
        }
        match self.label.kind {
            Kind::Exercise => {
                ensure!(m.title.is_some(), "{who}: an exercise needs a title");
                ensure!(
                    matches!(m.difficulty, Some(1..=3)),
                    "{who}: an exercise needs a difficulty of 1 to 3 stars"
                );
                ensure!(
                    m.minutes.is_some_and(|n| n > 0),
                    "{who}: an exercise needs its estimated minutes"
                );
                ensure!(!m.hints.is_empty(), "{who}: an exercise needs hints");
                ensure!(
                    self.features.contains_key("solution"),
                    "{who}: an exercise needs a `solution` feature (the tests use it to test the reference solution)"
                );
                for file in ["src/lib.rs", "solution/lib.rs", "tests/exercise.rs"] {
                    ensure!(self.dir.join(file).is_file(), "{who}: {file} is missing");
                }
                ensure!(
                    m.compile_fail.is_none(),
                    "{who}: an exercise cannot be compile-fail"
                );
            }
            Kind::Listing => {
                ensure!(
                    m.title.is_none()
                        && m.difficulty.is_none()
                        && m.minutes.is_none()
                        && m.hints.is_empty(),
                    "{who}: title, difficulty, minutes and hints are for exercises"
                );
                ensure!(
                    self.dir.join(self.shown_file()).is_file(),
                    "{who}: the shown file {} is missing",
                    self.shown_file()
                );
                ensure!(
                    self.expected_output_path().is_file(),
                    "{who}: output.txt (the expected output) is missing; run `cargo xtask bless {who}`"
                );
            }
        }
        Ok(())
    }
}

/// Every listing and exercise package, sorted by chapter, kind and number.
pub fn packages() -> Result<Vec<Package>> {
    let listings = root().join("listings");
    let mut out = Vec::new();
    for chapter in read_dir_sorted(&listings)? {
        if !chapter.is_dir() {
            continue;
        }
        for dir in read_dir_sorted(&chapter)? {
            if dir.join("Cargo.toml").is_file() {
                out.push(Package::load(&dir, &listings)?);
            }
        }
    }
    out.sort_by_key(|p| p.label);
    for pair in out.windows(2) {
        if pair[0].label == pair[1].label {
            bail!("{} and {} have the same number", pair[0].name, pair[1].name);
        }
    }
    Ok(out)
}

pub fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

/// The names of the packages the root `Cargo.toml` excludes from the workspace.
pub fn workspace_excludes() -> Result<Vec<String>> {
    let text = std::fs::read_to_string(root().join("Cargo.toml"))?;
    let value: toml::Value = toml::from_str(&text)?;
    Ok(value
        .get("workspace")
        .and_then(|w| w.get("exclude"))
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_from_folder_names() {
        let l = Label::parse("listing-01-03-spawn-cost").unwrap();
        assert_eq!((l.kind, l.chapter, l.number), (Kind::Listing, 1, 3));
        assert_eq!(l.to_string(), "Listing 1-3");
        assert_eq!(l.id(), "listing-1-3");
        assert_eq!(Label::parse("listing-01-03"), Some(l));
        let e = Label::parse("exercise-02-10-pool").unwrap();
        assert_eq!(e.to_string(), "Exercise 2-10");
        assert_eq!(Label::parse("listing-1-3-x"), None);
        assert_eq!(Label::parse("sample-01-03-x"), None);
        assert_eq!(Label::parse("listing-01-03-"), None);
    }
}
