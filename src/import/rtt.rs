//! The RTT full CSV data file NHS England publishes every month: one row per provider ×
//! commissioner × RTT part × treatment function, with the pathways in 105 weekly bands of weeks
//! waited (`Gt 00 To 01 Weeks SUM 1` ... `Gt 104 Weeks SUM 1`) and the totals.
//!
//! [`read_rtt_file`] finds the header (rows above it are skipped), maps columns by name (the
//! names the file has used over the years), checks that the file holds one month, sums the
//! commissioner rows of the chosen providers, and checks the totals: each row's `Total`
//! against its bands, and the `C_999` rows against the sum over treatment functions. Anything
//! it cannot read is refused with the file, line, column, value and what was expected.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

/// Weekly bands in a row: 0-1 weeks up to 103-104, then more than 104.
pub const BANDS: usize = 105;

/// The largest file read: the national file is about 40 to 70 MB.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Rows looked at for the header before giving up (the files have at most a few title rows).
const MAX_PREAMBLE_ROWS: usize = 50;

/// The RTT parts, in the order [`Counts`] arrays keep them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// `Part_1A`: completed pathways, admitted (clock stops at admission).
    Admitted,
    /// `Part_1B`: completed pathways, not admitted.
    NonAdmitted,
    /// `Part_2`: incomplete pathways at month end (the waiting list).
    Incomplete,
    /// `Part_2A`: incomplete pathways with a decision to admit.
    IncompleteWithDecisionToAdmit,
    /// `Part_3`: new RTT periods (clock starts) in the month; only `Total All` is filled.
    NewPeriods,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Admitted,
        Part::NonAdmitted,
        Part::Incomplete,
        Part::IncompleteWithDecisionToAdmit,
        Part::NewPeriods,
    ];
    pub const CODES: [&'static str; 5] = ["Part_1A", "Part_1B", "Part_2", "Part_2A", "Part_3"];

    pub fn code(self) -> &'static str {
        Self::CODES[self as usize]
    }

    pub fn index(self) -> usize {
        self as usize
    }

    fn from_code(text: &str) -> Option<Part> {
        Self::CODES
            .iter()
            .position(|c| c.eq_ignore_ascii_case(text))
            .map(|i| Self::ALL[i])
    }
}

/// The month a file describes (its census is the last day of the month).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Period {
    /// As the file writes it: `RTT-November-2024`.
    pub fn label(self) -> String {
        format!("RTT-{}-{}", MONTH_NAMES[self.month as usize - 1], self.year)
    }
}

/// Pathways of one part (summed over the rows read): by weekly band, those with an unknown clock
/// start, and `Total All`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    pub bands: [u64; BANDS],
    pub unknown_start: u64,
    pub total_all: u64,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            bands: [0; BANDS],
            unknown_start: 0,
            total_all: 0,
        }
    }
}

impl Counts {
    pub fn band_sum(&self) -> u64 {
        self.bands.iter().sum()
    }
}

/// One treatment function (or the file's `X0n` group of small ones), every part summed over the
/// commissioner rows of the providers read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreatmentFunction {
    /// `C_110`, `X05`, ...
    pub code: String,
    /// `Trauma and Orthopaedic Service`, as the file names it.
    pub name: String,
    /// In [`Part::ALL`] order.
    pub parts: [Counts; 5],
}

impl TreatmentFunction {
    pub fn part(&self, part: Part) -> &Counts {
        &self.parts[part.index()]
    }
}

/// What was read from a file.
#[derive(Clone, Debug)]
pub struct RttData {
    pub period: Period,
    /// The providers summed, `(code, name)`, sorted by code.
    pub providers: Vec<(String, String)>,
    /// Data rows summed (the chosen providers' rows).
    pub rows: usize,
    /// Treatment functions and groups, sorted by code, without the `C_999` check total.
    pub functions: Vec<TreatmentFunction>,
    /// The `C_999` rows: the file's total over treatment functions.
    pub check_total: TreatmentFunction,
}

/// The check total's code.
pub const CHECK_TOTAL: &str = "C_999";

/// A file that cannot be read, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RttError(pub String);

