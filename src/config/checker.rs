//! The checker every loader reads its tables through: typed getters that report a value of the
//! wrong type, a check of each table's keys against the keys it allows (unknown keys found in
//! one pass, with the nearest allowed key suggested), and the checks of numbers, shares, whole
//! numbers and dates, all worded one way.

use std::collections::BTreeSet;

use super::problems::{dotted, index_segment, key_path, lookup, nearest, num, KeyPath, Source};
use crate::util::date::Date;

/// Tolerance for share groups that must sum to 1.
pub const SUM_TOLERANCE: f64 = 1e-6;
/// Unknown keys and wrong types shown in one report; the rest are counted. A file with many
/// thousands of them is not a scenario with typos.
const MAX_STRUCTURE_PROBLEMS: usize = 100;

/// What a value of the wrong type should have been, in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Number,
    Whole,
    Text,
    Bool,
    Date,
    Array,
    Table,
}

impl Kind {
    fn expected(self) -> &'static str {
        match self {
            Kind::Number => "expected a number",
            Kind::Whole => "expected a whole number",
            Kind::Text => "expected a string (in quotes)",
            Kind::Bool => "expected true or false (without quotes)",
            Kind::Date => "expected a date like 2024-04-01",
            Kind::Array => "expected an array like [1, 2]",
            Kind::Table => "expected a table",
        }
    }
}

/// Collects problems while a loader reads its input; each getter and check returns `None` for
/// a missing or bad value, so a loader reads every key and reports everything at once.
pub struct Checker<'a> {
    pub source: &'a Source,
    /// Keys already reported as unknown or of the wrong type: not reported again as missing.
    broken: BTreeSet<KeyPath>,
    /// Unknown keys and wrong types, reported before the problems with values.
    structure: Vec<String>,
    hidden: usize,
    pub problems: Vec<String>,
}

impl<'a> Checker<'a> {
    pub fn new(source: &'a Source) -> Checker<'a> {
        Checker {
            source,
            broken: BTreeSet::new(),
            structure: Vec::new(),
            hidden: 0,
            problems: Vec::new(),
        }
    }

    /// Every problem found: unknown keys and wrong types first, then the values.
    pub fn into_problems(self) -> Vec<String> {
        let mut all = self.structure;
        if self.hidden > 0 {
            all.push(format!(
                "{}: {} more unknown keys or values of the wrong type, not shown",
                self.source.top_place(),
                self.hidden
            ));
        }
        all.extend(self.problems);
        all
    }

    pub fn is_broken(&self, path: &[String]) -> bool {
        (1..=path.len()).any(|n| self.broken.contains(&path[..n]))
    }

    fn structure_problem(&mut self, path: KeyPath, problem: impl FnOnce() -> String) {
        if self.structure.len() < MAX_STRUCTURE_PROBLEMS {
            self.structure.push(problem());
        } else {
            self.hidden += 1;
        }
        self.broken.insert(path);
    }

    fn wrong_type(&mut self, path: &[&str], index: Option<usize>, kind: Kind) {
        let key = key_path(path);
        let source = self.source;
        self.structure_problem(key.clone(), || {
            source.value_problem_at(&key, index, kind.expected())
        });
    }

    /// The value at `path`, if every table on the way is a table and the key is set.
    pub fn value(&self, path: &[&str]) -> Option<&'a toml::Value> {
        lookup(&self.source.table, path)
    }

