//! Encryption at rest for encrypted server and disk backups (rule 5), by envelope: every
//! encrypted backup has its own random data key; the bytes are sealed with it in fixed
//! chunks (AES-256-GCM in the STREAM construction, so truncation and reordering are caught
//! and nothing needs the whole object in memory); the data key is kept wrapped by its
//! account's key, and account keys are kept wrapped by the deployment's master key.
//! Granting the key to a recipient (the tick in the share dialog) re-wraps the data key
//! for the recipient's account, so the copy stays encrypted and only it can read it.

use std::path::Path;

use aead_stream::{DecryptorBE32, EncryptorBE32, Nonce as StreamNonce, StreamBE32};
use aes_gcm::aead::{Aead, Generate, Key, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};

/// Plaintext bytes per sealed chunk; each sealed chunk is 16 bytes longer (the tag).
pub const PLAIN_CHUNK: usize = 64 * 1024;
/// Sealed bytes per full chunk.
pub const SEALED_CHUNK: usize = PLAIN_CHUNK + TAG;
const TAG: usize = 16;
const WRAP_NONCE: usize = 12;
/// The random per-object nonce prefix written before the first chunk.
pub const PREFIX: usize = 7;

type Prefix = StreamNonce<Aes256Gcm, StreamBE32<Aes256Gcm>>;

/// Something went wrong opening sealed bytes or a wrapped key.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the encrypted bytes do not open with this key (wrong key, or the bytes changed)")]
    Open,
    #[error("a stored key is malformed")]
    Malformed,
    #[error("the master key: {0}")]
    MasterKey(String),
}

/// A 256-bit key: the deployment's master key, an account key or a data key.
#[derive(Clone)]
pub struct SecretKey(Key<Aes256Gcm>);