impl fmt::Display for RttError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RttError {}

/// The name of weekly band `k` as the file writes it.
pub fn band_column(k: usize) -> String {
    if k + 1 < BANDS {
        format!("Gt {k:02} To {:02} Weeks SUM 1", k + 1)
    } else {
        format!("Gt {k:02} Weeks SUM 1")
    }
}

/// Reads `path` and sums the rows of `providers` (every provider in the file if empty).
pub fn read_rtt_file(path: &Path, providers: &[String]) -> Result<RttData, RttError> {
    let origin = path.display().to_string();
    let fail = |what: String| RttError(format!("{origin}: {what}"));
    // Refuse FIFOs, devices and folders before opening: opening a FIFO would wait for a writer.
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(fail(
            "not a regular file: expected an RTT full CSV file (a FIFO, device or folder is not read)"
                .to_string(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "{} bytes: expected at most {MAX_FILE_BYTES} bytes (the national file is about 70 MB)",
            meta.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    // The cap holds even if the file grows while it is read.
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(format!(
            "more than {MAX_FILE_BYTES} bytes: expected at most that"
        )));
    }
    parse_rtt(&bytes, &origin, providers)
}

/// Normalised header text: trimmed, lower case, runs of white space as one space, no BOM.
fn normalise(text: &str) -> String {
    let text = text.trim_start_matches('\u{feff}');
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").to_lowercase()
}

/// The names each column has had; the first is the current one.
const PROVIDER_CODE: &[&str] = &["Provider Org Code", "Provider Code", "Org Code"];
const PROVIDER_NAME: &[&str] = &["Provider Org Name", "Provider Name", "Org Name"];
const PART: &[&str] = &["RTT Part Type", "RTT Part", "Part Type"];
const FUNCTION_CODE: &[&str] = &[
    "Treatment Function Code",
    "Treatment Function",
    "TFC Code",
    "TFC",
];
const FUNCTION_NAME: &[&str] = &["Treatment Function Name", "TFC Name"];
const PERIOD: &[&str] = &["Period"];
const YEAR: &[&str] = &["Year"];
const MONTH: &[&str] = &["Month"];
const TOTAL: &[&str] = &["Total"];
const UNKNOWN: &[&str] = &["Patients with unknown clock start date"];
const TOTAL_ALL: &[&str] = &["Total All"];

/// Where the period is.
enum PeriodColumns {
    One(usize),
    Split { year: usize, month: usize },
}

/// Column positions, found by name.
struct Columns {
    period: PeriodColumns,
    provider_code: usize,
    provider_name: Option<usize>,
    part: usize,
    function_code: usize,
    function_name: Option<usize>,
    bands: [usize; BANDS],
    total: Option<usize>,
    unknown: Option<usize>,
    total_all: usize,
    /// Header names as written, for messages.
    names: Vec<String>,
}

impl Columns {
    fn find(header: &[String], origin: &str, line: u64) -> Result<Columns, RttError> {
        let normalised: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        let position = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| normalised.iter().position(|h| *h == normalise(n)))
        };
        let missing = |names: &[&str]| {
            let also = if names.len() > 1 {
                format!(" (or {})", quoted(&names[1..]))
            } else {
                String::new()
            };
            RttError(format!(
                "{origin}:{line}: the header has no column `{}`{also}: expected the columns of the RTT full CSV file (Period, Provider Org Code, RTT Part Type, Treatment Function Code, the 105 weekly bands, Total All)",
                names[0]
            ))
        };
        let required = |names: &[&str]| position(names).ok_or_else(|| missing(names));
        let period = match (position(PERIOD), position(YEAR), position(MONTH)) {
            (Some(p), _, _) => PeriodColumns::One(p),
            (None, Some(year), Some(month)) => PeriodColumns::Split { year, month },
            _ => {
                return Err(RttError(format!(
                    "{origin}:{line}: the header has no column `Period` (nor `Year` and `Month`): expected the month the file describes"
                )))
            }
        };
        let mut bands = [0; BANDS];
        for (k, slot) in bands.iter_mut().enumerate() {
            let name = band_column(k);
            *slot = match position(&[name.as_str()]) {
                Some(i) => i,
                None => {
                    // Files before the 104-week bands stop at an open "Gt 52 Weeks" band.
                    let last_open = normalised
                        .iter()
                        .zip(header)
                        .find(|(h, _)| h.starts_with("gt ") && !h.contains(" to "))
                        .map(|(_, h)| format!(" (its last band is `{}`)", h.trim()))
                        .unwrap_or_default();
                    return Err(RttError(format!(
                        "{origin}:{line}: the header has no column `{name}`{last_open}: expected the 105 weekly bands `{}` to `{}`",
                        band_column(0),
                        band_column(BANDS - 1)
                    )));
                }
            };
        }
        Ok(Columns {
            period,
            provider_code: required(PROVIDER_CODE)?,
            provider_name: position(PROVIDER_NAME),
            part: required(PART)?,
            function_code: required(FUNCTION_CODE)?,
            function_name: position(FUNCTION_NAME),
            bands,
            total: position(TOTAL),
            unknown: position(UNKNOWN),
            total_all: required(TOTAL_ALL)?,
            names: header.iter().map(|h| h.trim().to_string()).collect(),
        })
    }
}

