//! The bid demo: write a file through a plugin, read it back, print the audit; once with the
//! plugin written in C against the generated header, once with the plugin written in Rust
//! against the generated trait. Both come from filebox.bid.yaml and give the same audit.

bid_runtime::include_bindings!("filebox");

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    // build.rs compiled plugin/filebox.c against the header generated from filebox.bid.yaml;
    // cargo built examples/filebox-plugin, a dependency, next to this program's own deps.
    let plugins = [
        (
            "C (plugin/filebox.c)",
            PathBuf::from(env!("BID_FILEBOX_PLUGIN")),
        ),
        ("Rust (examples/filebox-plugin)", rust_plugin()),
    ];
    let mut audits = Vec::new();
    for (which, path) in &plugins {
        println!("== plugin in {which}");
        match run(path) {
            Ok(audit) => audits.push(audit),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
        println!();
    }
    if audits.windows(2).any(|w| w[0] != w[1]) {
        eprintln!("error: the two plugins' audits differ");
        return ExitCode::FAILURE;
    }
    println!("both plugins: the same answers, the same audit");
    ExitCode::SUCCESS
}

/// The Rust plugin's cdylib: in the `deps` directory next to this program.
fn rust_plugin() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().map(PathBuf::from).unwrap_or_default();
    let file = format!(
        "{}filebox_rs{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    [dir.join("deps").join(&file), dir.join(&file)]
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| dir.join("deps").join(file))
}

/// One round trip through the plugin at `plugin`; returns the audit summary.
fn run(plugin: &std::path::Path) -> Result<String, Box<dyn std::error::Error>> {
    // SAFETY: the plugin was built from the same BID file; load also compares the signature
    // it exports with the one these bindings were generated from.
    let files = unsafe { FileBox::load(plugin)? };
    println!("loaded {}", plugin.display());

    let path = std::env::temp_dir().join(format!("bid-filebox-demo-{}.txt", std::process::id()));
    let path = path
        .to_str()
        .ok_or("the temporary directory is not UTF-8")?;
    let text = "Hello from bid.\nWritten and read back through a plugin.\n";

    let out = files.open(path, "w")?;
    let written = files.write(&out, text.as_bytes())?;
    files.close(out)?;
    println!("wrote {written} bytes to {path}");

    let input = files.open(path, "r")?;
    let data = files.read(&input, 4096)?;
    // Dropping the handle closes it: the audit counts a release by drop.
    drop(input);
    // `data` points into the plugin's memory: no copy was made, and it is freed with
    // nyash_file_bid_free when it goes out of scope.
    let back = std::str::from_utf8(&data)?;
    println!("read {} bytes back: {:?}", data.len(), back);
    if back != text {
        return Err("the file read back differs from what was written".into());
    }
    drop(data);
    std::fs::remove_file(path)?;

    let audit = files.audit().to_string();
    println!("{audit}");
    Ok(audit)
}
