//! Arbitrary bytes through lexer, parser, checker, renderers and the
//! print/re-check round trip (see `cnnc::frontend::fuzz_one`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cnnc::frontend::fuzz_one(data);
});
