//! The book's mdBook preprocessor. It runs before mdBook's own `links`
//! preprocessor and expands the book's directives into Markdown, HTML and
//! `{{#include}}` / `{{#rustdoc_include}}` directives that `links` then fills in:
//!
//! | directive                                  | becomes                                              |
//! |--------------------------------------------|------------------------------------------------------|
//! | `{{#listing ch01/listing-01-03-x}}`        | numbered, captioned code, its run command and output |
//! |   `… anchor=NAME file=src/lib.rs output=false` | show one anchored part / another file / no output |
//! | `{{#excerpt ch01/listing-01-03-x anchor=A}}` | one more anchored part of a listing shown earlier  |
//! | `{{#run ch01/listing-01-03-x}}`            | the run command and output of a listing shown earlier |
//! | `{{#exercise ch01/exercise-01-02-x}}`      | statement, starter, test command, hints, solution    |
//! | `{{#ref listing-01-03}}`                   | a link "Listing 1-3" to wherever the listing is      |
//! | `{{#figure path.svg Caption}}`             | a numbered figure ("Figure 1-2")                     |
//! | `{{#value ch01/costs key}}`                | a measured value, from `results/ch01/costs.json`     |
//! | `{{#machine ch01/costs}}`                  | the machine that result was measured on              |
//! | `{{#minutes 30}}`                          | the section's teaching time                          |
//! | `{{#cite key}}` / `{{#bibliography}}`      | a citation / the bibliography                        |
//! | `{{#exercise-index}}` / `{{#results-index}}` | the appendices' generated tables                   |
//! | `{{#time-plan}}`                           | the chapter's sections with their minutes            |
//! | `{{#schedule}}`                            | the four days, computed from every section's minutes |
//! | `{{#planned}}`                             | marks a chapter not yet written                      |
//!
//! Everything the book numbers is numbered here, so numbers never drift.
//! A directive that cannot be expanded is an error, and the build fails.

use crate::model::{self, Kind, Label, Package};
use crate::results::{self, Results};
use anyhow::{Context, Result, anyhow, bail};
use mdbook_preprocessor::PreprocessorContext;
use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use regex::{Captures, Regex};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\\)?\{\{#(listing|excerpt|run|exercise|ref|figure|value|machine|minutes|cite|bibliography|exercise-index|results-index|time-plan|schedule|planned)(?:\s+([^}]*?))?\s*\}\}",
    )
    .unwrap()
});

/// Entry point: `xtask preprocess [supports <renderer>]`, speaking mdBook's
/// JSON protocol on stdin and stdout.
pub fn main(args: &[String]) -> Result<()> {
    // `--after-links` selects the second pass (book.toml runs both).
    let after_links = args.iter().any(|a| a == "--after-links");
    if args.iter().any(|a| a == "supports") {
        // Every renderer gets expanded directives (html, markdown, the
        // "test" renderer of `mdbook test`, and the printables backend).
        return Ok(());
    }
    let (ctx, book) =
        mdbook_preprocessor::parse_input(std::io::stdin()).map_err(|e| anyhow!("{e:#}"))?;
    let book = if after_links {
        strip_anchor_lines(book)
    } else {
        run(&ctx, book)?
    };
    serde_json::to_writer(std::io::stdout(), &book)?;
    Ok(())
}

static ANCHOR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(?://|#)[ \t]*ANCHOR(?:_END)?:[ \t]*\w+[ \t]*\n").unwrap()
});

/// After mdBook's `links` has filled in the includes: a file included whole
/// still carries its `ANCHOR` comment lines, which readers need not see.
fn strip_anchor_lines(mut book: Book) -> Book {
    book.for_each_mut(|item| {
        if let BookItem::Chapter(ch) = item {
            ch.content = ANCHOR_LINE.replace_all(&ch.content, "").into_owned();
        }
    });
    book
}

/// One chapter file as the preprocessor sees it.
struct Page {
    /// Path relative to `src/`, e.g. `ch01/costs.md`.
    path: PathBuf,
    /// The chapter number (the first component of the section number), if numbered.
    chapter: Option<u32>,
}

pub struct Expander {
    root: PathBuf,
    src: PathBuf,
    packages: BTreeMap<String, Package>,
    /// Where each listing or exercise is shown (by its `{{#listing}}` or
    /// `{{#exercise}}` directive): page path relative to `src/`.
    homes: HashMap<Label, PathBuf>,
    bibliography: Vec<BibEntry>,
    /// Every numbered page in reading order: its number, title, path and
    /// teaching minutes (from its `{{#minutes}}`).
    plan: Vec<PlanEntry>,
    /// The page each teaching day starts with (book.toml's
    /// `preprocessor.course.day-starts`).
    day_starts: Vec<PathBuf>,
}

struct PlanEntry {
    number: Vec<u32>,
    title: String,
    path: PathBuf,
    minutes: Option<u32>,
}

