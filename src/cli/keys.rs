//! `dialbase key create|list|revoke`: scoped keys from the command line (docs/operations.md).

use super::{CliResult, DatabaseArg, KeyCommand, tenant_id};
use crate::domain::audit::NewAuditEntry;
use crate::domain::auth::{generate_key, hash_key};
use crate::domain::keys::{ProjectScope, Role};
use crate::domain::tenant::validate_user_name;
use crate::storage;

/// Who the audit log names for a change made from the command line.
fn by_cli(action: &'static str) -> NewAuditEntry {
    let user = std::env::var("USER").unwrap_or_else(|_| "cli".into());
    NewAuditEntry {
        user,
        source: "cli",
        action,
        target: String::new(),
        detail: serde_json::Value::Null,
    }
}

pub(super) async fn run(command: KeyCommand) -> CliResult {
    match command {
        KeyCommand::Add { .. } => unreachable!("handled by the caller"),
        KeyCommand::Create {
            tenant,
            user,
            role,
            projects,
            key,
            db,
        } => {
            validate_user_name(&user)?;
            let role = Role::parse(&role)?;
            let projects = ProjectScope::parse(projects.as_deref())?;
            let key = key.unwrap_or_else(generate_key);
            if key.len() < 8 {
                return Err("an API key has at least 8 characters".into());
            }
            let store = open(&db).await?;
            let tenant = tenant_id(store.as_ref(), &tenant).await?;
            let created = store
                .create_key(tenant, &user, &hash_key(&key), role, projects, by_cli("key.create"))
                .await?;
            eprintln!("key {} for {user} ({})", created.id, role.as_str());
            println!("{key}");
            Ok(())
        }
        KeyCommand::List { tenant, db } => {
            let store = open(&db).await?;
            let tenant = tenant_id(store.as_ref(), &tenant).await?;
            println!("id\tuser\trole\tprojects\tcreated\trevoked");
            for key in store.list_keys(tenant).await? {
                let projects = key.projects.map_or("all".to_string(), |ids| {
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                });
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    key.id,
                    key.user,
                    key.role.as_str(),
                    projects,
                    key.created_at,
                    key.revoked_at.as_deref().unwrap_or("-")
                );
            }
            Ok(())
        }
        KeyCommand::Revoke { tenant, id, db } => {
            let store = open(&db).await?;
            let tenant = tenant_id(store.as_ref(), &tenant).await?;
            let key = store.revoke_key(tenant, id, by_cli("key.revoke")).await?;
            println!("key {} of {} revoked", key.id, key.user);
            Ok(())
        }
    }
}

async fn open(db: &DatabaseArg) -> Result<std::sync::Arc<dyn storage::Store>, storage::StoreError> {
    storage::open(&db.location()).await
}
