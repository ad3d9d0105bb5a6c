//! Real OpenSSH for review tests: keys made by `ssh-keygen`, signatures made and checked by
//! `ssh-keygen -Y`. Use as `crate::common::signing`.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const NAMESPACE: &str = "agentgate-review";

/// Runs ssh-keygen with `stdin`; (exit success, stdout, stderr).
pub fn ssh_keygen(args: &[&str], stdin: &[u8]) -> (bool, String, String) {
    let mut child = Command::new("ssh-keygen")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ssh-keygen (OpenSSH 8.2 or later) must be installed to run the review tests");
    // ssh-keygen may exit without reading its input (key generation, early errors).
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    let out = child.wait_with_output().expect("ssh-keygen runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new unencrypted key pair `dir/name` (and `.pub`): `ed25519`, `ecdsa` (P-256),
/// `ecdsa384` or `rsa` (3072 bits).
pub fn keygen(dir: &Path, name: &str, kind: &str) -> PathBuf {
    let path = dir.join(name);
    let (kind, bits) = match kind {
        "ecdsa" => ("ecdsa", "256"),
        "ecdsa384" => ("ecdsa", "384"),
        "rsa" => ("rsa", "3072"),
        other => (other, ""),
    };
    let mut args = vec!["-q", "-t", kind, "-N", "", "-C", "agentgate test key", "-f"];
    let path_text = path.to_str().expect("utf-8 path").to_string();
    args.push(&path_text);
    if !bits.is_empty() {
        args.extend(["-b", bits]);
    }
    let (ok, _, err) = ssh_keygen(&args, b"");
    assert!(ok, "ssh-keygen could not make a {kind} key: {err}");
    path
}

/// `type base64` of a key's public half.
pub fn public_key(key: &Path) -> String {
    let text = std::fs::read_to_string(key.with_extension("pub"))
        .or_else(|_| std::fs::read_to_string(format!("{}.pub", key.display())))
        .expect("public key file");
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Signs `message` exactly (no newline added) in `namespace`; the armored signature.
pub fn sign(key: &Path, namespace: &str, message: &str) -> String {
    let (ok, out, err) = ssh_keygen(
        &["-Y", "sign", "-n", namespace, "-f", key.to_str().unwrap()],
        message.as_bytes(),
    );
    assert!(ok, "ssh-keygen -Y sign failed: {err}");
    out
}

/// `ssh-keygen -Y verify` as an auditor runs it; (verified, what ssh-keygen said).
pub fn verify(
    dir: &Path,
    allowed_signers: &Path,
    principal: &str,
    signature: &str,
    message: &str,
    verify_time: &str,
) -> (bool, String) {
    let sig = dir.join("review.sig");
    std::fs::write(&sig, signature).expect("write signature");
    let time = format!("-Overify-time={verify_time}");
    let (ok, out, err) = ssh_keygen(
        &[
            "-Y",
            "verify",
            "-n",
            NAMESPACE,
            "-f",
            allowed_signers.to_str().unwrap(),
            "-I",
            principal,
            "-s",
            sig.to_str().unwrap(),
            &time,
        ],
        message.as_bytes(),
    );
    (ok, format!("{out}{err}"))
}
