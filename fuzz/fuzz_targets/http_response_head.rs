//! The `log mirror` client's HTTP response head parser: never panics; a head that parses has
//! an HTTP/1.x status line with a three-digit code from 100 to 599, and a Content-Length only when exactly
//! one all-digit Content-Length header was sent.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(head) = tlog::http::parse_response_head(data) else {
        return;
    };
    assert!((100..=599).contains(&head.status));
    assert!(data.starts_with(b"HTTP/1.1 ") || data.starts_with(b"HTTP/1.0 "));
    let lengths = data
        .split(|&b| b == b'\n')
        .filter(|l| l.len() > 15 && l[..15].eq_ignore_ascii_case(b"content-length:"))
        .count();
    assert!(lengths <= 1);
    assert_eq!(head.content_length.is_some(), lengths == 1);
});
