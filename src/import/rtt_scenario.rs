//! A runnable scenario from an RTT full CSV file ([`super::rtt`]): the treatment functions as
//! specialties, the referral rate from `Part_3`, the starting list band by band from `Part_2`
//! and `Part_2A`, and capacity sized so that the monthly clock stops are those of `Part_1A` and
//! `Part_1B`. What the file does not hold (outcome mixes, durations, diagnostics, cancer,
//! finance) comes from a template scenario: each treatment function takes the template's
//! nearest specialty group, and volumes are scaled from the template by the provider's clock
//! starts. Every figure written says where it came from.

use std::fmt::Write as _;

use super::rtt::{Part, RttData, TreatmentFunction, BANDS};
use crate::scenario::{Outcomes, Scenario, Specialty, TestType, WEEKLY_BANDS};
use crate::util::date::{Date, Weekday};

/// What the importer is told besides the file.
pub struct ImportOptions<'a> {
    /// The file's name as the written scenario cites it (a name, not a path of this machine).
    pub source_name: &'a str,
    /// The validated template scenario, and how to cite it.
    pub template: &'a Scenario,
    pub template_name: &'a str,
    /// Simulated months.
    pub months: u32,
}

/// The template group a treatment function takes its assumptions from, by code: the surgical
/// groups by name, other surgery as general surgery, everything else as medical. A group the
/// template lacks falls back to the template's largest specialty by referrals.
fn template_group(code: &str) -> &'static str {
    match code {
        "C_110" | "C_111" | "C_115" => "trauma_orthopaedics",
        "C_120" => "ent",
        "C_130" => "ophthalmology",
        "C_502" | "C_503" => "gynaecology",
        // Surgical treatment functions and the file's group of other surgical ones.
        "C_100" | "C_101" | "C_102" | "C_103" | "C_104" | "C_105" | "C_106" | "C_107" | "C_108"
        | "C_140" | "C_144" | "C_145" | "C_150" | "C_160" | "C_170" | "C_172" | "C_173"
        | "C_174" | "X05" => "general_surgery",
        _ => "medical_and_other",
    }
}

/// Treatment functions that see a tumour group, by the group's name, most likely first.
fn tumour_group_functions(group: &str) -> &'static [&'static str] {
    match group {
        "breast" => &["C_103", "C_100"],
        "lower_gi" | "colorectal" => &["C_104", "C_100", "C_301"],
        "upper_gi" => &["C_106", "C_100", "C_301"],
        "lung" => &["C_340", "C_173"],
        "skin" => &["C_330"],
        "urology" | "urological" => &["C_101"],
        "gynaecology" | "gynaecological" => &["C_502"],
        "head_and_neck" => &["C_120", "C_140"],
        "haematology" => &["C_303"],
        _ => &[],
    }
}

/// `C_110` + `Trauma and Orthopaedic Service` -> `c_110_trauma_and_orthopaedic`.
pub fn specialty_name(code: &str, name: &str) -> String {
    let mut words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if matches!(
        words.last().map(String::as_str),
        Some("service" | "services")
    ) {
        words.pop();
    }
    let code: String = code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let mut out = code;
    for w in words {
        if out.len() + 1 + w.len() > 48 {
            break;
        }
        out.push('_');
        out.push_str(&w);
    }
    out
}

