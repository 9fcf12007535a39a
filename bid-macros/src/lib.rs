//! `#[bid_interface("path")]`: a thin shell over `bid_schema`.
