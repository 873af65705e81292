//! A database of one kind of value (country or AS number) for IPv4 and IPv6, read from files.

use crate::error::LoadError;
use crate::parse::{self, Bounds};
use crate::table::{Origin, Range, Table, Value};
use std::io::BufRead;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// Reads a value field: `Ok(None)` when the line says "unknown" and is skipped.
pub(crate) type ParseValue<V> = fn(&str) -> Result<Option<V>, String>;

/// The IPv4 and IPv6 tables of one kind of value.
#[derive(Debug, Clone)]
pub(crate) struct Db<V> {
    v4: Table<u32, V>,
    v6: Table<u128, V>,
}

impl<V> Default for Db<V> {
    fn default() -> Self {
        Db {
            v4: Table::default(),
            v6: Table::default(),
        }
    }
}

impl<V: Value> Db<V> {
    /// The value of an address; an IPv4-mapped IPv6 address is looked up as IPv4.
    pub fn get(&self, ip: IpAddr) -> Option<V> {
        match ip.to_canonical() {
            IpAddr::V4(v4) => self.v4.get(u32::from(v4)),
            IpAddr::V6(v6) => self.v6.get(u128::from(v6)),
        }
    }

    /// Runs held (IPv4, IPv6).
    pub fn runs(&self) -> (usize, usize) {
        (self.v4.runs(), self.v6.runs())
    }

    /// Bytes held by the tables.
    pub fn heap_bytes(&self) -> usize {
        self.v4.heap_bytes() + self.v6.heap_bytes()
    }
}

/// Ranges gathered from files, then built into a [`Db`].
pub(crate) struct Loader<V> {
    parse_value: ParseValue<V>,
    paths: Vec<PathBuf>,
    v4: Vec<Range<u32, V>>,
    v6: Vec<Range<u128, V>>,
}

impl<V: Value> Loader<V> {
    pub fn new(parse_value: ParseValue<V>) -> Self {
        Loader {
            parse_value,
            paths: Vec::new(),
            v4: Vec::new(),
            v6: Vec::new(),
        }
    }

    /// Opens and reads one file.
    pub fn add_file(&mut self, path: &Path) -> Result<(), LoadError> {
        let file = std::fs::File::open(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.add_reader(path, std::io::BufReader::new(file))
    }

    /// Reads the lines of one source, named `path` in errors. A source without a single known
    /// range is an error: it is no database of this kind.
    pub fn add_reader(&mut self, path: &Path, mut reader: impl BufRead) -> Result<(), LoadError> {
        let file = self.paths.len();
        self.paths.push(path.to_path_buf());
        let before = self.v4.len() + self.v6.len();
        let mut text = String::new();
        for line in 1.. {
            let bad = |reason: String| LoadError::Line {
                path: path.to_path_buf(),
                line,
                reason,
            };
            text.clear();
            let read = reader.read_line(&mut text).map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => bad("not UTF-8 text".into()),
                _ => LoadError::Io {
                    path: path.to_path_buf(),
                    source: e,
                },
            })?;
            if read == 0 {
                break;
            }
            let Some(parsed) = parse::line(&text).map_err(bad)? else {
                continue;
            };
            let Some(value) = (self.parse_value)(parsed.value).map_err(bad)? else {
                continue;
            };
            self.push(parsed.bounds, value, Origin { file, line });
        }
        if self.v4.len() + self.v6.len() == before {
            return Err(LoadError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(())
    }

    fn push(&mut self, bounds: Bounds, value: V, origin: Origin) {
        match bounds {
            Bounds::V4(start, end) => self.v4.push(Range {
                start,
                end,
                value,
                origin,
            }),
            Bounds::V6(start, end) => self.v6.push(Range {
                start,
                end,
                value,
                origin,
            }),
        }
    }

    /// Builds the tables (where ranges overlap, the narrower one wins).
    pub fn build(self) -> Result<Db<V>, LoadError> {
        if self.paths.is_empty() {
            return Err(LoadError::NoFiles);
        }
        Ok(Db {
            v4: Table::build(self.v4),
            v6: Table::build(self.v6),
        })
    }
}
