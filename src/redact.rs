//! The one form in which any output shows a secret: its first four characters and its length.
//! Every renderer, message and snippet that names a secret uses [`redacted`]; which values are
//! secrets in a run is `output::Secrets`.

/// How a secret is shown: its first four characters and its length, nothing more.
pub fn redacted(secret: &str) -> String {
    let prefix: String = secret.chars().take(4).collect();
    format!(
        "{prefix}… ({} characters, redacted)",
        secret.chars().count()
    )
}
