//! Lists the golden Rust files so a new fixture is compiled without editing this crate.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("../../fixtures/valid");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut goldens: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".expected.rs"))
                .collect()
        })
        .unwrap_or_default();
    goldens.sort();
    let mut out = String::new();
    for path in &goldens {
        println!("cargo:rerun-if-changed={}", path.display());
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        let stem = file.trim_end_matches(".expected.rs");
        let module: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        writeln!(
            out,
            "/// Golden bindings of `{file}`.\npub mod golden_{module} {{\n    include!({:?});\n}}",
            abs.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("goldens.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
