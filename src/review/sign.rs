//! Signing a digest with the reviewer's own OpenSSH tooling: `ssh-keygen -Y sign -n
//! agentgate-review -f KEY`, fed the digest on standard input. ssh-keygen uses ssh-agent when it
//! holds the key (so agent-held, hardware and FIDO keys work), and otherwise reads the private
//! key file, asking for its passphrase on the terminal.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::NAMESPACE;

/// The keys ssh tries by default, in its order; the first one present (private key or `.pub`)
/// signs when `--key` is not given.
pub const DEFAULT_KEYS: &[&str] = &[
    "id_ed25519",
    "id_ecdsa",
    "id_ed25519_sk",
    "id_ecdsa_sk",
    "id_rsa",
];

/// The first default key under `~/.ssh`, as the path to give `ssh-keygen -f`.
pub fn default_key(home: Option<&Path>) -> Result<PathBuf, String> {
    let home = home.ok_or("cannot find the home folder to look for ~/.ssh keys; pass --key")?;
    let ssh = home.join(".ssh");
    for name in DEFAULT_KEYS {
        let private = ssh.join(name);
        if private.is_file() {
            return Ok(private);
        }
        let public = ssh.join(format!("{name}.pub"));
        if public.is_file() {
            return Ok(public);
        }
    }
    Err(format!(
        "no key found in {} (looked for {}); pass --key PATH",
        ssh.display(),
        DEFAULT_KEYS.join(", ")
    ))
}

/// Signs `message` (no trailing newline is added) and returns the armored signature.
pub fn ssh_keygen_sign(key: &Path, message: &str) -> Result<String, String> {
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("cannot run ssh-keygen: {e} (agentgate signs with OpenSSH's ssh-keygen, 8.2 or later)")
        })?;
    // ssh-keygen's messages (touch the security key, errors) reach the reviewer as they come;
    // passphrase prompts use the terminal directly.
    let relay = child.stderr.take().map(|stderr| {
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line != "Signing data on standard input" {
                    eprintln!("ssh-keygen: {line}");
                }
            }
        })
    });
    if let Some(mut stdin) = child.stdin.take() {
        // When ssh-keygen stops early (no such key) the write fails; its exit status says why.
        let _ = stdin.write_all(message.as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("ssh-keygen did not finish: {e}"))?;
    if let Some(relay) = relay {
        let _ = relay.join();
    }
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() || !stdout.contains("-----BEGIN SSH SIGNATURE-----") {
        return Err(format!(
            "ssh-keygen -Y sign -n {NAMESPACE} -f {} failed ({}); nothing was written",
            key.display(),
            output.status
        ));
    }
    Ok(stdout)
}