/// A secret given as text (the master key in hex): it never shows in `Debug` or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Creates a folder (and its parents) that only its owner may enter: the data folder holds
/// the master key and every backup's bytes.
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Refuses a key file that its group or others may read: anyone who reads it reads every
/// encrypted backup.
fn check_private(path: &Path) -> Result<(), CryptoError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| CryptoError::MasterKey(format!("cannot read {}: {e}", path.display())))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(CryptoError::MasterKey(format!(
                "{} may be read by its group or others (mode {:o}): make it private with `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            )));
        }
    }
    Ok(())
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Self {
        Self(Key::<Aes256Gcm>::generate())
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        Key::<Aes256Gcm>::try_from(bytes)
            .map(Self)
            .map_err(|_| CryptoError::Malformed)
    }

    /// The deployment's master key: `BACKSHARE_MASTER_KEY` (64 hex digits) when set,
    /// otherwise `master.key` in the data folder, created on first start (mode 0600).
    pub fn load_or_create_master(
        data_dir: &Path,
        from_env: Option<&str>,
    ) -> Result<Self, CryptoError> {
        if let Some(hex_key) = from_env {
            let bytes = hex::decode(hex_key.trim())
                .map_err(|_| CryptoError::MasterKey("BACKSHARE_MASTER_KEY is not hex".into()))?;
            return Self::from_bytes(&bytes).map_err(|_| {
                CryptoError::MasterKey(
                    "BACKSHARE_MASTER_KEY must be 32 bytes (64 hex digits)".into(),
                )
            });
        }
        let path = data_dir.join("master.key");
        match std::fs::read(&path) {
            Ok(bytes) => {
                check_private(&path)?;
                Self::from_bytes(&bytes).map_err(|_| {
                    CryptoError::MasterKey(format!("{} is not a 32-byte key", path.display()))
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                match write_private(&path, key.0.as_slice()) {
                    Ok(()) => Ok(key),
                    // Another process made it first: use that one.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::load_or_create_master(data_dir, None)
                    }
                    Err(e) => Err(CryptoError::MasterKey(format!(
                        "cannot write {}: {e}",
                        path.display()
                    ))),
                }
            }
            Err(e) => Err(CryptoError::MasterKey(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Wraps `key` under this key: hex of nonce ‖ sealed key.
    pub fn wrap(&self, key: &SecretKey) -> String {
        self.seal_small(key.0.as_slice())
    }

    /// Opens a key wrapped by [`SecretKey::wrap`] under this key.
    pub fn unwrap_key(&self, wrapped: &str) -> Result<SecretKey, CryptoError> {
        Self::from_bytes(&self.open_small(wrapped)?)
    }

    /// Seals a short secret (an access key's) under this key, as [`SecretKey::wrap`] does.
    pub fn seal_secret(&self, secret: &Secret) -> String {
        self.seal_small(secret.expose().as_bytes())
    }

    /// Opens a secret sealed by [`SecretKey::seal_secret`].
    pub fn open_secret(&self, sealed: &str) -> Result<Secret, CryptoError> {
        let opened = self.open_small(sealed)?;
        String::from_utf8(opened)
            .map(Secret::new)
            .map_err(|_| CryptoError::Malformed)
    }

    /// Hex of nonce ‖ sealed bytes: for keys and secrets, sealed whole.
    fn seal_small(&self, plain: &[u8]) -> String {
        let nonce = Nonce::generate();
        let sealed = Aes256Gcm::new(&self.0)
            .encrypt(&nonce, plain)
            .expect("sealing a few bytes in memory cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend(sealed);
        hex::encode(blob)
    }

    fn open_small(&self, sealed: &str) -> Result<Vec<u8>, CryptoError> {
        let blob = hex::decode(sealed).map_err(|_| CryptoError::Malformed)?;
        if blob.len() <= WRAP_NONCE {
            return Err(CryptoError::Malformed);
        }
        let (nonce, sealed) = blob.split_at(WRAP_NONCE);
        let nonce = Nonce::try_from(nonce).map_err(|_| CryptoError::Malformed)?;
        Aes256Gcm::new(&self.0)
            .decrypt(&nonce, sealed)
            .map_err(|_| CryptoError::Open)
    }
}

/// Writes a new file readable by its owner only, whole or not at all: into a temporary
/// file first, then linked into place (which fails if the file exists meanwhile).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    let linked = std::fs::hard_link(&partial, path);
    std::fs::remove_file(&partial)?;
    linked
}

/// Seals plaintext pushed in any pieces into the chunked format: prefix, then full sealed
/// chunks, then a last (possibly short or empty) sealed chunk.
pub struct Sealer {
    encryptor: Option<EncryptorBE32<Aes256Gcm>>,
    pending: Vec<u8>,
    header: Option<Vec<u8>>,
}

impl Sealer {
    pub fn new(key: &SecretKey) -> Self {
        let prefix = Prefix::generate();
        Self {
            encryptor: Some(EncryptorBE32::new(&key.0, &prefix)),
            pending: Vec::with_capacity(PLAIN_CHUNK),
            header: Some(prefix.to_vec()),
        }
    }

    /// Takes plaintext; returns the sealed bytes ready so far.
    pub fn push(&mut self, mut plain: &[u8]) -> Vec<u8> {
        let mut out = self.header.take().unwrap_or_default();
        while !plain.is_empty() {
            let take = (PLAIN_CHUNK - self.pending.len()).min(plain.len());
            self.pending.extend_from_slice(&plain[..take]);
            plain = &plain[take..];
            // A full chunk is sealed only once more plaintext follows, so the last chunk
            // can always be sealed as the last one.
            if self.pending.len() == PLAIN_CHUNK && !plain.is_empty() {
                out.extend(self.seal_pending());
            }
        }
        out
    }

    fn seal_pending(&mut self) -> Vec<u8> {
        let sealed = self
            .encryptor
            .as_mut()
            .expect("sealer used after finish")
            .encrypt_next(self.pending.as_slice())
            .expect("sealing in memory cannot fail");
        self.pending.clear();
        sealed
    }

    /// Seals what is left as the last chunk.
    pub fn finish(mut self) -> Vec<u8> {
        let mut out = self.header.take().unwrap_or_default();
        let encryptor = self.encryptor.take().expect("sealer finished once");
        out.extend(
            encryptor
                .encrypt_last(self.pending.as_slice())
                .expect("sealing in memory cannot fail"),
        );
        out
    }
}

/// Opens sealed bytes pushed in any pieces; the counterpart of [`Sealer`].
pub struct Opener {
    key: Key<Aes256Gcm>,
    decryptor: Option<DecryptorBE32<Aes256Gcm>>,
    pending: Vec<u8>,
}

impl Opener {
    pub fn new(key: &SecretKey) -> Self {
        Self {
            key: key.0,
            decryptor: None,
            pending: Vec::with_capacity(SEALED_CHUNK + PREFIX),
        }
    }

    /// Takes sealed bytes; returns the plaintext opened so far. A full chunk is opened
    /// only once more bytes follow it, because the last chunk is sealed differently.
    pub fn push(&mut self, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.pending.extend_from_slice(sealed);
        let mut out = Vec::new();
        if self.decryptor.is_none() {
            if self.pending.len() < PREFIX {
                return Ok(out);
            }
            let prefix =
                Prefix::try_from(&self.pending[..PREFIX]).map_err(|_| CryptoError::Malformed)?;
            self.decryptor = Some(DecryptorBE32::new(&self.key, &prefix));
            self.pending.drain(..PREFIX);
        }
        while self.pending.len() > SEALED_CHUNK {
            let chunk: Vec<u8> = self.pending.drain(..SEALED_CHUNK).collect();
            let decryptor = self.decryptor.as_mut().expect("set above");
            out.extend(
                decryptor
                    .decrypt_next(chunk.as_slice())
                    .map_err(|_| CryptoError::Open)?,
            );
        }
        Ok(out)
    }

    /// Opens the last chunk; fails if the bytes were cut short or changed.
    pub fn finish(mut self) -> Result<Vec<u8>, CryptoError> {
        let decryptor = self.decryptor.take().ok_or(CryptoError::Open)?;
        decryptor
            .decrypt_last(self.pending.as_slice())
            .map_err(|_| CryptoError::Open)
    }
}

/// How many bytes `plain` bytes take once sealed: the prefix, and a tag per chunk (at least
/// one: the last chunk is sealed even when empty). Copies reserve this much in a vault.
pub fn sealed_len(plain: i64) -> i64 {
    let chunk = PLAIN_CHUNK as i64;
    let chunks = ((plain + chunk - 1) / chunk).max(1);
    PREFIX as i64 + plain + TAG as i64 * chunks
}

/// Seals a whole buffer (the demo's and the tests' small objects).
pub fn seal(key: &SecretKey, plain: &[u8]) -> Vec<u8> {
    let mut sealer = Sealer::new(key);
    let mut out = sealer.push(plain);
    out.extend(sealer.finish());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_data_folder_is_private_and_a_readable_master_key_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        create_private_dir(&data).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        SecretKey::load_or_create_master(&data, None).unwrap();
        let key = data.join("master.key");
        assert_eq!(mode(&key), 0o600);
        SecretKey::load_or_create_master(&data, None).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = SecretKey::load_or_create_master(&data, None).unwrap_err();
        assert!(refused.to_string().contains("chmod 600"), "{refused}");
        assert_eq!(format!("{:?}", Secret::new("00ff")), "Secret([redacted])");
    }

    fn open_in_pieces(
        key: &SecretKey,
        sealed: &[u8],
        piece: usize,
    ) -> Result<Vec<u8>, CryptoError> {
        let mut opener = Opener::new(key);
        let mut out = Vec::new();
        for part in sealed.chunks(piece.max(1)) {
            out.extend(opener.push(part)?);
        }
        out.extend(opener.finish()?);
        Ok(out)
    }

    #[test]
    fn sealed_bytes_open_to_the_same_plaintext_whatever_the_piece_sizes() {
        let key = SecretKey::generate();
        for len in [
            0,
            1,
            PLAIN_CHUNK - 1,
            PLAIN_CHUNK,
            PLAIN_CHUNK + 1,
            3 * PLAIN_CHUNK,
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let mut sealer = Sealer::new(&key);
            let mut sealed = Vec::new();
            for part in plain.chunks(10_000) {
                sealed.extend(sealer.push(part));
            }
            sealed.extend(sealer.finish());
            assert_ne!(
                sealed.get(PREFIX..PREFIX + len.min(16)),
                plain.get(..len.min(16)).filter(|p| !p.is_empty())
            );
            for piece in [1, 4096, SEALED_CHUNK, 1 << 20] {
                assert_eq!(
                    open_in_pieces(&key, &sealed, piece).unwrap(),
                    plain,
                    "len {len} piece {piece}"
                );
            }
        }
    }

    #[test]
    fn another_key_a_changed_byte_or_a_cut_short_object_do_not_open() {
        let key = SecretKey::generate();
        let sealed = seal(&key, &vec![42u8; 2 * PLAIN_CHUNK + 5]);
        assert!(open_in_pieces(&SecretKey::generate(), &sealed, 4096).is_err());
        let mut changed = sealed.clone();
        changed[PREFIX + 10] ^= 1;
        assert!(open_in_pieces(&key, &changed, 4096).is_err());
        assert!(open_in_pieces(&key, &sealed[..PREFIX + SEALED_CHUNK], 4096).is_err());
    }

    #[test]
    fn sealed_len_is_what_sealing_writes() {
        let key = SecretKey::generate();
        for len in [
            0,
            1,
            PLAIN_CHUNK - 1,
            PLAIN_CHUNK,
            PLAIN_CHUNK + 1,
            3 * PLAIN_CHUNK,
        ] {
            assert_eq!(
                sealed_len(len as i64),
                seal(&key, &vec![0; len]).len() as i64,
                "{len}"
            );
        }
    }

    #[test]
    fn a_wrapped_key_opens_only_under_the_key_that_wrapped_it() {
        let (account, data) = (SecretKey::generate(), SecretKey::generate());
        let wrapped = account.wrap(&data);
        let opened = account.unwrap_key(&wrapped).unwrap();
        assert_eq!(opened.0, data.0);
        assert!(SecretKey::generate().unwrap_key(&wrapped).is_err());
    }

    #[test]
    fn the_master_key_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = SecretKey::load_or_create_master(dir.path(), None).unwrap();
        let again = SecretKey::load_or_create_master(dir.path(), None).unwrap();
        assert_eq!(first.0, again.0);
        assert!(SecretKey::load_or_create_master(dir.path(), Some("zz")).is_err());
    }
}
