//! Clients that hold connections or send too much (issue "Production hardening", item 1) and
//! a bounded graceful shutdown (item 7), against the real binary with short timeouts.

use crate::common::dialer::{add_records, record};
use crate::common::{Database, Server};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn address(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Seconds until the server closes `stream` (reads until EOF); None if it stays open.
fn closed_after(mut stream: TcpStream, patience: Duration) -> Option<f64> {
    let started = Instant::now();
    stream.set_read_timeout(Some(patience)).unwrap();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return Some(started.elapsed().as_secs_f64()),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Some(started.elapsed().as_secs_f64()),
            Err(_) => return None,
        }
    }
}

const SHORT: [(&str, &str); 3] = [
    ("DIALBASE_HEADER_TIMEOUT", "1"),
    ("DIALBASE_BODY_TIMEOUT", "1"),
    ("DIALBASE_SHUTDOWN_TIMEOUT", "2"),
];

#[test]
fn slow_headers_idle_keep_alive_and_stalled_bodies_are_cut_off() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &SHORT);
    let address = address(&server);

    // Slowloris: a header line, then nothing.
    let mut slow = TcpStream::connect(&address).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    let after = closed_after(slow, Duration::from_secs(5)).expect("slow headers are cut off");
    assert!(after < 3.0, "{after}");

    // An idle keep-alive connection after one answered request.
    let mut idle = TcpStream::connect(&address).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut head = [0u8; 12];
    idle.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    assert!(
        closed_after(idle, Duration::from_secs(5)).is_some(),
        "idle connections are closed"
    );

    // A declared body that never comes: the request fails instead of waiting for ever.
    let mut stalled = TcpStream::connect(&address).unwrap();
    let request = "POST /mycc/v2/robinson HTTP/1.1\r\nHost: x\r\nAuthorization: Basic bXljYzp0ZXN0LWtleS1teWNj\r\n\
                   Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"phone";
    stalled.write_all(request.as_bytes()).unwrap();
    let started = Instant::now();
    stalled.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answer = String::new();
    let _ = stalled.read_to_string(&mut answer);
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
}

#[tokio::test]
async fn a_content_length_over_the_limit_is_refused_before_the_body() {
    let db = Database::fresh();
    let server = Server::start_with(&db, &SHORT);
    let mut huge = TcpStream::connect(address(&server)).unwrap();
    let request = "POST /mycc/v2/robinson HTTP/1.1\r\nHost: x\r\nContent-Length: 10737418240\r\n\r\n";
    huge.write_all(request.as_bytes()).unwrap();
    huge.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut head = [0u8; 12];
    huge.read_exact(&mut head).expect("an answer without sending the body");
    assert_eq!(&head, b"HTTP/1.1 413");
    assert_eq!(server.client().get("/v2/projects").await.status, 200);
}

/// Far more silent connections than the server may hold under `ulimit -n 128`: it keeps
/// accepting, cuts them off at the header deadline, and a real client is served.
#[tokio::test]
async fn silent_connections_beyond_the_file_limit_do_not_lock_clients_out() {
    let db = Database::fresh();
    let server = Server::start_with_fd_limit(&db, &SHORT, 128);
    let address = address(&server);
    let silent: Vec<TcpStream> = (0..300).filter_map(|_| TcpStream::connect(&address).ok()).collect();
    assert!(
        silent.len() > 128,
        "the kernel queues connections the server has not accepted"
    );
    let api = server.client();
    let started = Instant::now();
    let mut served = false;
    while started.elapsed() < Duration::from_secs(8) && !served {
        let reply = tokio::time::timeout(
            Duration::from_secs(2),
            api.http
                .get(format!("{}/v2/projects", api.base))
                .basic_auth(&api.user, Some(&api.key))
                .send(),
        )
        .await;
        served = matches!(reply, Ok(Ok(r)) if r.status() == 200);
        if !served {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    assert!(served, "a real client got an answer within 8 s");
    drop(silent);
}

/// SIGTERM while a client holds a half-sent request and an import is running: the server
/// exits 0 within its shutdown bound, and every record it acknowledged is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_and_keeps_every_acknowledged_record() {
    let db = Database::fresh();
    let mut server = Server::start_with(
        &db,
        &[("DIALBASE_SHUTDOWN_TIMEOUT", "2"), ("DIALBASE_BODY_TIMEOUT", "60")],
    );
    let api = server.client();
    let project = api.project("Leads").await;
    let mut held = TcpStream::connect(address(&server)).unwrap();
    held.write_all(b"POST /mycc/v2/robinson HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .unwrap();

    let importer = tokio::spawn(async move {
        let mut acknowledged = Vec::new();
        for batch in 0..1_000 {
            let records = (0..200)
                .map(|i| record(&format!("36{batch:04}{i:04}"), None))
                .collect::<Vec<_>>();
            let body = Value::Array(records).to_string();
            let reply = api
                .http
                .post(format!("{}/v2/projects/{project}/records", api.base))
                .basic_auth(&api.user, Some(&api.key))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await;
            let Ok(reply) = reply else { break };
            let Ok(text) = reply.text().await else { break };
            let Ok(body) = serde_json::from_str::<Value>(&text) else {
                break;
            };
            acknowledged.extend(
                body["response"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_i64),
            );
        }
        acknowledged
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    let started = Instant::now();
    let status = server
        .terminate(Duration::from_secs(6))
        .expect("the server ends within its bound");
    assert!(status.success(), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let acknowledged = importer.await.unwrap();
    assert!(!acknowledged.is_empty(), "the import was under way");
    drop(held);

    let server = Server::start(&db);
    let api = server.client();
    let mut stored = std::collections::HashSet::new();
    loop {
        let page = api
            .get(&format!(
                "/v2/projects/{project}/records?limit=1000&offset={}",
                stored.len()
            ))
            .await;
        let ids: Vec<i64> = page.body["response"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["numberid"].as_i64())
            .collect();
        if ids.is_empty() {
            break;
        }
        stored.extend(ids);
    }
    let lost: Vec<&i64> = acknowledged.iter().filter(|id| !stored.contains(id)).collect();
    assert!(lost.is_empty(), "{} acknowledged records missing", lost.len());
    assert_eq!(
        add_records(&api, project, vec![record("3699999999", None)]).await.len(),
        1
    );
}

/// A body of many bad items neither grows the answer without bound nor the server: the
/// items per request are capped, and so are the errors reported one by one.
#[tokio::test]
async fn many_bad_items_get_a_bounded_answer() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let ones = format!("[{}1]", "1,".repeat(500_000));
    let refused = api.post("/v2/robinson", &ones).await;
    assert_eq!(refused.status, 417, "{}", &refused.text[..refused.text.len().min(300)]);
    assert!(refused.text.len() < 1_000, "{}", refused.text.len());
    assert_eq!(refused.body["errors"][0]["errormessage"], "error.too_many_items");

    let project = api.project("Leads").await;
    let bad = format!("[{}{{}}]", "{},".repeat(14_999));
    let reply = api.post(&format!("/v2/projects/{project}/records"), &bad).await;
    assert_eq!(reply.status, 417);
    let errors = reply.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1_001);
    assert_eq!(errors[1_000]["errormessage"], "error.too_many_errors");
    assert_eq!(errors[1_000]["count"], 14_000);
    assert!(reply.text.len() < 200_000, "{}", reply.text.len());

    let jtel = format!("[{}{{}}]", "{},".repeat(20_000));
    assert_eq!(api.post("/dialler/contacts/contact", &jtel).await.status, 400);
}
