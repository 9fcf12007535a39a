//! A C test plugin compiled at test time, and a box shaped like the generated glue.

#![allow(dead_code, reason = "each test binary uses a different part")]

mod schema;
#[allow(unused_imports, reason = "each test binary uses a different part")]
pub use schema::{trace_path, validate_all, validated_lines};

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bid_runtime::__private::{self as p, HandleMeta, InterfaceMeta, MethodTable};
use bid_runtime::{BidBuf, CallError, Library, LoadError, PluginBytes, PluginSlice, PluginString};

pub const SIGNATURE: &str = "bid-signature 0\n\
interface test.plug 1.0.0\n\
fn add i32 i32 -> i32\n\
fn greet string:borrowed -> string:transferred\n\
fn echo_bytes bytes:borrowed -> bytes:transferred\n\
fn range i32 -> array(i32):transferred\n\
fn empty -> string:transferred\n\
fn null_len -> string:transferred\n\
fn neg_len -> string:transferred\n\
fn bad_utf8 -> string:transferred\n\
fn is_even i32 -> bool\n\
fn bad_bool -> bool\n\
fn check i32 -> i32 fallible\n\
fn borrowed i32 -> string:borrowed\n\
fn version -> string:reference\n\
fn misaligned -> array(i32):borrowed\n\
fn open i32 -> FileHandle:transferred\n\
fn read FileHandle:borrowed -> i32\n\
fn close FileHandle:transferred -> void\n\
fn live_buffers -> i64\n\
fn live_handles -> i32\n\
fn misaligned_owned -> array(i32):transferred\n";

pub static META: InterfaceMeta = InterfaceMeta {
    name: "test.plug",
    box_name: "Plug",
    free_symbol: "plug_bid_free",
    needs_free: true,
    signature_symbol: "plug_bid_signature",
    signature: SIGNATURE,
    handles: &[HandleMeta {
        name: "FileHandle",
        release: Some(16),
    }],
    methods: MethodTable::new(
        "bid-methods 0\n\
add plug_add pure - i32 a:i32 b:i32\n\
greet plug_greet pure - string/transferred name:string/borrowed\n\
echo_bytes plug_echo_bytes pure - bytes/transferred data:bytes/borrowed\n\
range plug_range pure - array/transferred n:i32\n\
empty plug_empty pure - string/transferred\n\
null_len plug_null_len pure - string/transferred\n\
neg_len plug_neg_len pure - string/transferred\n\
bad_utf8 plug_bad_utf8 pure - string/transferred\n\
is_even plug_is_even pure - bool v:i32\n\
bad_bool plug_bad_bool pure - bool\n\
check plug_check io fallible i32 code:i32\n\
borrowed plug_borrowed mut - string/borrowed n:i32\n\
version plug_version pure - string/reference\n\
misaligned plug_misaligned pure - array/borrowed\n\
open plug_open io - handle0/transferred seed:i32\n\
read plug_read io - i32 h:handle0/borrowed\n\
close plug_close io - void h:handle0/transferred\n\
live_buffers plug_live_buffers pure - i64\n\
live_handles plug_live_handles pure - i32\n\
misaligned_owned plug_misaligned_owned pure - array/transferred\n",
    ),
    passing: &[(0, "a: direct, b: direct; return: direct")],
};

/// Builds the plugin once per variant: `sig_h` is the content of `sig.h`.
pub fn build(variant: &str, sig_h: &str, defines: &[&str]) -> PathBuf {
    static BUILT: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = built.iter().find(|(v, _)| v == variant) {
        return p.clone();
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("bid-runtime-{}", env!("CARGO_CRATE_NAME")))
        .join(variant);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = dir.join("plug.c");
    std::fs::write(&src, include_str!("../plugins/plug.c")).expect("write source");
    std::fs::write(dir.join("sig.h"), sig_h).expect("write sig.h");
    let out = dir.join(format!("libplug.{}", std::env::consts::DLL_EXTENSION));
    let compiler = cc::Build::new()
        .target(bid_runtime::host().target)
        .host(bid_runtime::host().target)
        .opt_level(0)
        .cargo_metadata(false)
        .get_compiler();
    let mut cmd = compiler.to_command();
    cmd.args(["-shared", "-fPIC", "-std=c99", "-Wall", "-Werror", "-o"])
        .arg(&out)
        .arg(&src);
    cmd.arg("-I").arg(&dir);
    for d in defines {
        cmd.arg(format!("-D{d}"));
    }
    let status = cmd.status().expect("run the C compiler");
    assert!(status.success(), "compiling the test plugin failed");
    built.push((variant.to_owned(), out.clone()));
    out
}

