//! Backup, copy and resource bytes, through the `object_store` crate: the local file system
//! under the data folder by default, an S3-compatible bucket when configured. Objects are
//! addressed `<kind>/<id>`; large ones are streamed, never held whole in memory, and every
//! transfer is hashed on the way (SHA-256) so copies and restores can be verified.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore as Store, ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::crypto::{CryptoError, Opener};

/// Part size of streamed uploads: S3 wants at least 5 MiB for all but the last part.
const PART: usize = 8 << 20;

/// How often a running transfer reports its progress (and renews its lease) at least.
const REPORT_EVERY: Duration = Duration::from_millis(250);

/// Why a transfer stopped.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("object storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("{0}")]
    Crypto(#[from] CryptoError),
    /// The caller's progress callback asked to stop (the copy was cancelled meanwhile).
    #[error("stopped")]
    Stopped,
}

impl TransferError {
    /// Whether the source object does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Store(object_store::Error::NotFound { .. }))
    }
}

/// What a streamed transfer read and wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transferred {
    /// SHA-256 of the bytes read from the source.
    pub read_sha256: String,
    /// SHA-256 of the bytes written (differs from the read one when decrypting).
    pub written_sha256: String,
}

/// Where bytes live.
#[derive(Debug, Clone)]
pub struct ObjectStore {
    store: Arc<dyn Store>,
    /// The folder of a local store, for sweeping uploads a crash left behind.
    local_root: Option<PathBuf>,
}

impl ObjectStore {
    /// A store in `<data dir>/objects`.
    pub fn local(data_dir: &FsPath) -> std::io::Result<Self> {
        let root = data_dir.join("objects");
        std::fs::create_dir_all(&root)?;
        let store = LocalFileSystem::new_with_prefix(&root)
            .map_err(std::io::Error::other)?
            .with_automatic_cleanup(true);
        Ok(Self {
            store: Arc::new(store),
            local_root: Some(root),
        })
    }

