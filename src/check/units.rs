//! Converting written values to typed ones: integers, shapes, quantities
//! with units, switches and strings. Each conversion reports its own
//! diagnostics and returns `None` when the value is unusable.

use crate::diag::{Code, Diagnostic};
use crate::model::Hw;
use crate::syntax::ast::{Ident, Number, Value, ValueKind};

use super::suggest::suggestion;

/// What a quantity measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Bits,
    Bytes,
    Freq,
    Energy,
    Power,
}

impl Dim {
    fn what(self) -> &'static str {
        match self {
            Dim::Bits => "a width in bits",
            Dim::Bytes => "a size in bytes",
            Dim::Freq => "a frequency",
            Dim::Energy => "an energy",
            Dim::Power => "a power",
        }
    }

    /// The help text naming the units this dimension accepts.
    pub fn units_help(self, key: &str) -> String {
        match self {
            Dim::Bits => format!("`{key}` takes `bit`, e.g. `{key} = 16 bit;`"),
            Dim::Bytes => {
                format!("`{key}` takes a size unit (B, KiB or MiB), e.g. `{key} = 4 KiB;`")
            }
            Dim::Freq => format!(
                "`{key}` takes a frequency unit (Hz, kHz, MHz or GHz), e.g. `{key} = 200 MHz;`"
            ),
            Dim::Energy => {
                format!("`{key}` takes an energy unit (pJ or nJ), e.g. `{key} = 0.9 pJ;`")
            }
            Dim::Power => {
                format!("`{key}` takes a power unit (uW, mW or W), e.g. `{key} = 20 mW;`")
            }
        }
    }
}

/// Every unit known in v1: name, dimension, factor to the base unit
/// (bit, byte, Hz, pJ, uW).
pub const UNITS: &[(&str, Dim, u64)] = &[
    ("bit", Dim::Bits, 1),
    ("B", Dim::Bytes, 1),
    ("KiB", Dim::Bytes, 1024),
    ("MiB", Dim::Bytes, 1024 * 1024),
    ("Hz", Dim::Freq, 1),
    ("kHz", Dim::Freq, 1_000),
    ("MHz", Dim::Freq, 1_000_000),
    ("GHz", Dim::Freq, 1_000_000_000),
    ("pJ", Dim::Energy, 1),
    ("nJ", Dim::Energy, 1_000),
    ("uW", Dim::Power, 1),
    ("mW", Dim::Power, 1_000),
    ("W", Dim::Power, 1_000_000),
];

fn unit_names() -> impl Iterator<Item = &'static str> {
    UNITS.iter().map(|u| u.0)
}

/// Spellings of other conventions, and what they mean here: sizes are
/// binary (`4 KB` of SRAM is 4096 bytes, `KiB`), widths are in `bit`.
const UNIT_ALIASES: &[(&str, &str)] = &[
    ("KB", "KiB"),
    ("kB", "KiB"),
    ("kb", "KiB"),
    ("Kb", "KiB"),
    ("K", "KiB"),
    ("k", "KiB"),
    ("MB", "MiB"),
    ("mb", "MiB"),
    ("Mb", "MiB"),
    ("M", "MiB"),
    ("byte", "B"),
    ("bytes", "B"),
    ("b", "bit"),
    ("bits", "bit"),
];

/// The unit `name` was probably meant to be: a known alias, else the
/// closest unit of the key's dimension, else the closest unit at all.
fn unit_suggestion(name: &str, dim: Dim) -> Option<(&'static str, String)> {
    if let Some(&(_, to)) = UNIT_ALIASES.iter().find(|(from, _)| *from == name) {
        return Some((to, format!("did you mean `{to}`?")));
    }
    let same_dim = UNITS.iter().filter(|u| u.1 == dim).map(|u| u.0);
    suggestion(name, same_dim).or_else(|| suggestion(name, unit_names()))
}

/// Largest integer an f64 holds exactly; beyond it decimals are refused.
const F64_EXACT: f64 = 9_007_199_254_740_992.0;

/// Collects diagnostics for one conversion run.
pub struct Conv<'d> {
    pub diags: &'d mut Vec<Diagnostic>,
}

