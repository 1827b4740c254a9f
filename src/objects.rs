//! Backup and resource bytes on the local file system under the data folder, each object
//! with its SHA-256 so that copies and restores can be verified.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Where objects live: `<data dir>/objects/<kind>/<id>`.
#[derive(Debug, Clone)]
pub struct ObjectStore {
    root: PathBuf,
}

impl ObjectStore {
    /// A store rooted in the data folder.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("objects"),
        }
    }

    fn path(&self, kind: &str, id: &str) -> PathBuf {
        self.root.join(kind).join(id)
    }

    /// Writes an object atomically (temporary file, then rename) and returns its SHA-256.
    pub async fn put(&self, kind: &str, id: &str, bytes: &[u8]) -> std::io::Result<String> {
        let path = self.path(kind, id);
        let dir = path.parent().expect("object paths have a folder");
        tokio::fs::create_dir_all(dir).await?;
        let partial = path.with_extension("partial");
        let mut file = tokio::fs::File::create(&partial).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(sha256_hex(bytes))
    }

    /// Reads an object whole (objects here are small; streaming comes with copy mode).
    pub async fn get(&self, kind: &str, id: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(kind, id)).await
    }
}

impl ObjectStore {
    /// Removes an object; one that is already gone is not an error.
    pub async fn delete(&self, kind: &str, id: &str) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.path(kind, id)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Whether an object's bytes are on disk.
    pub async fn exists(&self, kind: &str, id: &str) -> bool {
        tokio::fs::try_exists(self.path(kind, id))
            .await
            .unwrap_or(false)
    }
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