    /// Any other store, e.g. S3 built from the environment.
    pub fn from_store(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            local_root: None,
        }
    }

    /// An S3-compatible bucket from `AWS_*` settings given as (name, value) pairs, the names
    /// of the server's environment (`AWS_BUCKET`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT` for non-AWS stores, `AWS_ALLOW_HTTP`, ...;
    /// other names are ignored). Tests hand a server process the same pairs, so both read
    /// the bucket through one configuration. Abandoned multipart uploads are left to the
    /// bucket's lifecycle rule.
    ///
    /// No upload checksum is asked for: S3's SHA-256 of a multipart upload is a composite
    /// of the parts' hashes, never the object's own, so copies are still read back to be
    /// verified against the backup's SHA-256 (signed requests already carry each part's
    /// SHA-256, which AWS checks).
    #[cfg(feature = "s3")]
    pub fn s3<K: AsRef<str>, V: Into<String>>(
        settings: impl IntoIterator<Item = (K, V)>,
    ) -> object_store::Result<Self> {
        let mut builder = object_store::aws::AmazonS3Builder::new();
        for (name, value) in settings {
            let name = name.as_ref();
            let key = name
                .starts_with("AWS_")
                .then(|| name.to_ascii_lowercase().parse().ok())
                .flatten();
            if let Some(key) = key {
                builder = builder.with_config(key, value);
            }
        }
        Ok(Self::from_store(Arc::new(builder.build()?)))
    }

    /// [`ObjectStore::s3`] from the process environment.
    #[cfg(feature = "s3")]
    pub fn s3_from_env() -> object_store::Result<Self> {
        Self::s3(std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        }))
    }

    fn key(kind: &str, id: &str) -> Path {
        Path::from(format!("{kind}/{id}"))
    }

    /// Writes a small object whole and returns its SHA-256.
    pub async fn put(&self, kind: &str, id: &str, bytes: Vec<u8>) -> object_store::Result<String> {
        let sha256 = sha256_hex(&bytes);
        self.store
            .put(&Self::key(kind, id), PutPayload::from(bytes))
            .await?;
        Ok(sha256)
    }

    /// Reads a small object whole.
    pub async fn get(&self, kind: &str, id: &str) -> object_store::Result<Vec<u8>> {
        let bytes = self.store.get(&Self::key(kind, id)).await?.bytes().await?;
        Ok(bytes.to_vec())
    }

    /// An object as a stream of `chunk`-sized ranges. Large ranges keep the per-read cost
    /// low (the local store's own stream reads 8 KiB at a time) and map to ranged GETs on S3.
    async fn chunks(
        &self,
        kind: &str,
        id: &str,
        chunk: u64,
    ) -> object_store::Result<BoxStream<'static, object_store::Result<Bytes>>> {
        let path = Self::key(kind, id);
        let size = self.store.head(&path).await?.size;
        let store = self.store.clone();
        Ok(futures::stream::try_unfold(0u64, move |offset| {
            let (store, path) = (store.clone(), path.clone());
            async move {
                if offset >= size {
                    return Ok(None);
                }
                let end = (offset + chunk).min(size);
                let bytes = store.get_range(&path, offset..end).await?;
                Ok(Some((bytes, end)))
            }
        })
        .boxed())
    }

    /// The SHA-256 of an object, streamed.
    pub async fn sha256(&self, kind: &str, id: &str) -> object_store::Result<String> {
        let mut stream = self.chunks(kind, id, PART as u64).await?;
        let mut hasher = Sha256::new();
        while let Some(chunk) = stream.try_next().await? {
            hasher.update(&chunk);
        }
        Ok(hex::encode(hasher.finalize()))
    }

    /// Removes an object; one that is already gone is not an error.
    pub async fn delete(&self, kind: &str, id: &str) -> object_store::Result<()> {
        match self.store.delete(&Self::key(kind, id)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }

    /// Whether an object exists.
    pub async fn exists(&self, kind: &str, id: &str) -> bool {
        self.store.head(&Self::key(kind, id)).await.is_ok()
    }

    /// The ids of every object of a kind, sorted (uploads in progress are not objects).
    pub async fn list(&self, kind: &str) -> object_store::Result<Vec<String>> {
        let mut ids: Vec<String> = self
            .store
            .list(Some(&Path::from(kind)))
            .map_ok(|meta| meta.location.filename().unwrap_or_default().to_owned())
            .try_collect()
            .await?;
        ids.sort();
        Ok(ids)
    }

    /// Streams `from` into `to`, hashing both sides, opening sealed bytes on the way when
    /// `open` is given. `progress` hears the bytes read so far about every part and may
    /// answer `false` to stop; the partial upload is then aborted, as on any error, so a
    /// half-written object never appears under `to`. At most `rate_limit` bytes are read
    /// per second (0: no limit), so copies need not starve everything else of the disk.
    pub async fn transfer<F, Fut>(
        &self,
        from: (&str, &str),
        to: (&str, &str),
        mut open: Option<Opener>,
        rate_limit: u64,
        mut progress: F,
    ) -> Result<Transferred, TransferError>
    where
        F: FnMut(u64) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        // Under a rate limit, smaller reads keep the pace (and the progress) smooth.
        let chunk = match rate_limit {
            0 => PART as u64,
            limit => (limit / 8).clamp(16 << 10, PART as u64),
        };
        let mut source = self.chunks(from.0, from.1, chunk).await?;
        let mut upload = WriteMultipart::new_with_chunk_size(
            self.store.put_multipart(&Self::key(to.0, to.1)).await?,
            PART,
        );
        // Bytes passed through unchanged are hashed once: what is written is what was read.
        let mut read_hash = Sha256::new();
        let mut written_hash = open.is_some().then(Sha256::new);
        let mut read = 0u64;
        let mut reported = 0u64;
        let started = Instant::now();
        let mut last_report = started;
        let result: Result<(), TransferError> = async {
            while let Some(chunk) = source.try_next().await? {
                read_hash.update(&chunk);
                read += chunk.len() as u64;
                let out = match open.as_mut() {
                    Some(opener) => Bytes::from(opener.push(&chunk)?),
                    None => chunk,
                };
                if let Some(hash) = written_hash.as_mut() {
                    hash.update(&out);
                }
                upload.wait_for_capacity(2).await?;
                upload.put(out);
                // Often enough for a live percentage, rarely enough not to load the database.
                if read - reported >= PART as u64 || last_report.elapsed() >= REPORT_EVERY {
                    reported = read;
                    last_report = Instant::now();
                    if !progress(read).await {
                        return Err(TransferError::Stopped);
                    }
                }
                pace(rate_limit, read, started).await;
            }
            if let Some(opener) = open.take() {
                let last = opener.finish()?;
                if let Some(hash) = written_hash.as_mut() {
                    hash.update(&last);
                }
                upload.put(Bytes::from(last));
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                upload.finish().await?;
                let read_sha256 = hex::encode(read_hash.finalize());
                Ok(Transferred {
                    written_sha256: written_hash
                        .map(|hash| hex::encode(hash.finalize()))
                        .unwrap_or_else(|| read_sha256.clone()),
                    read_sha256,
                })
            }
            Err(error) => {
                if let Err(abort) = upload.abort().await {
                    tracing::warn!(%abort, "aborting a partial upload failed");
                }
                Err(error)
            }
        }
    }

    /// Removes uploads a crash left behind in a local store (object_store stages them as
    /// `<name>#<n>` beside the object). Run at start, before any transfer.
    pub fn sweep_abandoned_uploads(&self) -> std::io::Result<usize> {
        let Some(root) = &self.local_root else {
            return Ok(0);
        };
        let mut removed = 0;
        let mut folders = vec![root.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder)? {
                let entry = entry?;
                let path = entry.path();
                if entry.file_type()?.is_dir() {
                    folders.push(path);
                } else if is_staging_name(&entry.file_name().to_string_lossy()) {
                    std::fs::remove_file(&path)?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// Set to an S3 endpoint (e.g. what `scripts/s3.sh` prints), tests store their bytes in a
/// bucket of their own there instead of the data folder.
pub const TEST_S3: &str = "BACKSHARE_TEST_S3";

/// Where one test's bytes live, like [`crate::db::scratch_url`] for its database.
pub struct Scratch {
    /// The test's store.
    pub store: ObjectStore,
    /// The `AWS_*` settings of its new bucket, to hand to server processes as their
    /// environment; `None` for the local store under the test's data folder.
    pub s3: Option<Vec<(&'static str, String)>>,
}

/// For tests: a new, empty bucket on `$BACKSHARE_TEST_S3` when it is set, otherwise the
/// local store under `data_dir`. Panics when the variable is set in a build without the
/// `s3` feature, so a run meant for S3 never passes on local files instead.
pub async fn scratch(data_dir: &FsPath) -> Scratch {
    let endpoint = std::env::var(TEST_S3).ok().filter(|e| !e.is_empty());
    let Some(endpoint) = endpoint else {
        return Scratch {
            store: ObjectStore::local(data_dir).expect("the scratch data folder"),
            s3: None,
        };
    };
    in_new_bucket(&endpoint).await
}

#[cfg(not(feature = "s3"))]
async fn in_new_bucket(endpoint: &str) -> Scratch {
    panic!("{TEST_S3}={endpoint} needs a build with the s3 feature (--features s3)")
}

/// A uniquely named bucket on a test endpoint, reached path-style over plain HTTP with
/// dummy credentials. object_store cannot create buckets, so this sends S3's CreateBucket
/// (`PUT /<bucket>`) itself, unsigned, as moto accepts.
#[cfg(feature = "s3")]
async fn in_new_bucket(endpoint: &str) -> Scratch {
    let endpoint = endpoint.trim_end_matches('/');
    let bucket = format!("backshare-test-{}", uuid::Uuid::new_v4().simple());
    let created = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{TEST_S3}={endpoint}: cannot reach it: {e}"));
    assert!(
        created.status().is_success(),
        "{TEST_S3}={endpoint}: creating bucket {bucket} answered {}",
        created.status()
    );
    let settings = vec![
        ("AWS_ENDPOINT", endpoint.to_owned()),
        ("AWS_ALLOW_HTTP", "true".into()),
        ("AWS_VIRTUAL_HOSTED_STYLE_REQUEST", "false".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "backshare-test".into()),
        ("AWS_SECRET_ACCESS_KEY", "backshare-test".into()),
        ("AWS_BUCKET", bucket),
    ];
    Scratch {
        store: ObjectStore::s3(settings.clone()).expect("the scratch bucket's settings"),
        s3: Some(settings),
    }
}

/// Sleeps as long as a transfer is ahead of its rate limit (0: none).
async fn pace(rate_limit: u64, done: u64, started: Instant) {
    if rate_limit == 0 {
        return;
    }
    let due = Duration::from_secs_f64(done as f64 / rate_limit as f64);
    if let Some(ahead) = due.checked_sub(started.elapsed()) {
        tokio::time::sleep(ahead).await;
    }
}

/// `name#123`: how object_store's local store names an upload in progress.
fn is_staging_name(name: &str) -> bool {
    name.rsplit_once('#')
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{seal, SecretKey};

    #[test]
    fn only_staged_upload_names_are_swept() {
        assert!(is_staging_name("cp-1#1"));
        assert!(is_staging_name("cp-1#23"));
        assert!(!is_staging_name("cp-1"));
        assert!(!is_staging_name("cp#x"));
        assert!(!is_staging_name("cp#"));
    }

    #[tokio::test]
    async fn a_transfer_streams_hashes_and_opens_sealed_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = scratch(dir.path()).await.store;
        let plain: Vec<u8> = (0..(3 * PART + 17)).map(|i| (i % 253) as u8).collect();
        let key = SecretKey::generate();
        let sealed = seal(&key, &plain);
        let sealed_sha = store.put("backups", "b1", sealed.clone()).await.unwrap();
        let mut heard = Vec::new();
        let done = store
            .transfer(("backups", "b1"), ("copies", "c1"), None, 0, |n| {
                heard.push(n);
                async { true }
            })
            .await
            .unwrap();
        assert_eq!(
            (done.read_sha256.as_str(), done.written_sha256.as_str()),
            (sealed_sha.as_str(), sealed_sha.as_str())
        );
        assert!(heard.len() >= 3 && heard.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(store.get("copies", "c1").await.unwrap(), sealed);

        let opened = store
            .transfer(
                ("copies", "c1"),
                ("resources", "r1"),
                Some(Opener::new(&key)),
                0,
                |_| async { true },
            )
            .await
            .unwrap();
        assert_eq!(opened.written_sha256, sha256_hex(&plain));
        assert_eq!(store.get("resources", "r1").await.unwrap(), plain);
    }

    #[tokio::test]
    async fn a_stopped_or_failed_transfer_leaves_no_object_and_no_staging_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = scratch(dir.path()).await.store;
        store
            .put("backups", "b1", vec![7u8; 2 * PART])
            .await
            .unwrap();
        let stopped = store
            .transfer(("backups", "b1"), ("copies", "c1"), None, 0, |_| async {
                false
            })
            .await;
        assert!(matches!(stopped, Err(TransferError::Stopped)));
        let wrong_key = store
            .transfer(
                ("backups", "b1"),
                ("copies", "c2"),
                Some(Opener::new(&SecretKey::generate())),
                0,
                |_| async { true },
            )
            .await;
        assert!(matches!(wrong_key, Err(TransferError::Crypto(_))));
        assert!(!store.exists("copies", "c1").await && !store.exists("copies", "c2").await);
        assert_eq!(store.sweep_abandoned_uploads().unwrap(), 0);
        let missing = store
            .transfer(("backups", "nope"), ("copies", "c3"), None, 0, |_| async {
                true
            })
            .await
            .unwrap_err();
        assert!(missing.is_not_found());
    }
}