fn run(ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
    let root = ctx.root.clone();
    let src = root.join(&ctx.config.book.src);
    let day_starts: Vec<String> = ctx
        .config
        .get("preprocessor.course.day-starts")
        .map_err(|e| anyhow!("{e:#}"))?
        .unwrap_or_default();
    let mut cx = Expander::new(root, src, &book)?;
    cx.day_starts = day_starts.into_iter().map(PathBuf::from).collect();
    let mut errors = Vec::new();
    // Figures are numbered per chapter, across the chapter's pages in order.
    let mut figures: HashMap<u32, u32> = HashMap::new();
    // Slides belong to the printables backend only: every other edition
    // (the HTML book, the expanded Markdown, `mdbook test`) goes without them.
    let keep_slides = ctx.renderer == crate::printables::RENDERER;
    book.for_each_mut(|item| {
        if let BookItem::Chapter(ch) = item {
            if !keep_slides {
                ch.content = crate::slides::extract(&ch.content).0;
            }
            let Some(page) = page_of(ch) else { return };
            match cx.expand(&page, &ch.content, &mut figures) {
                Ok(content) => ch.content = content,
                Err(e) => errors.push(format!("{}: {e:#}", page.path.display())),
            }
        }
    });
    if !errors.is_empty() {
        bail!("the book's directives failed:\n  {}", errors.join("\n  "));
    }
    Ok(book)
}

fn page_of(ch: &Chapter) -> Option<Page> {
    let path = ch.source_path.clone()?;
    let chapter = ch.number.as_ref().and_then(|n| n.first().copied());
    Some(Page { path, chapter })
}

/// The directive's arguments: positional words, then `key=value` pairs.
struct Args<'a> {
    positional: Vec<&'a str>,
    named: BTreeMap<&'a str, &'a str>,
}

impl<'a> Args<'a> {
    fn parse(text: &'a str) -> Args<'a> {
        let mut positional = Vec::new();
        let mut named = BTreeMap::new();
        for word in text.split_whitespace() {
            match word.split_once('=') {
                Some((k, v)) => {
                    named.insert(k, v);
                }
                None => positional.push(word),
            }
        }
        Args { positional, named }
    }

    fn first(&self, what: &str) -> Result<&'a str> {
        self.positional
            .first()
            .copied()
            .with_context(|| format!("missing {what}"))
    }

    fn check_named(&self, allowed: &[&str]) -> Result<()> {
        for key in self.named.keys() {
            if !allowed.contains(key) {
                bail!("unknown option `{key}=` (allowed: {allowed:?})");
            }
        }
        Ok(())
    }
}

impl Expander {
    pub fn new(root: PathBuf, src: PathBuf, book: &Book) -> Result<Expander> {
        let packages = model::packages()?
            .into_iter()
            .map(|p| (p.rel.clone(), p))
            .collect::<BTreeMap<_, _>>();
        let mut homes = HashMap::new();
        let mut plan = Vec::new();
        let minutes_re = Regex::new(r"\{\{#minutes\s+(\d+)\s*\}\}")?;
        for item in book.iter() {
            let BookItem::Chapter(ch) = item else {
                continue;
            };
            let Some(page) = page_of(ch) else { continue };
            if let Some(number) = &ch.number {
                plan.push(PlanEntry {
                    number: number.to_vec(),
                    title: ch.name.clone(),
                    path: page.path.clone(),
                    minutes: minutes_re
                        .captures(&ch.content)
                        .and_then(|c| c[1].parse().ok()),
                });
            }
            for caps in DIRECTIVE.captures_iter(&ch.content) {
                if caps.get(1).is_some() {
                    continue;
                }
                if let "listing" | "exercise" = &caps[2] {
                    let args = Args::parse(caps.get(3).map_or("", |m| m.as_str()));
                    let rel = args.first("package")?;
                    let pkg = packages.get(rel).with_context(|| {
                        format!("{}: no package listings/{rel}", page.path.display())
                    })?;
                    if let Some(previous) = homes.insert(pkg.label, page.path.clone()) {
                        bail!(
                            "{} is shown twice ({} and {}); show it once and use {{{{#excerpt}}}} or {{{{#ref}}}} elsewhere",
                            pkg.label,
                            previous.display(),
                            page.path.display()
                        );
                    }
                }
            }
        }
        let bibliography = load_bibliography(&src)?;
        Ok(Expander {
            root,
            src,
            packages,
            homes,
            bibliography,
            plan,
            day_starts: Vec::new(),
        })
    }

