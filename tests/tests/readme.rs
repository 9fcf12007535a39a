//! The README's quick start (also `examples/kv`), built as a newcomer would: its files
//! written into a fresh crate outside the workspace (with bid checked out next to it), built
//! with cargo, run; then the C file edited, and cargo must rebuild the plugin and show the
//! compiler's warning.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Every fenced block of the README whose info string names a file: `toml Cargo.toml`.
fn files(readme: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let name = info.split_whitespace().nth(1).map(str::to_owned);
        let mut body = String::new();
        for line in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            body.push_str(line);
            body.push('\n');
        }
        if let Some(name) = name {
            out.push((name, body));
        }
    }
    out
}

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .arg("--offline")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        // The outer `cargo test` sets these for its own crate; the new crate must not see them.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_MANIFEST_DIR")
        .env_remove("CARGO_PKG_NAME")
        .output()
        .expect("cargo runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeeded(what: &str, o: &Output) -> String {
    let stderr = text(&o.stderr);
    assert!(o.status.success(), "{what} failed:\n{stderr}");
    stderr
}

#[test]
fn the_quick_start_builds_runs_and_rebuilds_as_written() {
    let workspace = bid_tests::tests_dir().join("..");
    let readme = std::fs::read_to_string(workspace.join("README.md")).unwrap();
    let files = files(&readme);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Cargo.toml",
            "kv.bid.yaml",
            "build.rs",
            "plugin/kv.c",
            "src/main.rs"
        ]
    );

    // examples/kv is the same crate inside the workspace (the doctests build its plugin).
    for (name, body) in files.iter().filter(|(n, _)| n != "Cargo.toml") {
        let example = std::fs::read_to_string(workspace.join("examples/kv").join(name)).unwrap();
        assert_eq!(&example, body, "examples/kv/{name} differs from the README");
    }

    // Outside the workspace's directory, or cargo would take the crate for a member.
    let root = std::env::temp_dir().join(format!("bid-readme-{}", std::process::id()));
    let krate = root.join("kv-host");
    std::fs::create_dir_all(&krate).unwrap();
    let bid = root.join("bid");
    #[cfg(unix)]
    std::os::unix::fs::symlink(workspace.canonicalize().unwrap(), &bid).unwrap();
    #[cfg(not(unix))]
    panic!("the quick start test links the checkout with a Unix symlink");
    for (name, body) in &files {
        let path = krate.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    // The versions the workspace was tested with, so the build needs no network.
    std::fs::copy(workspace.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    // Kept between runs: the dependencies build once.
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("readme-target");

    // Built as written, and the generated bindings in a module of a binary raise no warning.
    let stderr = succeeded(
        "cargo rustc -D warnings",
        &cargo(&krate, &target, &["rustc", "--", "-D", "warnings"]),
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    let run = cargo(&krate, &target, &["run", "-q"]);
    succeeded("cargo run", &run);
    let stdout = text(&run.stdout);
    let expected = readme
        .split("`cargo run` prints:\n\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README shows what cargo run prints");
    assert_eq!(stdout, expected);

    // Edit the plugin: cargo rebuilds it, and the compiler's warning is a cargo warning.
    let c = krate.join("plugin/kv.c");
    let source = std::fs::read_to_string(&c).unwrap();
    let edited = source.replace(
        "table[used++].value = value;",
        "table[used++].value = value * 2;\n#warning \"values are doubled\"",
    );
    assert_ne!(edited, source);
    std::fs::write(&c, edited).unwrap();
    let run = cargo(&krate, &target, &["run"]);
    let stderr = succeeded("cargo run after the edit", &run);
    assert!(
        stderr.contains("warning: kv-host@0.1.0:") && stderr.contains("values are doubled"),
        "{stderr}"
    );
    assert!(
        text(&run.stdout).starts_with("answer = 84\n"),
        "{}",
        text(&run.stdout)
    );

    // A load-only binary: the generated methods it never calls raise no warning either.
    std::fs::write(
        krate.join("src/main.rs"),
        "mod kv {\n    bid_runtime::include_bindings!(\"kv\");\n}\n\nfn main() {\n    \
         // SAFETY: built from the same BID file.\n    \
         let _ = unsafe { kv::Kv::load(env!(\"KV_PLUGIN\")) };\n}\n",
    )
    .unwrap();
    let stderr = succeeded(
        "a load-only binary with -D warnings",
        &cargo(&krate, &target, &["rustc", "--", "-D", "warnings"]),
    );
    assert!(!stderr.contains("warning: unused"), "{stderr}");
    let _ = std::fs::remove_dir_all(&root);
}
