//! Driving generation: load models, generate, format with rustfmt, write or compare.

use crate::emit::{self, Ctx};
use crate::model::{Model, Protocol};
use crate::services::{SERVICES, ServiceSpec};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The pinned botocore version from `xtask/models/PINNED` (`botocore==X.Y.Z`).
fn botocore_version(root: &Path) -> Result<String, String> {
    let path = root.join("xtask/models/PINNED");
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("botocore=="))
        .map(str::to_owned)
        .ok_or_else(|| format!("{} names no botocore==<version>", path.display()))
}

/// The formatted files of one service: (path relative to the root, content).
pub fn render(root: &Path, spec: &ServiceSpec) -> Result<Vec<(PathBuf, String)>, String> {
    let botocore = botocore_version(root)?;
    let model = Model::load(&root.join("xtask/models").join(spec.model))?;
    check_protocol(&model, spec)?;
    let ctx = Ctx::new(&model, spec, &botocore)?;
    let dir = Path::new(spec.crate_dir).join(spec.module_dir);
    emit::generate(&ctx)?
        .into_iter()
        .map(|f| Ok((dir.join(f.name), rustfmt(root, &f.content)?)))
        .collect()
}

/// The model's protocols must be ones the generator emits, with the metadata they need.
fn check_protocol(model: &Model, spec: &ServiceSpec) -> Result<(), String> {
    let meta = &model.metadata;
    for protocol in meta
        .served_protocols()
        .map_err(|e| format!("{}: {e}", spec.model))?
    {
        let missing = match protocol {
            Protocol::Json | Protocol::RpcV2Cbor if meta.target_prefix.is_none() => "targetPrefix",
            Protocol::Query if meta.xml_namespace.is_none() => "xmlNamespace",
            Protocol::RestJson | Protocol::RestXml => {
                match model.operations.values().find(|o| o.http.is_none()) {
                    Some(_) => "an http trait on every operation",
                    None => continue,
                }
            }
            _ => continue,
        };
        return Err(format!(
            "{}: {protocol:?} model without {missing}",
            spec.model
        ));
    }
    Ok(())
}

/// Formats Rust source with the workspace's rustfmt configuration.
fn rustfmt(root: &Path, source: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .current_dir(root)
        .args(["--edition", "2024", "--emit", "stdout", "--config-path"])
        .arg(root.join("rustfmt.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt: no stdin")?;
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    writer
        .join()
        .map_err(|_| String::from("rustfmt: writer thread failed"))?
        .map_err(|e| format!("rustfmt stdin: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| String::from("rustfmt produced invalid UTF-8"))
}

/// Regenerates every service on disk.
pub fn write_all(root: &Path) -> Result<String, String> {
    let mut written = Vec::new();
    for spec in SERVICES {
        let files = render(root, spec)?;
        let dir = root.join(spec.crate_dir).join(spec.module_dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        for (path, content) in files {
            let full = root.join(&path);
            std::fs::write(&full, content)
                .map_err(|e| format!("writing {}: {e}", full.display()))?;
            written.push(path.display().to_string());
        }
    }
    Ok(format!(
        "generated {} files:\n  {}",
        written.len(),
        written.join("\n  ")
    ))
}

/// Compares every service's checked-in files with a fresh generation.
pub fn check_all(root: &Path) -> Result<String, String> {
    let mut stale = Vec::new();
    let mut count = 0;
    for spec in SERVICES {
        let files = render(root, spec)?;
        let expected: Vec<PathBuf> = files.iter().map(|(p, _)| root.join(p)).collect();
        for (path, content) in &files {
            count += 1;
            if std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str()) {
                stale.push(format!("{} differs", path.display()));
            }
        }
        let dir = root.join(spec.crate_dir).join(spec.module_dir);
        for entry in std::fs::read_dir(&dir)
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .flatten()
        {
            if !expected.contains(&entry.path()) {
                stale.push(format!("{} is not generated", entry.path().display()));
            }
        }
    }
    if stale.is_empty() {
        Ok(format!("{count} generated files are up to date"))
    } else {
        Err(format!(
            "generated code is stale (run `cargo run -p xtask -- codegen`):\n  {}",
            stale.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_generated_code_is_current() {
        if let Err(e) = check_all(&workspace_root()) {
            panic!("{e}");
        }
    }

    #[test]
    fn generation_is_deterministic() {
        let root = workspace_root();
        for spec in SERVICES {
            assert!(render(&root, spec) == render(&root, spec), "{}", spec.model);
        }
    }
}