    fn expand(
        &self,
        page: &Page,
        content: &str,
        figures: &mut HashMap<u32, u32>,
    ) -> Result<String> {
        outputs_shown_once(content)?;
        let mut errors = Vec::new();
        let out = DIRECTIVE.replace_all(content, |caps: &Captures| {
            if caps.get(1).is_some() {
                // Escaped: leave it for `links`, which removes the backslash.
                return caps[0].to_string();
            }
            let args = Args::parse(caps.get(3).map_or("", |m| m.as_str()));
            let result = match &caps[2] {
                "listing" => self.listing(page, &args),
                "excerpt" => self.excerpt(page, &args),
                "run" => self.run_directive(page, &args),
                "exercise" => self.exercise(page, &args),
                "ref" => self.reference(page, &args),
                "figure" => self.figure(page, caps.get(3).map_or("", |m| m.as_str()), figures),
                "value" => self.value(&args),
                "machine" => self.machine(&args),
                "minutes" => minutes(&args, content.contains("{{#exercise ")),
                "cite" => self.cite(page, &args),
                "bibliography" => Ok(self.bibliography_html()),
                "exercise-index" => self.exercise_index(page),
                "results-index" => self.results_index(page),
                "time-plan" => self.time_plan(page),
                "schedule" => self.schedule(),
                "planned" => Ok(PLANNED.to_string()),
                other => Err(anyhow!("unknown directive {other}")),
            };
            result.unwrap_or_else(|e| {
                errors.push(format!("{}: {e:#}", &caps[0]));
                String::new()
            })
        });
        if !errors.is_empty() {
            bail!("{}", errors.join("\n  "));
        }
        Ok(out.into_owned())
    }

    /// Path from the page's folder to `target` (relative to the repository root).
    fn path_from(&self, page: &Page, target: &Path) -> String {
        let page_dir = self.src.join(&page.path);
        let page_dir = page_dir.parent().unwrap_or(&self.src);
        relative(page_dir, &self.root.join(target))
    }

    fn package(&self, args: &Args) -> Result<&Package> {
        let rel = args.first("package path (e.g. ch01/listing-01-03-spawn-cost)")?;
        self.packages
            .get(rel)
            .with_context(|| format!("no package listings/{rel}"))
    }

    fn check_chapter(&self, page: &Page, pkg: &Package) -> Result<()> {
        match page.chapter {
            Some(n) if n == pkg.label.chapter => Ok(()),
            Some(n) => bail!(
                "{} belongs to chapter {}, not chapter {n}",
                pkg.label,
                pkg.label.chapter
            ),
            None => bail!("{} is shown on an unnumbered page", pkg.label),
        }
    }

    /// A fenced Rust block showing `file` of `pkg`, tested by the doc-tests.
    fn code_block(
        &self,
        page: &Page,
        pkg: &Package,
        file: &str,
        anchor: Option<&str>,
    ) -> Result<String> {
        let path = pkg.dir.join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: no file {file}", pkg.name))?;
        if let Some(anchor) = anchor {
            check_anchor(&text, anchor).with_context(|| format!("{}/{file}", pkg.name))?;
        }
        let mut info = String::from("rust");
        let mut out = String::new();
        if let Some(code) = &pkg.meta.compile_fail {
            write!(info, ",compile_fail,{code}")?;
        } else if let Some(reason) = &pkg.meta.no_run {
            info.push_str(",no_run");
            writeln!(out, "<!-- no_run: {reason} -->")?;
        }
        let target = self.path_from(page, &Path::new("listings").join(&pkg.rel).join(file));
        let target = match anchor {
            Some(a) => format!("{target}:{a}"),
            None => target,
        };
        writeln!(out, "```{info}")?;
        writeln!(out, "{{{{#rustdoc_include {target}}}}}")?;
        // `mdbook test` only passes `-L`, so crates need `extern crate`;
        // hidden, and after the code so inner attributes stay first.
        for krate in &pkg.crates {
            writeln!(out, "# extern crate {krate};")?;
        }
        // A listing's own library, used by its other files (src/main.rs, tests).
        if file != "src/lib.rs" && pkg.has_lib() {
            writeln!(out, "# extern crate {};", pkg.name.replace('-', "_"))?;
        }
        out.push_str("```\n");
        Ok(out)
    }

    fn listing(&self, page: &Page, args: &Args) -> Result<String> {
        args.check_named(&["anchor", "file", "output"])?;
        let pkg = self.package(args)?;
        if pkg.label.kind != Kind::Listing {
            bail!("{} is an exercise: use {{{{#exercise}}}}", pkg.name);
        }
        self.check_chapter(page, pkg)?;
        let file = args.named.get("file").copied().unwrap_or(pkg.shown_file());
        let anchor = args.named.get("anchor").copied();
        let show_output = match args.named.get("output").copied() {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => bail!("output= takes true or false, not {other}"),
        };
        let mut out = String::new();
        writeln!(out, "<figure class=\"listing\" id=\"{}\">", pkg.label.id())?;
        writeln!(
            out,
            "<figcaption><span class=\"listing-label\">{}</span> {} <span class=\"listing-file\">listings/{}/{}</span></figcaption>\n",
            pkg.label,
            inline_html(&pkg.caption),
            pkg.rel,
            file
        )?;
        out.push_str(&self.code_block(page, pkg, file, anchor)?);
        if show_output {
            out.push('\n');
            out.push_str(&self.run_block(page, pkg));
        }
        out.push_str("\n</figure>\n");
        Ok(out)
    }

