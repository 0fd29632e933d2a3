//! `gongzhi pb`: participatory-budgeting files and rules from the command line. Runs without a
//! database or an async runtime, so a tally is just start, parse, count and print.

use std::io::Write;
use std::time::Instant;

use clap::Subcommand;
use gongzhi_domain::allocation::{Election, Rule, pabulib, rules};

#[derive(Subcommand)]
pub enum PbCommand {
    /// Count a `.pb` file with a rule and print the winners and their total cost
    Tally {
        /// greedy-cost|greedy-card|greedy-score|greedy-borda|mes-cost|mes-card|mes-score|mes-borda|phragmen
        /// (the reference spellings greedy_cost, mes_cost_then_greedy_cost, mes_cost_add1,
        /// seq_phragmen are accepted too)
        #[arg(long)]
        rule: String,
        /// For MES: `greedy` (fill the rest greedily), `add1` (pabutools' add-one) or
        /// `add1-checker` (the Pabulib checker's add-one, as Wieliczka 2023 counted)
        #[arg(long)]
        completion: Option<String>,
        /// Print {"winners", "selection_order", "total_cost"} as JSON
        #[arg(long)]
        json: bool,
        /// Print parse and rule time to standard error
        #[arg(long)]
        timings: bool,
        /// Refuse larger files
        #[arg(long, default_value_t = pabulib::DEFAULT_MAX_BYTES)]
        max_bytes: u64,
        /// The add-one completions rerun MES once per currency unit per voter: stop with an
        /// error after this many reruns (the largest real election in the shared data needs
        /// 3,244)
        #[arg(long, default_value_t = rules::DEFAULT_ADD_ONE_ROUNDS)]
        max_rounds: u64,
        /// …or after this many seconds of counting, whichever comes first
        #[arg(long, default_value_t = 120)]
        max_seconds: u64,
        /// Also write the election to this `.pb` file with the result in it: `selected` 1 for
        /// the winners, 0 for the rest, and META `rule` set to the Pabulib name of the rule (or
        /// `unknown` where Pabulib has none), so that `pabulib-checker` can verify it
        #[arg(long)]
        write: Option<String>,
        /// The `.pb` file
        file: String,
    },
    /// Write a closed resident-wide budget vote of ours as a `.pb` file: projects numbered in
    /// ballot order, voters as pseudonyms (v1, v2, … in the order of the box's random ids), and
    /// the result in `selected` (needs the database: --database or GONGZHI_DATABASE)
    Export {
        /// The vote's id (shown on its page)
        vote: String,
        /// Output file (default: standard output)
        #[arg(long)]
        out: Option<String>,
    },
    /// Read a `.pb` file and write it back in canonical form (checks it on the way)
    Normalize {
        file: String,
        /// Output file (default: standard output)
        #[arg(long)]
        out: Option<String>,
        #[arg(long, default_value_t = pabulib::DEFAULT_MAX_BYTES)]
        max_bytes: u64,
    },
}

impl PbCommand {
    pub fn needs_database(&self) -> bool {
        matches!(self, PbCommand::Export { .. })
    }
}

