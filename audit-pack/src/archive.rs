//! The pack container: a gzip-compressed GNU tar, written deterministically and read strictly.
//!
//! **Writing.** Entries are regular files only (no directories), in the order given, with GNU
//! headers: mode 0644, uid/gid 0, empty user and group names, one fixed mtime, no pax records
//! (paths over 100 bytes use a GNU `././@LongLink` entry). The tar ends with two zero blocks.
//! The gzip header has no file name, mtime 0 and OS byte 255; the deflate stream comes from
//! miniz_oxide at level [`GZIP_LEVEL`] (flate2's `rust_backend`, pinned in Cargo.toml), in
//! independently compressed, sync-flushed chunks of [`crate::pgzip::CHUNK_SIZE`] bytes
//! compressed in parallel (`crate::pgzip`): one standard gzip member whose bytes do not
//! depend on the number of threads.
//!
//! **Reading.** A streaming parser of our own accepts exactly what the writer makes: one gzip
//! member without optional header fields, and nothing after it; GNU headers with valid checksums; regular files (optionally
//! preceded by one GNU long-name entry) of mode 0644 with no link name and no GNU extension
//! fields; safe, unique, non-conflicting relative paths; then the end-of-archive blocks and
//! only zero bytes after them. Everything else is refused with a reason: symlinks, hard
//! links, devices, FIFOs, directories, pax headers, sparse files, `..` and absolute paths.
//! Budgets bound the entries, each file, all decompressed bytes (gzip/tar bombs) and the
//! bookkeeping of the directories that entry paths imply (deep-path bombs). Nothing
//! is ever written to disk.

use crate::limits::Limits;
use crate::path::{pack_path_problem, PathTree, PathTreeError, MAX_PATH_LEN};
use crate::pgzip::ParGzWriter;
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, Read, Write};

const BLOCK: usize = 512;
/// Length of a gzip header without optional fields.
const GZIP_HEADER_LEN: usize = 10;
/// The deflate level of every pack (pinned: changing it changes every pack's bytes). Level 3
/// of miniz_oxide: about 2.5× faster than its level 6 for ~6 % larger packs on mixed evidence
/// (docs/benchmarks.md, "audit-pack build").
pub const GZIP_LEVEL: u32 = 3;
/// The gzip header's OS byte (255, "unknown").
pub const GZIP_OS: u8 = 255;
/// The mode of every entry.
pub const ENTRY_MODE: u32 = 0o644;

/// Writes a deterministic `.tgz`.
pub(crate) struct TgzWriter<W: Write> {
    builder: tar::Builder<ParGzWriter<W>>,
    mtime: u64,
}

impl<W: Write> TgzWriter<W> {
    pub(crate) fn new(out: W, mtime: u64) -> io::Result<Self> {
        let gz = ParGzWriter::new(out, GZIP_LEVEL, GZIP_OS)?;
        Ok(TgzWriter {
            builder: tar::Builder::new(gz),
            mtime,
        })
    }

    /// Appends a regular file of `size` bytes read from `data` (which must yield exactly that).
    pub(crate) fn append(&mut self, path: &str, size: u64, data: impl Read) -> io::Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(ENTRY_MODE);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(self.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        self.builder.append_data(&mut header, path, data)
    }

    /// Writes the end-of-archive blocks and the gzip trailer; returns the output.
    pub(crate) fn finish(self) -> io::Result<W> {
        let gz = self.builder.into_inner()?;
        gz.finish()
    }
}