    /// The entries of the array of tables at `path` (`[[target]]`), as the segments `[i]` that
    /// name them; an entry that is not a table is reported and left out. `None` if the key is
    /// not set, or (reported) if it is not an array.
    pub fn tables(&mut self, path: &[&str], example: &str) -> Option<Vec<String>> {
        let items = match self.value(path)? {
            toml::Value::Array(items) => items,
            _ => {
                let problem = self
                    .source
                    .value_problem(&key_path(path), &format!("expected {example}"));
                self.structure_problem(key_path(path), || problem);
                return None;
            }
        };
        let mut entries = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let segment = index_segment(i);
            if item.is_table() {
                entries.push(segment);
            } else {
                let at = join_owned(path, &segment);
                let at: Vec<&str> = at.iter().map(String::as_str).collect();
                self.wrong_type(&at, None, Kind::Table);
            }
        }
        Some(entries)
    }

    /// The table at `path` (the whole file for `[]`), its keys checked against `allowed`:
    /// each other key is reported, with the nearest allowed one suggested. `None` if there is
    /// no such table (not reported: a missing table's keys are each reported missing) or if
    /// the value is not a table (reported).
    pub fn table(&mut self, path: &[&str], allowed: &[&str]) -> Option<&'a toml::Table> {
        let table = self.any_table(path)?;
        for key in table.keys() {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            let mut unknown = key_path(path);
            unknown.push(key.clone());
            let hint = match nearest(key, allowed) {
                Some(best) => {
                    // The suggestion already tells the user the real key is not set.
                    let mut meant = key_path(path);
                    meant.push(best.to_string());
                    self.broken.insert(meant);
                    format!("; did you mean `{best}`?")
                }
                None => String::new(),
            };
            let source = self.source;
            let shown = unknown.clone();
            self.structure_problem(unknown, || {
                format!(
                    "{}: unknown key `{}`{hint} (allowed: {})",
                    source.place(&shown),
                    dotted(&shown),
                    allowed.join(", ")
                )
            });
        }
        Some(table)
    }

    /// The table at `path` (the whole file for `[]`) whose keys the loader checks itself, such
    /// as names of other entries (`routing = { clinic = 0.4 }`); `None` if there is no such
    /// table, or (reported) if the value is not a table.
    pub fn any_table(&mut self, path: &[&str]) -> Option<&'a toml::Table> {
        if path.is_empty() {
            return Some(&self.source.table);
        }
        match self.value(path)? {
            toml::Value::Table(table) => Some(table),
            _ => {
                self.wrong_type(path, None, Kind::Table);
                None
            }
        }
    }

    /// The names of a table of named tables (`[specialties.NAME]`), in sorted order; each
    /// entry that is not a table is reported and left out.
    pub fn names(&mut self, path: &[&str]) -> Option<Vec<String>> {
        let table = match self.value(path)? {
            toml::Value::Table(table) => table,
            _ => {
                self.wrong_type(path, None, Kind::Table);
                return None;
            }
        };
        let mut names: Vec<String> = Vec::new();
        for (name, value) in table {
            if value.is_table() {
                names.push(name.clone());
            } else {
                let entry: Vec<&str> = path.iter().copied().chain([name.as_str()]).collect();
                self.wrong_type(&entry, None, Kind::Table);
            }
        }
        names.sort();
        Some(names)
    }

    /// A typed value: `None` if it is not set, or (reported) if it is not of the type `read`
    /// accepts.
    fn typed<T>(
        &mut self,
        path: &[&str],
        kind: Kind,
        read: fn(&toml::Value) -> Option<T>,
    ) -> Option<T> {
        let value = self.value(path)?;
        let got = read(value);
        if got.is_none() {
            self.wrong_type(path, None, kind);
        }
        got
    }

    /// A number: TOML integers and floats alike.
    pub fn f64(&mut self, path: &[&str]) -> Option<f64> {
        self.typed(path, Kind::Number, number_of)
    }

    /// A whole number: a TOML integer (a float, even 12.0, is refused).
    pub fn int(&mut self, path: &[&str]) -> Option<i64> {
        self.typed(path, Kind::Whole, toml::Value::as_integer)
    }

    pub fn string(&mut self, path: &[&str]) -> Option<String> {
        self.typed(path, Kind::Text, |v| v.as_str().map(str::to_string))
    }

    pub fn bool(&mut self, path: &[&str]) -> Option<bool> {
        self.typed(path, Kind::Bool, toml::Value::as_bool)
    }

    /// A date written as a TOML local date (`2024-04-01`) or a quoted `"2024-04-01"`.
    pub fn date(&mut self, path: &[&str]) -> Option<Date> {
        self.typed(path, Kind::Date, date_of)
    }

    /// An array whose every element `read` accepts; a bad element is reported by its index.
    fn array<T>(
        &mut self,
        path: &[&str],
        kind: Kind,
        read: fn(&toml::Value) -> Option<T>,
    ) -> Option<Vec<T>> {
        let items = match self.value(path)? {
            toml::Value::Array(items) => items,
            _ => {
                self.wrong_type(path, None, Kind::Array);
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match read(item) {
                Some(value) => out.push(value),
                None => {
                    self.wrong_type(path, Some(i), kind);
                    return None;
                }
            }
        }
        Some(out)
    }

    pub fn numbers(&mut self, path: &[&str]) -> Option<Vec<f64>> {
        self.array(path, Kind::Number, number_of)
    }

    pub fn ints(&mut self, path: &[&str]) -> Option<Vec<i64>> {
        self.array(path, Kind::Whole, toml::Value::as_integer)
    }

    pub fn strings(&mut self, path: &[&str]) -> Option<Vec<String>> {
        self.array(path, Kind::Text, |v| v.as_str().map(str::to_string))
    }

    pub fn dates(&mut self, path: &[&str]) -> Option<Vec<Date>> {
        self.array(path, Kind::Date, date_of)
    }

    /// A required value that `read` accepts. Missing, or of another type, it is reported with
    /// `expected`, so that a wrong type says what the key allows (`rate = "fast": expected a
    /// rate from 0`), not only which type it wants.
    pub fn expect<T>(
        &mut self,
        path: &[&str],
        read: fn(&toml::Value) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let Some(value) = self.value(path) else {
            return self.required(path, None, expected);
        };
        let got = read(value);
        if got.is_none() {
            self.bad(path, format!("expected {expected}"));
        }
        got
    }

    /// A required number with `ok` true, any wrong value reported with `expected`.
    pub fn expect_number(
        &mut self,
        path: &[&str],
        ok: impl Fn(f64) -> bool,
        expected: &str,
    ) -> Option<f64> {
        let value = self.expect(path, number_of, expected)?;
        self.check_number(path, value, ok, expected)
    }

    /// A required whole number from `low` to `high`, any wrong value reported with `expected`
    /// (a float, even 12.0, is refused).
    pub fn expect_whole(
        &mut self,
        path: &[&str],
        low: i64,
        high: i64,
        expected: &str,
    ) -> Option<i64> {
        let value = self.expect(path, toml::Value::as_integer, expected)?;
        if (low..=high).contains(&value) {
            Some(value)
        } else {
            self.bad(path, format!("expected {expected}"));
            None
        }
    }

    /// A required string, any wrong value reported with `expected`.
    pub fn expect_text(&mut self, path: &[&str], expected: &str) -> Option<String> {
        self.expect(path, |v| v.as_str().map(str::to_string), expected)
    }

    /// A problem with the value at `path`; `what` says what is allowed.
    pub fn bad(&mut self, path: &[&str], what: impl AsRef<str>) {
        let problem = self.source.value_problem(&key_path(path), what.as_ref());
        self.problems.push(problem);
    }

    /// A problem with one element of the array at `path`.
    pub fn bad_at(&mut self, path: &[&str], index: usize, what: impl AsRef<str>) {
        let problem = self
            .source
            .value_problem_at(&key_path(path), Some(index), what.as_ref());
        self.problems.push(problem);
    }

    /// A problem about a key as a whole, with no one value to show: a table's entry name
    /// (`specialties.General`), or a table whose keys do not fit together.
    pub fn bad_name(&mut self, path: &[&str], what: &str) {
        let place = self.source.place(&key_path(path));
        self.problems
            .push(format!("{place}: {}: {what}", dotted(path)));
    }

    /// The value if present; otherwise reports the key missing (unless already reported).
    pub fn required<T>(&mut self, path: &[&str], value: Option<T>, expected: &str) -> Option<T> {
        if value.is_none() {
            let path = key_path(path);
            if !self.is_broken(&path) {
                let problem = self.source.missing(&path, expected);
                self.problems.push(problem);
            }
        }
        value
    }

    /// A required number with `ok` true; `expected` says what is allowed ("a number from 0 to 1").
    pub fn number(
        &mut self,
        path: &[&str],
        value: Option<f64>,
        ok: fn(f64) -> bool,
        expected: &str,
    ) -> Option<f64> {
        let value = self.required(path, value, expected)?;
        self.check_number(path, value, ok, expected)
    }

    /// As [`Checker::number`] for a key that may be left out.
    pub fn optional_number(
        &mut self,
        path: &[&str],
        value: Option<f64>,
        ok: fn(f64) -> bool,
        expected: &str,
    ) -> Option<f64> {
        self.check_number(path, value?, ok, expected)
    }

    pub fn check_number(
        &mut self,
        path: &[&str],
        value: f64,
        ok: impl Fn(f64) -> bool,
        expected: &str,
    ) -> Option<f64> {
        // TOML allows `nan` and `inf`; no key accepts them.
        if value.is_finite() && ok(value) {
            Some(value)
        } else {
            self.bad(path, format!("expected {expected}"));
            None
        }
    }

    pub fn share(&mut self, path: &[&str], value: Option<f64>) -> Option<f64> {
        self.number(
            path,
            value,
            |x| (0.0..=1.0).contains(&x),
            "a share from 0 to 1",
        )
    }

    /// A required whole number from `low` to `high`.
    pub fn whole(
        &mut self,
        path: &[&str],
        value: Option<i64>,
        low: i64,
        high: i64,
        expected: &str,
    ) -> Option<i64> {
        let value = self.required(path, value, expected)?;
        if (low..=high).contains(&value) {
            Some(value)
        } else {
            self.bad(path, format!("expected {expected}"));
            None
        }
    }

    /// A required date.
    pub fn required_date(&mut self, path: &[&str], value: Option<Date>) -> Option<Date> {
        self.required(path, value, "a date like 2024-04-01")
    }

    /// Reports a group of shares that should sum to 1; the shares are already checked.
    pub fn sums_to_one(&mut self, path: &[&str], sum: f64, what: &str) {
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            self.bad(
                path,
                format!("{what} add up to {}: expected a total of 1", num(sum)),
            );
        }
    }

    /// The position of `value` in `candidates`; otherwise reports it, listing the candidates
    /// and suggesting the nearest. `expected` says what they are ("the name of a specialty").
    pub fn lookup(
        &mut self,
        path: &[&str],
        value: &str,
        candidates: &[&str],
        expected: &str,
    ) -> Option<usize> {
        let found = candidates.iter().position(|n| *n == value);
        if found.is_none() {
            self.bad(
                path,
                format!(
                    "expected {expected}: {}{}",
                    quoted_list(candidates),
                    suggestion(value, candidates)
                ),
            );
        }
        found
    }
}

