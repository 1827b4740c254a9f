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