/// Why a pack could not be read. Each variant names the entry (path) when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The gzip stream is corrupt (or the input could not be read).
    #[error("gzip stream: {reason}")]
    Gzip { reason: String },
    /// The tar stream ends in the middle of a block or without its end-of-archive blocks.
    #[error("tar stream is truncated ({context})")]
    Truncated { context: String },
    /// A header's checksum is wrong.
    #[error("tar header at byte {offset} has a bad checksum")]
    HeaderChecksum { offset: u64 },
    /// A header is not a GNU header of the form audit-pack writes.
    #[error("tar header at byte {offset} ({path}): {reason}")]
    UnsupportedHeader {
        offset: u64,
        path: String,
        reason: String,
    },
    /// An entry that is not a regular file.
    #[error("entry {path:?} is a {entry_type}: packs hold only regular files")]
    UnsupportedEntryType {
        path: String,
        entry_type: &'static str,
    },
    /// An unsafe or malformed path.
    #[error("entry path {path:?} is refused: {reason}")]
    UnsafePath { path: String, reason: String },
    /// The same path twice.
    #[error("entry {path:?} appears more than once")]
    DuplicatePath { path: String },
    /// A path that is also the directory of another entry.
    #[error("entry {path:?} conflicts with entry {other:?} (one would be the other's directory)")]
    PathConflict { path: String, other: String },
    /// More entries than the budget.
    #[error("more than {max} entries")]
    TooManyEntries { max: usize },
    /// The entries' paths imply more distinct directories than the bookkeeping budget holds
    /// (deep, distinct paths: a memory-exhaustion attempt, or a tree too deep for a pack).
    #[error("entry {path:?}: the entries' directories need more than {max} bytes of bookkeeping (Limits::max_dir_bookkeeping)")]
    DirectoryBudget { path: String, max: usize },
    /// A file larger than the budget.
    #[error("entry {path:?} is {size} bytes, more than the limit of {max}")]
    FileTooLarge { path: String, size: u64, max: u64 },
    /// More decompressed bytes than the budget (a decompression bomb, or simply too big).
    #[error("decompressed data exceeds the limit of {max} bytes")]
    DecompressedTooLarge { max: u64 },
    /// Bytes other than zero in the padding after an entry's data (hidden data).
    #[error("entry {path:?} has non-zero padding after its data")]
    NonZeroPadding { path: String },
    /// Data after the end of the tar archive or after the gzip member.
    #[error("data after the end of the pack: {reason}")]
    TrailingData { reason: String },
}

impl ArchiveError {
    /// A short machine-readable name.
    pub fn kind(&self) -> &'static str {
        match self {
            ArchiveError::Gzip { .. } => "gzip",
            ArchiveError::Truncated { .. } => "truncated",
            ArchiveError::HeaderChecksum { .. } => "header-checksum",
            ArchiveError::UnsupportedHeader { .. } => "unsupported-header",
            ArchiveError::UnsupportedEntryType { .. } => "unsupported-entry-type",
            ArchiveError::UnsafePath { .. } => "unsafe-path",
            ArchiveError::DuplicatePath { .. } => "duplicate-path",
            ArchiveError::PathConflict { .. } => "path-conflict",
            ArchiveError::TooManyEntries { .. } => "too-many-entries",
            ArchiveError::DirectoryBudget { .. } => "directory-budget",
            ArchiveError::FileTooLarge { .. } => "file-too-large",
            ArchiveError::DecompressedTooLarge { .. } => "decompressed-too-large",
            ArchiveError::NonZeroPadding { .. } => "non-zero-padding",
            ArchiveError::TrailingData { .. } => "trailing-data",
        }
    }
}

/// `path`, or its first 100 bytes and its length when it is longer than 120 bytes (the deep
/// paths of a directory-budget error would otherwise fill a screen).
fn shortened(path: &str) -> String {
    if path.len() <= 120 {
        return path.to_owned();
    }
    let mut end = 100;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… ({} bytes)",
        path.get(..end).unwrap_or_default(),
        path.len()
    )
}

/// One file read from a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackEntry {
    /// The entry path.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its contents.
    pub sha256: [u8; 32],
    /// The contents, if the caller asked to keep them.
    pub data: Option<Vec<u8>>,
}

/// Reads a pack entry by entry, without extracting anything.
pub struct PackReader<R: BufRead> {
    gz: flate2::bufread::GzDecoder<io::Chain<io::Cursor<Vec<u8>>, io::Take<R>>>,
    /// A problem found in the gzip header by `new`, reported by the first `next_entry`.
    pending: Option<ArchiveError>,
    limits: Limits,
    total: u64,
    entries: usize,
    paths: PathTree,
    done: bool,
}

impl<R: BufRead> std::fmt::Debug for PackReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackReader")
            .field("total", &self.total)
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

fn octal(field: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    let mut digits = 0usize;
    let mut ended = false;
    for &b in field {
        match b {
            b'0'..=b'7' if !ended => {
                value = value.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
                digits += 1;
            }
            0 | b' ' if digits > 0 => ended = true,
            0 if ended => {}
            _ => return None,
        }
    }
    (digits > 0).then_some(value)
}

