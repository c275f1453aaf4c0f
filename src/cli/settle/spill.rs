//! What `settle` keeps of each case between reading it and closing the pools: its `cases.csv` row
//! without the fund payment (which only the close knows), and the few numbers the statements and
//! the report count. Cases are packed into blocks of a few thousand and written to a hidden file in
//! the output directory (removed at the end), so memory holds only the close's 48-byte slips
//! however many cases the run has. Blocks are LZ4-compressed (the rows are repetitive text: about
//! a sixth of their size); `settle --uncompressed-spill` stores them as they are, for less CPU but
//! about the size of `cases.csv` on disk (slower at 10 million rows, where the page cache no longer
//! absorbs it).
//!
//! A record (little-endian): row `u32`, level `u8`, variants `u8` (2 for an approved
//! special-review case: the review pricing, then the one without), key `2 × u64`, total cost and
//! patient share `i64`, pool `u16`, hospital and id (`u16` length + bytes), then per variant: route,
//! class, value kind `u8`, value `i64`, weight `i64` (`i64::MIN`: none), ratio bin `u8` (255:
//! none), facts flags `u8`, and the row's text before and after its `points` column, its formula
//! and its note (`u32` length + bytes each). Points, fund and formula are written at the end, when
//! a readmission adjustment may have changed the points.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use settlement::money::Fen;
use settlement::points::Points;
use settlement::price::{Class, Route, Value};
use settlement::slip::Key;

use crate::report::kpi::Facts;

/// One priced way of paying a case.
#[derive(Clone, Debug)]
pub struct Variant<'a> {
    /// Facts for the figures and the tally (`fund` is filled at the close).
    pub facts: Facts,
    /// What it is worth before the close.
    pub value: Value,
    /// The `cases.csv` columns before `points`.
    pub pre: &'a [u8],
    /// The columns between `points` and `fund_fen`.
    pub post: &'a [u8],
    /// Formula.
    pub formula: &'a str,
    /// Note.
    pub note: &'a str,
}

/// One case read back.
#[derive(Clone, Debug)]
pub struct Record<'a> {
    /// Row in the input (0-based).
    pub row: u32,
    /// Hospital level.
    pub level: u8,
    /// Fingerprint of the id.
    pub key: Key,
    /// Patient share.
    pub patient_share: Fen,
    /// Pool.
    pub pool: usize,
    /// Hospital code.
    pub hospital: &'a str,
    /// Case id.
    pub id: &'a str,
    /// The pricing, and for an approved special-review case the one without review.
    pub variants: [Option<Variant<'a>>; 2],
}

const FLAG_UNGROUPABLE: u8 = 1;
const FLAG_AMBIGUOUS: u8 = 2;
const FLAG_EXTREME: u8 = 4;

fn route_code(r: Route) -> u8 {
    r.index() as u8
}

fn route_of(b: u8) -> Route {
    Route::ALL[usize::from(b).min(7)]
}

const CLASSES: [Class; 9] = [
    Class::Normal,
    Class::Low,
    Class::Uplifted,
    Class::High,
    Class::Extreme,
    Class::Blank,
    Class::CostShare,
    Class::Actual,
    Class::Standard,
];

fn class_code(c: Class) -> u8 {
    CLASSES.iter().position(|&x| x == c).unwrap_or(0) as u8
}