fn join_owned(path: &[&str], last: &str) -> Vec<String> {
    path.iter()
        .map(|s| s.to_string())
        .chain([last.to_string()])
        .collect()
}

/// `; did you mean "x"?` when a candidate is close to `value`, else nothing.
pub fn suggestion(value: &str, candidates: &[&str]) -> String {
    match nearest(value, candidates) {
        Some(best) => format!("; did you mean \"{best}\"?"),
        None => String::new(),
    }
}

/// `"a", "b", "c"`.
pub fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    quoted.join(", ")
}

/// `[a-z0-9_]+`: names of specialties, changes and shocks, which appear in output columns.
pub fn is_snake_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `[a-z0-9_-]`, 1 to 64 characters: names of network scenarios, stations and classes, which
/// appear inside metric names (`station.clinic.mean_wait`) and CSV fields, so no dots, spaces
/// or capitals. (Elective specialty, change, shock and target names are [`is_snake_name`];
/// elective scenario, batch and sweep names, which name folders, are [`is_file_name`].)
pub fn is_metric_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// What [`is_metric_name`] allows, for messages.
pub const METRIC_NAME_RULE: &str =
    "a name of 1 to 64 characters: lowercase letters, digits, '_' or '-'";

/// Safe as a file or folder name.
pub fn is_file_name(name: &str) -> bool {
    (1..=64).contains(&name.chars().count())
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn number_of(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

fn date_of(value: &toml::Value) -> Option<Date> {
    match value {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt
            .date
            .and_then(|d| Date::from_ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))),
        toml::Value::String(text) => parse_date_text(text.trim()),
        _ => None,
    }
}

