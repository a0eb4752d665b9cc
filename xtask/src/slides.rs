//! Slides live beside the text they summarise, as fenced blocks in the
//! chapter's Markdown:
//!
//! `````text
//! ````slide
//! ## Three words
//! - **Concurrency**: structure
//! ```rust
//! {{#include ../../listings/ch01/listing-01-01-x/src/main.rs:main}}
//! ```
//! ???
//! Ask: which of the three is a web server?
//! ````
//! `````
//!
//! The first `#`/`##` line is the slide's title; the rest, up to a line `???`,
//! is the slide; after it come the speaker notes. A fence of four backticks
//! lets a slide hold a code block. The preprocessor removes slide blocks from
//! every edition but the printables backend, which renders them into decks,
//! handouts and notes editions (`crate::printables`).

use crate::preprocess::html_escape;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::fmt::Write as _;

/// A slide as written in the chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct SlideSource {
    pub title: String,
    pub body: String,
    pub notes: String,
}

/// Splits `content` into the text without its slide blocks and the slides.
pub fn extract(content: &str) -> (String, Vec<SlideSource>) {
    let mut text = String::new();
    let mut slides = Vec::new();
    let mut lines = content.lines();
    while let Some(line) = lines.next() {
        let fence = line.trim_end();
        let ticks = fence.chars().take_while(|&c| c == '`').count();
        if ticks >= 3 && fence[ticks..].trim() == "slide" {
            let close = "`".repeat(ticks);
            let mut block = Vec::new();
            for inner in lines.by_ref() {
                if inner.trim_end() == close {
                    break;
                }
                block.push(inner);
            }
            slides.push(parse(&block));
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    (text, slides)
}

fn parse(block: &[&str]) -> SlideSource {
    let split = block
        .iter()
        .position(|l| l.trim() == "???")
        .unwrap_or(block.len());
    let (slide, notes) = block.split_at(split);
    let mut title = String::new();
    let mut body = Vec::new();
    for line in slide {
        if title.is_empty()
            && body.iter().all(|l: &&str| l.trim().is_empty())
            && line.starts_with('#')
        {
            title = line.trim_start_matches('#').trim().to_string();
        } else {
            body.push(*line);
        }
    }
    SlideSource {
        title,
        body: body.join("\n").trim().to_string(),
        notes: notes
            .iter()
            .skip(1)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string(),
    }
}

/// Markdown to HTML, with code blocks highlighted now rather than by a
/// script in the reader's browser. `fix_src` rewrites image paths and
/// `fix_href` link targets (both are relative to the chapter page).
pub fn markdown_to_html(
    md: &str,
    fix_src: &dyn Fn(&str) -> String,
    fix_href: &dyn Fn(&str) -> String,
) -> String {
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([',', ' ']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, buf)) = code.as_mut() {
                    buf.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, buf)) = code.take() {
                    events.push(Event::Html(code_block_html(&lang, &buf).into()));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: fix_src(&dest_url).into(),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: fix_href(&dest_url).into(),
                    title,
                    id,
                }));
            }
            // Raw HTML, such as the link a `{{#ref}}` expands to.
            Event::InlineHtml(h) => events.push(Event::InlineHtml(fix_hrefs(&h, fix_href).into())),
            Event::Html(h) => events.push(Event::Html(fix_hrefs(&h, fix_href).into())),
            other => events.push(other),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Rewrites every `href="…"` of a piece of raw HTML with `fix_href`.
fn fix_hrefs(html: &str, fix_href: &dyn Fn(&str) -> String) -> String {
    static HREF: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r#"href="([^"]*)""#).expect("valid regex"));
    HREF.replace_all(html, |c: &regex::Captures| {
        format!("href=\"{}\"", fix_href(&c[1]))
    })
    .into_owned()
}

/// A highlighted `<pre>` block. Rust gets colours; hidden doc-test lines
/// (`# …`) are dropped, as mdBook hides them.
pub fn code_block_html(lang: &str, code: &str) -> String {
    let rust = matches!(lang, "rust" | "rs" | "");
    let visible: Vec<&str> = code
        .lines()
        .filter(|l| !rust || !is_hidden_line(l))
        .filter(|l| !l.contains("ANCHOR"))
        .collect();
    // Excerpts come from inside functions: drop their common indentation.
    let indent = visible
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let text = visible
        .iter()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n");
    let body = if rust {
        highlight_rust(&text)
    } else {
        html_escape(&text)
    };
    format!(
        "<pre class=\"code lang-{}\"><code>{body}</code></pre>\n",
        html_escape(lang)
    )
}

fn is_hidden_line(line: &str) -> bool {
    let t = line.trim_start();
    t == "#" || (t.starts_with("# ") && !t.starts_with("#["))
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];

