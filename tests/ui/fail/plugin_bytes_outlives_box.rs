//! A `PluginBytes` borrows its box: keeping it after the box is dropped does not compile.

#[bid_macros::bid_interface("../fixtures/valid/filebox.bid.yaml")]
mod file {}

fn main() {
    let bytes;
    {
        let filebox = unsafe { file::FileBox::load("./libfilebox.so") }.unwrap();
        let h = filebox.open("a.txt", "r").unwrap();
        bytes = filebox.read(&h, 16).unwrap();
    }
    drop(bytes);
}
