//! Errors raised while loading a scheme. Grouping itself never fails: a record that cannot be grouped
//! gets a [`crate::Status`] and a [`crate::Reason`].

/// A scheme could not be loaded. Every variant names the file; structural problems also name the
/// JSON path, so the fix is obvious.
#[derive(Debug, thiserror::Error)]
pub enum SchemeError {
    /// The file could not be read.
    #[error("cannot read scheme {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not JSON of the expected shape.
    #[error("{file}: not a valid opendrg-scheme/1 document: {source}")]
    Json {
        /// The file.
        file: String,
        /// What serde_json reported (with line and column).
        source: serde_json::Error,
    },
    /// The JSON is well-formed but something in it cannot be compiled.
    #[error("{file}: at {path}: {problem}")]
    Invalid {
        /// The file.
        file: String,
        /// JSON path of the offending value, e.g. `mdcs[3].steps[12].drgs[0].when.all[1]`.
        path: String,
        /// What is wrong and what would be accepted.
        problem: String,
    },
}
