//! Hostile input is refused with `bid.yaml.limit`, quickly, without a panic or a hang.

use std::time::{Duration, Instant};

/// "Well under a second" in an optimised build; a debug build on a shared machine gets slack.
const QUICK: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(5)
} else {
    Duration::from_millis(500)
};

fn refused(name: &str, text: &str) {
    let t = Instant::now();
    let r = bid_schema::check_source(name, text).expect_err("hostile input must be refused");
    let took = t.elapsed();
    let codes: Vec<&str> = r.diagnostics().iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["bid.yaml.limit"], "{}", r.render());
    eprintln!("{name}: refused in {took:?}");
    assert!(took < QUICK, "{name} took {took:?}");
    // Rendering the refusal must be quick too (no giant snippet).
    let t = Instant::now();
    let out = r.render();
    assert!(out.contains("error[bid.yaml.limit]"), "{out}");
    assert!(t.elapsed() < QUICK);
}

#[test]
fn fifty_megabyte_file_is_refused_before_parsing() {
    let mut text = String::from("version: 0\ninterfaces:\n");
    let line = "  - { name: a.b, methods: [ { name: m, effect: io } ] }\n";
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(line);
    }
    refused("big.bid.yaml", &text);
}

#[test]
fn huge_file_on_disk_is_refused_without_reading_it() {
    let dir = std::env::temp_dir().join(format!("bid-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.bid.yaml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let t = Instant::now();
    let r = bid_schema::check_file(&path).unwrap_err();
    assert_eq!(r.diagnostics()[0].code, "bid.yaml.limit");
    assert!(t.elapsed() < QUICK);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ten_thousand_deep_nesting_is_refused() {
    let depth = 10_000;
    let flow = format!(
        "version: 0\nx: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    refused("flow.bid.yaml", &flow);
    // Block sequences nest without indentation growth: `- - - ... x`.
    let block = format!("version: 0\nx:\n{}x\n", "- ".repeat(depth));
    refused("block.bid.yaml", &block);
    let maps = format!(
        "version: 0\nx: {}1{}\n",
        "{a: ".repeat(depth),
        "}".repeat(depth)
    );
    refused("maps.bid.yaml", &maps);
}

#[test]
fn billion_laughs_is_refused() {
    let mut text =
        String::from("version: 0\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    text.push_str("interfaces: *a9\n");
    refused("laughs.bid.yaml", &text);
}

#[test]
fn many_aliases_of_a_small_anchor_are_refused() {
    let mut text = String::from("version: 0\nx: &x [1]\ny: [");
    for _ in 0..200_000 {
        text.push_str("*x,");
    }
    text.push_str("]\n");
    refused("aliases.bid.yaml", &text);
}

#[test]
fn deep_nesting_is_refused_on_a_small_stack() {
    // Callers may run the checker on small threads (rustc's proc-macro and test threads).
    let text = format!("version: 0\nx:\n{}x\n", "- ".repeat(10_000));
    let r = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || bid_schema::check_source("deep.bid.yaml", &text).map(|_| ()))
        .unwrap()
        .join()
        .unwrap()
        .unwrap_err();
    assert_eq!(r.diagnostics()[0].code, "bid.yaml.limit");
}
