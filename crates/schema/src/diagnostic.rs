//! Recoverable source problems, reported with their place.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A problem in a source file that does not make it unreadable: one bad row, an impossible
/// age, a degenerate box. Parsers collect these instead of dropping data silently or failing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file, as a path relative to the dataset root when there is one.
    pub file: String,
    /// 1-based line number, when the source is line-oriented.
    pub line: Option<u64>,
    /// What is wrong, in words, naming the offending value.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at `file:line`.
    pub fn at_line(file: impl Into<String>, line: u64, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// A diagnostic about a whole file or a place without a line number.
    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}