/// A small Rust highlighter: comments, strings, characters, lifetimes,
/// numbers, keywords, types, macros, functions and attributes.
pub fn highlight_rust(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let span = |out: &mut String, class: &str, text: &str| {
        let _ = write!(
            out,
            "<span class=\"hl-{class}\">{}</span>",
            html_escape(text)
        );
    };
    while i < chars.len() {
        let c = chars[i];

        if c == '/' && chars.get(i + 1) == Some(&'/') {
            let end = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |p| i + p);
            span(
                &mut out,
                "comment",
                &chars[i..end].iter().collect::<String>(),
            );
            i = end;
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let mut end = i + 2;
            while end < chars.len() && !(chars[end] == '*' && chars.get(end + 1) == Some(&'/')) {
                end += 1;
            }
            let end = (end + 2).min(chars.len());
            span(
                &mut out,
                "comment",
                &chars[i..end].iter().collect::<String>(),
            );
            i = end;
        } else if c == '"'
            || (c == 'r' && matches!(chars.get(i + 1), Some('"') | Some('#')))
                && is_raw_start(&chars, i)
        {
            let end = string_end(&chars, i);
            span(
                &mut out,
                "string",
                &chars[i..end].iter().collect::<String>(),
            );
            i = end;
        } else if c == '\'' {
            // A character literal ('a', '\n') or a lifetime ('a).
            let close = if chars.get(i + 1) == Some(&'\\') {
                chars[i + 2..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map(|p| i + 2 + p)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(end) => {
                    span(
                        &mut out,
                        "string",
                        &chars[i..=end].iter().collect::<String>(),
                    );
                    i = end + 1;
                }
                None => {
                    let end = ident_end(&chars, i + 1);
                    span(
                        &mut out,
                        "lifetime",
                        &chars[i..end].iter().collect::<String>(),
                    );
                    i = end;
                }
            }
        } else if c == '#' && matches!(chars.get(i + 1), Some('[') | Some('!')) {
            let end = chars[i..]
                .iter()
                .position(|&c| c == ']')
                .map_or(chars.len(), |p| i + p + 1);
            span(
                &mut out,
                "attribute",
                &chars[i..end].iter().collect::<String>(),
            );
            i = end;
        } else if c.is_ascii_digit() {
            let end = i + chars[i..]
                .iter()
                .position(|&c| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(chars.len() - i);
            // `0..n`: a range, not a decimal point.
            let text: String = chars[i..end].iter().collect();
            let text = match text.find("..") {
                Some(p) => text[..p].to_string(),
                None => text,
            };
            span(&mut out, "number", &text);
            i += text.chars().count();
        } else if c.is_alphabetic() || c == '_' {
            let end = ident_end(&chars, i);
            let word: String = chars[i..end].iter().collect();
            let next = chars.get(end).copied();
            let class = if KEYWORDS.contains(&word.as_str()) {
                Some("keyword")
            } else if next == Some('!') {
                Some("macro")
            } else if word.starts_with(char::is_uppercase) {
                Some("type")
            } else if next == Some('(') {
                Some("function")
            } else {
                None
            };
            match class {
                Some("macro") => {
                    span(&mut out, "macro", &format!("{word}!"));
                    i = end + 1;
                    continue;
                }
                Some(class) => span(&mut out, class, &word),
                None => out.push_str(&html_escape(&word)),
            }
            i = end;
        } else {
            out.push_str(&html_escape(&c.to_string()));
            i += 1;
        }
    }
    out
}

fn is_raw_start(chars: &[char], i: usize) -> bool {
    if chars[i] == '"' {
        return true;
    }
    // r"…" or r#"…"#, and not the end of an identifier such as `for"`.
    let prev_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    !prev_ident && chars.get(j) == Some(&'"')
}

fn string_end(chars: &[char], i: usize) -> usize {
    if chars[i] == 'r' {
        let mut j = i + 1;
        let mut hashes = 0;
        while chars.get(j) == Some(&'#') {
            hashes += 1;
            j += 1;
        }
        j += 1; // opening quote
        while j < chars.len() {
            if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                return j + 1 + hashes;
            }
            j += 1;
        }
        return chars.len();
    }
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 2,
            '"' => return j + 1,
            _ => j += 1,
        }
    }
    chars.len()
}

fn ident_end(chars: &[char], i: usize) -> usize {
    i + chars[i..]
        .iter()
        .position(|&c| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(chars.len() - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slides_are_taken_out_of_the_text() {
        let md = "# Page\n\nText.\n\n````slide\n## Title\n- one\n```rust\nfn main() {}\n```\n???\nAsk: why?\n````\n\nMore.\n";
        let (text, slides) = extract(md);
        assert_eq!(text, "# Page\n\nText.\n\n\nMore.\n");
        assert_eq!(slides.len(), 1);
        assert_eq!(slides[0].title, "Title");
        assert_eq!(slides[0].body, "- one\n```rust\nfn main() {}\n```");
        assert_eq!(slides[0].notes, "Ask: why?");
    }

    #[test]
    fn rust_is_highlighted() {
        let html = highlight_rust("let s = \"a<b\"; // note\nvec![1u8]; x.len() 'a' &'b T");
        assert!(
            html.contains("<span class=\"hl-keyword\">let</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-string\">&quot;a&lt;b&quot;</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-comment\">// note</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-macro\">vec!</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-number\">1u8</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-function\">len</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-string\">'a'</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-lifetime\">'b</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-type\">T</span>"), "{html}");
        assert!(highlight_rust("0..10").contains("<span class=\"hl-number\">0</span>.."));
    }

    #[test]
    fn hidden_lines_and_anchors_are_dropped() {
        let html = code_block_html(
            "rust",
            "# extern crate x;\n// ANCHOR: a\nfn f() {}\n#[test]\n",
        );
        assert!(!html.contains("extern"), "{html}");
        assert!(!html.contains("ANCHOR"), "{html}");
        assert!(html.contains("hl-attribute"), "{html}");
    }

    #[test]
    fn images_are_rewritten() {
        let html = markdown_to_html("![plot](../generated/a.svg)", &|s| format!("X/{s}"), &|s| {
            s.to_string()
        });
        assert!(html.contains("src=\"X/../generated/a.svg\""), "{html}");
    }

    #[test]
    fn links_and_raw_hrefs_are_rewritten() {
        let md = "See [3.6](binary.md) and <a href=\"#listing-3-2\">Listing 3-2</a>.";
        let html = markdown_to_html(md, &|s| s.to_string(), &|s| format!("BOOK/{s}"));
        assert!(html.contains("href=\"BOOK/binary.md\""), "{html}");
        assert!(html.contains("href=\"BOOK/#listing-3-2\""), "{html}");
    }
}
