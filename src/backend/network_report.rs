//! A network's report written row by row as its layer-passes finish, in
//! text, JSON or CSV: only the running totals and the short lists of what
//! they leave out are held, never the rows (a network of 100 000 layers
//! prints about 1.5 GB of JSON). The bytes are those of the whole document
//! rendered at once (`serde_json::to_string_pretty` of one value).

use std::fmt::Write as _;
use std::io::{self, Write};

use super::not_included::{operator_lines, NotIncluded};
use super::PassReport;
use crate::options::{Format, PassKind};

/// A layer-pass that could not run: layer, pass, why.
pub(super) type Failed = (String, PassKind, String);

/// Sums over the layer-passes whose whole-layer figures exist (a training
/// step with `--pass all`); the rest, and the operators not costed, are
/// listed in `not_included`.
#[derive(Debug, Default, serde::Serialize)]
struct Totals {
    macs: u64,
    zero_macs: u64,
    cycles: u64,
    /// The sum of the layer-passes' `ideal_cycles`.
    ideal_cycles: u64,
    energy_pj: f64,
    glb_bytes: u64,
    dram_bytes: u64,
    not_included: Vec<NotIncluded>,
}

impl Totals {
    fn add(&mut self, r: &PassReport) {
        match &r.layer_stats {
            Some(l) => {
                self.macs += l.macs;
                self.zero_macs += l.zero_macs;
                self.cycles += l.cycles;
                self.ideal_cycles += l.ideal_cycles;
                self.energy_pj += l.energy_pj.total;
                self.glb_bytes += l.glb_bytes;
                self.dram_bytes += l.dram_bytes;
            }
            None => self.not_included.push(NotIncluded::pass(
                &r.layer,
                r.pass,
                r.layer_refused
                    .as_ref()
                    .map(super::report::refusal_line)
                    .unwrap_or_default(),
            )),
        }
    }
}

/// The report being written: the format, the running totals and what the
/// last lines need.
pub(super) struct NetworkReport<'w> {
    out: &'w mut dyn Write,
    format: Format,
    rows: usize,
    totals: Totals,
    /// Rows that could not run, for JSON's `not_included` (after the
    /// passes without whole-layer figures, as the document always had).
    failed: Vec<NotIncluded>,
    /// The text table's "not in the total" lines, in row order.
    refused: Vec<String>,
    /// The text table's layer-passes Grad-Flow does not map, run
    /// row-stationary, in row order.
    fallbacks: Vec<String>,
}

const COLUMNS: usize = 10;

fn text_line(cells: [&str; COLUMNS], with_verified: bool) -> String {
    let mut s = format!(
        "{:<20} {:<8} {:>9} {:>12} {:>14} {:>12} {:>14} {:>14} {:>12}",
        cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7], cells[8]
    );
    if with_verified {
        let _ = write!(s, " {:>9}", cells[9]);
    }
    s.push('\n');
    s
}

/// `v` pretty-printed, every line indented by `indent` spaces; the first
/// line too when `first` is set.
fn pretty_indented(v: &serde_json::Value, indent: usize, first: bool) -> String {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    let pad = " ".repeat(indent);
    let mut s = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            s.push('\n');
        }
        if i > 0 || first {
            s.push_str(&pad);
        }
        s.push_str(line);
    }
    s
}

