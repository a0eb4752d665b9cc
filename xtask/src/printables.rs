//! The printable editions, all made from the book's own sources.
//!
//! * An mdBook backend (`[output.printables]` in book.toml, run by every
//!   `mdbook build` and `mdbook serve` after the HTML book) renders, into
//!   `book/html/course/`: one slide deck per chapter (HTML that works from the
//!   file system), a handout (three slides a page, ruled lines beside each)
//!   and a notes edition (each slide with its speaker notes) per chapter and
//!   for the whole course, an index page, and `book/html/book-print.html`, the
//!   book's print page with a title page, a table of contents and numbered
//!   headings, ready for PDF.
//! * `cargo xtask print` prints every one of those to PDF with Debian's
//!   headless Chromium (`book/pdf/`, copied into the site by the backend).
//! * `check` (the test command's `printables` step) proves the results: page
//!   sizes and counts, embedded fonts, bookmarks, chapter titles and captions
//!   in the text, speaker notes only where they belong, no slide overflowing
//!   its frame in a real browser, and no network request from any page.

use crate::model;
use crate::preprocess::html_escape;
use crate::slides::{self, SlideSource};
use crate::util;
use anyhow::{Context, Result, bail, ensure};
use mdbook_preprocessor::book::BookItem;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The backend's name in book.toml; the preprocessor keeps slides for it.
pub const RENDERER: &str = "printables";

const DECK_CSS: &str = include_str!("../assets/deck.css");
const DECK_JS: &str = include_str!("../assets/deck.js");
const HANDOUT_CSS: &str = include_str!("../assets/handout.css");

/// What the backend produced, for `print` and `check` to use.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub title: String,
    pub chapters: Vec<ChapterDeck>,
    /// Every HTML page of the book, relative to the site root.
    pub pages: Vec<String>,
    /// Chapter titles as they appear in the book PDF ("1 Introduction").
    pub chapter_titles: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ChapterDeck {
    pub number: u32,
    pub title: String,
    /// `ch01`: the stem of every file made for the chapter.
    pub stem: String,
    pub slides: usize,
    /// Each numbered page of the chapter and its number of slides.
    pub pages: Vec<(String, usize)>,
    /// Whether the chapter is written (a planned chapter has no slides yet).
    pub written: bool,
    /// The text of every speaker note, for the checks.
    pub notes: Vec<String>,
}

/// One page of the book, as the backend sees it.
struct PageInfo {
    number: Option<Vec<u32>>,
    title: String,
    /// Path of the source, relative to `src/`.
    path: PathBuf,
    slides: Vec<SlideSource>,
    minutes: Option<u32>,
    has_exercises: bool,
    planned: bool,
}

/// A slide ready to render: its HTML and its place in the deck.
struct Slide {
    title: String,
    section: String,
    body_html: String,
    notes_html: String,
}

// ---------------------------------------------------------------- backend --

pub fn backend() -> Result<()> {
    let ctx = mdbook_renderer::RenderContext::from_json(std::io::stdin())
        .map_err(|e| anyhow::anyhow!("{e:#}"))?;
    let root = ctx.root.clone();
    let build_dir = root.join(&ctx.config.build.build_dir);
    let html = build_dir.join("html");
    let out = html.join("course");
    std::fs::create_dir_all(out.join("slides"))?;
    std::fs::create_dir_all(out.join("handouts"))?;
    let title = ctx.config.book.title.clone().unwrap_or_default();

    let mut pages = Vec::new();
    for item in ctx.book.iter() {
        let BookItem::Chapter(ch) = item else {
            continue;
        };
        let Some(path) = ch.source_path.clone() else {
            continue;
        };
        let (_, slides) = slides::extract(&ch.content);
        pages.push(PageInfo {
            number: ch.number.as_ref().map(|n| n.to_vec()),
            title: ch.name.clone(),
            path,
            slides,
            minutes: minutes_of(&ch.content),
            has_exercises: ch.content.contains("class=\"exercise\""),
            planned: ch.content.contains("class=\"planned\""),
        });
    }

    let mut chapters = Vec::new();
    let mut all_decks = Vec::new();
    let chapter_numbers: Vec<u32> = {
        let mut v: Vec<u32> = pages
            .iter()
            .filter_map(|p| p.number.as_ref().map(|n| n[0]))
            .collect();
        v.dedup();
        v
    };
    for n in chapter_numbers {
        let chapter_pages: Vec<&PageInfo> = pages
            .iter()
            .filter(|p| p.number.as_ref().is_some_and(|num| num[0] == n))
            .collect();
        let head = chapter_pages[0];
        let stem = format!("ch{n:02}");
        let deck = chapter_slides(head, &chapter_pages);
        let written = !head.planned;
        let notes: Vec<String> = chapter_pages
            .iter()
            .flat_map(|p| p.slides.iter().map(|s| s.notes.clone()))
            .filter(|s| !s.is_empty())
            .collect();
        chapters.push(ChapterDeck {
            number: n,
            title: head.title.clone(),
            stem: stem.clone(),
            slides: chapter_pages.iter().map(|p| p.slides.len()).sum(),
            pages: chapter_pages
                .iter()
                .map(|p| (p.path.display().to_string(), p.slides.len()))
                .collect(),
            written,
            notes,
        });
        if deck.is_empty() {
            continue;
        }
        let chapter_title = format!("Chapter {n}: {}", head.title);
        std::fs::write(
            out.join(format!("slides/{stem}.html")),
            deck_html(&title, &chapter_title, &stem, &deck),
        )?;
        std::fs::write(
            out.join(format!("handouts/{stem}-handout.html")),
            handout_html(
                &format!("{chapter_title} — handout"),
                &[(chapter_title.clone(), &deck)],
                false,
            ),
        )?;
        std::fs::write(
            out.join(format!("handouts/{stem}-notes.html")),
            handout_html(
                &format!("{chapter_title} — notes edition"),
                &[(chapter_title.clone(), &deck)],
                true,
            ),
        )?;
        all_decks.push((chapter_title, deck));
    }
    if !all_decks.is_empty() {
        let refs: Vec<(String, &Vec<Slide>)> =
            all_decks.iter().map(|(t, d)| (t.clone(), d)).collect();
        std::fs::write(
            out.join("handouts/course-handout.html"),
            handout_html(&format!("{title} — course handout"), &refs, false),
        )?;
        std::fs::write(
            out.join("handouts/course-notes.html"),
            handout_html(&format!("{title} — course notes edition"), &refs, true),
        )?;
    }

    // The book's print page, prepared for PDF.
    let print_page = html.join("print.html");
    if print_page.exists() {
        let text = std::fs::read_to_string(&print_page)?;
        std::fs::write(
            html.join("book-print.html"),
            book_print_html(&text, &title, &pages)?,
        )?;
    }
    // PDFs made earlier by `cargo xtask print` survive the HTML rebuild here.
    let pdfs = build_dir.join("pdf");
    if pdfs.is_dir() {
        std::fs::create_dir_all(out.join("pdf"))?;
        for entry in std::fs::read_dir(&pdfs)? {
            let p = entry?.path();
            if p.extension().is_some_and(|e| e == "pdf") {
                std::fs::copy(&p, out.join("pdf").join(p.file_name().context("name")?))?;
            }
        }
    }

    let chapter_titles = pages
        .iter()
        .filter(|p| p.number.as_ref().is_some_and(|n| n.len() == 1))
        .map(|p| format!("{} {}", p.number.as_ref().unwrap()[0], p.title))
        .collect();
    let mut manifest = Manifest {
        title: title.clone(),
        chapters,
        pages: Vec::new(),
        chapter_titles,
    };
    std::fs::write(out.join("index.html"), index_html(&title, &manifest, &pdfs))?;
    collect_html(&html, &html, &mut manifest.pages)?;
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    Ok(())
}

