//! Reading an input file the user names (a scenario, a network scenario, a batch file): only a
//! regular file, and only up to a size no such file reaches, so that a FIFO, a device such as
//! `/dev/zero` or a huge file is refused at once instead of blocking or filling memory.

use std::fs;
use std::io::Read;
use std::path::Path;

/// Input files are small TOML files; a bigger one is a mistake, refused before it is read whole.
pub const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

/// The text of the input file at `path` (`display` names it in messages), or the problem:
/// not a regular file, larger than `MAX_INPUT_BYTES`, unreadable, or not UTF-8.
pub fn read_input_text(path: &Path, display: &str) -> Result<String, String> {
    let fail = |why: String| format!("{display}: {why}");
    // Before opening: opening a FIFO blocks until a writer appears.
    let metadata = fs::metadata(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if !metadata.is_file() {
        let kind = if metadata.is_dir() {
            "a folder"
        } else {
            "a special file (a pipe, device or socket)"
        };
        return Err(fail(format!(
            "is {kind}, not a file: give the path of a TOML file"
        )));
    }
    let file = fs::File::open(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(fail(format!(
            "the file is larger than {MAX_INPUT_BYTES} bytes; scenario files are small TOML files"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        fail(format!(
            "not UTF-8 text (first bad byte on line {line}); save the file as UTF-8"
        ))
    })
}
