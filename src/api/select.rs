//! Choosing what to run: the target (`--layer`) and the arch (`--arch`),
//! with a did-you-mean or the list of choices when the name is unknown.

use crate::backend::Target;
use crate::check::suggest::did_you_mean;
use crate::diag::{Code, Diagnostic};
use crate::model::{Arch, Description};

/// `--layer NAME` (a layer, `net.layer`, or a network), or the only choice.
pub fn select_target<'d>(
    desc: &'d Description,
    layer: Option<&str>,
    file: &str,
) -> Result<Target<'d>, Diagnostic> {
    if let Some(name) = layer {
        if let Some(l) = desc.layer(name) {
            return Ok(Target::Layer(l));
        }
        if let Some(n) = desc.network(name) {
            return Ok(Target::Network(n));
        }
        let choices = choices(desc);
        let d = Diagnostic::error(
            Code::UnknownLayer,
            format!("no layer or network named `{name}` in `{file}`"),
        );
        return Err(
            match did_you_mean(name, choices.iter().map(String::as_str)) {
                Some(s) => d.with_help(s),
                None => d.with_help(choice_list(&choices)),
            },
        );
    }
    let mut all = desc.all_layers();
    if let (Some(only), None) = (all.next(), all.next()) {
        return Ok(Target::Layer(only));
    }
    if desc.layers.is_empty() && desc.networks.len() == 1 {
        return Ok(Target::Network(&desc.networks[0]));
    }
    let choices = choices(desc);
    if choices.is_empty() {
        return Err(Diagnostic::error(
            Code::NothingToRun,
            format!("`{file}` declares no layer to simulate"),
        )
        .with_help("add a `layer NAME { ifmap = ...; filter = ...; }` declaration"));
    }
    Err(Diagnostic::error(
        Code::AmbiguousTarget,
        format!("`{file}` holds several layers; which one?"),
    )
    .with_help(format!(
        "pick one with --layer NAME; {}",
        choice_list(&choices)
    )))
}

/// Every name `--layer` accepts: layers, network members, networks.
fn choices(desc: &Description) -> Vec<String> {
    desc.all_layers()
        .map(|l| l.name.clone())
        .chain(desc.networks.iter().map(|n| n.name.clone()))
        .collect()
}

fn choice_list(choices: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut text = format!(
        "the choices are: {}",
        choices
            .iter()
            .take(SHOWN)
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if choices.len() > SHOWN {
        text.push_str(&format!(" and {} more", choices.len() - SHOWN));
    }
    text
}

pub fn select_arch(desc: &Description, name: &str) -> Result<Arch, Diagnostic> {
    desc.arch(name).ok_or_else(|| {
        let names: Vec<&str> = desc
            .archs
            .iter()
            .map(|a| a.name.as_str())
            .chain(Arch::BUILTINS.iter().copied())
            .collect();
        let d = Diagnostic::error(Code::UnknownArch, format!("no arch named `{name}`"));
        match did_you_mean(name, names.iter().copied()) {
            Some(s) => d.with_help(s),
            None => d.with_help(format!(
                "the archs are: {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    })
}