fn minutes_of(content: &str) -> Option<u32> {
    let re = regex::Regex::new(r#"data-minutes="(\d+)""#).ok()?;
    re.captures(content).and_then(|c| c[1].parse().ok())
}

fn section_label(p: &PageInfo) -> String {
    match &p.number {
        Some(n) if n.len() > 1 => {
            let num: Vec<String> = n.iter().map(u32::to_string).collect();
            format!("{} {}", num.join("."), p.title)
        }
        _ => p.title.clone(),
    }
}

/// The chapter's slides in reading order; the first slide of each page gets
/// the page's teaching time at the top of its notes.
fn chapter_slides(head: &PageInfo, pages: &[&PageInfo]) -> Vec<Slide> {
    let mut out = Vec::new();
    for p in pages {
        let page_dir = Path::new(&p.path)
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let link_dir = page_dir.clone();
        // Images are relative to the chapter page; decks and handouts sit two
        // folders below the site root (course/slides, course/handouts).
        let fix = move |src: &str| -> String {
            if src.contains("://") || src.starts_with('/') {
                return src.to_string();
            }
            let site_path = normalize(&page_dir.join(src));
            format!("../../{}", site_path.display())
        };
        // Links lead back to the book: `binary.md#x` and `#listing-3-2` are
        // relative to the chapter page, not to the deck.
        let page_html = PathBuf::from(&p.path).with_extension("html");
        let fix_href = move |href: &str| -> String {
            if href.contains("://") || href.starts_with('/') || href.starts_with("mailto:") {
                return href.to_string();
            }
            let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
            let target = if path.is_empty() {
                page_html.clone()
            } else {
                let joined = normalize(&link_dir.join(path));
                if joined.extension().is_some_and(|e| e == "md") {
                    joined.with_extension("html")
                } else {
                    joined
                }
            };
            let fragment = if fragment.is_empty() {
                String::new()
            } else {
                format!("#{fragment}")
            };
            format!("../../{}{fragment}", target.display())
        };
        for (i, s) in p.slides.iter().enumerate() {
            let mut notes = String::new();
            if i == 0 {
                let time = match p.minutes {
                    Some(m) if p.has_exercises => format!("about {m} minutes, exercises included"),
                    Some(m) => format!("about {m} minutes"),
                    None => "no teaching time set".into(),
                };
                notes.push_str(&format!("**{}** — {time}.\n\n", section_label(p)));
            }
            // Each line of a note is a prompt of its own ("Ask: …", "Demo: …").
            notes.push_str(&s.notes.replace('\n', "\n\n"));
            out.push(Slide {
                title: s.title.clone(),
                section: if p.number.as_ref().is_some_and(|n| n.len() > 1) {
                    section_label(p)
                } else {
                    format!(
                        "Chapter {}: {}",
                        head.number.as_ref().map_or(0, |n| n[0]),
                        head.title
                    )
                },
                body_html: slides::markdown_to_html(&s.body, &fix, &fix_href),
                notes_html: slides::markdown_to_html(&notes, &fix, &fix_href),
            });
        }
    }
    out
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn slide_html(s: &Slide, index: usize, total: usize, chapter: &str, with_notes: bool) -> String {
    let mut out = format!(
        "<section class=\"slide\" data-title=\"{}\">\n<div class=\"slide-body\">\n<h2>{}</h2>\n{}</div>\n",
        html_escape(&s.title),
        html_escape(&s.title),
        s.body_html
    );
    let _ = writeln!(
        out,
        "<footer class=\"slide-footer\"><span>{} · {}</span><span class=\"counter\">{} / {}</span></footer>",
        html_escape(chapter),
        html_escape(&s.section),
        index + 1,
        total
    );
    if with_notes {
        let _ = writeln!(out, "<aside class=\"notes\">\n{}</aside>", s.notes_html);
    }
    out.push_str("</section>\n");
    out
}

fn deck_html(course: &str, chapter: &str, stem: &str, deck: &[Slide]) -> String {
    let total = deck.len() + 1;
    let mut body = format!(
        "<section class=\"slide title-slide\" data-title=\"{chapter}\">\n<div class=\"slide-body\">\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n<p class=\"subtitle\">{} slides · press <code>s</code> for the speaker view</p>\n</div>\n<footer class=\"slide-footer\"><span>{}</span><span class=\"counter\">1 / {total}</span></footer>\n<aside class=\"notes\"><p>Title slide. Keys: arrows, space, PageUp/PageDown, Home, End; <code>s</code> toggles this view. A second window on the same deck follows this one.</p></aside>\n</section>\n",
        html_escape(chapter),
        html_escape(course),
        deck.len(),
        html_escape(course),
    );
    for (i, s) in deck.iter().enumerate() {
        body.push_str(&slide_html(s, i + 1, total, chapter, true));
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} — slides</title>\n<style>\n{DECK_CSS}</style>\n</head>\n<body class=\"deck\" data-deck=\"{stem}\">\n<div class=\"stage\" id=\"stage\">\n{body}</div>\n<div class=\"speaker\" id=\"speaker\">\n<div><div class=\"label\">Current slide</div><div class=\"pane\" id=\"sp-current\" style=\"height: 92%\"></div></div>\n<div><div class=\"label\">Next</div><div class=\"pane\" id=\"sp-next\" style=\"height: 60%\"></div><div class=\"sp-bar\"><span id=\"sp-timer\">0:00</span> · <span id=\"sp-count\"></span></div></div>\n<div class=\"sp-notes\" id=\"sp-notes\"></div>\n</div>\n<script>\n{DECK_JS}</script>\n</body>\n</html>\n",
        html_escape(chapter)
    )
}

/// A handout (`notes == false`: three slides a page, each with its speaker
/// notes in small type and ruled lines beside it) or a notes edition
/// (`notes == true`: each slide large, with its speaker notes below).
fn handout_html(title: &str, chapters: &[(String, &Vec<Slide>)], notes: bool) -> String {
    let mut body = format!("<h1 class=\"handout-title\">{}</h1>\n", html_escape(title));
    for (c, (chapter, deck)) in chapters.iter().enumerate() {
        if c > 0 {
            let _ = writeln!(
                body,
                "<h2 class=\"handout-title chapter-break\">{}</h2>",
                html_escape(chapter)
            );
        }
        for (i, s) in deck.iter().enumerate() {
            let slide = slide_html(s, i, deck.len(), chapter, false).replacen(
                "<span class=\"counter\">",
                "<span class=\"counter\" data-n>",
                1,
            );
            if notes {
                let notes = if s.notes_html.trim().is_empty() {
                    "<p class=\"no-notes\">No notes for this slide.</p>".to_string()
                } else {
                    s.notes_html.clone()
                };
                let _ = writeln!(
                    body,
                    "<div class=\"item\"><div class=\"thumb\">{slide}</div><div class=\"speaker-notes\">{notes}</div></div>"
                );
            } else {
                // The instructor's notes head the column, in small type; the
                // ruled lines below them are the attendee's.
                let notes = if s.notes_html.trim().is_empty() {
                    String::new()
                } else {
                    format!("<div class=\"handout-notes\">{}</div>", s.notes_html)
                };
                let lines = "<div class=\"line\"></div>".repeat(11);
                let _ = writeln!(
                    body,
                    "<div class=\"row\"><div class=\"thumb\">{slide}</div><div class=\"side\">{notes}<div class=\"lines\">{lines}</div></div></div>"
                );
            }
        }
    }
    let class = if notes { "notes-edition" } else { "handout" };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{DECK_CSS}\n{HANDOUT_CSS}</style>\n</head>\n<body class=\"{class}\">\n{body}</body>\n</html>\n",
        html_escape(title)
    )
}

