//! Runs one command: read the file, parse and check it, pick the target and
//! arch, hand the request to the back end, print the result. Returns the
//! exit status (0 ok, 1 input errors, 2 usage errors).

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::backend::{self, Request, Target};
use crate::check::suggest::did_you_mean;
use crate::cli::{Cli, Command, DiagnosticsStyle, RunArgs};
use crate::cost::dram::{self, DramArgs};
use crate::diag::render::{render, Style};
use crate::diag::{codes, Diagnostic};
use crate::frontend;
use crate::model::{Arch, Description};
use crate::options::{Emit, Format};

pub const EXIT_OK: i32 = 0;
pub const EXIT_INPUT: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Where output goes; tests pass buffers.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Colour in rich diagnostics.
    pub color: bool,
}

/// Runs with the process's stdout and stderr.
pub fn run(cli: &Cli) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let color = stderr.is_terminal();
    // stderr stays unlocked: progress bars draw on it from worker threads.
    let (mut out, mut err) = (stdout.lock(), stderr);
    run_with(
        cli,
        &mut Io {
            out: &mut out,
            err: &mut err,
            color,
        },
    )
}

pub fn run_with(cli: &Cli, io: &mut Io) -> i32 {
    match &cli.command {
        Some(Command::Check { file, diagnostics }) => match load(file, *diagnostics, io) {
            Ok(_) => EXIT_OK,
            Err(code) => code,
        },
        Some(Command::Dram {
            trace,
            memspec,
            format,
        }) => {
            let args = DramArgs {
                trace: trace.clone(),
                memspec: memspec.clone(),
                format: *format,
            };
            match dram::run_cli(&args) {
                Ok(text) => write_out(io, None, &text),
                Err(msg) => {
                    let _ = writeln!(io.err, "cnnc: {msg}");
                    EXIT_INPUT
                }
            }
        }
        Some(Command::Import(a)) => crate::import::cli::run(a, io),
        Some(Command::Sweep(a)) => crate::sweep::cli::run(a, io),
        Some(Command::SweepMerge(a)) => crate::sweep::cli::run_merge(a, io),
        None => run_file(&cli.run, io),
    }
}

/// A source file read and checked, with what is needed to report on it.
pub(crate) struct Loaded {
    pub(crate) name: String,
    pub(crate) source: String,
    pub(crate) desc: Description,
}

/// Reads and checks `path`; on failure prints why and returns the status.
pub(crate) fn load(path: &Path, style: DiagnosticsStyle, io: &mut Io) -> Result<Loaded, i32> {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(io.err, "cnnc: cannot read `{name}`: {e}");
            return Err(EXIT_INPUT);
        }
    };
    let source = String::from_utf8_lossy(&bytes).into_owned();
    match frontend::parse_and_check_bytes(&bytes) {
        Ok(desc) => Ok(Loaded { name, source, desc }),
        Err(diags) => {
            report(io, &diags, &name, &source, style);
            Err(EXIT_INPUT)
        }
    }
}

pub(crate) fn report(
    io: &mut Io,
    diags: &[Diagnostic],
    name: &str,
    source: &str,
    style: DiagnosticsStyle,
) {
    let style: Style = style.into();
    let text = render(diags, name, source, style, io.color && style == Style::Rich);
    let _ = io.err.write_all(text.as_bytes());
}

pub(crate) fn write_out(io: &mut Io, path: Option<&Path>, text: &str) -> i32 {
    match path {
        Some(p) => match std::fs::write(p, text) {
            Ok(()) => EXIT_OK,
            Err(e) => {
                let _ = writeln!(io.err, "cnnc: cannot write `{}`: {e}", p.display());
                EXIT_INPUT
            }
        },
        None => {
            let _ = io.out.write_all(text.as_bytes());
            let _ = io.out.flush();
            EXIT_OK
        }
    }
}

fn run_file(args: &RunArgs, io: &mut Io) -> i32 {
    if args.list_passes {
        let text: String = backend::list_passes()
            .into_iter()
            .map(|(name, about)| format!("{name}  {about}\n"))
            .collect();
        return write_out(io, args.output.as_deref(), &text);
    }
    let Some(path) = &args.file else {
        // clap requires FILE unless --list-passes; keep a message anyway.
        let _ = writeln!(io.err, "cnnc: no input file given");
        return EXIT_USAGE;
    };
    let loaded = match load(path, args.diagnostics, io) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let desc = &loaded.desc;
    if args.emit == Emit::Ast {
        let text = match args.format {
            Format::Text => frontend::print(desc),
            Format::Json => serde_json::to_string_pretty(desc).unwrap_or_default() + "\n",
            Format::Csv => {
                let _ = writeln!(
                    io.err,
                    "cnnc: `--emit ast` prints text or json; csv is for `--emit stats`"
                );
                return EXIT_USAGE;
            }
        };
        return write_out(io, args.output.as_deref(), &text);
    }
    let selection = select_target(desc, args.layer.as_deref(), &loaded.name)
        .and_then(|t| select_arch(desc, &args.arch).map(|a| (t, a)));
    let (target, arch) = match selection {
        Ok(x) => x,
        Err(d) => {
            report(io, &[d], &loaded.name, &loaded.source, args.diagnostics);
            return EXIT_INPUT;
        }
    };
    let arch = match crate::sweep::cli::with_sets(&arch, &args.set, args.diagnostics, io) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let request = Request {
        target,
        arch: &arch,
        pass: args.pass,
        dataflow: args.dataflow,
        gflow_group: args.gflow_group,
        emit: args.emit,
        format: args.format,
        seed: args.seed,
        after: args.after.clone(),
        compare: args.compare,
        pe_stats: args.pe_stats.clone(),
        dram_trace: args.dram_trace.clone(),
        summary: args.summary.clone(),
    };
    match backend::run(&request) {
        Ok(text) => match crate::plot::run_figures(args.plot.as_deref(), &request) {
            Ok(()) => write_out(io, args.output.as_deref(), &text),
            Err(diags) => {
                report(io, &diags, &loaded.name, &loaded.source, args.diagnostics);
                EXIT_INPUT
            }
        },
        Err(diags) => {
            report(io, &diags, &loaded.name, &loaded.source, args.diagnostics);
            EXIT_INPUT
        }
    }
}

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
            codes::UNKNOWN_LAYER,
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
            codes::NOTHING_TO_RUN,
            format!("`{file}` declares no layer to simulate"),
        )
        .with_help("add a `layer NAME { ifmap = ...; filter = ...; }` declaration"));
    }
    Err(Diagnostic::error(
        codes::AMBIGUOUS_TARGET,
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
            .chain(std::iter::once("eyeriss"))
            .collect();
        let d = Diagnostic::error(codes::UNKNOWN_ARCH, format!("no arch named `{name}`"));
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
