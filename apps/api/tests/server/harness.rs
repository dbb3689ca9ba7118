//! A real `offimic-api` on a real socket (port 0) over a test database, and helpers to talk to it.

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use offimic_api::app::AppState;
use offimic_api::auth::{generate_token, hash_token};
use offimic_api::config::ApiConfig;
use offimic_store::{NewApiToken, Store};
use offimic_testkit::TestDatabase;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    /// `http://127.0.0.1:PORT` plus the configured prefix.
    pub base: String,
    pub store: Arc<dyn Store>,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    /// Where emails are written when the test configures no SMTP server.
    outbox: tempfile::TempDir,
    _db: TestDatabase,
}

impl TestServer {
    /// Starts a server; `extra` holds configuration keys beyond the database.
    pub async fn start(db: TestDatabase, extra: serde_json::Value) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut config = extra;
        config["database"] = db.url.clone().into();
        let address = listener.local_addr().unwrap();
        if config.get("public_url").is_none() {
            let prefix = config.get("path").and_then(|p| p.as_str()).unwrap_or("");
            config["public_url"] = format!("http://{address}/{}", prefix.trim_matches('/')).into();
        }
        let outbox = tempfile::tempdir().unwrap();
        if config.get("email").is_none() {
            config["email"] = serde_json::json!({});
        }
        if config["email"].get("outbox_dir").is_none() {
            config["email"]["outbox_dir"] = outbox.path().to_str().unwrap().into();
        }
        let config =
            ApiConfig::parse(&config.to_string(), Path::new("test.json")).expect("test config");
        let store = db.open().await;
        let base = format!("http://{address}{}", config.path.0);
        let state = AppState::new(store.clone(), config).expect("usable email settings");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(offimic_api::serve(listener, state, async {
            let _ = rx.await;
        }));
        Self {
            base,
            store,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
            outbox,
            _db: db,
        }
    }

    /// Where the server writes emails unless the test configured SMTP or another directory.
    pub fn outbox_dir(&self) -> &std::path::Path {
        self.outbox.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A new token with the given scopes.
    pub async fn token(&self, name: &str, scopes: &[&str]) -> String {
        let token = generate_token();
        self.store
            .create_api_token(NewApiToken {
                name: name.into(),
                token_hash: hash_token(&token),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                created_at: Timestamp::now(),
            })
            .await
            .unwrap();
        token
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Loads a space file into the server's database.
    pub async fn import(&self, document: serde_json::Value) {
        let file = offimic_spacefile::parse(&document.to_string()).expect("a valid space file");
        self.store
            .import_space(offimic_store::space_resolver(
                file,
                offimic_api::auth::KNOWN_SCOPES,
                Timestamp::now(),
            ))
            .await
            .expect("the import succeeds");
    }

    /// Sends `request` as raw bytes, as a controller does, and returns the head and body.
    pub async fn raw(&self, request: &str) -> (String, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let address = self
            .base
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let response = String::from_utf8(response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
        (head.to_owned(), body.to_owned())
    }

    /// A firmware-style GET of `path_and_query`.
    pub async fn device_get(&self, path_and_query: &str) -> (String, String) {
        self.raw(&format!(
            "GET {path_and_query} HTTP/1.1\r\nHost: 10.0.0.1\r\nConnection: close\r\n\r\n"
        ))
        .await
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}
