//! Diagnostics: one type for every error, stable codes, rendered like rustc.

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Stops the pipeline.
    Error,
    /// Reported, does not stop.
    Warning,
}

/// One finding. (Owner: front-end helper; fields per SPEC §9.)
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable code such as `bid.type.unknown`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
}

/// Every diagnostic of one file, with the source to render them against.
#[derive(Clone, Debug)]
pub struct Report {
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}
