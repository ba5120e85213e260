//! Hostile input: megabytes of random bytes and deep nesting must give
//! diagnostics, never a panic, a stack overflow or unbounded memory.

use cnnc::frontend::{parse_and_check, parse_and_check_bytes};

use crate::common::Rng;

const CHUNK: usize = 64 * 1024;

#[test]
fn ten_megabytes_of_random_bytes() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // Half raw bytes (mostly invalid UTF-8, also fed lossily), half text
    // drawn from the language's own characters, which reaches the parser
    // and checker far more often.
    let alphabet = b"layer arch network mapping x{};=:-\"\\/*0123456789 \n\t._ifmapfilterKiBMHzpJ";
    let mut total = 0;
    let mut chunk = vec![0u8; CHUNK];
    for round in 0.. {
        if total >= 10 * 1024 * 1024 {
            break;
        }
        let text_like = round % 2 == 1;
        for b in chunk.iter_mut() {
            let r = rng.next();
            *b = if text_like {
                alphabet[(r % alphabet.len() as u64) as usize]
            } else {
                r as u8
            };
        }
        if text_like {
            let s = std::str::from_utf8(&chunk).unwrap();
            let r = parse_and_check(s);
            assert!(r.is_err() || r.is_ok());
        } else {
            assert!(parse_and_check_bytes(&chunk).is_err());
            let lossy = String::from_utf8_lossy(&chunk);
            assert!(parse_and_check(&lossy).is_err());
        }
        total += CHUNK;
    }
}

#[test]
fn deeply_nested_comments() {
    let src = "/*".repeat(100_000);
    let diags = parse_and_check(&src).unwrap_err();
    assert_eq!(diags[0].code, "E0002");
    let closed = format!(
        "{}{}layer a {{ ifmap = 5; filter = 3; }}",
        "/*".repeat(100_000),
        "*/".repeat(100_000)
    );
    assert!(parse_and_check(&closed).is_ok());
}

#[test]
fn deeply_nested_braces() {
    for src in [
        "{".repeat(100_000),
        format!("layer a {}", "{".repeat(100_000)),
        format!("network n {{ layer a {{ mapping {} ", "{".repeat(100_000)),
        format!(
            "layer a {{ ifmap = 5; filter = 3; }}{}",
            "}".repeat(100_000)
        ),
    ] {
        let diags = parse_and_check(&src).unwrap_err();
        assert!(!diags.is_empty());
        assert!(diags.len() <= cnnc::frontend::MAX_DIAGNOSTICS + 1);
    }
}

#[test]
fn many_declarations_and_a_long_base_chain() {
    // 20 000 archs each deriving from the previous: resolution is linear.
    let mut src = String::from("arch a0 : eyeriss { }\n");
    for i in 1..20_000 {
        src.push_str(&format!("arch a{i} : a{} {{ rf.psum = {}; }}\n", i - 1, i));
    }
    let desc = parse_and_check(&src).unwrap();
    assert_eq!(desc.arch("a19999").unwrap().rf_psum, 19_999);
}
