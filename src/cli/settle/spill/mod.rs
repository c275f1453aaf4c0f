//! What `settle` keeps of each case between reading it and closing the pools: the parts of its
//! `cases.csv` row (the row is written once the close knows the fund payment), and the few numbers
//! the statements and the report count. Cases are packed into blocks of a few thousand and written
//! to a hidden file in the output directory (removed at the end), so memory holds only the
//! close's 48-byte slips however many cases the run has. Blocks are LZ4-compressed;
//! `settle --uncompressed-spill` stores them as they are, for less CPU but more disk.
//!
//! The records are in `record.rs`; this module holds the file, its blocks and the buffers the
//! threads hand back and forth.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

mod record;

pub use record::{Block, Case, Formula, Reader, Variant};

/// The spill file: blocks, each preceded by its length; a block is a tag byte (stored or LZ4),
/// the length of its rows, and the rows.
pub struct Spill {
    path: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

/// A block ready for the spill file: its tag, the length of its rows, and its body.
pub struct Sealed {
    tag: u8,
    size: u32,
    body: Vec<u8>,
}

impl Sealed {
    /// The body's buffer, for reuse once written.
    pub fn into_buffer(self) -> Vec<u8> {
        self.body
    }
}

/// A block stored as it is.
const STORED: u8 = 0;
/// A block compressed with LZ4.
const LZ4: u8 = 1;

impl Spill {
    /// Creates the spill file in `dir`.
    pub fn create(dir: &Path) -> Result<Spill, String> {
        let path = dir.join(".settle-spill");
        let f = std::fs::File::create(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Spill {
            // Small: a block (larger) is written straight from its own buffer.
            file: Some(std::io::BufWriter::with_capacity(64 << 10, f)),
            path,
        })
    }

    /// Seals a block of rows (on the caller's thread): as it is, or LZ4-compressed into a buffer
    /// from `pool` (the rows' buffer then goes back to it).
    pub fn seal(block: Vec<u8>, compress: bool, pool: &Buffers) -> Result<Sealed, String> {
        let size =
            u32::try_from(block.len()).map_err(|_| "a spill block over 4 GiB".to_string())?;
        if !compress {
            return Ok(Sealed {
                tag: STORED,
                size,
                body: block,
            });
        }
        // Compressed into this thread's scratch, kept at its largest size (zeroing a quarter
        // megabyte per block would cost as much as the copy), then copied out at its real size.
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let mut out = pool.take();
        SCRATCH.with_borrow_mut(|scratch| -> Result<(), String> {
            let max = lz4_flex::block::get_maximum_output_size(block.len());
            if scratch.len() < max {
                scratch.resize(max, 0);
            }
            let n = lz4_flex::block::compress_into(&block, scratch)
                .map_err(|e| format!("cannot compress a spill block: {e}"))?;
            out.extend_from_slice(&scratch[..n]);
            Ok(())
        })?;
        pool.give(block);
        Ok(Sealed {
            tag: LZ4,
            size,
            body: out,
        })
    }

    /// Appends a sealed block (its body is written straight from its buffer, not copied).
    pub fn write(&mut self, sealed: &Sealed) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("cannot write {}: {e}", self.path.display());
        let f = self.file.as_mut().ok_or("the spill file is closed")?;
        let mut head = [0u8; 13];
        head[..8].copy_from_slice(&(5 + sealed.body.len() as u64).to_le_bytes());
        head[8] = sealed.tag;
        head[9..].copy_from_slice(&sealed.size.to_le_bytes());
        f.write_all(&head)
            .and_then(|()| f.write_all(&sealed.body))
            .map_err(fail)
    }

    /// Finishes writing and opens the file for reading.
    pub fn reopen(&mut self) -> Result<Blocks, String> {
        if let Some(mut f) = self.file.take() {
            f.flush()
                .map_err(|e| format!("cannot write {}: {e}", self.path.display()))?;
        }
        let f = std::fs::File::open(&self.path)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
        Ok(Blocks {
            r: std::io::BufReader::with_capacity(1 << 20, f),
        })
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        self.file = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Sealed blocks read back in order.
pub struct Blocks {
    r: std::io::BufReader<std::fs::File>,
}

impl Blocks {
    /// The next sealed block, into a buffer from `pool`; `None` at the end.
    pub fn next_block(&mut self, pool: &Buffers) -> Result<Option<Vec<u8>>, String> {
        let mut len = [0u8; 8];
        match self.r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(format!("cannot read the settle spill file: {e}")),
        }
        let len = u64::from_le_bytes(len);
        let mut b = pool.take();
        let n = (&mut self.r)
            .take(len)
            .read_to_end(&mut b)
            .map_err(|e| format!("cannot read the settle spill file: {e}"))?;
        if n as u64 != len {
            return Err("the settle spill file is damaged: short block".into());
        }
        Ok(Some(b))
    }
}

/// The rows of a sealed block: the block's own bytes when stored, else decompressed into
/// `scratch` (its memory is reused from block to block).
pub fn open<'a>(b: &'a [u8], scratch: &'a mut Vec<u8>) -> Result<&'a [u8], String> {
    let damaged = |e: &dyn std::fmt::Display| format!("the settle spill file is damaged: {e}");
    let (&tag, rest) = b.split_first().ok_or_else(|| damaged(&"empty block"))?;
    let (size, body) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| damaged(&"short block"))?;
    let size = u32::from_le_bytes(*size) as usize;
    match tag {
        STORED if body.len() == size => Ok(body),
        LZ4 => {
            // Grown, never cleared: only new room is zeroed.
            if scratch.len() < size {
                scratch.resize(size, 0);
            }
            let n = lz4_flex::block::decompress_into(body, &mut scratch[..size])
                .map_err(|e| damaged(&e))?;
            if n != size {
                return Err(damaged(&"short block"));
            }
            Ok(&scratch[..size])
        }
        _ => Err(damaged(&"unknown block")),
    }
}

/// Buffers handed back and forth between the threads, so that the large ones are not allocated
/// (and their pages faulted in) afresh for every block.
#[derive(Default)]
pub struct Buffers(std::sync::Mutex<Vec<Vec<u8>>>);

impl Buffers {
    /// A buffer, empty, from the pool or new.
    pub fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut v| v.pop())
            .unwrap_or_default()
    }

    /// Returns a buffer to the pool.
    pub fn give(&self, mut b: Vec<u8>) {
        b.clear();
        if let Ok(mut v) = self.0.lock() {
            if v.len() < 64 {
                v.push(b);
            }
        }
    }
}
