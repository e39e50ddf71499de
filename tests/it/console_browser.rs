//! The console in a real headless browser (Debian's `chromium` and `chromium-driver`, driven
//! over WebDriver): sign in, create a project, upload a 200,000-line CSV and watch the
//! progress reach 100%, search a record, lock it, add a do-not-call number, sign out.
//! Screenshots of each page go to `target/console-screenshots/`.
//!
//! Without chromium and chromedriver the test says so and passes, so that `cargo test` works
//! anywhere; `scripts/test` installs them and sets `DIALBASE_REQUIRE_BROWSER=1`, which turns
//! a missing browser into a failure.

use crate::common::{Database, KEY, Server, TENANT, USER};
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Enough that the import takes more than a second even on a fast spell of the host (the
/// page polls its progress every 400 ms; 50,000 lines were once stored between two polls).
const LINES: usize = 200_000;

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file())
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver(program: &Path) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(program)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while crate::common::http_client()
        .get(format!("{}/status", driver.url))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver
}

async fn browser(driver: &Driver) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--hide-scrollbars"]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

struct Shots {
    dir: PathBuf,
}

impl Shots {
    fn new() -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/console-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        Self { dir }
    }

    async fn take(&self, browser: &Client, name: &str) {
        let png = browser.screenshot().await.expect("screenshot");
        std::fs::write(self.dir.join(format!("{name}.png")), png).expect("write screenshot");
    }
}

async fn fill(browser: &Client, id: &str, text: &str) {
    let input = browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"));
    input.clear().await.expect("clear");
    input.send_keys(text).await.expect("type");
}

async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .expect("click");
}

