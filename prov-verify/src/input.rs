//! Reading untrusted inputs into typed values, once, at the edge: hashes, proof files, leaves.
//! Every read is bounded.

use crate::error::CliError;
use merkle::{leaf_hash_reader, Hash, StreamingRoot};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Largest JSON proof file or signed note accepted.
pub const MAX_SMALL_FILE: u64 = 1024 * 1024;
/// Longest line accepted in a leaf-hashes file (64 hex digits plus line ending and spaces).
const MAX_HASH_LINE: usize = 256;
/// Most leaves read into memory to generate a proof (a root alone streams without limit).
pub const MAX_LEAVES_IN_MEMORY: usize = 100_000_000;

/// Reads a whole file of at most `MAX_SMALL_FILE` bytes.
pub fn read_small_file(path: &Path) -> Result<Vec<u8>, CliError> {
    read_limited(path, MAX_SMALL_FILE)
}

/// Reads a whole file of at most `max` bytes; a larger one is malformed input.
pub fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, CliError> {
    plugin_api::bounded::read_file(path, max).map_err(|e| match e {
        plugin_api::bounded::ReadError::TooLarge { limit } => CliError::malformed(
            path.display().to_string(),
            format!("larger than the {limit}-byte limit"),
        ),
        other => CliError::io(path, other.into_io_error()),
    })
}

/// Parses a 32-byte hash in hex; `field` names where it came from.
pub fn parse_hash(field: &str, text: &str) -> Result<Hash, CliError> {
    Hash::from_hex(text.trim()).map_err(|e| CliError::malformed(field, e))
}

/// Parses proof nodes; a single empty string (from `--proof ''`) is the empty proof.
pub fn parse_proof(field: &str, nodes: &[String]) -> Result<Vec<Hash>, CliError> {
    if let [only] = nodes {
        if only.trim().is_empty() {
            return Ok(Vec::new());
        }
    }
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| parse_hash(&format!("{field}[{i}]"), n))
        .collect()
}

/// Leaves, one per input, as their leaf hashes.
pub enum Leaves {
    Files(Vec<PathBuf>),
    Dir(PathBuf),
    LeafHashes(PathBuf),
}

impl Leaves {
    pub fn from_args(src: &crate::cli::LeafSource) -> Result<Self, CliError> {
        match (&src.dir, &src.leaf_hashes) {
            (Some(d), None) if src.files.is_empty() => Ok(Leaves::Dir(d.clone())),
            (None, Some(f)) if src.files.is_empty() => Ok(Leaves::LeafHashes(f.clone())),
            (None, None) if !src.files.is_empty() => Ok(Leaves::Files(src.files.clone())),
            _ => Err(CliError::Usage(
                "give leaves as FILE..., --dir DIR or --leaf-hashes FILE (exactly one)".into(),
            )),
        }
    }

    /// Calls `each` with every leaf hash in order; stops at the first error.
    pub fn for_each(
        &self,
        mut each: impl FnMut(Hash) -> Result<(), CliError>,
    ) -> Result<(), CliError> {
        match self {
            Leaves::Files(files) => {
                for f in files {
                    each(hash_file(f)?)?;
                }
                Ok(())
            }
            Leaves::Dir(dir) => {
                for path in walk_sorted(dir)? {
                    each(hash_file(&path)?)?;
                }
                Ok(())
            }
            Leaves::LeafHashes(path) => {
                let file = File::open(path).map_err(|e| CliError::io(path, e))?;
                let mut reader = BufReader::new(file);
                let mut line = String::new();
                let mut number = 0u64;
                loop {
                    line.clear();
                    number += 1;
                    let n = (&mut reader)
                        .take(MAX_HASH_LINE as u64 + 1)
                        .read_line(&mut line)
                        .map_err(|e| CliError::io(path, e))?;
                    if n == 0 {
                        return Ok(());
                    }
                    let field = format!("{}: line {number}", path.display());
                    if line.len() > MAX_HASH_LINE {
                        return Err(CliError::malformed(field, "line too long"));
                    }
                    let text = line.trim();
                    if text.is_empty() {
                        return Err(CliError::malformed(
                            field,
                            "empty line; expected a 64-digit hex leaf hash",
                        ));
                    }
                    each(parse_hash(&field, text)?)?;
                }
            }
        }
    }

    /// The root and size, streaming (memory does not grow with the number of leaves).
    pub fn root(&self) -> Result<(u64, Hash), CliError> {
        let mut acc = StreamingRoot::new();
        self.for_each(|h| {
            acc.push_leaf_hash(h)
                .map_err(|e| CliError::Usage(e.to_string()))
        })?;
        Ok((acc.size(), acc.root()))
    }

    /// All leaf hashes in memory (for proof generation), bounded.
    pub fn collect(&self) -> Result<Vec<Hash>, CliError> {
        let mut all = Vec::new();
        self.for_each(|h| {
            if all.len() >= MAX_LEAVES_IN_MEMORY {
                return Err(CliError::Usage(format!(
                    "more than {MAX_LEAVES_IN_MEMORY} leaves; proofs are generated in memory"
                )));
            }
            all.push(h);
            Ok(())
        })?;
        Ok(all)
    }
}

fn hash_file(path: &Path) -> Result<Hash, CliError> {
    let file = File::open(path).map_err(|e| CliError::io(path, e))?;
    leaf_hash_reader(file).map_err(|e| CliError::io(path, e))
}

/// Regular files below `dir`, depth first, each directory's entries sorted by name (bytes).
/// Symbolic links are refused rather than followed or silently left out.
fn walk_sorted(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let meta = std::fs::metadata(dir).map_err(|e| CliError::io(dir, e))?;
    if !meta.is_dir() {
        return Err(CliError::malformed(
            "--dir",
            format!("{} is not a directory", dir.display()),
        ));
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            let io = e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("directory walk failed"));
            CliError::io(&path, io)
        })?;
        let ft = entry.file_type();
        if ft.is_symlink() {
            return Err(CliError::malformed(
                entry.path().display().to_string(),
                "is a symbolic link; links are not followed (copy the file in instead)",
            ));
        }
        if ft.is_file() {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so a reader
/// never sees half a report.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| CliError::Usage(format!("{}: not a file name", path.display())))?;
    let temp = dir.join(format!(".{}.partial", name.to_string_lossy()));
    let result = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        CliError::io(path, e)
    })
}
