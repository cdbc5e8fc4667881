//! Dataset splits, named as the sources name them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A split of a dataset. Folds keep the number the source uses (FDDB folds are 1..=10,
/// Adience folds 0..=4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Split {
    /// Training split.
    Train,
    /// Validation split.
    Val,
    /// Test split (annotations may be withheld by the authors).
    Test,
    /// A cross-validation fold, numbered as the source numbers it.
    Fold(u8),
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Split::Train => f.write_str("train"),
            Split::Val => f.write_str("val"),
            Split::Test => f.write_str("test"),
            Split::Fold(n) => write!(f, "fold{n}"),
        }
    }
}

/// The error for a split name that is none of `train`, `val`, `test`, `foldN`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a split (expected train, val, test or foldN)")]
pub struct ParseSplitError(pub String);

impl FromStr for Split {
    type Err = ParseSplitError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "train" => Ok(Split::Train),
            // "validation" is what tensorflow-datasets and Hugging Face call it.
            "val" | "validation" => Ok(Split::Val),
            "test" => Ok(Split::Test),
            _ => s
                .strip_prefix("fold")
                .and_then(|n| n.parse().ok())
                .map(Split::Fold)
                .ok_or_else(|| ParseSplitError(s.to_owned())),
        }
    }
}

impl Serialize for Split {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Split {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<Split>) {
        assert_eq!(text.parse::<Split>().ok(), expected, "{text}");
        if let Some(split) = expected
            && text != "validation"
        {
            assert_eq!(split.to_string(), text);
        }
    }

    #[test]
    fn names_round_trip() {
        check("train", Some(Split::Train));
        check("val", Some(Split::Val));
        check("validation", Some(Split::Val));
        check("test", Some(Split::Test));
        check("fold0", Some(Split::Fold(0)));
        check("fold10", Some(Split::Fold(10)));
        check("fold", None);
        check("fold-1", None);
        check("fold256", None);
        check("Train", None);
        check("", None);
    }
}
