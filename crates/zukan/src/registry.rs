//! The registry: every dataset zukan knows, by the name users type.

use zukan_schema::Dataset;

/// Every dataset by name. Names are what the command line takes (`zukan info widerface`).
pub struct Registry {
    datasets: Vec<Box<dyn Dataset>>,
}

/// The error for a name that is not in the registry; it lists the names that are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no dataset named `{name}` (known: {})", known.join(", "))]
pub struct UnknownDataset {
    /// What was asked for.
    pub name: String,
    /// The registered names.
    pub known: Vec<String>,
}

impl Registry {
    /// The registry of every dataset this build of zukan supports.
    pub fn new() -> Self {
        Registry {
            datasets: vec![
                Box::new(zukan_widerface::WiderFace),
                Box::new(zukan_fddb::Fddb),
                Box::new(zukan_imdb_wiki::ImdbWiki),
                Box::new(zukan_adience::Adience::default()),
            ],
        }
    }

    /// Registered names, in registry order.
    pub fn names(&self) -> Vec<String> {
        self.datasets.iter().map(|d| d.info().name).collect()
    }

    /// Every dataset, in registry order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Dataset> {
        self.datasets.iter().map(|d| d.as_ref())
    }

    /// The dataset called `name`, if any.
    pub fn get(&self, name: &str) -> Option<&dyn Dataset> {
        self.iter().find(|d| d.info().name == name)
    }

    /// The dataset called `name`, or an error that lists the known names.
    pub fn require(&self, name: &str) -> Result<&dyn Dataset, UnknownDataset> {
        self.get(name).ok_or_else(|| UnknownDataset {
            name: name.to_owned(),
            known: self.names(),
        })
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_resolvable() {
        let registry = Registry::new();
        let names = registry.names();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        for name in &names {
            assert_eq!(&registry.require(name).unwrap().info().name, name);
        }
    }

    #[test]
    fn unknown_name_lists_known_ones() {
        let err = Registry::new().require("widerfaec").err().unwrap();
        assert_eq!(
            err.to_string(),
            "no dataset named `widerfaec` (known: widerface, fddb, imdb-wiki, adience)"
        );
    }
}
