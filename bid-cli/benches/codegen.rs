//! Codegen speed: `bid validate`, `bid rust` and `bid header` next to wit-bindgen (the
//! same functions as WIT) and bindgen (the same functions as a C header), each run as the
//! command a user runs, in one criterion run. Peers that are not installed are skipped with
//! a note (`cargo install wit-bindgen-cli bindgen-cli`).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const SIZES: [usize; 3] = [200, 1_000, 2_000];

struct Inputs {
    dir: PathBuf,
}

impl Inputs {
    fn new() -> Inputs {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("codegen-bench");
        std::fs::create_dir_all(&dir).expect("creating the bench directory");
        for n in SIZES {
            std::fs::write(
                dir.join(format!("gen{n}.bid.yaml")),
                bid_bench_gen::bid_yaml(n),
            )
            .expect("writing BID input");
            std::fs::write(dir.join(format!("gen{n}.wit")), bid_bench_gen::wit(n))
                .expect("writing WIT input");
            std::fs::write(dir.join(format!("gen{n}.h")), bid_bench_gen::c_header(n))
                .expect("writing C input");
        }
        Inputs { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// A command line to time; `None` when its program is not installed.
fn tool(program: &str) -> Option<PathBuf> {
    if Path::new(program).is_absolute() {
        return Some(PathBuf::from(program));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin")))
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        eprintln!("note: `{program}` is not installed; its rows did not run");
    }
    found
}

fn run(program: &Path, args: &[&std::ffi::OsStr]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .expect("running the generator");
    assert!(
        out.status.success(),
        "{} failed: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn codegen(c: &mut Criterion) {
    let inputs = Inputs::new();
    let bid = PathBuf::from(env!("CARGO_BIN_EXE_bid"));
    let wit_bindgen = tool("wit-bindgen");
    let bindgen = tool("bindgen");
    let out = inputs.path("out");
    std::fs::create_dir_all(&out).expect("creating the output directory");

    let mut g = c.benchmark_group("codegen");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for n in SIZES {
        let yaml = inputs.path(&format!("gen{n}.bid.yaml"));
        let wit = inputs.path(&format!("gen{n}.wit"));
        let header = inputs.path(&format!("gen{n}.h"));
        g.bench_with_input(BenchmarkId::new("bid_rust", n), &n, |b, _| {
            b.iter(|| {
                run(
                    &bid,
                    &[
                        "rust".as_ref(),
                        yaml.as_os_str(),
                        "-o".as_ref(),
                        out.join("bid.rs").as_os_str(),
                    ],
                )
            })
        });
        g.bench_with_input(BenchmarkId::new("bid_validate", n), &n, |b, _| {
            b.iter(|| run(&bid, &["validate".as_ref(), yaml.as_os_str()]))
        });
        g.bench_with_input(BenchmarkId::new("bid_header", n), &n, |b, _| {
            b.iter(|| {
                run(
                    &bid,
                    &[
                        "header".as_ref(),
                        yaml.as_os_str(),
                        "-o".as_ref(),
                        out.join("bid.h").as_os_str(),
                    ],
                )
            })
        });
        if let Some(wb) = &wit_bindgen {
            g.bench_with_input(BenchmarkId::new("wit_bindgen_rust", n), &n, |b, _| {
                b.iter(|| {
                    run(
                        wb,
                        &[
                            "rust".as_ref(),
                            wit.as_os_str(),
                            "--out-dir".as_ref(),
                            out.as_os_str(),
                        ],
                    )
                })
            });
            // `bid rust` formats with prettyplease; `wit-bindgen rust` formats only when given
            // `--format`: the pair is like for like.
            g.bench_with_input(
                BenchmarkId::new("wit_bindgen_rust_format", n),
                &n,
                |b, _| {
                    b.iter(|| {
                        run(
                            wb,
                            &[
                                "rust".as_ref(),
                                "--format".as_ref(),
                                wit.as_os_str(),
                                "--out-dir".as_ref(),
                                out.as_os_str(),
                            ],
                        )
                    })
                },
            );
            g.bench_with_input(BenchmarkId::new("wit_bindgen_c", n), &n, |b, _| {
                b.iter(|| {
                    run(
                        wb,
                        &[
                            "c".as_ref(),
                            wit.as_os_str(),
                            "--out-dir".as_ref(),
                            out.as_os_str(),
                        ],
                    )
                })
            });
        }
        // bindgen is an order of magnitude slower: one size keeps the run short.
        if let (Some(bg), 2_000) = (&bindgen, n) {
            g.bench_with_input(BenchmarkId::new("bindgen", n), &n, |b, _| {
                b.iter(|| {
                    run(
                        bg,
                        &[
                            header.as_os_str(),
                            "-o".as_ref(),
                            out.join("bindgen.rs").as_os_str(),
                        ],
                    )
                })
            });
        }
    }
    g.finish();

    // In process, without the cost of starting a process: check + emit, for the scaling.
    let mut g = c.benchmark_group("codegen_in_process");
    g.sample_size(10);
    for n in SIZES {
        let text = bid_bench_gen::bid_yaml(n);
        g.bench_with_input(
            BenchmarkId::new("check_emit_rust_and_c", n),
            &text,
            |b, text| {
                b.iter(|| {
                    let model =
                        bid_schema::check_source("gen.bid.yaml", text).expect("valid input");
                    let rust = bid_schema::emit::rust::bindings(&model);
                    let c = bid_schema::emit::c::header(&model);
                    (rust, c)
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
