//! Embeds the built-in rule pack (`policies/`) so agentgate works with zero configuration.

use std::path::{Path, PathBuf};

/// The files under `dir` that `keep` accepts, at any depth.
fn collect(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, keep, out);
        } else if keep(&path) {
            out.push(path);
        }
    }
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let policies = root.join("policies");
    println!("cargo:rerun-if-changed=policies");
    let mut files = Vec::new();
    collect(
        &policies,
        &|p| p.extension().is_some_and(|e| e == "rego"),
        &mut files,
    );
    files.sort();
    let mut code = String::from("pub const BUILTIN_POLICIES: &[(&str, &str)] = &[\n");
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .expect("under the crate")
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({relative:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("builtin_policies.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
    code_identity(&root);
}

/// Every file the binary's behaviour is built from (sources, the vendored regorus, policies,
/// schemas, the lock file), hashed into `CODE_IDENTITY`: the caches key by it, so a binary built
/// from other code never reads an entry another wrote, even when the version string is the same
/// (a build from a branch, a fix not yet released).
fn code_identity(root: &Path) {
    use std::hash::{Hash, Hasher};
    let mut files = Vec::new();
    for folder in ["src", "vendor/regorus/src", "policies", "schemas"] {
        println!("cargo:rerun-if-changed={folder}");
        collect(&root.join(folder), &|_| true, &mut files);
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
    files.push(root.join("Cargo.lock"));
    files.sort();
    // Two 64-bit hashes with different prefixes: an accidental collision is what matters here
    // (whoever controls the sources controls the binary anyway).
    let mut hashers = [
        std::collections::hash_map::DefaultHasher::new(),
        std::collections::hash_map::DefaultHasher::new(),
    ];
    for (i, hasher) in hashers.iter_mut().enumerate() {
        i.hash(hasher);
    }
    for file in &files {
        let relative = file.strip_prefix(root).unwrap_or(file).to_string_lossy();
        let content = std::fs::read(file).unwrap_or_default();
        for hasher in hashers.iter_mut() {
            relative.hash(hasher);
            content.hash(hasher);
        }
    }
    let identity = format!("{:016x}{:016x}", hashers[0].finish(), hashers[1].finish());
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("code_identity.rs");
    std::fs::write(
        out,
        format!("pub const CODE_IDENTITY: &str = {identity:?};\n"),
    )
    .expect("OUT_DIR is writable");
}
