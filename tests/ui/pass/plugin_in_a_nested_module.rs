//! A Rust plugin whose glue lives below the crate root: `module =` tells `export!` where.

mod plugins {
    #[bid_macros::bid_plugin("../fixtures/valid/filebox.bid.yaml", module = "crate::plugins::file")]
    pub mod file {}
}

use bid_plugin::Status;
use plugins::file::FileBoxPlugin;

#[derive(Default)]
struct Files;

impl FileBoxPlugin for Files {
    type FileHandle = String;

    fn open(&self, path: &str, mode: &str) -> Result<String, Status> {
        Ok(format!("{mode} {path}"))
    }

    fn read(&self, handle: &String, size: i32) -> Result<Vec<u8>, Status> {
        let n = usize::try_from(size).map_err(|_| Status::InvalidArg)?;
        Ok(handle.bytes().take(n).collect())
    }

    fn write(&self, _handle: &String, data: &[u8]) -> Result<i32, Status> {
        i32::try_from(data.len()).map_err(|_| Status::InvalidArg)
    }

    fn close(&self, _handle: String) {}
}

plugins::file::export!(Files);

// The same glue, exported through an explicit path.
mod again {
    #[bid_macros::bid_plugin("../fixtures/valid/nyash_file.bid.yaml")]
    pub mod nyash {}
}

fn main() {}
