//! Input and output formats of the CLI (kept out of the engine crates): [`csv`] (columns by name,
//! raw rows, the field writer), [`csv_scan`] (CSV input rows, read fast), [`row`] (one input row), [`parquet`] (Parquet files as rows of text and back), [`rows`] (open
//! a row input or output as CSV or Parquet by its file name), [`cases`] and [`statement`] (the
//! settlement's case rows and output tables), [`signals`] (the supervision signals' columns, stays,
//! points adjustments and output files).

pub mod cases;
pub mod csv;
pub mod csv_scan;
pub mod parquet;
pub mod row;
pub mod rows;
pub mod signals;
pub mod statement;

use std::fs::File;
use std::path::Path;

/// Creates an output file like [`File::create`], but removes an existing regular file first
/// instead of truncating it. On ext4 (and other file systems with the same heuristic) closing a
/// file that was truncated forces its new contents to disk, which makes rerunning into the same
/// directory wait about a second per gigabyte at the end; a fresh file is written back at the
/// system's pace. Anything that is not a regular file (a symlink, a device such as `/dev/null`)
/// is opened as it is.
pub fn create_output(path: &Path) -> std::io::Result<File> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file()) {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    File::create(path)
}

#[cfg(test)]
mod tests {
    use super::create_output;
    use std::io::Write;

    #[test]
    fn an_existing_output_is_replaced_whole() {
        let dir = std::env::temp_dir().join(format!("drgdip-create-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("out.csv");
        std::fs::write(&p, "a much longer old content\n").unwrap();
        let mut f = create_output(&p).unwrap();
        f.write_all(b"new\n").unwrap();
        drop(f);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_not_removed() {
        let p = std::path::Path::new("/dev/null");
        let mut f = create_output(p).unwrap();
        f.write_all(b"x").unwrap();
        assert!(p.exists());
    }
}
