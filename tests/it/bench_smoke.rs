//! The benchmark's small version: it must run every phase end to end and store, find,
//! claim and export every row. Only counts are asserted, never timings (CI machines vary).
//! With `DIALBASE_TEST_POSTGRES` set it runs in its PostgreSQL mode against that server.

use crate::common::POSTGRES_ENV;
use std::process::Command;

#[test]
fn the_benchmark_runs_end_to_end_on_a_small_data_set() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bench.json");
    let mut command = Command::new(env!("CARGO_BIN_EXE_dialbase-bench"));
    command
        .args(["--records", "20000", "--batch", "5000"])
        .args(["--list-connections", "2", "--list-requests", "3"])
        .args(["--connections", "8", "--lookups", "20"])
        // More claims than the campaign holds: the dialers take every claimable contact.
        .args(["--dialers", "4", "--claims", "1000"])
        .args(["--feed-records", "5000", "--deliveries", "2000"])
        .arg("--json")
        .arg(&json)
        .arg("--dir")
        .arg(dir.path().join("data"));
    let postgres = std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty());
    if let Some(url) = &postgres {
        command.args(["--database", url]);
    }
    let status = command.status().expect("run dialbase-bench");
    assert!(status.success());
    let results: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let context = &results["context"];
    assert_eq!(
        context["backend"],
        if postgres.is_some() { "postgres" } else { "sqlite" }
    );
    // PostgreSQL's own ceiling (the import's rows written again by COPY) is taken there only.
    let ceiling = context["ceiling_records_per_second"].as_f64();
    assert_eq!(
        ceiling.is_some_and(|rate| rate > 0.0),
        postgres.is_some(),
        "{ceiling:?}"
    );
    assert_eq!(context["imported"], 20000);
    assert_eq!(context["flat_rows"], 20000);
    assert!(context["server_bytes"].as_u64().unwrap() > 0);
    assert!(context["flat_bytes"].as_u64().unwrap() > 0);
    assert_eq!(context["batch_modified"], 2000, "one segment of ten");
    assert_eq!(context["list_total"], 3334, "a sixth of the records live in London");
    assert_eq!(context["list_requests"], 2 * 3);
    assert_eq!(context["lookups"], 8 * 20);
    assert_eq!(context["user_data_lookups"], 8 * 20);
    assert_eq!(context["healthz_requests"], 8 * 20);
    assert_eq!(context["jtel_contacts"], 2000);
    assert_eq!(context["robinson_listed"], 200, "a tenth of the numbers");
    assert_eq!(context["claims"], 1800, "every contact not on the Robinson list");
    assert_eq!(context["distinct_claims"], 1800, "no contact is handed out twice");
    assert_eq!(context["robinson_claimed"], 0);
    assert_eq!(
        context["claims_drained_queue"], true,
        "the listed contacts stay in the queue"
    );
    assert_eq!(
        context["claims_under_rules"], context["distinct_claims_under_rules"],
        "under rules no contact twice either"
    );
    assert_eq!(
        context["claims_under_rules"], 1800,
        "rules that allow every call change nothing"
    );
    assert_eq!(context["exported_cli"], 20000);
    assert_eq!(context["exported_http"], 20000);
    let phases: Vec<&str> = context["rss_phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert_eq!(
        phases,
        [
            "import",
            "batch modify",
            "filtered list",
            "dialer contacts load",
            "lookups",
            "claims",
            "claims under rules",
            "export"
        ]
    );
    let figures = results["figures"].as_array().unwrap();
    assert!(
        figures
            .iter()
            .all(|f| f["value"].as_f64().is_some_and(|v| v.is_finite() && v >= 0.0))
    );
}