/// `pb export`: returns the number of ballots and projects written.
pub async fn export_vote(
    app: &gongzhi_app::App,
    command: PbCommand,
) -> Result<(usize, usize), crate::Failure> {
    let PbCommand::Export { vote, out } = command else {
        return Err(crate::Failure("not an export".into()));
    };
    let id = uuid::Uuid::parse_str(vote.trim())
        .map_err(|_| crate::Failure(format!("“{vote}”不是投票编号 / “{vote}” is not a vote id")))?;
    let election = gongzhi_app::budget_votes::export_election(app, id).await?;
    match out {
        Some(path) => write_file(&election, &path).map_err(crate::Failure)?,
        None => {
            let mut bytes = Vec::new();
            pabulib::write(&election, &mut bytes)?;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok((election.voter_count(), election.projects.len()))
}

/// Runs a `pb` command; the error is printed as is (it names line and column in both languages).
pub fn run(command: PbCommand) -> Result<(), String> {
    match command {
        PbCommand::Export { .. } => Err("pb export needs the database".into()),
        PbCommand::Tally {
            rule,
            completion,
            json,
            timings,
            max_bytes,
            max_rounds,
            max_seconds,
            write,
            file,
        } => {
            let rule = Rule::parse(&rule, completion.as_deref()).map_err(|e| e.to_string())?;
            let started = Instant::now();
            let election = read(&file, max_bytes)?;
            let parsed = started.elapsed();
            let limits = rules::Limits {
                rounds: max_rounds,
                deadline: Some(
                    std::time::Instant::now() + std::time::Duration::from_secs(max_seconds),
                ),
            };
            let outcome = rules::run_within(&election, rule, limits).map_err(|e| e.to_string())?;
            let counted = started.elapsed() - parsed;
            let ids = |list: &[usize]| -> Vec<&str> {
                list.iter()
                    .map(|&p| election.projects[p].id.as_str())
                    .collect()
            };
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let written = if json {
                let value = serde_json::json!({
                    "rule": rule.key(),
                    "winners": ids(&outcome.winners),
                    "selection_order": ids(&outcome.selection_order),
                    "total_cost": outcome.total_cost.to_string(),
                    "budget": election.budget.to_string(),
                });
                writeln!(out, "{value}")
            } else {
                write_text(&mut out, &election, rule, &outcome)
            };
            written
                .and_then(|_| out.flush())
                .map_err(|e| format!("cannot write the result: {e}"))?;
            if let Some(path) = write {
                let mut marked = election.clone();
                marked.mark_selected(&outcome.winners, rule.pabulib_name(election.vote_type()));
                write_file(&marked, &path)?;
            }
            if timings {
                eprintln!(
                    "parse {:.3} ms, rule {:.3} ms ({} voters, {} projects)",
                    parsed.as_secs_f64() * 1e3,
                    counted.as_secs_f64() * 1e3,
                    election.voter_count(),
                    election.projects.len()
                );
            }
            Ok(())
        }
        PbCommand::Normalize {
            file,
            out,
            max_bytes,
        } => {
            let election = read(&file, max_bytes)?;
            match out {
                Some(path) => write_file(&election, &path),
                None => {
                    let mut bytes = Vec::new();
                    pabulib::write(&election, &mut bytes).map_err(|e| e.to_string())?;
                    std::io::stdout()
                        .write_all(&bytes)
                        .map_err(|e| e.to_string())
                }
            }
        }
    }
}

fn write_file(election: &Election, path: &str) -> Result<(), String> {
    let mut bytes = Vec::new();
    pabulib::write(election, &mut bytes).map_err(|e| e.to_string())?;
    std::fs::write(path, bytes).map_err(|e| format!("无法写入 {path} / cannot write {path}: {e}"))
}

fn read(path: &str, max_bytes: u64) -> Result<Election, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("无法打开 {path} / cannot open {path}: {e}"))?;
    // Refuse an oversized file before reading any of it.
    if let Ok(meta) = file.metadata()
        && meta.len() > max_bytes
    {
        return Err(format!(
            "{path}: 文件太大（{} 字节），上限为 {max_bytes} 字节 / the file is too large ({} bytes; the limit is {max_bytes}); raise --max-bytes if it is genuine",
            meta.len(),
            meta.len()
        ));
    }
    pabulib::read_limited(file, max_bytes).map_err(|e| format!("{path}: {e}"))
}

fn write_text(
    out: &mut impl Write,
    election: &Election,
    rule: Rule,
    outcome: &rules::Outcome,
) -> std::io::Result<()> {
    writeln!(out, "rule: {}", rule.key())?;
    writeln!(out, "winners: {}", outcome.winners.len())?;
    for &p in &outcome.selection_order {
        writeln!(
            out,
            "  {}\t{}",
            election.projects[p].id, election.projects[p].cost
        )?;
    }
    writeln!(
        out,
        "total_cost: {} of {}",
        outcome.total_cost, election.budget
    )
}
