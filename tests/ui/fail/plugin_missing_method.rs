//! A plugin that does not implement every method of the interface does not compile, and
//! the error names the missing method.

#[bid_macros::bid_plugin("../fixtures/valid/filebox.bid.yaml")]
pub mod filebox {}

use bid_plugin::Status;

#[derive(Default)]
struct Files;

impl filebox::FileBoxPlugin for Files {
    type FileHandle = ();

    fn open(&self, _path: &str, _mode: &str) -> Result<(), Status> {
        Ok(())
    }

    fn read(&self, _handle: &(), _size: i32) -> Result<Vec<u8>, Status> {
        Ok(Vec::new())
    }

    fn close(&self, _handle: ()) {}
}

filebox::export!(Files);

fn main() {}
