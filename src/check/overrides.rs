//! `--set KEY=VALUE`: arch keys given on the command line. Each override is
//! written out as an entry of a small `arch` source and checked by the same
//! lexer, parser, unit conversion and key rules as a file, so a bad value
//! gets the diagnostic (and help) it would get in a `.cnn` file.

use crate::diag::{Code, Diagnostic};
use crate::model::Arch;
use crate::syntax::ast::Entry;
use crate::syntax::parser;

use super::arch::{apply, ARCH_KEYS};
use super::entries::collect;

/// Name under which the overrides' source is shown in diagnostics.
pub const SOURCE_NAME: &str = "command line";

/// The overrides failed: diagnostics and the source their spans point into.
#[derive(Debug)]
pub struct OverrideError {
    pub source: String,
    pub diags: Vec<Diagnostic>,
}

/// The text of the synthetic arch body, one `key = value;` line per
/// override (a string-valued key may be written without its quotes).
pub fn source_of(sets: &[(String, String)]) -> String {
    let mut s = String::from("arch set {\n");
    for (k, v) in sets {
        let quoted = k == "dram" && !v.starts_with('"');
        if quoted {
            s.push_str(&format!("    {k} = \"{v}\";\n"));
        } else {
            s.push_str(&format!("    {k} = {v};\n"));
        }
    }
    s.push_str("}\n");
    s
}

/// Splits `KEY=VALUE`; refuses what could not be one entry of an arch
/// (no `=`, or characters that would end the entry or the body early).
pub fn split(set: &str) -> Result<(String, String), Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error(Code::BadSet, format!("`--set {set}`: {why}")).with_help(
            "write one arch key and one value, e.g. `--set array=6x7` or `--set clock=250MHz`",
        )
    };
    let Some((k, v)) = set.split_once('=') else {
        return Err(bad("no `=` between key and value"));
    };
    let (k, v) = (k.trim(), v.trim());
    if k.is_empty() || v.is_empty() {
        return Err(bad("the key or the value is empty"));
    }
    if !k
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return Err(bad("the key is not a key name"));
    }
    if v.contains([';', '{', '}', '\n', '\r']) || v.contains("//") || v.contains("/*") {
        return Err(bad("the value holds more than one value"));
    }
    Ok((k.to_string(), v.to_string()))
}

/// `base` with the overrides applied in order; all problems are reported.
pub fn apply_overrides(base: &Arch, sets: &[(String, String)]) -> Result<Arch, OverrideError> {
    let source = source_of(sets);
    let fail = |diags| OverrideError {
        source: source.clone(),
        diags,
    };
    let parsed = parser::parse(&source);
    if !parsed.diagnostics.is_empty() {
        return Err(fail(parsed.diagnostics));
    }
    let mut diags = Vec::new();
    let Some(decl) = parsed.file.decls.first() else {
        return Err(fail(vec![Diagnostic::error(
            Code::BadSet,
            "the --set values do not form arch keys",
        )
        .with_help("write `--set KEY=VALUE` with one arch key and one value")]));
    };
    let entries = collect(&decl.body, ARCH_KEYS, "an arch", &mut diags);
    let mut list: Vec<(&str, &Entry)> = entries.by_key.iter().map(|(k, e)| (*k, *e)).collect();
    list.sort_by_key(|(_, e)| e.span.start);
    let mut arch = base.clone();
    apply(&mut arch, &list, &mut diags);
    if diags.is_empty() {
        Ok(arch)
    } else {
        Err(fail(diags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(xs: &[&str]) -> Vec<(String, String)> {
        xs.iter().map(|s| split(s).unwrap()).collect()
    }

    #[test]
    fn overrides_change_only_their_keys() {
        let a = apply_overrides(
            &Arch::eyeriss(),
            &sets(&["array=6x7", "clock=250MHz", "dram=ddr4-1866"]),
        )
        .unwrap();
        assert_eq!(a.array, crate::model::Hw::new(6, 7));
        assert_eq!(a.clock_hz, 250_000_000);
        assert_eq!(a.rf_psum, Arch::eyeriss().rf_psum);
    }

    #[test]
    fn bad_values_get_the_file_diagnostics() {
        let e = apply_overrides(&Arch::eyeriss(), &sets(&["clock=4KiB"])).unwrap_err();
        assert_eq!(e.diags[0].code, Code::WrongUnit);
        let e = apply_overrides(&Arch::eyeriss(), &sets(&["arrray=6x7"])).unwrap_err();
        assert_eq!(e.diags[0].code, Code::UnknownKey);
        assert!(e.diags[0].help.as_deref().unwrap().contains("array"));
        let e = apply_overrides(&Arch::eyeriss(), &sets(&["array=6x7", "array=3x3"])).unwrap_err();
        assert_eq!(e.diags[0].code, Code::DuplicateKey);
    }

    #[test]
    fn malformed_sets_are_refused_before_parsing() {
        for s in ["array", "=3", "array=", "array=3; } layer x {", "a b=3"] {
            assert_eq!(split(s).unwrap_err().code, Code::BadSet, "{s}");
        }
    }
}
