//! Raw bytes into the language server's bounded transport (see
//! `cnnc::lsp::transport::fuzz_one`): header lines, `Content-Length`
//! values and bodies of any shape must end in a message or a refusal,
//! never a panic or an allocation past the transport's caps.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cnnc::lsp::transport::fuzz_one(data);
});
