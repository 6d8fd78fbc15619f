//! Plots and the HTML report: every image decodes at its size and is not blank, output is
//! byte-identical across runs, `plansim run` and `plansim plot` agree, the report parses,
//! names every target, escapes user text and loads nothing from the network, and headless
//! Chromium (Debian's `chromium`, installed by `.ci/run`) opens it with no console errors.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;

use plansim::plot::{
    comparison_charts, plot_files, run_charts, sweep_charts, RunResults, Sweep, SweepPoint,
};
use plansim::report::render_report;

use crate::support::{self, plansim};

fn scratch(name: &str) -> PathBuf {
    support::scratch("plots_report", name)
}

/// One small run of the ICB example (3 replications), shared by the tests that only read it.
fn icb_run() -> &'static Path {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = scratch("icb");
        plansim()
            .args(["run", "scenarios/example-icb.toml", "-r", "3", "-q", "-o"])
            .arg(&out)
            .assert()
            .success();
        out.join("example-icb")
    })
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Decodes a PNG and checks its size and that it shows something: more than 1% of pixels not
/// white and more than a handful of colours (a blank or one-colour image fails).
fn check_png(name: &str, bytes: &[u8], size: Option<(u32, u32)>) {
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("{name}: does not decode: {e}"))
        .to_rgb8();
    if let Some(size) = size {
        assert_eq!(img.dimensions(), size, "{name}");
    }
    let total = img.pixels().len();
    let ink = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    assert!(
        ink * 100 > total,
        "{name}: {ink} of {total} pixels drawn: blank"
    );
    let colours: std::collections::BTreeSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 20, "{name}: only {} colours", colours.len());
}

/// The `width` and `height` an SVG declares.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let start = svg.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

#[test]
fn run_writes_plots_that_decode_at_their_size_and_are_not_blank() {
    let plots = files_in(&icb_run().join("plots"));
    // The dashboard, and one fan chart per target metric the model reports (7 today).
    assert!(plots.contains_key("dashboard.png") && plots.contains_key("dashboard.svg"));
    for metric in [
        "rtt_over_65w",
        "rtt_waiting_list",
        "rtt_within_18w_pct",
        "theatre_capped_util_pct",
    ] {
        assert!(
            plots.contains_key(&format!("trajectory-{metric}.png")),
            "{metric}"
        );
    }
    assert!(plots.len() >= 16, "{:?}", plots.keys());
    for (name, bytes) in &plots {
        if let Some(stem) = name.strip_suffix(".png") {
            let svg = String::from_utf8(plots[&format!("{stem}.svg")].clone()).unwrap();
            assert!(
                svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"),
                "{stem}.svg"
            );
            // SVG text is drawn as outlines: no <text>, so no font is needed to view it.
            assert!(!svg.contains("<text"), "{stem}.svg");
            check_png(name, bytes, Some(svg_size(&svg)));
        }
    }
}

