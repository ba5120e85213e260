//! Runs one command: read the file, parse and check it, pick the target and
//! arch, hand the request to the back end, print the result. Returns the
//! exit status (0 ok, 1 input errors, 2 usage errors).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

pub mod dram_cmd;
mod import_cmd;
mod sweep_cmd;

use crate::api::{self, Failure, Input, RunOptions};
use crate::backend;
use crate::cli::{Cli, DiagnosticsStyle, RunArgs, Subcommand};
use crate::diag::render::{render, Style};
use crate::diag::{Code, Diagnostic};
use crate::flags;
use crate::frontend;
use crate::io::outfile::OutError;
use crate::io::OutFile;
use crate::options::{Emit, Format};
use dram_cmd::DramArgs;

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
            match dram_cmd::run_cli(&args) {
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

pub(crate) use crate::api::Loaded;
pub use crate::api::{select_arch, select_target};

/// Reads and checks `path`; on failure prints why and returns the status.
pub(crate) fn load(path: &Path, style: DiagnosticsStyle, io: &mut Io) -> Result<Loaded, i32> {
    api::load(Input::Path(path)).map_err(|f| report_failure(io, &f, style))
}

/// Prints a failed call's diagnostics; the status is always 1 (input).
pub(crate) fn report_failure(io: &mut Io, f: &Failure, style: DiagnosticsStyle) -> i32 {
    report(io, &f.diagnostics, &f.file, &f.source, style);
    EXIT_INPUT
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

/// Runs `request` writing its report as it goes: to stdout, or into the
/// temporary file of `-o` (returned, to be put in place once the side
/// files are written). A failed write is E0920.
fn stream_main(
    io: &mut Io,
    request: &backend::Request<'_>,
    main_out: Option<OutFile>,
) -> Result<(backend::Output, Option<OutFile>), Vec<Diagnostic>> {
    let halted = |h: backend::Halt, what: &dyn Fn(std::io::Error) -> Diagnostic| match h {
        backend::Halt::Diagnostics(d) => d,
        backend::Halt::Write(e) => vec![what(e)],
    };
    match main_out {
        Some(f) => {
            let path = f.path().to_path_buf();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
            let written = backend::run_into(request, &mut w, false)
                .and_then(|o| w.flush().map(|()| o).map_err(backend::Halt::Write));
            let output = written
                .map_err(|h| halted(h, &|e| out_error(&path, OutError::Io(e.to_string()))))?;
            let f = w
                .into_inner()
                .map_err(|e| vec![out_error(&path, OutError::Io(e.error().to_string()))])?;
            Ok((output, Some(f)))
        }
        None => {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut *io.out);
            let written = backend::run_into(request, &mut w, false)
                .and_then(|o| w.flush().map(|()| o).map_err(backend::Halt::Write));
            let output = written
                .map_err(|h| halted(h, &|e| cannot_write("standard output", &e.to_string())))?;
            Ok((output, None))
        }
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
            Format::Json => {
                let v = serde_json::to_value(desc).map(crate::schema::stamped);
                v.and_then(|v| serde_json::to_string_pretty(&v))
                    .unwrap_or_default()
                    + "\n"
            }
            // Refused by flags::conflicts.
            Format::Csv => return EXIT_USAGE,
        };
        return match write_main(io, out, &text) {
            Ok(()) => EXIT_OK,
            Err(d) => fail(io, &[d]),
        };
    }
    let options = RunOptions {
        layer: args.layer.clone(),
        arch: args.arch.clone(),
        sets: args.set.clone(),
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
    };
    let prepared = match api::prepare(&loaded, &options) {
        Ok(p) => p,
        Err(f) => return report_failure(io, &f, args.diagnostics),
    };
    let request = backend::Request {
        pe_stats: args.pe_stats.clone(),
        dram_trace: args.dram_trace.clone(),
        summary: args.summary.clone(),
        ..prepared.request()
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
    // With figures the report waits for them (written whole first; if they
    // cannot be, nothing else is written either). Otherwise it is written
    // as the run goes: a network's rows as its layer-passes finish.
    let (output, main_out) = if args.plot.is_some() {
        let output = match backend::run(&request) {
            Ok(o) => o,
            Err(diags) => return fail(io, &diags),
        };
        if let Err(diags) =
            crate::plot::run_figures(args.plot.as_deref(), &output.reports, output.compared)
        {
            return fail(io, &diags);
        }
        if let Err(d) = write_main(io, main_out.take(), &output.text) {
            return fail(io, &[d]);
        }
        (output, None)
    } else {
        match stream_main(io, &request, main_out.take()) {
            Ok(done) => done,
            Err(diags) => return fail(io, &diags),
        }
    };
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
    // `-o`: the report, written into its temporary file, put in place.
    if let Some(f) = main_out {
        let p = f.path().to_path_buf();
        if let Err(e) = f.finish() {
            problems.push(out_error(&p, e));
        }
    }
    if problems.is_empty() {
        EXIT_OK
    } else {
        fail(io, &problems)
    }
}
