//! The network scenario kind from the outside: the shipped examples load and run through the
//! command line into the contract's files; bad input gives a message naming file, key, value
//! and what is allowed; elective files are unaffected.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use plansim::network::{run_network_replication, NetworkScenario};

const MMC: &str = r#"
kind = "network"
[simulation]
horizon = 1000.0
replications = 2
seed = 1
[[arrivals]]
station = "desk"
rate = 0.01
[[stations]]
name = "desk"
servers = 1
service = { distribution = "exponential", mean = 50.0 }
"#;

fn problems(text: &str) -> String {
    match NetworkScenario::from_toml_str(text, "case.toml") {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn shipped_examples_load() {
    for name in ["mmc", "three-stage"] {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/network/{name}.toml"));
        let s = NetworkScenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.name, name);
    }
}

#[test]
fn bad_input_table() {
    let cases: &[(&str, &str, &str)] = &[
        ("servers = 1", "servers = 0", "case.toml:12:1: stations[0].servers = 0: expected a whole number from 1 to 100000"),
        ("servers = 1", "servrs = 1", "case.toml:12:1: unknown key `stations[0].servrs`; did you mean `servers`? (allowed: name, servers, sessions, service, routing)"),
        ("\"exponential\"", "\"exponentail\"", "case.toml:13:13: stations[0].service.distribution = \"exponentail\": expected a distribution: \"exponential\", \"deterministic\", \"lognormal\", \"gamma\"; did you mean \"exponential\"?"),
        ("mean = 50.0", "mean = -1.0", "case.toml:13:43: stations[0].service.mean = -1.0: expected a time above 0"),
        ("station = \"desk\"", "station = \"dsk\"", "case.toml:8:1: arrivals[0].station = \"dsk\": expected the name of a station: \"desk\"; did you mean \"desk\"?"),
        ("rate = 0.01", "rate = \"fast\"", "case.toml:9:1: arrivals[0].rate = \"fast\": expected a rate from 0"),
        ("horizon = 1000.0", "horizon = 1000.0\nwarm_up = 2000.0", "case.toml:5:1: simulation.warm_up = 2000.0: expected a time below the horizon (1000)"),
        ("seed = 1", "seed = -1", "case.toml:6:1: simulation.seed = -1: expected a whole number from 0 to"),
        ("kind = \"network\"", "kind = \"network\"\nkinds = 1", "case.toml:3:1: unknown key `kinds`; did you mean `kind`?"),
        ("servers = 1\n", "servers = 1\nrouting = { desk = 0.7, out = 0.1 }\n", "case.toml:13:25: stations[0].routing.out: expected the name of a station: \"desk\""),
        ("servers = 1\n", "servers = 1\nrouting = { desk = 1.5 }\n", "case.toml:13:13: stations[0].routing.desk = 1.5: expected a probability from 0 to 1"),
        ("mean = 50.0 }\n", "mean = 50.0 }\nrouting = { desk = 0.7 }\n[[stations]]\nname = \"b\"\nservers = 1\nservice = { distribution = \"deterministic\", value = 1 }\nrouting = { desk = 0.6, b = 0.5 }\n", "case.toml:19:1: stations[1].routing = { b = 0.5, desk = 0.6 }: probabilities add up to 1.1: expected at most 1 (the rest leaves the network)"),
        ("servers = 1", "sessions = [{ days = [\"mon\"], start = \"13:00\", end = \"09:00\", servers = 1 }]", "case.toml:12:48: stations[0].sessions[0].end = \"09:00\": expected a time after start"),
        ("servers = 1", "sessions = [{ days = [\"mo\"], start = \"09:00\", end = \"13:00\", servers = 1 }]", "case.toml:12:15: stations[0].sessions[0].days[0] = \"mo\": expected a day: \"mon\", \"tue\""),
        ("servers = 1", "sessions = [{ days = [], start = \"09:00\", end = \"13:00\", servers = 1 }]", "case.toml:12:15: stations[0].sessions[0].days = []: expected a list of days from \"mon\" to \"sun\", at least one"),
        ("servers = 1", "sessions = [\n  { days = [\"mon\"], start = \"09:00\", end = \"13:00\", servers = 1 },\n  { days = [\"tue\"], start = \"09:00\", end = \"13:00\" },\n]", "case.toml:14:3: missing key `stations[0].sessions[1].servers`: expected a whole number from 1 to 100000 (files read: case.toml)"),
        ("servers = 1", "servers = 1\nsessions = []", "case.toml:10:1: stations[0]: expected exactly one of servers (a number of servers) or sessions (weekly sessions), not both"),
        ("servers = 1\n", "", "case.toml:10:1: missing key `stations[0].servers`: expected exactly one of servers (a number of servers) or sessions (weekly sessions)"),
        ("name = \"desk\"", "name = \"network\"", "not \"network\""),
        ("rate = 0.01", "schedule = [{ from = 1, rate = 2.0 }]", "case.toml:9:15: arrivals[0].schedule[0].from = 1: expected 0 for the first step, then increasing times"),
        ("[simulation]", "[simulation]\ntime_unit = \"hour\"", "case.toml:4:1: simulation.time_unit = \"hour\": expected a time unit: \"minutes\", \"hours\", \"days\"; did you mean \"hours\"?"),
        ("[simulation]", "name = \"Desk\"\n[simulation]", "case.toml:3:1: name = \"Desk\": expected a name of 1 to 64 characters: lowercase letters, digits, '_' or '-'"),
        ("[simulation]", "[simulation", "case.toml:3:12: TOML syntax error"),
    ];
    assert_eq!(problems(MMC), "");
    for (old, new, expected) in cases {
        assert!(MMC.contains(old), "no {old:?}");
        let text = MMC.replacen(old, new, 1);
        let got = problems(&text);
        assert!(
            got.contains(expected),
            "for {new:?}:\n got {got:?}\n want {expected:?}"
        );
    }
}

#[test]
fn a_name_from_the_file_name_is_checked_as_a_name() {
    let err = NetworkScenario::from_toml_str(MMC, "My Desk.toml").expect_err("a space");
    assert_eq!(
        err.to_string(),
        "My Desk.toml: name = \"My Desk\" (from the file name): expected a name of 1 to 64 characters: lowercase letters, digits, '_' or '-'"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text =
        MMC.replacen("servers = 1", "servers = 0", 1)
            .replacen("seed = 1", "seed = \"x\"", 1);
    assert_eq!(problems(&text).lines().count(), 2, "{}", problems(&text));
}

#[test]
fn same_seed_same_numbers_and_replications_differ() {
    let s = NetworkScenario::from_toml_str(MMC, "case.toml").expect("valid");
    let a = run_network_replication(&s, 1);
    let b = run_network_replication(&s, 1);
    let c = run_network_replication(&s, 2);
    assert_eq!(format!("{:?}", a.totals), format!("{:?}", b.totals));
    assert_ne!(format!("{:?}", a.totals), format!("{:?}", c.totals));
}

#[test]
fn run_writes_the_contract_files_byte_identically_across_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mmc.toml");
    fs::write(&path, MMC).expect("write");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}"));
        Command::cargo_bin("plansim")
            .expect("binary")
            .args(["run", "-q", "-j", threads, "-o"])
            .arg(&out)
            .arg(&path)
            .assert()
            .success();
        let folder = out.join("mmc");
        let files: Vec<String> = [
            "monthly.csv",
            "summary.csv",
            "stations.csv",
            "targets.csv",
            "scenario.toml",
        ]
        .iter()
        .map(|f| fs::read_to_string(folder.join(f)).expect("file written"))
        .collect();
        outputs.push(files);
    }
    assert_eq!(outputs[0], outputs[1]);
    assert!(outputs[0][2].starts_with(
        "scenario,station,metric,mean,sd,ci95_half_width,p05,p50,p95\nmmc,desk,arrivals,"
    ));
    assert_eq!(
        outputs[0][3],
        "scenario,target,metric,comparison,threshold,deadline,mean,p05,p95,p_met,verdict\n"
    );
    assert!(outputs[0][0].contains(",station.desk.mean_wait,"));
}

