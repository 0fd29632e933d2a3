//! The Pabulib `.pb` format: three `;`-separated sections, `META` (key;value), `PROJECTS`
//! (`project_id;cost;…`) and `VOTES` (`voter_id;vote[;points];…`), with CSV quoting, LF or CRLF line
//! endings and an optional UTF-8 byte-order mark. Columns are found by header name, as pabutools does.
//!
//! Reading follows pabutools' parser where a file is odd but valid (cells are trimmed, `None` is an
//! empty value, a decimal comma is accepted, a project listed twice on an approval ballot counts once,
//! an ordinal ballot keeps a project's first position, a points ballot keeps its last points) and
//! refuses what pabutools would crash on or silently misread, naming the line and column.

use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::BuildHasher;
use std::io::Read;

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::{Decimal, Election, Project, VoteType};

mod writer;
pub use writer::*;

/// Files larger than this are refused by default before they are read: the largest real election
/// in the Pabulib library is under 20 MB, and a file is held in memory while it is parsed.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// What is wrong with a file, and where (1-based line, and the column when one is at fault).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PbError {
    pub line: u64,
    /// 1-based column number and header name.
    pub column: Option<(usize, String)>,
    pub kind: PbErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PbErrorKind {
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    Io(String),
    NotUtf8,
    Csv(String),
    /// The file ends before this section: usually a truncated download.
    MissingSection(&'static str),
    UnexpectedRow,
    MissingMeta(&'static str),
    UnknownVoteType(String),
    MissingColumn(&'static str),
    BadNumber(String),
    NegativeCost(String),
    NegativeBudget(String),
    DuplicateProject(String),
    DuplicateVoter(String),
    UnknownProject(String),
    PointsMismatch {
        projects: usize,
        points: usize,
    },
    CountMismatch {
        what: &'static str,
        meta: usize,
        found: usize,
    },
    RowLength {
        fields: usize,
        header: usize,
    },
}

impl PbError {
    fn at(line: u64, kind: PbErrorKind) -> PbError {
        PbError {
            line,
            column: None,
            kind,
        }
    }

    fn in_column(line: u64, column: usize, name: &str, kind: PbErrorKind) -> PbError {
        PbError {
            line,
            column: Some((column + 1, name.to_string())),
            kind,
        }
    }

    /// The same message in Chinese, for community workers.
    pub fn message_zh(&self) -> String {
        use PbErrorKind::*;
        let what = match &self.kind {
            TooLarge { bytes, limit } => {
                format!(
                    "文件太大（{bytes} 字节），上限为 {limit} 字节；请拆分或用 --max-bytes 调高上限"
                )
            }
            Io(e) => format!("无法读取文件：{e}"),
            NotUtf8 => "文件不是 UTF-8 编码；请另存为 UTF-8".into(),
            Csv(e) => format!("格式错误：{e}"),
            MissingSection(s) => format!("缺少 {s} 部分：文件可能不完整"),
            UnexpectedRow => "在 META 之前出现了数据行".into(),
            MissingMeta(k) => format!("META 中缺少 {k}"),
            UnknownVoteType(t) => {
                format!(
                    "未知的投票类型“{t}”（可用：approval、choose-1、cumulative、scoring、ordinal）"
                )
            }
            MissingColumn(c) => format!("缺少 {c} 列"),
            BadNumber(v) => format!("“{v}”不是数字"),
            NegativeCost(v) => format!("项目费用不能为负数：{v}"),
            NegativeBudget(v) => format!("预算不能为负数：{v}"),
            DuplicateProject(id) => format!("项目编号“{id}”重复"),
            DuplicateVoter(id) => format!("投票人编号“{id}”重复"),
            UnknownProject(id) => format!("选票投给了不存在的项目“{id}”"),
            PointsMismatch { projects, points } => {
                format!("选票列出 {projects} 个项目，却有 {points} 个分数")
            }
            CountMismatch { what, meta, found } => {
                format!("META 写明 {what} 为 {meta}，文件中实际有 {found}：文件可能不完整")
            }
            RowLength { fields, header } => format!("此行有 {fields} 个字段，表头有 {header} 个"),
        };
        format!("{}：{what}", self.place_zh())
    }

    fn place_zh(&self) -> String {
        match &self.column {
            Some((n, name)) => format!("第 {} 行第 {n} 列（{name}）", self.line),
            None if self.line > 0 => format!("第 {} 行", self.line),
            None => "文件".into(),
        }
    }
}

impl fmt::Display for PbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PbErrorKind::*;
        match &self.column {
            Some((n, name)) => write!(f, "line {}, column {n} ({name}): ", self.line)?,
            None if self.line > 0 => write!(f, "line {}: ", self.line)?,
            None => write!(f, "file: ")?,
        }
        match &self.kind {
            TooLarge { bytes, limit } => write!(
                f,
                "the file is too large ({bytes} bytes; the limit is {limit}); split it or raise --max-bytes"
            ),
            Io(e) => write!(f, "cannot read the file: {e}"),
            NotUtf8 => write!(f, "the file is not UTF-8 text; save it as UTF-8"),
            Csv(e) => write!(f, "malformed: {e}"),
            MissingSection(s) => write!(f, "no {s} section: the file may be truncated"),
            UnexpectedRow => write!(f, "a data row before the META section"),
            MissingMeta(k) => write!(f, "META has no {k}"),
            UnknownVoteType(t) => write!(
                f,
                "unknown vote_type \"{t}\" (approval, choose-1, cumulative, scoring, ordinal)"
            ),
            MissingColumn(c) => write!(f, "no {c} column"),
            BadNumber(v) => write!(f, "\"{v}\" is not a number"),
            NegativeCost(v) => write!(f, "a project cost cannot be negative: {v}"),
            NegativeBudget(v) => write!(f, "the budget cannot be negative: {v}"),
            DuplicateProject(id) => write!(f, "project id \"{id}\" appears twice"),
            DuplicateVoter(id) => write!(f, "voter id \"{id}\" appears twice"),
            UnknownProject(id) => write!(f, "a vote for unknown project \"{id}\""),
            PointsMismatch { projects, points } => write!(
                f,
                "the ballot lists {projects} projects but {points} points"
            ),
            CountMismatch { what, meta, found } => write!(
                f,
                "META says {what} is {meta} but the file has {found}: the file may be truncated"
            ),
            RowLength { fields, header } => {
                write!(f, "the row has {fields} fields, the header {header}")
            }
        }?;
        write!(f, " / {}", self.message_zh())
    }
}

impl std::error::Error for PbError {}

/// Reads at most `max_bytes` from `reader` and parses them. A longer input is refused without
/// being held in memory.
pub fn read_limited(reader: impl Read, max_bytes: u64) -> Result<Election, PbError> {
    let mut bytes = Vec::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| PbError::at(0, PbErrorKind::Io(e.to_string())))?;
    if bytes.len() as u64 > max_bytes {
        return Err(PbError::at(
            0,
            PbErrorKind::TooLarge {
                bytes: bytes.len() as u64,
                limit: max_bytes,
            },
        ));
    }
    parse(&bytes)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Meta,
    Projects,
    Votes,
}

