//! The layering rules of ARCHITECTURE.md, checked from `cargo metadata` (run by `cargo test`).

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::process::Command;

    use serde_json::Value;

    /// Normal (non-dev, non-build) dependencies of every workspace package, transitively.
    fn transitive_deps() -> BTreeMap<String, BTreeSet<String>> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--locked"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
        let name_of: BTreeMap<&str, &str> = meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
            .collect();
        let mut direct: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for node in meta["resolve"]["nodes"].as_array().unwrap() {
            let normal = node["deps"].as_array().unwrap().iter().filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].is_null())
            });
            direct.insert(
                node["id"].as_str().unwrap(),
                normal.map(|d| d["pkg"].as_str().unwrap()).collect(),
            );
        }
        let mut result = BTreeMap::new();
        for member in meta["workspace_members"].as_array().unwrap() {
            let mut seen = BTreeSet::new();
            let mut stack = vec![member.as_str().unwrap()];
            while let Some(id) = stack.pop() {
                for &dep in direct.get(id).into_iter().flatten() {
                    if seen.insert(name_of[dep].to_owned()) {
                        stack.push(dep);
                    }
                }
            }
            result.insert(name_of[member.as_str().unwrap()].to_owned(), seen);
        }
        result
    }

    fn forbid(
        deps: &BTreeMap<String, BTreeSet<String>>,
        crate_matches: impl Fn(&str) -> bool,
        forbidden: &[&str],
        why: &str,
    ) -> Vec<String> {
        let mut broken = Vec::new();
        for (krate, all) in deps.iter().filter(|(k, _)| crate_matches(k)) {
            for f in forbidden {
                if all
                    .iter()
                    .any(|d| d == f || (f.ends_with('*') && d.starts_with(f.trim_end_matches('*'))))
                {
                    broken.push(format!("{krate} depends on {f}: {why}"));
                }
            }
        }
        broken
    }

    #[test]
    fn crates_respect_the_layering() {
        let deps = transitive_deps();
        let is_dataset = |k: &str| {
            k.starts_with("zukan-")
                && ![
                    "zukan-schema",
                    "zukan-fetch",
                    "zukan-mat",
                    "zukan-nn",
                    "zukan-cli",
                ]
                .contains(&k)
        };
        let datasets: Vec<&str> = deps
            .keys()
            .map(String::as_str)
            .filter(|k| is_dataset(k))
            .collect();
        let network = ["reqwest", "tokio", "hyper", "indicatif", "zukan-fetch"];
        let mut broken = Vec::new();
        broken.extend(forbid(
            &deps,
            |k| k == "zukan-schema",
            &[
                "reqwest",
                "tokio",
                "zip",
                "tar",
                "flate2",
                "image",
                "indicatif",
                "zukan-*",
            ],
            "schema is pure data + serde",
        ));
        broken.extend(forbid(
            &deps,
            is_dataset,
            &network,
            "dataset crates parse; they never touch HTTP, async or progress",
        ));
        broken.extend(forbid(
            &deps,
            |k| k == "zukan-mat",
            &["zukan-*", "reqwest", "tokio", "hyper", "indicatif"],
            "mat reads MAT bytes; it knows nothing of datasets, the schema or downloads",
        ));
        broken.extend(forbid(
            &deps,
            |k| k == "zukan-fetch",
            &[&["zukan", "zukan-mat", "indicatif", "clap"][..], &datasets].concat(),
            "fetch knows nothing of datasets and never draws",
        ));
        broken.extend(forbid(
            &deps,
            |k| k == "zukan-nn",
            &[
                &[
                    "zukan",
                    "zukan-schema",
                    "zukan-fetch",
                    "zukan-mat",
                    "reqwest",
                    "tokio",
                ][..],
                &datasets,
            ]
            .concat(),
            "nn knows nothing of datasets or downloads",
        ));
        broken.extend(forbid(
            &deps,
            |k| k != "zukan-cli" && k != "xtask",
            &["clap", "indicatif", "anyhow"],
            "only the binaries parse arguments, draw progress or use anyhow",
        ));
        assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
        // The check must see the crates it rules on, or it proves nothing.
        assert!(deps["zukan"].contains("zukan-widerface") && deps["zukan"].contains("zukan-fetch"));
        assert!(deps["zukan-fetch"].contains("reqwest"));
        for d in [
            "zukan-widerface",
            "zukan-fddb",
            "zukan-adience",
            "zukan-imdb-wiki",
        ] {
            assert!(datasets.contains(&d), "{d} is ruled as a dataset crate");
        }
        assert!(deps["zukan-imdb-wiki"].contains("zukan-mat"));
    }
}