fn entry_type_name(flag: u8) -> &'static str {
    match flag {
        b'1' => "hard link",
        b'2' => "symbolic link",
        b'3' => "character device",
        b'4' => "block device",
        b'5' => "directory",
        b'6' => "FIFO",
        b'7' => "contiguous file",
        b'x' => "pax extended header",
        b'g' => "pax global header",
        b'K' => "GNU long link name",
        b'S' => "GNU sparse file",
        b'D' => "GNU dump directory",
        b'M' => "GNU multi-volume continuation",
        b'V' => "GNU volume label",
        _ => "entry of unknown type",
    }
}

impl<R: BufRead> PackReader<R> {
    /// Starts reading a `.tgz` pack from `input`. The gzip header must have no optional
    /// fields (FLG = 0: no file name, comment, extra field or header CRC, as the writer makes
    /// it), so no unbounded header field is ever buffered.
    pub fn new(mut input: R, limits: Limits) -> Self {
        let mut head = Vec::with_capacity(GZIP_HEADER_LEN);
        let pending = match (&mut input)
            .take(GZIP_HEADER_LEN as u64)
            .read_to_end(&mut head)
        {
            Err(e) => Some(ArchiveError::Gzip {
                reason: e.to_string(),
            }),
            Ok(_) if head.len() < GZIP_HEADER_LEN => Some(ArchiveError::Gzip {
                reason: "shorter than a gzip header".to_owned(),
            }),
            Ok(_) if head.get(..3) != Some(&[0x1f, 0x8b, 8][..]) => Some(ArchiveError::Gzip {
                reason: "not a gzip stream with deflate compression".to_owned(),
            }),
            Ok(_) if head.get(3) != Some(&0) => Some(ArchiveError::Gzip {
                reason: "gzip header has optional fields (file name, comment, extra or CRC)"
                    .to_owned(),
            }),
            Ok(_) => None,
        };
        // After a bad header the decoder is given nothing more to read.
        let rest = input.take(if pending.is_some() { 0 } else { u64::MAX });
        PackReader {
            gz: flate2::bufread::GzDecoder::new(io::Cursor::new(head).chain(rest)),
            pending,
            limits,
            total: 0,
            entries: 0,
            paths: PathTree::new(limits.max_dir_bookkeeping),
            done: false,
        }
    }

    /// Reads up to `buf.len()` decompressed bytes, counting them against the budget; returns
    /// how many were read (0 only at the end of the stream).
    fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, ArchiveError> {
        let room = self.limits.max_total_size.saturating_sub(self.total);
        if room == 0 {
            // Anything more at all is over budget.
            let mut probe = [0u8; 1];
            return match self.gz.read(&mut probe) {
                Ok(0) => Ok(0),
                Ok(_) => Err(ArchiveError::DecompressedTooLarge {
                    max: self.limits.max_total_size,
                }),
                Err(e) => Err(ArchiveError::Gzip {
                    reason: e.to_string(),
                }),
            };
        }
        let want = usize::try_from(room).map_or(buf.len(), |r| r.min(buf.len()));
        let slice = buf.get_mut(..want).unwrap_or_default();
        loop {
            match self.gz.read(slice) {
                Ok(n) => {
                    self.total = self.total.saturating_add(n as u64);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(ArchiveError::Gzip {
                        reason: e.to_string(),
                    })
                }
            }
        }
    }

    /// Fills `buf` completely; `Ok(false)` if the stream ended before the first byte.
    fn read_full(&mut self, buf: &mut [u8], context: &str) -> Result<bool, ArchiveError> {
        let mut filled = 0usize;
        while filled < buf.len() {
            let n = self.read_some(buf.get_mut(filled..).unwrap_or_default())?;
            if n == 0 {
                if filled == 0 {
                    return Ok(false);
                }
                return Err(ArchiveError::Truncated {
                    context: context.to_owned(),
                });
            }
            filled += n;
        }
        Ok(true)
    }

    fn read_block(&mut self, context: &str) -> Result<[u8; BLOCK], ArchiveError> {
        let mut block = [0u8; BLOCK];
        if self.read_full(&mut block, context)? {
            Ok(block)
        } else {
            Err(ArchiveError::Truncated {
                context: context.to_owned(),
            })
        }
    }

