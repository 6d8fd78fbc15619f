//! Files plansim reads back are untrusted input: an edited `batch.json` in a shard folder must
//! never name a path outside the folders it belongs to, whatever the command.

use std::fs;
use std::path::Path;

use crate::support::{plansim, scratch};

const SMALL: &str = "tests/fixtures/batches/small.toml";

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One shard folder of the small batch (all its jobs), ready to be merged.
fn shard(root: &Path) -> std::path::PathBuf {
    let out = root.join("shard");
    let run = plansim()
        .args(["batch", SMALL, "-q", "--no-plots", "--shard", "1/1", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    out.join("small")
}

/// Replaces the first `"key": "old"` in a shard's batch.json by `"key": "new"`.
fn edit_record(folder: &Path, key: &str, old: &str, new: &str) {
    let path = folder.join("batch.json");
    let text = fs::read_to_string(&path).unwrap();
    let from = format!("\"{key}\": {}", serde_json::to_string(old).unwrap());
    let to = format!("\"{key}\": {}", serde_json::to_string(new).unwrap());
    assert!(text.contains(&from), "{from} not in {}", path.display());
    fs::write(&path, text.replacen(&from, &to, 1)).unwrap();
}

#[test]
fn an_edited_batch_name_cannot_make_merge_write_or_delete_outside_its_output_folder() {
    let root = scratch("readback", "merge-name");
    let folder = shard(&root);
    // A folder outside -o that a hostile name points at: merge with --force would have
    // deleted and replaced it.
    let victim = root.join("victim");
    fs::create_dir_all(&victim).unwrap();
    fs::write(victim.join("keep.txt"), "precious").unwrap();
    let merged = root.join("merged");
    fs::create_dir_all(&merged).unwrap();
    for hostile in [
        "../victim",
        "/tmp/plansim-escape",
        "..",
        ".hidden",
        "a/b",
        "",
    ] {
        let copy = root.join("edited");
        let _ = fs::remove_dir_all(&copy);
        copy_tree(&folder, &copy);
        edit_record(&copy, "batch", "small", hostile);
        let refused = plansim()
            .args(["merge", "-q", "--no-plots", "--force"])
            .arg(&copy)
            .arg("-o")
            .arg(&merged)
            .output()
            .unwrap();
        assert_eq!(
            refused.status.code(),
            Some(1),
            "{hostile:?}: {}",
            stderr(&refused)
        );
        let message = stderr(&refused);
        assert!(
            message.contains("batch.json") && message.contains("batch name"),
            "{hostile:?}: {message}"
        );
        assert_eq!(
            fs::read_to_string(victim.join("keep.txt")).unwrap(),
            "precious"
        );
        assert!(
            fs::read_dir(&merged).unwrap().next().is_none(),
            "{hostile:?}: merge wrote"
        );
    }
    assert!(!Path::new("/tmp/plansim-escape").exists());
}

#[test]
fn an_edited_point_name_is_refused_by_merge_and_check() {
    let root = scratch("readback", "point-name");
    let folder = shard(&root);
    // The untouched shard merges: the refusals below are the edit's doing.
    let control = plansim()
        .args(["merge", "-q", "--no-plots"])
        .arg(&folder)
        .arg("-o")
        .arg(root.join("control"))
        .output()
        .unwrap();
    assert!(control.status.success(), "{}", stderr(&control));
    for hostile in ["../../escape", "jobs", "a/b"] {
        let copy = root.join("edited");
        let _ = fs::remove_dir_all(&copy);
        copy_tree(&folder, &copy);
        edit_record(&copy, "name", "base", hostile);
        let merge = plansim()
            .args(["merge", "-q", "--no-plots"])
            .arg(&copy)
            .arg("-o")
            .arg(root.join("merged"))
            .output()
            .unwrap();
        assert_eq!(
            merge.status.code(),
            Some(1),
            "{hostile:?}: {}",
            stderr(&merge)
        );
        assert!(
            stderr(&merge).contains("scenario point name"),
            "{}",
            stderr(&merge)
        );
        let check = plansim().arg("check").arg(&copy).output().unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&check.stdout),
            stderr(&check)
        );
        assert!(
            !check.status.success() && said.contains("scenario point name"),
            "{said}"
        );
    }
    assert!(!root.join("escape").exists() && !root.parent().unwrap().join("escape").exists());
}

#[test]
fn a_batch_level_file_named_outside_the_folder_is_refused_by_check() {
    let root = scratch("readback", "files");
    let run = plansim()
        .args(["batch", SMALL, "-q", "--no-plots", "-o"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let folder = root.join("small");
    let good = plansim().arg("check").arg(&folder).output().unwrap();
    assert!(good.status.success(), "{}", stderr(&good));
    let path = folder.join("batch.json");
    let mut record: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let files = record["files"].as_object_mut().unwrap();
    let hash = files
        .remove("summary.txt")
        .expect("summary.txt is recorded");
    files.insert("../../outside.txt".to_string(), hash);
    fs::write(&path, serde_json::to_string_pretty(&record).unwrap()).unwrap();
    let check = plansim().arg("check").arg(&folder).output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );
    assert!(
        !check.status.success() && said.contains("batch-level file \"../../outside.txt\""),
        "{said}"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_lock_file_that_is_a_link_is_refused_not_followed() {
    let root = scratch("readback", "lock-link");
    let target = root.join("elsewhere.txt");
    let lock = root.join(".example-icb.lock");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let run = plansim()
        .args([
            "run",
            "scenarios/example-icb.toml",
            "-q",
            "-r",
            "1",
            "--no-plots",
            "-o",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(".example-icb.lock: is not a plain file"),
        "{}",
        stderr(&run)
    );
    assert!(!target.exists(), "the dangling link was followed");
    assert!(!root.join("example-icb").exists());
}

#[test]
fn a_result_file_that_is_a_link_to_a_device_is_refused_not_read() {
    let root = scratch("readback", "device-link");
    let run = plansim()
        .args([
            "run",
            "scenarios/example-icb.toml",
            "-q",
            "-r",
            "1",
            "--no-plots",
            "-o",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let folder = root.join("example-icb");
    for name in ["monthly.csv", "manifest.json"] {
        let copy = root.join(format!("edited-{name}"));
        copy_tree(&folder, &copy);
        fs::remove_file(copy.join(name)).unwrap();
        std::os::unix::fs::symlink("/dev/zero", copy.join(name)).unwrap();
        for command in ["check", "plot", "report"] {
            let out = plansim()
                .arg(command)
                .arg(&copy)
                .timeout(std::time::Duration::from_secs(20))
                .output()
                .unwrap();
            let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
            assert!(!out.status.success(), "{command} on {name}: {said}");
            assert!(said.contains(name), "{command} on {name}: {said}");
        }
    }
}