    /// The command that runs (or, for a rejected listing, compiles) a
    /// listing, and its stored output.
    fn run_block(&self, page: &Page, pkg: &Package) -> String {
        let output = self.path_from(
            page,
            &Path::new("listings").join(&pkg.rel).join("output.txt"),
        );
        let (intro, command) = if pkg.is_compile_fail() {
            (
                "The compiler rejects it:",
                format!(
                    "cargo build --manifest-path listings/{}/Cargo.toml",
                    pkg.rel
                ),
            )
        } else {
            ("Run it:", pkg.run_command())
        };
        format!(
            "<p class=\"listing-run\">{intro}</p>\n\n```console\n$ {command}\n```\n\n```text\n{{{{#include {output}}}}}\n```\n"
        )
    }

    /// `{{#run ch01/listing-01-05-x}}`: the run command and output of a
    /// listing shown earlier with `output=false`.
    fn run_directive(&self, page: &Page, args: &Args) -> Result<String> {
        args.check_named(&[])?;
        let pkg = self.package(args)?;
        if pkg.label.kind != Kind::Listing {
            bail!("{} is an exercise", pkg.name);
        }
        Ok(format!(
            "<div class=\"listing-output\">\n\n{}\n</div>\n",
            self.run_block(page, pkg)
        ))
    }

    fn excerpt(&self, page: &Page, args: &Args) -> Result<String> {
        args.check_named(&["anchor", "file"])?;
        let pkg = self.package(args)?;
        let anchor = args
            .named
            .get("anchor")
            .copied()
            .context("an excerpt shows an anchored part: anchor=NAME")?;
        let file = args.named.get("file").copied().unwrap_or(pkg.shown_file());
        let link = self.link_to(page, pkg.label)?;
        let mut out = String::new();
        writeln!(
            out,
            "<figure class=\"excerpt\">\n<figcaption>From {link}, <span class=\"listing-file\">listings/{}/{}</span></figcaption>\n",
            pkg.rel, file
        )?;
        out.push_str(&self.code_block(page, pkg, file, Some(anchor))?);
        out.push_str("\n</figure>\n");
        Ok(out)
    }

    fn exercise(&self, page: &Page, args: &Args) -> Result<String> {
        args.check_named(&[])?;
        let pkg = self.package(args)?;
        if pkg.label.kind != Kind::Exercise {
            bail!("{} is a listing: use {{{{#listing}}}}", pkg.name);
        }
        self.check_chapter(page, pkg)?;
        let m = &pkg.meta;
        let title = m.title.as_deref().unwrap_or_default();
        let difficulty = m.difficulty.unwrap_or(1);
        let mut out = String::new();
        writeln!(out, "<div class=\"exercise\" id=\"{}\">\n", pkg.label.id())?;
        writeln!(out, "#### {}: {}\n", pkg.label, title)?;
        writeln!(
            out,
            "<p class=\"exercise-meta\"><span class=\"stars\" title=\"difficulty {difficulty} of 3\">{}</span> · about {} minutes · <span class=\"listing-file\">listings/{}/</span></p>\n",
            stars(difficulty),
            m.minutes.unwrap_or_default(),
            pkg.rel
        )?;
        writeln!(out, "**Goal.** {}\n", pkg.caption)?;
        writeln!(
            out,
            "Your starting point, `src/lib.rs`, compiles; the goal says what to change in it:\n"
        )?;
        out.push_str(&self.code_block(page, pkg, "src/lib.rs", None)?);
        writeln!(
            out,
            "\nThen run the tests (in `tests/exercise.rs`); they fail until your code is right:\n\n```console\n$ cargo test -p {}\n```\n",
            pkg.name
        )?;
        if pkg.uses_loom() {
            writeln!(
                out,
                "The model checks among them run only under loom, which explores the interleavings of your atomics:\n\n```console\n$ RUSTFLAGS=\"--cfg loom\" cargo test --release -p {}\n```\n",
                pkg.name
            )?;
        }
        writeln!(out, "<details class=\"hints\">\n<summary>Hints</summary>\n")?;
        for (i, hint) in m.hints.iter().enumerate() {
            writeln!(out, "{}. {}", i + 1, hint)?;
        }
        writeln!(out, "\n</details>\n")?;
        writeln!(
            out,
            "<details class=\"solution\">\n<summary>Reference solution</summary>\n"
        )?;
        out.push_str(&self.code_block(page, pkg, "solution/lib.rs", None)?);
        writeln!(out, "\n</details>\n\n</div>")?;
        Ok(out)
    }

