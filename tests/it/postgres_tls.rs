//! PostgreSQL over TLS (docs/postgres.md#tls): `scripts/test` starts its cluster with
//! `ssl=on`, a certificate for `localhost` only signed by a CA it made, and a role
//! `dialbase_tls` that `pg_hba.conf` refuses without TLS; it names the CA in
//! DIALBASE_TEST_POSTGRES_TLS_CA. Skipped without it.

use crate::common::{Database, KEY, Server, TENANT, USER};
use std::process::Command;

const CA_ENV: &str = "DIALBASE_TEST_POSTGRES_TLS_CA";

/// The test database's URL for the TLS-only role, at `host`, with `params`.
fn url(db: &Database, host: &str, params: &str) -> String {
    let rest = db.url.split_once('@').expect("user@host in the test URL").1;
    let (address, database) = rest.split_once('/').expect("a database in the test URL");
    let port = address.rsplit(':').next().unwrap();
    let database = database.split('?').next().unwrap();
    format!("postgres://dialbase_tls@{host}:{port}/{database}{params}")
}

/// `dialbase tenant list` on `url`: whether it connected, and what it printed on failure.
fn connects(url: &str, env: &[(&str, &str)]) -> Result<(), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_dialbase"))
        .args(["tenant", "list", "--database", url])
        .env_remove("DIALBASE_PG_CA")
        .envs(env.iter().copied())
        .output()
        .expect("run dialbase");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test]
async fn connections_use_tls_with_require_and_verify_full_and_refuse_a_wrong_name() {
    let db = Database::fresh();
    let Some(ca) = std::env::var(CA_ENV).ok().filter(|_| db.is_postgres()) else {
        eprintln!("skipped: needs {CA_ENV} (scripts/test sets it with its PostgreSQL cluster)");
        return;
    };

    // The role is refused without TLS: what connects below went over TLS.
    let plain = connects(&url(&db, "localhost", ""), &[]).unwrap_err();
    assert!(plain.contains("no encryption") || plain.contains("rejects"), "{plain}");

    // require: encrypted, the certificate unchecked; a whole server on it.
    let require = url(&db, "127.0.0.1", "?sslmode=require");
    let server = Server::start_with(&db, &[("DIALBASE_DATABASE", require.as_str())]);
    let api = server.client_as(TENANT, USER, KEY);
    let project = api.project("Over TLS").await;
    let ids = api.add_records(project, r#"{"form": {"name": "Ann"}}"#).await;
    assert_eq!(
        api.get(&format!("/v2/projects/{project}/records/{}", ids[0]))
            .await
            .status,
        200
    );
    drop(server);

    // verify-full: the CA by sslrootcert= or by DIALBASE_PG_CA, and the name matches.
    let with_file = url(&db, "localhost", &format!("?sslmode=verify-full&sslrootcert={ca}"));
    connects(&with_file, &[]).expect("verify-full with sslrootcert");
    let by_env = url(&db, "localhost", "?sslmode=verify-full");
    connects(&by_env, &[("DIALBASE_PG_CA", ca.as_str())]).expect("verify-full with DIALBASE_PG_CA");
    connects(
        &url(&db, "127.0.0.1", "?sslmode=verify-ca"),
        &[("DIALBASE_PG_CA", ca.as_str())],
    )
    .expect("verify-ca takes any name");

    // Refused: a name the certificate does not hold, and a CA nobody trusts.
    let wrong_name = url(&db, "127.0.0.1", &format!("?sslmode=verify-full&sslrootcert={ca}"));
    let refused = connects(&wrong_name, &[]).unwrap_err();
    assert!(refused.to_lowercase().contains("certificate"), "{refused}");
    let untrusted = connects(&by_env, &[]).unwrap_err();
    assert!(
        untrusted.to_lowercase().contains("certificate") || untrusted.contains("no CA"),
        "{untrusted}"
    );
    let missing = connects(
        &url(&db, "localhost", "?sslmode=verify-full&sslrootcert=/nonexistent.pem"),
        &[],
    );
    assert!(missing.unwrap_err().contains("/nonexistent.pem"));
}
