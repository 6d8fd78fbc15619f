//! Problem messages: where each key of the merged scenario was set (file, line, column), how a
//! value reads back, and the translation of serde's errors into messages that name the file,
//! the key, the value and what is allowed.

use std::collections::BTreeMap;

/// A key path in the scenario table, one segment per table level.
pub(crate) type KeyPath = Vec<String>;

/// Builds a key path from its segments.
pub(crate) fn key_path(parts: &[&str]) -> KeyPath {
    parts.iter().map(|p| p.to_string()).collect()
}

/// Where a key's value came from.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    /// `file:line:col`, `file`, or `command line (-r)`.
    pub place: String,
    /// Words printed after the value, e.g. `(from the file name)`.
    pub note: Option<String>,
}

/// The merged scenario table and what is known about where each of its keys came from.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub table: toml::Table,
    /// The files read, the one named on the command line first; empty when a resolved
    /// scenario is validated again (overrides).
    pub files: Vec<String>,
    pub origins: BTreeMap<KeyPath, Origin>,
    /// Names the scenario when no file is known.
    pub fallback: String,
}

impl Source {
    /// The origin recorded for `path` or, failing that, for its nearest ancestor.
    fn origin(&self, path: &[String]) -> Option<&Origin> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.origins.get(&path[..n]))
    }

    /// Where to point a message about `path`.
    pub(crate) fn place(&self, path: &[String]) -> String {
        match self.origin(path) {
            Some(origin) => origin.place.clone(),
            None => self.top_place(),
        }
    }

    /// The file named on the command line (or the fallback name).
    pub(crate) fn top_place(&self) -> String {
        self.files
            .first()
            .cloned()
            .unwrap_or_else(|| self.fallback.clone())
    }

    /// The value at `path` (and array element `index`), as TOML text.
    pub(crate) fn value_text(&self, path: &[String], index: Option<usize>) -> Option<String> {
        let (first, rest) = path.split_first()?;
        let mut value = self.table.get(first)?;
        for key in rest {
            value = value.as_table()?.get(key)?;
        }
        if let Some(i) = index {
            value = value.as_array()?.get(i)?;
        }
        Some(render(value))
    }

    /// `place: key = value note: what`, the shape of every message about a value.
    pub(crate) fn value_problem(&self, path: &[String], what: &str) -> String {
        self.value_problem_at(path, None, what)
    }

    /// As [`Source::value_problem`], for one element of an array.
    pub(crate) fn value_problem_at(
        &self,
        path: &[String],
        index: Option<usize>,
        what: &str,
    ) -> String {
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

    /// A required key that no file set.
    pub(crate) fn missing(&self, path: &[String], expected: &str) -> String {
        let read = if self.files.is_empty() {
            String::new()
        } else {
            format!(" (files read: {})", self.files.join(", "))
        };
        format!(
            "{}: missing key `{}`: expected {expected}{read}",
            self.top_place(),
            dotted(path)
        )
    }
}

/// A key path as written in TOML: `theatres.session_minutes`, quoting segments that need it.
pub(crate) fn dotted<S: AsRef<str>>(path: &[S]) -> String {
    let bare = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let parts: Vec<String> = path
        .iter()
        .map(|s| {
            let s = s.as_ref();
            if bare(s) {
                s.to_string()
            } else {
                format!("{s:?}")
            }
        })
        .collect();
    parts.join(".")
}

/// A value as TOML text, shortened if long (a message should stay on one line).
pub(crate) fn render(value: &toml::Value) -> String {
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
pub(crate) fn num(x: f64) -> String {
    if x.is_finite() {
        let rounded = (x * 1e6).round() / 1e6;
        format!("{rounded}")
    } else {
        format!("{x}")
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Levenshtein distance, in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
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
pub(crate) fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    let (distance, best) = candidates
        .iter()
        .map(|c| (edit_distance(&word, c), *c))
        .min_by_key(|(d, _)| *d)?;
    let length = word.chars().count().max(best.chars().count());
    (distance <= 1 || distance * 3 <= length).then_some(best)
}

/// The parts of serde's "unknown field" message.
#[derive(Debug, PartialEq)]
pub(crate) struct UnknownField {
    pub key: String,
    pub allowed: Vec<String>,
}

/// Reads serde's `unknown field `x`, expected one of `a`, `b`` message (the text is made by
/// `serde::de::Error::unknown_field`; a unit test pins it).
pub(crate) fn parse_unknown_field(message: &str) -> Option<UnknownField> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    // The expected names are the backquoted words that follow.
    let allowed = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some(UnknownField {
        key: key.to_string(),
        allowed,
    })
}

/// What serde expected, in words, from an `invalid type: ..., expected f64` message; other
/// messages (our own, like the one for dates) are returned as they are.
pub(crate) fn expected_in_words(message: &str) -> String {
    let is_serde = message.starts_with("invalid type:")
        || message.starts_with("invalid value:")
        || message.starts_with("invalid length");
    let Some((_, expected)) = message.rsplit_once(", expected ").filter(|_| is_serde) else {
        return message.to_string();
    };
    let words = match expected {
        "f64" | "f32" => "a number",
        "i64" | "i32" | "u64" | "u32" | "usize" => "a whole number",
        "a string" => "a string (in quotes)",
        "a boolean" => "true or false (without quotes)",
        "a sequence" => "an array like [1, 2]",
        "a map" => "a table",
        other if other.starts_with("struct ") => "a table",
        other => other,
    };
    format!("expected {words}")
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
    fn serde_unknown_field_message_is_understood() {
        // Produced by the real stack, so a change in serde's wording fails here first.
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Two {
            alpha: Option<f64>,
            beta: Option<f64>,
        }
        let table: toml::Table = toml::from_str("alpah = 1").expect("valid TOML");
        let err = serde_path_to_error::deserialize::<_, Two>(toml::Value::Table(table))
            .expect_err("unknown key");
        assert_eq!(err.path().to_string(), "alpah");
        let parsed = parse_unknown_field(err.inner().message()).expect("recognised");
        assert_eq!(
            parsed,
            UnknownField {
                key: "alpah".into(),
                allowed: vec!["alpha".into(), "beta".into()]
            }
        );
        assert_eq!(
            parse_unknown_field("unknown field `x`, expected `y`"),
            Some(UnknownField {
                key: "x".into(),
                allowed: vec!["y".into()]
            })
        );
    }

    #[test]
    fn serde_type_messages_in_words() {
        assert_eq!(
            expected_in_words("invalid type: string \"x\", expected f64"),
            "expected a number"
        );
        assert_eq!(
            expected_in_words("invalid type: integer `5`, expected struct RawTheatres"),
            "expected a table"
        );
        assert_eq!(
            expected_in_words("invalid type: string \"yes\", expected a boolean"),
            "expected true or false (without quotes)"
        );
        assert_eq!(
            expected_in_words("expected a date like 2024-04-01"),
            "expected a date like 2024-04-01"
        );
    }

    #[test]
    fn positions_and_rendering() {
        assert_eq!(line_col("a = 1\nbé = 2\n", 10), (2, 4));
        assert_eq!(line_col("", 0), (1, 1));
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
    }
}