    fn link_to(&self, page: &Page, label: Label) -> Result<String> {
        let home = self
            .homes
            .get(&label)
            .with_context(|| format!("{label} is not shown anywhere in the book"))?;
        let href = if *home == page.path {
            String::new()
        } else {
            let page_dir = self.src.join(&page.path);
            relative(page_dir.parent().unwrap_or(&self.src), &self.src.join(home))
        };
        Ok(format!("<a href=\"{href}#{}\">{label}</a>", label.id()))
    }

    fn reference(&self, page: &Page, args: &Args) -> Result<String> {
        args.check_named(&[])?;
        let short = args.first("reference such as listing-01-03")?;
        let label =
            Label::parse(short).with_context(|| format!("{short} is not like listing-01-03"))?;
        self.link_to(page, label)
    }

    fn figure(&self, page: &Page, text: &str, figures: &mut HashMap<u32, u32>) -> Result<String> {
        let (file, caption) = text
            .trim()
            .split_once(char::is_whitespace)
            .context("a figure needs a file and a caption")?;
        let path = self.src.join(file);
        if !path.is_file() {
            bail!("no figure file src/{file}");
        }
        let rel = self.path_from(page, &Path::new("src").join(file));
        let label = match page.chapter {
            Some(ch) => {
                let n = figures.entry(ch).or_default();
                *n += 1;
                format!("<span class=\"figure-label\">Figure {ch}-{n}</span> ")
            }
            None => String::new(),
        };
        let id = match page.chapter {
            Some(ch) => format!(" id=\"figure-{ch}-{}\"", figures[&ch]),
            None => String::new(),
        };
        Ok(format!(
            "<figure class=\"figure\"{id}>\n<img src=\"{rel}\" alt=\"{}\">\n<figcaption>{label}{}</figcaption>\n</figure>",
            html_escape(caption.trim()),
            inline_html(caption.trim())
        ))
    }

    fn results(&self, id: &str) -> Result<Results> {
        results::load(&self.root.join("results"), id)
    }

    fn value(&self, args: &Args) -> Result<String> {
        args.check_named(&[])?;
        let id = args.first("experiment id such as ch01/costs")?;
        let key = args.positional.get(1).context("missing the value's key")?;
        let results = self.results(id)?;
        let value = results
            .values
            .get(*key)
            .with_context(|| format!("results/{id}.json has no value `{key}`"))?;
        Ok(value.display.clone())
    }

    fn machine(&self, args: &Args) -> Result<String> {
        let id = args.first("experiment id such as ch01/costs")?;
        Ok(self.results(id)?.machine_line())
    }

    fn cite(&self, page: &Page, args: &Args) -> Result<String> {
        let key = args.first("bibliography key")?;
        let entry = self
            .bibliography
            .iter()
            .find(|e| e.key == key)
            .with_context(|| {
                format!("no bibliography entry `{key}` in src/appendix/bibliography.toml")
            })?;
        let page_dir = self.src.join(&page.path);
        let href = relative(
            page_dir.parent().unwrap_or(&self.src),
            &self.src.join("appendix/bibliography.md"),
        );
        Ok(format!(
            "<a class=\"cite\" href=\"{href}#{key}\">[{}]</a>",
            entry.label()
        ))
    }

    fn bibliography_html(&self) -> String {
        let mut entries: Vec<&BibEntry> = self.bibliography.iter().collect();
        entries.sort_by(|a, b| (a.label(), &a.title).cmp(&(b.label(), &b.title)));
        let mut out = String::from("<dl class=\"bibliography\">\n");
        for e in entries {
            let title = match &e.url {
                Some(url) => format!("<a href=\"{url}\">{}</a>", html_escape(&e.title)),
                None => html_escape(&e.title),
            };
            let _ = write!(
                out,
                "<dt id=\"{}\">[{}]</dt>\n<dd>{}. {}. <em>{}</em>.",
                e.key,
                e.label(),
                html_escape(&e.authors),
                e.year,
                title
            );
            if let Some(venue) = &e.venue {
                let _ = write!(out, " {}.", html_escape(venue));
            }
            if let Some(note) = &e.note {
                let _ = write!(out, " {}", inline_html(note));
            }
            out.push_str("</dd>\n");
        }
        out.push_str("</dl>\n");
        out
    }

