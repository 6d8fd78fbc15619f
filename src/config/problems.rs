//! Problem messages: where each key of an input file was set (file, line, column), how a value
//! reads back, and the one shape every message has: place, key, value, what is allowed.

use std::collections::BTreeMap;

/// A key path in the scenario table, one segment per table level.
pub type KeyPath = Vec<String>;

/// Builds a key path from its segments.
pub fn key_path(parts: &[&str]) -> KeyPath {
    parts.iter().map(|p| p.to_string()).collect()
}

/// Where a key's value came from.
#[derive(Clone, Debug)]
pub struct Origin {
    /// `file:line:col`, `file`, or `command line (-r)`.
    pub place: String,
    /// Words printed after the value, e.g. `(from the file name)`.
    pub note: Option<String>,
}

/// The merged scenario table and what is known about where each of its keys came from.
#[derive(Clone, Debug)]
pub struct Source {
    pub table: toml::Table,
    /// The files read, the one named on the command line first; empty when a resolved
    /// scenario is validated again (overrides).
    pub files: Vec<String>,
    pub origins: BTreeMap<KeyPath, Origin>,
    /// Names the scenario when no file is known.
    pub fallback: String,
}

/// An array element in a key path is the segment `[i]` (`stations`, `[0]`, `name` reads
/// `stations[0].name`); positions record it as the plain index `0`.
pub fn index_segment(i: usize) -> String {
    format!("[{i}]")
}

/// The index of an array-element segment `[i]`.
pub fn segment_index(segment: &str) -> Option<usize> {
    segment.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

/// Follows `path` from `table`, through tables by key and arrays by `[i]`.
pub fn lookup<'t, S: AsRef<str>>(table: &'t toml::Table, path: &[S]) -> Option<&'t toml::Value> {
    let (first, rest) = path.split_first()?;
    let mut value = table.get(first.as_ref())?;
    for segment in rest {
        let segment = segment.as_ref();
        value = match (value, segment_index(segment)) {
            (toml::Value::Array(items), Some(i)) => items.get(i)?,
            (toml::Value::Table(t), _) => t.get(segment)?,
            _ => return None,
        };
    }
    Some(value)
}

impl Source {
    /// The origin recorded for `path` or, failing that, for its nearest ancestor.
    fn origin(&self, path: &[String]) -> Option<&Origin> {
        let recorded: Vec<String> = path
            .iter()
            .map(|s| segment_index(s).map_or_else(|| s.clone(), |i| i.to_string()))
            .collect();
        (1..=recorded.len())
            .rev()
            .find_map(|n| self.origins.get(&recorded[..n]))
    }

    /// Where to point a message about `path`.
    pub fn place(&self, path: &[String]) -> String {
        match self.origin(path) {
            Some(origin) => origin.place.clone(),
            None => self.top_place(),
        }
    }

    /// The file named on the command line (or the fallback name).
    pub fn top_place(&self) -> String {
        self.files
            .first()
            .cloned()
            .unwrap_or_else(|| self.fallback.clone())
    }

    /// The value at `path` (and array element `index`), as TOML text.
    pub fn value_text(&self, path: &[String], index: Option<usize>) -> Option<String> {
        let mut value = lookup(&self.table, path)?;
        if let Some(i) = index {
            value = value.as_array()?.get(i)?;
        }
        Some(render(value))
    }

    /// `place: key = value note: what`, the shape of every message about a value.
    pub fn value_problem(&self, path: &[String], what: &str) -> String {
        self.value_problem_at(path, None, what)
    }

    /// As [`Source::value_problem`], for one element of an array.
    pub fn value_problem_at(&self, path: &[String], index: Option<usize>, what: &str) -> String {
        let place = self.place(path);
        let mut key = dotted(path);
        if let Some(i) = index {
            key.push_str(&format!("[{i}]"));
        }
        let note = match self.origins.get(path).and_then(|o| o.note.as_deref()) {
            Some(note) => format!(" {note}"),
            None => String::new(),
        };
        match self.value_text(path, index) {
            Some(value) => format!("{place}: {key} = {value}{note}: {what}"),
            None => format!("{place}: {key}: {what}"),
        }
    }

    /// A required key that no file set. One missing from an array entry (`[[stations]]`) is
    /// placed at that entry, which is written in one place and hard to find by its index alone;
    /// any other at the file named on the command line.
    pub fn missing(&self, path: &[String], expected: &str) -> String {
        let read = if self.files.is_empty() {
            String::new()
        } else {
            format!(" (files read: {})", self.files.join(", "))
        };
        let place = match path.iter().rposition(|s| segment_index(s).is_some()) {
            Some(entry) => self.place(&path[..=entry]),
            None => self.top_place(),
        };
        format!(
            "{place}: missing key `{}`: expected {expected}{read}",
            dotted(path)
        )
    }
}