/// Column positions of the VOTES section.
struct VoteColumns {
    voter_id: usize,
    vote: usize,
    points: Option<usize>,
    extra: Vec<usize>,
    width: usize,
}

/// The largest input `parse` takes: offsets into the stored text are `u32`.
const MAX_PARSE_BYTES: u64 = u32::MAX as u64;

/// Parses a whole `.pb` file.
///
/// Why it is hand-rolled: a city file has 100,000+ vote rows and none of them is quoted, so a row
/// without a `"` is split on `;` in place, and only a row with quotes goes through the `csv` crate
/// (which then also handles a line break inside quotes). Ids are kept in one arena and checked for
/// duplicates by hash, so a row costs no allocation.
pub fn parse(bytes: &[u8]) -> Result<Election, PbError> {
    if bytes.len() as u64 > MAX_PARSE_BYTES {
        return Err(PbError::at(
            0,
            PbErrorKind::TooLarge {
                bytes: bytes.len() as u64,
                limit: MAX_PARSE_BYTES,
            },
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        PbError::at(line, PbErrorKind::NotUtf8)
    })?;
    let mut reader = Reader {
        input_bytes: text.len(),
        ..Reader::default()
    };
    let mut fields: Vec<&str> = Vec::new();
    let (mut pos, mut line) = (0usize, 1u64);
    while pos < text.len() {
        let rest = &text[pos..];
        let end = rest.find('\n').unwrap_or(rest.len());
        let row = rest[..end].strip_suffix('\r').unwrap_or(&rest[..end]);
        if split_plain_row(row, &mut fields) {
            reader.row(&fields, line)?;
            pos += (end + 1).min(rest.len());
            line += 1;
            continue;
        }
        // A quoted row: let the csv crate read this one record, however many lines it spans.
        let mut csv_reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(rest.as_bytes());
        let mut record = csv::StringRecord::new();
        csv_reader
            .read_record(&mut record)
            .map_err(|e| PbError::at(line, PbErrorKind::Csv(e.to_string())))?;
        let quoted: Vec<&str> = record.iter().collect();
        reader.row(&quoted, line)?;
        let next = csv_reader.position();
        pos += (next.byte() as usize).max(1);
        line += next.line() - 1;
    }
    reader.finish()
}

/// Splits a row on `;` and trims its cells, in one pass over its bytes; false (and `fields` left
/// unfinished) if the row has a quote, which only the csv crate reads right.
fn split_plain_row<'a>(row: &'a str, fields: &mut Vec<&'a str>) -> bool {
    fields.clear();
    let mut start = 0;
    for (i, &b) in row.as_bytes().iter().enumerate() {
        match b {
            b';' => {
                fields.push(row[start..i].trim_ascii());
                start = i + 1;
            }
            b'"' => return false,
            _ => {}
        }
    }
    fields.push(row[start..].trim_ascii());
    true
}

