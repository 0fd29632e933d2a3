//! Reading the spreadsheets staff upload (residents, needs, vouchers) within fixed bounds.
//!
//! A spreadsheet is untrusted input: an XLSX file is a ZIP archive whose parts may unpack to far
//! more than they weigh (a zip bomb), and whose cells may sit anywhere in a 1,048,576 × 16,384
//! grid (a sheet with one cell at A1 and one at XFD1048576 is a few hundred bytes). So nothing is
//! allocated from what the file claims: every part of the archive is unpacked into a counting
//! sink first, up to [`SheetLimits::max_unpacked_bytes`] in all, and the worksheet is streamed
//! cell by cell, keeping only cells with a value and refusing the file once it holds more rows,
//! columns or cells than the limits allow. Each refusal names the limit, so a community worker
//! knows to split the file.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use gongzhi_domain::DomainError;

use crate::AppError;

/// How large a spreadsheet may be. The defaults fit the largest real community register (a few
/// tens of thousands of residents) with room to spare, and bound what reading a hostile file
/// costs: at most 64 MiB unpacked and one pass over it.
#[derive(Clone, Copy, Debug)]
pub struct SheetLimits {
    /// Data rows (the header row not counted).
    pub max_rows: usize,
    /// Columns, counted to the rightmost cell that holds a value.
    pub max_columns: usize,
    /// Cells in the worksheet's XML, empty or not (each costs time to read).
    pub max_cells: usize,
    /// Parts in the XLSX archive.
    pub max_parts: usize,
    /// Bytes of all the archive's parts unpacked.
    pub max_unpacked_bytes: u64,
}

impl Default for SheetLimits {
    fn default() -> Self {
        SheetLimits {
            max_rows: 100_000,
            max_columns: 64,
            max_cells: 2_000_000,
            max_parts: 512,
            max_unpacked_bytes: 64 * 1024 * 1024,
        }
    }
}

/// A spreadsheet read into memory: the header row and the data rows, each with the line number a
/// person sees in their spreadsheet program (the header is line 1). An unreadable row is `Err`.
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Result<Vec<String>, DomainError>)>,
}

impl Sheet {
    /// Where each column of `spec` ((English header, Chinese header) pairs) is in the header row,
    /// English matched without regard to case. The first `required` must be there, or the file
    /// is refused naming the missing ones.
    pub fn columns(
        &self,
        spec: &[(&str, &str)],
        required: usize,
    ) -> Result<Vec<Option<usize>>, AppError> {
        let cols: Vec<Option<usize>> = spec
            .iter()
            .map(|(en, zh)| {
                self.headers
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(en) || h.trim() == *zh)
            })
            .collect();
        let missing: Vec<String> = spec[..required]
            .iter()
            .zip(&cols)
            .filter(|(_, c)| c.is_none())
            .map(|((en, zh), _)| format!("{zh} ({en})"))
            .collect();
        if missing.is_empty() {
            Ok(cols)
        } else {
            Err(AppError::Invalid(
                DomainError::field("import_columns_missing", "file")
                    .arg("columns", missing.join(", ")),
            ))
        }
    }
}

/// A cell as a spreadsheet program will not run it: text that starts like a formula (`=`, `+`,
/// `-`, `@`, a tab or a line break: a memo such as `=HYPERLINK(…)` typed by whoever recorded a
/// transfer) gets a leading apostrophe, which Excel and WPS show as text. Numbers, negative ones
/// included, stay numbers.
pub fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.chars().next().is_some_and(|c| {
        matches!(
            c,
            '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠'
        )
    });
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn too_large(code: &'static str, limit: impl ToString) -> AppError {
    AppError::Invalid(DomainError::field(code, "file").arg("limit", limit.to_string()))
}

/// Reads a spreadsheet, XLSX or CSV, told apart by content (an XLSX file is a ZIP archive),
/// within the default limits.
pub fn read_sheet(data: &[u8]) -> Result<Sheet, AppError> {
    read_sheet_within(data, &SheetLimits::default())
}

/// [`read_sheet`] within the given limits.
pub fn read_sheet_within(data: &[u8], limits: &SheetLimits) -> Result<Sheet, AppError> {
    if data.starts_with(b"PK\x03\x04") {
        read_xlsx_within(data, limits)
    } else {
        read_csv_within(data, limits)
    }
}

/// Reads a CSV file (UTF-8, with or without BOM) within the default limits.
pub fn read_csv(data: &[u8]) -> Result<Sheet, AppError> {
    read_csv_within(data, &SheetLimits::default())
}

