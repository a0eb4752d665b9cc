//! Checks on the sources, before anything is built: every chapter named in
//! `SUMMARY.md` exists; every listing and exercise is valid, shown exactly
//! once, in the chapter its number names, and numbered in reading order;
//! every include resolves, anchors included; code in the book comes only from
//! `listings/` (a Rust block holds include directives, nothing typed inline).

use crate::book::blocks_in;
use crate::model::{self, Kind, Label, Package};
use crate::preprocess::check_anchor;
use anyhow::{Result, bail};
use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Pages in reading order, from `SUMMARY.md` (paths relative to `src/`).
pub fn summary_pages(src: &Path) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(src.join("SUMMARY.md"))?;
    let re = Regex::new(r"\]\(([^)#]+\.md)\)")?;
    Ok(re
        .captures_iter(&text)
        .map(|c| PathBuf::from(&c[1]))
        .collect())
}

pub fn check(packages: &[Package]) -> Result<()> {
    let root = model::root();
    let src = root.join("src");
    let mut problems = Vec::new();
    for p in packages {
        if let Err(e) = p.validate() {
            problems.push(format!("{e:#}"));
        }
    }
    if let Err(e) = crate::listings::check_excludes(packages) {
        problems.push(format!("{e:#}"));
    }
    if let Err(e) = crate::book::check_doctest_deps(packages) {
        problems.push(format!("{e:#}"));
    }

    let pages = summary_pages(&src)?;
    let directive = Regex::new(r"(\\)?\{\{#(listing|exercise)\s+([^\s}]+)")?;
    let include = Regex::new(r"(\\)?\{\{#(?:rustdoc_)?include\s+([^}\s]+)\s*\}\}")?;
    let section_ref = Regex::new(r"(?:^|[^\[\w])Section \d+\.\d+")?;
    let by_rel: BTreeMap<&str, &Package> = packages.iter().map(|p| (p.rel.as_str(), p)).collect();
    let mut shown: BTreeMap<Label, Vec<String>> = BTreeMap::new();
    // The next number expected in each chapter, per kind.
    let mut next: BTreeMap<(Kind, u32), u32> = BTreeMap::new();

    for page in &pages {
        let path = src.join(page);
        let Ok(text) = std::fs::read_to_string(&path) else {
            problems.push(format!(
                "SUMMARY.md names {}, which does not exist",
                page.display()
            ));
            continue;
        };
        let here = page.display().to_string();
        for caps in directive.captures_iter(&text) {
            if caps.get(1).is_some() {
                continue;
            }
            let Some(p) = by_rel.get(&caps[3]) else {
                problems.push(format!("{here}: no package listings/{}", &caps[3]));
                continue;
            };
            shown.entry(p.label).or_default().push(here.clone());
            let expected = next.entry((p.label.kind, p.label.chapter)).or_insert(1);
            if p.label.number != *expected {
                problems.push(format!(
                    "{here}: {} comes where {} {}-{} was expected: number listings and exercises in reading order",
                    p.label,
                    p.label.kind.word(),
                    p.label.chapter,
                    expected
                ));
            }
            *expected = p.label.number + 1;
        }
        for caps in include.captures_iter(&text) {
            if caps.get(1).is_some() {
                continue;
            }
            let (file, anchor) = match caps[2].split_once(':') {
                Some((f, a)) => (f.to_string(), Some(a.to_string())),
                None => (caps[2].to_string(), None),
            };
            let target = path.parent().unwrap_or(&src).join(&file);
            match std::fs::read_to_string(&target) {
                Err(_) => problems.push(format!("{here}: include of missing file {file}")),
                Ok(t) => match anchor {
                    Some(a) if a.starts_with(|c: char| c.is_ascii_digit()) => {
                        problems.push(format!(
                            "{here}: include {file} by line numbers; use a named anchor"
                        ));
                    }
                    Some(a) => {
                        if let Err(e) = check_anchor(&t, &a) {
                            problems.push(format!("{here}: {file}: {e}"));
                        }
                    }
                    None => {}
                },
            }
        }
        // "Section 2.7" in prose is a link, so that readers can follow it.
        for m in section_ref.find_iter(&text) {
            let line = text[..m.start()].lines().count().max(1);
            problems.push(format!(
                "{here}:{line}: `{}` without a link; write [{}](page.md)",
                m.as_str().trim_start_matches(|c: char| !c.is_alphabetic()),
                m.as_str().trim_start_matches(|c: char| !c.is_alphabetic()),
            ));
        }
        for b in blocks_in(&path, &text) {
            if !b.is_rust() {
                continue;
            }
            if b.attrs().contains(&"ignore") {
                problems.push(format!("{here}:{}: `ignore`d block", b.line));
            }
            let typed = b.code.lines().any(|l| {
                let t = l.trim();
                !(t.is_empty() || t.starts_with("{{#") || t.starts_with("# ") || t == "#")
            });
            if typed {
                problems.push(format!(
                    "{here}:{}: Rust typed into the chapter; code comes from a file under listings/ (use {{{{#listing}}}} or {{{{#rustdoc_include}}}})",
                    b.line
                ));
            }
        }
    }
    for p in packages {
        match shown.get(&p.label).map(Vec::len) {
            None => problems.push(format!(
                "{} ({}) is not shown by any chapter",
                p.label, p.name
            )),
            Some(1) => {}
            Some(_) => problems.push(format!(
                "{} is shown more than once: {:?}",
                p.label, shown[&p.label]
            )),
        }
    }
    if !problems.is_empty() {
        bail!("{} problems:\n  {}", problems.len(), problems.join("\n  "));
    }
    eprintln!(
        "  {} pages, {} listings, {} exercises",
        pages.len(),
        packages
            .iter()
            .filter(|p| p.label.kind == Kind::Listing)
            .count(),
        packages
            .iter()
            .filter(|p| p.label.kind == Kind::Exercise)
            .count()
    );
    Ok(())
}
