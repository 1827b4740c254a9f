//! Password hashing with Argon2id (the `argon2` crate's defaults, OWASP's recommendation).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

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
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Password checks on a few threads of their own. Each Argon2 check takes ~19 MiB; the
/// allocator keeps what a thread freed for that thread, so on tokio's blocking pool (up
/// to 512 threads) a flood would leave ~19 MiB behind on every thread it touched. Here at
/// most `threads` checks run at once and at most `threads` × 19 MiB stays allocated.
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
                .spawn(move || loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok((password, phc, verdict)) = next else {
                        return; // every Checker is gone
                    };
                    let _ = verdict.send(verify(&password, &phc));
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
}
