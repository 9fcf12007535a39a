//! `PluginBuilder` as its users meet it: what a failed compile shows, where the warnings of a
//! good one go, and what a build script tells cargo.
//!
//! A build script is recognised by `OUT_DIR` and `TARGET` in the environment. Setting those
//! here would change them for every test of the process, so the tests that need them run one
//! `#[ignore]`d test of this binary in a child process with the environment they need, and
//! read what it printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Set in the child processes only; the `#[ignore]`d tests do nothing without it.
const CHILD: &str = "BID_PLUGIN_TEST_CHILD";

/// A directory of its own for each test, with a space in it: paths in the command lines
/// shown must be quoted to be pasted into a shell.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("plugin tests/{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the ignored test `test` of this binary alone, with `env` added, and returns its output.
fn child(test: &str, env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        test,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD, "1")
    .env_remove("OUT_DIR")
    .env_remove("TARGET");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "the child test {test} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The child's stdout by line, without the harness's `test NAME ... ` (written before the
/// test runs, without a newline).
fn stdout_lines(test: &str, out: &Output) -> Vec<String> {
    let harness = format!("test {test} ... ");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.strip_prefix(&harness).unwrap_or(l).to_owned())
        .collect()
}

/// `BID_SOURCES` in the child: the directory with the sources the parent wrote.
fn sources() -> Option<PathBuf> {
    std::env::var_os(CHILD)?;
    Some(PathBuf::from(std::env::var_os("BID_SOURCES").unwrap()))
}

const SECRET: &str = "bid-test-secret-4b1d";

#[test]
fn a_compile_error_shows_the_diagnostic_and_a_command_to_paste_not_the_environment() {
    let dir = scratch("compile error");
    std::fs::write(dir.join("bad.c"), "int f( { }\n").unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let out = child(
        "child_compile_error",
        &[
            ("BID_SOURCES", &dir),
            ("BID_TEST_SECRET", Path::new(SECRET)),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let shown = stdout
        .split_once("<<error\n")
        .and_then(|(_, rest)| rest.split_once("\nerror>>"))
        .map(|(e, _)| e)
        .unwrap_or_else(|| panic!("no error in the child's output:\n{stdout}"));
    assert!(shown.starts_with("C compiler failed:\n"), "{shown}");
    assert!(
        shown.contains("bad.c:1:"),
        "the compiler's diagnostic: {shown}"
    );
    assert!(
        !shown.contains(SECRET),
        "the environment is not shown: {shown}"
    );
    assert!(
        !shown.contains("PATH="),
        "the environment is not shown: {shown}"
    );
    let command = shown
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("command: "))
        .unwrap_or_else(|| panic!("no command line: {shown}"));
    assert!(command.len() < 1000, "{command}");
    assert!(
        command.contains("plugin tests/compile error/bad.c'"),
        "{command}"
    );

    // The line is a shell command: pasted, it fails the same way.
    #[cfg(unix)]
    {
        let again = Command::new("sh").arg("-c").arg(command).output().unwrap();
        assert!(!again.status.success());
        let said = String::from_utf8_lossy(&again.stderr);
        assert!(said.contains("bad.c:1:"), "{command}\n{said}");
    }
}

#[test]
#[ignore = "run in a child process by a_compile_error_shows_the_diagnostic_and_a_command_to_paste_not_the_environment"]
fn child_compile_error() {
    let Some(dir) = sources() else { return };
    let err = bid_build::PluginBuilder::new("bad")
        .file(dir.join("bad.c"))
        .out_dir(dir.join("out"))
        .build()
        .unwrap_err();
    println!("<<error\n{err}\nerror>>");
}

#[test]
fn warnings_of_a_good_build_are_returned() {
    let dir = scratch("warnings");
    let src = dir.join("warns.c");
    std::fs::write(
        &src,
        "#warning \"bid-test-warning\"\nint f(void) { int bid_unused_variable; return 0; }\n",
    )
    .unwrap();
    let builder = bid_build::PluginBuilder::new("warns")
        .file(&src)
        .out_dir(&dir);
    let built = builder.build_with_warnings().unwrap();
    assert!(
        built.warnings.contains("bid-test-warning"),
        "{}",
        built.warnings
    );
    assert!(
        built.warnings.contains("bid_unused_variable"),
        "cc's -Wall is on: {}",
        built.warnings
    );
    assert!(built.library.is_file());
    assert_eq!(built.library, builder.output_path());
    assert_eq!(
        builder.build().unwrap(),
        built.library,
        "build() still gives the path"
    );

    std::fs::write(&src, "int f(void) { return 0; }\n").unwrap();
    assert_eq!(builder.build_with_warnings().unwrap().warnings, "");
}

/// What the child `child_build` printed for cargo, with `OUT_DIR` and maybe `TARGET` set.
fn build_script_run(test: &str, with_target: bool) -> (PathBuf, Vec<String>) {
    let dir = scratch(test);
    let include = dir.join("include");
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&include).unwrap();
    std::fs::create_dir_all(out_dir.join("generated")).unwrap();
    std::fs::write(include.join("one.h"), "#define ONE 1\n").unwrap();
    std::fs::write(
        dir.join("a.c"),
        "#include \"one.h\"\n#warning \"bid-test-warning\"\nint a(void) { return ONE; }\n",
    )
    .unwrap();
    std::fs::write(dir.join("b.c"), "int b(void) { return 2; }\n").unwrap();
    let target = Path::new(env!("BID_BUILD_TARGET"));
    let mut env = vec![("BID_SOURCES", dir.as_path()), ("OUT_DIR", &out_dir)];
    if with_target {
        env.push(("TARGET", target));
        env.push(("HOST", target));
    }
    let out = child("child_build", &env);
    let cargo = stdout_lines("child_build", &out)
        .into_iter()
        .filter(|l| l.starts_with("cargo:"))
        .collect();
    (dir, cargo)
}

