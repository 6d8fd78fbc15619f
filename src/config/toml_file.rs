//! A TOML input file parsed with the position of every key, so that a problem can point at the
//! line and column where the key was written.

use std::collections::BTreeMap;
use std::path::Path;

use super::file::read_input_text;
use super::problems::{line_col, Lines, Origin, Source};

/// A TOML file's table and where each key is (`[[x]]` entries by index, `x.0.key`).
pub struct TomlFile {
    /// The path as the user wrote it, for messages.
    pub display: String,
    pub text: String,
    pub table: toml::Table,
    pub positions: BTreeMap<Vec<String>, (usize, usize)>,
}

impl TomlFile {
    /// Reads and parses the input file at `path` (a regular file of bounded size, UTF-8).
    pub fn read(path: &Path) -> Result<TomlFile, Vec<String>> {
        let display = path.display().to_string();
        let text = read_input_text(path, &display).map_err(|problem| vec![problem])?;
        TomlFile::parse(&text, &display)
    }

    /// `file:line:col` of the key at `path`, or of its nearest ancestor, or the file alone.
    pub fn place(&self, path: &[String]) -> String {
        (1..=path.len())
            .rev()
            .find_map(|n| self.positions.get(&path[..n]))
            .map_or_else(
                || self.display.clone(),
                |(line, col)| format!("{}:{line}:{col}", self.display),
            )
    }

    /// The file as a [`Source`] for the checker: every key's origin is its line and column.
    pub fn source(&self) -> Source {
        let origins = self
            .positions
            .iter()
            .map(|(path, (line, col))| {
                let origin = Origin {
                    place: format!("{}:{line}:{col}", self.display),
                    note: None,
                };
                (path.clone(), origin)
            })
            .collect();
        Source {
            table: self.table.clone(),
            files: vec![self.display.clone()],
            origins,
            fallback: self.display.clone(),
        }
    }
}

impl TomlFile {
    /// Parses `text` (`display` names it in messages), keeping the line and column of every
    /// key; a syntax error is reported with its line and column.
    pub fn parse(text: &str, display: &str) -> Result<TomlFile, Vec<String>> {
        let syntax_error = |span: Option<std::ops::Range<usize>>, message: &str| {
            let at = match span {
                Some(span) => {
                    let (line, col) = line_col(text, span.start);
                    format!("{}:{line}:{col}", display)
                }
                None => display.to_string(),
            };
            // One problem per line: the parser's message may span several.
            let message: Vec<&str> = message
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            vec![format!("{at}: TOML syntax error: {}", message.join("; "))]
        };
        // toml_edit keeps the position of every key; toml gives the plain table we merge.
        let document =
            toml_edit::ImDocument::parse(text).map_err(|e| syntax_error(e.span(), e.message()))?;
        let table: toml::Table =
            toml::from_str(text).map_err(|e| syntax_error(e.span(), e.message()))?;
        let mut positions = BTreeMap::new();
        record_table(
            &Lines::new(text),
            document.as_table(),
            &mut Vec::new(),
            &mut positions,
        );
        Ok(TomlFile {
            display: display.to_string(),
            text: text.to_string(),
            table,
            positions,
        })
    }
}

fn record(
    text: &Lines,
    path: &[String],
    span: Option<std::ops::Range<usize>>,
    positions: &mut BTreeMap<Vec<String>, (usize, usize)>,
) {
    if let Some(span) = span {
        positions.insert(path.to_vec(), text.line_col(span.start));
    }
}

fn record_table(
    text: &Lines,
    table: &toml_edit::Table,
    prefix: &mut Vec<String>,
    positions: &mut BTreeMap<Vec<String>, (usize, usize)>,
) {
    for (key, item) in table.iter() {
        prefix.push(key.to_string());
        let key_span = table.key(key).and_then(|k| k.span());
        match item {
            toml_edit::Item::Table(sub) => {
                record(text, prefix, key_span.or_else(|| sub.span()), positions);
                record_table(text, sub, prefix, positions);
            }
            toml_edit::Item::Value(value) => {
                record(text, prefix, key_span.or_else(|| value.span()), positions);
                record_value(text, value, prefix, positions);
            }
            toml_edit::Item::ArrayOfTables(array) => {
                record(text, prefix, key_span.or_else(|| array.span()), positions);
                // `[[x]]` entries by index (`x.0.key`), as batch files read them.
                for (i, sub) in array.iter().enumerate() {
                    prefix.push(i.to_string());
                    record(text, prefix, sub.span(), positions);
                    record_table(text, sub, prefix, positions);
                    prefix.pop();
                }
            }
            other => record(text, prefix, key_span.or_else(|| other.span()), positions),
        }
        prefix.pop();
    }
}

fn record_inline(
    text: &Lines,
    table: &toml_edit::InlineTable,
    prefix: &mut Vec<String>,
    positions: &mut BTreeMap<Vec<String>, (usize, usize)>,
) {
    for (key, value) in table.iter() {
        prefix.push(key.to_string());
        record(
            text,
            prefix,
            table
                .key(key)
                .and_then(|k| k.span())
                .or_else(|| value.span()),
            positions,
        );
        record_value(text, value, prefix, positions);
        prefix.pop();
    }
}

/// The keys inside an inline table, and the elements of an array by index (`x.0`), so that
/// `sessions = [{ ... }, { ... }]` over several lines points at each entry's line.
fn record_value(
    text: &Lines,
    value: &toml_edit::Value,
    prefix: &mut Vec<String>,
    positions: &mut BTreeMap<Vec<String>, (usize, usize)>,
) {
    match value {
        toml_edit::Value::InlineTable(inline) => record_inline(text, inline, prefix, positions),
        toml_edit::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                prefix.push(i.to_string());
                record(text, prefix, item.span(), positions);
                record_value(text, item, prefix, positions);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_array_entries_and_the_keys_inside_them() {
        let text = "[[s]]\nname = \"a\"\nlist = [\n  { x = 1 },\n  { x = 2, y = 3 },\n]\n[[s]]\n";
        let file = TomlFile::parse(text, "t.toml").expect("valid");
        let at = |p: &[&str]| file.place(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(at(&["s", "0", "name"]), "t.toml:2:1");
        assert_eq!(at(&["s", "0", "list", "1"]), "t.toml:5:3");
        assert_eq!(at(&["s", "0", "list", "1", "y"]), "t.toml:5:12");
        assert_eq!(at(&["s", "1"]), "t.toml:7:1");
        let source = file.source();
        let missing =
            |p: &[&str]| source.missing(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "x");
        assert_eq!(
            missing(&["s", "[0]", "list", "[0]", "y"]),
            "t.toml:4:3: missing key `s[0].list[0].y`: expected x (files read: t.toml)"
        );
        assert_eq!(
            missing(&["top"]),
            "t.toml: missing key `top`: expected x (files read: t.toml)"
        );
    }
}