    fn exercise_index(&self, page: &Page) -> Result<String> {
        let mut out =
            String::from("| Exercise | Title | Difficulty | Minutes |\n|---|---|---|---:|\n");
        let mut total = 0;
        let mut per_chapter: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
        for pkg in self
            .packages
            .values()
            .filter(|p| p.label.kind == Kind::Exercise)
        {
            let minutes = pkg.meta.minutes.unwrap_or_default();
            total += minutes;
            let e = per_chapter.entry(pkg.label.chapter).or_default();
            e.0 += 1;
            e.1 += minutes;
            writeln!(
                out,
                "| {} | {} | <span class=\"stars\">{}</span> | {} |",
                self.link_to(page, pkg.label)?,
                pkg.meta.title.as_deref().unwrap_or_default(),
                stars(pkg.meta.difficulty.unwrap_or(1)),
                minutes
            )?;
        }
        let count: u32 = per_chapter.values().map(|(n, _)| n).sum();
        writeln!(out, "\n{count} exercises, about {total} minutes in all.")?;
        for (chapter, (n, minutes)) in per_chapter {
            writeln!(out, "Chapter {chapter}: {n} exercises, {minutes} minutes.")?;
        }
        Ok(out)
    }

    /// The chapter's pages with their teaching minutes, and the total.
    fn time_plan(&self, page: &Page) -> Result<String> {
        let chapter = page
            .chapter
            .context("a time plan belongs to a numbered chapter")?;
        let mut out = String::from("| Section | Minutes |\n|---|---:|\n");
        let mut total = 0;
        for e in self
            .plan
            .iter()
            .filter(|e| e.number.first() == Some(&chapter))
        {
            let minutes = e
                .minutes
                .with_context(|| format!("{} has no {{{{#minutes N}}}}", e.path.display()))?;
            total += minutes;
            let number: Vec<String> = e.number.iter().map(u32::to_string).collect();
            let title = if e.path == page.path {
                format!("{} (this page)", e.title)
            } else {
                let page_dir = self.src.join(&page.path);
                let href = relative(
                    page_dir.parent().unwrap_or(&self.src),
                    &self.src.join(&e.path),
                );
                format!("[{} {}]({href})", number.join("."), e.title)
            };
            writeln!(out, "| {title} | {minutes} |")?;
        }
        writeln!(out, "| **Total** | **{total}** |")?;
        Ok(out)
    }

    /// Packs the numbered pages into the teaching days named by
    /// `day-starts`, in order, and fails if a day overflows.
    fn schedule(&self) -> Result<String> {
        if self.day_starts.is_empty() {
            bail!("book.toml sets no preprocessor.course.day-starts");
        }
        let mut days: Vec<Vec<&PlanEntry>> = Vec::new();
        for e in &self.plan {
            if self.day_starts.contains(&e.path) {
                days.push(Vec::new());
            }
            match days.last_mut() {
                Some(day) => day.push(e),
                None => bail!("{} comes before the first day starts", e.path.display()),
            }
        }
        if days.len() != self.day_starts.len() {
            bail!("a day-start names a page that is not a numbered page of the book");
        }
        let mut out = String::new();
        let mut problems = Vec::new();
        for (n, day) in days.iter().enumerate() {
            let total: u32 = day.iter().map(|e| e.minutes.unwrap_or(0)).sum();
            writeln!(
                out,
                "**Day {}** — {} h {:02} min of teaching
",
                n + 1,
                total / 60,
                total % 60
            )?;
            writeln!(
                out,
                "| Time | Section | Minutes |
|---|---|---:|"
            )?;
            let mut clock = DAY_START;
            let mut pauses = PAUSES.iter().peekable();
            for e in day {
                let m = e
                    .minutes
                    .with_context(|| format!("{} has no {{{{#minutes N}}}}", e.path.display()))?;
                // A pause that falls exactly between two sections comes first.
                if let Some(&&(name, at, length)) = pauses.peek()
                    && at == clock
                {
                    writeln!(out, "| {} | *{name}* | |", hhmm(at))?;
                    clock += length;
                    pauses.next();
                }
                let starts = clock;
                let mut left = m;
                let mut interrupted = Vec::new();
                // Time flows; the day's fixed pauses interrupt whatever runs.
                while left > 0 {
                    match pauses.peek() {
                        Some(&&(name, at, length)) if at < clock + left => {
                            left -= at - clock;
                            clock = at + length;
                            interrupted.push((name, at));
                            pauses.next();
                        }
                        _ => {
                            clock += left;
                            left = 0;
                        }
                    }
                }
                let number: Vec<String> = e.number.iter().map(u32::to_string).collect();
                let note = match interrupted.last() {
                    Some((name, _)) => format!(" (continues after the {})", name.to_lowercase()),
                    None => String::new(),
                };
                writeln!(
                    out,
                    "| {} | {} {}{note} | {m} |",
                    hhmm(starts),
                    number.join("."),
                    e.title
                )?;
                for (name, at) in interrupted {
                    writeln!(out, "| {} | *{name}* | |", hhmm(at))?;
                }
            }
            writeln!(out, "| {} | *End of day {}* | |\n", hhmm(clock), n + 1)?;
            if clock > DAY_END + OVERRUN {
                problems.push(format!(
                    "day {} overflows: it ends at {}, after {}; move a day start or shorten a section",
                    n + 1,
                    hhmm(clock),
                    hhmm(DAY_END)
                ));
            }
        }
        if !problems.is_empty() {
            bail!("{}", problems.join("; "));
        }
        Ok(out)
    }

