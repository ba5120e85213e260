//! Runs one command: read the file, parse and check it, pick the target and
//! arch, hand the request to the back end, print the result. Returns the
//! exit status (0 ok, 1 input errors, 2 usage errors).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

mod import_cmd;
mod sweep_cmd;

use crate::backend::{self, Request, Target};
use crate::check::suggest::did_you_mean;
use crate::cli::{Cli, DiagnosticsStyle, RunArgs, Subcommand};
use crate::cost::dram::{self, DramArgs};
use crate::diag::render::{render, Style};
use crate::diag::{Code, Diagnostic};
use crate::flags;
use crate::frontend;
use crate::io::outfile::OutError;
use crate::io::{read_capped, OutFile, ReadError};
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
    // The language server's writer thread takes stdout; locking it here
    // would block that thread for good.
    if matches!(cli.subcommand, Some(Subcommand::Lsp)) {
        return crate::lsp::run();
    }
    let mut out = crate::io::stdout::checked_stdout();
    let stderr = std::io::stderr();
    let color = stderr.is_terminal();
    // stderr stays unlocked: progress bars draw on it from worker threads.
    let mut err = stderr;
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
    match &cli.subcommand {
        Some(Subcommand::Check { file, diagnostics }) => match load(file, *diagnostics, io) {
            Ok(_) => EXIT_OK,
            Err(code) => code,
        },
        Some(Subcommand::Dram {
            trace,
            memspec,
            format,
            diagnostics,
        }) => {
            let args = DramArgs {
                trace: trace.clone(),
                memspec: memspec.clone(),
                format: *format,
            };
            let name = trace.display().to_string();
            match dram::run_cli(&args) {
                Ok(text) => match write_stdout(io, &text) {
                    Ok(()) => EXIT_OK,
                    Err(d) => {
                        report(io, &[d], &name, "", *diagnostics);
                        EXIT_INPUT
                    }
                },
                Err(d) => {
                    let usage = d.code == Code::ConflictingOptions;
                    report(io, &[d], &name, "", *diagnostics);
                    if usage {
                        EXIT_USAGE
                    } else {
                        EXIT_INPUT
                    }
                }
            }
        }
        Some(Subcommand::Lsp) => crate::lsp::run(),
        Some(Subcommand::Import(a)) => import_cmd::run(a, io),
        Some(Subcommand::Sweep(a)) => sweep_cmd::run(a, io),
        Some(Subcommand::SweepMerge(a)) => sweep_cmd::run_merge(a, io),
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
    let bytes = match read_capped(path, frontend::MAX_SOURCE_BYTES as u64) {
        Ok(b) => b,
        Err(e) => {
            let d = match e {
                ReadError::Unreadable(why) => {
                    Diagnostic::error(Code::CannotRead, format!("cannot read `{name}`: {why}"))
                        .with_help("give the path of a regular .cnn file")
                }
                ReadError::TooLarge { cap } => frontend::too_large(cap),
            };
            report(io, &[d], &name, "", style);
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

/// The bytes of an input of a subcommand (`import`, `sweep-merge`): a
/// regular file of at most `cap` bytes, or E0921 naming why not.
pub(crate) fn read_input(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>, Diagnostic> {
    read_capped(path, cap).map_err(|e| {
        let why = match e {
            ReadError::Unreadable(why) => why,
            ReadError::TooLarge { cap } => format!("it is larger than the {} MiB cap", cap >> 20),
        };
        Diagnostic::error(
            Code::CannotRead,
            format!("cannot read `{}`: {why}", path.display()),
        )
        .with_help(format!("give the path of a regular {what} file"))
    })
}

/// Writes the report to stdout; a failed write (a full disk, a closed
/// pipe) is E0920.
fn write_stdout(io: &mut Io, text: &str) -> Result<(), Diagnostic> {
    io.out
        .write_all(text.as_bytes())
        .and_then(|()| io.out.flush())
        .map_err(|e| cannot_write("standard output", &e.to_string()))
}

fn cannot_write(what: &str, why: &str) -> Diagnostic {
    Diagnostic::error(Code::CannotWrite, format!("cannot write {what}: {why}"))
        .with_help("check that the directory exists, is writable and has space")
}

pub(crate) fn out_error(path: &Path, e: OutError) -> Diagnostic {
    match e {
        OutError::IsInput(input) => Diagnostic::error(
            Code::OutputIsInput,
            format!(
                "output `{}` is the input file `{}`",
                path.display(),
                input.display()
            ),
        )
        .with_help("name another output file; cnnc never overwrites its input"),
        OutError::Io(why) => cannot_write(&format!("`{}`", path.display()), &why),
    }
}

/// The report to `-o PATH` (prepared before the run) or to stdout.
pub(crate) fn write_main(io: &mut Io, out: Option<OutFile>, text: &str) -> Result<(), Diagnostic> {
    match out {
        Some(f) => {
            let path = f.path().to_path_buf();
            f.commit(text.as_bytes()).map_err(|e| out_error(&path, e))
        }
        None => write_stdout(io, text),
    }
}

/// Creates every output file of the run before the work starts: a path
/// that cannot be written, or that names the input, is refused up front.
fn prepare_outputs(paths: &[PathBuf], input: &Path) -> Result<Vec<OutFile>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        match OutFile::create(p, &[input]) {
            Ok(f) => files.push(f),
            Err(e) => diags.push(out_error(p, e)),
        }
    }
    if diags.is_empty() {
        Ok(files)
    } else {
        Err(diags)
    }
}

fn run_file(args: &RunArgs, io: &mut Io) -> i32 {
    if args.list_passes {
        let text: String = backend::list_passes()
            .into_iter()
            .map(|(name, about)| format!("{name}  {about}\n"))
            .collect();
        let out = match args.output.as_deref().map(|p| OutFile::create(p, &[])) {
            None => None,
            Some(Ok(f)) => Some(f),
            Some(Err(e)) => {
                let p = args.output.as_deref().unwrap_or(Path::new(""));
                report(io, &[out_error(p, e)], "cnnc", "", args.diagnostics);
                return EXIT_INPUT;
            }
        };
        return match write_main(io, out, &text) {
            Ok(()) => EXIT_OK,
            Err(d) => {
                report(io, &[d], "cnnc", "", args.diagnostics);
                EXIT_INPUT
            }
        };
    }
    let Some(path) = &args.file else {
        // clap requires FILE unless --list-passes; keep a message anyway.
        let _ = writeln!(io.err, "cnnc: no input file given");
        return EXIT_USAGE;
    };
    let name = path.display().to_string();
    let conflicts = flags::conflicts(args);
    if !conflicts.is_empty() {
        report(io, &conflicts, &name, "", args.diagnostics);
        return EXIT_USAGE;
    }
    let loaded = match load(path, args.diagnostics, io) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let desc = &loaded.desc;
    let fail = |io: &mut Io, diags: &[Diagnostic]| {
        report(io, diags, &loaded.name, &loaded.source, args.diagnostics);
        EXIT_INPUT
    };
    if args.emit == Emit::Ast {
        let out = match prepare_outputs(args.output.as_slice(), path) {
            Ok(mut f) => f.pop(),
            Err(d) => return fail(io, &d),
        };
        let text = match args.format {
            Format::Text => frontend::print(desc),
            Format::Json => serde_json::to_string_pretty(desc).unwrap_or_default() + "\n",
            // Refused by flags::conflicts.
            Format::Csv => return EXIT_USAGE,
        };
        return match write_main(io, out, &text) {
            Ok(()) => EXIT_OK,
            Err(d) => fail(io, &[d]),
        };
    }
    let selection = select_target(desc, args.layer.as_deref(), &loaded.name)
        .and_then(|t| select_arch(desc, &args.arch).map(|a| (t, a)));
    let (target, arch) = match selection {
        Ok(x) => x,
        Err(d) => return fail(io, &[d]),
    };
    let arch = match sweep_cmd::with_sets(&arch, &args.set, args.diagnostics, io) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let request = Request {
        target,
        arch: &arch,
        pass: args.pass,
        dataflow: args.dataflow,
        gflow_group: args.search.gflow_group,
        objective: args.search.objective,
        verify: args.verify,
        emit: args.emit,
        format: args.format,
        seed: args.seed,
        after: args.after.clone(),
        compare: args.compare,
        pe_stats: args.pe_stats.clone(),
        dram_trace: args.dram_trace.clone(),
        summary: args.summary.clone(),
    };
    let side_paths = backend::side_file_paths(&request);
    if let Some(d) = flags::clashing_outputs(args.output.as_deref(), &side_paths) {
        report(io, &[d], &loaded.name, "", args.diagnostics);
        return EXIT_USAGE;
    }
    let (mut main_out, side_out) = match (
        prepare_outputs(args.output.as_slice(), path),
        prepare_outputs(&side_paths, path),
    ) {
        (Ok(mut m), Ok(s)) => (m.pop(), s),
        (m, s) => {
            let diags: Vec<Diagnostic> =
                [m.err(), s.err()].into_iter().flatten().flatten().collect();
            return fail(io, &diags);
        }
    };
    let output = match backend::run(&request) {
        Ok(o) => o,
        Err(diags) => return fail(io, &diags),
    };
    // Figures are written whole (each through a temp file) after the run;
    // if they cannot be, nothing else is written either.
    if let Err(diags) = crate::plot::run_figures(args.plot.as_deref(), &output.reports) {
        return fail(io, &diags);
    }
    let mut problems = output.refusals;
    // Side files: each written whole; one the run did not produce (its
    // layer was refused) is not created.
    let mut made: std::collections::HashMap<PathBuf, String> = output.files.into_iter().collect();
    for f in side_out {
        if let Some(text) = made.remove(f.path()) {
            let p = f.path().to_path_buf();
            if let Err(e) = f.commit(text.as_bytes()) {
                problems.push(out_error(&p, e));
            }
        }
    }
    if let Err(d) = write_main(io, main_out.take(), &output.text) {
        problems.push(d);
    }
    if problems.is_empty() {
        EXIT_OK
    } else {
        fail(io, &problems)
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