fn quoted(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    names.join(", ")
}

/// One record's cells as text (invalid UTF-8 replaced: only names can hold it, and numbers are
/// checked digit by digit).
fn cells(record: &csv::ByteRecord) -> Vec<String> {
    record
        .iter()
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect()
}

/// Whether a row is the header: it names the first weekly band.
fn is_header(row: &[String]) -> bool {
    let first = normalise(&band_column(0));
    row.iter().any(|c| normalise(c) == first)
}

/// Parses the bytes of an RTT full CSV file; `origin` names it in messages.
pub fn parse_rtt(bytes: &[u8], origin: &str, providers: &[String]) -> Result<RttData, RttError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(RttError(format!(
            "{origin}: the file is empty: expected an RTT full CSV file with a header row"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let read_error = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        RttError(format!("{origin}:{line}: not readable as CSV: {e}"))
    };

    // The header: the first row naming the weekly bands; title rows above it are skipped.
    let mut header = None;
    for _ in 0..MAX_PREAMBLE_ROWS {
        if !reader.read_byte_record(&mut record).map_err(read_error)? {
            break;
        }
        let row = cells(&record);
        if is_header(&row) {
            header = Some((row, record.position().map_or(0, |p| p.line())));
            break;
        }
    }
    let Some((header, header_line)) = header else {
        return Err(RttError(format!(
            "{origin}: no header row in the first {MAX_PREAMBLE_ROWS} rows: expected a row naming the columns, among them `{}`",
            band_column(0)
        )));
    };
    let columns = Columns::find(&header, origin, header_line)?;

    let wanted: Vec<String> = providers.iter().map(|p| p.trim().to_uppercase()).collect();
    let mut period: Option<(Period, u64)> = None;
    let mut seen_providers: BTreeMap<String, String> = BTreeMap::new();
    let mut summed_providers: BTreeMap<String, String> = BTreeMap::new();
    let mut functions: BTreeMap<String, TreatmentFunction> = BTreeMap::new();
    let mut rows = 0;
    while reader.read_byte_record(&mut record).map_err(read_error)? {
        let line = record.position().map_or(0, |p| p.line());
        let row = cells(&record);
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let at = |i: usize| -> Result<&str, RttError> {
            row.get(i).map(|c| c.trim()).ok_or_else(|| {
                RttError(format!(
                    "{origin}:{line}: the row has {} cells: expected {} as in the header (no column {} `{}`)",
                    row.len(),
                    columns.names.len(),
                    i + 1,
                    columns.names[i]
                ))
            })
        };
        let bad = |i: usize, value: &str, expected: &str| {
            RttError(format!(
                "{origin}:{line}: column {} `{}` = {value:?}: expected {expected}",
                i + 1,
                columns.names[i]
            ))
        };

        let this_period = match columns.period {
            PeriodColumns::One(i) => {
                parse_period(at(i)?).ok_or_else(|| bad(i, at(i).unwrap_or(""), PERIOD_EXPECTED))?
            }
            PeriodColumns::Split { year, month } => {
                let y = at(year)?;
                let y = parse_year(y).ok_or_else(|| bad(year, y, "a year like 2024"))?;
                let m = at(month)?;
                let m = parse_month(m)
                    .ok_or_else(|| bad(month, m, "a month like November, Nov or 11"))?;
                Period { year: y, month: m }
            }
        };
        match period {
            None => period = Some((this_period, line)),
            Some((first, first_line)) if first != this_period => {
                let i = match columns.period {
                    PeriodColumns::One(i) => i,
                    PeriodColumns::Split { month, .. } => month,
                };
                return Err(bad(
                    i,
                    &this_period.label(),
                    &format!(
                        "{} as on line {first_line}: one file holds one month",
                        first.label()
                    ),
                ));
            }
            Some(_) => {}
        }

        let provider = at(columns.provider_code)?.to_uppercase();
        if provider.is_empty() {
            return Err(bad(columns.provider_code, "", "a provider code"));
        }
        let provider_name = match columns.provider_name {
            Some(i) => at(i)?.to_string(),
            None => String::new(),
        };
        seen_providers
            .entry(provider.clone())
            .or_insert_with(|| provider_name.clone());
        let part_text = at(columns.part)?;
        let part = Part::from_code(part_text).ok_or_else(|| {
            bad(
                columns.part,
                part_text,
                &format!("one of the RTT parts {}", Part::CODES.join(", ")),
            )
        })?;
        let code = at(columns.function_code)?.to_uppercase();
        if code.is_empty() {
            return Err(bad(
                columns.function_code,
                "",
                "a treatment function code like C_110",
            ));
        }
        if !wanted.is_empty() && !wanted.contains(&provider) {
            continue;
        }
        summed_providers.insert(provider, provider_name);
        let name = match columns.function_name {
            Some(i) => at(i)?.to_string(),
            None => code.clone(),
        };

        let number = |i: usize| -> Result<u64, RttError> {
            let text = at(i)?;
            parse_count(text).ok_or_else(|| {
                bad(
                    i,
                    text,
                    "a whole number of pathways (0 or more), or a blank cell",
                )
            })
        };
        let mut counts = Counts::default();
        for (k, &i) in columns.bands.iter().enumerate() {
            counts.bands[k] = number(i)?;
        }
        counts.unknown_start = match columns.unknown {
            Some(i) => number(i)?,
            None => 0,
        };
        counts.total_all = number(columns.total_all)?;
        if part != Part::NewPeriods {
            let bands = counts.band_sum();
            if let Some(i) = columns.total {
                let total = at(i)?;
                if !total.is_empty() && number(i)? != bands {
                    return Err(bad(
                        i,
                        total,
                        &format!("the sum of the row's weekly bands, {bands}"),
                    ));
                }
            }
            if counts.total_all != bands + counts.unknown_start {
                return Err(bad(
                    columns.total_all,
                    at(columns.total_all)?,
                    &format!(
                        "the weekly bands plus the unknown clock starts, {bands} + {} = {}",
                        counts.unknown_start,
                        bands + counts.unknown_start
                    ),
                ));
            }
        }
        let entry = functions
            .entry(code.clone())
            .or_insert_with(|| TreatmentFunction {
                code: code.clone(),
                name: name.clone(),
                parts: Default::default(),
            });
        let sum = &mut entry.parts[part.index()];
        let overflow = || {
            RttError(format!(
                "{origin}:{line}: the counts of {code} {} add up to more than {}: expected real pathway counts",
                part.code(),
                u64::MAX
            ))
        };
        for k in 0..BANDS {
            sum.bands[k] = sum.bands[k]
                .checked_add(counts.bands[k])
                .ok_or_else(overflow)?;
        }
        sum.unknown_start = sum
            .unknown_start
            .checked_add(counts.unknown_start)
            .ok_or_else(overflow)?;
        sum.total_all = sum
            .total_all
            .checked_add(counts.total_all)
            .ok_or_else(overflow)?;
        rows += 1;
    }

    let Some((period, _)) = period else {
        return Err(RttError(format!(
            "{origin}: no data rows below the header (line {header_line}): expected one row per provider, commissioner, RTT part and treatment function"
        )));
    };
    for code in &wanted {
        if !seen_providers.contains_key(code) {
            let some: Vec<&str> = seen_providers.keys().take(10).map(String::as_str).collect();
            let more = if seen_providers.len() > some.len() {
                format!(" and {} more", seen_providers.len() - some.len())
            } else {
                String::new()
            };
            return Err(RttError(format!(
                "{origin}: provider {code}: no rows: expected a provider code in the file's `{}` column ({}{more})",
                columns.names[columns.provider_code],
                some.join(", ")
            )));
        }
    }
    let check_total = functions.remove(CHECK_TOTAL).ok_or_else(|| {
        RttError(format!(
            "{origin}: no {CHECK_TOTAL} rows: expected the total over treatment functions, treatment function code {CHECK_TOTAL}"
        ))
    })?;
    let functions: Vec<TreatmentFunction> = functions.into_values().collect();
    check_totals(origin, &functions, &check_total)?;
    check_decisions_to_admit(origin, &functions)?;
    Ok(RttData {
        period,
        providers: summed_providers.into_iter().collect(),
        rows,
        functions,
        check_total,
    })
}

/// `C_999` must be the sum over treatment functions, band by band, in every part.
fn check_totals(
    origin: &str,
    functions: &[TreatmentFunction],
    check: &TreatmentFunction,
) -> Result<(), RttError> {
    for part in Part::ALL {
        let mut sum = Counts::default();
        for f in functions {
            let c = f.part(part);
            for k in 0..BANDS {
                sum.bands[k] += c.bands[k];
            }
            sum.unknown_start += c.unknown_start;
            sum.total_all += c.total_all;
        }
        let given = check.part(part);
        let mut differ = Vec::new();
        for k in 0..BANDS {
            if sum.bands[k] != given.bands[k] {
                differ.push((band_column(k), given.bands[k], sum.bands[k]));
            }
        }
        if sum.unknown_start != given.unknown_start {
            differ.push((
                UNKNOWN[0].to_string(),
                given.unknown_start,
                sum.unknown_start,
            ));
        }
        if sum.total_all != given.total_all {
            differ.push((TOTAL_ALL[0].to_string(), given.total_all, sum.total_all));
        }
        if let Some((column, given, sum)) = differ.first() {
            return Err(RttError(format!(
                "{origin}: {} `{column}`: the {CHECK_TOTAL} rows say {given} but the treatment functions add up to {sum} ({} column(s) differ): expected {CHECK_TOTAL} to be the total over treatment functions",
                part.code(),
                differ.len()
            )));
        }
    }
    Ok(())
}

/// Pathways with a decision to admit (`Part_2A`) are among the incomplete ones (`Part_2`).
fn check_decisions_to_admit(origin: &str, functions: &[TreatmentFunction]) -> Result<(), RttError> {
    for f in functions {
        let list = f.part(Part::Incomplete);
        let admit = f.part(Part::IncompleteWithDecisionToAdmit);
        if let Some(k) = (0..BANDS).find(|&k| admit.bands[k] > list.bands[k]) {
            return Err(RttError(format!(
                "{origin}: {} `{}`: Part_2A has {} pathways with a decision to admit but Part_2 only {} incomplete pathways: expected Part_2A to be a part of Part_2",
                f.code,
                band_column(k),
                admit.bands[k],
                list.bands[k]
            )));
        }
    }
    Ok(())
}

const PERIOD_EXPECTED: &str = "a period like RTT-November-2024";

/// `RTT-November-2024` (also `November-2024`, `RTT-NOV-2024`).
fn parse_period(text: &str) -> Option<Period> {
    let parts: Vec<&str> = text.split('-').map(str::trim).collect();
    let (month, year) = match parts.as_slice() {
        [rtt, month, year] if rtt.eq_ignore_ascii_case("RTT") => (*month, *year),
        [month, year] => (*month, *year),
        _ => return None,
    };
    Some(Period {
        year: parse_year(year)?,
        month: month_by_name(month)?,
    })
}

fn parse_year(text: &str) -> Option<i32> {
    let ok = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse().ok())
        .flatten()
        .filter(|y| (2000..=2100).contains(y))
}

