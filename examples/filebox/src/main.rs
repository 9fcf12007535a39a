//! The bid demo: write a file through a C plugin, read it back, print the audit.

bid_runtime::include_bindings!("filebox");

use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // build.rs compiled plugin/filebox.c against the header generated from filebox.bid.yaml.
    let plugin = env!("BID_FILEBOX_PLUGIN");
    // SAFETY: the plugin was compiled against the header of the same BID file; load also
    // compares the signature it exports with the one these bindings were generated from.
    let files = unsafe { FileBox::load(plugin)? };
    println!("loaded {plugin}");

    let path = std::env::temp_dir().join(format!("bid-filebox-demo-{}.txt", std::process::id()));
    let path = path
        .to_str()
        .ok_or("the temporary directory is not UTF-8")?;
    let text = "Hello from bid.\nWritten and read back through a C plugin.\n";

    let out = files.open(path, "w")?;
    let written = files.write(&out, text.as_bytes())?;
    files.close(out)?;
    println!("wrote {written} bytes to {path}");

    let input = files.open(path, "r")?;
    let data = files.read(&input, 4096)?;
    files.close(input)?;
    // `data` points into the plugin's memory: no copy was made, and it is freed with
    // nyash_file_bid_free when it goes out of scope.
    let back = std::str::from_utf8(&data)?;
    println!("read {} bytes back: {:?}", data.len(), back);
    if back != text {
        return Err("the file read back differs from what was written".into());
    }
    drop(data);
    std::fs::remove_file(path)?;

    println!("{}", files.audit());
    Ok(())
}
