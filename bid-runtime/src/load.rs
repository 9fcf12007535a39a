//! Opening a plugin: resolve every symbol, compare the exported signature, start the trace.

use std::ffi::{CStr, OsStr, c_char, c_void};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use crate::__private::InterfaceMeta;
use crate::audit::Audit;
use crate::error::{LoadError, SignatureMismatch};
use crate::ledger::Ledger;
use crate::trace::{Sink, TraceState};
use crate::{FreeFn, Library};

/// The only signature format this runtime reads (first line of the signature text).
pub(crate) const SIGNATURE_FORMAT: &str = "bid-signature 0";

/// The `interface` line's qualified name and the `fn` lines by method name, in order.
struct Parsed<'a> {
    interface: Option<&'a str>,
    methods: Vec<(&'a str, &'a str)>,
}

fn parse(text: &str) -> Result<Parsed<'_>, String> {
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    match lines.next() {
        Some(SIGNATURE_FORMAT) => {}
        Some(other) => {
            return Err(format!(
                "unsupported first line `{}` (this runtime reads `{SIGNATURE_FORMAT}`)",
                other.escape_debug()
            ));
        }
        None => return Err("the signature is empty".to_owned()),
    }
    let mut parsed = Parsed {
        interface: None,
        methods: Vec::new(),
    };
    for line in lines {
        if let Some(rest) = line.strip_prefix("interface ") {
            parsed.interface = rest.split(' ').next();
        } else if let Some(rest) = line.strip_prefix("fn ") {
            let name = rest.split(' ').next().unwrap_or(rest);
            parsed.methods.push((name, line));
        }
    }
    Ok(parsed)
}

/// Compares the bindings' signature with the plugin's, method by method. Extra methods
/// in the plugin are fine (the bindings never call them); a version change alone is too.
pub(crate) fn compare_signatures(
    expected: &str,
    found: &str,
) -> Result<Vec<SignatureMismatch>, String> {
    let found = parse(found)?;
    let Ok(expected) = parse(expected) else {
        // The bindings carry no readable signature: nothing to compare against.
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    if expected.interface != found.interface {
        out.push(SignatureMismatch {
            method: "interface".to_owned(),
            expected: expected.interface.map(|i| format!("interface {i}")),
            found: found.interface.map(|i| format!("interface {i}")),
        });
    }
    for (name, line) in &expected.methods {
        let theirs = found
            .methods
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, l)| *l);
        if theirs != Some(*line) {
            out.push(SignatureMismatch {
                method: (*name).to_owned(),
                expected: Some((*line).to_owned()),
                found: theirs.map(str::to_owned),
            });
        }
    }
    Ok(out)
}

/// Reads `<prefix>_bid_signature` if exported and compares it.
///
/// # Safety
/// The symbol, if present, is `const char* f(void)` returning a NUL-terminated string.
unsafe fn check_signature(
    lib: &libloading::Library,
    path: &Path,
    meta: &'static InterfaceMeta,
) -> Result<(), LoadError> {
    type SigFn = unsafe extern "C" fn() -> *const c_char;
    // SAFETY: the declared type of the signature symbol (SPEC §4).
    let Ok(f) = (unsafe { lib.get::<SigFn>(meta.signature_symbol) }) else {
        return Ok(());
    };
    let bad = |reason: String| LoadError::BadSignature {
        library: path.to_path_buf(),
        symbol: meta.signature_symbol,
        reason,
    };
    // SAFETY: see the function's contract.
    let ptr = unsafe { f() };
    if ptr.is_null() {
        return Err(bad("it returned a null pointer".to_owned()));
    }
    // SAFETY: non-null and NUL-terminated per the contract; the library stays loaded.
    let text = unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|e| bad(format!("it is not UTF-8 ({e})")))?;
    let mismatches = compare_signatures(meta.signature, text).map_err(bad)?;
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(LoadError::SignatureMismatch {
            library: path.to_path_buf(),
            interface: meta.name,
            mismatches,
        })
    }
}

/// An error and its sources, `: `-separated (libloading keeps the OS message in a source).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
}