/// The state of a parse between rows.
struct Reader {
    election: Election,
    section: Section,
    expect_header: bool,
    project_header: Vec<String>,
    id_col: usize,
    cost_col: usize,
    votes: Option<VoteColumns>,
    project_ids: ProjectIndex,
    /// Size of the whole input, an upper bound for what the sections can hold.
    input_bytes: usize,
    /// Hash of a voter id → the first voter with that hash (a true collision falls back to a scan).
    voter_hashes: FxHashMap<u64, u32>,
    ballot: Vec<u32>,
    points: Vec<Decimal>,
    seen: [bool; 3],
}

impl Default for Reader {
    fn default() -> Reader {
        Reader {
            election: Election::default(),
            section: Section::None,
            expect_header: false,
            project_header: Vec::new(),
            id_col: 0,
            cost_col: 0,
            votes: None,
            project_ids: ProjectIndex::default(),
            input_bytes: 0,
            voter_hashes: FxHashMap::default(),
            ballot: Vec::new(),
            points: Vec::new(),
            seen: [false; 3],
        }
    }
}

impl Reader {
    fn row(&mut self, fields: &[&str], line: u64) -> Result<(), PbError> {
        if fields.iter().all(|f| f.is_empty()) {
            return Ok(());
        }
        if !self.expect_header {
            let next = [
                ("meta", Section::Meta),
                ("projects", Section::Projects),
                ("votes", Section::Votes),
            ]
            .into_iter()
            .find(|(name, _)| fields[0].eq_ignore_ascii_case(name))
            .map(|(_, s)| s);
            if let Some(next) = next {
                if next == Section::Projects {
                    finish_meta(&mut self.election, line)?;
                }
                if next == Section::Votes {
                    if !self.seen[1] {
                        return Err(PbError::at(line, PbErrorKind::MissingSection("PROJECTS")));
                    }
                    self.project_ids = index_projects(&self.election);
                }
                self.seen[next as usize - 1] = true;
                self.section = next;
                self.expect_header = true;
                return Ok(());
            }
        }
        if self.expect_header {
            self.expect_header = false;
            return self.header(fields, line);
        }
        match self.section {
            Section::None => Err(PbError::at(line, PbErrorKind::UnexpectedRow)),
            Section::Meta => {
                let value = fields.get(1).copied().unwrap_or("");
                let value = if META_LISTS.contains(&fields[0]) {
                    tidy_list(value)
                } else {
                    value.to_string()
                };
                self.election.meta.push((fields[0].to_string(), value));
                Ok(())
            }
            Section::Projects => self.project(fields, line),
            Section::Votes => self.vote(fields, line),
        }
    }