/// `sig.h` for a plugin exporting `text` as its signature.
pub fn sig_h(text: &str) -> String {
    let mut s = String::from("#define PLUG_SIGNATURE \"");
    for b in text.bytes() {
        match b {
            b'\n' => s.push_str("\\n"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b' '..=b'~' => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}\"\"")),
        }
    }
    s.push_str("\"\n");
    s
}

/// The plugin exporting the matching signature.
pub fn plugin() -> PathBuf {
    build("good", &sig_h(SIGNATURE), &[])
}

/// A handle of the test interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct FileHandle(pub i32);

type Buf1 = unsafe extern "C" fn(*mut BidBuf);

/// What the generated box looks like: the library and every symbol, typed once at load.
pub struct Plug {
    lib: Library,
    fns: PlugFns,
}

/// One field per method, in method order: the layout `Library::fn_table` copies into.
#[repr(C)]
pub struct PlugFns {
    add: unsafe extern "C" fn(i32, i32) -> i32,
    greet: unsafe extern "C" fn(*const u8, i32, *mut BidBuf),
    echo_bytes: unsafe extern "C" fn(*const u8, i32, *mut BidBuf),
    range: unsafe extern "C" fn(i32, *mut BidBuf),
    empty: Buf1,
    null_len: Buf1,
    neg_len: Buf1,
    bad_utf8: Buf1,
    is_even: unsafe extern "C" fn(i32) -> i32,
    bad_bool: unsafe extern "C" fn() -> i32,
    check: unsafe extern "C" fn(i32, *mut i32) -> i32,
    borrowed: unsafe extern "C" fn(i32, *mut BidBuf),
    version: Buf1,
    misaligned: Buf1,
    open: unsafe extern "C" fn(i32) -> i32,
    read: unsafe extern "C" fn(i32) -> i32,
    close: unsafe extern "C" fn(i32),
    live_buffers: unsafe extern "C" fn() -> i64,
    live_handles: unsafe extern "C" fn() -> i32,
    misaligned_owned: Buf1,
}

impl PlugFns {
    /// How many methods the test interface has.
    pub const METHODS: usize = size_of::<PlugFns>() / size_of::<usize>();
}

impl Plug {
    /// # Safety
    /// Loads and trusts a library.
    pub unsafe fn load(path: impl AsRef<std::ffi::OsStr>) -> Result<Plug, LoadError> {
        // SAFETY: forwarded.
        let lib = unsafe { p::open(path.as_ref(), &META) }?;
        // SAFETY: `PlugFns` lists the test interface's methods in order, with their types.
        let fns = unsafe { lib.fn_table::<PlugFns>() };
        Ok(Plug { lib, fns })
    }

    pub fn audit(&self) -> &bid_runtime::Audit {
        self.lib.audit()
    }

    pub fn lib(&self) -> &Library {
        &self.lib
    }

    pub fn add(&self, a: i32, b: i32) -> Result<i32, CallError> {
        let call = self.lib.begin(0);
        // SAFETY: declared signature.
        let r = unsafe { (self.fns.add)(a, b) };
        call.finish(Ok(r))
    }

