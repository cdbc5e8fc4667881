//! Downloadable resources: the files a dataset is made of, with their proof of identity.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Split;

/// One published file of a dataset (an archive or a plain file) and how to prove it is the
/// real one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// The file name as published (`WIDER_val.zip`); also its name under `downloads/` and what
    /// `fetch --from DIR` looks for.
    pub file_name: String,
    /// Where to get it, tried in order: the official URL first, then mirrors.
    pub urls: Vec<String>,
    /// Size in bytes, when known.
    pub size: Option<u64>,
    /// SHA-256 of the whole file, when known.
    pub sha256: Option<Sha256Hex>,
    /// Where `size` and `sha256` come from (a checksum file in another project, a tool run).
    pub checksum_source: String,
    /// The official page to send a user to when the download cannot be verified.
    pub page: String,
    /// How to unpack it.
    pub archive: ArchiveKind,
    /// The splits that need this file; empty means every split does (annotations).
    #[serde(default)]
    pub splits: Vec<Split>,
}

impl Resource {
    /// Whether preparing `split` needs this resource.
    pub fn needed_for(&self, split: Split) -> bool {
        self.splits.is_empty() || self.splits.contains(&split)
    }
}

/// How a resource is unpacked into the dataset tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchiveKind {
    /// Not an archive: copied into the tree as is.
    File,
    /// A zip archive.
    Zip,
    /// An uncompressed tar archive.
    Tar,
    /// A gzip-compressed tar archive (`.tar.gz`, `.tgz`).
    TarGz,
}

/// A SHA-256 digest, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Hex(pub [u8; 32]);

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hex({self})")
    }
}

/// The error for text that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a sha256 (64 hex digits)")]
pub struct ParseSha256Error(String);

impl FromStr for Sha256Hex {
    type Err = ParseSha256Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseSha256Error(s.to_owned());
        if s.len() != 64 || !s.is_ascii() {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Sha256Hex(out))
    }
}

impl Serialize for Sha256Hex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sha256Hex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_round_trips_and_rejects_bad_text() {
        let text = "c7561e4f5e7a118c249e0a5c5c902b0de90bbf120d7da9fa28d99041f68a8a5c";
        assert_eq!(text.parse::<Sha256Hex>().unwrap().to_string(), text);
        assert!(text[..63].parse::<Sha256Hex>().is_err());
        assert!(text.replace('c', "g").parse::<Sha256Hex>().is_err());
        // A multi-byte character must not make the slicing panic.
        assert!(format!("é{}", &text[2..]).parse::<Sha256Hex>().is_err());
    }

    #[test]
    fn needed_for_empty_means_every_split() {
        let mut r = Resource {
            file_name: "a.zip".into(),
            urls: vec![],
            size: None,
            sha256: None,
            checksum_source: String::new(),
            page: String::new(),
            archive: ArchiveKind::Zip,
            splits: vec![],
        };
        assert!(r.needed_for(Split::Test));
        r.splits = vec![Split::Val];
        assert!(r.needed_for(Split::Val));
        assert!(!r.needed_for(Split::Train));
    }
}
