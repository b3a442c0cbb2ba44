//! Deterministic parallel gzip (pigz-style), one standard gzip member.
//!
//! The uncompressed stream is cut into chunks of exactly [`CHUNK_SIZE`] bytes (the last one
//! shorter, possibly empty). Each chunk is deflated on its own by miniz_oxide at
//! [`GZIP_LEVEL`](crate::archive::GZIP_LEVEL), with a fresh compressor and no preset
//! dictionary: every chunk but the last ends with a sync flush (an empty stored block, so the
//! next chunk starts byte-aligned and no block is final), the last with a finish (final block).
//! The raw deflate bytes of the chunks are concatenated, in order, after the fixed 10-byte
//! gzip header and followed by the CRC-32 and the length (mod 2^32) of the whole stream.
//!
//! The output depends only on the input bytes, [`CHUNK_SIZE`], the level and the deflate
//! implementation; never on the number of threads or on scheduling. Chunks are compressed
//! on a dedicated rayon pool with as many threads as the caller's current rayon pool
//! (`rayon::current_num_threads`), while the caller keeps producing input; at most
//! [`MAX_IN_FLIGHT`] chunks are queued or being compressed (peak memory about
//! `MAX_IN_FLIGHT × 2 × CHUNK_SIZE`).

use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc;

/// Uncompressed bytes per independently deflated chunk: 1 MiB. Part of the pack format
/// (changing it changes every pack's bytes).
pub const CHUNK_SIZE: usize = 1 << 20;

/// Most chunks handed to the pool and not yet written out.
pub const MAX_IN_FLIGHT: usize = 8;

/// The fixed gzip header: magic, deflate, no flags, mtime 0, XFL 0, OS.
fn gzip_header(os: u8) -> [u8; 10] {
    [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, os]
}

type ChunkResult = io::Result<(Vec<u8>, Crc)>;

/// Deflates one chunk (raw deflate): sync flush unless `last`, then finish.
pub(crate) fn deflate_chunk(level: u32, data: &[u8], last: bool) -> io::Result<Vec<u8>> {
    let mut c = Compress::new(Compression::new(level), false);
    let mut out = Vec::with_capacity(data.len() + data.len() / 16 + 1024);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    loop {
        let consumed = usize::try_from(c.total_in()).map_err(io::Error::other)?;
        let rest = data.get(consumed..).unwrap_or_default();
        let status = c
            .compress_vec(rest, &mut out, flush)
            .map_err(io::Error::other)?;
        let all_in = usize::try_from(c.total_in()).map_err(io::Error::other)? == data.len();
        let room_left = out.len() < out.capacity();
        match status {
            Status::StreamEnd => break,
            // A sync flush is complete once all input is taken and the output did not fill.
            _ if !last && all_in && room_left => break,
            _ => {}
        }
        if !room_left {
            out.reserve(64 * 1024);
        }
    }
    Ok(out)
}

fn compress_job(level: u32, data: &[u8], last: bool) -> ChunkResult {
    let mut crc = Crc::new();
    crc.update(data);
    Ok((deflate_chunk(level, data, last)?, crc))
}

/// A `Write` that gzips what it is given, chunk by chunk, in parallel (see the module docs).
pub(crate) struct ParGzWriter<W: Write> {
    out: W,
    level: u32,
    pool: rayon::ThreadPool,
    buf: Vec<u8>,
    tx: mpsc::Sender<(u64, ChunkResult)>,
    rx: mpsc::Receiver<(u64, ChunkResult)>,
    /// Sequence number of the next chunk handed to the pool.
    next_seq: u64,
    /// Sequence number of the next chunk to write out.
    write_seq: u64,
    done: BTreeMap<u64, ChunkResult>,
    crc: Crc,
}

impl<W: Write> ParGzWriter<W> {
    /// Writes the gzip header to `out` and starts a pool sized like the current rayon pool.
    pub(crate) fn new(out: W, level: u32, os: u8) -> io::Result<Self> {
        Self::with_threads(out, level, os, None)
    }