    fn results_index(&self, page: &Page) -> Result<String> {
        let mut out = String::new();
        for id in results::all_ids(&self.root.join("results"))? {
            let generated = Path::new("src/generated").join(format!("{id}.md"));
            if !self.root.join(&generated).is_file() {
                bail!(
                    "results/{id}.json has no rendered table {}; run `cargo xtask experiments --render`",
                    generated.display()
                );
            }
            writeln!(
                out,
                "{{{{#include {}}}}}\n",
                self.path_from(page, &generated)
            )?;
            let plot = Path::new("generated").join(format!("{id}.svg"));
            if self.src.join(&plot).is_file() {
                let rel = self.path_from(page, &Path::new("src").join(&plot));
                writeln!(
                    out,
                    "<img class=\"plot\" src=\"{rel}\" alt=\"plot of {id}\">\n"
                )?;
            }
        }
        Ok(out)
    }
}

const PLANNED: &str = "<div class=\"planned\">\n\n**This chapter is being written.** Until it lands, here is what it covers. Its teaching time is the planned budget used by the schedule.\n\n</div>";

/// The teaching day: 9:00 to 16:30, in four sessions of 90 minutes with a
/// 15-minute break, lunch, and another break between them: six teaching hours.
const DAY_START: u32 = 9 * 60;
const DAY_END: u32 = 16 * 60 + 30;
/// The day's pauses: name, start (minutes after midnight), length.
const PAUSES: [(&str, u32, u32); 3] = [("Break", 630, 15), ("Lunch", 735, 60), ("Break", 885, 15)];
/// How far the day may run past its end before the schedule fails.
const OVERRUN: u32 = 15;

fn hhmm(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

fn minutes(args: &Args, with_exercises: bool) -> Result<String> {
    let n: u32 = args
        .first("minutes")?
        .parse()
        .context("minutes must be a number")?;
    let exercises = if with_exercises {
        ", exercises included"
    } else {
        ""
    };
    Ok(format!(
        "<p class=\"minutes\" data-minutes=\"{n}\">Teaching time: about {n} minutes{exercises}.</p>"
    ))
}

fn stars(n: u8) -> String {
    let n = usize::from(n.min(3));
    format!("{}{}", "★".repeat(n), "☆".repeat(3 - n))
}

/// Checks `ANCHOR: name` and `ANCHOR_END: name` are both in `text`.
pub fn check_anchor(text: &str, anchor: &str) -> Result<()> {
    let start = Regex::new(&format!(r"ANCHOR:\s*{}\b", regex::escape(anchor)))?;
    let end = Regex::new(&format!(r"ANCHOR_END:\s*{}\b", regex::escape(anchor)))?;
    if !start.is_match(text) || !end.is_match(text) {
        bail!("anchor `{anchor}` is not marked (ANCHOR: {anchor} … ANCHOR_END: {anchor})");
    }
    Ok(())
}

/// A relative path from folder `from` to `to`, with `/` separators.
pub fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes text for HTML and turns `code` spans into `<code>`.
pub fn inline_html(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", html_escape(part));
        } else {
            out.push_str(&html_escape(part));
        }
    }
    out
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BibFile {
    entry: Vec<BibEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BibEntry {
    key: String,
    /// Short label such as "Beazley 2010"; by default the first author's
    /// surname and the year.
    label: Option<String>,
    authors: String,
    year: String,
    title: String,
    venue: Option<String>,
    url: Option<String>,
    note: Option<String>,
}

impl BibEntry {
    fn label(&self) -> String {
        if let Some(l) = &self.label {
            return l.clone();
        }
        let first = self
            .authors
            .split([',', '&'])
            .next()
            .unwrap_or_default()
            .trim();
        let surname = first.rsplit(' ').next().unwrap_or(first);
        format!("{surname} {}", self.year)
    }
}

fn load_bibliography(src: &Path) -> Result<Vec<BibEntry>> {
    let path = src.join("appendix/bibliography.toml");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path)?;
    let file: BibFile =
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut seen = std::collections::HashSet::new();
    for e in &file.entry {
        if !seen.insert(&e.key) {
            bail!("bibliography key `{}` appears twice", e.key);
        }
    }
    Ok(file.entry)
}

