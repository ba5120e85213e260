//! Hover: a layer's derived shape and MAC counts per pass, an arch's values
//! after inheritance, a network's layers, a key's meaning, unit and value.
//! Values are shown as cnnc's canonical printer writes them.

use std::fmt::Write;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::analysis::Analysis;
use super::keys::{self, KeyDoc};
use super::locate::{self, Target};
use super::macs;
use super::position::LineIndex;
use crate::frontend;
use crate::model::{Arch, Description, Layer, SrcSpan};
use crate::syntax::ast::{Decl, DeclKind};

pub fn hover(analysis: &Analysis, index: &LineIndex, offset: usize) -> Option<Hover> {
    let (text, span) = match locate::target(&analysis.file, offset)? {
        Target::Decl { decl, parent } => (decl_text(analysis, decl, parent), decl.name.span),
        Target::Base { base, .. } => {
            let text = match analysis.arch_named(&base.name) {
                Some(a) => arch_text(&a),
                None => format!("no arch named `{}` checks in this file", base.name),
            };
            (text, base.span)
        }
        Target::Key { decl, block, entry } => {
            let key = entry.key.name.as_str();
            let text = match (decl.kind, block) {
                (DeclKind::Arch, _) => arch_key_text(analysis, decl, key)?,
                (DeclKind::Layer, None) => {
                    let doc = keys::find(keys::LAYER, key)?;
                    let value = analysis
                        .layer_at(decl.span)
                        .and_then(|l| printed_value(&layer_only(l), key));
                    key_text(doc, value.map(|v| format!("value: `{v}`")))
                }
                (DeclKind::Layer, Some(_)) => key_text(keys::find(keys::MAPPING, key)?, None),
                (DeclKind::Network, _) => return None,
            };
            (text, entry.key.span)
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(index.range(span)),
    })
}

fn decl_text(analysis: &Analysis, decl: &Decl, parent: Option<&Decl>) -> String {
    match decl.kind {
        DeclKind::Layer => match analysis.layer_at(decl.span) {
            Some(l) => layer_text(l),
            None => {
                let name = match parent {
                    Some(n) => format!("{}.{}", n.name.name, decl.name.name),
                    None => decl.name.name.clone(),
                };
                format!("layer `{name}` has errors; fix them to see its shape and MACs")
            }
        },
        DeclKind::Arch => match analysis.arch_at(decl.span) {
            Some(a) => arch_text(a),
            None => format!(
                "arch `{}` has errors; fix them to see its values",
                decl.name.name
            ),
        },
        DeclKind::Network => network_text(analysis, decl),
    }
}

pub fn layer_text(l: &Layer) -> String {
    let mut s = format!("**layer** `{}`\n\n", l.name);
    let _ = writeln!(
        s,
        "ifmap {} x {} channels, filter {} x {} filters, stride {}, pad {}, batch {}, groups {}\n",
        l.ifmap, l.channels, l.filter, l.filters, l.stride, l.pad, l.batch, l.groups
    );
    let _ = writeln!(s, "ofmap **{}** x {} filters\n", l.ofmap, l.filters);
    s.push_str("| pass | 2-D convs | MACs per conv | MACs |\n|---|---:|---:|---:|\n");
    for p in macs::of(l) {
        let name = format!("{:?}", p.pass).to_lowercase();
        match (&p.per_conv, p.total()) {
            (Ok(per), Some(total)) => {
                let _ = writeln!(s, "| {name} | {} | {per} | {total} |", p.convs);
            }
            (Err(why), _) => {
                let _ = writeln!(s, "| {name} | {} | {why} | |", p.convs);
            }
            (Ok(per), None) => {
                let _ = writeln!(s, "| {name} | {} | {per} | too many |", p.convs);
            }
        }
    }
    s.push_str(
        "\nMACs as row-stationary computes them: the pass's 2-D convolution as `select` \
         builds it, zeros from dilation and padding included (Grad-Flow skips those).",
    );
    s
}

fn arch_text(a: &Arch) -> String {
    let mut s = format!(
        "**arch** `{}` (values after inheritance)\n\n```cnn\n",
        a.name
    );
    for (k, v) in printed_values(&arch_only(a)) {
        let _ = writeln!(s, "{k} = {v};");
    }
    s.push_str("```");
    s
}

fn network_text(analysis: &Analysis, decl: &Decl) -> String {
    let Some(n) = analysis
        .partial
        .networks
        .iter()
        .find(|n| n.span == decl.span)
    else {
        return format!(
            "network `{}` has errors; fix them to see its layers",
            decl.name.name
        );
    };
    let mut s = format!(
        "**network** `{}`: {} layers\n\n| layer | ofmap | forward MACs |\n|---|---|---:|\n",
        n.name,
        n.layers.len()
    );
    let mut total: u128 = 0;
    for l in &n.layers {
        total += u128::from(l.forward_macs());
        let _ = writeln!(
            s,
            "| `{}` | {} x {} | {} |",
            l.name,
            l.ofmap,
            l.filters,
            l.forward_macs()
        );
    }
    let _ = write!(s, "\nforward MACs in all: {total}");
    s
}

fn arch_key_text(analysis: &Analysis, decl: &Decl, key: &str) -> Option<String> {
    let doc = keys::find(keys::ARCH, key)?;
    let mut lines = Vec::new();
    match analysis.arch_at(decl.span) {
        Some(a) => {
            if let Some(v) = printed_value(&arch_only(a), key) {
                lines.push(format!("value in `{}` after inheritance: `{v}`", a.name));
            }
        }
        None => lines.push(format!("arch `{}` has errors", decl.name.name)),
    }
    if let Some(base) = decl
        .base
        .as_ref()
        .and_then(|b| analysis.arch_named(&b.name))
    {
        if let Some(v) = printed_value(&arch_only(&base), key) {
            lines.push(format!("overrides `{}`'s `{v}`", base.name));
        }
    }
    Some(key_text(
        doc,
        Some(lines.join("\n\n")).filter(|l| !l.is_empty()),
    ))
}

fn key_text(doc: &KeyDoc, value: Option<String>) -> String {
    let mut s = format!("`{}`: {}\n\nunit: {}", doc.key, doc.meaning, doc.unit);
    if let Some(v) = value {
        s.push_str("\n\n");
        s.push_str(&v);
    }
    s
}

fn arch_only(a: &Arch) -> Description {
    Description {
        archs: vec![Arch {
            span: SrcSpan::default(),
            ..a.clone()
        }],
        ..Description::default()
    }
}

fn layer_only(l: &Layer) -> Description {
    Description {
        layers: vec![l.clone()],
        ..Description::default()
    }
}

/// `key = value;` lines of the canonical text of a one-item description.
fn printed_values(desc: &Description) -> Vec<(String, String)> {
    frontend::print(desc)
        .lines()
        .filter_map(|line| {
            let (k, v) = line.trim().strip_suffix(';')?.split_once(" = ")?;
            (!k.contains(' ')).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

fn printed_value(desc: &Description, key: &str) -> Option<String> {
    printed_values(desc)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}
