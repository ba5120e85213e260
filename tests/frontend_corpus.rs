//! Runs the fuzz target's entry function on every saved input in
//! tests/corpus/ (examples, bad inputs, truncations, random bytes), so the
//! main test run covers what fuzzing found without building the fuzzer.

#[test]
fn corpus_never_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "corpus has {} files", files.len());
    for path in files {
        let data = std::fs::read(&path).unwrap();
        cnnc::frontend::fuzz_one(&data);
    }
}