/// The files `print` makes: (source HTML relative to the site root, PDF name).
pub fn print_targets(m: &Manifest) -> Vec<(String, String)> {
    let mut out = vec![("book-print.html".to_string(), "book.pdf".to_string())];
    let with_slides: Vec<&ChapterDeck> = m.chapters.iter().filter(|c| c.slides > 0).collect();
    for c in &with_slides {
        out.push((
            format!("course/slides/{}.html", c.stem),
            format!("{}-slides.pdf", c.stem),
        ));
        out.push((
            format!("course/handouts/{}-handout.html", c.stem),
            format!("{}-handout.pdf", c.stem),
        ));
        out.push((
            format!("course/handouts/{}-notes.html", c.stem),
            format!("{}-notes.pdf", c.stem),
        ));
    }
    if !with_slides.is_empty() {
        out.push((
            "course/handouts/course-handout.html".into(),
            "course-handout.pdf".into(),
        ));
        out.push((
            "course/handouts/course-notes.html".into(),
            "course-notes.pdf".into(),
        ));
    }
    out
}

fn index_html(title: &str, m: &Manifest, pdfs: &Path) -> String {
    let link = |pdf: &str, text: &str| {
        if pdfs.join(pdf).exists() {
            format!("<a href=\"pdf/{pdf}\">{text}</a>")
        } else {
            format!("{text} (run <code>cargo xtask print</code>)")
        }
    };
    let mut rows = String::new();
    for c in m.chapters.iter().filter(|c| c.slides > 0) {
        let _ = writeln!(
            rows,
            "<tr><td>Chapter {}: {}</td><td><a href=\"slides/{stem}.html\">slides</a> ({} slides)</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.number,
            html_escape(&c.title),
            c.slides,
            link(&format!("{}-slides.pdf", c.stem), "slides PDF"),
            link(&format!("{}-handout.pdf", c.stem), "handout"),
            link(&format!("{}-notes.pdf", c.stem), "notes edition"),
            stem = c.stem,
        );
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} — printable editions</title>\n<style>body {{ font-family: \"DejaVu Sans\", Arial, sans-serif; max-width: 60em; margin: 2em auto; line-height: 1.5; color: #1d2330; }} td {{ padding: 4px 12px 4px 0; }}</style></head>\n<body>\n<h1>{t}: printable editions</h1>\n<p><a href=\"../index.html\">Back to the book</a>. Decks work from the file system: arrows and space move, <code>s</code> opens the speaker view; print a deck for one 16:9 slide per page.</p>\n<p>The whole book: {book}. The whole course: {handout}, {notes}.</p>\n<table>\n{rows}</table>\n</body></html>\n",
        t = html_escape(title),
        book = link("book.pdf", "book PDF"),
        handout = link("course-handout.pdf", "handout"),
        notes = link("course-notes.pdf", "notes edition"),
    )
}

fn collect_html(dir: &Path, root: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in model::read_dir_sorted(dir)? {
        if entry.is_dir() {
            collect_html(&entry, root, out)?;
        } else if entry.extension().is_some_and(|e| e == "html") {
            out.push(
                entry
                    .strip_prefix(root)
                    .unwrap_or(&entry)
                    .display()
                    .to_string(),
            );
        }
    }
    Ok(())
}

/// mdBook's print page, made into a book: a title page, a table of contents,
/// numbered headings with sections one level below their chapter (so the PDF
/// outline nests), running headers and page numbers.
fn book_print_html(print: &str, title: &str, pages: &[PageInfo]) -> Result<String> {
    let h1 = regex::Regex::new(r#"<h1 id="([^"]+)">"#)?;
    let starts: Vec<(usize, String)> = h1
        .captures_iter(print)
        .map(|c| (c.get(0).unwrap().start(), c[1].to_string()))
        .collect();
    ensure!(
        starts.len() == pages.len(),
        "the print page has {} page titles for {} pages: every page must start with one `# Title`",
        starts.len(),
        pages.len()
    );
    let main_end = print.rfind("</main>").context("no </main> in print.html")?;
    let heading = regex::Regex::new(r"<(/?)h([1-5])\b")?;
    let mut body = String::new();
    let mut toc =
        String::from("<nav class=\"pdf-toc\"><p class=\"toc-title\">Contents</p>\n<ul>\n");
    for (i, page) in pages.iter().enumerate() {
        let start = starts[i].0;
        let end = starts.get(i + 1).map_or(main_end, |s| s.0);
        let mut chunk = print[start..end].to_string();
        let number = page
            .number
            .as_ref()
            .map(|n| n.iter().map(u32::to_string).collect::<Vec<_>>().join("."));
        let is_section = page.number.as_ref().is_some_and(|n| n.len() > 1);
        if is_section {
            chunk = heading
                .replace_all(&chunk, |c: &regex::Captures| {
                    let level: u8 = c[2].parse().unwrap_or(1);
                    format!("<{}h{}", &c[1], level + 1)
                })
                .into_owned();
        }
        if let Some(num) = &number {
            let tag = if is_section { "h2" } else { "h1" };
            chunk = chunk.replacen(
                &format!("<{tag} id=\"{}\">", starts[i].1),
                &format!(
                    "<{tag} id=\"{}\"><span class=\"secnum\">{num}</span> ",
                    starts[i].1
                ),
                1,
            );
        }
        let class = if is_section {
            "toc-section"
        } else {
            "toc-chapter"
        };
        let label = match &number {
            Some(num) => format!("{num} {}", html_escape(&page.title)),
            None => html_escape(&page.title),
        };
        let _ = writeln!(
            toc,
            "<li class=\"{class}\"><a href=\"#{}\">{label}</a></li>",
            starts[i].1
        );
        body.push_str(&chunk);
    }
    toc.push_str("</ul></nav>\n");
    let title_page = format!(
        "<section class=\"pdf-title-page\"><p class=\"book-title\">{}</p><p class=\"book-subtitle\">A hands-on course in concurrent and distributed programming, with every listing proven and every number measured</p><p class=\"book-meta\">Built {}</p></section>\n",
        html_escape(title),
        build_date()
    );
    let style = format!(
        "<style>\n@page {{ size: A4; margin: 18mm 16mm 20mm; @top-right {{ content: \"{}\"; font: 8pt sans-serif; color: #777; }} @bottom-center {{ content: counter(page); font: 9pt sans-serif; }} }}\n@page :first {{ @top-right {{ content: none; }} @bottom-center {{ content: none; }} }}\n.pdf-title-page {{ height: 230mm; display: flex; flex-direction: column; justify-content: center; break-after: page; }}\n.book-title {{ font-size: 30pt; line-height: 1.2; font-weight: bold; }}\n.toc-title {{ font-size: 20pt; font-weight: bold; }}\n.book-subtitle {{ font-size: 14pt; color: #444; }}\n.book-meta {{ color: #777; }}\n.pdf-toc {{ break-after: page; }}\n.pdf-toc ul {{ list-style: none; padding: 0; }}\n.pdf-toc .toc-chapter {{ font-weight: bold; margin-top: 2mm; }}\n.pdf-toc .toc-section {{ margin-left: 8mm; }}\nmain h1 {{ break-before: page; }}\n.secnum {{ color: #b7410e; margin-right: 0.3em; }}\n</style>\n",
        html_escape(title)
    );
    let head_end = print.find("</head>").context("no </head> in print.html")?;
    let main_start = print.find("<main>").context("no <main> in print.html")? + "<main>".len();
    let mut out = String::new();
    out.push_str(&print[..head_end]);
    out.push_str(&style);
    out.push_str(&print[head_end..main_start]);
    out.push('\n');
    out.push_str(&title_page);
    out.push_str(&toc);
    out.push_str(&body);
    out.push_str(&print[main_end..]);
    // The print page prints itself when opened, and breaks pages before
    // every page; this copy is printed by us, and breaks before chapters.
    Ok(out
        .replace("window.setTimeout(window.print, 100);", "")
        .replace(
            "<div style=\"break-before: page; page-break-before: always;\"></div>",
            "",
        ))
}

/// The date of the last commit, which is what the sources say they are.
fn build_date() -> String {
    Command::new("git")
        .args(["log", "-1", "--format=%cd", "--date=short"])
        .current_dir(model::root())
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .map_or_else(
            || "from the repository's sources".to_string(),
            |d| format!("from the sources of {d}"),
        )
}

// ------------------------------------------------------------ PDF and checks --

/// Makes sure Debian's Chromium and poppler-utils are installed (see
/// `util::ensure_debian_packages`: nothing downloads a browser of its own).
fn ensure_tools() -> Result<()> {
    let have = |c: &str| Command::new(c).arg("-v").output().is_ok();
    let missing: Vec<&str> = [
        ("chromium", chromium().is_ok()),
        ("poppler-utils", have("pdfinfo")),
    ]
    .into_iter()
    .filter(|(_, present)| !present)
    .map(|(package, _)| package)
    .collect();
    util::ensure_debian_packages(&missing, "the printable editions")
}

/// Debian's Chromium, or an error that says how to install it.
fn chromium() -> Result<PathBuf> {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Ok(PathBuf::from(c));
        }
    }
    bail!(
        "Chromium is not installed; on Debian: `apt-get install chromium poppler-utils` (.ci/run does it)"
    )
}