/// A key path as written in TOML: `theatres.session_minutes`, quoting segments that need it.
pub fn dotted<S: AsRef<str>>(path: &[S]) -> String {
    let bare = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let mut out = String::new();
    for s in path {
        let s = s.as_ref();
        if segment_index(s).is_some() {
            out.push_str(s);
            continue;
        }
        if !out.is_empty() {
            out.push('.');
        }
        if bare(s) {
            out.push_str(s);
        } else {
            out.push_str(&format!("{s:?}"));
        }
    }
    out
}

/// A value as TOML text, shortened if long (a message should stay on one line).
pub fn render(value: &toml::Value) -> String {
    const MAX_CHARS: usize = 100;
    let text = render_full(value);
    if text.chars().count() <= MAX_CHARS {
        text
    } else {
        let short: String = text.chars().take(MAX_CHARS).collect();
        format!("{short}...")
    }
}

fn render_full(value: &toml::Value) -> String {
    match value {
        // `toml::Value`'s own Display shows its private datetime wrapper.
        toml::Value::Datetime(dt) => dt.to_string(),
        toml::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(render_full).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(table) => {
            let items: Vec<String> = table
                .iter()
                .map(|(k, v)| format!("{} = {}", dotted(&[k]), render_full(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        // A multi-line string would break "one problem per line": escape it onto one line.
        toml::Value::String(text) if text.chars().any(char::is_control) => one_line(text),
        other => other.to_string(),
    }
}

/// A TOML basic string on one line: control characters escaped (found by the fuzzer).
fn one_line(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number for a message: rounded to 6 decimals so that sums read cleanly.
pub fn num(x: f64) -> String {
    if x.is_finite() {
        let rounded = (x * 1e6).round() / 1e6;
        format!("{rounded}")
    } else {
        format!("{x}")
    }
}

/// Where each line of a text starts, so that the line and column of many byte offsets are
/// found without scanning the text again for each (a file of many keys would take quadratic
/// time).
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Lines<'t> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// 1-based line and column (in characters) of a byte offset, as [`line_col`].
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (line, col)
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Levenshtein distance, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The candidate nearest to `word`, if it is close enough to be a likely typo: one edit, or
/// at most a third of the word's length.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    let (distance, best) = candidates
        .iter()
        .map(|c| (edit_distance(&word, c), *c))
        .min_by_key(|(d, _)| *d)?;
    let length = word.chars().count().max(best.chars().count());
    (distance <= 1 || distance * 3 <= length).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("sesion_minutes", "session_minutes"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let keys = ["session_minutes", "turnaround_minutes", "booking_fraction"];
        assert_eq!(nearest("sesion_minutes", &keys), Some("session_minutes"));
        assert_eq!(nearest("Booking_Fraction", &keys), Some("booking_fraction"));
        assert_eq!(nearest("colour", &keys), None);
        assert_eq!(nearest("x", &[]), None);
    }

    #[test]
    fn positions_and_rendering() {
        assert_eq!(line_col("a = 1\nbé = 2\n", 10), (2, 4));
        assert_eq!(line_col("", 0), (1, 1));
        let text = "a = 1\nbé = 2\n\nc = 3";
        let lines = Lines::new(text);
        for offset in [0, 3, 6, 10, 12, 13, 14, text.len()] {
            assert_eq!(lines.line_col(offset), line_col(text, offset), "{offset}");
        }
        let table: toml::Table =
            toml::from_str("d = 2024-04-01\nm = { mean = 1, sd = 2.5 }\nn = nan").expect("valid");
        assert_eq!(render(&table["d"]), "2024-04-01");
        assert_eq!(render(&table["m"]), "{ mean = 1, sd = 2.5 }");
        assert_eq!(render(&table["n"]), "nan");
        assert_eq!(
            dotted(&["specialties", "a.b", "x"]),
            "specialties.\"a.b\".x"
        );
        assert_eq!(num(0.1 + 0.2 + 0.3), "0.6");
        assert_eq!(dotted(&["stations", "[2]", "name"]), "stations[2].name");
        let table: toml::Table =
            toml::from_str("[[s]]\nname = \"a\"\n[[s]]\nname = \"b\"").expect("valid");
        assert_eq!(
            lookup(&table, &["s", "[1]", "name"]).and_then(|v| v.as_str()),
            Some("b")
        );
    }
}
