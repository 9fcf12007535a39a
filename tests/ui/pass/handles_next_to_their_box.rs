//! Keeping owned handles next to their box: a struct that borrows the box, or a box that
//! lives as long as the program.

#[bid_macros::bid_interface("../fixtures/valid/all_types.bid.yaml")]
pub mod all {}

/// A session borrows the box and owns its handles; it cannot outlive the box.
struct Session<'k> {
    plugin: &'k all::AllTypes,
    obj: all::Obj<'k>,
}

impl<'k> Session<'k> {
    fn open(plugin: &'k all::AllTypes) -> Result<Self, bid_runtime::CallError> {
        Ok(Session {
            plugin,
            obj: plugin.new_obj(1)?,
        })
    }

    fn value(&self) -> Result<i32, bid_runtime::CallError> {
        self.plugin.use_obj(&self.obj)
    }
}

/// A box loaded once for the whole program: its handles are `'static` and can be stored
/// anywhere.
fn program_wide(path: &str) -> Result<all::Obj<'static>, Box<dyn std::error::Error>> {
    static PLUGIN: std::sync::OnceLock<all::AllTypes> = std::sync::OnceLock::new();
    // SAFETY: not run; only type-checked.
    let plugin = PLUGIN.get_or_init(|| unsafe { all::AllTypes::load(path) }.expect("loads"));
    Ok(plugin.new_obj(2)?)
}

#[allow(dead_code, reason = "only type-checked")]
fn use_them(plugin: &all::AllTypes) -> Result<(), Box<dyn std::error::Error>> {
    let session = Session::open(plugin)?;
    session.value()?;
    let _forever = program_wide("./liball.so")?;
    Ok(())
}

fn main() {}
