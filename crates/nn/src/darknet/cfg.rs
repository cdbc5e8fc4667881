//! Darknet `.cfg` text: sections of `key=value` options.
//!
//! Lines are stripped as Darknet's `strip()` does (every space, tab, CR and newline removed,
//! so `anchors = 1, 2` reads `anchors=1,2`); empty lines and lines starting with `#` or `;`
//! are skipped. Section names are checked against the layers this crate builds (an unknown
//! one is an error naming it and its line), keys against those Darknet reads for them (an
//! unknown key is a warning returned to the caller). Lookups take the first occurrence.

use crate::error::{Error, Result};

/// One `[section]` and its options, in file order.
#[derive(Clone, Debug)]
pub struct Section {
    /// Canonical name: `net`, `convolutional`, `maxpool`, `route`, `reorg` or `region`.
    pub name: String,
    /// 1-based line of the `[name]` header.
    pub line: usize,
    /// `(key, value, line)` in file order.
    pub options: Vec<(String, String, usize)>,
}

/// A parsed cfg: its sections and the warnings (unknown keys) met while parsing.
#[derive(Clone, Debug)]
pub struct Cfg {
    /// Sections in order; the first is `net`.
    pub sections: Vec<Section>,
    /// Human-readable warnings, e.g. `line 12: unknown key `foo` in [maxpool]`.
    pub warnings: Vec<String>,
}

/// Canonical section name for a header, or `None` if unsupported.
fn canonical_section(name: &str) -> Option<&'static str> {
    Some(match name {
        "net" | "network" => "net",
        "convolutional" | "conv" => "convolutional",
        "maxpool" | "max" => "maxpool",
        "route" => "route",
        "reorg" => "reorg",
        "region" => "region",
        _ => return None,
    })
}

/// The keys Darknet reads for each section (the yolov2, yolov2-tiny and yolov2-tiny-voc
/// cfgs and the training options around them).
fn known_keys(section: &str) -> &'static [&'static str] {
    match section {
        "net" => &[
            "batch",
            "subdivisions",
            "width",
            "height",
            "channels",
            "momentum",
            "decay",
            "angle",
            "saturation",
            "exposure",
            "hue",
            "learning_rate",
            "burn_in",
            "power",
            "max_batches",
            "policy",
            "steps",
            "scales",
            "step",
            "gamma",
            "max_crop",
            "min_crop",
            "aspect",
            "adam",
            "B1",
            "B2",
            "eps",
            "inputs",
            "time_steps",
            "seed",
        ],
        "convolutional" => &[
            "filters",
            "size",
            "stride",
            "pad",
            "padding",
            "activation",
            "batch_normalize",
            "groups",
        ],
        "maxpool" => &["size", "stride", "padding"],
        "route" => &["layers"],
        "reorg" => &["stride", "reverse", "flatten", "extra"],
        "region" => &[
            "anchors",
            "bias_match",
            "classes",
            "coords",
            "num",
            "softmax",
            "jitter",
            "rescore",
            "object_scale",
            "noobject_scale",
            "class_scale",
            "coord_scale",
            "absolute",
            "thresh",
            "random",
            "max",
            "classfix",
            "log",
            "background",
        ],
        _ => &[],
    }
}

/// Parses cfg text.
pub fn parse_cfg(text: &str) -> Result<Cfg> {
    let mut sections: Vec<Section> = Vec::new();
    let mut warnings = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
            .collect();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.strip_suffix(']').ok_or_else(|| Error::Cfg {
                line: line_no,
                msg: format!("section header `{raw}` lacks its closing `]`"),
            })?;
            let canon = canonical_section(name).ok_or_else(|| Error::UnknownSection {
                name: name.to_string(),
                line: line_no,
            })?;
            sections.push(Section {
                name: canon.to_string(),
                line: line_no,
                options: Vec::new(),
            });
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(Error::Cfg {
                line: line_no,
                msg: format!("expected `key=value`, found `{raw}`"),
            });
        };
        let Some(section) = sections.last_mut() else {
            return Err(Error::Cfg {
                line: line_no,
                msg: "option before the first [section]".into(),
            });
        };
        if !known_keys(&section.name).contains(&key) {
            warnings.push(format!(
                "line {line_no}: unknown key `{key}` in [{}]",
                section.name
            ));
        }
        section
            .options
            .push((key.to_string(), value.to_string(), line_no));
    }
    match sections.first() {
        None => Err(Error::Cfg {
            line: 1,
            msg: "no sections".into(),
        }),
        Some(s) if s.name != "net" => Err(Error::Cfg {
            line: s.line,
            msg: format!("the first section must be [net], found [{}]", s.name),
        }),
        Some(_) => Ok(Cfg { sections, warnings }),
    }
}