impl Conv<'_> {
    fn wrong_type(&mut self, key: &Ident, v: &Value, expected: &str, example: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::WrongType,
                format!("`{}` expects {expected}", key.name),
            )
            .with_primary(v.span, format!("this is {}", describe(v)))
            .with_help(format!("write it like `{} = {example};`", key.name)),
        );
    }

    fn int_value(
        &mut self,
        key: &Ident,
        v: &Value,
        lit: &crate::syntax::ast::IntLit,
    ) -> Option<u64> {
        match lit.value {
            Some(n) => Some(n),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        Code::IntTooLarge,
                        format!("integer for `{}` does not fit in 64 bits", key.name),
                    )
                    .with_primary(v.span, "too large")
                    .with_help(format!("the largest integer is {}", u64::MAX)),
                );
                None
            }
        }
    }

    fn no_unit(&mut self, key: &Ident, unit: &Option<Ident>) -> bool {
        if let Some(u) = unit {
            self.diags.push(
                Diagnostic::error(
                    Code::UnexpectedUnit,
                    format!("`{}` takes a plain number, not a quantity", key.name),
                )
                .with_primary(u.span, format!("unit `{}` not allowed here", u.name))
                .with_help(format!(
                    "remove the unit: `{}` counts {}",
                    key.name,
                    plain_meaning(&key.name)
                )),
            );
            return false;
        }
        true
    }

    fn negative(&mut self, key: &Ident, v: &Value, zero_ok: bool) {
        let (bound, least) = if zero_ok {
            ("zero or more", 0)
        } else {
            ("at least 1", 1)
        };
        self.diags.push(
            Diagnostic::error(
                Code::OutOfRange,
                format!("`{}` cannot be negative", key.name),
            )
            .with_primary(v.span, format!("must be {bound}"))
            .with_help(format!("the smallest `{}` is {least}", key.name)),
        );
    }

    /// A plain integer without a unit, at least 1 (a count).
    pub fn count(&mut self, key: &Ident, v: &Value) -> Option<u64> {
        self.integer(key, v, false)
    }

    /// A plain non-negative integer without a unit; a negative one is told
    /// its bound (`zero_ok`: 0 or more, else at least 1). Zero itself is
    /// left to the caller.
    fn integer(&mut self, key: &Ident, v: &Value, zero_ok: bool) -> Option<u64> {
        match &v.kind {
            ValueKind::Number {
                negative,
                number: Number::Int(lit),
                unit,
            } => {
                let unit_ok = self.no_unit(key, unit);
                if *negative && lit.value != Some(0) {
                    self.negative(key, v, zero_ok);
                    return None;
                }
                let n = self.int_value(key, v, lit)?;
                unit_ok.then_some(n)
            }
            ValueKind::Number {
                number: Number::Dec { .. },
                unit,
                ..
            } => {
                self.no_unit(key, unit);
                self.wrong_type(key, v, "a whole number", "12");
                None
            }
            _ => {
                self.wrong_type(key, v, "a whole number", "12");
                None
            }
        }
    }

    /// Reports a zero where the key needs a positive value.
    fn zero_refused(&mut self, key: &Ident, v: &Value, must: &str) {
        self.diags.push(
            Diagnostic::error(Code::OutOfRange, format!("`{}` {must}", key.name))
                .with_primary(v.span, "zero is not allowed here"),
        );
    }

    /// A positive integer without a unit.
    pub fn positive(&mut self, key: &Ident, v: &Value) -> Option<u64> {
        let n = self.count(key, v)?;
        if n == 0 {
            self.zero_refused(key, v, "must be at least 1");
            return None;
        }
        Some(n)
    }

    /// `n` (meaning `n x n`) or `h x w`. `zero_ok` allows zero (padding).
    pub fn hw(&mut self, key: &Ident, v: &Value, zero_ok: bool) -> Option<Hw> {
        let example = if zero_ok { "1 x 0" } else { "13 x 13" };
        let hw = match &v.kind {
            ValueKind::Shape(dims) => {
                if dims.len() != 2 {
                    self.diags.push(
                        Diagnostic::error(
                            Code::WrongType,
                            format!(
                                "`{}` takes two sizes (height x width), not {}",
                                key.name,
                                dims.len()
                            ),
                        )
                        .with_primary(v.span, format!("{} sizes", dims.len()))
                        .with_help(format!(
                            "write `{} = {example};`; channels and counts are separate keys",
                            key.name
                        )),
                    );
                    return None;
                }
                let h = self.int_value(key, v, &dims[0]);
                let w = self.int_value(key, v, &dims[1]);
                Hw::new(h?, w?)
            }
            ValueKind::Number { .. } => Hw::square(self.integer(key, v, zero_ok)?),
            _ => {
                self.wrong_type(key, v, "a size or `height x width`", example);
                return None;
            }
        };
        if !zero_ok && (hw.h == 0 || hw.w == 0) {
            self.diags.push(
                Diagnostic::error(
                    Code::OutOfRange,
                    format!("`{}` must be at least 1 x 1", key.name),
                )
                .with_primary(v.span, "zero is not allowed here"),
            );
            return None;
        }
        Some(hw)
    }

    /// Finds the unit, reporting unknown ones and ones of another dimension.
    fn unit(&mut self, key: &Ident, v: &Value, unit: &Option<Ident>, dim: Dim) -> Option<u64> {
        let Some(u) = unit else {
            self.diags.push(
                Diagnostic::error(Code::MissingUnit, format!("`{}` needs a unit", key.name))
                    .with_primary(v.span, format!("{} without a unit", describe(v)))
                    .with_help(dim.units_help(&key.name)),
            );
            return None;
        };
        match UNITS.iter().find(|x| x.0 == u.name) {
            Some(&(_, d, factor)) if d == dim => Some(factor),
            Some(&(_, d, _)) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::WrongUnit,
                        format!(
                            "`{}` is {}, but `{}` is {}",
                            key.name,
                            dim.what(),
                            u.name,
                            d.what()
                        ),
                    )
                    .with_primary(u.span, "wrong kind of unit")
                    .with_help(dim.units_help(&key.name)),
                );
                None
            }
            None => {
                let mut d =
                    Diagnostic::error(Code::UnknownUnit, format!("unknown unit `{}`", u.name))
                        .with_primary(u.span, "not a unit");
                d = match unit_suggestion(&u.name, dim) {
                    Some((c, s)) => d
                        .with_help(format!("{s} {}", dim.units_help(&key.name)))
                        .with_replacement(c),
                    None => d.with_help(dim.units_help(&key.name)),
                };
                self.diags.push(d);
                None
            }
        }
    }

    /// A width in whole bits of at least 1 (`help` says what to give).
    pub fn bits_at_least_one(&mut self, key: &Ident, v: &Value, help: &str) -> Option<u64> {
        let n = self.whole_quantity(key, v, Dim::Bits)?;
        if n == 0 {
            self.diags.push(
                Diagnostic::error(
                    Code::OutOfRange,
                    format!("`{}` must be at least 1 bit", key.name),
                )
                .with_primary(v.span, "zero")
                .with_help(help.to_string()),
            );
            return None;
        }
        Some(n)
    }

    /// A quantity measured in whole base units (bits, bytes, Hz).
    pub fn whole_quantity(&mut self, key: &Ident, v: &Value, dim: Dim) -> Option<u64> {
        let ValueKind::Number {
            negative,
            number,
            unit,
        } = &v.kind
        else {
            self.wrong_type(key, v, dim.what(), example(dim));
            return None;
        };
        let factor = self.unit(key, v, unit, dim)?;
        if *negative {
            self.negative(key, v, false);
            return None;
        }
        let total = match number {
            Number::Int(lit) => {
                let n = self.int_value(key, v, lit)?;
                n.checked_mul(factor)
            }
            Number::Dec { text, .. } => {
                let Some(x) = parse_decimal(text)
                    .map(|x| x * factor as f64)
                    .filter(|x| x.is_finite())
                else {
                    self.diags.push(
                        Diagnostic::error(
                            Code::IntTooLarge,
                            format!("`{}` is too large", key.name),
                        )
                        .with_primary(v.span, "not a finite number")
                        .with_help(format!(
                            "use a value that fits in 64 bits of {}",
                            base_unit(dim)
                        )),
                    );
                    return None;
                };
                if x.fract() != 0.0 {
                    self.diags.push(
                        Diagnostic::error(
                            Code::OutOfRange,
                            format!(
                                "`{}` must be a whole number of {}",
                                key.name,
                                base_unit(dim)
                            ),
                        )
                        .with_primary(v.span, format!("this is {x} {}", base_unit(dim))),
                    );
                    return None;
                }
                (x < F64_EXACT).then_some(x as u64)
            }
        };
        let Some(total) = total else {
            self.diags.push(
                Diagnostic::error(
                    Code::IntTooLarge,
                    format!(
                        "`{}` does not fit in 64 bits of {}",
                        key.name,
                        base_unit(dim)
                    ),
                )
                .with_primary(v.span, "too large"),
            );
            return None;
        };
        if total == 0 {
            self.zero_refused(key, v, "must be more than zero");
            return None;
        }
        Some(total)
    }

    /// An energy in picojoules: finite and not negative.
    pub fn energy(&mut self, key: &Ident, v: &Value) -> Option<f64> {
        self.real_quantity(key, v, Dim::Energy)
    }

    /// A non-negative real quantity (energies in pJ, powers in uW).
    pub fn real_quantity(&mut self, key: &Ident, v: &Value, dim: Dim) -> Option<f64> {
        let ValueKind::Number {
            negative,
            number,
            unit,
        } = &v.kind
        else {
            self.wrong_type(key, v, dim.what(), example(dim));
            return None;
        };
        let factor = self.unit(key, v, unit, dim)?;
        let x = match number {
            // Parse the digits as a float: a long integer is still an energy.
            Number::Int(lit) => lit.value.map(|n| n as f64),
            Number::Dec { text, .. } => parse_decimal(text),
        }
        .map(|x| x * factor as f64);
        match x {
            Some(x) if x.is_finite() => {
                if *negative && x != 0.0 {
                    self.negative(key, v, true);
                    return None;
                }
                Some(x)
            }
            _ => {
                self.diags.push(
                    Diagnostic::error(Code::IntTooLarge, format!("`{}` is too large", key.name))
                        .with_primary(v.span, "not a finite number"),
                );
                None
            }
        }
    }

    /// `on` or `off`.
    pub fn switch(&mut self, key: &Ident, v: &Value) -> Option<bool> {
        match &v.kind {
            ValueKind::Word(w) if w.name == "on" => Some(true),
            ValueKind::Word(w) if w.name == "off" => Some(false),
            _ => {
                self.wrong_type(key, v, "`on` or `off`", "on");
                None
            }
        }
    }

    /// `true` or `false` (a layer's `transposed`).
    pub fn boolean(&mut self, key: &Ident, v: &Value) -> Option<bool> {
        match &v.kind {
            ValueKind::Word(w) if w.name == "true" => Some(true),
            ValueKind::Word(w) if w.name == "false" => Some(false),
            _ => {
                self.wrong_type(key, v, "`true` or `false`", "true");
                None
            }
        }
    }

    pub fn string(&mut self, key: &Ident, v: &Value) -> Option<String> {
        self.string_like(key, v, "\"ddr4-1866\"")
    }

    /// A string; a value of another type is told `example` (quoted).
    pub fn string_like(&mut self, key: &Ident, v: &Value, example: &str) -> Option<String> {
        match &v.kind {
            ValueKind::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(key, v, "a string", example);
                None
            }
        }
    }
}

