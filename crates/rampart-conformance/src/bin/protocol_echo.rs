//! `protocol-echo`: reads one JSON request per line on stdin and writes one JSON answer per
//! line on stdout (see `rampart_conformance::echo`).

use std::io::{BufRead as _, Write as _};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str(&line) {
            Ok(req) => rampart_conformance::echo::answer(&req),
            Err(e) => serde_json::json!({"error": {"code": "BadLine", "message": e.to_string()}}),
        };
        writeln!(stdout, "{answer}")?;
        stdout.flush()?;
    }
    Ok(())
}
