//! Runs the fuzz target's entry function on every saved input in
//! tests/corpus/ (truncations, token soups, random bytes and other finds)
//! and on the test inputs and examples themselves (tests/ui/, examples/),
//! so the main test run covers what fuzzing found without building the
//! fuzzer, and the corpus keeps no copies of other inputs.

#[test]
fn corpus_never_panics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/corpus", "tests/ui", "examples"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        files.extend(paths);
    }
    assert!(files.len() >= 30, "corpus has {} files", files.len());
    for path in files {
        let data = std::fs::read(&path).unwrap();
        cnnc::frontend::fuzz_one(&data);
    }
}
