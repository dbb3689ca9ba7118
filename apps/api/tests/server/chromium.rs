//! Headless Chromium for the tests, driven over WebDriver: chromedriver on a free port, one
//! browser session per test, and screenshots written to `target/screenshots/`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

/// chromedriver and a browser session on it.
pub struct Browser {
    pub client: Client,
    pub _driver: tokio::process::Child,
}

/// Starts chromedriver on a free port and a headless Chromium session. Both are part of the
/// test setup (`.ci/run` installs them); without them this fails, saying so.
pub async fn browser() -> Browser {
    let mut driver = tokio::process::Command::new("chromedriver")
        .arg("--port=0")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver runs (apt-get install chromium-driver)");
    let stdout = driver.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let port = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                return rest.trim_end_matches('.').parse::<u16>().unwrap();
            }
        }
        panic!("chromedriver stopped before it was ready");
    })
    .await
    .expect("chromedriver starts");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({"binary": std::env::var("OFFIMIC_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
               "args": ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1400"]}),
    );
    // chromedriver is on loopback: plain HTTP, no TLS stack needed.
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a browser session");
    Browser {
        client,
        _driver: driver,
    }
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn snap(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    assert!(png.len() > 5_000, "{name}: an empty screenshot");
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}
