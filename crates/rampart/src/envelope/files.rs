//! Which output each input goes to: `-` is standard input or output; one input goes to the
//! output path (or into it, if it is a directory); several inputs or a directory go into the
//! output directory with the suffix added.

use super::args::IoArgs;
use super::failure::Failure;
use std::path::{Path, PathBuf};

/// Where bytes come from or go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Standard input or output.
    Std,
    /// A file.
    File(PathBuf),
}

/// One input and its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The input.
    pub input: Place,
    /// The output.
    pub output: Place,
}

/// Plans the jobs of `args` with the default `suffix`.
pub fn plan(args: &IoArgs, default_suffix: &str) -> Result<Vec<Job>, Failure> {
    let suffix = args.suffix.as_deref().unwrap_or(default_suffix);
    let to_std = args.output.as_os_str() == "-";
    let inputs = expand(&args.inputs, args.recursive)?;
    let several = inputs.len() > 1 || args.inputs.iter().any(|p| p.is_dir());
    if several && to_std {
        return Err(Failure::usage(
            "several inputs need an output directory, not -",
        ));
    }
    let into_dir = several || args.output.is_dir();
    if several && !args.output.is_dir() {
        return Err(Failure::usage(format!(
            "{} is not a directory",
            args.output.display()
        )));
    }
    let jobs: Vec<Job> = inputs
        .into_iter()
        .map(|input| {
            let output = match (&input, to_std, into_dir) {
                (_, true, _) => Place::Std,
                (Place::File(path), false, true) => {
                    Place::File(in_dir(&args.output, path, suffix)?)
                }
                (Place::Std, false, true) => {
                    return Err(Failure::usage(
                        "standard input needs an output file, not a directory",
                    ));
                }
                (_, false, false) => Place::File(args.output.clone()),
            };
            Ok(Job { input, output })
        })
        .collect::<Result<_, Failure>>()?;
    refuse_shared_outputs(&jobs)?;
    Ok(jobs)
}

/// Two inputs with one file name (from different directories) would be written to one output
/// file, the second replacing the first: refuse before anything is written.
fn refuse_shared_outputs(jobs: &[Job]) -> Result<(), Failure> {
    let mut seen = std::collections::HashSet::new();
    for job in jobs {
        if let Place::File(path) = &job.output
            && !seen.insert(path)
        {
            return Err(Failure::usage(format!(
                "two inputs would both be written to {}: give them different names or separate runs",
                path.display()
            )));
        }
    }
    Ok(())
}

fn in_dir(dir: &Path, input: &Path, suffix: &str) -> Result<PathBuf, Failure> {
    let name = input
        .file_name()
        .ok_or_else(|| Failure::usage(format!("{} has no file name", input.display())))?;
    let mut name = name.to_os_string();
    name.push(suffix);
    Ok(dir.join(name))
}

/// The input files: `-`, files, and the files of directories (recursively with `recursive`).
fn expand(inputs: &[PathBuf], recursive: bool) -> Result<Vec<Place>, Failure> {
    let mut out = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            out.push(Place::Std);
        } else if input.is_dir() {
            walk(input, recursive, &mut out)?;
        } else if input.is_file() {
            out.push(Place::File(input.clone()));
        } else {
            return Err(Failure::usage(format!("{}: no such file", input.display())));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, recursive: bool, out: &mut Vec<Place>) -> Result<(), Failure> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Failure::io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() && recursive {
            walk(&path, recursive, out)?;
        } else if path.is_file() {
            out.push(Place::File(path));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn args(inputs: Vec<PathBuf>, output: PathBuf) -> IoArgs {
        IoArgs {
            inputs,
            output,
            recursive: true,
            suffix: None,
            context: Vec::new(),
            commitment_policy: None,
            quiet: true,
        }
    }

    #[test]
    fn inputs_sharing_a_file_name_are_refused_before_anything_is_written() {
        let root = std::env::temp_dir().join(format!("rampart-files-{}", std::process::id()));
        for dir in ["src/a", "src/b", "out"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::write(root.join("src/a/x.txt"), b"1").unwrap();
        std::fs::write(root.join("src/b/y.txt"), b"2").unwrap();
        let plan_of = |a: &IoArgs| plan(a, ".encrypted");
        let distinct = plan_of(&args(vec![root.join("src")], root.join("out"))).unwrap();
        assert_eq!(distinct.len(), 2);
        std::fs::write(root.join("src/b/x.txt"), b"3").unwrap();
        let clash = plan_of(&args(vec![root.join("src")], root.join("out")));
        assert!(clash.is_err_and(|f| f.message.contains("x.txt.encrypted")));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
