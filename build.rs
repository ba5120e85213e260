fn main() {
    // Only the grammar and this script feed the build script: without these
    // lines cargo reruns it (and regenerates the parser) whenever any file
    // of the package changes.
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=grammar");
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .emit_rerun_directives(true)
        .process()
        .expect("lalrpop grammar in grammar/ must compile");
}