    pub fn greet(&self, name: &str) -> Result<PluginString<'_>, CallError> {
        let call = self.lib.begin(1);
        let r = (|| {
            let (ptr, len) = call.str_arg(0, name)?;
            let mut out = BidBuf::EMPTY;
            // SAFETY: declared signature; `out` is what the plugin wrote.
            unsafe {
                (self.fns.greet)(ptr, len, &mut out);
                call.string_ret(out)
            }
        })();
        call.finish(r)
    }

    pub fn echo_bytes(&self, data: &[u8]) -> Result<PluginBytes<'_>, CallError> {
        let call = self.lib.begin(2);
        let r = (|| {
            let (ptr, len) = call.bytes_arg(0, data)?;
            let mut out = BidBuf::EMPTY;
            // SAFETY: declared signature.
            unsafe {
                (self.fns.echo_bytes)(ptr, len, &mut out);
                call.bytes_ret(out)
            }
        })();
        call.finish(r)
    }

    pub fn range(&self, n: i32) -> Result<PluginSlice<'_, i32>, CallError> {
        let call = self.lib.begin(3);
        let mut out = BidBuf::EMPTY;
        // SAFETY: declared signature.
        let r = unsafe {
            (self.fns.range)(n, &mut out);
            call.slice_ret::<i32>(out)
        };
        call.finish(r)
    }

    fn string_of(&self, i: usize, f: Buf1) -> Result<PluginString<'_>, CallError> {
        let call = self.lib.begin(i);
        let mut out = BidBuf::EMPTY;
        // SAFETY: declared signature.
        let r = unsafe {
            f(&mut out);
            call.string_ret(out)
        };
        call.finish(r)
    }

    pub fn empty(&self) -> Result<PluginString<'_>, CallError> {
        self.string_of(4, self.fns.empty)
    }
    pub fn null_len(&self) -> Result<PluginString<'_>, CallError> {
        self.string_of(5, self.fns.null_len)
    }
    pub fn neg_len(&self) -> Result<PluginString<'_>, CallError> {
        self.string_of(6, self.fns.neg_len)
    }
    pub fn bad_utf8(&self) -> Result<PluginString<'_>, CallError> {
        self.string_of(7, self.fns.bad_utf8)
    }

    pub fn is_even(&self, v: i32) -> Result<bool, CallError> {
        let call = self.lib.begin(8);
        // SAFETY: declared signature.
        let r = call.bool_ret(unsafe { (self.fns.is_even)(v) });
        call.finish(r)
    }

    pub fn bad_bool(&self) -> Result<bool, CallError> {
        let call = self.lib.begin(9);
        // SAFETY: declared signature.
        let r = call.bool_ret(unsafe { (self.fns.bad_bool)() });
        call.finish(r)
    }

    pub fn check(&self, code: i32) -> Result<i32, CallError> {
        let call = self.lib.begin(10);
        let mut out = 0;
        // SAFETY: declared signature.
        let r = call
            .status(unsafe { (self.fns.check)(code, &mut out) })
            .map(|()| out);
        call.finish(r)
    }

    pub fn borrowed(&self, n: i32) -> Result<String, CallError> {
        let call = self.lib.begin(11);
        let mut out = BidBuf::EMPTY;
        // SAFETY: declared signature.
        let r = unsafe {
            (self.fns.borrowed)(n, &mut out);
            call.string_ret_copied(out)
        };
        call.finish(r)
    }

    pub fn version(&self) -> Result<&str, CallError> {
        let call = self.lib.begin(12);
        let mut out = BidBuf::EMPTY;
        // SAFETY: declared signature; the plugin keeps the text while loaded.
        let r = unsafe {
            (self.fns.version)(&mut out);
            call.string_ret_ref(out)
        };
        call.finish(r)
    }

    pub fn misaligned(&self) -> Result<Vec<i32>, CallError> {
        let call = self.lib.begin(13);
        let mut out = BidBuf::EMPTY;
        // SAFETY: declared signature.
        let r = unsafe {
            (self.fns.misaligned)(&mut out);
            call.slice_ret_copied::<i32>(out)
        };
        call.finish(r)
    }

    pub fn open(&self, seed: i32) -> Result<FileHandle, CallError> {
        let call = self.lib.begin(14);
        // SAFETY: declared signature.
        let h = unsafe { (self.fns.open)(seed) };
        call.handle_ret(i64::from(h));
        call.finish(Ok(FileHandle(h)))
    }

    pub fn read(&self, h: FileHandle) -> Result<i32, CallError> {
        let call = self.lib.begin(15);
        let r = (|| {
            call.handle_arg(0, i64::from(h.0))?;
            // SAFETY: declared signature.
            Ok(unsafe { (self.fns.read)(h.0) })
        })();
        call.finish(r)
    }

    pub fn close(&self, h: FileHandle) -> Result<(), CallError> {
        let call = self.lib.begin(16);
        let r = (|| {
            call.handle_arg(0, i64::from(h.0))?;
            // SAFETY: declared signature.
            unsafe { (self.fns.close)(h.0) };
            Ok(())
        })();
        call.finish(r)
    }

    pub fn live_buffers(&self) -> Result<i64, CallError> {
        let call = self.lib.begin(17);
        // SAFETY: declared signature.
        call.finish(Ok(unsafe { (self.fns.live_buffers)() }))
    }

    pub fn live_handles(&self) -> Result<i32, CallError> {
        let call = self.lib.begin(18);
        // SAFETY: declared signature.
        call.finish(Ok(unsafe { (self.fns.live_handles)() }))
    }

    pub fn misaligned_owned(&self) -> Result<PluginSlice<'_, i32>, CallError> {
        let call = self.lib.begin(19);
        let mut out = BidBuf::EMPTY;
        // SAFETY: declared signature.
        let r = unsafe {
            (self.fns.misaligned_owned)(&mut out);
            call.slice_ret::<i32>(out)
        };
        call.finish(r)
    }
}