    fn header(&mut self, fields: &[&str], line: u64) -> Result<(), PbError> {
        let header: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        match self.section {
            Section::Projects => {
                self.id_col = find_column(&header, "project_id", line)?;
                self.cost_col = find_column(&header, "cost", line)?;
                self.election.project_columns = header
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != self.id_col && *i != self.cost_col)
                    .map(|(_, h)| h.clone())
                    .collect();
                self.project_header = header;
            }
            Section::Votes => {
                // Room for every voter at once: a city file has 100,000+ rows. META's count is
                // trusted only as far as the input could hold that many rows.
                let voters = meta_value(&self.election, "num_votes")
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0)
                    .min(self.input_bytes / 4);
                self.election.reserve_voters(voters, self.input_bytes / 3);
                self.voter_hashes.reserve(voters);
                let voter_id = find_column(&header, "voter_id", line)?;
                let vote = find_column(&header, "vote", line)?;
                let points = if self.election.vote_type().has_points() {
                    header.iter().position(|h| h == "points")
                } else {
                    None
                };
                let extra: Vec<usize> = (0..header.len())
                    .filter(|i| *i != voter_id && *i != vote && Some(*i) != points)
                    .collect();
                self.election.voter_columns = extra.iter().map(|&i| header[i].clone()).collect();
                self.votes = Some(VoteColumns {
                    voter_id,
                    vote,
                    points,
                    extra,
                    width: header.len(),
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn project(&mut self, fields: &[&str], line: u64) -> Result<(), PbError> {
        let (id_col, cost_col) = (self.id_col, self.cost_col);
        check_width(line, fields.len(), self.project_header.len())?;
        let id = required(fields, id_col, self.project_header.len(), line)?.to_string();
        let cost_text = field(fields, cost_col);
        let cost = Decimal::parse(cost_text).ok_or_else(|| {
            PbError::in_column(
                line,
                cost_col,
                "cost",
                PbErrorKind::BadNumber(cost_text.into()),
            )
        })?;
        if cost.is_negative() {
            return Err(PbError::in_column(
                line,
                cost_col,
                "cost",
                PbErrorKind::NegativeCost(cost_text.into()),
            ));
        }
        if self.election.projects.iter().any(|p| p.id == id) {
            return Err(PbError::in_column(
                line,
                id_col,
                "project_id",
                PbErrorKind::DuplicateProject(id),
            ));
        }
        let header = &self.project_header;
        let extra = (0..header.len())
            .filter(|i| *i != id_col && *i != cost_col)
            .map(|i| match PROJECT_LISTS.contains(&header[i].as_str()) {
                true => tidy_list(field(fields, i)),
                false => field(fields, i).to_string(),
            })
            .collect();
        self.election.projects.push(Project {
            id,
            cost,
            fields: extra,
        });
        Ok(())
    }

    fn vote(&mut self, fields: &[&str], line: u64) -> Result<(), PbError> {
        let cols = self.votes.as_ref().expect("header read");
        check_width(line, fields.len(), cols.width)?;
        let id = required(fields, cols.voter_id, cols.width, line)?;
        let hash = FxBuildHasher.hash_one(id);
        let voter = self.election.voter_count() as u32;
        let duplicate = match self.voter_hashes.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(voter);
                false
            }
            Entry::Occupied(first) => {
                self.election.voter_id(*first.get() as usize) == id
                    || (0..voter as usize).any(|v| self.election.voter_id(v) == id)
            }
        };
        if duplicate {
            return Err(PbError::in_column(
                line,
                cols.voter_id,
                "voter_id",
                PbErrorKind::DuplicateVoter(id.into()),
            ));
        }
        self.ballot.clear();
        self.points.clear();
        read_ballot(
            &self.election,
            &self.project_ids,
            fields,
            cols,
            line,
            &mut self.ballot,
            &mut self.points,
        )?;
        let extra = cols.extra.iter().map(|&i| field(fields, i));
        self.election
            .push_voter(id, &self.ballot, &self.points, extra);
        Ok(())
    }

    fn finish(mut self) -> Result<Election, PbError> {
        let election = &mut self.election;
        if !self.seen[0] {
            return Err(PbError::at(0, PbErrorKind::MissingSection("META")));
        }
        if !self.seen[1] {
            finish_meta(election, 0)?;
            return Err(PbError::at(0, PbErrorKind::MissingSection("PROJECTS")));
        }
        if !self.seen[2] {
            return Err(PbError::at(0, PbErrorKind::MissingSection("VOTES")));
        }
        check_count(election, "num_projects", election.projects.len())?;
        check_count(election, "num_votes", election.voter_count())?;
        if election.ballot_start.is_empty() {
            election.ballot_start.push(0);
        }
        Ok(self.election)
    }
}

/// A cell that a short row leaves out reads as empty; `None` is pabutools' empty value.
fn field<'a>(fields: &[&'a str], i: usize) -> &'a str {
    match fields.get(i) {
        Some(v) if v.eq_ignore_ascii_case("none") => "",
        Some(v) => v,
        None => "",
    }
}

