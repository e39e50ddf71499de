//! Runs sequences of random operations against a server and the model side by side.

use super::expect::{Checked, Effects, status};
use super::ops::Op;
use super::resolve::{normalize_phone, scalar_text};
use super::rng::{Rng, mix};
use super::state::{Model, Schema};
use super::wire::Wire;
use super::{check, fields, generate, iovox, others, vcc};
use crate::common::{Client, Database, Reply, Server};
use reqwest::Method;
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub struct Config {
    pub sequences: usize,
    pub steps: usize,
    pub seed: u64,
    /// Servers, each running its share of the sequences one after the other.
    pub servers: usize,
    /// Every this many steps (and at the end) all records are compared.
    pub full_every: usize,
}

impl Config {
    pub fn from_env() -> Self {
        let number = |name: &str, default: u64| -> u64 {
            std::env::var(name).ok().map_or(default, |v| {
                let v = v.trim();
                let parsed = match v.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => v.parse(),
                };
                parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number"))
            })
        };
        // PostgreSQL answers more slowly: half the sequences unless asked for more.
        let postgres = std::env::var(crate::common::POSTGRES_ENV).is_ok_and(|url| !url.is_empty());
        Self {
            sequences: number("DIALBASE_MODEL_SEQUENCES", if postgres { 100 } else { 200 }) as usize,
            steps: number("DIALBASE_MODEL_STEPS", 50) as usize,
            seed: number("DIALBASE_MODEL_SEED", 0xD1A1_BA5E_0000_0001),
            servers: number("DIALBASE_MODEL_SERVERS", 3).max(1) as usize,
            full_every: 10,
        }
    }

    /// Sequence 0 runs the given seed itself, so that a failing sequence replays alone.
    pub fn sequence_seed(&self, sequence: usize) -> u64 {
        match sequence {
            0 => self.seed,
            n => mix(self.seed.wrapping_add(n as u64)),
        }
    }
}

pub struct Failure {
    pub sequence: usize,
    pub seed: u64,
    pub step: usize,
    pub message: String,
    pub log: Vec<String>,
}

/// What one server carries from a sequence to the next.
#[derive(Default)]
struct Carry {
    max_id: i64,
    listed: BTreeSet<String>,
}

/// One server and its share of the sequences; returns the failures and the steps run.
pub async fn worker(config: Config, worker: usize) -> (Vec<Failure>, usize) {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let mut carry = Carry::default();
    let (mut failures, mut steps) = (Vec::new(), 0);
    for sequence in (worker..config.sequences).step_by(config.servers) {
        let seed = config.sequence_seed(sequence);
        let mut log = Vec::new();
        if let Err((step, message)) = run(&api, &config, sequence, seed, &mut carry, &mut log, &mut steps).await {
            failures.push(Failure {
                sequence,
                seed,
                step,
                message,
                log,
            });
        }
    }
    server.stop();
    (failures, steps)
}

async fn run(
    api: &Client,
    config: &Config,
    sequence: usize,
    seed: u64,
    carry: &mut Carry,
    log: &mut Vec<String>,
    steps: &mut usize,
) -> Result<(), (usize, String)> {
    reset(api, carry)
        .await
        .map_err(|e| (0, format!("resetting the tenant: {e}")))?;
    let project = api.project(&format!("model-{sequence}-{seed:016x}")).await;
    let book = find_book(api).await.map_err(|e| (0, e))?;
    let mut m = Model::new(project, book, carry.max_id);
    let mut rng = Rng::new(seed);
    for step in 1..=config.steps {
        m.step = step;
        let op = generate::op(&mut rng, &m);
        if let Op::RobinsonAdd { phones } = &op {
            let valid = phones
                .iter()
                .filter_map(scalar_text)
                .filter_map(|p| normalize_phone(&p).ok());
            carry.listed.extend(valid);
        }
        let wire = op.wire(project);
        let reply = send(api, &wire).await;
        log.push(format!(
            "{step:>3}. {wire}\n     -> {} {}",
            reply.status.as_u16(),
            shorten(&reply.text)
        ));
        let full = step % config.full_every == 0 || step == config.steps;
        let outcome = match apply(&mut m, api, &op, &reply).await {
            Ok(effects) => verify(api, &mut m, effects, full, changes_schema(&op)).await,
            Err(e) => Err(e),
        };
        carry.max_id = m.max_id;
        outcome.map_err(|e| (step, e))?;
        *steps += 1;
    }
    Ok(())
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(400) {
        Some((at, _)) => format!("{} ...", &text[..at]),
        None => text.to_string(),
    }
}

/// Empties what the tenant shares between sequences: the Robinson list and the contact book.
async fn reset(api: &Client, carry: &mut Carry) -> Checked {
    for phone in std::mem::take(&mut carry.listed) {
        let reply = api.delete(&format!("/v2/robinson/{phone}")).await;
        if ![200, 404].contains(&reply.status.as_u16()) {
            return Err(format!("DELETE /v2/robinson/{phone}: {} {}", reply.status, reply.text));
        }
    }
    let contacts = super::check::all_contacts(api).await?;
    let ids = crate::common::iovox::values(&contacts.text, "contact_id");
    if !ids.is_empty() {
        let path = format!("/Contacts?v=3&method=deleteContacts&contact_ids={}", ids.join(","));
        status(&api.iovox(Method::DELETE, &path, None).await, 204)?;
    }
    Ok(())
}

