//! The five targets bid computes layouts for, and every name each one goes by.

use std::fmt;

/// A target the layouts are computed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// `wasm32-unknown-unknown`
    Wasm32,
    /// `x86_64-unknown-linux-gnu`
    X86_64Linux,
    /// `x86_64-pc-windows-msvc`
    X86_64Windows,
    /// `aarch64-apple-darwin`
    Aarch64Darwin,
    /// `i686-unknown-linux-gnu`
    I686Linux,
}

/// A target triple bid does not know (`ffi.contract.unsupported_abi`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownTarget {
    /// The triple as the user wrote it.
    pub given: String,
}

impl fmt::Display for UnknownTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unsupported target `{}`; known targets: ", self.given)?;
        for (i, t) in Target::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(t.triple())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownTarget {}

impl Target {
    /// Every supported target, in a stable order.
    pub const ALL: [Target; 5] = [
        Target::X86_64Linux,
        Target::X86_64Windows,
        Target::Aarch64Darwin,
        Target::I686Linux,
        Target::Wasm32,
    ];

    /// The LLVM/Rust target triple.
    pub fn triple(self) -> &'static str {
        match self {
            Target::Wasm32 => "wasm32-unknown-unknown",
            Target::X86_64Linux => "x86_64-unknown-linux-gnu",
            Target::X86_64Windows => "x86_64-pc-windows-msvc",
            Target::Aarch64Darwin => "aarch64-apple-darwin",
            Target::I686Linux => "i686-unknown-linux-gnu",
        }
    }

    /// The target with this exact triple.
    pub fn from_triple(triple: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.triple() == triple)
    }

    /// Like [`Target::from_triple`], with an error that lists the known triples.
    pub fn parse(triple: &str) -> Result<Target, UnknownTarget> {
        Target::from_triple(triple.trim()).ok_or_else(|| UnknownTarget {
            given: triple.to_owned(),
        })
    }

    /// The architecture name used in audits (`x86_64`, `aarch64`, `x86`, `wasm32`).
    pub fn arch(self) -> &'static str {
        match self {
            Target::Wasm32 => "wasm32",
            Target::X86_64Linux | Target::X86_64Windows => "x86_64",
            Target::Aarch64Darwin => "aarch64",
            Target::I686Linux => "x86",
        }
    }

    /// The platform name used in audits (`linux-x86_64`, ...).
    pub fn platform(self) -> &'static str {
        match self {
            Target::Wasm32 => "wasm32",
            Target::X86_64Linux => "linux-x86_64",
            Target::X86_64Windows => "windows-x86_64",
            Target::Aarch64Darwin => "macos-aarch64",
            Target::I686Linux => "linux-x86",
        }
    }

    /// The C ABI label (`system_v`, `msvc`, `darwin_aapcs64`, `system_v_i386`, `wasm`).
    pub fn abi(self) -> &'static str {
        match self {
            Target::Wasm32 => "wasm",
            Target::X86_64Linux => "system_v",
            Target::X86_64Windows => "msvc",
            Target::Aarch64Darwin => "darwin_aapcs64",
            Target::I686Linux => "system_v_i386",
        }
    }

    /// The calling convention label (`C`, `win64`, `aapcs64`, `cdecl`, `wasm_c`).
    pub fn callconv(self) -> &'static str {
        match self {
            Target::Wasm32 => "wasm_c",
            Target::X86_64Linux => "C",
            Target::X86_64Windows => "win64",
            Target::Aarch64Darwin => "aapcs64",
            Target::I686Linux => "cdecl",
        }
    }

    /// Size (and alignment) of a data pointer, in bytes.
    pub fn pointer_size(self) -> u64 {
        match self {
            Target::Wasm32 | Target::I686Linux => 4,
            Target::X86_64Linux | Target::X86_64Windows | Target::Aarch64Darwin => 8,
        }
    }

    /// Alignment of `int64_t` and `double` inside a struct: 4 on i386 System V, else 8.
    pub fn align_of_8_byte_scalar(self) -> u64 {
        match self {
            Target::I686Linux => 4,
            _ => 8,
        }
    }

    /// The C preprocessor condition that is true exactly when compiling for this target.
    ///
    /// Uses macros that gcc, clang and MSVC define themselves; the Windows one also holds
    /// for `clang --target=x86_64-pc-windows-msvc`, which defines `_MSC_VER` and `_M_X64`.
    pub fn c_condition(self) -> &'static str {
        match self {
            Target::Wasm32 => "defined(__wasm32__)",
            Target::X86_64Linux => "defined(__x86_64__) && defined(__linux__)",
            Target::X86_64Windows => "defined(_WIN64) && defined(_M_X64) && defined(_MSC_VER)",
            Target::Aarch64Darwin => "defined(__aarch64__) && defined(__APPLE__)",
            Target::I686Linux => "defined(__i386__) && defined(__linux__)",
        }
    }

    /// The `cfg(...)` predicate (without `cfg`) selecting this target in Rust.
    pub fn rust_cfg(self) -> &'static str {
        match self {
            Target::Wasm32 => "target_arch = \"wasm32\"",
            Target::X86_64Linux => "all(target_arch = \"x86_64\", target_os = \"linux\")",
            Target::X86_64Windows => {
                "all(target_arch = \"x86_64\", target_os = \"windows\", target_env = \"msvc\")"
            }
            Target::Aarch64Darwin => "all(target_arch = \"aarch64\", target_os = \"macos\")",
            Target::I686Linux => "all(target_arch = \"x86\", target_os = \"linux\")",
        }
    }

    /// The target this crate was compiled for, when it is one of the five.
    pub fn host() -> Option<Target> {
        if cfg!(target_arch = "wasm32") {
            Some(Target::Wasm32)
        } else if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
            Some(Target::X86_64Linux)
        } else if cfg!(all(
            target_arch = "x86_64",
            target_os = "windows",
            target_env = "msvc"
        )) {
            Some(Target::X86_64Windows)
        } else if cfg!(all(target_arch = "aarch64", target_os = "macos")) {
            Some(Target::Aarch64Darwin)
        } else if cfg!(all(target_arch = "x86", target_os = "linux")) {
            Some(Target::I686Linux)
        } else {
            None
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.triple())
    }
}

impl std::str::FromStr for Target {
    type Err = UnknownTarget;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_round_trip() {
        for t in Target::ALL {
            assert_eq!(Target::from_triple(t.triple()), Some(t));
            assert_eq!(t.to_string().parse::<Target>(), Ok(t));
        }
        assert_eq!(Target::from_triple("riscv64gc-unknown-linux-gnu"), None);
    }

    #[test]
    fn unknown_target_lists_known_ones() {
        let e = Target::parse("sparc-sun-solaris").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("`sparc-sun-solaris`"), "{text}");
        for t in Target::ALL {
            assert!(text.contains(t.triple()), "{text}");
        }
    }

    #[test]
    fn labels() {
        assert_eq!(Target::I686Linux.arch(), "x86");
        assert_eq!(Target::Aarch64Darwin.platform(), "macos-aarch64");
        assert_eq!(Target::X86_64Windows.abi(), "msvc");
        assert_eq!(Target::X86_64Windows.callconv(), "win64");
        assert_eq!(Target::Wasm32.pointer_size(), 4);
        assert_eq!(Target::X86_64Linux.pointer_size(), 8);
        if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
            assert_eq!(Target::host(), Some(Target::X86_64Linux));
        }
    }
}