fn parse_decimal(text: &str) -> Option<f64> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    clean.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn base_unit(dim: Dim) -> &'static str {
    match dim {
        Dim::Bits => "bits",
        Dim::Bytes => "bytes",
        Dim::Freq => "Hz",
        Dim::Energy => "pJ",
        Dim::Power => "uW",
    }
}

fn example(dim: Dim) -> &'static str {
    match dim {
        Dim::Bits => "16 bit",
        Dim::Bytes => "4 KiB",
        Dim::Freq => "200 MHz",
        Dim::Energy => "0.9 pJ",
        Dim::Power => "20 mW",
    }
}

/// What a unitless key counts, for the "remove the unit" help.
fn plain_meaning(key: &str) -> &'static str {
    if key.starts_with("rf.") {
        "register-file entries"
    } else if key.starts_with("pipeline.") {
        "cycles"
    } else if key.starts_with("noc.") {
        "elements per cycle"
    } else if key == "fifo.depth" {
        "queue entries"
    } else if key.starts_with("glb.") {
        "banks"
    } else {
        "a plain number, without a unit"
    }
}

/// How a value reads in a message: "a shape", "a string", ...
pub fn describe(v: &Value) -> &'static str {
    match &v.kind {
        ValueKind::Number {
            number: Number::Int(_),
            unit: None,
            ..
        } => "an integer",
        ValueKind::Number {
            number: Number::Dec { .. },
            unit: None,
            ..
        } => "a decimal number",
        ValueKind::Number { .. } => "a quantity",
        ValueKind::Shape(_) => "a shape",
        ValueKind::Str(_) => "a string",
        ValueKind::Word(_) => "a word",
    }
}