/// A headless Chromium with a fresh profile and nothing that phones home.
fn chromium_command(profile: &Path) -> Result<Command> {
    let mut cmd = Command::new(chromium()?);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--hide-scrollbars",
        "--mute-audio",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    // Chromium's sandbox needs user namespaces, which root inside a
    // container does not get.
    if util::is_root() {
        cmd.arg("--no-sandbox");
    }
    Ok(cmd)
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

pub fn load_manifest() -> Result<Manifest> {
    let path = model::root().join("book/html/course/manifest.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// `cargo xtask print`: builds the book, then prints the book, every deck,
/// handout and notes edition to PDF in `book/pdf/`.
pub fn print() -> Result<()> {
    let start = Instant::now();
    ensure_tools()?;
    crate::book::build()?;
    let root = model::root();
    let html = root.join("book/html");
    let pdf_dir = root.join("book/pdf");
    let _ = std::fs::remove_dir_all(&pdf_dir);
    std::fs::create_dir_all(&pdf_dir)?;
    let manifest = load_manifest()?;
    let targets = print_targets(&manifest);
    let scratch = root.join("target/chromium");
    let results = util::parallel_map(&targets, util::jobs(), |(source, pdf)| -> Result<String> {
        let profile = scratch.join(pdf);
        let _ = std::fs::remove_dir_all(&profile);
        let out = util::run_with_timeout(
            chromium_command(&profile)?
                .args([
                    "--no-pdf-header-footer",
                    "--generate-pdf-document-outline",
                    "--virtual-time-budget=10000",
                ])
                .arg(format!("--print-to-pdf={}", pdf_dir.join(pdf).display()))
                .arg(file_url(&html.join(source))),
            None,
            Duration::from_secs(180),
        )?;
        ensure!(
            out.success() && pdf_dir.join(pdf).exists(),
            "printing {source} failed:\n{}",
            out.describe()
        );
        Ok(format!("{pdf} ({:.1?})", out.elapsed))
    });
    crate::listings::report(results)?;
    // Rebuild, so the site's copy of the PDFs and the index's links are current.
    crate::book::build()?;
    eprintln!(
        "  printable editions in book/pdf/ and book/html/course/ ({:.0?} in all)",
        start.elapsed()
    );
    Ok(())
}

/// One PDF's facts, from poppler's tools.
struct PdfInfo {
    pages: usize,
    width_pt: f64,
    height_pt: f64,
    text: String,
}

fn pdf_info(path: &Path) -> Result<PdfInfo> {
    let info = Command::new("pdfinfo")
        .arg(path)
        .output()
        .context("pdfinfo (poppler-utils) is not installed")?;
    ensure!(
        info.status.success(),
        "pdfinfo failed on {}",
        path.display()
    );
    let info = String::from_utf8_lossy(&info.stdout);
    let field = |name: &str| {
        info.lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_string())
            .unwrap_or_default()
    };
    let pages = field("Pages:").parse().unwrap_or(0);
    let size: Vec<f64> = field("Page size:")
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let fonts = Command::new("pdffonts").arg(path).output()?;
    for line in String::from_utf8_lossy(&fonts.stdout).lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // name type… emb sub uni object-id gen: "emb" is the 5th column from the end.
        ensure!(
            cols.len() >= 6 && cols[cols.len() - 5] == "yes",
            "{}: a font is not embedded: {line}",
            path.display()
        );
    }
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()?;
    Ok(PdfInfo {
        pages,
        width_pt: size.first().copied().unwrap_or(0.0),
        height_pt: size.get(1).copied().unwrap_or(0.0),
        text: String::from_utf8_lossy(&text.stdout).into_owned(),
    })
}

/// A PDF's text in reading order (pdftotext without `-layout`), so that a
/// column beside another, such as a handout's notes, comes out whole.
fn flow_text(path: &Path) -> Result<String> {
    let out = Command::new("pdftotext").arg(path).arg("-").output()?;
    ensure!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The titles of a PDF's outline (bookmarks). Chromium writes each outline
/// item as a plain dictionary, `<</Title (…) /Dest […] /Parent …>>`, with the
/// title as a literal string, or as UTF-16 in hex when it is not ASCII.
fn outline_titles(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let item = regex::Regex::new(r"/Title (\((?:[^)\\]|\\.)*\)|<[0-9A-Fa-f]*>)\s*/Dest")?;
    Ok(item
        .captures_iter(&text)
        .map(|c| {
            let raw = &c[1];
            if let Some(hex) = raw.strip_prefix('<').and_then(|h| h.strip_suffix('>')) {
                let units: Vec<u16> = (0..hex.len() / 4)
                    .filter_map(|i| u16::from_str_radix(&hex[i * 4..i * 4 + 4], 16).ok())
                    .skip_while(|&u| u == 0xFEFF)
                    .collect();
                String::from_utf16_lossy(&units)
            } else {
                raw[1..raw.len() - 1]
                    .replace("\\(", "(")
                    .replace("\\)", ")")
            }
        })
        .collect())
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The test command's `printables` step.
pub fn check(packages: &[model::Package]) -> Result<()> {
    print()?;
    let root = model::root();
    let pdf_dir = root.join("book/pdf");
    let html = root.join("book/html");
    let manifest = load_manifest()?;
    let mut problems = Vec::new();

    // Slides: every page of a written chapter has one; a complete chapter 25.
    for c in manifest.chapters.iter().filter(|c| c.written) {
        for (page, n) in &c.pages {
            if *n == 0 {
                problems.push(format!(
                    "{page}: a section of a written chapter has no slide"
                ));
            }
        }
        if c.slides < 25 {
            problems.push(format!(
                "chapter {} has {} slides; a written chapter has at least 25",
                c.number, c.slides
            ));
        }
    }

    let a4 = |i: &PdfInfo| (i.width_pt - 595.0).abs() < 3.0 && (i.height_pt - 842.0).abs() < 3.0;
    let wide = |i: &PdfInfo| (i.width_pt / i.height_pt - 16.0 / 9.0).abs() < 0.01;
    let book = pdf_info(&pdf_dir.join("book.pdf"))?;
    let book_text = squash(&book.text);
    if !a4(&book) || book.pages < 20 {
        problems.push(format!(
            "book.pdf: {} pages of {}×{} pt; expected A4 and a whole book",
            book.pages, book.width_pt, book.height_pt
        ));
    }
    let bookmarks = outline_titles(&pdf_dir.join("book.pdf"))?;
    for t in &manifest.chapter_titles {
        // Chromium drops the space where a long heading wraps on the page.
        let bare = |s: &str| s.split_whitespace().collect::<String>();
        if !bookmarks.iter().any(|b| bare(b) == bare(t)) {
            problems.push(format!(
                "book.pdf has no bookmark \"{t}\" (it has {})",
                bookmarks.len()
            ));
        }
    }
    for t in &manifest.chapter_titles {
        if !book_text.contains(&squash(t)) {
            problems.push(format!(
                "book.pdf: pdftotext does not find the chapter title \"{t}\""
            ));
        }
    }
    // A caption stays on the page of its listing: its file line follows it.
    let pages_text: Vec<&str> = book.text.split('\u{c}').collect();
    for p in packages
        .iter()
        .filter(|p| p.label.kind == model::Kind::Listing)
    {
        let start = format!("{} {}", p.label, p.caption.replace('`', ""));
        let start: Vec<&str> = start.split_whitespace().take(5).collect();
        let start = start.join(" ");
        for (n, page) in pages_text.iter().enumerate() {
            let lines: Vec<&str> = page.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if squash(line).starts_with(&start)
                    && !lines[i + 1..]
                        .iter()
                        .take(4)
                        .any(|l| l.contains("listings/ch"))
                {
                    problems.push(format!(
                        "book.pdf page {}: the caption of {} is parted from its listing",
                        n + 1,
                        p.label
                    ));
                }
            }
        }
    }
    // A listing caption from each chapter that has listings.
    let mut chapters_with_listings: Vec<u32> = packages
        .iter()
        .filter(|p| p.label.kind == model::Kind::Listing)
        .map(|p| p.label.chapter)
        .collect();
    chapters_with_listings.dedup();
    for ch in chapters_with_listings {
        if let Some(p) = packages
            .iter()
            .find(|p| p.label.chapter == ch && p.label.kind == model::Kind::Listing)
        {
            let caption = format!("{} {}", p.label, p.caption.replace('`', ""));
            let words: Vec<&str> = caption.split_whitespace().take(8).collect();
            if !book_text.contains(&words.join(" ")) {
                problems.push(format!(
                    "book.pdf: pdftotext does not find the caption \"{}\"",
                    words.join(" ")
                ));
            }
        }
    }
    // Notes: in the notes editions, never in the book or the projected decks.
    let sample_notes: Vec<(String, &str)> = manifest
        .chapters
        .iter()
        .flat_map(|c| c.notes.iter().map(move |n| (c.stem.clone(), n.as_str())))
        .collect();
    let html_tag = regex::Regex::new(r"<[^>]*>")?;
    let note_probe = |note: &str| -> String {
        // A run of words from the note's first line, free of HTML (a
        // `{{#ref}}` is a link) and of Markdown marks; an underscore inside a
        // word (`FUTEX_WAIT`) is text, one around it (`_word_`) emphasis.
        let first = note.lines().next().unwrap_or("");
        let plain = html_tag.replace_all(first, "").replace(['*', '`'], "");
        plain
            .split_whitespace()
            .map(|w| w.trim_matches('_'))
            .filter(|w| !w.is_empty())
            .take(6)
            .collect::<Vec<_>>()
            .join(" ")
    };
    for c in manifest.chapters.iter().filter(|c| c.slides > 0) {
        let deck = pdf_info(&pdf_dir.join(format!("{}-slides.pdf", c.stem)))?;
        if !wide(&deck) || deck.pages != c.slides + 1 {
            problems.push(format!(
                "{}-slides.pdf: {} pages of {}×{} pt; expected {} pages of 16:9",
                c.stem,
                deck.pages,
                deck.width_pt,
                deck.height_pt,
                c.slides + 1
            ));
        }
        for kind in ["handout", "notes"] {
            let h = pdf_info(&pdf_dir.join(format!("{}-{kind}.pdf", c.stem)))?;
            let per_page = if kind == "handout" { 3 } else { 1 };
            if !a4(&h) || h.pages < c.slides / per_page.max(1) / 2 || h.pages > c.slides + 2 {
                problems.push(format!(
                    "{}-{kind}.pdf: {} pages of {}×{} pt",
                    c.stem, h.pages, h.width_pt, h.height_pt
                ));
            }
        }
        // Compared without hyphens: a line broken at a hyphen comes back from
        // pdftotext joined, and the hyphen dropped ("listing03-13-nagle").
        let loose = |t: &str| squash(&t.replace("-\n", "")).replace('-', "");
        let notes_text = loose(&pdf_info(&pdf_dir.join(format!("{}-notes.pdf", c.stem)))?.text);
        let handout_text = loose(&flow_text(
            &pdf_dir.join(format!("{}-handout.pdf", c.stem)),
        )?);
        let deck_text = squash(&deck.text);
        for (stem, note) in sample_notes.iter().filter(|(s, _)| *s == c.stem) {
            let probe = note_probe(note);
            if probe.split_whitespace().count() < 3 {
                continue;
            }
            if !notes_text.contains(&loose(&probe)) {
                problems.push(format!("{stem}-notes.pdf lacks the note \"{probe}\""));
            }
            if !handout_text.contains(&loose(&probe)) {
                problems.push(format!("{stem}-handout.pdf lacks the note \"{probe}\""));
            }
            if deck_text.contains(&probe) {
                problems.push(format!(
                    "{stem}-slides.pdf shows the note \"{probe}\" on a projected slide"
                ));
            }
            if book_text.contains(&probe) {
                problems.push(format!("book.pdf shows the speaker note \"{probe}\""));
            }
        }
    }
    // The reading edition's HTML has no notes either.
    let mut reading = String::new();
    for page in manifest.pages.iter().filter(|p| !p.starts_with("course/")) {
        reading.push_str(&squash(&html_text(&std::fs::read_to_string(
            html.join(page),
        )?)));
    }
    for (_, note) in &sample_notes {
        let probe = note_probe(note);
        if probe.split_whitespace().count() >= 3 && reading.contains(&probe) {
            problems.push(format!("the HTML book shows the speaker note \"{probe}\""));
        }
    }
    problems.extend(slide_overflow(&manifest)?);
    problems.extend(network_requests(&manifest)?);
    if !problems.is_empty() {
        bail!("{} problems:\n  {}", problems.len(), problems.join("\n  "));
    }
    Ok(())
}

/// Text of an HTML page, tags removed, entities for quotes decoded.
fn html_text(html: &str) -> String {
    let tags = regex::Regex::new(r"<[^>]*>").expect("valid regex");
    tags.replace_all(html, " ")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Opens each deck in headless Chromium with `?check`, which measures every
/// slide; returns the slides whose content overflows or scrolls.
fn slide_overflow(m: &Manifest) -> Result<Vec<String>> {
    let root = model::root();
    let decks: Vec<&ChapterDeck> = m.chapters.iter().filter(|c| c.slides > 0).collect();
    let results = util::parallel_map(&decks, util::jobs(), |c| -> Result<Vec<String>> {
        let profile = root
            .join("target/chromium")
            .join(format!("check-{}", c.stem));
        let _ = std::fs::remove_dir_all(&profile);
        let url = format!(
            "{}?check",
            file_url(&root.join(format!("book/html/course/slides/{}.html", c.stem)))
        );
        let out = util::run_with_timeout(
            chromium_command(&profile)?
                .args([
                    "--dump-dom",
                    "--virtual-time-budget=10000",
                    "--window-size=1280,720",
                ])
                .arg(url),
            None,
            Duration::from_secs(120),
        )?;
        let re = regex::Regex::new(r#"<pre id="deck-check">([^<]*)</pre>"#)?;
        let report = re.captures(&out.stdout).with_context(|| {
            format!(
                "{}: the deck's check did not run:\n{}",
                c.stem,
                out.describe()
            )
        })?;
        let v: serde_json::Value = serde_json::from_str(&report[1].replace("&quot;", "\""))?;
        ensure!(
            v["slides"].as_u64() == Some(c.slides as u64 + 1),
            "{}: the check saw {} slides",
            c.stem,
            v["slides"]
        );
        Ok(v["problems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(|p| format!("{}.html: {p}", c.stem)))
            .collect())
    });
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// Loads every page of the site — book pages, decks, handouts — in headless
/// Chromium and reads its network log: any http(s) or websocket request that
/// a page started is a failure. Requests the browser makes for itself (its
/// updater, its clock) carry no page as initiator and are not the book's. A
/// canary page that does make a request proves the detector sees one.
fn network_requests(m: &Manifest) -> Result<Vec<String>> {
    const CANARY: &str = "http://canary.invalid/this-request-is-expected.png";
    let root = model::root();
    let course = root.join("book/html/course");
    let canary = course.join("network-canary.html");
    std::fs::write(
        &canary,
        format!("<!doctype html><html><body><img src=\"{CANARY}\"></body></html>\n"),
    )?;
    let frames: String = m
        .pages
        .iter()
        .map(|p| format!("<iframe src=\"../{p}\" width=\"1280\" height=\"720\"></iframe>\n"))
        .chain(std::iter::once(
            "<iframe src=\"network-canary.html\"></iframe>\n".to_string(),
        ))
        .collect();
    let check_page = course.join("network-check.html");
    std::fs::write(
        &check_page,
        format!("<!doctype html><html><body>\n{frames}</body></html>\n"),
    )?;
    let profile = root.join("target/chromium/network");
    let _ = std::fs::remove_dir_all(&profile);
    let log = root.join("target/chromium/netlog.json");
    let _ = std::fs::remove_file(&log);
    let out = util::run_with_timeout(
        chromium_command(&profile)?
            // Nothing may leave the machine even if something tries.
            .arg("--host-resolver-rules=MAP * ~NOTFOUND")
            .arg(format!("--log-net-log={}", log.display()))
            .args(["--dump-dom", "--virtual-time-budget=15000"])
            .arg(file_url(&check_page)),
        None,
        Duration::from_secs(180),
    )?;
    let _ = std::fs::remove_file(&check_page);
    let _ = std::fs::remove_file(&canary);
    ensure!(
        out.success(),
        "the network check's browser failed:\n{}",
        out.describe()
    );
    let requests = page_requests(&std::fs::read_to_string(&log)?)?;
    ensure!(
        requests.iter().any(|r| r == CANARY),
        "the network check did not see the canary's request: it cannot be trusted"
    );
    eprintln!(
        "  {} pages loaded in a browser; its network log shows no request from them",
        m.pages.len()
    );
    Ok(requests
        .into_iter()
        .filter(|r| r != CANARY)
        .map(|r| format!("a page made a network request: {r}"))
        .collect())
}

/// The network requests a Chromium network log (`--log-net-log`) shows a
/// page starting: URL requests with an initiator, to the network.
fn page_requests(netlog: &str) -> Result<Vec<String>> {
    // A log cut short by the browser's exit lacks its closing brackets.
    let v: serde_json::Value = serde_json::from_str(netlog)
        .or_else(|_| {
            serde_json::from_str(&format!("{}]}}", netlog.trim_end().trim_end_matches(',')))
        })
        .context("reading the network log")?;
    let start_job = v["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64();
    let mut out = Vec::new();
    for e in v["events"].as_array().into_iter().flatten() {
        if e["type"].as_u64() != start_job {
            continue;
        }
        let (Some(url), Some(initiator)) = (
            e["params"]["url"].as_str(),
            e["params"]["initiator"].as_str(),
        ) else {
            continue;
        };
        let remote = ["http:", "https:", "ws:", "wss:"]
            .iter()
            .any(|s| url.starts_with(s));
        if remote && initiator != "not an origin" && !out.iter().any(|u| u == url) {
            out.push(url.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_targets_cover_every_edition() {
        let m = Manifest {
            title: "T".into(),
            chapters: vec![ChapterDeck {
                number: 1,
                title: "Intro".into(),
                stem: "ch01".into(),
                slides: 3,
                pages: vec![],
                written: true,
                notes: vec![],
            }],
            pages: vec![],
            chapter_titles: vec![],
        };
        let pdfs: Vec<String> = print_targets(&m).into_iter().map(|t| t.1).collect();
        assert_eq!(
            pdfs,
            [
                "book.pdf",
                "ch01-slides.pdf",
                "ch01-handout.pdf",
                "ch01-notes.pdf",
                "course-handout.pdf",
                "course-notes.pdf"
            ]
        );
    }
}