/// The body of [`crate::__private::open`].
///
/// # Safety
/// As `open`.
pub(crate) unsafe fn open(
    path: &OsStr,
    meta: &'static InterfaceMeta,
) -> Result<Library, LoadError> {
    let start = Instant::now();
    let given = PathBuf::from(path);
    // Before the library runs any code: bindings this runtime cannot read load nothing.
    let methods = meta
        .methods
        .decode()
        .map_err(|reason| LoadError::Bindings {
            library: given.clone(),
            interface: meta.name,
            reason: reason.to_owned(),
        })?;
    // SAFETY: the caller accepts running the library's initialisers.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| LoadError::Open {
        library: given.clone(),
        message: error_chain(&e),
    })?;
    let abs: Arc<Path> = std::fs::canonicalize(&given)
        .or_else(|_| std::path::absolute(&given))
        .unwrap_or_else(|_| given.clone())
        .into();

    let mut missing = Vec::new();
    let mut symbols = Vec::with_capacity(methods.len());
    for m in methods {
        // SAFETY: only the address is taken; generated code gives it its declared type.
        match unsafe { lib.get::<*const c_void>(m.symbol) } {
            Ok(sym) => {
                let addr: *const c_void = *sym;
                if addr.is_null() {
                    missing.push(m.symbol);
                }
                symbols.push(addr);
            }
            Err(_) => {
                missing.push(m.symbol);
                symbols.push(std::ptr::null());
            }
        }
    }
    // SAFETY: the free function's declared type (SPEC §4).
    let free = match unsafe { lib.get::<FreeFn>(meta.free_symbol) } {
        Ok(f) => Some(*f),
        Err(_) => {
            if meta.needs_free {
                missing.push(meta.free_symbol);
            }
            None
        }
    };
    if !missing.is_empty() {
        return Err(LoadError::SymbolsMissing {
            library: abs.to_path_buf(),
            interface: meta.name,
            symbols: missing,
        });
    }
    // SAFETY: the signature symbol's declared type.
    unsafe { check_signature(&lib, &abs, meta) }?;

    let trace = TraceState::new(meta, methods, abs.clone());
    let audit = Audit::new(methods.len(), trace);
    if let Some(trace_path) = std::env::var_os("BID_AUDIT").filter(|p| !p.is_empty()) {
        let sink = Sink::open(Path::new(&trace_path)).map_err(|error| LoadError::Trace {
            library: abs.to_path_buf(),
            error,
        })?;
        audit.trace.replace(Some(sink));
    }
    audit
        .tracing
        .store(audit.trace.subscriber || audit.trace.has_sink(), Relaxed);
    let library = Library {
        meta,
        methods,
        path: abs,
        symbols: symbols.into_boxed_slice(),
        free,
        audit,
        ledger: Ledger::default(),
        _lib: lib,
    };
    let latency = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    library.audit.event("ffi.load", None, "ok", latency, "");
    Ok(library)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "bid-signature 0\ninterface t.plug 1.0.0\nfn add i32 i32 -> i32\nfn greet string -> string\n";

    #[test]
    fn identical_and_extra_methods_match() {
        assert_eq!(compare_signatures(SIG, SIG), Ok(vec![]));
        let more = format!("{SIG}fn extra -> void\n");
        assert_eq!(compare_signatures(SIG, &more), Ok(vec![]));
        let newer = SIG.replace("1.0.0", "1.1.0");
        assert_eq!(compare_signatures(SIG, &newer), Ok(vec![]));
    }

    #[test]
    fn each_changed_or_missing_method_is_named() {
        let found = "bid-signature 0\ninterface t.plug 1.0.0\nfn add i64 i64 -> i64\n";
        let m = compare_signatures(SIG, found).expect("readable");
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].method, "add");
        assert_eq!(m[0].found.as_deref(), Some("fn add i64 i64 -> i64"));
        assert_eq!(m[1].method, "greet");
        assert_eq!(m[1].found, None);
    }

    #[test]
    fn other_formats_are_refused() {
        let e = compare_signatures(SIG, "bid-signature 1\n").expect_err("unsupported");
        assert!(e.contains("bid-signature 1"), "{e}");
        assert!(compare_signatures(SIG, "").is_err());
    }
}