    /// Reads `size` bytes of entry data plus padding, hashing them and keeping them if asked.
    fn read_data(
        &mut self,
        size: u64,
        keep: bool,
        context: &str,
    ) -> Result<([u8; 32], Option<Vec<u8>>), ArchiveError> {
        let mut hasher = Sha256::new();
        let mut kept = keep.then(Vec::new);
        let mut left = size;
        // At most 64 KiB, and no more than the entry needs (most entries are small).
        let mut buf = vec![0u8; usize::try_from(size).map_or(64 << 10, |s| s.min(64 << 10))];
        while left > 0 {
            let chunk = usize::try_from(left).map_or(buf.len(), |l| l.min(buf.len()));
            let part = buf.get_mut(..chunk).unwrap_or_default();
            if !self.read_full(part, context)? {
                return Err(ArchiveError::Truncated {
                    context: context.to_owned(),
                });
            }
            hasher.update(&*part);
            if let Some(k) = kept.as_mut() {
                k.extend_from_slice(part);
            }
            left -= chunk as u64;
        }
        let padding = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
        let mut pad = [0u8; BLOCK];
        let pad = pad.get_mut(..padding as usize).unwrap_or_default();
        if !pad.is_empty() && !self.read_full(pad, context)? {
            return Err(ArchiveError::Truncated {
                context: context.to_owned(),
            });
        }
        if pad.iter().any(|b| *b != 0) {
            return Err(ArchiveError::NonZeroPadding {
                path: context.to_owned(),
            });
        }
        Ok((hasher.finalize().into(), kept))
    }

    fn register_path(&mut self, path: &str) -> Result<(), ArchiveError> {
        if let Some(reason) = pack_path_problem(path) {
            return Err(ArchiveError::UnsafePath {
                path: path.to_owned(),
                reason: reason.to_owned(),
            });
        }
        self.paths.insert(path).map_err(|e| match e {
            PathTreeError::Duplicate => ArchiveError::DuplicatePath {
                path: path.to_owned(),
            },
            PathTreeError::Conflict { other } => ArchiveError::PathConflict {
                path: path.to_owned(),
                other,
            },
            PathTreeError::OverBudget { max } => ArchiveError::DirectoryBudget {
                path: shortened(path),
                max,
            },
        })
    }