impl Section {
    fn find(&self, key: &str) -> Option<(&str, usize)> {
        self.options
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, l)| (v.as_str(), *l))
    }

    fn parse_with<T>(&self, key: &str, default: T, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
        match self.find(key) {
            None => Ok(default),
            Some((v, line)) => parse(v).ok_or_else(|| Error::Cfg {
                line,
                msg: format!("[{}] {key}=`{v}` is not a valid value", self.name),
            }),
        }
    }

    /// An integer option (Darknet reads with `atoi`; we insist on a clean integer).
    pub fn int(&self, key: &str, default: i64) -> Result<i64> {
        self.parse_with(key, default, |v| v.parse().ok())
    }

    /// A non-negative integer option.
    pub fn usize(&self, key: &str, default: usize) -> Result<usize> {
        self.parse_with(key, default, |v| v.parse().ok())
    }

    /// A positive integer option: 0 is an error naming the key's line (Darknet would divide
    /// by a zero stride, or build a layer without outputs).
    pub fn positive(&self, key: &str, default: usize) -> Result<usize> {
        let v = self.usize(key, default)?;
        if v == 0 {
            let line = self.find(key).map_or(self.line, |(_, l)| l);
            return Err(Error::Cfg {
                line,
                msg: format!("[{}] {key}=0: must be at least 1", self.name),
            });
        }
        Ok(v)
    }

    /// A float option.
    pub fn float(&self, key: &str, default: f32) -> Result<f32> {
        self.parse_with(key, default, |v| v.parse().ok())
    }

    /// A string option.
    pub fn string(&self, key: &str, default: &str) -> String {
        self.find(key).map_or(default, |(v, _)| v).to_string()
    }

    /// A comma-separated list of floats (empty if absent; a trailing comma is allowed).
    pub fn floats(&self, key: &str) -> Result<Vec<f32>> {
        self.parse_with(key, Vec::new(), |v| {
            v.split(',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().ok())
                .collect()
        })
    }

    /// A comma-separated list of integers.
    pub fn ints(&self, key: &str) -> Result<Vec<i64>> {
        self.parse_with(key, Vec::new(), |v| {
            v.split(',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().ok())
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_like_darknet_and_warns_on_unknown_keys() {
        let cfg =
            parse_cfg("# c\n[net]\n width = 416 \n;x\n\n[conv]\nfilters=16\nfoo=1\n[max]\nsize=2")
                .unwrap();
        assert_eq!(cfg.sections.len(), 3);
        assert_eq!(cfg.sections[0].usize("width", 0).unwrap(), 416);
        assert_eq!(cfg.sections[1].name, "convolutional");
        assert_eq!(cfg.sections[2].name, "maxpool");
        assert_eq!(
            cfg.warnings,
            vec!["line 8: unknown key `foo` in [convolutional]".to_string()]
        );
    }

    #[test]
    fn first_occurrence_wins_and_lists_parse() {
        let cfg = parse_cfg("[net]\nbatch=2\nbatch=3\nsteps=-1,100,\n").unwrap();
        assert_eq!(cfg.sections[0].usize("batch", 1).unwrap(), 2);
        assert_eq!(cfg.sections[0].ints("steps").unwrap(), vec![-1, 100]);
    }

    #[test]
    fn section_typo_is_an_error_naming_it() {
        let err = parse_cfg("[net]\n[convolutinal]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("convolutinal") && err.contains("line 2"),
            "{err}"
        );
    }
}
