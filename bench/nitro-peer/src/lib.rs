//! Benchmark-only package; see benches/verify.rs.