/// Appends one record to a block.
#[allow(clippy::too_many_arguments)]
pub fn push(
    block: &mut Vec<u8>,
    row: u32,
    level: u8,
    key: Key,
    total_cost: Fen,
    patient_share: Fen,
    pool: usize,
    hospital: &str,
    id: &str,
    variants: &[Variant<'_>],
) {
    block.extend_from_slice(&row.to_le_bytes());
    block.push(level);
    block.push(variants.len() as u8);
    block.extend_from_slice(&key.0[0].to_le_bytes());
    block.extend_from_slice(&key.0[1].to_le_bytes());
    block.extend_from_slice(&total_cost.0.to_le_bytes());
    block.extend_from_slice(&patient_share.0.to_le_bytes());
    block.extend_from_slice(&(pool as u16).to_le_bytes());
    for s in [hospital, id] {
        let b = &s.as_bytes()[..s.len().min(u16::MAX as usize)];
        block.extend_from_slice(&(b.len() as u16).to_le_bytes());
        block.extend_from_slice(b);
    }
    for v in variants {
        let (kind, value) = settlement::slip::split(v.value);
        let f = &v.facts;
        block.push(route_code(f.route));
        block.push(class_code(f.class));
        block.push(kind as u8);
        block.extend_from_slice(&value.to_le_bytes());
        block.extend_from_slice(&f.weight.map_or(i64::MIN, |w| w.0).to_le_bytes());
        block.push(f.ratio_bin.unwrap_or(u8::MAX));
        block.push(
            (u8::from(f.ungroupable) * FLAG_UNGROUPABLE)
                | (u8::from(f.ambiguous) * FLAG_AMBIGUOUS)
                | (u8::from(f.extreme_ffs) * FLAG_EXTREME),
        );
        for part in [v.pre, v.post, v.formula.as_bytes(), v.note.as_bytes()] {
            block.extend_from_slice(&(part.len() as u32).to_le_bytes());
            block.extend_from_slice(part);
        }
    }
}

/// Reads records back from a block.
pub struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Records of a decompressed block.
    pub fn new(b: &'a [u8]) -> Reader<'a> {
        Reader { b }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.b.len() < n {
            return None;
        }
        let (x, rest) = self.b.split_at(n);
        self.b = rest;
        Some(x)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|x| x[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|x| u16::from_le_bytes([x[0], x[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .and_then(|x| x.try_into().ok())
            .map(u32::from_le_bytes)
    }

    fn i64(&mut self) -> Option<i64> {
        self.take(8)
            .and_then(|x| x.try_into().ok())
            .map(i64::from_le_bytes)
    }

    fn text(&mut self) -> Option<&'a str> {
        let n = usize::from(self.u16()?);
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    /// The next record; `None` at the end, or `Some(Err)` when the block is damaged.
    pub fn next_record(&mut self) -> Option<Result<Record<'a>, String>> {
        if self.b.is_empty() {
            return None;
        }
        Some(
            self.record()
                .ok_or_else(|| "the settle spill file is damaged".to_string()),
        )
    }

    fn record(&mut self) -> Option<Record<'a>> {
        let row = self.u32()?;
        let level = self.u8()?;
        let n = self.u8()?;
        let key = Key([self.i64()? as u64, self.i64()? as u64]);
        let total_cost = Fen(self.i64()?);
        let patient_share = Fen(self.i64()?);
        let pool = usize::from(self.u16()?);
        let hospital = self.text()?;
        let id = self.text()?;
        let mut variants = [None, None];
        for v in variants.iter_mut().take(usize::from(n)) {
            let route = route_of(self.u8()?);
            let class = CLASSES[usize::from(self.u8()?).min(CLASSES.len() - 1)];
            let kind = self.u8()?;
            let value = self.i64()?;
            let weight = self.i64()?;
            let bin = self.u8()?;
            let flags = self.u8()?;
            let pre = self.bytes()?;
            let post = self.bytes()?;
            let formula = std::str::from_utf8(self.bytes()?).ok()?;
            let note = std::str::from_utf8(self.bytes()?).ok()?;
            let kind = match kind {
                0 => settlement::slip::Kind::Points,
                1 => settlement::slip::Kind::Standard,
                _ => settlement::slip::Kind::Fund,
            };
            *v = Some(Variant {
                facts: Facts {
                    route,
                    class,
                    weight: (weight != i64::MIN).then_some(Points(weight)),
                    ratio_bin: (bin != u8::MAX).then_some(bin),
                    ungroupable: flags & FLAG_UNGROUPABLE != 0,
                    ambiguous: flags & FLAG_AMBIGUOUS != 0,
                    extreme_ffs: flags & FLAG_EXTREME != 0,
                    total_cost,
                    fund: Fen::ZERO,
                },
                value: settlement::slip::join(kind, value),
                pre,
                post,
                formula,
                note,
            });
        }
        Some(Record {
            row,
            level,
            key,
            patient_share,
            pool,
            hospital,
            id,
            variants,
        })
    }
}

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