/// The tenant's contact book, if one exists, with its fields.
async fn find_book(api: &Client) -> Result<Option<Schema>, String> {
    let projects = api.get("/v2/projects").await;
    let book = projects.body["response"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == "Contact book"))
        .and_then(|p| p["projectid"].as_i64());
    let Some(book) = book else {
        return Ok(None);
    };
    let mut schema = Schema::new(book);
    let reply = api.get(&format!("/v2/projects/{book}")).await;
    for field in reply.body["response"]["fields"].as_array().into_iter().flatten() {
        schema.fields.push(super::state::FieldDef {
            id: field["fieldid"].as_i64(),
            name: field["name"].as_str().unwrap_or_default().to_string(),
            kind: super::state::Kind::Text,
            values: Vec::new(),
            born: 0,
        });
    }
    Ok(Some(schema))
}

async fn send(api: &Client, wire: &Wire) -> Reply {
    if wire.xml {
        api.iovox(wire.method.clone(), &wire.path, wire.body.as_deref()).await
    } else {
        api.send(wire.method.clone(), &wire.path, wire.body.clone()).await
    }
}

async fn apply(m: &mut Model, api: &Client, op: &Op, reply: &Reply) -> Checked<Effects> {
    match op {
        Op::AddRecords { items, .. } => vcc::add_records(m, items, reply),
        Op::BatchModify { elements, default } => vcc::batch_modify(m, elements, default, reply),
        Op::ModifyRecord { id, body, next_contact } => vcc::modify_record(m, *id, body, next_contact, reply),
        Op::ModifyContact { id, slot, contact } => vcc::modify_contact(m, *id, slot, contact, reply),
        Op::AddDisposition { id, disposition } => vcc::add_disposition(m, *id, disposition, reply),
        Op::AddField { name, kind, values } => fields::add_field(m, name, kind, values, reply),
        Op::AddValues { field, values, .. } => fields::add_values(m, field, values, reply),
        Op::RenameValue { value, name } => fields::rename_value(m, value, name, reply),
        Op::DeleteValue { value } => fields::delete_value(m, value, reply),
        Op::RobinsonAdd { phones } => others::robinson_add(m, phones, reply),
        Op::RobinsonDelete { phone } => others::robinson_delete(m, phone, reply),
        Op::Lock { id, lock } => others::lock(m, *id, *lock, reply),
        Op::JtelDelete { id } => others::jtel_delete(m, *id, reply),
        Op::JtelGet { id } => others::jtel_get(m, *id, reply),
        Op::JtelInsert { items } => others::jtel_insert(m, items, reply),
        Op::Claim { owner } => others::claim(m, owner, reply),
        Op::Release {
            id,
            owner,
            disposition,
            next_calldate,
        } => others::release(m, *id, owner, *disposition, next_calldate, reply),
        Op::List { search } => others::list(m, search, reply),
        Op::IovoxCreate { contacts } => iovox::create(m, api, contacts, reply).await,
        Op::IovoxDelete { ids } => iovox::delete(m, ids, reply),
    }
}

/// Whether an operation may change the project's fields or values (also when it should not).
fn changes_schema(op: &Op) -> bool {
    matches!(
        op,
        Op::AddRecords { .. }
            | Op::BatchModify { .. }
            | Op::ModifyRecord { .. }
            | Op::ModifyContact { .. }
            | Op::AddField { .. }
            | Op::AddValues { .. }
            | Op::RenameValue { .. }
            | Op::DeleteValue { .. }
            | Op::JtelInsert { .. }
    )
}

/// Reads back what the step may have changed (and every so often everything).
async fn verify(api: &Client, m: &mut Model, effects: Effects, full: bool, schema: bool) -> Checked {
    if schema || full {
        check::schema(api, &mut m.main).await?;
    }
    let mut ids = effects.records;
    ids.sort_unstable();
    ids.dedup();
    if effects.all || full || ids.len() > 4 {
        check::list(api, m, m.main.project).await?;
        ids.retain(|id| m.records.get(id).is_none_or(|r| r.project != m.main.project));
    }
    for id in ids {
        check::record(api, m, id).await?;
    }
    if effects.book || full {
        check::book(api, m).await?;
    }
    Ok(())
}

/// The summary a failing run ends with: every failing sequence, and the first ones in full.
pub fn report(failures: &[Failure], config: &Config) -> String {
    let mut out = format!(
        "{} of {} sequences disagree with the model (seed {:#x}, {} steps each):\n",
        failures.len(),
        config.sequences,
        config.seed,
        config.steps
    );
    for f in failures {
        let first_line = f.message.lines().next().unwrap_or_default();
        out.push_str(&format!(
            "  sequence {} (DIALBASE_MODEL_SEED={:#x} DIALBASE_MODEL_SEQUENCES=1), step {}: {first_line}\n",
            f.sequence, f.seed, f.step
        ));
    }
    let shown = std::env::var("DIALBASE_MODEL_SHOW")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    for f in failures.iter().take(shown) {
        out.push_str(&format!(
            "\n=== sequence {} (seed {:#x}) up to step {}:\n{}\n=== step {} disagrees: {}\n",
            f.sequence,
            f.seed,
            f.step,
            f.log.join("\n"),
            f.step,
            f.message
        ));
    }
    out
}