/// A column a row cannot do without (an id): a row cut short before it is refused like a row
/// of the wrong length, never read past its end.
fn required<'a>(
    fields: &[&'a str],
    i: usize,
    header: usize,
    line: u64,
) -> Result<&'a str, PbError> {
    fields.get(i).copied().ok_or_else(|| {
        PbError::at(
            line,
            PbErrorKind::RowLength {
                fields: fields.len(),
                header,
            },
        )
    })
}

fn check_width(line: u64, fields: usize, header: usize) -> Result<(), PbError> {
    if fields > header {
        return Err(PbError::at(line, PbErrorKind::RowLength { fields, header }));
    }
    Ok(())
}

fn find_column(header: &[String], name: &'static str, line: u64) -> Result<usize, PbError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| PbError::at(line, PbErrorKind::MissingColumn(name)))
}

fn meta_value<'a>(election: &'a Election, key: &str) -> Option<&'a str> {
    election
        .meta
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Reads budget and vote_type once META is complete.
fn finish_meta(election: &mut Election, line: u64) -> Result<(), PbError> {
    let budget_text = meta_value(election, "budget")
        .ok_or_else(|| PbError::at(line, PbErrorKind::MissingMeta("budget")))?
        .to_string();
    let budget = Decimal::parse(&budget_text)
        .ok_or_else(|| PbError::at(line, PbErrorKind::BadNumber(budget_text.clone())))?;
    if budget.is_negative() {
        return Err(PbError::at(line, PbErrorKind::NegativeBudget(budget_text)));
    }
    let vote_type_text = meta_value(election, "vote_type")
        .ok_or_else(|| PbError::at(line, PbErrorKind::MissingMeta("vote_type")))?;
    let vote_type = VoteType::parse(vote_type_text)
        .ok_or_else(|| PbError::at(line, PbErrorKind::UnknownVoteType(vote_type_text.into())))?;
    election.budget = budget;
    election.vote_type = Some(vote_type);
    Ok(())
}

/// Project ids to indices, looked up once per vote (600,000 times in a city file). Ids of up to 15
/// bytes (nearly all) are packed into one `u128` and found in a small open-addressing table by an
/// integer compare; longer ids go through an ordinary map.
#[derive(Default)]
struct ProjectIndex {
    /// (packed id, index + 1); 0 marks an empty slot. The length is a power of two.
    slots: Vec<(u128, u32)>,
    long: FxHashMap<Box<str>, u32>,
}

impl ProjectIndex {
    /// The id's bytes with its length in the top byte (so no two ids share a key); None if longer.
    fn pack(id: &str) -> Option<u128> {
        let bytes = id.as_bytes();
        if bytes.len() > 15 {
            return None;
        }
        let mut key = (bytes.len() as u128) << 120;
        for (i, &b) in bytes.iter().enumerate() {
            key |= (b as u128) << (8 * i);
        }
        Some(key)
    }

