//! The configuration layer every input file goes through (scenarios, network scenarios, batch
//! files, the target catalogue): where each key was set, one checker for values (numbers,
//! shares, whole numbers, dates, names), unknown keys found in one pass with the nearest known
//! key suggested, and one wording for every problem: `place: key = value: expected ...`.

mod checker;
mod file;
pub mod problems;
mod toml_file;

pub use checker::{
    is_file_name, is_metric_name, is_snake_name, quoted_list, suggestion, Checker, Kind,
    METRIC_NAME_RULE, SUM_TOLERANCE,
};
pub use file::{read_input_text, MAX_INPUT_BYTES};
pub use problems::{
    dotted, index_segment, key_path, nearest, num, render, segment_index, KeyPath, Origin, Source,
};
pub use toml_file::TomlFile;
