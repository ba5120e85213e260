//! `not_costed { ... }` blocks of a network: operators cnnc does not cost
//! (activations, pools, element-wise adds, reshapes), written where they
//! occur so the report can list them beside the totals they are not in.
//! `cnnc import` writes one per such operator; a hand-written network may
//! carry them too.

use crate::diag::{Code, Diagnostic};
use crate::model::{NotCosted, TensorShape};
use crate::syntax::ast::{Block, Entry};

use super::entries::collect;
use super::units::Conv;

pub const BLOCK: &str = "not_costed";
pub const KEYS: &[&str] = &["op", "name", "inputs", "outputs"];

/// Checks one block; `None` after reporting what is wrong with it.
pub fn check(b: &Block, diags: &mut Vec<Diagnostic>) -> Option<NotCosted> {
    let before = diags.len();
    let entries = collect(&b.body, KEYS, "a `not_costed` block", diags);
    for inner in &entries.blocks {
        diags.push(
            Diagnostic::error(
                Code::Misplaced,
                format!(
                    "a `not_costed` block holds keys, not a `{}` block",
                    inner.name.name
                ),
            )
            .with_primary(inner.name.span, "not allowed here")
            .with_help("give the operator's `op`, `name`, `inputs` and `outputs`"),
        );
    }
    let mut conv = Conv { diags };
    let op = match entries.get("op") {
        Some(e) => conv.string_like(&e.key, &e.value, "\"Relu\""),
        None => {
            if !entries.misspelt("op", KEYS) && !b.body.has_errors() {
                conv.diags.push(
                    Diagnostic::error(Code::MissingKey, "a `not_costed` block needs `op`")
                        .with_primary(b.name.span, "no `op` in this block")
                        .with_help("name the operator's kind, e.g. `op = \"Relu\";`"),
                );
            }
            None
        }
    };
    let name = entries.get("name").map(|e| conv.string(&e.key, &e.value));
    let mut shapes = |key: &str| -> Option<Vec<TensorShape>> {
        match entries.get(key) {
            Some(e) => {
                let text = conv.string_like(&e.key, &e.value, "\"1 x 64 x 56 x 56\"")?;
                shapes_of(e, &text, conv.diags)
            }
            None => Some(Vec::new()),
        }
    };
    let inputs = shapes("inputs");
    let outputs = shapes("outputs");
    if diags.len() > before {
        return None;
    }
    Some(NotCosted {
        op: op?,
        name: name.flatten(),
        inputs: inputs?,
        outputs: outputs?,
        span: b.span,
    })
}

/// Reads `"1 x 64 x 56 x 56, ?"`: shapes separated by `,`, each integers
/// joined by `x` or `?` for a size not known. An empty string is no tensor.
fn shapes_of(e: &Entry, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Vec<TensorShape>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    let parsed: Option<Vec<TensorShape>> = text.split(',').map(shape_of).collect();
    if parsed.is_none() {
        diags.push(
            Diagnostic::error(
                Code::WrongType,
                format!("`{}` is not a list of tensor shapes", e.key.name),
            )
            .with_primary(e.value.span, "not shapes")
            .with_help(format!(
                "write sizes joined by `x` and tensors separated by `,`, `?` for one not known: `{} = \"1 x 64 x 56 x 56, 1 x 64 x 56 x 56\";`",
                e.key.name
            )),
        );
    }
    parsed
}

/// One shape: `?`, or integers (each fitting in 64 bits) joined by `x`.
fn shape_of(text: &str) -> Option<TensorShape> {
    let t = text.trim();
    if t == "?" {
        return Some(None);
    }
    t.split('x')
        .map(|d| {
            let d = d.trim();
            if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            d.parse::<u64>().ok()
        })
        .collect::<Option<Vec<u64>>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::shape_of;

    #[test]
    fn shapes_read_as_written() {
        assert_eq!(shape_of(" 1 x 64x56 "), Some(Some(vec![1, 64, 56])));
        assert_eq!(shape_of("1000"), Some(Some(vec![1000])));
        assert_eq!(shape_of("?"), Some(None));
        for bad in ["", "1 x", "x 2", "1 x -2", "1.5", "99999999999999999999999"] {
            assert_eq!(shape_of(bad), None, "{bad}");
        }
    }
}