    /// The next file, or `None` after the end-of-archive marker (having checked that nothing
    /// follows it). `keep(path, size)` says whether to keep the contents in memory (the caller
    /// applies its own size budget there: the size is the one declared in the header, which
    /// is exactly what is read).
    pub fn next_entry(
        &mut self,
        keep: &dyn Fn(&str, u64) -> bool,
    ) -> Result<Option<PackEntry>, ArchiveError> {
        if let Some(e) = self.pending.take() {
            self.done = true;
            return Err(e);
        }
        if self.done {
            return Ok(None);
        }
        let mut long_name: Option<String> = None;
        loop {
            let offset = self.total;
            let header = self.read_block("expected a tar header or the end-of-archive blocks")?;
            if header.iter().all(|b| *b == 0) {
                if long_name.is_some() {
                    return Err(ArchiveError::Truncated {
                        context: "a long-name entry is not followed by its file".to_owned(),
                    });
                }
                let second = self.read_block("expected the second end-of-archive block")?;
                if second.iter().any(|b| *b != 0) {
                    return Err(ArchiveError::UnsupportedHeader {
                        offset: offset + BLOCK as u64,
                        path: String::new(),
                        reason: "a single zero block inside the archive".to_owned(),
                    });
                }
                self.finish_stream()?;
                self.done = true;
                return Ok(None);
            }
            let h = |range: std::ops::Range<usize>| header.get(range).unwrap_or_default();
            let stored: Option<u64> = octal(h(148..156));
            let computed: u64 = header
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    if (148..156).contains(&i) {
                        32
                    } else {
                        u64::from(*b)
                    }
                })
                .sum();
            if stored != Some(computed) {
                return Err(ArchiveError::HeaderChecksum { offset });
            }
            let raw_name = h(0..100);
            let name_len = raw_name
                .iter()
                .position(|b| *b == 0)
                .unwrap_or(raw_name.len());
            let header_name =
                String::from_utf8_lossy(raw_name.get(..name_len).unwrap_or_default()).into_owned();
            let display = long_name.clone().unwrap_or_else(|| header_name.clone());
            let unsupported = |reason: &str| ArchiveError::UnsupportedHeader {
                offset,
                path: display.clone(),
                reason: reason.to_owned(),
            };
            if h(257..265) != b"ustar  \0" {
                return Err(unsupported(
                    "not a GNU tar header (audit-pack writes GNU headers only)",
                ));
            }
            if h(124..125).first().is_some_and(|b| b & 0x80 != 0) {
                return Err(unsupported("base-256 size field"));
            }
            let size = octal(h(124..136)).ok_or_else(|| unsupported("malformed size field"))?;
            let flag = header.get(156).copied().unwrap_or(0);
            if flag == b'L' {
                if long_name.is_some() {
                    return Err(unsupported("two long-name entries for one file"));
                }
                if size > (MAX_PATH_LEN + 1) as u64 {
                    return Err(ArchiveError::UnsafePath {
                        path: String::new(),
                        reason: format!("long name of {size} bytes, more than {MAX_PATH_LEN}"),
                    });
                }
                let (_, data) = self.read_data(size, true, "long-name entry")?;
                let data = data.unwrap_or_default();
                let name = data
                    .strip_suffix(b"\0")
                    .filter(|n| !n.contains(&0))
                    .ok_or_else(|| unsupported("long name is not NUL-terminated"))?;
                let name =
                    String::from_utf8(name.to_vec()).map_err(|_| ArchiveError::UnsafePath {
                        path: String::from_utf8_lossy(name).into_owned(),
                        reason: "not UTF-8".to_owned(),
                    })?;
                long_name = Some(name);
                continue;
            }
            if flag != b'0' && flag != 0 {
                return Err(ArchiveError::UnsupportedEntryType {
                    path: display,
                    entry_type: entry_type_name(flag),
                });
            }
            if h(157..257).iter().any(|b| *b != 0) {
                return Err(unsupported("a regular file with a link name"));
            }
            if h(345..512).iter().any(|b| *b != 0) {
                return Err(unsupported(
                    "GNU extension fields (atime, ctime, sparse) are set",
                ));
            }
            let mode = octal(h(100..108)).ok_or_else(|| unsupported("malformed mode field"))?;
            if mode != u64::from(ENTRY_MODE) {
                return Err(unsupported(&format!("mode {mode:o} is not 644")));
            }
            let path = match long_name.take() {
                Some(name) => name,
                None => String::from_utf8(raw_name.get(..name_len).unwrap_or_default().to_vec())
                    .map_err(|_| ArchiveError::UnsafePath {
                        path: header_name.clone(),
                        reason: "not UTF-8".to_owned(),
                    })?,
            };
            self.entries += 1;
            if self.entries > self.limits.max_entries {
                return Err(ArchiveError::TooManyEntries {
                    max: self.limits.max_entries,
                });
            }
            self.register_path(&path)?;
            if size > self.limits.max_file_size {
                return Err(ArchiveError::FileTooLarge {
                    path,
                    size,
                    max: self.limits.max_file_size,
                });
            }
            let keep_it = keep(&path, size);
            let (sha256, data) = self.read_data(size, keep_it, &path)?;
            return Ok(Some(PackEntry {
                path,
                size,
                sha256,
                data,
            }));
        }
    }

    /// After the end-of-archive blocks: only zero bytes may follow in the tar stream, and
    /// nothing after the gzip member.
    fn finish_stream(&mut self) -> Result<(), ArchiveError> {
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = self.read_some(&mut buf)?;
            if n == 0 {
                break;
            }
            if buf.get(..n).unwrap_or_default().iter().any(|b| *b != 0) {
                return Err(ArchiveError::TrailingData {
                    reason: "non-zero bytes after the end-of-archive blocks".to_owned(),
                });
            }
        }
        let rest = self
            .gz
            .get_mut()
            .get_mut()
            .1
            .fill_buf()
            .map_err(|e| ArchiveError::Gzip {
                reason: e.to_string(),
            })?;
        if !rest.is_empty() {
            return Err(ArchiveError::TrailingData {
                reason: "bytes after the gzip member (a second member or garbage)".to_owned(),
            });
        }
        Ok(())
    }
}