    /// As `new`, with `threads` deflate threads (`None`: `rayon::current_num_threads()`).
    pub(crate) fn with_threads(
        mut out: W,
        level: u32,
        os: u8,
        threads: Option<usize>,
    ) -> io::Result<Self> {
        out.write_all(&gzip_header(os))?;
        let threads = threads.unwrap_or_else(rayon::current_num_threads).max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("audit-pack-deflate-{i}"))
            .build()
            .map_err(io::Error::other)?;
        let (tx, rx) = mpsc::channel();
        Ok(ParGzWriter {
            out,
            level,
            pool,
            buf: Vec::with_capacity(CHUNK_SIZE),
            tx,
            rx,
            next_seq: 0,
            write_seq: 0,
            done: BTreeMap::new(),
            crc: Crc::new(),
        })
    }

    fn submit(&mut self, last: bool) {
        let data = std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(if last { 0 } else { CHUNK_SIZE }),
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        let tx = self.tx.clone();
        let level = self.level;
        self.pool.spawn(move || {
            // The receiver is gone only if the writer was dropped (an error elsewhere).
            let _ = tx.send((seq, compress_job(level, &data, last)));
        });
    }

    /// Writes out finished chunks in order; waits until fewer than `max_pending` are pending.
    fn drain(&mut self, max_pending: u64) -> io::Result<()> {
        loop {
            while let Some(result) = self.done.remove(&self.write_seq) {
                let (bytes, crc) = result?;
                self.out.write_all(&bytes)?;
                self.crc.combine(&crc);
                self.write_seq += 1;
            }
            if self.next_seq - self.write_seq < max_pending.max(1) {
                return Ok(());
            }
            let (seq, result) = self
                .rx
                .recv()
                .map_err(|_| io::Error::other("deflate worker stopped"))?;
            self.done.insert(seq, result);
        }
    }

    /// Compresses the rest, writes the trailer (CRC-32, ISIZE) and returns the output.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.submit(true);
        self.drain(0)?;
        if self.write_seq != self.next_seq {
            return Err(io::Error::other("deflate chunks missing"));
        }
        let crc = self.crc.sum();
        let isize = self.crc.amount();
        self.out.write_all(&crc.to_le_bytes())?;
        self.out.write_all(&isize.to_le_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for ParGzWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK_SIZE - self.buf.len();
        let take = data.len().min(room);
        self.buf
            .extend_from_slice(data.get(..take).unwrap_or_default());
        if self.buf.len() == CHUNK_SIZE {
            self.submit(false);
            self.drain(MAX_IN_FLIGHT as u64)?;
        }
        Ok(take)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Flushing must not cut a chunk (that would change the bytes); nothing to do.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use std::io::Read;

    fn sample(len: usize) -> Vec<u8> {
        let mut x: u64 = 7;
        (0..len)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if i % 3 == 0 {
                    (x >> 59) as u8
                } else {
                    b"log line: ok\n"[i % 13]
                }
            })
            .collect()
    }

    fn gz(data: &[u8], threads: usize, piece: usize) -> Vec<u8> {
        let mut w = ParGzWriter::with_threads(Vec::new(), 6, 255, Some(threads)).unwrap();
        for p in data.chunks(piece.max(1)) {
            w.write_all(p).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn same_bytes_for_any_thread_count_and_readable_by_gzip() {
        for len in [
            0,
            1,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 1,
            3 * CHUNK_SIZE + 4096,
        ] {
            let data = sample(len);
            let one = gz(&data, 1, 100_000);
            let two = gz(&data, 2, 7777);
            let four = gz(&data, 4, CHUNK_SIZE * 2);
            assert_eq!(one, two, "len {len}");
            assert_eq!(one, four, "len {len}");
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&one[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, data, "len {len}");
            let mut d = flate2::read::MultiGzDecoder::new(&one[..]);
            let mut again = Vec::new();
            d.read_to_end(&mut again).unwrap();
            assert_eq!(again, data);
        }
    }
}