#[test]
fn plots_are_byte_identical_across_runs_and_between_run_and_plot() {
    let from_run = files_in(&icb_run().join("plots"));
    let copy = scratch("replot").join("example-icb");
    copy_dir(icb_run(), &copy);
    plansim().arg("plot").arg(&copy).assert().success();
    let first = files_in(&copy.join("plots"));
    plansim().arg("plot").arg(&copy).assert().success();
    let second = files_in(&copy.join("plots"));
    assert_eq!(first, second, "plot twice");
    assert_eq!(first, from_run, "plansim plot draws what plansim run drew");
    // No temporary folders left beside the results.
    let names: Vec<String> = files_in_names(&copy);
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

fn files_in_names(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn no_plots_skips_the_plots_folder() {
    let out = scratch("no-plots");
    plansim()
        .args([
            "run",
            "scenarios/example-icb.toml",
            "-r",
            "2",
            "--months",
            "2",
            "-q",
            "--no-plots",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let folder = out.join("example-icb");
    assert!(folder.join("targets.csv").is_file());
    assert!(!folder.join("plots").exists());
}

#[test]
fn missing_or_malformed_run_dir_is_a_clear_error() {
    let dir = scratch("bad");
    for command in ["plot", "report"] {
        let out = plansim()
            .arg(command)
            .arg(dir.join("nowhere"))
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains("not a result folder"), "{stderr}");
    }
    let broken = dir.join("broken");
    copy_dir(icb_run(), &broken);
    let monthly = fs::read_to_string(broken.join("monthly.csv")).unwrap();
    let bad = monthly.replacen("\nexample-icb,", "\nexample-icb,0,zero,", 1);
    fs::write(broken.join("monthly.csv"), bad).unwrap();
    let out = plansim().arg("report").arg(&broken).assert().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("monthly.csv:2: expected 6 fields"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn report_parses_names_every_target_and_loads_nothing_from_outside() {
    let dir = scratch("report").join("example-icb");
    copy_dir(icb_run(), &dir);
    plansim().arg("report").arg(&dir).assert().success();
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    let targets = fs::read_to_string(dir.join("targets.csv")).unwrap();
    let ids: Vec<&str> = targets
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(ids.len(), 12, "the whole catalogue");
    for id in &ids {
        let sel = scraper::Selector::parse(&format!("tr#target-{id} .verdict")).unwrap();
        assert_eq!(doc.select(&sel).count(), 1, "{id} in the targets table");
    }
    let figures = scraper::Selector::parse("figure svg").unwrap();
    assert!(
        doc.select(&figures).count() >= 8,
        "dashboard and fan charts inline"
    );
    // Self-contained: nothing fetched. The only URLs are SVG namespaces, which are never loaded.
    let linked = scraper::Selector::parse("[src], link, script, iframe, object, embed").unwrap();
    assert_eq!(doc.select(&linked).count(), 0);
    for (attr, value) in doc
        .root_element()
        .descendants()
        .filter_map(|n| n.value().as_element())
        .flat_map(|e| e.attrs())
    {
        if attr.ends_with("href") {
            assert!(value.starts_with('#'), "{attr}={value}");
        }
    }
    assert!(!html.contains("url(http"), "no remote CSS");
}

#[test]
fn report_escapes_user_text() {
    let dir = scratch("escape").join("example-icb");
    copy_dir(icb_run(), &dir);
    let toml = fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let evil = "<script>alert('x')</script> & \"quotes\"";
    let toml = toml.replace(
        "description = \"An ICB about a fortieth of England, 2024/25\"",
        &format!("description = {}", toml_string(evil)),
    );
    assert!(toml.contains("alert"), "description replaced");
    fs::write(dir.join("scenario.toml"), toml).unwrap();
    let run = RunResults::load(&dir).unwrap();
    let html = render_report(&run).unwrap();
    assert!(!html.contains("<script>alert"), "escaped");
    assert!(html.contains("&lt;script&gt;alert"), "shown as text");
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(
        doc.select(&scraper::Selector::parse("script").unwrap())
            .count(),
        0
    );
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn comparison_charts_overlay_several_runs() {
    let root = scratch("compare");
    let a = root.join("a");
    copy_dir(icb_run(), &a);
    let b = root.join("b");
    copy_dir(icb_run(), &b);
    let out = root.join("comparison");
    plansim()
        .arg("plot")
        .arg(&a)
        .arg(&b)
        .arg("--compare")
        .arg(&out)
        .assert()
        .success();
    let files = files_in(&out);
    assert!(
        files.contains_key("compare-rtt_waiting_list.png"),
        "{:?}",
        files.keys()
    );
    for (name, bytes) in &files {
        if name.ends_with(".png") {
            check_png(name, bytes, Some((1200, 760)));
        }
    }
    let runs = [RunResults::load(&a).unwrap(), RunResults::load(&b).unwrap()];
    let again = plot_files(&comparison_charts(&runs).unwrap());
    assert_eq!(again.len(), files.len());
}

/// waits.csv in the format asked of the model: pathways by whole weeks waited, at month 0 and
/// each month end, per replication.
fn synthetic_waits(run: &Path) {
    let mut text = String::from("scenario,replication,month,period_end,weeks,pathways\n");
    let ends = [
        "2024-03-31",
        "2024-04-30",
        "2024-05-31",
        "2024-06-30",
        "2024-07-31",
        "2024-08-31",
        "2024-09-30",
        "2024-10-31",
        "2024-11-30",
        "2024-12-31",
        "2025-01-31",
        "2025-02-28",
        "2025-03-31",
    ];
    for rep in 0..3 {
        for (month, end) in ends.iter().enumerate() {
            for weeks in 0..100u32 {
                // A decaying profile that shortens over the year.
                let n = 5000.0 * (-(weeks as f64) / (30.0 - month as f64)).exp() + rep as f64;
                text.push_str(&format!(
                    "example-icb,{rep},{month},{end},{weeks},{}\n",
                    n.round()
                ));
            }
        }
    }
    fs::write(run.join("waits.csv"), text).unwrap();
}

#[test]
fn waiting_time_distribution_is_drawn_from_waits_csv() {
    let dir = scratch("waits").join("example-icb");
    copy_dir(icb_run(), &dir);
    synthetic_waits(&dir);
    plansim().arg("plot").arg(&dir).assert().success();
    let plots = files_in(&dir.join("plots"));
    check_png("waits.png", &plots["waits.png"], Some((1200, 760)));
    let run = RunResults::load(&dir).unwrap();
    // Start, the two dated deadlines inside the run (Sep 2024, Mar 2025) and the end: 0, 6, 12.
    let months: Vec<u32> = run.waits.iter().map(|w| w.month).collect();
    assert_eq!(months.len(), 13);
    assert_eq!(
        run.waits[0].pathways[0],
        (0, 5001.0),
        "median of 5000, 5001, 5002"
    );
}

#[test]
fn sweep_charts_draw_lines_for_one_parameter_and_heatmaps_for_two() {
    let one = Sweep {
        parameters: vec!["extra theatre lists a week".to_string()],
        replications: 10,
        points: (0..5)
            .map(|i| SweepPoint {
                values: vec![i as f64 * 400.0],
                p_met: vec![
                    ("rtt_65w_zero".to_string(), (i as f64 / 4.0).powi(2)),
                    ("rtt_list_reduced".to_string(), i as f64 / 4.0),
                ],
            })
            .collect(),
    };
    let charts = sweep_charts(&one).unwrap();
    assert_eq!(charts.len(), 1);
    check_png("sweep.png", &charts[0].png, Some((1200, 760)));

    let mut points = Vec::new();
    for a in 0..4 {
        for b in 0..3 {
            points.push(SweepPoint {
                values: vec![a as f64 * 100.0, b as f64 * 0.05],
                p_met: vec![("rtt_18w_92".to_string(), (a + b) as f64 / 5.0)],
            });
        }
    }
    let two = Sweep {
        parameters: vec![
            "extra clinic slots a week".to_string(),
            "PIFU share".to_string(),
        ],
        replications: 10,
        points,
    };
    let charts = sweep_charts(&two).unwrap();
    assert_eq!(charts.len(), 1, "one heatmap per target");
    check_png("heatmap.png", &charts[0].png, Some((1200, 820)));
    assert_eq!(
        charts[0].png,
        sweep_charts(&two).unwrap()[0].png,
        "deterministic"
    );
    let three = Sweep {
        parameters: vec!["a".into(), "b".into(), "c".into()],
        ..two
    };
    assert!(sweep_charts(&three).is_err());
}

#[test]
fn rendering_twice_in_process_gives_the_same_bytes() {
    let run = RunResults::load(icb_run()).unwrap();
    let a = plot_files(&run_charts(&run).unwrap());
    let b = plot_files(&run_charts(&run).unwrap());
    assert_eq!(a, b);
}

// ---- headless Chromium ---------------------------------------------------------------------

/// Opens `page` in headless Chromium, takes a screenshot, and returns (screenshot PNG, console
/// lines). Any line Chromium logs from the page's console (uncaught errors included) counts:
/// the report has no script, so it should log nothing. Host resolution is disabled, so a page
/// that tried to fetch anything would also fail to show it.
/// `None` (after saying so) when Chromium is not installed and this is not CI, which must run
/// the check.
fn chromium(page: &Path, work: &Path) -> Option<(Vec<u8>, Vec<String>)> {
    chromium_available()?;
    let shot = work.join("screenshot.png");
    let profile = work.join("profile");
    let output = Process::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--hide-scrollbars",
            "--window-size=1280,1800",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    assert!(output.status.success(), "chromium failed: {stderr}");
    let png = fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot: {e}\n{stderr}"));
    Some((png, console))
}

#[test]
fn chromium_opens_the_report_offline_with_no_console_errors() {
    let work = scratch("chromium");
    let dir = work.join("example-icb");
    copy_dir(icb_run(), &dir);
    plansim().arg("report").arg(&dir).assert().success();
    let Some((png, console)) = chromium(&dir.join("report.html").canonicalize().unwrap(), &work)
    else {
        return;
    };
    assert!(console.is_empty(), "console: {console:#?}");
    check_png("report screenshot", &png, Some((1280, 1800)));
}

#[test]
fn chromium_check_catches_a_page_with_a_script_error() {
    // Proves the check above can fail: the same check on a page with an uncaught error.
    let work = scratch("chromium-broken");
    let page = work.join("broken.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>broken</title></head>\
         <body><h1>broken</h1><script>notDefined();</script></body></html>",
    )
    .unwrap();
    let Some((_, console)) = chromium(&page, &work) else {
        return;
    };
    assert!(
        console
            .iter()
            .any(|l| l.contains("Uncaught ReferenceError")),
        "console: {console:#?}"
    );
}

/// The report's widest content against its window at `width` pixels, as Chromium lays it out:
/// a copy of the page with a script that writes `scrollWidth innerWidth` into the DOM, read back
/// with `--dump-dom`. `print` lays it out for paper (`@media print`). `None` without Chromium
/// outside CI (said by [`chromium_available`]).
fn laid_out_width(page: &Path, work: &Path, width: u32, print: bool) -> Option<(u32, u32)> {
    chromium_available()?;
    let probe = work.join(format!("probe-{width}-{print}.html"));
    let html = fs::read_to_string(page).unwrap();
    let script = "<script>document.body.setAttribute('data-width', \
                  document.documentElement.scrollWidth + ' ' + window.innerWidth);</script>";
    fs::write(&probe, html.replace("</body>", &format!("{script}</body>"))).unwrap();
    let mut command = Process::new("chromium");
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--dump-dom",
    ]);
    command.arg(format!("--window-size={width},900"));
    command.arg(format!(
        "--user-data-dir={}",
        work.join("profile-width").display()
    ));
    if print {
        command.arg("--blink-settings=mediaTypeOverride=print");
    }
    let output = command
        .arg(format!("file://{}", probe.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout);
    let at = dom.find("data-width=\"").expect("the probe ran") + "data-width=\"".len();
    let mut numbers = dom[at..]
        .split(['"', ' '])
        .map(|n| n.parse::<u32>().unwrap());
    Some((numbers.next().unwrap(), numbers.next().unwrap()))
}

/// `Some(())` when Chromium can be started; `None` (after saying so) outside CI without it.
fn chromium_available() -> Option<()> {
    if Process::new("chromium").arg("--version").output().is_ok() {
        return Some(());
    }
    let why = "chromium is not installed (Debian: apt-get install -y chromium; scripts/test.sh installs it as root)";
    if std::env::var_os("CI").is_some() {
        panic!("CI must run the browser test, but {why}");
    }
    eprintln!("SKIPPED: the report's browser tests: {why}");
    None
}

#[test]
fn the_report_fits_a_laptop_window_and_a_printed_a4_page() {
    let work = scratch("chromium-width");
    let dir = work.join("example-icb");
    copy_dir(icb_run(), &dir);
    plansim().arg("report").arg(&dir).assert().success();
    let page = dir.join("report.html").canonicalize().unwrap();
    // 1024 pixels: a small laptop window. 720: the width of A4 portrait inside its margins
    // (210 mm less 2 × 10 mm, at 96 pixels to the inch), laid out with the print styles.
    for (width, print) in [(1280, false), (1024, false), (720, true)] {
        let Some((content, window)) = laid_out_width(&page, &work, width, print) else {
            return;
        };
        assert!(
            content <= window,
            "at {width} pixels (print: {print}) the report is {content} pixels wide: it overflows its {window}-pixel window"
        );
    }
}
