//! Checks on the built HTML book: every internal link and image resolves,
//! every `#fragment` names an element that exists, and no page, stylesheet
//! or script loads anything from the network (the book reads offline).

use anyhow::{Result, bail};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\s(?:id|name)="([^"]+)""#).unwrap());
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<(a|img|link|script|source|iframe)\b[^>]*?\s(href|src)="([^"]*)""#).unwrap()
});
static CSS_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"url\(\s*['"]?([^'")]+)"#).unwrap());

pub fn check(html_dir: &Path) -> Result<usize> {
    let mut files = Vec::new();
    collect(html_dir, &mut files)?;
    let mut ids: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut texts = Vec::new();
    for f in &files {
        if f.extension().is_some_and(|e| e == "html") {
            let text = std::fs::read_to_string(f)?;
            ids.insert(
                f.clone(),
                ID.captures_iter(&text).map(|c| decode(&c[1])).collect(),
            );
            texts.push((f.clone(), text));
        }
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for (file, text) in &texts {
        // The 404 page is served from any depth and uses absolute-path links.
        if file.file_name().is_some_and(|n| n == "404.html") {
            continue;
        }
        for caps in LINK.captures_iter(text) {
            let (tag, attr, target) = (&caps[1], &caps[2], decode(&caps[3]));
            let loads = tag != "a";
            if is_remote(&target) {
                if loads {
                    problems.push(format!(
                        "{}: <{tag} {attr}=\"{target}\"> loads from the network",
                        rel(html_dir, file)
                    ));
                }
                continue;
            }
            if target.starts_with("mailto:")
                || target.starts_with("javascript:")
                || target.is_empty()
            {
                continue;
            }
            checked += 1;
            if let Err(e) = resolve(file, &target, &ids) {
                problems.push(format!(
                    "{}: {tag} {attr}=\"{target}\": {e}",
                    rel(html_dir, file)
                ));
            }
        }
    }
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "css"))
    {
        let text = std::fs::read_to_string(f)?;
        for caps in CSS_URL.captures_iter(&text) {
            if is_remote(&caps[1]) {
                problems.push(format!(
                    "{}: url({}) loads from the network",
                    rel(html_dir, f),
                    &caps[1]
                ));
            }
        }
        if text.contains("@import") && text.contains("http") {
            problems.push(format!("{}: @import from the network", rel(html_dir, f)));
        }
    }
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        bail!(
            "{} broken or remote links:\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    Ok(checked)
}

fn is_remote(target: &str) -> bool {
    target.starts_with("http://") || target.starts_with("https://") || target.starts_with("//")
}

fn resolve(file: &Path, target: &str, ids: &HashMap<PathBuf, HashSet<String>>) -> Result<()> {
    let (path, fragment) = match target.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (target, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let dest = if path.is_empty() {
        file.to_path_buf()
    } else {
        normalize(&file.parent().unwrap_or(Path::new("")).join(path))
    };
    let dest = if dest.is_dir() {
        dest.join("index.html")
    } else {
        dest
    };
    if !dest.exists() {
        bail!("no file {}", dest.display());
    }
    if let Some(fragment) = fragment.filter(|f| !f.is_empty())
        && let Some(known) = ids.get(&dest)
        && !known.contains(fragment)
    {
        bail!("no element with id \"{fragment}\"");
    }
    Ok(())
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn decode(s: &str) -> String {
    s.replace("&amp;", "&").replace("%20", " ")
}

fn rel(base: &Path, f: &Path) -> String {
    f.strip_prefix(base).unwrap_or(f).display().to_string()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "links-test-{}-{}",
            std::process::id(),
            files.len() + files.iter().map(|f| f.1.len()).sum::<usize>()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (name, text) in files {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn good_links_pass() {
        let dir = site(&[
            (
                "index.html",
                r#"<a href="ch01/a.html#x">a</a> <a href="https://example.org">ok</a><img src="i.svg">"#,
            ),
            (
                "ch01/a.html",
                r##"<h2 id="x">X</h2><a href="../index.html">up</a><a href="#x">self</a>"##,
            ),
            ("i.svg", "<svg/>"),
        ]);
        assert_eq!(check(&dir).unwrap(), 4);
    }

    #[test]
    fn broken_fragment_missing_file_and_remote_loads_fail() {
        let dir = site(&[
            (
                "index.html",
                r#"<a href="a.html#nope">a</a><a href="gone.html">b</a><script src="https://cdn.example/x.js"></script>"#,
            ),
            ("a.html", r#"<p id="yes"></p>"#),
            (
                "s.css",
                "body { background: url(https://example.org/bg.png) }",
            ),
        ]);
        let err = check(&dir).unwrap_err().to_string();
        assert!(err.contains("no element with id \"nope\""), "{err}");
        assert!(err.contains("no file"), "{err}");
        assert!(err.contains("x.js\"> loads from the network"), "{err}");
        assert!(err.contains("bg.png) loads from the network"), "{err}");
    }
}
