//! Imported items as `.cnn` text: one `network` whose layers are the
//! convolutions, with the operators cnnc does not cost as `not_costed`
//! blocks at their place (the report lists them beside its totals). Keys
//! at their defaults are left out.

use super::{ConvLayer, Item};

fn hw((h, w): (u64, u64)) -> String {
    if h == w {
        h.to_string()
    } else {
        format!("{h} x {w}")
    }
}

/// The `layer NAME { ... }` line of one convolution.
pub fn layer_line(l: &ConvLayer) -> String {
    let mut keys = vec![format!("ifmap = {} x {};", l.ifmap.0, l.ifmap.1)];
    keys.push(format!("channels = {};", l.channels));
    keys.push(format!("filter = {} x {};", l.filter.0, l.filter.1));
    keys.push(format!("filters = {};", l.filters));
    if l.stride != (1, 1) {
        keys.push(format!("stride = {};", hw(l.stride)));
    }
    if l.pad != (0, 0) {
        keys.push(format!("pad = {};", hw(l.pad)));
    }
    if l.dilation != (1, 1) {
        keys.push(format!("dilation = {} x {};", l.dilation.0, l.dilation.1));
    }
    if l.groups != 1 {
        keys.push(format!("groups = {};", l.groups));
    }
    if l.batch != 1 {
        keys.push(format!("batch = {};", l.batch));
    }
    if l.transposed {
        keys.push("transposed = true;".to_string());
        if l.output_pad != (0, 0) {
            keys.push(format!(
                "output_pad = {} x {};",
                l.output_pad.0, l.output_pad.1
            ));
        }
    }
    keys.push(format!("ofmap = {} x {};", l.ofmap.0, l.ofmap.1));
    format!("    layer {} {{ {} }}\n", l.name, keys.join(" "))
}

/// A comment line with no line breaks (names come from the model).
fn comment(text: &str) -> String {
    format!("    // {}\n", text.replace(['\n', '\r'], " "))
}

/// A string literal of one line (names come from the model): `"` and `\`
/// escaped, line breaks made spaces.
fn string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A shape as `not_costed` writes it; `?` where a size is not known.
fn shape(s: &Option<Vec<i64>>) -> String {
    match s {
        Some(d) if d.iter().all(|&x| x >= 0) => {
            let dims: Vec<String> = d.iter().map(|x| x.to_string()).collect();
            // A scalar is one element.
            if dims.is_empty() {
                "1".to_string()
            } else {
                dims.join(" x ")
            }
        }
        _ => "?".to_string(),
    }
}

/// The `not_costed { ... }` line of an operator cnnc does not cost.
pub fn not_costed(
    op: &str,
    name: &str,
    inputs: &[Option<Vec<i64>>],
    output: &Option<Vec<i64>>,
) -> String {
    let mut keys = vec![format!("op = {};", string(op))];
    if !name.is_empty() {
        keys.push(format!("name = {};", string(name)));
    }
    let ins: Vec<String> = inputs.iter().map(shape).collect();
    keys.push(format!("inputs = {};", string(&ins.join(", "))));
    keys.push(format!("outputs = {};", string(&shape(output))));
    format!("    not_costed {{ {} }}\n", keys.join(" "))
}

/// The whole file: a header saying where it came from, then the network.
pub fn network(name: &str, source: &str, items: &[Item]) -> String {
    let mut s = format!(
        "// Imported by `cnnc import` from {}.\n",
        source.replace(['\n', '\r'], " ")
    );
    if items.iter().any(|i| matches!(i, Item::Skipped { .. })) {
        s.push_str("// Operators cnnc does not cost are `not_costed` blocks where they occur,\n");
        s.push_str("// with their input and output shapes (N x C x H x W); reports list them\n");
        s.push_str("// beside the totals they are not in.\n");
    }
    s.push_str(&format!("network {name} {{\n"));
    for item in items {
        match item {
            Item::Conv(l) => {
                if let Some(n) = &l.note {
                    s.push_str(&comment(n));
                }
                s.push_str(&layer_line(l));
            }
            Item::Skipped {
                op,
                name,
                inputs,
                output,
            } => s.push_str(&not_costed(op, name, inputs, output)),
        }
    }
    s.push_str("}\n");
    s
}

/// `text` lowercased with every character that cannot be in a .cnn name
/// replaced by `_`.
pub fn identifier_chars(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// A network name from a file stem: an identifier, never empty.
pub fn network_name(stem: &str) -> String {
    let s = identifier_chars(stem);
    match s.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => s,
        Some(_) => format!("n{s}"),
        None => "imported".to_string(),
    }
}