fn month_by_name(text: &str) -> Option<u32> {
    let lower = text.to_lowercase();
    MONTH_NAMES
        .iter()
        .position(|m| {
            let m = m.to_lowercase();
            lower == m || (lower.len() == 3 && m.starts_with(&lower))
        })
        .map(|i| i as u32 + 1)
}

/// A month by name (`November`, `Nov`) or number (`11`).
fn parse_month(text: &str) -> Option<u32> {
    if !text.is_empty() && text.len() <= 2 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok().filter(|m| (1..=12).contains(m));
    }
    month_by_name(text)
}

/// A count: digits, or a blank cell for none.
fn parse_count(text: &str) -> Option<u64> {
    if text.is_empty() {
        return Some(0);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        let mut names = vec![
            "Period",
            "Provider Org Code",
            "Provider Org Name",
            "Commissioner Org Code",
            "RTT Part Type",
            "Treatment Function Code",
            "Treatment Function Name",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        names.extend((0..BANDS).map(band_column));
        names.extend(
            [
                "Total",
                "Patients with unknown clock start date",
                "Total All",
            ]
            .map(String::from),
        );
        names.join(",")
    }

    /// A row with `n` pathways in band `k` (blank elsewhere, as the file writes zeros at times).
    fn row(provider: &str, part: &str, code: &str, k: usize, n: u64) -> String {
        let mut cells = vec![
            "RTT-November-2024".to_string(),
            provider.to_string(),
            "A TRUST".to_string(),
            "11J".to_string(),
            part.to_string(),
            code.to_string(),
            "Some Service".to_string(),
        ];
        if part == "Part_3" {
            cells.extend((0..BANDS + 2).map(|_| String::new()));
        } else {
            cells.extend((0..BANDS).map(|b| if b == k { n.to_string() } else { String::new() }));
            cells.extend([n.to_string(), String::new()]);
        }
        cells.push(n.to_string());
        cells.join(",")
    }

    fn file(rows: &[String]) -> String {
        let mut text = header();
        for r in rows {
            text.push('\n');
            text.push_str(r);
        }
        text.push('\n');
        text
    }

    #[test]
    fn band_columns_are_named_as_the_file_names_them() {
        assert_eq!(band_column(0), "Gt 00 To 01 Weeks SUM 1");
        assert_eq!(band_column(9), "Gt 09 To 10 Weeks SUM 1");
        assert_eq!(band_column(99), "Gt 99 To 100 Weeks SUM 1");
        assert_eq!(band_column(104), "Gt 104 Weeks SUM 1");
    }

    #[test]
    fn periods_in_the_forms_the_files_use() {
        let nov = Some(Period {
            year: 2024,
            month: 11,
        });
        assert_eq!(parse_period("RTT-November-2024"), nov);
        assert_eq!(parse_period("RTT-NOVEMBER-2024"), nov);
        assert_eq!(parse_period("November-2024"), nov);
        assert_eq!(parse_period("RTT-Nov-2024"), nov);
        assert_eq!(parse_period("RTT-Novembre-2024"), None);
        assert_eq!(parse_period("2024-11"), None);
        assert_eq!(parse_month("11"), Some(11));
        assert_eq!(parse_month("13"), None);
        assert_eq!(parse_year("24"), None);
    }

    #[test]
    fn counts_are_digits_or_blank() {
        assert_eq!(parse_count(""), Some(0));
        assert_eq!(parse_count("12"), Some(12));
        assert_eq!(parse_count("-1"), None);
        assert_eq!(parse_count("1.5"), None);
        assert_eq!(parse_count("1,200"), None);
        assert_eq!(parse_count("99999999999999999999999"), None);
    }

    #[test]
    fn commissioner_rows_are_summed_per_provider() {
        let text = file(&[
            row("RBD", "Part_2", "C_110", 3, 5),
            row("RBD", "Part_2", "C_110", 3, 7),
            row("RBD", "Part_2", "C_999", 3, 12),
            row("RXX", "Part_2", "C_110", 3, 100),
            row("RXX", "Part_2", "C_999", 3, 100),
        ]);
        let one = parse_rtt(text.as_bytes(), "t.csv", &["rbd".to_string()]).unwrap();
        assert_eq!(one.rows, 3);
        assert_eq!(one.functions.len(), 1);
        assert_eq!(one.functions[0].part(Part::Incomplete).bands[3], 12);
        assert_eq!(
            one.providers,
            vec![("RBD".to_string(), "A TRUST".to_string())]
        );
        let all = parse_rtt(text.as_bytes(), "t.csv", &[]).unwrap();
        assert_eq!(all.functions[0].part(Part::Incomplete).bands[3], 112);
        assert_eq!(all.check_total.part(Part::Incomplete).total_all, 112);
        assert_eq!(all.providers.len(), 2);
    }

    #[test]
    fn a_check_total_that_disagrees_is_refused_with_both_numbers() {
        let text = file(&[
            row("RBD", "Part_2", "C_110", 3, 5),
            row("RBD", "Part_2", "C_999", 3, 6),
        ]);
        let e = parse_rtt(text.as_bytes(), "t.csv", &[]).unwrap_err().0;
        assert!(
            e.contains("Part_2 `Gt 03 To 04 Weeks SUM 1`: the C_999 rows say 6 but the treatment functions add up to 5"),
            "{e}"
        );
    }

    #[test]
    fn a_row_total_that_disagrees_with_its_bands_is_refused() {
        let good = row("RBD", "Part_1A", "C_110", 3, 5);
        let bad = good.replacen(",5,,5", ",4,,5", 1);
        assert_ne!(good, bad);
        let text = file(&[bad]);
        let e = parse_rtt(text.as_bytes(), "t.csv", &[]).unwrap_err().0;
        assert!(
            e.starts_with("t.csv:2: column 113 `Total` = \"4\": expected the sum of the row's weekly bands, 5"),
            "{e}"
        );
    }

    #[test]
    fn more_decisions_to_admit_than_pathways_are_refused() {
        let text = file(&[
            row("RBD", "Part_2", "C_110", 3, 5),
            row("RBD", "Part_2A", "C_110", 3, 6),
            row("RBD", "Part_2", "C_999", 3, 5),
            row("RBD", "Part_2A", "C_999", 3, 6),
        ]);
        let e = parse_rtt(text.as_bytes(), "t.csv", &[]).unwrap_err().0;
        assert!(
            e.contains("C_110 `Gt 03 To 04 Weeks SUM 1`: Part_2A has 6"),
            "{e}"
        );
    }

    #[test]
    fn a_second_month_in_one_file_is_refused() {
        let other = row("RBD", "Part_2", "C_999", 3, 5).replace("November", "October");
        let text = file(&[row("RBD", "Part_2", "C_110", 3, 5), other]);
        let e = parse_rtt(text.as_bytes(), "t.csv", &[]).unwrap_err().0;
        assert_eq!(
            e,
            "t.csv:3: column 1 `Period` = \"RTT-October-2024\": expected RTT-November-2024 as on line 2: one file holds one month"
        );
    }

    #[test]
    fn an_unknown_provider_is_refused_naming_those_in_the_file() {
        let text = file(&[row("RBD", "Part_2", "C_999", 3, 5)]);
        let e = parse_rtt(text.as_bytes(), "t.csv", &["RXX".to_string()])
            .unwrap_err()
            .0;
        assert_eq!(
            e,
            "t.csv: provider RXX: no rows: expected a provider code in the file's `Provider Org Code` column (RBD)"
        );
    }

    #[test]
    fn a_file_of_an_older_layout_names_its_last_band() {
        let text = "Period,Provider Org Code,RTT Part Type,Treatment Function Code,Gt 00 To 01 Weeks SUM 1,Gt 52 Weeks SUM 1,Total All\n";
        let e = parse_rtt(text.as_bytes(), "t.csv", &[]).unwrap_err().0;
        assert!(
            e.contains(
                "no column `Gt 01 To 02 Weeks SUM 1` (its last band is `Gt 52 Weeks SUM 1`)"
            ),
            "{e}"
        );
    }
}
