//! Syntax tree to typed model: names, units, arch inheritance and layer
//! shapes. The checker reports everything it finds, not just the first
//! problem, and produces a [`Description`] only when nothing was wrong.

mod arch;
mod entries;
mod layer;
mod not_costed;
pub mod overrides;
pub mod suggest;
pub mod units;

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic};
use crate::model::{Description, Network};
use crate::syntax::ast::{Decl, DeclKind, File, Ident, Item};

pub use arch::{ARCH_KEYS, BUILTIN};
pub use layer::{LAYER_KEYS, MAPPING_KEYS};

/// Checks a parsed file. The description holds whatever checked cleanly;
/// it is only meaningful when the diagnostics are empty.
pub fn check(file: &File) -> (Description, Vec<Diagnostic>) {
    let (desc, diags, _) = check_bounded(file, usize::MAX);
    (desc, diags)
}

/// Keeps memory bounded on files with millions of errors: whenever more
/// than `4 * keep` diagnostics are held, only the `keep` first in file
/// order are kept (the others could never be shown) and the rest counted.
fn prune(diags: &mut Vec<Diagnostic>, keep: usize, dropped: &mut usize) {
    if keep == usize::MAX || diags.len() <= keep.saturating_mul(4).max(1024) {
        return;
    }
    diags.sort_by_key(|d| d.labels.iter().find(|l| l.primary).map(|l| l.span.start));
    *dropped += diags.len() - keep;
    diags.truncate(keep);
}

/// [`check`] holding at most about `4 * keep` diagnostics at a time; also
/// returns how many were dropped (all after the first `keep` in file order).
pub fn check_bounded(file: &File, keep: usize) -> (Description, Vec<Diagnostic>, usize) {
    let mut dropped = 0usize;
    let mut diags = Vec::new();
    let mut by_kind: [Vec<&Decl>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for d in &file.decls {
        check_header(d, &mut diags);
        let slot = match d.kind {
            DeclKind::Layer => 0,
            DeclKind::Arch => 1,
            DeclKind::Network => 2,
        };
        by_kind[slot].push(d);
    }
    let [layer_decls, arch_decls, network_decls] = by_kind;
    let firsts = [
        report_duplicates(layer_decls.iter().map(|d| &d.name), "layer", &mut diags),
        report_duplicates(arch_decls.iter().map(|d| &d.name), "arch", &mut diags),
        report_duplicates(network_decls.iter().map(|d| &d.name), "network", &mut diags),
    ];

    let mut desc = Description {
        archs: arch::check_archs(&arch_decls, &mut diags),
        ..Description::default()
    };
    for (i, d) in layer_decls.iter().enumerate() {
        if let Some(l) = layer::check_layer(d, d.name.name.clone(), &mut diags) {
            if firsts[0][i] {
                desc.layers.push(l);
            }
        }
        prune(&mut diags, keep, &mut dropped);
    }
    for (i, d) in network_decls.iter().enumerate() {
        if let Some(n) = check_network(d, &mut diags) {
            if firsts[2][i] {
                desc.networks.push(n);
            }
        }
        prune(&mut diags, keep, &mut dropped);
    }
    // Report in file order; ties keep the order they were found in.
    diags.sort_by_key(|d| d.labels.iter().find(|l| l.primary).map(|l| l.span.start));
    (desc, diags, dropped)
}

/// Name and base rules that apply to every declaration.
fn check_header(d: &Decl, diags: &mut Vec<Diagnostic>) {
    check_name(&d.name, d.kind, diags);
    if let (Some(b), false) = (&d.base, d.kind == DeclKind::Arch) {
        diags.push(
            Diagnostic::error(
                Code::Misplaced,
                format!("only an arch takes a base, not {}", article(d.kind)),
            )
            .with_primary(b.span, "base not allowed here")
            .with_help(format!("remove `: {}`", b.name)),
        );
    }
}

/// "a layer", "an arch", "a network".
pub fn article(kind: DeclKind) -> &'static str {
    match kind {
        DeclKind::Layer => "a layer",
        DeclKind::Arch => "an arch",
        DeclKind::Network => "a network",
    }
}