fn read_csv_within(data: &[u8], limits: &SheetLimits) -> Result<Sheet, AppError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let text = std::str::from_utf8(data).map_err(|_| AppError::invalid("file_not_utf8", "file"))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| AppError::invalid("csv_unreadable", "file"))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.len() > limits.max_columns {
        return Err(too_large("sheet_too_many_columns", limits.max_columns));
    }
    let mut rows = Vec::new();
    for (i, r) in reader.records().enumerate() {
        if i >= limits.max_rows {
            return Err(too_large("sheet_too_many_rows", limits.max_rows));
        }
        let row = match r {
            Ok(r) if r.len() > limits.max_columns => {
                return Err(too_large("sheet_too_many_columns", limits.max_columns));
            }
            Ok(r) => Ok(r.iter().map(str::to_string).collect()),
            Err(_) => Err(DomainError::new("csv_row_unreadable")),
        };
        rows.push((i + 2, row));
    }
    Ok(Sheet { headers, rows })
}

/// Reads the first worksheet of an XLSX file within the default limits. Numbers that are whole
/// (phone numbers typed as numbers) become digits without a decimal point.
pub fn read_xlsx(data: &[u8]) -> Result<Sheet, AppError> {
    read_xlsx_within(data, &SheetLimits::default())
}

/// Unpacks every part of the archive into a counting sink, never more than the limit in all, so
/// that the reader below cannot be handed a part that unpacks to gigabytes. What the archive
/// declares of its parts' sizes is not trusted: the bytes are counted as they come.
fn check_archive(data: &[u8], limits: &SheetLimits) -> Result<(), AppError> {
    let unreadable = || AppError::invalid("xlsx_unreadable", "file");
    let mut archive = zip::ZipArchive::new(Cursor::new(data)).map_err(|_| unreadable())?;
    if archive.len() > limits.max_parts {
        return Err(too_large("xlsx_too_many_parts", limits.max_parts));
    }
    let mut left = limits.max_unpacked_bytes;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(|_| unreadable())?;
        if part.size() > left {
            return Err(too_large(
                "xlsx_unpacks_too_large",
                limits.max_unpacked_bytes / 1024 / 1024,
            ));
        }
        let read = std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(|_| unreadable())?;
        if read > left {
            return Err(too_large(
                "xlsx_unpacks_too_large",
                limits.max_unpacked_bytes / 1024 / 1024,
            ));
        }
        left -= read;
    }
    Ok(())
}

