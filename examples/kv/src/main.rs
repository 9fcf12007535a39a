//! Loads the kv plugin, calls it, prints the audit.

mod kv {
    bid_runtime::include_bindings!("kv");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: the plugin was built from the same BID file; `load` checks its signature.
    let kv = unsafe { kv::Kv::load(env!("KV_PLUGIN"))? };
    kv.put("answer", 42)?;
    println!("answer = {}", kv.get("answer")?);
    println!("{}", kv.get("question").unwrap_err());
    println!("{}", kv.audit());
    Ok(())
}