fn check_name(name: &Ident, kind: DeclKind, diags: &mut Vec<Diagnostic>) {
    if name.name.contains('.') {
        diags.push(
            Diagnostic::error(
                Code::BadName,
                format!("{} name `{}` contains a dot", kind.keyword(), name.name),
            )
            .with_primary(name.span, "names cannot contain `.`")
            .with_help(
                "dots separate a network from its layers (`alexnet.conv1`); use `_` instead",
            ),
        );
    }
}

/// Reports names declared twice; returns, per declaration, whether it is
/// the first of its name (only those make it into the description).
fn report_duplicates<'a>(
    names: impl Iterator<Item = &'a Ident>,
    kind: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<bool> {
    let mut seen: HashMap<&str, &Ident> = HashMap::new();
    let mut firsts = Vec::new();
    for n in names {
        if let Some(first) = seen.get(n.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateName,
                    format!("{kind} `{}` is declared twice", n.name),
                )
                .with_primary(n.span, "declared again here")
                .with_secondary(first.span, "first declared here")
                .with_help(format!(
                    "rename one of them; {kind} names are unique within a file"
                )),
            );
            firsts.push(false);
        } else {
            seen.insert(n.name.as_str(), n);
            firsts.push(true);
        }
    }
    firsts
}

fn check_network(d: &Decl, diags: &mut Vec<Diagnostic>) -> Option<Network> {
    let before = diags.len();
    let mut members: Vec<&Decl> = Vec::new();
    let mut not_costed = Vec::new();
    for item in &d.body.items {
        match item {
            Item::Decl(m) if m.kind == DeclKind::Layer => {
                check_header(m, diags);
                members.push(m);
            }
            Item::Decl(m) => diags.push(
                Diagnostic::error(
                    Code::Misplaced,
                    format!("a network holds layers, not {}", article(m.kind)),
                )
                .with_primary(m.kind_span, "not allowed here")
                .with_help("declare it at the top level of the file"),
            ),
            Item::Entry(e) => diags.push(
                Diagnostic::error(
                    Code::Misplaced,
                    format!("a network holds layers, not keys like `{}`", e.key.name),
                )
                .with_primary(e.key.span, "not allowed here")
                .with_help("put the key inside one of the network's `layer` declarations"),
            ),
            Item::Error(_) => {}
            Item::Block(b) if b.name.name == not_costed::BLOCK => {
                not_costed.extend(not_costed::check(b, diags));
            }
            Item::Block(b) => diags.push(
                Diagnostic::error(
                    Code::Misplaced,
                    format!(
                        "a network holds layers and `not_costed` blocks, not a `{}` block",
                        b.name.name
                    ),
                )
                .with_primary(b.name.span, "not allowed here")
                .with_help(format!(
                    "write `layer {} {{ ... }}`, or `not_costed {{ op = \"...\"; }}` for an operator cnnc does not cost",
                    b.name.name
                )),
            ),
        }
    }
    if members.is_empty() && diags.len() == before && !d.body.has_errors() {
        diags.push(
            Diagnostic::error(
                Code::EmptyNetwork,
                format!("network `{}` has no layers", d.name.name),
            )
            .with_primary(d.name.span, "empty network")
            .with_help("add `layer NAME { ... }` declarations inside it"),
        );
    }
    let firsts = report_duplicates(members.iter().map(|m| &m.name), "layer", diags);
    let mut layers = Vec::new();
    for (m, first) in members.iter().zip(firsts) {
        let name = format!("{}.{}", d.name.name, m.name.name);
        if let Some(l) = layer::check_layer(m, name, diags) {
            if first {
                layers.push(l);
            }
        }
    }
    (diags.len() == before).then(|| Network {
        name: d.name.name.clone(),
        span: d.span,
        layers,
        not_costed,
    })
}
