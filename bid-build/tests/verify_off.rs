//! Without the `verify` feature the clang layout checks are compiled out: say so in the run,
//! and show that asking for them is an error rather than a silent pass.

#![cfg(not(feature = "verify"))]

use std::io::Write as _;

#[test]
fn verify_tests_did_not_run_without_the_feature() {
    let _ = writeln!(
        std::io::stderr(),
        "note: bid-build was built without the `verify` feature: the clang layout \
         verification tests did not run (cargo test --features bid-build/verify; needs libclang)"
    );
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("verify-off");
    let bid = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/valid/records.bid.yaml"
    );
    let err = bid_build::Builder::new()
        .file(bid)
        .out_dir(&out)
        .verify_layouts(true)
        .generate()
        .expect_err("verification cannot run without the feature");
    assert!(
        err.render().contains("`verify` feature"),
        "{}",
        err.render()
    );
}