#[test]
fn mixing_kinds_and_bad_kind_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let net = dir.path().join("net.toml");
    fs::write(&net, MMC).expect("write");
    let elective = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/base.toml");
    let out = Command::cargo_bin("plansim")
        .expect("binary")
        .args(["run", "-q", "-o"])
        .arg(dir.path().join("out"))
        .arg(&net)
        .arg(&elective)
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("cannot be run by one command"),
        "{}",
        stderr(&out)
    );
    let odd = dir.path().join("odd.toml");
    fs::write(&odd, MMC.replacen("\"network\"", "\"netwrk\"", 1)).expect("write");
    let out = Command::cargo_bin("plansim")
        .expect("binary")
        .args(["check"])
        .arg(&odd)
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("kind = \"netwrk\": expected \"network\", or no kind key"),
        "{}",
        stderr(&out)
    );
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn a_network_result_folder_verifies_and_a_changed_file_does_not() {
    let out = tempfile::tempdir().unwrap();
    let plansim = || {
        let mut command = assert_cmd::Command::cargo_bin("plansim").unwrap();
        command.current_dir(env!("CARGO_MANIFEST_DIR"));
        command
    };
    plansim()
        .args(["run", "scenarios/network/mmc.toml", "-q", "-r", "2", "-o"])
        .arg(out.path())
        .assert()
        .success();
    let folder = out.path().join("mmc");
    plansim().arg("check").arg(&folder).assert().success();
    let stations = folder.join("stations.csv");
    let mut text = std::fs::read_to_string(&stations).unwrap();
    text.push_str("tampered\n");
    std::fs::write(&stations, text).unwrap();
    plansim().arg("check").arg(&folder).assert().code(1);
}
