//! `cnnc lsp`: a language server for `.cnn` files over stdin/stdout
//! (lsp-server for the transport, lsp-types for the messages). It checks
//! open documents as they change and publishes cnnc's diagnostics, and
//! answers hover, definition, completion, symbols, formatting and quick
//! fixes. See docs/editors.md.

mod analysis;
mod capabilities;
mod code_actions;
mod completion;
mod definition;
mod diagnostics;
mod documents;
mod formatting;
mod hover;
mod keys;
mod locate;
mod macs;
mod position;
mod server;
mod symbols;
pub mod transport;

/// Serves one client on stdin/stdout; returns the exit status (0 after
/// `shutdown` then `exit`, 1 otherwise).
pub fn run() -> i32 {
    let (sender, receiver, io_threads) = transport::stdio();
    let conn = lsp_server::Connection { sender, receiver };
    let end = server::serve(&conn);
    // The writer thread flushes what is queued once the sender is gone.
    drop(conn);
    if end == server::End::Unwritable {
        return 1;
    }
    match io_threads.join() {
        Ok(()) if end == server::End::Clean => 0,
        Ok(()) => 1,
        Err(fault) => {
            let text = crate::diag::render::render(
                &[fault.diagnostic()],
                "cnnc lsp",
                "",
                crate::diag::render::Style::Rich,
                false,
            );
            eprint!("{text}");
            1
        }
    }
}
