//! Encrypting or decrypting one input to one output with constant memory. A file output is
//! written to a private temporary file beside it and renamed into place only when the whole
//! message has been written (encrypt) or authenticated, signature included (decrypt), so a
//! failure leaves no partial or unauthenticated output behind.

use super::failure::Failure;
use super::files::{Job, Place};
use super::progress::Progress;
use rampart_esdk::{DecryptOptions, Decryptor, EncryptOptions, Encryptor, MaterialsManager};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Read buffer size.
const CHUNK: usize = 64 * 1024;

/// Encrypts one job.
pub fn encrypt(
    job: &Job,
    cmm: &dyn MaterialsManager,
    options: &EncryptOptions,
    quiet: bool,
) -> Result<(), Failure> {
    let name = job_name(job);
    let mut input = open_input(&job.input, quiet)?;
    with_output(&job.output, |out| {
        let mut encryptor = Encryptor::new(out, cmm, options).map_err(|e| Failure::of(&name, e))?;
        copy(&mut input, &mut encryptor, &name)?;
        encryptor.finish().map_err(|e| Failure::of(&name, e))?;
        Ok(())
    })
}

/// Decrypts one job (`options.streaming` is `Unverified`, or `UnsignedOnly` for
/// `--decrypt-unsigned`). Chunks of a signed message go to a temporary file renamed only after
/// the signature verified, or to standard output only after it (held in memory until then).
pub fn decrypt(
    job: &Job,
    cmm: &dyn MaterialsManager,
    options: &DecryptOptions,
    quiet: bool,
) -> Result<(), Failure> {
    let name = job_name(job);
    let input = open_input(&job.input, quiet)?;
    let mut decryptor = Decryptor::new(input, cmm, options).map_err(|e| Failure::of(&name, e))?;
    let hold = decryptor.is_signed() && job.output == Place::Std;
    with_output(&job.output, |out| {
        let mut held = Vec::new();
        while let Some(chunk) = decryptor.next_chunk().map_err(|e| Failure::of(&name, e))? {
            if hold {
                held.extend_from_slice(&chunk);
            } else {
                out.write_all(&chunk).map_err(|e| Failure::io(&name, e))?;
            }
        }
        decryptor.finish().map_err(|e| Failure::of(&name, e))?;
        out.write_all(&held).map_err(|e| Failure::io(&name, e))
    })
}

fn job_name(job: &Job) -> PathBuf {
    match &job.input {
        Place::Std => PathBuf::from("<stdin>"),
        Place::File(path) => path.clone(),
    }
}

fn open_input(place: &Place, quiet: bool) -> Result<Box<dyn Read>, Failure> {
    match place {
        Place::Std => Ok(Box::new(BufReader::with_capacity(
            CHUNK,
            std::io::stdin().lock(),
        ))),
        Place::File(path) => {
            let file = File::open(path).map_err(|e| Failure::io(path, e))?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            let reader = BufReader::with_capacity(CHUNK, file);
            Ok(Box::new(Progress::wrap(reader, path, size, quiet)))
        }
    }
}

fn copy(input: &mut dyn Read, out: &mut dyn Write, name: &Path) -> Result<(), Failure> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = input.read(&mut buf).map_err(|e| Failure::io(name, e))?;
        if n == 0 {
            return Ok(());
        }
        out.write_all(&buf[..n]).map_err(|e| Failure::io(name, e))?;
    }
}

/// Runs `write` against the output: standard output directly; a file through a temporary
/// file (mode 0600) renamed over it after an fsync, removed if `write` fails.
fn with_output(
    place: &Place,
    write: impl FnOnce(&mut dyn Write) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let Place::File(path) = place else {
        let mut out = BufWriter::with_capacity(CHUNK, std::io::stdout().lock());
        write(&mut out)?;
        return out
            .flush()
            .map_err(|e| Failure::io(Path::new("<stdout>"), e));
    };
    let temp = temp_path(path);
    let file = File::options()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .map_err(|e| Failure::io(&temp, e))?;
    let mut out = BufWriter::with_capacity(CHUNK, file);
    let written = write(&mut out).and_then(|()| finish_file(out, &temp));
    match written {
        Ok(()) => std::fs::rename(&temp, path).map_err(|e| Failure::io(path, e)),
        Err(failure) => {
            let _ = std::fs::remove_file(&temp);
            Err(failure)
        }
    }
}

fn finish_file(out: BufWriter<File>, temp: &Path) -> Result<(), Failure> {
    let file = out
        .into_inner()
        .map_err(|e| Failure::io(temp, e.into_error()))?;
    file.sync_all().map_err(|e| Failure::io(temp, e))
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.rampart-{}.partial", std::process::id()))
}
