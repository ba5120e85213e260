//! SCALE-Sim topology files: a header, then one row per layer with the
//! columns `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter
//! Width, Channels, Num Filter, Strides` (rows usually end with a comma).
//! SCALE-Sim has no padding column: its IFMAP is the padded input, so the
//! layers get `pad = 0`, and the output is the framework's
//! `(H - R) / stride + 1` rounded down.

use super::{ConvLayer, Item};
use crate::diag::{Code, Diagnostic};

fn bad(line: usize, why: String) -> Diagnostic {
    Diagnostic::error(Code::ImportBadTopology, format!("topology line {line}: {why}")).with_help(
        "each row is `name, ifmap_h, ifmap_w, filter_h, filter_w, channels, filters, stride,` with positive integers",
    )
}

pub fn import(text: &str, batch: u64) -> Result<Vec<Item>, Diagnostic> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut items = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| bad(line, e.to_string()))?;
        let fields: Vec<&str> = rec.iter().collect();
        // A trailing comma leaves one empty field; blank lines none.
        let fields: Vec<&str> = match fields.as_slice() {
            [rest @ .., ""] => rest.to_vec(),
            f => f.to_vec(),
        };
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        if fields.len() != 8 {
            return Err(bad(line, format!("{} columns, expected 8", fields.len())));
        }
        let num = |k: usize, what: &str| -> Result<u64, Diagnostic> {
            fields[k]
                .parse::<u64>()
                .ok()
                .filter(|&v| v > 0)
                .ok_or_else(|| {
                    bad(
                        line,
                        format!("{what} `{}` is not a positive integer", fields[k]),
                    )
                })
        };
        let (h, w) = (num(1, "IFMAP Height")?, num(2, "IFMAP Width")?);
        let (r, s) = (num(3, "Filter Height")?, num(4, "Filter Width")?);
        let stride = num(7, "Strides")?;
        if r > h || s > w {
            return Err(bad(
                line,
                format!("filter {r} x {s} larger than the ifmap {h} x {w}"),
            ));
        }
        let base = super::emit::network_name(fields[0]);
        let mut name = base.clone();
        let mut k = 2;
        while !names.insert(name.clone()) {
            name = format!("{base}_{k}");
            k += 1;
        }
        items.push(Item::Conv(ConvLayer {
            name,
            batch,
            ifmap: (h, w),
            channels: num(5, "Channels")?,
            filter: (r, s),
            filters: num(6, "Num Filter")?,
            stride: (stride, stride),
            pad: (0, 0),
            dilation: (1, 1),
            groups: 1,
            transposed: false,
            output_pad: (0, 0),
            ofmap: ((h - r) / stride + 1, (w - s) / stride + 1),
            note: None,
        }));
    }
    if items.is_empty() {
        return Err(
            Diagnostic::error(Code::ImportNoConv, "the topology file has no layer rows")
                .with_help("SCALE-Sim topologies have a header line and one row per layer"),
        );
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_with_trailing_commas() {
        let t = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1, 224, 224, 11, 11, 3, 96, 4,\nConv2, 27, 27, 5, 5, 96, 256, 1,\n";
        let items = import(t, 1).unwrap();
        let Item::Conv(c) = &items[0] else { panic!() };
        assert_eq!(
            (c.name.as_str(), c.ofmap, c.filters),
            ("conv1", (54, 54), 96)
        );
        assert_eq!(items.len(), 2);
        let e = import("h\nConv1, 224, x, 11, 11, 3, 96, 4,\n", 1).unwrap_err();
        assert_eq!(e.code, Code::ImportBadTopology);
    }
}
