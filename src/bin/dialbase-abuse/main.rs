//! `dialbase-abuse`: replays the abuse cases of issue 13 against a running server and prints
//! a figure for each (time to an answer, the server's RSS, whether a real client is still
//! served meanwhile). `scripts/abuse` starts a release server under `ulimit -n 1024` and
//! runs this against it. Raw sockets, so that nothing smooths over what a client sends.

use base64::Engine;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Target {
    address: String,
    tenant: String,
    auth: String,
    pid: Option<u32>,
}

fn main() -> std::process::ExitCode {
    dialbase::install_tls_provider();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(address) = value("--address") else {
        eprintln!(
            "usage: dialbase-abuse --address HOST:PORT --credentials TENANT:USER:KEY [--pid PID] [--sigterm] [--silent N]"
        );
        return std::process::ExitCode::FAILURE;
    };
    let credentials = value("--credentials").unwrap_or_else(|| "mycc:mycc:change-me-please".into());
    let mut parts = credentials.splitn(3, ':');
    let (tenant, user, key) = (
        parts.next().unwrap_or_default().to_string(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{key}"));
    let target = Target {
        address,
        tenant,
        auth,
        pid: value("--pid").and_then(|p| p.parse().ok()),
    };
    let silent: usize = value("--silent").and_then(|n| n.parse().ok()).unwrap_or(1_100);
    let sigterm = args.iter().any(|a| a == "--sigterm");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!("| case | figure |");
        println!("|---|---|");
        silent_connections(&target, silent).await;
        slowloris(&target).await;
        body_never_arrives(&target).await;
        huge_content_length(&target).await;
        amplification(&target).await;
        if sigterm {
            shutdown_with_half_request(&target).await;
        }
    });
    std::process::ExitCode::SUCCESS
}

fn rss(target: &Target) -> String {
    let Some(pid) = target.pid else {
        return "RSS n/a".into();
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    format!("RSS {} MiB (peak {} MiB)", kib("VmRSS:") / 1024, kib("VmHWM:") / 1024)
}

/// A real client's `GET /{tenant}/v2/projects`: its status and time, or how it failed.
async fn real_client(target: &Target) -> String {
    let started = Instant::now();
    let request = format!(
        "GET /{}/v2/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nConnection: close\r\n\r\n",
        target.tenant, target.auth
    );
    match tokio::time::timeout(Duration::from_secs(5), exchange(&target.address, request.as_bytes())).await {
        Ok(Ok(answer)) => format!(
            "real client {} in {} ms",
            status_line(&answer),
            started.elapsed().as_millis()
        ),
        Ok(Err(e)) => format!("real client failed: {e}"),
        Err(_) => "real client got no answer in 5 s".into(),
    }
}

async fn exchange(address: &str, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(request).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(answer)
}

fn status_line(answer: &[u8]) -> String {
    let text = String::from_utf8_lossy(&answer[..answer.len().min(200)]).into_owned();
    match text.lines().next() {
        Some(line) => line.trim().to_string(),
        None => "closed without an answer".into(),
    }
}

/// Waits until the server answers or closes; (seconds, what came back).
async fn until_answer(stream: &mut TcpStream, patience: Duration) -> (f64, String) {
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(patience, stream.read_to_end(&mut answer)).await;
    let seconds = started.elapsed().as_secs_f64();
    let what = match read {
        Err(_) => format!("still open after {} s", patience.as_secs()),
        Ok(Err(e)) => format!("reset ({e})"),
        Ok(Ok(_)) if answer.is_empty() => "closed without an answer".into(),
        Ok(Ok(_)) => status_line(&answer),
    };
    (seconds, what)
}

fn row(case: &str, figure: String) {
    println!("| {case} | {figure} |");
}

async fn silent_connections(target: &Target, count: usize) {
    let started = Instant::now();
    let mut open = Vec::with_capacity(count);
    let mut refused = 0;
    for _ in 0..count {
        match tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(&target.address)).await {
            Ok(Ok(stream)) => open.push(stream),
            _ => refused += 1,
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = real_client(target).await;
    let memory = rss(target);
    // How many the server closed, and when the last went.
    let waits = open.into_iter().map(|mut stream| {
        tokio::spawn(async move {
            let mut byte = [0u8; 1];
            let closed = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut byte)).await;
            closed.is_ok()
        })
    });
    let waits: Vec<_> = waits.collect();
    // When a real client is served again (the server closes silent connections).
    let served_again = loop {
        if real_client(target).await.contains(" 200 ") {
            break format!(
                "a real client served again {:.1} s after the flood began",
                started.elapsed().as_secs_f64()
            );
        }
        if started.elapsed() > Duration::from_secs(60) {
            break "a real client not served within 60 s".to_string();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let mut closed = 0;
    for wait in waits {
        closed += usize::from(wait.await.unwrap_or(false));
    }
    row(
        &format!("{count} silent connections"),
        format!(
            "{refused} not accepted at once; {during} while they were open; {served_again}; {closed} of {} closed by the server within {:.0} s; {memory}",
            count - refused,
            started.elapsed().as_secs_f64()
        ),
    );
}

async fn slowloris(target: &Target) {
    let mut streams = Vec::new();
    for _ in 0..50 {
        if let Ok(mut stream) = TcpStream::connect(&target.address).await {
            let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await;
            streams.push(stream);
        }
    }
    let started = Instant::now();
    let mut alive = streams.len();
    let mut last_close = None;
    while alive > 0 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_secs(3)).await;
        alive = 0;
        for stream in &mut streams {
            if stream.write_all(b"X-Slow: 1\r\n").await.is_ok() {
                let mut byte = [0u8; 1];
                match tokio::time::timeout(Duration::from_millis(5), stream.read(&mut byte)).await {
                    Ok(Ok(0)) | Ok(Err(_)) => last_close = Some(started.elapsed()),
                    _ => alive += 1,
                }
            } else {
                last_close = Some(started.elapsed());
            }
        }
    }
    let during = real_client(target).await;
    let closed = last_close.map_or("none closed".into(), |t| {
        format!("all closed by {:.1} s", t.as_secs_f64())
    });
    row(
        "slowloris (50 connections, one header line every 3 s)",
        format!("{closed}, {alive} still open after 60 s; {during}; {}", rss(target)),
    );
}

