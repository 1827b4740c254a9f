//! Password hashing with Argon2id (the `argon2` crate's defaults, OWASP's recommendation).

use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Hashes a password into a PHC string (algorithm, parameters, salt and hash together).
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with default parameters hashes any password")
        .to_string()
}

/// Whether `password` matches a stored PHC string. A malformed string never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    verify_in(password, phc, &mut Vec::new())
}

/// [`verify`] with Argon2's working memory (~19 MiB) in `memory`, kept by the caller from
/// one check to the next: allocating it afresh for every check leaves glibc holding freed
/// blocks in every arena a thread touched (measured: 8 arenas of ~58 MiB under a flood).
/// The comparison is `Output`'s, in constant time, as in `PasswordVerifier`.
fn verify_in(password: &str, phc: &str, memory: &mut Vec<Block>) -> bool {
    matches(password, phc, memory).unwrap_or(false)
}

/// The most working memory a stored hash may ask for (KiB blocks): 256 MiB, far above the
/// 19 MiB of the hashes written here, so a tampered row cannot make a check allocate GiBs.
const MAX_BLOCKS: usize = 256 * 1024;

/// The check itself; `None` when `phc` is not a hash this crate can check.
fn matches(password: &str, phc: &str, memory: &mut Vec<Block>) -> Option<bool> {
    let parsed = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .ok()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).ok()?;
    let (salt, expected) = (parsed.salt?, parsed.hash?);
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).ok()?;
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return None;
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let hasher = Argon2::new(algorithm, version, params);
    let computed = Output::init_with(expected.len(), |out| {
        hasher
            .hash_password_into_with_memory(password.as_bytes(), salt, out, &mut memory[..blocks])
            .map_err(|_| argon2::password_hash::Error::Password)
    })
    .ok()?;
    Some(computed == expected)
}

/// Password checks on a few threads of their own, each with Argon2's ~19 MiB of working
/// memory allocated once: at most `threads` checks run at once, a flood waits for them,
/// and the memory stays `threads` × 19 MiB however many attempts arrive.
#[derive(Debug, Clone)]
pub struct Checker {
    jobs: std::sync::mpsc::Sender<Check>,
}

/// One check: the password, the stored PHC string, where the verdict goes.
type Check = (String, String, tokio::sync::oneshot::Sender<bool>);

impl Checker {
    pub fn new(threads: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<Check>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-check-{n}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok((password, phc, verdict)) = next else {
                            return; // every Checker is gone
                        };
                        let _ = verdict.send(verify_in(&password, &phc, &mut memory));
                    }
                })
                .expect("a password check thread starts");
        }
        Self { jobs }
    }

    /// Whether `password` matches `phc`, checked on one of the threads (waiting for one
    /// to be free); `None` if the threads are gone.
    pub async fn check(&self, password: String, phc: String) -> Option<bool> {
        let (verdict, answer) = tokio::sync::oneshot::channel();
        self.jobs.send((password, phc, verdict)).ok()?;
        answer.await.ok()
    }
}

/// A hash no password matches, verified against when an email is unknown so that the
/// answer takes as long as for a known email.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password nobody has"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hashed_password_verifies_and_another_does_not() {
        let phc = super::hash("backshare-demo");
        assert!(phc.starts_with("$argon2id$"));
        assert!(super::verify("backshare-demo", &phc));
        assert!(!super::verify("backshare-demO", &phc));
        assert!(!super::verify("backshare-demo", "not a hash"));
    }

    #[test]
    fn one_working_memory_serves_hashes_of_any_parameters() {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let small = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(64, 2, 1, Some(16)).unwrap(),
        )
        .hash_password(b"small", &SaltString::generate(&mut super::OsRng))
        .unwrap()
        .to_string();
        let default = super::hash("default");
        let mut memory = Vec::new();
        for _ in 0..2 {
            assert!(super::verify_in("default", &default, &mut memory));
            assert!(super::verify_in("small", &small, &mut memory));
            assert!(!super::verify_in("default", &small, &mut memory));
            assert!(!super::verify_in("small", &default, &mut memory));
        }
        assert_eq!(memory.len(), 19 * 1024, "the default's 19 MiB, kept");
    }
}
