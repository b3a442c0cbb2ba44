//! Errors by stage: bundle parsing, trusted-root parsing, keys.

/// Why an input (bundle, trusted root, key) could not be turned into a typed value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The input is larger than its budget.
    #[error("{what} is {len} bytes, over the {max}-byte budget")]
    TooLarge {
        /// Which input.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The budget.
        max: usize,
    },
    /// Too many items of some kind.
    #[error("{what}: {count} items, over the budget of {max}")]
    TooMany {
        /// Which list.
        what: &'static str,
        /// How many were given.
        count: usize,
        /// The budget.
        max: usize,
    },
    /// Not valid JSON of the expected shape.
    #[error("{what}: malformed JSON: {detail}")]
    Json {
        /// Which input.
        what: &'static str,
        /// The parser's message.
        detail: String,
    },
    /// A field is missing or has an unacceptable value.
    #[error("{what}: {detail}")]
    Invalid {
        /// Which field.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

impl ParseError {
    pub(crate) fn invalid(what: &'static str, detail: impl Into<String>) -> Self {
        ParseError::Invalid {
            what,
            detail: detail.into(),
        }
    }
}
