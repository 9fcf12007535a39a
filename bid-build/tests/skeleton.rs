//! `Builder::skeleton_dir` writes a plugin skeleton once and never over the author's edits.

use bid_build::Builder;
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bid-build-skeleton")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn generate(out: &Path, skeletons: &Path, bid: &str) -> bid_build::Generated {
    Builder::new()
        .file(bid)
        .out_dir(out)
        .skeleton_dir(skeletons)
        .generate()
        .unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn a_skeleton_is_written_once_and_never_over_an_edited_file() {
    let dir = scratch("once");
    let (out, skeletons) = (dir.join("out"), dir.join("plugin"));
    let bid = "../fixtures/valid/filebox.bid.yaml";
    let first = generate(&out, &skeletons, bid);
    let path = first.outputs[0]
        .skeleton
        .clone()
        .expect("skeleton_dir was given");
    assert_eq!(path, skeletons.join("filebox.skeleton.c"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        bid_schema::emit::skeleton::skeleton(&first.outputs[0].model, "filebox.h")
    );
    assert!(text.contains("#include \"filebox.h\""), "{text}");

    let edited = text.replace("return BID_E_UNSUPPORTED;", "return BID_OK;");
    assert_ne!(edited, text);
    std::fs::write(&path, &edited).unwrap();
    let again = generate(&out, &skeletons, bid);
    assert_eq!(again.outputs[0].skeleton.as_ref(), Some(&path));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        edited,
        "kept as edited"
    );

    // Another BID file for the same stem changes the header, still not the skeleton.
    let other = dir.join("filebox.bid.yaml");
    std::fs::copy(bid, &other).unwrap();
    let mut yaml = std::fs::read_to_string(&other).unwrap();
    yaml = yaml
        .replace("name: close", "name: shut")
        .replace("release: close", "release: shut");
    std::fs::write(&other, yaml).unwrap();
    let changed = generate(&out, &skeletons, other.to_str().unwrap());
    let header = std::fs::read_to_string(&changed.outputs[0].header).unwrap();
    assert!(
        header.contains("nyash_file_shut("),
        "the header follows the BID file"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        edited,
        "kept as edited"
    );

    // Deleted, it comes back.
    std::fs::remove_file(&path).unwrap();
    generate(&out, &skeletons, bid);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn without_skeleton_dir_no_skeleton_is_written() {
    let out = scratch("none");
    let generated = Builder::new()
        .file("../fixtures/valid/records.bid.yaml")
        .out_dir(&out)
        .generate()
        .unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(generated.outputs[0].skeleton, None);
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".c")), "{names:?}");
}

#[test]
fn write_if_absent_reports_whether_it_wrote() {
    let dir = scratch("absent");
    let path = dir.join("sub/x.c");
    assert!(bid_build::write_if_absent(&path, "one").unwrap());
    assert!(!bid_build::write_if_absent(&path, "two").unwrap());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
}
