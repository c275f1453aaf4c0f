//! CSV input rows, read the way the `csv` crate reads them (RFC 4180 quoting, `\n`, `\r` or
//! `\r\n` line ends, blank lines skipped, rows of any width) but faster on the rows most exports
//! are made of: a line without a quote character is split at its commas with SIMD searches, and
//! only a record that holds a `"` goes through `csv-core`'s state machine, one record at a time.
//!
//! The `csv` reader spends about 18 instructions per input byte in its state machine; a settle
//! run reads its input on one thread while the others price, so that time was both serial and
//! taken from the pricing. The equivalence with the `csv` crate is tested on tricky inputs and on
//! random ones (quotes, line ends, blank lines, buffer refills in the middle of a record).

use std::io::{self, Read};

use csv_core::ReadRecordResult;

use super::row::Row;

/// Bytes read from the input at a time (the buffer grows when one record is longer).
const BUFFER: usize = 1 << 20;

/// Rows of a CSV input as [`Row`]s, header included.
pub struct CsvRows<R = Box<dyn Read + Send>> {
    input: R,
    /// Raw input; `buf[pos..end]` is not consumed yet.
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    /// Whether the start of the input (a byte order mark) has been looked at.
    started: bool,
    /// Input bytes before `buf[0]`.
    base: u64,
    /// 1 + the line ends (`\n`) consumed.
    line: u64,
    /// For records with quotes.
    core: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: Read> CsvRows<R> {
    /// Reads `input` from its start.
    pub fn new(input: R) -> CsvRows<R> {
        CsvRows::with_buffer(input, BUFFER)
    }

    /// Reads `input` from its start, `capacity` bytes at a time (more for a longer record).
    pub fn with_buffer(input: R, capacity: usize) -> CsvRows<R> {
        CsvRows {
            input,
            buf: vec![0; capacity.max(1)],
            pos: 0,
            end: 0,
            eof: false,
            started: false,
            base: 0,
            line: 1,
            core: csv_core::Reader::new(),
            fields: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// Input bytes consumed so far.
    pub fn position(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Reads the next row into `record`; `false` at the end of the input.
    pub fn read(&mut self, record: &mut Row) -> io::Result<bool> {
        record.clear();
        if !self.started {
            self.start()?;
        }
        record.set_line(self.line);
        loop {
            // Between records: line ends left over (blank lines, the `\n` of `\r\n`) are skipped.
            while self.pos < self.end && matches!(self.buf[self.pos], b'\n' | b'\r') {
                self.line += u64::from(self.buf[self.pos] == b'\n');
                self.pos += 1;
            }
            if self.pos == self.end {
                if self.eof {
                    return Ok(false);
                }
                self.refill()?;
                continue;
            }
            let rest = &self.buf[self.pos..self.end];
            let line = match memchr::memchr2(b'\n', b'\r', rest) {
                Some(k) => &rest[..k],
                None if self.eof => rest,
                None => {
                    self.refill()?;
                    continue;
                }
            };
            if memchr::memchr(b'"', line).is_some() {
                return self.read_quoted(record);
            }
            record.set_split(line, b',');
            // The line and its end (one byte; a `\n` after a `\r` is skipped next time).
            let next = self.pos + line.len();
            if next < self.end {
                self.line += u64::from(self.buf[next] == b'\n');
            }
            self.pos = (next + 1).min(self.end);
            return Ok(true);
        }
    }

    /// Skips a UTF-8 byte order mark at the start of the input, as `csv-core` does, and tells
    /// `csv-core` it is past the start (it would take a mark at the start of any record it reads
    /// first for one).
    fn start(&mut self) -> io::Result<()> {
        self.started = true;
        while self.end < 3 && !self.eof {
            self.refill()?;
        }
        if self.buf[..self.end].starts_with(b"\xef\xbb\xbf") {
            self.pos = 3;
        }
        // A lone line end is no record: the state machine stays between records.
        let _ = self
            .core
            .read_record(b"\n", &mut self.fields, &mut self.ends);
        Ok(())
    }

    /// Reads a record that holds a quote with `csv-core`, from a record's start. Between records
    /// the state machine is where a record ends, which reads the next byte as a record's first.
    fn read_quoted(&mut self, record: &mut Row) -> io::Result<bool> {
        let (mut nfields, mut nends) = (0, 0);
        loop {
            let (res, nin, nout, nend) = self.core.read_record(
                &self.buf[self.pos..self.end],
                &mut self.fields[nfields..],
                &mut self.ends[nends..],
            );
            self.line +=
                memchr::memchr_iter(b'\n', &self.buf[self.pos..self.pos + nin]).count() as u64;
            self.pos += nin;
            nfields += nout;
            nends += nend;
            match res {
                ReadRecordResult::InputEmpty => {
                    if self.eof {
                        // An empty input tells csv-core the data has ended.
                        let (res, _, nout, nend) = self.core.read_record(
                            &[],
                            &mut self.fields[nfields..],
                            &mut self.ends[nends..],
                        );
                        nfields += nout;
                        nends += nend;
                        match res {
                            ReadRecordResult::OutputFull => self.grow_fields(),
                            ReadRecordResult::OutputEndsFull => self.grow_ends(),
                            ReadRecordResult::Record => break,
                            _ => return Ok(false),
                        }
                    } else {
                        self.refill()?;
                    }
                }
                ReadRecordResult::OutputFull => self.grow_fields(),
                ReadRecordResult::OutputEndsFull => self.grow_ends(),
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return Ok(false),
            }
        }
        let mut start = 0;
        for &e in &self.ends[..nends] {
            record.push_field(&self.fields[start..e]);
            start = e;
        }
        Ok(true)
    }

    fn grow_fields(&mut self) {
        let n = self.fields.len() * 2;
        self.fields.resize(n, 0);
    }

    fn grow_ends(&mut self) {
        let n = self.ends.len() * 2;
        self.ends.resize(n, 0);
    }

    /// Moves the unread bytes to the front (growing the buffer when they fill it) and reads more;
    /// sets `eof` when the input has no more.
    fn refill(&mut self) -> io::Result<()> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len() * 2;
            self.buf.resize(n, 0);
        }
        loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CsvRows;
    use proptest::prelude::*;

    /// The rows as the `csv` crate reads them, configured as the CLI configured it.
    fn reference(data: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(data);
        let mut rec = csv::ByteRecord::new();
        let mut rows = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let line = rec.position().unwrap().line();
            rows.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        rows
    }

    /// A reader that hands out a few bytes per call, so records straddle refills.
    struct Trickle(Vec<u8>, usize, usize);

    impl std::io::Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.2.min(out.len()).min(self.0.len() - self.1);
            out[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }

    fn scanned(data: &[u8], buffer: usize, step: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = CsvRows::with_buffer(Trickle(data.to_vec(), 0, step), buffer);
        let mut rec = super::Row::new();
        let mut rows = Vec::new();
        while r.read(&mut rec).unwrap() {
            let line = rec.line().unwrap();
            rows.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        assert_eq!(r.position(), data.len() as u64, "every byte consumed");
        rows
    }

    #[test]
    fn tricky_inputs_read_as_the_csv_crate_reads_them() {
        let cases: &[&[u8]] = &[
            b"",
            b"\n\n\r\n",
            b"id,cost\n1,2\n",
            b"id,cost\r\n1,2\r\n3,4",
            b"id,cost\r1,2\r3,4\r",
            b"a,b\n\n\n1,2\n\r\n3\n",
            b"a,,b,\n,\n,,\n",
            b" a , b \n",
            b"a,\"b,c\",d\n1,\"x\ny\",2\n",
            b"a,\"say \"\"hi\"\"\",c\n",
            b"ab\"c,d\n",
            b"\"unclosed,field\nnext line\n",
            b"\"a\"b,c\n",
            b"x,\"\"\n\"\",y\n",
            b"\xef\xbb\xbfid,name\n1,\xe5\xbc\xa0\xe4\xb8\x89\n",
            b"a,b\n1,2,3,4\n5\n",
            b"last,line,no,end",
            b"\"quoted last\"",
            b"a\n\"b\"\r\nc\r\n",
            b"\xef\xbb\xbf\"id\",x\n1,2\n",
            b"a\n\xef\xbb\xbf\"b\"\n\xef\xbb\xbfc\n",
            b"\n\xef\xbb\xbfa\n",
            b"\xef\xbb",
            b"\xef\xbb\xbf",
        ];
        for &data in cases {
            let want = reference(data);
            for (buffer, step) in [(1 << 20, 1 << 20), (1, 1), (3, 2), (8, 5), (16, 16)] {
                assert_eq!(
                    scanned(data, buffer, step),
                    want,
                    "{:?} with buffer {buffer}, reads of {step}",
                    String::from_utf8_lossy(data)
                );
            }
        }
    }

    proptest! {
        #[test]
        fn random_inputs_read_as_the_csv_crate_reads_them(
            bom in any::<bool>(),
            body in proptest::collection::vec(
                prop_oneof![
                    Just(&b"a"[..]), Just(&b"7"[..]), Just(&b","[..]), Just(&b"\""[..]),
                    Just(&b"\n"[..]), Just(&b"\r"[..]), Just(&b" "[..]), Just(&b"\xe5"[..]),
                    Just(&b"\xef\xbb\xbf"[..]), Just(&b"\r\n"[..]), Just(&b"abc,de,f"[..]),
                ],
                0..120,
            ),
            buffer in 1usize..64,
            step in 1usize..64,
        ) {
            let mut bytes = if bom { b"\xef\xbb\xbf".to_vec() } else { Vec::new() };
            bytes.extend(body.concat());
            prop_assert_eq!(scanned(&bytes, buffer, step), reference(&bytes));
        }
    }
}