fn read_xlsx_within(data: &[u8], limits: &SheetLimits) -> Result<Sheet, AppError> {
    use calamine::{DataRef, Reader, Xlsx};
    check_archive(data, limits)?;
    let unreadable = || AppError::invalid("xlsx_unreadable", "file");
    let mut book = Xlsx::new(Cursor::new(data)).map_err(|_| unreadable())?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| AppError::invalid("xlsx_no_sheet", "file"))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable())?;
    let text = |d: &DataRef| match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(true) => "是".into(),
        DataRef::Bool(false) => "否".into(),
        DataRef::DateTime(d) => d.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    };
    // Only cells with a value are kept, by row; a row is at most `max_columns` wide.
    let mut by_row: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut seen = 0usize;
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        seen += 1;
        if seen > limits.max_cells {
            return Err(too_large("sheet_too_many_cells", limits.max_cells));
        }
        let value = text(cell.get_value());
        if value.trim().is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        if col as usize >= limits.max_columns {
            return Err(too_large("sheet_too_many_columns", limits.max_columns));
        }
        if !by_row.contains_key(&row) && by_row.len() > limits.max_rows {
            return Err(too_large("sheet_too_many_rows", limits.max_rows));
        }
        by_row.entry(row).or_default().push((col, value));
    }
    let widen = |cells: Vec<(u32, String)>| {
        let width = cells
            .iter()
            .map(|(c, _)| *c as usize + 1)
            .max()
            .unwrap_or(0);
        let mut out = vec![String::new(); width];
        for (c, v) in cells {
            out[c as usize] = v;
        }
        out
    };
    let mut rows = by_row.into_iter();
    let headers = rows.next().map(|(_, r)| widen(r)).unwrap_or_default();
    // Line numbers as the spreadsheet shows them, even when the sheet starts lower down.
    let rows = rows
        .map(|(row, cells)| (row as usize + 1, Ok(widen(cells))))
        .collect();
    Ok(Sheet { headers, rows })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn code(e: AppError) -> String {
        match e {
            AppError::Invalid(d) => d.code.to_string(),
            other => format!("{other:?}"),
        }
    }

    /// A workbook with values at the given (row, column) positions, written by a real XLSX
    /// writer: a few kilobytes whatever the positions.
    pub(crate) fn sparse_workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (row, col, v) in cells {
            sheet.write_string(*row, *col, *v).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    /// A ZIP archive whose one part unpacks to `bytes` zeros (a zip bomb: ~1,000 : 1).
    pub(crate) fn zip_bomb(bytes: usize) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..bytes.div_ceil(chunk.len()) {
            zip.write_all(&chunk).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn cells_that_start_like_formulas_are_written_as_text() {
        assert_eq!(
            inert_cell("=HYPERLINK(\"http://x\",\"点击\")"),
            "'=HYPERLINK(\"http://x\",\"点击\")"
        );
        assert_eq!(inert_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert_cell("+86 138"), "'+86 138");
        assert_eq!(inert_cell("-1500.00"), "-1500.00");
        assert_eq!(inert_cell("后门维修"), "后门维修");
    }

    #[test]
    fn a_sheet_with_cells_far_apart_is_refused_naming_the_limit_without_allocating_the_grid() {
        let bomb = sparse_workbook(&[(0, 0, "姓名"), (1_048_575, 16_383, "x")]);
        assert!(bomb.len() < 10_000, "{} bytes", bomb.len());
        let Err(AppError::Invalid(e)) = read_xlsx(&bomb) else {
            panic!("the sparse sheet was read");
        };
        assert_eq!(e.code.0, "sheet_too_many_columns");
        assert_eq!(e.args, vec![("limit", "64".to_string())]);
        // Far apart in rows only: two rows, read as two rows with the line number people see.
        let tall = sparse_workbook(&[(0, 0, "姓名"), (1_048_575, 0, "田小余")]);
        let sheet = read_xlsx(&tall).unwrap();
        assert_eq!(sheet.headers, vec!["姓名"]);
        assert_eq!(sheet.rows.len(), 1);
        assert_eq!(sheet.rows[0].0, 1_048_576);
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_parsed() {
        let limits = SheetLimits {
            max_unpacked_bytes: 8 << 20,
            ..SheetLimits::default()
        };
        let bomb = zip_bomb(9 << 20);
        assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
        assert_eq!(
            code(read_sheet_within(&bomb, &limits).err().unwrap()),
            "xlsx_unpacks_too_large"
        );
        // Under the limit the same archive is merely not a workbook.
        let small = zip_bomb(1 << 20);
        assert_eq!(
            code(read_sheet_within(&small, &limits).err().unwrap()),
            "xlsx_unreadable"
        );
    }

    #[test]
    fn rows_cells_and_columns_are_bounded_in_xlsx_and_csv() {
        let limits = SheetLimits {
            max_rows: 3,
            max_columns: 2,
            max_cells: 20,
            ..SheetLimits::default()
        };
        let rows: Vec<(u32, u16, &str)> = (0..5).map(|r| (r, 0, "x")).collect();
        let e = read_sheet_within(&sparse_workbook(&rows), &limits)
            .err()
            .unwrap();
        assert_eq!(code(e), "sheet_too_many_rows");
        let cells: Vec<(u32, u16, &str)> = (0..25).map(|r| (r / 2, (r % 2) as u16, "x")).collect();
        let wide = SheetLimits {
            max_rows: 100,
            ..limits
        };
        let e = read_sheet_within(&sparse_workbook(&cells), &wide)
            .err()
            .unwrap();
        assert_eq!(code(e), "sheet_too_many_cells");
        let e = read_sheet_within(b"a,b,c\n1,2,3\n", &limits).err().unwrap();
        assert_eq!(code(e), "sheet_too_many_columns");
        let e = read_sheet_within(b"a\n1\n2\n3\n4\n", &limits)
            .err()
            .unwrap();
        assert_eq!(code(e), "sheet_too_many_rows");
        // Within the limits both formats read the same rows.
        let ok = read_sheet_within(b"a,b\n1,2\n", &limits).unwrap();
        assert_eq!(ok.rows.len(), 1);
        let ok = read_sheet_within(
            &sparse_workbook(&[(0, 0, "a"), (0, 1, "b"), (1, 0, "1"), (1, 1, "2")]),
            &limits,
        )
        .unwrap();
        assert_eq!(ok.headers, vec!["a", "b"]);
        assert_eq!(ok.rows[0].1.as_ref().unwrap(), &vec!["1", "2"]);
    }

    // Bounded fuzzing of both readers: arbitrary bytes, and byte edits of a real workbook and a
    // real CSV file, never make them panic; they read the file or refuse it.
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        #[test]
        fn arbitrary_bytes_are_read_or_refused(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2_000)) {
            let _ = read_sheet(&bytes);
            let mut zipped = b"PK\x03\x04".to_vec();
            zipped.extend(&bytes);
            let _ = read_sheet(&zipped);
        }

        #[test]
        fn edited_workbooks_and_csv_files_are_read_or_refused(
            edits in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 1..16)
        ) {
            let book = sparse_workbook(&[(0, 0, "姓名"), (0, 1, "电话"), (1, 0, "田小余"), (1, 1, "13800000001")]);
            let csv = "姓名,电话,院落\n田小余,13800000001,beiyuan\n\"钱,建国\",,beiyuan\n".as_bytes().to_vec();
            for mut file in [book, csv] {
                for &(at, byte) in &edits {
                    let n = file.len();
                    file[at % n] = byte;
                }
                let _ = read_sheet(&file);
            }
        }
    }
}