#[test]
fn in_a_build_script_cargo_hears_of_sources_include_dirs_and_warnings() {
    let (dir, cargo) = build_script_run("build script", true);
    let rerun: Vec<&str> = cargo
        .iter()
        .filter_map(|l| l.strip_prefix("cargo:rerun-if-changed="))
        .collect();
    let expected = ["a.c", "b.c", "include"].map(|p| dir.join(p).display().to_string());
    assert_eq!(
        rerun, expected,
        "every source and include dir, not the generated one in OUT_DIR: {cargo:#?}"
    );
    let warnings: Vec<&str> = cargo
        .iter()
        .filter_map(|l| l.strip_prefix("cargo:warning="))
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("bid-test-warning")),
        "{cargo:#?}"
    );
    assert!(warnings.iter().all(|w| !w.trim().is_empty()), "{cargo:#?}");
    assert_eq!(cargo.len(), rerun.len() + warnings.len(), "{cargo:#?}");
    let lib = dir.join("out").join(bid_build::plugin::library_file_name(
        "scripted",
        env!("BID_BUILD_TARGET"),
    ));
    assert!(lib.is_file(), "the library goes to OUT_DIR");
}

#[test]
fn outside_a_build_script_nothing_is_printed_for_cargo() {
    // OUT_DIR alone is not a build script: cargo sets TARGET for those too.
    let (dir, cargo) = build_script_run("not a build script", false);
    assert_eq!(cargo, Vec::<String>::new());
    let lib = dir.join("out").join(bid_build::plugin::library_file_name(
        "scripted",
        env!("BID_BUILD_TARGET"),
    ));
    assert!(lib.is_file(), "the library still goes to OUT_DIR");
}

#[test]
#[ignore = "run in a child process by the build script tests"]
fn child_build() {
    let Some(dir) = sources() else { return };
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    bid_build::PluginBuilder::new("scripted")
        .file(dir.join("a.c"))
        .file(dir.join("b.c"))
        .include(dir.join("include"))
        .include(out_dir.join("generated"))
        .build()
        .unwrap();
}

#[test]
fn a_plugin_without_sources_is_named_in_its_own_error() {
    let e = bid_build::PluginBuilder::new("empty")
        .out_dir(scratch("no_sources"))
        .build()
        .unwrap_err();
    assert!(
        matches!(&e, bid_build::Error::NoSources { plugin } if plugin == "empty"),
        "{e}"
    );
    assert!(!e.to_string().contains("C compiler"), "{e}");
    assert_eq!(format!("{e:?}"), e.to_string(), "Debug reads as Display");
}