/// A listing's output appears once per page: either with the listing, or
/// (after `{{#listing … output=false}}`) where a `{{#run}}` puts it.
fn outputs_shown_once(content: &str) -> Result<()> {
    let mut shown: HashMap<&str, &str> = HashMap::new();
    for caps in DIRECTIVE.captures_iter(content) {
        if caps.get(1).is_some() {
            continue;
        }
        let text = caps.get(3).map_or("", |m| m.as_str());
        let args = Args::parse(text);
        let Some(&pkg) = args.positional.first() else {
            continue;
        };
        let shows = match &caps[2] {
            "listing" => args.named.get("output").copied() != Some("false"),
            "run" => true,
            _ => false,
        };
        if shows && let Some(first) = shown.insert(pkg, caps.get(0).map_or("", |m| m.as_str())) {
            bail!(
                "the output of {pkg} is shown twice on this page ({first} and {}): give the listing output=false",
                &caps[0]
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_output_is_shown_once() {
        assert!(outputs_shown_once("{{#listing ch02/a output=false}}\n{{#run ch02/a}}").is_ok());
        assert!(outputs_shown_once("{{#listing ch02/a}}\n{{#run ch02/b}}").is_ok());
        let err = outputs_shown_once("{{#listing ch02/a}}\n{{#run ch02/a}}").unwrap_err();
        assert!(err.to_string().contains("shown twice"), "{err}");
        assert!(outputs_shown_once("{{#run ch02/a}} {{#run ch02/a}}").is_err());
    }

    #[test]
    fn relative_paths_climb_then_descend() {
        assert_eq!(
            relative(
                Path::new("/r/src/ch01"),
                Path::new("/r/listings/ch01/x/src/main.rs")
            ),
            "../../listings/ch01/x/src/main.rs"
        );
        assert_eq!(
            relative(Path::new("/r/src"), Path::new("/r/src/a.md")),
            "a.md"
        );
    }

    #[test]
    fn inline_code_becomes_html() {
        assert_eq!(
            inline_html("an `Rc<T>` & more"),
            "an <code>Rc&lt;T&gt;</code> &amp; more"
        );
    }

    #[test]
    fn directives_are_recognised_and_escapes_kept() {
        let caps = DIRECTIVE
            .captures("{{#listing ch01/listing-01-01-x anchor=main}}")
            .unwrap();
        assert_eq!(&caps[2], "listing");
        assert_eq!(&caps[3], "ch01/listing-01-01-x anchor=main");
        let escaped = DIRECTIVE.captures("\\{{#ref listing-01-01}}").unwrap();
        assert!(escaped.get(1).is_some());
        assert!(DIRECTIVE.captures("{{#include foo.rs}}").is_none());
    }

    #[test]
    fn anchors_must_have_both_ends() {
        assert!(check_anchor("// ANCHOR: a\nx\n// ANCHOR_END: a\n", "a").is_ok());
        assert!(check_anchor("// ANCHOR: a\nx\n", "a").is_err());
        assert!(check_anchor("// ANCHOR: ab\n// ANCHOR_END: ab\n", "a").is_err());
    }

    #[test]
    fn stars_show_difficulty() {
        assert_eq!(stars(2), "★★☆");
    }
}

#[cfg(test)]
mod schedule_tests {
    use super::*;

    fn expander(days: &[(&str, &[u32])]) -> Expander {
        let mut plan = Vec::new();
        let mut day_starts = Vec::new();
        for (d, (chapter, sections)) in days.iter().enumerate() {
            for (i, minutes) in sections.iter().enumerate() {
                let path = PathBuf::from(format!("{chapter}/{i}.md"));
                if i == 0 {
                    day_starts.push(path.clone());
                }
                plan.push(PlanEntry {
                    number: vec![d as u32 + 1, i as u32],
                    title: format!("Section {i}"),
                    path,
                    minutes: Some(*minutes),
                });
            }
        }
        Expander {
            root: PathBuf::new(),
            src: PathBuf::new(),
            packages: BTreeMap::new(),
            homes: HashMap::new(),
            bibliography: Vec::new(),
            plan,
            day_starts,
        }
    }

    #[test]
    fn pauses_interrupt_sections_at_fixed_times() {
        let out = expander(&[("ch01", &[60, 60, 120])]).schedule().unwrap();
        assert!(out.contains("| 9:00 | 1.0 Section 0 | 60 |"), "{out}");
        assert!(
            out.contains("| 10:00 | 1.1 Section 1 (continues after the break) | 60 |"),
            "{out}"
        );
        assert!(out.contains("| 10:30 | *Break* | |"), "{out}");
        assert!(
            out.contains("| 11:15 | 1.2 Section 2 (continues after the lunch) | 120 |"),
            "{out}"
        );
        assert!(out.contains("| 14:15 | *End of day 1* | |"), "{out}");
    }

    #[test]
    fn a_day_that_overflows_fails() {
        let err = expander(&[("ch01", &[200]), ("ch02", &[300, 120])])
            .schedule()
            .unwrap_err();
        assert!(err.to_string().contains("day 2 overflows"), "{err}");
    }
}
