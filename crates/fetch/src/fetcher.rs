//! [`Fetcher`]: the blocking entry point. It owns a small tokio runtime and an HTTP client,
//! runs the downloads of several resources at once (bounded by a semaphore), and collects
//! every file's result.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};

use tokio::sync::Semaphore;
use zukan_schema::Resource;

use crate::download::{Shared, fetch_one, join_error};
use crate::import::import_one;
use crate::lock::LockGuard;
use crate::store::{Downloaded, check_file_name, find_verified};
use crate::{DataDir, FetchError, FetchOptions, Mirror, Progress};

/// Downloads, imports and verifies resources into a [`DataDir`].
pub struct Fetcher {
    shared: Arc<Shared>,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("data_dir", &self.shared.data_dir)
            .field("options", &self.shared.options)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// A fetcher writing into `data_dir`. Builds the HTTP client (rustls on ring, a
    /// `zukan/<version>` User-Agent, the timeouts of `options`) and its runtime.
    pub fn new(
        data_dir: DataDir,
        options: FetchOptions,
        progress: Arc<dyn Progress>,
    ) -> Result<Self, FetchError> {
        static PROVIDER: Once = Once::new();
        // Another part of the process may have installed a provider already; any one will do.
        PROVIDER.call_once(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let client = reqwest::Client::builder()
            .user_agent(concat!("zukan/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .build()
            .map_err(|e| FetchError::Setup {
                what: "the HTTP client".to_owned(),
                source: Box::new(e),
            })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("zukan-fetch")
            .enable_all()
            .build()
            .map_err(|e| FetchError::Setup {
                what: "the async runtime".to_owned(),
                source: Box::new(e),
            })?;
        Ok(Fetcher {
            shared: Arc::new(Shared {
                client,
                data_dir,
                options,
                progress,
            }),
            runtime,
        })
    }

    /// The data directory written to.
    pub fn data_dir(&self) -> &DataDir {
        &self.shared.data_dir
    }

    /// The options in use.
    pub fn options(&self) -> &FetchOptions {
        &self.shared.options
    }

    /// Gets every resource into `downloads/`, verified, and returns their paths in the same
    /// order. See [`Fetcher::fetch`].
    pub fn download_all(&self, resources: &[Resource]) -> Result<Vec<PathBuf>, FetchError> {
        Ok(self.fetch(resources)?.into_iter().map(|d| d.path).collect())
    }

    /// Gets every resource into `downloads/`, verified: a copy already verified there is
    /// reused; otherwise the mirror and then each URL are tried in order. Offline, fails at
    /// once (before any other work) naming every file that is not already there.
    ///
    /// Every resource is attempted even when one fails; the error then covers each failure.
    pub fn fetch(&self, resources: &[Resource]) -> Result<Vec<Downloaded>, FetchError> {
        self.check_not_async()?;
        for r in resources {
            check_file_name(&r.file_name)?;
        }
        if self.shared.options.offline {
            self.check_offline(resources)?;
        }
        self.shared.progress.plan(&plan(resources));
        let shared = self.shared.clone();
        let resources = resources.to_vec();
        self.runtime.block_on(async move {
            let permits = Arc::new(Semaphore::new(shared.options.concurrency.max(1)));
            let tasks: Vec<_> = resources
                .into_iter()
                .map(|resource| {
                    let (shared, permits) = (shared.clone(), permits.clone());
                    tokio::spawn(async move {
                        let _permit = permits.acquire_owned().await;
                        fetch_one(shared, resource).await
                    })
                })
                .collect();
            let mut results = Vec::with_capacity(tasks.len());
            for task in tasks {
                results.push(task.await.map_err(join_error).and_then(|r| r));
            }
            collect(results)
        })
    }

    /// `fetch --from DIR`: takes `DIR/<file_name>` for every resource, verifies it like a
    /// download and copies it into `downloads/`; returns the paths there. See
    /// [`Fetcher::import`].
    pub fn import_from(
        &self,
        dir: &Path,
        resources: &[Resource],
    ) -> Result<Vec<PathBuf>, FetchError> {
        Ok(self
            .import(dir, resources)?
            .into_iter()
            .map(|d| d.path)
            .collect())
    }

    /// Verifies and copies `DIR/<file_name>` of every resource into `downloads/` (a copy
    /// already verified there is reused). Missing files fail at once, all named; otherwise
    /// every file is attempted and the error covers each failure.
    pub fn import(
        &self,
        dir: &Path,
        resources: &[Resource],
    ) -> Result<Vec<Downloaded>, FetchError> {
        for r in resources {
            check_file_name(&r.file_name)?;
        }
        let missing: Vec<String> = resources
            .iter()
            .filter(|r| !dir.join(&r.file_name).is_file())
            .map(|r| r.file_name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(FetchError::MissingInDir {
                dir: dir.to_owned(),
                missing,
            });
        }
        let data_dir = &self.shared.data_dir;
        let progress = self.shared.progress.as_ref();
        progress.plan(&plan(resources));
        let results = resources
            .iter()
            .map(|resource| {
                let _lock = LockGuard::acquire(&data_dir.download_lock(&resource.file_name))?;
                let src = dir.join(&resource.file_name);
                let len = |p: &Path| std::fs::metadata(p).ok().map(|m| m.len());
                // A file there of another size than the copy imported before is not that
                // file: check it like a new one instead of trusting the earlier copy.
                let replaced = len(&data_dir.download(&resource.file_name))
                    .is_some_and(|cached| len(&src) != Some(cached));
                if !replaced && let Some(found) = find_verified(data_dir, resource, progress)? {
                    progress.finish(&resource.file_name);
                    return Ok(found);
                }
                let done =
                    import_one(data_dir, resource, &dir.join(&resource.file_name), progress)?;
                progress.finish(&resource.file_name);
                Ok(done)
            })
            .collect();
        collect(results)
    }

    /// Offline: every resource must already be verified in `downloads/` or be in the mirror
    /// directory.
    fn check_offline(&self, resources: &[Resource]) -> Result<(), FetchError> {
        let shared = &self.shared;
        let mirror_dir = match &shared.options.mirror {
            Some(Mirror::Dir(dir)) => Some(dir),
            _ => None,
        };
        let mut missing = Vec::new();
        for r in resources {
            let in_mirror = mirror_dir.is_some_and(|d| d.join(&r.file_name).is_file());
            if !in_mirror && find_verified(&shared.data_dir, r, shared.progress.as_ref())?.is_none()
            {
                missing.push((r.file_name.clone(), shared.data_dir.download(&r.file_name)));
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(FetchError::Offline { missing })
        }
    }

    /// `block_on` inside a runtime would panic; say so instead.
    fn check_not_async(&self) -> Result<(), FetchError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(FetchError::Setup {
                what: "Fetcher's blocking API was called from inside an async runtime; call it \
                       from a blocking thread (e.g. tokio::task::spawn_blocking)"
                    .to_owned(),
                source: Box::new(std::io::Error::other("nested runtime")),
            });
        }
        Ok(())
    }

    /// Waits on the install lock of `dataset` (same as [`DataDir::lock_dataset`]).
    pub fn lock_dataset(&self, dataset: &str) -> Result<LockGuard, FetchError> {
        self.shared.data_dir.lock_dataset(dataset)
    }
}

/// What [`Progress::plan`] is told.
fn plan(resources: &[Resource]) -> Vec<(String, Option<u64>)> {
    resources
        .iter()
        .map(|r| (r.file_name.clone(), r.size))
        .collect()
}

/// All results, or the single error, or every error.
fn collect(results: Vec<Result<Downloaded, FetchError>>) -> Result<Vec<Downloaded>, FetchError> {
    let mut done = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(d) => done.push(d),
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => Ok(done),
        1 => Err(errors.remove(0)),
        _ => Err(FetchError::Several { errors }),
    }
}
