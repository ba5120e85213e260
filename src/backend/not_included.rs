//! What a network's totals leave out, named in every format: layer-passes
//! whose whole-layer figures do not exist (the arch cannot hold them, or
//! the run refused them) and the operators cnnc does not cost (the
//! network's `not_costed` blocks: activations, pools, element-wise adds).

use serde::Serialize;

use crate::model::{shapes_text, NotCosted, TensorShape};
use crate::options::PassKind;

/// One thing the totals do not include. JSON: an object whose `item` is
/// `"pass"` or `"operator"` (docs/stats.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub(crate) enum NotIncluded {
    /// A layer-pass without whole-layer figures, and why.
    Pass {
        layer: String,
        pass: String,
        why: String,
    },
    /// An operator not costed, with its kind and tensor shapes (`null` for
    /// a shape not known).
    Operator {
        op: String,
        name: Option<String>,
        inputs: Vec<TensorShape>,
        outputs: Vec<TensorShape>,
    },
}

impl NotIncluded {
    pub(crate) fn pass(layer: &str, pass: PassKind, why: String) -> NotIncluded {
        NotIncluded::Pass {
            layer: layer.to_string(),
            pass: format!("{pass:?}").to_lowercase(),
            why,
        }
    }

    pub(crate) fn operator(o: &NotCosted) -> NotIncluded {
        NotIncluded::Operator {
            op: o.op.clone(),
            name: o.name.clone(),
            inputs: o.inputs.clone(),
            outputs: o.outputs.clone(),
        }
    }

    /// One line: `conv1 igrad: error[...]` or `Relu relu1: 1 x 64 -> 1 x 64`.
    pub(crate) fn text(&self) -> String {
        match self {
            NotIncluded::Pass { layer, pass, why } => format!("{layer} {pass}: {why}"),
            NotIncluded::Operator {
                op,
                name,
                inputs,
                outputs,
            } => {
                let name = name.as_deref().map_or(String::new(), |n| format!(" {n}"));
                format!(
                    "{op}{name}: {} -> {}",
                    shapes_text(inputs),
                    shapes_text(outputs)
                )
            }
        }
    }

    /// The CSV row of an operator (a pass has its own row already).
    pub(crate) fn csv_row(&self) -> Option<String> {
        match self {
            NotIncluded::Pass { .. } => None,
            NotIncluded::Operator { op, name, .. } => Some(super::csv_rows::note_row(
                name.as_deref().unwrap_or(op),
                &format!("not costed: {}", self.text()),
            )),
        }
    }
}

/// The network's operators not costed, in file order.
pub(crate) fn operators(not_costed: &[NotCosted]) -> Vec<NotIncluded> {
    not_costed.iter().map(NotIncluded::operator).collect()
}

/// The lines under a text table's total that name the operators it
/// leaves out (the passes it leaves out have their own lines).
pub(crate) fn operator_lines(items: &[NotIncluded]) -> String {
    let ops: Vec<&NotIncluded> = items
        .iter()
        .filter(|i| matches!(i, NotIncluded::Operator { .. }))
        .collect();
    if ops.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "not in the total ({} operator{} cnnc does not cost; input -> output shapes):\n",
        ops.len(),
        if ops.len() == 1 { "" } else { "s" }
    );
    for o in ops {
        s.push_str(&format!("  {}\n", o.text()));
    }
    s
}
