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
    _db: TestDatabase,
}

impl TestServer {
    /// Starts a server; `extra` holds configuration keys beyond the database.
    pub async fn start(db: TestDatabase, extra: serde_json::Value) -> Self {
        let mut config = extra;
        config["database"] = db.url.clone().into();
        let config =
            ApiConfig::parse(&config.to_string(), Path::new("test.json")).expect("test config");
        let store = db.open().await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}{}", listener.local_addr().unwrap(), config.path.0);
        let state = AppState {
            store: store.clone(),
            config: Arc::new(config),
        };
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
            _db: db,
        }
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

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}
