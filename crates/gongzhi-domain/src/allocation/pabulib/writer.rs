//! Writing an election as a Pabulib .pb file, the inverse of the reader.

use super::Election;

/// Writes an election as a `.pb` file. META keeps its rows in order, with `budget`, `vote_type`,
/// `num_projects` and `num_votes` set to the election's own values.
pub fn write(election: &Election, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut meta = election.meta.clone();
    let vote_type = election.vote_type();
    for (key, value) in [
        ("num_projects", election.projects.len().to_string()),
        ("num_votes", election.voter_count().to_string()),
        ("budget", election.budget.to_string()),
        ("vote_type", vote_type.as_str().to_string()),
    ] {
        match meta.iter_mut().find(|(k, _)| k == key) {
            Some(row) => row.1 = value,
            None => meta.push((key.to_string(), value)),
        }
    }
    let mut line = String::new();
    let mut row = |out: &mut dyn std::io::Write, cells: &[&str]| -> std::io::Result<()> {
        line.clear();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                line.push(';');
            }
            push_cell(&mut line, cell);
        }
        line.push('\n');
        out.write_all(line.as_bytes())
    };
    row(out, &["META"])?;
    row(out, &["key", "value"])?;
    for (k, v) in &meta {
        row(out, &[k, v])?;
    }
    row(out, &["PROJECTS"])?;
    let mut header: Vec<&str> = vec!["project_id", "cost"];
    header.extend(election.project_columns.iter().map(String::as_str));
    row(out, &header)?;
    for p in &election.projects {
        let cost = p.cost.to_string();
        let mut cells: Vec<&str> = vec![&p.id, &cost];
        cells.extend(p.fields.iter().map(String::as_str));
        row(out, &cells)?;
    }
    row(out, &["VOTES"])?;
    let mut header: Vec<&str> = vec!["voter_id", "vote"];
    if vote_type.has_points() {
        header.push("points");
    }
    header.extend(election.voter_columns.iter().map(String::as_str));
    row(out, &header)?;
    for v in 0..election.voter_count() {
        let ballot = election.ballot(v);
        let vote = ballot
            .projects
            .iter()
            .map(|&p| election.projects[p as usize].id.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let points = ballot
            .points
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let mut cells: Vec<&str> = vec![election.voter_id(v), &vote];
        if vote_type.has_points() {
            cells.push(&points);
        }
        cells.extend(election.voter_fields(v));
        row(out, &cells)?;
    }
    Ok(())
}

/// META values and PROJECTS columns that the format defines as comma-separated lists. They are
/// read canonically, without spaces around the commas (`a, b` is the list `a,b`), which is how
/// the Pabulib checker wants them written.
pub(super) const META_LISTS: [&str; 7] = [
    "categories",
    "neighborhoods",
    "subdistricts",
    "budget_per_category",
    "budget_per_neighborhood",
    "min_sum_cost_per_category",
    "max_sum_cost_per_category",
];
pub(super) const PROJECT_LISTS: [&str; 2] = ["category", "beneficiaries"];

/// A list in canonical form: no spaces around its commas.
pub(super) fn tidy_list(value: &str) -> String {
    value
        .split(',')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(",")
}

/// CSV quoting: a cell with `;`, `"`, a line break or outer spaces is quoted, quotes doubled.
pub(super) fn push_cell(line: &mut String, cell: &str) {
    let needs_quotes =
        cell.contains([';', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ');
    if !needs_quotes {
        line.push_str(cell);
        return;
    }
    line.push('"');
    for c in cell.chars() {
        if c == '"' {
            line.push('"');
        }
        line.push(c);
    }
    line.push('"');
}
