//! The benchmark's small version: it must run end to end and store every row.
//! Only counts are asserted, never timings (CI machines vary).

use std::process::Command;

#[test]
fn the_benchmark_runs_end_to_end_on_a_small_data_set() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bench.json");
    let status = Command::new(env!("CARGO_BIN_EXE_dialbase-bench"))
        .args([
            "--records",
            "20000",
            "--batch",
            "5000",
            "--connections",
            "8",
            "--lookups",
            "20",
            "--dialers",
            "4",
            "--claims",
            "50",
        ])
        .arg("--json")
        .arg(&json)
        .arg("--dir")
        .arg(dir.path().join("data"))
        .status()
        .expect("run dialbase-bench");
    assert!(status.success());
    let results: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let context = &results["context"];
    assert_eq!(context["imported"], 20000);
    assert_eq!(context["raw_rows"], 20000);
    assert_eq!(context["batch_modified"], 2000, "one segment of ten");
    assert_eq!(context["lookups"], 8 * 20);
    assert_eq!(context["user_data_lookups"], 8 * 20);
    assert_eq!(context["jtel_contacts"], 2000);
    assert_eq!(context["claims"], 4 * 50);
    assert_eq!(context["distinct_claims"], 4 * 50, "no contact is handed out twice");
    let figures = results["figures"].as_array().unwrap();
    assert!(
        figures
            .iter()
            .all(|f| f["value"].as_f64().is_some_and(|v| v.is_finite() && v >= 0.0))
    );
}
