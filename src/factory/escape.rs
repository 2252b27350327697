//! Escaping user-typed values for each kind of file they land in, so that no value can
//! break out of the literal it is placed in.

use std::fmt::Write;

/// A Python string literal, double-quoted, valid in any Python 3 source file.
pub fn python_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            // Python treats these as line ends in some contexts; keep source lines intact.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML double-quoted scalar (valid YAML 1.1 and 1.2).
pub fn yaml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if !yaml_printable(c)
                || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') =>
            {
                let n = c as u32;
                if n <= 0xff {
                    let _ = write!(out, "\\x{n:02x}");
                } else if n <= 0xffff {
                    let _ = write!(out, "\\u{n:04x}");
                } else {
                    let _ = write!(out, "\\U{n:08x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn yaml_printable(c: char) -> bool {
    matches!(c as u32, 0x20..=0x7e | 0xa0..=0xd7ff | 0xe000..=0xfffd | 0x10000..=0x10ffff)
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Markdown text that renders as the literal characters typed: every character with
/// Markdown or HTML meaning is escaped. Line breaks are kept as hard breaks.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for line in s.replace("\r\n", "\n").split('\n') {
        if !out.is_empty() {
            out.push_str("  \n");
        }
        for c in line.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-'
                | '.' | '!' | '|' | '~' | '=' | '"' | '\'' | ':' | '$' => {
                    out.push('\\');
                    out.push(c);
                }
                '\t' => out.push(' '),
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
    }
    out
}

/// Markdown on a single line (headings, table cells).
pub fn markdown_inline(s: &str) -> String {
    markdown(&one_line(s)).replace("  \n", " ")
}

/// A double-quoted Dockerfile word (LABEL values): no variable expansion, one line.
pub fn dockerfile_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in one_line(s).chars() {
        match c {
            // Docker's lexer unescapes exactly these inside double quotes.
            '\\' | '"' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Collapse line breaks and control characters to single spaces.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(c);
            space = false;
        }
    }
    out.trim().to_owned()
}

/// What a bare `{{value}}` renders as: only characters that are inert in every file type
/// survive, so a template that forgets an escaping helper cannot be injected into.
pub fn plain(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '.' | ' ' | '/' | ':' | '@' | '+' | ',')
            {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "He said \"hi\" ''' \"\"\" \\ {{x}} $(rm -rf /) `id`\nnew line\ttab ünïcødé 税 🚀 \u{2028} \u{7f} \u{85} \r\n# not a heading";

    #[test]
    fn python_literal_round_trips_through_json_rules() {
        let lit = python_str(HOSTILE);
        assert!(!lit[1..lit.len() - 1].contains('\n'));
        assert!(lit.contains("\\\"hi\\\""));
        assert!(lit.contains("\\x7f"));
    }

    #[test]
    fn yaml_and_toml_escape_controls() {
        let y = yaml_str(HOSTILE);
        assert!(y.contains("\\x85") && y.contains("\\u2028") && !y.contains('\n'));
        let t = toml_str(HOSTILE);
        assert!(t.contains("\\u007F") && !t.contains('\n'));
    }

    #[test]
    fn dockerfile_and_markdown_neutralise() {
        let d = dockerfile_str(HOSTILE);
        assert!(d.contains("\\$(rm") && !d.contains('\n'));
        let m = markdown(HOSTILE);
        assert!(m.contains("\\# not a heading") && m.contains("\\{\\{x\\}\\}"));
        assert_eq!(plain("a\"b$(c)"), "a_b__c_");
    }
}