async fn body_never_arrives(target: &Target) {
    let Ok(mut stream) = TcpStream::connect(&target.address).await else {
        return row("declared body never arrives", "could not connect".into());
    };
    let head = format!(
        "POST /{}/v2/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nContent-Length: 1000\r\n\r\n{{\"name\"",
        target.tenant, target.auth
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let (seconds, what) = until_answer(&mut stream, Duration::from_secs(90)).await;
    row(
        "declared body never arrives (7 of 1,000 bytes sent)",
        format!("{what} after {seconds:.1} s; {}", rss(target)),
    );
}

async fn huge_content_length(target: &Target) {
    let Ok(mut stream) = TcpStream::connect(&target.address).await else {
        return row("Content-Length: 10737418240", "could not connect".into());
    };
    let head = format!(
        "POST /{}/v2/projects/1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nContent-Length: 10737418240\r\n\r\n",
        target.tenant, target.auth
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let (seconds, what) = until_answer(&mut stream, Duration::from_secs(60)).await;
    row(
        "Content-Length: 10737418240, no body",
        format!("{what} after {:.0} ms; {}", seconds * 1000.0, rss(target)),
    );
}

async fn amplification(target: &Target) {
    let before = rss(target);
    let mut body = String::with_capacity(1 << 20);
    body.push('[');
    while body.len() < (1 << 20) - 2 {
        body.push_str("1,");
    }
    body.push_str("1]");
    let head = format!(
        "POST /{}/v2/robinson HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        target.tenant,
        target.auth,
        body.len()
    );
    let started = Instant::now();
    let request = [head.as_bytes(), body.as_bytes()].concat();
    let answer = tokio::time::timeout(Duration::from_secs(60), exchange(&target.address, &request)).await;
    let seconds = started.elapsed().as_secs_f64();
    let figure = match answer {
        Ok(Ok(answer)) => format!(
            "{} with {} bytes in {seconds:.2} s; before: {before}; after: {}",
            status_line(&answer),
            answer.len(),
            rss(target)
        ),
        Ok(Err(e)) => format!("failed: {e}"),
        Err(_) => "no answer in 60 s".into(),
    };
    row("1 MiB [1,1,1,...] to POST /v2/robinson", figure);
}

async fn shutdown_with_half_request(target: &Target) {
    let Some(pid) = target.pid else {
        return row("SIGTERM with a half-sent request", "needs --pid".into());
    };
    let Ok(mut stream) = TcpStream::connect(&target.address).await else {
        return row("SIGTERM with a half-sent request", "could not connect".into());
    };
    let head = format!(
        "POST /{}/v2/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nContent-Length: 100\r\n\r\n{{",
        target.tenant, target.auth
    );
    let _ = stream.write_all(head.as_bytes()).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    while std::path::Path::new(&format!("/proc/{pid}")).exists() && started.elapsed() < Duration::from_secs(60) {
        // A zombie has ended: its parent (the script) reaps it.
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if state.split_whitespace().nth(2) == Some("Z") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let gone = !std::path::Path::new(&format!("/proc/{pid}")).exists()
        || std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .split_whitespace()
            .nth(2)
            == Some("Z");
    let figure = if gone {
        format!(
            "the server exited {:.1} s after SIGTERM",
            started.elapsed().as_secs_f64()
        )
    } else {
        "the server was still running 60 s after SIGTERM".into()
    };
    row("SIGTERM with a half-sent request", figure);
}