/// The scenario name: `rbd-2024-11` (providers' codes and the period).
pub fn scenario_name(data: &RttData) -> String {
    let period = format!("{}-{:02}", data.period.year, data.period.month);
    if data.providers.len() > 4 {
        return format!("rtt-{}-providers-{period}", data.providers.len());
    }
    let codes: Vec<String> = data
        .providers
        .iter()
        .map(|(c, _)| {
            c.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect();
    format!("{}-{period}", codes.join("-"))
}

/// A number with at most `places` decimals, trailing zeros dropped.
fn dec(x: f64, places: usize) -> String {
    let text = format!("{x:.places$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

/// Shares of `counts` in millionths, rounded so that they add up to exactly one million
/// (largest remainders), so the written shares sum to 1.
fn millionths(counts: &[u64]) -> Vec<u64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let exact: Vec<f64> = counts
        .iter()
        .map(|&c| c as f64 * 1e6 / total as f64)
        .collect();
    let mut shares: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let short = 1_000_000 - shares.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    // Largest remainder first; ties by position, so the result is deterministic.
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().take(short as usize) {
        shares[i] += 1;
    }
    shares
}

fn share_text(millionths: u64) -> String {
    dec(millionths as f64 / 1e6, 6)
}

fn outcomes_text(o: &Outcomes) -> String {
    format!(
        "{{ discharge = {}, treat = {}, followup = {}, diagnostic = {}, admit = {} }}",
        o.discharge, o.treat, o.followup, o.diagnostic, o.admit
    )
}

fn mix_text(mix: &[f64; TestType::COUNT]) -> String {
    let parts: Vec<String> = TestType::NAMES
        .iter()
        .zip(mix)
        .map(|(n, v)| format!("{n} = {v}"))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

/// Values as a TOML array; 6 decimals hide the rounding of weights the loader normalised.
fn list_text(values: &[f64]) -> String {
    let parts: Vec<String> = values.iter().map(|&v| dec(v, 6)).collect();
    format!("[{}]", parts.join(", "))
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// England and Wales bank holidays from `from` to `to` by the standing rules (substitute
/// Mondays and Tuesdays for weekend days). One-off holidays proclaimed for a single year are
/// not included.
pub fn bank_holidays(from: Date, to: Date) -> Vec<Date> {
    let mut days = Vec::new();
    for year in from.year()..=to.year() {
        let date = |m, d| Date::from_ymd(year, m, d).expect("a real date");
        let next_weekday = |d: Date| match d.weekday() {
            Weekday::Sat => d.add_days(2),
            Weekday::Sun => d.add_days(1),
            _ => d,
        };
        let first_monday = |m| {
            let first = date(m, 1);
            first.add_days(((7 - first.weekday().index()) % 7) as i64)
        };
        let last_monday = |m| {
            let last = date(m, 1).last_of_month();
            last.add_days(-(last.weekday().index() as i64))
        };
        let easter = easter_sunday(year);
        days.push(next_weekday(date(1, 1)));
        days.push(easter.add_days(-2));
        days.push(easter.add_days(1));
        days.push(first_monday(5));
        days.push(last_monday(5));
        days.push(last_monday(8));
        let christmas = date(12, 25);
        let (christmas, boxing) = match christmas.weekday() {
            Weekday::Fri => (christmas, christmas.add_days(3)),
            Weekday::Sat => (christmas.add_days(2), christmas.add_days(3)),
            Weekday::Sun => (christmas.add_days(2), christmas.add_days(1)),
            _ => (christmas, christmas.add_days(1)),
        };
        days.push(christmas);
        days.push(boxing);
    }
    days.sort();
    days.retain(|d| *d >= from && *d <= to);
    days
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian computus).
fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_ymd(year, month as u32, day as u32).expect("Easter is a real date")
}

/// One treatment function as a specialty, with what was worked out for it.
struct Imported<'a> {
    function: &'a TreatmentFunction,
    name: String,
    /// Index into the template's specialties.
    group: usize,
    /// Urgent suspected-cancer first appointments and surgeries a week routed to it.
    cancer_firsts_per_week: f64,
    cancer_surgeries_per_week: f64,
}

/// Clinic slots a week for `nonadmitted` non-admitted clock stops and `admitted` admitted
/// ones a week, with the template group's outcome mix; the steps are written beside it.
fn clinic_slots(
    g: &Specialty,
    dna_rate: f64,
    nonadmitted: f64,
    admitted: f64,
    cancer_firsts: f64,
) -> (f64, String) {
    let (o1, o2) = (&g.first_outcomes, &g.followup_outcomes);
    // Follow-ups on the pathway per first attendance: a geometric series.
    let again = (o2.followup + o2.diagnostic).min(0.999);
    let followups = (o1.followup + o1.diagnostic) / (1.0 - again);
    // Non-admitted clock stops per first attendance: discharged or treated at the first
    // attendance or at a follow-up.
    let stops = o1.discharge + o1.treat + followups * (o2.discharge + o2.treat);
    let firsts = if stops > 0.0 {
        nonadmitted / stops
    } else {
        0.0
    };
    let treated = firsts * (o1.treat + followups * o2.treat) + admitted;
    let kept = 1.0 - g.pifu_share * (1.0 - g.pifu_booking_share);
    let monitoring = treated * g.post_treatment_followups * kept;
    let attendances = firsts * (1.0 + followups) + monitoring + cancer_firsts;
    let slots = attendances / (1.0 - dna_rate);
    let note = format!(
        "# {} first attendances a week give {} non-admitted clock stops ({} per first attendance\n\
         # with {} pathway follow-ups each, by the template's outcome mix); with {} monitoring\n\
         # follow-ups after treatment and {} urgent suspected-cancer first appointments that is\n\
         # {} attendances a week, and {} slots at the template's DNA rate of {}.\n",
        dec(firsts, 1),
        dec(nonadmitted, 1),
        dec(stops, 3),
        dec(followups, 3),
        dec(monitoring, 1),
        dec(cancer_firsts, 1),
        dec(attendances, 1),
        dec(slots, 1),
        dna_rate
    );
    (slots, note)
}

/// Theatre lists a week for `admitted` admitted clock stops a week and the cancer surgery.
fn theatre_lists(
    g: &Specialty,
    template: &Scenario,
    admitted: f64,
    cancer_surgeries: f64,
) -> (f64, String) {
    let t = &template.theatres;
    let p = g.daycase_propensity;
    let case = p * g.daycase_minutes.mean + (1.0 - p) * g.inpatient_minutes.mean;
    let cancer_case = template.cancer.surgery_minutes.mean;
    let minutes = admitted * (case + t.turnaround_minutes)
        + cancer_surgeries * (cancer_case + t.turnaround_minutes);
    // A list is booked to its booking share, loses its late start and early finish, and about
    // half a case at its end; cancelled cases leave their time unused.
    let booked = (t.session_minutes * t.booking_fraction)
        .min(t.session_minutes - t.late_start_mean_minutes - t.early_finish_mean_minutes);
    let usable = ((booked - (case + t.turnaround_minutes) / 2.0)
        * (1.0 - t.on_the_day_cancellation_rate))
        .max(1.0);
    let lists = minutes / usable;
    let note = format!(
        "# {} admitted clock stops a week of {} minutes each with turnaround (the template's\n\
         # day-case share {p}) and {} cancer operations of {} minutes: {} minutes a week, at\n\
         # {} usable minutes a list.\n",
        dec(admitted, 1),
        dec(case + t.turnaround_minutes, 1),
        dec(cancer_surgeries, 2),
        dec(cancer_case + t.turnaround_minutes, 1),
        dec(minutes, 0),
        dec(usable, 1),
    );
    (lists, note)
}

/// The weekly counts as a TOML array, 15 to a line with the weeks named.
fn weekly_array(out: &mut String, key: &str, counts: &[u64; BANDS]) {
    out.push_str(&format!("{key} = [\n"));
    for (row, chunk) in counts.chunks(15).enumerate() {
        let first = row * 15;
        let last = first + chunk.len() - 1;
        let values: Vec<String> = chunk.iter().map(u64::to_string).collect();
        let weeks = if last + 1 == BANDS {
            format!("weeks {first} to {} and over 104", last - 1)
        } else {
            format!("weeks {first} to {last}")
        };
        out.push_str(&format!("  {}, # {weeks}\n", values.join(", ")));
    }
    out.push_str("]\n");
}

/// The scenario file for `data`, as text.
pub fn scenario_toml(data: &RttData, options: &ImportOptions<'_>) -> Result<String, String> {
    debug_assert_eq!(BANDS, WEEKLY_BANDS);
    let template = options.template;
    let source = options.source_name;
    let period = data.period;
    let period_label = period.label();
    let month_name = super::rtt::MONTH_NAMES[period.month as usize - 1];
    let first_day = Date::from_ymd(period.year, period.month, 1)
        .ok_or_else(|| format!("{source}: period {period_label} is not a real month"))?;
    let census = first_day.last_of_month();
    let days = census.days_since(first_day) + 1;
    let start = census.add_days(1);
    let cite = |part: Part| format!("{source}, {period_label}, {}", part.code());
    let from_template = format!("assumption from the template {}", options.template_name);

    // Treatment functions with anything to simulate; the others are named in a comment.
    let (functions, empty): (Vec<&TreatmentFunction>, Vec<&TreatmentFunction>) =
        data.functions.iter().partition(|f| {
            Part::ALL
                .iter()
                .any(|&p| f.part(p).total_all > 0 || f.part(p).band_sum() > 0)
        });
    let starts: Vec<u64> = functions
        .iter()
        .map(|f| f.part(Part::NewPeriods).total_all)
        .collect();
    let lists: Vec<u64> = functions
        .iter()
        .map(|f| f.part(Part::Incomplete).band_sum())
        .collect();
    let total_starts: u64 = starts.iter().sum();
    let total_list: u64 = lists.iter().sum();
    if total_starts == 0 {
        return Err(format!(
            "{source}: Part_3 has no clock starts for the providers read: expected new RTT periods to set the referral rate"
        ));
    }
    if total_list == 0 {
        return Err(format!(
            "{source}: Part_2 has no incomplete pathways for the providers read: expected a waiting list to start from"
        ));
    }
    if functions.len() > 200 {
        return Err(format!(
            "{source}: {} treatment functions: expected at most 200",
            functions.len()
        ));
    }
    let referral_shares = millionths(&starts);
    let list_shares = millionths(&lists);

    // Volumes the file does not give are the template's, scaled by clock starts.
    let season = template.referrals.monthly_seasonality[period.month as usize - 1];
    let per_day = total_starts as f64 / days as f64 / season;
    let ratio = per_day / template.referrals.per_day;
    let scaled = |x: f64| x * ratio;
    let scale_note = format!(
        "scaled by the provider's clock starts ({} a day against the template's {})",
        dec(per_day, 2),
        template.referrals.per_day
    );

    let largest = (0..template.specialties.len())
        .max_by(|&a, &b| {
            template.specialties[a]
                .referral_share
                .total_cmp(&template.specialties[b].referral_share)
                .then(b.cmp(&a))
        })
        .unwrap_or(0);
    let mut imported: Vec<Imported> = functions
        .iter()
        .map(|f| {
            let wanted = template_group(&f.code);
            let group = template
                .specialties
                .iter()
                .position(|s| s.name == wanted)
                .unwrap_or(largest);
            Imported {
                function: f,
                name: specialty_name(&f.code, &f.name),
                group,
                cancer_firsts_per_week: 0.0,
                cancer_surgeries_per_week: 0.0,
            }
        })
        .collect();

    // Each tumour group goes to the treatment function that sees it (by the group's name), or
    // else the largest (by list) in its template specialty's group, or the largest of all.
    let cancer = &template.cancer;
    let cancer_per_weekday = scaled(cancer.referrals_per_weekday);
    let biggest = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.max_by(|&a, &b| lists[a].cmp(&lists[b]).then(b.cmp(&a)))
    };
    let mut tumour_specialty = Vec::new();
    for tg in &cancer.tumour_groups {
        let named = tumour_group_functions(&tg.name)
            .iter()
            .find_map(|code| imported.iter().position(|s| s.function.code == *code));
        let within =
            biggest(&mut (0..imported.len()).filter(|&i| imported[i].group == tg.specialty));
        let chosen = named
            .or(within)
            .or_else(|| biggest(&mut (0..imported.len())))
            .expect("at least one treatment function");
        let weekly = cancer_per_weekday * 5.0 * tg.referral_share;
        imported[chosen].cancer_firsts_per_week += weekly;
        imported[chosen].cancer_surgeries_per_week +=
            weekly * tg.conversion_rate * tg.surgery_share;
        let why = match (named, within) {
            (Some(_), _) => format!("the treatment function that sees {} cancers", tg.name),
            (None, Some(_)) => format!(
                "the largest treatment function (by list) in the template group {}",
                template.specialties[tg.specialty].name
            ),
            (None, None) => format!(
                "no treatment function is in the template group {}: the largest of all (by list)",
                template.specialties[tg.specialty].name
            ),
        };
        tumour_specialty.push((chosen, why));
    }

    let mut out = String::new();
    let providers: Vec<String> = data
        .providers
        .iter()
        .map(|(code, name)| {
            if name.is_empty() {
                code.clone()
            } else {
                format!("{code} ({name})")
            }
        })
        .collect();
    let name = scenario_name(data);
    let w = &mut out;
    let _ = writeln!(
        w,
        "# plansim scenario written by `plansim import rtt` from {source}, the RTT full CSV data file\n\
         # NHS England published for {period_label} (official statistics, Open Government Licence v3.0):\n\
         # {} rows of {} summed over commissioners.\n\
         #\n\
         # Figures taken from the file name the file, period and part. Everything else is an\n\
         # assumption from the template {}: each treatment function takes the\n\
         # outcome mix, durations and the rest of the template's nearest specialty group, and\n\
         # volumes the file does not give (diagnostics, cancer, money) are the template's,\n\
         # {}.\n\
         # Import again rather than edit by hand.",
        data.rows,
        providers.join(", "),
        options.template_name,
        scale_note
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "name = {}", toml_string(&name));
    let _ = writeln!(
        w,
        "description = {}",
        toml_string(&format!(
            "{} from the RTT full CSV of {month_name} {}",
            providers.join(", "),
            period.year
        ))
    );
    let _ = writeln!(w);
    let sim = &template.simulation;
    let _ = writeln!(w, "[simulation]");
    let _ = writeln!(
        w,
        "# The file's census is {census} (the end of {period_label}); the simulation starts the next day."
    );
    let _ = writeln!(w, "start = {start}");
    let _ = writeln!(w, "months = {}", options.months);
    let _ = writeln!(w, "replications = {} # {from_template}", sim.replications);
    let _ = writeln!(w, "seed = {} # {from_template}", sim.seed);
    let _ = writeln!(
        w,
        "booking_policy = \"{}\" # {from_template}",
        sim.booking_policy.name()
    );
    let _ = writeln!(w);

    let tl = &template.initial_list;
    let unknown = data.check_total.part(Part::Incomplete).unknown_start;
    let caseload =
        (tl.monitoring_caseload as f64 * total_list as f64 / tl.total.max(1) as f64).round() as u64;
    let not_admitted = tl.share_awaiting_first + tl.share_followup;
    let first_share = if not_admitted > 0.0 {
        ((tl.share_awaiting_first / not_admitted) * 1e6).round() as u64
    } else {
        1_000_000
    };
    let _ = writeln!(w, "[initial_list]");
    let _ = writeln!(
        w,
        "# The list at the census is given week by week for each specialty, in the\n\
         # [initial_list.weekly.NAME] tables below ({}, Part_2 and Part_2A): {total_list}\n\
         # incomplete pathways. {unknown} pathways with an unknown clock start are not placed (their\n\
         # wait is unknown).",
        source
    );
    let _ = writeln!(
        w,
        "longest_wait_weeks = {} # {from_template}: the longest wait in the last band (more than 104 weeks)",
        tl.longest_wait_weeks
    );
    let _ = writeln!(
        w,
        "# Assumption: the template's caseload under monitoring follow-up per pathway on its list\n\
         # ({} per {}), times this list.",
        tl.monitoring_caseload, tl.total
    );
    let _ = writeln!(w, "monitoring_caseload = {caseload}");
    let _ = writeln!(
        w,
        "# Assumption: the template's split of the list between first appointments and follow-ups,\n\
         # for the pathways without a decision to admit."
    );
    let _ = writeln!(w, "share_awaiting_first = {}", share_text(first_share));
    let _ = writeln!(
        w,
        "share_followup = {}",
        share_text(1_000_000 - first_share)
    );
    let _ = writeln!(w);

    let r = &template.referrals;
    let _ = writeln!(w, "[referrals]");
    let _ = writeln!(
        w,
        "# {}: {total_starts} new RTT periods (clock starts) in {month_name} {} ({days} days), {} a day,\n\
         # divided by the template's {month_name} seasonality of {season} for the mean rate.",
        cite(Part::NewPeriods),
        period.year,
        dec(total_starts as f64 / days as f64, 2)
    );
    let _ = writeln!(w, "per_day = {}", dec(per_day, 3));
    let _ = writeln!(w, "annual_growth = {} # {from_template}", r.annual_growth);
    let _ = writeln!(
        w,
        "weekday_weights = {} # {from_template}",
        list_text(&r.weekday_weights)
    );
    let _ = writeln!(
        w,
        "monthly_seasonality = {} # {from_template}",
        list_text(&r.monthly_seasonality)
    );
    let _ = writeln!(w);

    let rm = &template.removals;
    let _ = writeln!(
        w,
        "# An {from_template}: one month's file cannot show removals."
    );
    let _ = writeln!(w, "[removals]");
    let _ = writeln!(w, "monthly_rate = {}", rm.monthly_rate);
    let _ = writeln!(
        w,
        "validation_share_per_month = {}",
        rm.validation_share_per_month
    );
    let _ = writeln!(
        w,
        "validation_removal_share = {}",
        rm.validation_removal_share
    );
    let _ = writeln!(w, "validation_after_weeks = {}", rm.validation_after_weeks);
    let _ = writeln!(w);

    let op = &template.outpatients;
    let _ = writeln!(w, "# An {from_template}.");
    let _ = writeln!(w, "[outpatients]");
    let _ = writeln!(w, "dna_rate = {}", op.dna_rate);
    let _ = writeln!(w, "dna_rebook_share = {}", op.dna_rebook_share);
    let _ = writeln!(w, "followup_slot_cap = {}", op.followup_slot_cap);
    let _ = writeln!(w, "pifu_period_weeks = {}", op.pifu_period_weeks);
    let _ = writeln!(w);

    let th = &template.theatres;
    let _ = writeln!(w, "# An {from_template}.");
    let _ = writeln!(w, "[theatres]");
    let _ = writeln!(w, "session_minutes = {}", th.session_minutes);
    let _ = writeln!(
        w,
        "late_start_mean_minutes = {}",
        th.late_start_mean_minutes
    );
    let _ = writeln!(
        w,
        "early_finish_mean_minutes = {}",
        th.early_finish_mean_minutes
    );
    let _ = writeln!(w, "turnaround_minutes = {}", th.turnaround_minutes);
    let _ = writeln!(
        w,
        "on_the_day_cancellation_rate = {}",
        th.on_the_day_cancellation_rate
    );
    let _ = writeln!(w, "booking_fraction = {}", th.booking_fraction);
    let _ = writeln!(w);

    let _ = writeln!(
        w,
        "# Specialties: one per treatment function of the file (the file itself groups small ones\n\
         # as X01 to X06). Referral and list shares are the file's. Outcome mixes, durations and the\n\
         # other rates are the template's, from the group named in each table. Capacity is sized to\n\
         # the file's clock stops: the month's non-admitted clock stops (Part_1B) and admitted ones\n\
         # (Part_1A), a week, set how many first attendances and operations are needed with the\n\
         # template group's outcome mix and durations; clinic slots and theatre lists are what those\n\
         # take. With a waiting list to book from, clinics and theatres run full, so the simulated\n\
         # clock stops start near the file's."
    );
    if !empty.is_empty() {
        let codes: Vec<&str> = empty.iter().map(|f| f.code.as_str()).collect();
        let _ = writeln!(
            w,
            "# Left out, with no pathway in any part: {}.",
            codes.join(", ")
        );
    }
    let week = 7.0 / days as f64;
    for (i, s) in imported.iter().enumerate() {
        let f = s.function;
        let g = &template.specialties[s.group];
        let admitted = f.part(Part::Admitted).total_all as f64 * week;
        let nonadmitted = f.part(Part::NonAdmitted).total_all as f64 * week;
        let group_note = format!("assumption from the template group {}", g.name);
        let _ = writeln!(w);
        let _ = writeln!(w, "[specialties.{}]", s.name);
        let _ = writeln!(w, "# {} {}.", f.code, f.name);
        let _ = writeln!(
            w,
            "referral_share = {} # {}: {} of {total_starts} clock starts",
            share_text(referral_shares[i]),
            cite(Part::NewPeriods),
            starts[i]
        );
        let _ = writeln!(
            w,
            "list_share = {} # {}: {} of {total_list} incomplete pathways",
            share_text(list_shares[i]),
            cite(Part::Incomplete),
            lists[i]
        );
        let _ = writeln!(w, "# From here to the capacity, an {group_note}.");
        let _ = writeln!(w, "priority_shares = {}", list_text(&g.priority_shares));
        let _ = writeln!(w, "first_outcomes = {}", outcomes_text(&g.first_outcomes));
        let _ = writeln!(
            w,
            "followup_outcomes = {}",
            outcomes_text(&g.followup_outcomes)
        );
        let _ = writeln!(w, "followup_interval_weeks = {}", g.followup_interval_weeks);
        let _ = writeln!(w, "diagnostic_mix = {}", mix_text(&g.diagnostic_mix));
        let _ = writeln!(
            w,
            "post_treatment_followups = {}",
            g.post_treatment_followups
        );
        let _ = writeln!(
            w,
            "followup_procedure_share = {}",
            g.followup_procedure_share
        );
        let _ = writeln!(w, "pifu_share = {}", g.pifu_share);
        let _ = writeln!(w, "pifu_booking_share = {}", g.pifu_booking_share);
        let _ = writeln!(w, "daycase_propensity = {}", g.daycase_propensity);
        let _ = writeln!(
            w,
            "daycase_minutes = {{ mean = {}, sd = {} }}",
            g.daycase_minutes.mean, g.daycase_minutes.sd
        );
        let _ = writeln!(
            w,
            "inpatient_minutes = {{ mean = {}, sd = {} }}",
            g.inpatient_minutes.mean, g.inpatient_minutes.sd
        );
        let _ = writeln!(w, "price_factor = {}", g.price_factor);
        let _ = writeln!(
            w,
            "advice_and_guidance_share = {}",
            g.advice_and_guidance_share
        );
        let (slots, slot_note) = clinic_slots(
            g,
            op.dna_rate,
            nonadmitted,
            admitted,
            s.cancer_firsts_per_week,
        );
        let _ = writeln!(
            w,
            "# {}: {} non-admitted clock stops in the month, {} a week.",
            cite(Part::NonAdmitted),
            f.part(Part::NonAdmitted).total_all,
            dec(nonadmitted, 2)
        );
        w.push_str(&slot_note);
        let _ = writeln!(w, "clinic_slots_per_week = {}", dec(slots, 1));
        let (lists_per_week, list_note) =
            theatre_lists(g, template, admitted, s.cancer_surgeries_per_week);
        let _ = writeln!(
            w,
            "# {}: {} admitted clock stops in the month, {} a week.",
            cite(Part::Admitted),
            f.part(Part::Admitted).total_all,
            dec(admitted, 2)
        );
        w.push_str(&list_note);
        let _ = writeln!(w, "theatre_lists_per_week = {}", dec(lists_per_week, 2));

        let _ = writeln!(w);
        let _ = writeln!(w, "[initial_list.weekly.{}]", s.name);
        let _ = writeln!(
            w,
            "# {}: {} incomplete pathways by weeks waited; {}: {} of them with a decision to admit.",
            cite(Part::Incomplete),
            lists[i],
            Part::IncompleteWithDecisionToAdmit.code(),
            f.part(Part::IncompleteWithDecisionToAdmit).band_sum()
        );
        weekly_array(w, "waiting", &f.part(Part::Incomplete).bands);
        weekly_array(
            w,
            "awaiting_admission",
            &f.part(Part::IncompleteWithDecisionToAdmit).bands,
        );
    }
    let _ = writeln!(w);

    let end = start.first_of_month_after(options.months).add_days(-1);
    let holidays: Vec<String> = bank_holidays(start, end)
        .iter()
        .map(Date::to_string)
        .collect();
    let _ = writeln!(w, "[calendar]");
    let _ = writeln!(
        w,
        "# England and Wales bank holidays in the simulated months, by the standing rules (one-off\n\
         # holidays proclaimed for a single year are not included). No capacity changes or shocks:\n\
         # add them as in the template."
    );
    let _ = writeln!(w, "bank_holidays = [{}]", holidays.join(", "));
    let _ = writeln!(w);

    let dg = &template.diagnostics;
    let _ = writeln!(
        w,
        "# Diagnostics: an {from_template}, with activity and lists {scale_note}."
    );
    let _ = writeln!(w, "[diagnostics]");
    let _ = writeln!(w, "report_days = {}", dg.report_days);
    for t in &dg.tests {
        let waiting = scaled(t.initial_waiting as f64).round() as u64;
        let over = (scaled(t.initial_over_6_weeks as f64).round() as u64).min(waiting);
        let _ = writeln!(w);
        let _ = writeln!(w, "[diagnostics.tests.{}]", t.test.name());
        let _ = writeln!(w, "tests_per_week = {}", dec(scaled(t.tests_per_week), 1));
        let _ = writeln!(
            w,
            "direct_requests_per_weekday = {}",
            dec(scaled(t.direct_requests_per_weekday), 2)
        );
        let _ = writeln!(w, "urgent_share = {}", t.urgent_share);
        let _ = writeln!(w, "initial_waiting = {waiting}");
        let _ = writeln!(w, "initial_over_6_weeks = {over}");
        let _ = writeln!(w, "initial_longest_weeks = {}", t.initial_longest_weeks);
    }
    let _ = writeln!(w);

    let days_text = |d: &crate::scenario::Days| format!("{{ mean = {}, sd = {} }}", d.mean, d.sd);
    let _ = writeln!(
        w,
        "# Urgent suspected-cancer pathways: an {from_template}, with referrals and\n\
         # non-surgical treatments {scale_note}."
    );
    let _ = writeln!(w, "[cancer]");
    let _ = writeln!(w, "referrals_per_weekday = {}", dec(cancer_per_weekday, 2));
    let _ = writeln!(w, "priority = {}", cancer.priority);
    let _ = writeln!(w, "diagnosis_days = {}", days_text(&cancer.diagnosis_days));
    let _ = writeln!(w, "decision_days = {}", days_text(&cancer.decision_days));
    let _ = writeln!(
        w,
        "treatment_lead_days = {}",
        days_text(&cancer.treatment_lead_days)
    );
    let _ = writeln!(
        w,
        "surgery_minutes = {{ mean = {}, sd = {} }}",
        cancer.surgery_minutes.mean, cancer.surgery_minutes.sd
    );
    let _ = writeln!(
        w,
        "non_surgical_per_week = {}",
        dec(scaled(cancer.non_surgical_per_week), 2)
    );
    let _ = writeln!(
        w,
        "prestart_first_appointment_days = {}",
        cancer.prestart_first_appointment_days
    );
    let _ = writeln!(w, "prestart_test_days = {}", cancer.prestart_test_days);
    let _ = writeln!(
        w,
        "prestart_treatment_days = {}",
        cancer.prestart_treatment_days
    );
    for (tg, (chosen, why)) in cancer.tumour_groups.iter().zip(&tumour_specialty) {
        let chosen = *chosen;
        let _ = writeln!(w);
        let _ = writeln!(w, "[cancer.tumour_groups.{}]", tg.name);
        let _ = writeln!(w, "referral_share = {}", tg.referral_share);
        let _ = writeln!(
            w,
            "specialty = {} # {why}",
            toml_string(&imported[chosen].name)
        );
        let _ = writeln!(w, "test_share = {}", tg.test_share);
        let _ = writeln!(w, "second_test_share = {}", tg.second_test_share);
        let _ = writeln!(w, "test_mix = {}", mix_text(&tg.test_mix));
        let _ = writeln!(w, "conversion_rate = {}", tg.conversion_rate);
        let _ = writeln!(w, "surgery_share = {}", tg.surgery_share);
    }
    let _ = writeln!(w);

    let fi = &template.finance;
    let _ = writeln!(
        w,
        "# Money: an {from_template}, with the 2019/20 baseline value {scale_note}."
    );
    let _ = writeln!(w, "[finance]");
    for (key, value) in [
        ("price_first_attendance", fi.price_first_attendance),
        ("price_followup_attendance", fi.price_followup_attendance),
        ("price_outpatient_procedure", fi.price_outpatient_procedure),
        ("price_daycase", fi.price_daycase),
        ("price_elective_inpatient", fi.price_elective_inpatient),
        ("price_diagnostic_test", fi.price_diagnostic_test),
        ("cost_clinic_slot", fi.cost_clinic_slot),
        ("cost_theatre_list", fi.cost_theatre_list),
        ("cost_diagnostic_test", fi.cost_diagnostic_test),
        ("cost_inpatient_stay", fi.cost_inpatient_stay),
        ("agency_share", fi.agency_share),
        ("agency_premium", fi.agency_premium),
        ("premium_rate", fi.premium_rate),
    ] {
        let _ = writeln!(w, "{key} = {value}");
    }
    let _ = writeln!(
        w,
        "baseline_monthly_value_gbp = {}",
        dec(scaled(fi.baseline_monthly_value_gbp).round(), 0)
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_holidays_follow_the_published_dates() {
        // gov.uk, England and Wales, 2024/25 (as in scenarios/baseline.toml), after Easter
        // Monday, 1 April 2024.
        let from = Date::parse("2024-04-02").unwrap();
        let to = Date::parse("2025-04-30").unwrap();
        let got: Vec<String> = bank_holidays(from, to)
            .iter()
            .map(Date::to_string)
            .collect();
        assert_eq!(
            got,
            [
                "2024-05-06",
                "2024-05-27",
                "2024-08-26",
                "2024-12-25",
                "2024-12-26",
                "2025-01-01",
                "2025-04-18",
                "2025-04-21"
            ]
        );
        // Christmas on a Saturday (2021): Monday 27 and Tuesday 28 December; New Year's Day
        // 2022 on a Saturday: Monday 3 January.
        let from = Date::parse("2021-12-01").unwrap();
        let to = Date::parse("2022-01-31").unwrap();
        let got: Vec<String> = bank_holidays(from, to)
            .iter()
            .map(Date::to_string)
            .collect();
        assert_eq!(got, ["2021-12-27", "2021-12-28", "2022-01-03"]);
        let easter: Vec<String> = [2024, 2025, 2019]
            .map(|y| easter_sunday(y).to_string())
            .to_vec();
        assert_eq!(easter, ["2024-03-31", "2025-04-20", "2019-04-21"]);
    }

    #[test]
    fn names_are_snake_case_with_the_code() {
        assert_eq!(
            specialty_name("C_110", "Trauma and Orthopaedic Service"),
            "c_110_trauma_and_orthopaedic"
        );
        assert_eq!(
            specialty_name("X02", "Other - Medical Services"),
            "x02_other_medical"
        );
        assert_eq!(specialty_name("C_999", ""), "c_999");
    }

    #[test]
    fn shares_add_up_to_exactly_one() {
        let shares = millionths(&[1, 1, 1]);
        assert_eq!(shares, vec![333_334, 333_333, 333_333]);
        assert_eq!(millionths(&[0, 5]), vec![0, 1_000_000]);
        assert_eq!(dec(0.5, 3), "0.5");
        assert_eq!(dec(2.0, 3), "2");
        assert_eq!(dec(-0.0001, 2), "0");
    }
}
