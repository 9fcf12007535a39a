//! The demo's `nyash.file` box as a Rust plugin: the same interface as
//! `examples/filebox/plugin/filebox.c`, written as the trait `#[bid_plugin]` generates from
//! filebox.bid.yaml. No `extern "C"`, no handle table, no buffer bookkeeping: the glue checks
//! the arguments, keeps the open files by id, hands out and takes back the buffers, and turns
//! a panic into `BID_E_INTERNAL`.

use bid_plugin::Status;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::sync::Mutex;

/// The glue generated from the demo's BID file: `FileBoxPlugin`, and `export!`.
#[bid_macros::bid_plugin("../filebox/filebox.bid.yaml")]
pub mod filebox {}

/// The plugin. It keeps no state of its own: the open files live in the glue's table.
#[derive(Default)]
pub struct Files;

/// An open file. Calls come one at a time (the interface is not `thread_safe`), but trait
/// methods take `&self`, so reads and writes go through a lock of its own.
pub struct OpenFile(Mutex<File>);

impl filebox::FileBoxPlugin for Files {
    type FileHandle = OpenFile;

    fn open(&self, path: &str, mode: &str) -> Result<OpenFile, Status> {
        let mut options = OpenOptions::new();
        match mode {
            "r" => options.read(true),
            "w" => options.write(true).create(true).truncate(true),
            "a" => options.append(true).create(true),
            "r+" => options.read(true).write(true),
            _ => return Err(Status::InvalidArg),
        };
        let file = options.open(path).map_err(|e| match e.kind() {
            ErrorKind::NotFound => Status::NotFound,
            _ => Status::Io,
        })?;
        Ok(OpenFile(Mutex::new(file)))
    }

    fn read(&self, handle: &OpenFile, size: i32) -> Result<Vec<u8>, Status> {
        let size = u64::try_from(size).map_err(|_| Status::InvalidArg)?;
        let mut file = handle.0.lock().map_err(|_| Status::Internal)?;
        let mut data = Vec::new();
        (&mut *file)
            .take(size)
            .read_to_end(&mut data)
            .map_err(|_| Status::Io)?;
        Ok(data)
    }

    fn write(&self, handle: &OpenFile, data: &[u8]) -> Result<i32, Status> {
        let mut file = handle.0.lock().map_err(|_| Status::Internal)?;
        file.write_all(data).map_err(|_| Status::Io)?;
        i32::try_from(data.len()).map_err(|_| Status::InvalidArg)
    }

    /// The glue took the file out of its table; dropping it here closes it.
    fn close(&self, _handle: OpenFile) -> Result<(), Status> {
        Ok(())
    }
}

filebox::export!(Files);
