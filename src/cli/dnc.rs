//! `dialbase dnc add|remove`: entries of a do-not-call list from CSV, straight against the
//! store. The header row names the columns: `phone` (required), and for `add` optionally
//! `expires_at`, `source` and `reason` (`--source` / `--reason` fill cells left empty).
//! A rejected line is reported (line and reason) and the others are stored, in transactions
//! of up to 10,000 entries, each change audited as `--by`'s.

use super::{CliResult, DatabaseArg, tenant_id};
use crate::domain::contact::normalize_phone;
use crate::domain::dnc::{DncList, MAX_ENTRIES_PER_REQUEST, NewDncEntry, check_label};
use crate::storage::{self, Store, TenantId};
use clap::{Args, Subcommand};
use std::io::Read;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum DncCommand {
    /// Add entries to a list, or replace them (columns phone, expires_at, source, reason).
    Add {
        #[command(flatten)]
        target: Target,
        /// Source of entries whose `source` cell is empty or absent.
        #[arg(long)]
        source: Option<String>,
        /// Reason of entries whose `reason` cell is empty or absent.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Take the numbers of the `phone` column off a list.
    Remove {
        #[command(flatten)]
        target: Target,
    },
}

#[derive(Args)]
pub struct Target {
    #[arg(long)]
    tenant: String,
    /// `default` is the Robinson list.
    #[arg(long)]
    list: String,
    /// CSV file with a header row, or `-` for standard input.
    #[arg(long)]
    file: PathBuf,
    /// Who the audit names for these changes.
    #[arg(long, default_value = "cli")]
    by: String,
    #[command(flatten)]
    db: DatabaseArg,
}

/// What a change needs of a line: an entry to add, or a number to remove.
enum Change {
    Add {
        source: Option<String>,
        reason: Option<String>,
    },
    Remove,
}

/// The checked lines of a CSV: (line number, entry), after reporting the rejected ones.
struct Lines {
    accepted: Vec<(u64, NewDncEntry)>,
    rejected: u64,
}

fn read_lines(input: impl Read, list: &DncList, change: &Change) -> Result<Lines, Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_reader(input);
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let phone = column("phone").ok_or("the CSV has no `phone` column")?;
    let (expires_at, source, reason) = (column("expires_at"), column("source"), column("reason"));
    let mut lines = Lines {
        accepted: Vec::new(),
        rejected: 0,
    };
    for row in reader.records() {
        let line = row.as_ref().ok().and_then(|r| r.position()).map_or(0, |p| p.line());
        let checked = row.map_err(|e| e.to_string()).and_then(|row| {
            let cell = |at: Option<usize>| at.and_then(|i| row.get(i)).filter(|c| !c.trim().is_empty());
            let entry = match change {
                Change::Add {
                    source: default_source,
                    reason: default_reason,
                } => NewDncEntry::parse(
                    list,
                    cell(Some(phone)).unwrap_or_default(),
                    cell(expires_at),
                    cell(source).or(default_source.as_deref()),
                    cell(reason).or(default_reason.as_deref()),
                ),
                Change::Remove => normalize_phone(cell(Some(phone)).unwrap_or_default()).map(|phone| NewDncEntry {
                    phone,
                    expires_at: None,
                    source: None,
                    reason: None,
                }),
            };
            entry.map_err(|e| e.detail)
        });
        match checked {
            Ok(entry) => lines.accepted.push((line, entry)),
            Err(why) => {
                eprintln!("line {line}: {why}");
                lines.rejected += 1;
            }
        }
    }
    Ok(lines)
}

/// Applies the lines in batches; returns (changed, not listed) counts.
async fn apply(
    store: &dyn Store,
    tenant: TenantId,
    list: &DncList,
    change: &Change,
    lines: Vec<(u64, NewDncEntry)>,
    by: &str,
) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let (mut changed, mut not_listed) = (0u64, 0u64);
    for batch in lines.chunks(MAX_ENTRIES_PER_REQUEST) {
        let entries: Vec<NewDncEntry> = batch.iter().map(|(_, e)| e.clone()).collect();
        match change {
            Change::Add { .. } => {
                changed += entries.len() as u64;
                store.put_dnc_entries(tenant, list.clone(), entries, by, None).await?;
            }
            Change::Remove => {
                let phones = entries.into_iter().map(|e| e.phone).collect();
                for ((line, entry), listed) in batch
                    .iter()
                    .zip(store.remove_dnc_entries(tenant, list.clone(), phones, by, None).await?)
                {
                    if listed {
                        changed += 1;
                    } else {
                        eprintln!("line {line}: {} is not on the list", entry.phone);
                        not_listed += 1;
                    }
                }
            }
        }
    }
    Ok((changed, not_listed))
}

pub async fn run(command: DncCommand) -> CliResult {
    let (target, change) = match command {
        DncCommand::Add { target, source, reason } => (target, Change::Add { source, reason }),
        DncCommand::Remove { target } => (target, Change::Remove),
    };
    let list = DncList::parse(&target.list)?;
    let by = check_label("--by", &target.by)?;
    let store = storage::open(&target.db.location()).await?;
    let tenant = tenant_id(store.as_ref(), &target.tenant).await?;
    let input: Box<dyn Read> = if target.file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&target.file).map_err(|e| format!("{}: {e}", target.file.display()))?;
        Box::new(file)
    };
    let lines = read_lines(input, &list, &change)?;
    let rejected = lines.rejected;
    let (changed, not_listed) = apply(store.as_ref(), tenant, &list, &change, lines.accepted, &by).await?;
    match change {
        Change::Add { .. } => println!("{changed} entries added to {list}, {rejected} rejected"),
        Change::Remove => {
            println!("{changed} entries removed from {list}, {not_listed} not listed, {rejected} rejected")
        }
    }
    if rejected > 0 {
        Err("some lines were rejected".into())
    } else {
        Ok(())
    }
}