impl<'w> NetworkReport<'w> {
    /// Writes the head: the title and column names, `{ "layers": [`, or
    /// the CSV header.
    pub(super) fn start(
        out: &'w mut dyn Write,
        format: Format,
        name: &str,
    ) -> io::Result<NetworkReport<'w>> {
        let head = match format {
            Format::Text => {
                format!("network {name}\n")
                    + &text_line(
                        [
                            "layer",
                            "pass",
                            "pe_set",
                            "pass cycles",
                            "macs",
                            "zero_macs",
                            "layer cycles",
                            "energy (pJ)",
                            "dram bytes",
                            "verified",
                        ],
                        true,
                    )
            }
            Format::Json => "{\n  \"layers\": [".to_string(),
            Format::Csv => super::csv_rows::header(),
        };
        out.write_all(head.as_bytes())?;
        Ok(NetworkReport {
            out,
            format,
            rows: 0,
            totals: Totals::default(),
            failed: Vec::new(),
            refused: Vec::new(),
            fallbacks: Vec::new(),
        })
    }

    /// Writes one layer-pass's row (a refused one too).
    pub(super) fn row(&mut self, row: &Result<PassReport, Failed>) -> io::Result<()> {
        let text = match (self.format, row) {
            (Format::Json, _) => {
                let v = match row {
                    Ok(r) => serde_json::json!(r),
                    Err((l, p, why)) => {
                        serde_json::json!({ "layer": l, "pass": p, "refused": why })
                    }
                };
                let sep = if self.rows == 0 { "\n" } else { ",\n" };
                format!("{sep}{}", pretty_indented(&v, 4, true))
            }
            (Format::Text, Ok(r)) => self.text_row(r),
            (Format::Text, Err((l, p, why))) => {
                let pass = format!("{p:?}").to_lowercase();
                self.refused.push(format!("{l} {p:?}: {why}"));
                format!("{l:<20} {pass:<8} {:>9} refused\n", "-")
            }
            (Format::Csv, Ok(r)) => super::csv_rows::row(r) + "\n",
            // The CSV has rows of layer-passes that ran only.
            (Format::Csv, Err(_)) => String::new(),
        };
        match row {
            Ok(r) => self.totals.add(r),
            Err((l, p, why)) => self.failed.push(NotIncluded::pass(l, *p, why.clone())),
        }
        self.rows += 1;
        self.out.write_all(text.as_bytes())
    }

    fn text_row(&mut self, r: &PassReport) -> String {
        if let Some(why) = &r.gflow_fallback {
            self.fallbacks.push(format!(
                "{} {:?}: {}: {}",
                r.layer, r.pass, why.code, why.message
            ));
        }
        let p = &r.pass_stats;
        let (lc, le, ld) = match &r.layer_stats {
            Some(l) => (
                l.cycles.to_string(),
                format!("{:.4e}", l.energy_pj.total),
                l.dram_bytes.to_string(),
            ),
            None => {
                self.refused.push(format!(
                    "{} {:?}: {}",
                    r.layer,
                    r.pass,
                    r.layer_refused
                        .as_ref()
                        .map(super::report::refusal_line)
                        .unwrap_or_default()
                ));
                ("refused".into(), "-".into(), "-".into())
            }
        };
        let (lm, lz) = r
            .layer_stats
            .as_ref()
            .map_or((p.macs, p.zero_macs), |l| (l.macs, l.zero_macs));
        text_line(
            [
                &r.layer,
                &format!("{:?}", r.pass).to_lowercase(),
                &format!("{}x{}", r.pe_set.rows, r.pe_set.cols),
                &p.cycles.to_string(),
                &lm.to_string(),
                &lz.to_string(),
                &lc,
                &le,
                &ld,
                &p.verified.to_string(),
            ],
            true,
        )
    }

    /// Writes the totals, what they leave out (`operators`: the network's
    /// operators not costed) and the tail of the document.
    pub(super) fn finish(mut self, name: &str, operators: Vec<NotIncluded>) -> io::Result<()> {
        let tail = match self.format {
            Format::Text => {
                let t = &self.totals;
                let mut s = text_line(
                    [
                        "total",
                        "",
                        "",
                        "",
                        &t.macs.to_string(),
                        &t.zero_macs.to_string(),
                        &t.cycles.to_string(),
                        &format!("{:.4e}", t.energy_pj),
                        &t.dram_bytes.to_string(),
                        "",
                    ],
                    false,
                );
                let _ = writeln!(
                    s,
                    "ideal_cycles {} (the summed layer-passes' bound; cycles / ideal_cycles {:.3})",
                    t.ideal_cycles,
                    t.cycles as f64 / t.ideal_cycles.max(1) as f64
                );
                if !self.fallbacks.is_empty() {
                    s.push_str("run row-stationary (Grad-Flow does not map these passes):\n");
                    for r in &self.fallbacks {
                        let _ = writeln!(s, "  {r}");
                    }
                }
                if !self.refused.is_empty() {
                    s.push_str("not in the total (the arch cannot hold these passes):\n");
                    for r in &self.refused {
                        let _ = writeln!(s, "  {r}");
                    }
                }
                s + &operator_lines(&operators)
            }
            Format::Json => {
                let mut t = std::mem::take(&mut self.totals);
                t.not_included.append(&mut self.failed);
                t.not_included.extend(operators);
                let t = serde_json::to_value(&t).unwrap_or_default();
                let name = serde_json::to_string(name).unwrap_or_default();
                format!(
                    "{}],\n  \"network\": {name},\n  \"schema_version\": {},\n  \"totals\": {}\n}}\n",
                    if self.rows == 0 { "" } else { "\n  " },
                    crate::schema::SCHEMA_VERSION,
                    pretty_indented(&t, 2, false)
                )
            }
            Format::Csv => operators
                .iter()
                .filter_map(NotIncluded::csv_row)
                .map(|r| r + "\n")
                .collect(),
        };
        self.out.write_all(tail.as_bytes())?;
        self.out.flush()
    }
}
