//! `plansim targets`: the target catalogue as a table.

use std::io::{self, Write};

use anyhow::{Context, Result};

use plansim::model::metric_by_name;
use plansim::targets::Catalogue;

pub fn targets() -> Result<()> {
    let catalogue = Catalogue::builtin().context("the built-in target catalogue is broken")?;
    let mut out = io::stdout().lock();
    writeln!(out, "{}", catalogue.name)?;
    let rows: Vec<[String; 7]> = catalogue
        .targets
        .iter()
        .map(|t| {
            let modelled = if metric_by_name(&t.metric).is_some() {
                "yes"
            } else {
                "no"
            };
            [
                t.id.clone(),
                t.metric.clone(),
                t.comparison.symbol().to_string(),
                t.threshold.to_string(),
                t.timing.to_string(),
                modelled.to_string(),
                t.description.clone(),
            ]
        })
        .collect();
    let header = [
        "id",
        "metric",
        "cmp",
        "threshold",
        "deadline",
        "modelled",
        "description",
    ];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: [&str; 7]| {
        // The description is last and not padded, so long ones do not widen the table.
        let mut text: String = cells[..6]
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:w$}  "))
            .collect();
        text.push_str(cells[6]);
        text
    };
    writeln!(out, "{}", line(header))?;
    for row in &rows {
        writeln!(out, "{}", line(row.each_ref().map(String::as_str)))?;
    }
    writeln!(
        out,
        "\n\"end\": the last simulated month. from/to: the mean of the monthly values in the window. \
         \"start\": the waiting list each replication starts from."
    )?;
    Ok(())
}