/// `YYYY-MM-DD` with a four-digit year: `Date::parse` accepts any year, and a year far outside
/// the calendar overflows its day arithmetic.
fn parse_date_text(text: &str) -> Option<Date> {
    let four_digit_year = text.len() == 10 && text.bytes().take(4).all(|b| b.is_ascii_digit());
    four_digit_year.then(|| Date::parse(text)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn source(text: &str) -> Source {
        Source {
            table: toml::from_str(text).expect("valid TOML"),
            files: vec!["t.toml".into()],
            origins: BTreeMap::new(),
            fallback: "t".into(),
        }
    }

    #[test]
    fn dates_as_toml_dates_or_strings() {
        let s = source(
            "a = 2024-04-01\nb = \"2024-04-01\"\nc = \"2147483647-01-01\"\nd = 2024-04-01T10:00:00\ne = 5",
        );
        let mut c = Checker::new(&s);
        let mut date = |key: &str| c.date(&[key]).map(|d| d.to_string());
        assert_eq!(date("a").as_deref(), Some("2024-04-01"));
        assert_eq!(date("b").as_deref(), Some("2024-04-01"));
        assert_eq!(date("c"), None);
        assert_eq!(date("d"), None);
        assert_eq!(date("e"), None);
        assert_eq!(c.into_problems().len(), 3);
    }

    #[test]
    fn unknown_keys_in_one_pass_with_suggestions_and_wrong_types() {
        let s = source("alphx = 1\nbeta = \"x\"\ngamma = [1, \"y\"]\n[t]\nz = 1");
        let mut c = Checker::new(&s);
        c.table(&[], &["alpha", "beta", "gamma", "t"]);
        assert_eq!(c.f64(&["beta"]), None);
        assert_eq!(c.numbers(&["gamma"]), None);
        assert_eq!(c.required(&["alpha"], c.value(&["alpha"]), "x"), None);
        c.table(&["t"], &[]);
        let all = c.into_problems();
        assert_eq!(
            all,
            [
                "t.toml: unknown key `alphx`; did you mean `alpha`? (allowed: alpha, beta, gamma, t)",
                "t.toml: beta = \"x\": expected a number",
                "t.toml: gamma[1] = \"y\": expected a number",
                "t.toml: unknown key `t.z` (allowed: )",
            ]
        );
    }

    #[test]
    fn many_unknown_keys_are_counted_not_listed() {
        let text: String = (0..5000).map(|i| format!("k{i} = 1\n")).collect();
        let s = source(&text);
        let mut c = Checker::new(&s);
        c.table(&[], &["name"]);
        let all = c.into_problems();
        assert_eq!(all.len(), MAX_STRUCTURE_PROBLEMS + 1);
        assert!(all[MAX_STRUCTURE_PROBLEMS].contains("4900 more unknown keys"));
    }

    #[test]
    fn names() {
        assert!(is_file_name("winter-2024_v1.2"));
        assert!(!is_file_name(".hidden"));
        assert!(!is_file_name("a/b"));
        assert!(!is_file_name(""));
        assert!(!is_file_name(&"x".repeat(65)));
        assert!(is_snake_name("trauma_orthopaedics"));
        assert!(!is_snake_name("Trauma"));
        assert!(is_metric_name("three-stage_2"));
        assert!(!is_metric_name("a.b"));
        assert!(!is_metric_name("Clinic"));
        assert!(!is_metric_name(""));
        assert!(!is_metric_name(&"x".repeat(65)));
    }

    #[test]
    fn expected_values_say_what_the_key_allows_whatever_is_wrong() {
        let s = source("r = \"fast\"\nn = 2.0\nm = 0\nt = 5\nok = 3\nhole = [1]\n[u]\nx = 1");
        let mut c = Checker::new(&s);
        let rate = "a rate from 0";
        assert_eq!(c.expect_number(&["r"], |x| x >= 0.0, rate), None);
        assert_eq!(
            c.expect_whole(&["n"], 1, 9, "a whole number from 1 to 9"),
            None
        );
        assert_eq!(
            c.expect_whole(&["m"], 1, 9, "a whole number from 1 to 9"),
            None
        );
        assert_eq!(c.expect_text(&["t"], "a time of day"), None);
        assert_eq!(c.expect_number(&["ok"], |x| x >= 0.0, rate), Some(3.0));
        assert_eq!(c.expect_number(&["gone"], |x| x >= 0.0, rate), None);
        let limit = 2.0;
        assert_eq!(c.expect_number(&["ok"], |x| x < limit, "below 2"), None);
        assert!(c.any_table(&["u"]).is_some_and(|t| t.contains_key("x")));
        assert!(c.any_table(&["hole"]).is_none());
        assert_eq!(
            c.into_problems(),
            [
                "t.toml: hole = [1]: expected a table",
                "t.toml: r = \"fast\": expected a rate from 0",
                "t.toml: n = 2.0: expected a whole number from 1 to 9",
                "t.toml: m = 0: expected a whole number from 1 to 9",
                "t.toml: t = 5: expected a time of day",
                "t.toml: missing key `gone`: expected a rate from 0 (files read: t.toml)",
                "t.toml: ok = 3: expected below 2",
            ]
        );
    }
}