/// The page's text; empty while a navigation replaces the document.
async fn page_text(browser: &Client) -> String {
    match browser.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until the page's text holds `wanted`.
async fn wait_for_text(browser: &Client, wanted: &str, patience: Duration) -> String {
    let started = Instant::now();
    loop {
        let text = page_text(browser).await;
        if text.contains(wanted) {
            return text;
        }
        assert!(
            started.elapsed() < patience,
            "no {wanted:?} after {patience:?} in:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn big_csv(dir: &Path) -> PathBuf {
    let path = dir.join("leads.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("csv"));
    writeln!(file, "name,phone1,city,user_data").unwrap();
    for i in 1..=LINES {
        if i == 777 {
            // One broken line, for the rejection report.
            writeln!(file, "Bad Line,not-a-phone,Nowhere,bad-777").unwrap();
            continue;
        }
        writeln!(file, "Lead {i},3670{i:07},City {},crm-{i}", i % 20).unwrap();
    }
    file.flush().unwrap();
    path
}

#[tokio::test]
async fn a_supervisor_uses_the_console_in_a_browser() {
    let (Some(driver_program), Some(_)) = (
        on_path("chromedriver"),
        on_path("chromium").or_else(|| on_path("google-chrome")),
    ) else {
        assert!(
            std::env::var("DIALBASE_REQUIRE_BROWSER").is_err(),
            "DIALBASE_REQUIRE_BROWSER is set but chromium or chromedriver is missing"
        );
        eprintln!(
            "skipped: the browser test needs chromium and chromedriver (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let started = Instant::now();
    let db = Database::fresh();
    let server = Server::start(&db);
    let files = tempfile::tempdir().expect("temp dir");
    let csv = big_csv(files.path());
    let driver = start_driver(&driver_program).await;
    let browser = browser(&driver).await;
    let shots = Shots::new();
    let outcome = drive(&browser, &server, &shots, &csv).await;
    let _ = browser.close().await;
    outcome.expect("the console walk-through");
    eprintln!(
        "browser test done in {:?}; screenshots in {}",
        started.elapsed(),
        shots.dir.display()
    );
}

async fn drive(browser: &Client, server: &Server, shots: &Shots, csv: &Path) -> Result<(), String> {
    let console = format!("{}/{TENANT}/console", server.base);
    browser.set_window_size(1280, 1000).await.map_err(|e| e.to_string())?;

    // The landing page, then the console: signed out, it asks for the API user and key.
    browser
        .goto(&format!("{}/", server.base))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(browser, "Open the console", Duration::from_secs(5)).await;
    shots.take(browser, "01-landing").await;
    fill(browser, "customer", TENANT).await;
    click(browser, "main form button").await;
    wait_for_text(browser, "Sign in to mycc", Duration::from_secs(5)).await;
    fill(browser, "user", USER).await;
    fill(browser, "key", KEY).await;
    shots.take(browser, "02-sign-in").await;
    click(browser, "form button[type=submit]").await;
    wait_for_text(browser, "No projects yet", Duration::from_secs(5)).await;

    // A new project.
    fill(browser, "project-name", "Browser leads").await;
    shots.take(browser, "03-projects-empty").await;
    click(browser, "main form button").await;
    wait_for_text(browser, "Project Browser leads created.", Duration::from_secs(5)).await;

    // The import: the bar moves and reaches 100%.
    click(browser, "nav.tabs a[href$='/import']").await;
    wait_for_text(browser, "Import a CSV file", Duration::from_secs(5)).await;
    browser
        .find(Locator::Id("import-file"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(&csv.to_string_lossy())
        .await
        .map_err(|e| e.to_string())?;
    click(browser, "#import-form button").await;
    let mut seen = Vec::new();
    let mut mid_shot = false;
    let import_started = Instant::now();
    loop {
        let value = browser
            .execute("return document.getElementById('import-progress').value;", vec![])
            .await
            .map_err(|e| e.to_string())?
            .as_f64()
            .unwrap_or(0.0) as i64;
        if seen.last() != Some(&value) {
            seen.push(value);
        }
        if !mid_shot && (1..100).contains(&value) {
            shots.take(browser, "04-import-progress").await;
            mid_shot = true;
        }
        if value == 100 && page_text(browser).await.contains("See the import report") {
            break;
        }
        if import_started.elapsed() > Duration::from_secs(90) {
            return Err(format!("the import did not finish; progress seen: {seen:?}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("progress values seen: {seen:?}");
    if !seen.iter().any(|v| (1..100).contains(v)) {
        return Err(format!("the bar jumped without moving: {seen:?}"));
    }
    let status = page_text(browser).await;
    if !status.contains("100% — 199999 records stored, 1 line rejected") {
        return Err(format!("unexpected status: {status}"));
    }
    shots.take(browser, "05-import-done").await;
    click(browser, "#import-report-link").await;
    wait_for_text(browser, "Rejected lines", Duration::from_secs(5)).await;
    wait_for_text(browser, "line 778:", Duration::from_secs(1)).await;
    shots.take(browser, "06-import-report").await;

    // The projects page counts them.
    browser.goto(&format!("{console}/")).await.map_err(|e| e.to_string())?;
    wait_for_text(browser, "199999", Duration::from_secs(5)).await;
    shots.take(browser, "07-projects").await;

    // Records: search by phone, open, lock.
    click(browser, "td a").await;
    wait_for_text(browser, "199999 records", Duration::from_secs(5)).await;
    shots.take(browser, "08-records").await;
    fill(browser, "search-phone", "+36 70 001 2345").await;
    click(browser, "form[role=search] button").await;
    wait_for_text(browser, "Lead 12345", Duration::from_secs(5)).await;
    shots.take(browser, "09-search").await;
    click(browser, "tbody td a").await;
    wait_for_text(browser, "Lock (never dial)", Duration::from_secs(5)).await;
    click(browser, "#lock").await;
    wait_for_text(browser, "Record locked: no dialer gets it.", Duration::from_secs(5)).await;
    shots.take(browser, "10-record-locked").await;
    let record_url = browser.current_url().await.map_err(|e| e.to_string())?;

    // Fields and rules pages.
    click(browser, "nav.tabs a[href$='/fields']").await;
    wait_for_text(browser, "New field", Duration::from_secs(5)).await;
    shots.take(browser, "11-fields").await;
    click(browser, "nav.tabs a[href$='/rules']").await;
    wait_for_text(browser, "Save rules", Duration::from_secs(5)).await;
    shots.take(browser, "12-rules").await;

    // A do-not-call number.
    click(browser, "header nav a[href$='/dnc']").await;
    wait_for_text(browser, "Add a number", Duration::from_secs(5)).await;
    fill(browser, "add-phone", "+36 70 001 2345").await;
    fill(browser, "add-reason", "asked on the phone").await;
    click(browser, "section.card form button").await;
    wait_for_text(browser, "36700012345 is on the list default.", Duration::from_secs(5)).await;
    shots.take(browser, "13-dnc").await;

    // API keys: a new key, shown once.
    click(browser, "header nav a[href$='/keys']").await;
    fill(browser, "key-user", "crm-import").await;
    click(browser, "section.card form button").await;
    wait_for_text(browser, "Copy it now", Duration::from_secs(5)).await;
    shots.take(browser, "14-keys").await;

    // At phone width.
    browser.set_window_size(390, 844).await.map_err(|e| e.to_string())?;
    browser.goto(&format!("{console}/")).await.map_err(|e| e.to_string())?;
    wait_for_text(browser, "Browser leads", Duration::from_secs(5)).await;
    shots.take(browser, "15-phone-projects").await;
    browser.goto(record_url.as_str()).await.map_err(|e| e.to_string())?;
    wait_for_text(browser, "Unlock", Duration::from_secs(5)).await;
    shots.take(browser, "16-phone-record").await;
    browser.set_window_size(1280, 1000).await.map_err(|e| e.to_string())?;

    // The API reference.
    browser
        .goto(&format!("{}/api/", server.base))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(browser, "Dialbase API reference", Duration::from_secs(5)).await;
    shots.take(browser, "17-api-reference").await;

    // Sign out: back to the sign-in form, and the console is closed.
    browser.goto(&format!("{console}/")).await.map_err(|e| e.to_string())?;
    click(browser, "header form button").await;
    wait_for_text(browser, "Signed out.", Duration::from_secs(5)).await;
    shots.take(browser, "18-signed-out").await;
    browser
        .goto(&format!("{console}/keys"))
        .await
        .map_err(|e| e.to_string())?;
    wait_for_text(browser, "Sign in to mycc", Duration::from_secs(5)).await;
    Ok(())
}