    fn slot(&self, key: u128) -> usize {
        let mixed = ((key as u64) ^ ((key >> 64) as u64).rotate_left(29))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> 32) as usize & (self.slots.len() - 1)
    }

    fn new(ids: impl ExactSizeIterator<Item = impl AsRef<str>>) -> ProjectIndex {
        let mut index = ProjectIndex {
            slots: vec![(0, 0); (ids.len() * 4).next_power_of_two().max(8)],
            long: FxHashMap::default(),
        };
        for (i, id) in ids.enumerate() {
            let id = id.as_ref();
            match ProjectIndex::pack(id) {
                Some(key) => {
                    let mut at = index.slot(key);
                    while index.slots[at].1 != 0 {
                        at = (at + 1) & (index.slots.len() - 1);
                    }
                    index.slots[at] = (key, i as u32 + 1);
                }
                None => {
                    index.long.insert(id.into(), i as u32);
                }
            }
        }
        index
    }

    fn get(&self, id: &str) -> Option<u32> {
        let Some(key) = ProjectIndex::pack(id) else {
            return self.long.get(id).copied();
        };
        if self.slots.is_empty() {
            return None;
        }
        let mut at = self.slot(key);
        loop {
            let (k, v) = self.slots[at];
            if v == 0 {
                return None;
            }
            if k == key {
                return Some(v - 1);
            }
            at = (at + 1) & (self.slots.len() - 1);
        }
    }
}

fn index_projects(election: &Election) -> ProjectIndex {
    ProjectIndex::new(election.projects.iter().map(|p| p.id.as_str()))
}

/// The items of a comma-separated cell, trimmed (a byte loop: cells are short and many).
fn list_items(cell: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(cell);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.bytes().position(|b| b == b',') {
            Some(i) => {
                rest = Some(&text[i + 1..]);
                Some(text[..i].trim_ascii())
            }
            None => {
                rest = None;
                Some(text.trim_ascii())
            }
        }
    })
}

fn check_count(election: &Election, key: &'static str, found: usize) -> Result<(), PbError> {
    if let Some(text) = meta_value(election, key) {
        let meta: usize = text
            .parse()
            .map_err(|_| PbError::at(0, PbErrorKind::BadNumber(text.into())))?;
        if meta != found {
            return Err(PbError::at(
                0,
                PbErrorKind::CountMismatch {
                    what: key,
                    meta,
                    found,
                },
            ));
        }
    }
    Ok(())
}

fn read_ballot(
    election: &Election,
    project_ids: &ProjectIndex,
    fields: &[&str],
    cols: &VoteColumns,
    line: u64,
    ballot: &mut Vec<u32>,
    points: &mut Vec<Decimal>,
) -> Result<(), PbError> {
    let vote_type = election.vote_type();
    let vote = field(fields, cols.vote);
    let names = list_items(vote);
    let vote_error = |kind: PbErrorKind| PbError::in_column(line, cols.vote, "vote", kind);
    if vote_type.has_points() {
        let Some(points_col) = cols.points else {
            if vote.is_empty() {
                return Ok(());
            }
            return Err(PbError::at(line, PbErrorKind::MissingColumn("points")));
        };
        let points_text = field(fields, points_col);
        if vote.is_empty() && points_text.is_empty() {
            return Ok(());
        }
        let values: Vec<&str> = list_items(points_text).collect();
        let listed = list_items(vote).count();
        if listed != values.len() {
            return Err(vote_error(PbErrorKind::PointsMismatch {
                projects: listed,
                points: values.len(),
            }));
        }
        for (name, value) in names.zip(values) {
            let project = project_ids
                .get(name)
                .ok_or_else(|| vote_error(PbErrorKind::UnknownProject(name.into())))?;
            let value = Decimal::parse(value).ok_or_else(|| {
                PbError::in_column(
                    line,
                    points_col,
                    "points",
                    PbErrorKind::BadNumber(value.into()),
                )
            })?;
            // A project listed twice keeps its last points, as a Python dict would.
            match ballot.iter().position(|&p| p == project) {
                Some(at) => points[at] = value,
                None => {
                    ballot.push(project);
                    points.push(value);
                }
            }
        }
        return Ok(());
    }
    for name in names.filter(|n| !n.is_empty()) {
        let project = project_ids
            .get(name)
            .ok_or_else(|| vote_error(PbErrorKind::UnknownProject(name.into())))?;
        // Approval ballots are sets and ordinal ballots keep a project's first position.
        if !ballot.contains(&project) {
            ballot.push(project);
        }
    }
    Ok(())
}
