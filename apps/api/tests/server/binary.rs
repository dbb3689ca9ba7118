//! The `offimic-api` binary itself: configuration errors and exit codes, the request log, token
//! commands, and a graceful stop on SIGTERM that still answers the request in flight.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_offimic-api");
const STARTUP: Duration = Duration::from_secs(30);

fn write_config(dir: &Path, config: serde_json::Value) -> std::path::PathBuf {
    let path = dir.join("api.json");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

fn sqlite_config(dir: &Path) -> std::path::PathBuf {
    write_config(
        dir,
        json!({"port": 0, "database": format!("sqlite://{}/offimic.db", dir.display())}),
    )
}

/// A running server process and the lines it logs.
struct Process {
    child: Child,
    address: SocketAddr,
    lines: mpsc::Receiver<String>,
}

impl Process {
    fn start(config: &Path) -> Self {
        let mut child = Command::new(BIN)
            .args(["--config", config.to_str().unwrap(), "serve"])
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + STARTUP;
        let address = loop {
            let line = lines
                .recv_timeout(deadline - Instant::now())
                .expect("the server logs its address");
            if let Some(rest) = line.split("address=").nth(1) {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        };
        Self {
            child,
            address,
            lines,
        }
    }

    fn logged(&self) -> Vec<String> {
        self.lines.try_iter().collect()
    }

    fn terminate(&mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http(address: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Runs the binary with `--config config` and `args`: exit code, stdout, stderr.
fn run_command(config: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn a_malformed_config_is_one_line_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.json");
    std::fs::write(&path, "{\n  \"host\": \"127.0.0.1\"\n  \"port\": 4567\n}").unwrap();
    let output = Command::new(BIN)
        .args(["--config", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("{}: line 3, column 3", path.display())),
        "{stderr}"
    );
}

#[test]
fn an_unknown_key_is_named_and_the_config_flag_works_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path(), json!({"prot": 4567}));
    let output = Command::new(BIN)
        .args(["serve", "--config", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown field `prot`"));

    let by_env = Command::new(BIN)
        .arg("serve")
        .env("OFFIMIC_CONFIG", &path)
        .output()
        .unwrap();
    assert_eq!(
        by_env.status.code(),
        Some(2),
        "OFFIMIC_CONFIG names the file too"
    );
}

#[test]
fn token_commands_create_a_working_token_shown_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = sqlite_config(dir.path());
    let run = |args: &[&str]| run_command(&config, args);
    let (code, token, _) = run(&[
        "token",
        "create",
        "--name",
        "lab-agent",
        "--scope",
        "measure",
    ]);
    assert_eq!(code, Some(0));
    let token = token.trim().to_owned();
    assert!(token.starts_with("om_"));
    let (code, _, stderr) = run(&[
        "token",
        "create",
        "--name",
        "lab-agent",
        "--scope",
        "measure",
    ]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("lab-agent"), "{stderr}");
    let (code, _, stderr) = run(&["token", "create", "--name", "x", "--scope", "root"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("unknown scope"), "{stderr}");
    let (_, listed, _) = run(&["token", "list"]);
    assert!(listed.starts_with("lab-agent\tmeasure\t"));
    assert!(
        !listed.contains(&token[3..]),
        "the secret is never shown again"
    );
    let database = std::fs::read(dir.path().join("offimic.db")).unwrap();
    assert!(
        !String::from_utf8_lossy(&database).contains(&token[3..]),
        "only a hash is stored"
    );

    // The token works against the server, even from an untrusted address list.
    let strict = write_config(
        dir.path(),
        json!({"port": 0, "trusted_writers": [],
        "database": format!("sqlite://{}/offimic.db", dir.path().display())}),
    );
    let server = Process::start(&strict);
    let ok = http(
        server.address,
        &format!("GET /count/3?token={token} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    drop(server);

    assert_eq!(run(&["token", "revoke", "lab-agent"]).0, Some(0));
    assert_eq!(run(&["token", "revoke", "lab-agent"]).0, Some(1));
}

#[test]
fn every_request_is_logged_without_secrets_and_sigterm_finishes_the_request_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Process::start(&sqlite_config(dir.path()));
    let secret = "om_0123456789abcdef_never_logged";
    let answer = http(
        server.address,
        &format!("GET /count/4?token={secret} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
    );
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "a wrong token is refused even from loopback: {answer}"
    );

    // A scan upload whose body is still arriving when SIGTERM comes.
    let slot = offimic_occupancy::slot_start(jiff::Timestamp::now());
    let body = json!({"slot": slot.to_string(), "status": "ok",
        "devices": [{"pseudonym": "e".repeat(64)}]})
    .to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    let mut in_flight = TcpStream::connect(server.address).unwrap();
    write!(
        in_flight,
        "POST /api/v1/scans HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
        Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut continue_line = [0u8; 25];
    in_flight.read_exact(&mut continue_line).unwrap();
    assert!(
        continue_line.starts_with(b"HTTP/1.1 100 Continue"),
        "the handler is reading the body"
    );
    in_flight.write_all(head.as_bytes()).unwrap();

    server.terminate();
    // Once the listener is closed the server is shutting down; the request in flight must still finish.
    let deadline = Instant::now() + STARTUP;
    while TcpStream::connect(server.address).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the listener never closed after SIGTERM"
        );
        std::thread::yield_now();
    }
    in_flight.write_all(tail.as_bytes()).unwrap();
    let mut response = String::new();
    in_flight.read_to_string(&mut response).unwrap();
    assert!(response.contains("HTTP/1.1 201"), "{response}");

    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let logged = server.logged().join("\n");
    assert!(
        logged.contains("method=POST")
            && logged.contains("route=\"/api/v1/scans\"")
            && logged.contains("status=201"),
        "{logged}"
    );
    assert!(
        logged.contains("route=\"/count/{value}\"")
            && logged.contains("status=401")
            && logged.contains("latency_us="),
        "{logged}"
    );
    assert!(!logged.contains(secret), "a token reached the log");
    assert!(
        !logged.contains(&"e".repeat(64)),
        "a pseudonym reached the log"
    );
}

#[test]
fn import_is_all_or_nothing_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let config = sqlite_config(dir.path());
    let run = |args: &[&str]| run_command(&config, args);
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, json!({
        "things": [{"name": "Door"}],
        "people": [{"id": 1, "name": "A", "tokens": [{"id": "t1"}]}, {"id": 2, "name": "B", "tier": 7}]
    }).to_string()).unwrap();
    let (code, _, stderr) = run(&["import", broken.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("people[1].tier: no tier with id 7; nothing was imported"),
        "{stderr}"
    );
    let (_, empty, _) = run(&["export"]);
    assert!(!empty.contains("\"Door\""), "nothing was written: {empty}");

    let good = dir.path().join("space.json");
    std::fs::write(&good, json!({
        "tiers": [{"id": 1, "name": "Standard", "price_p": 2500}],
        "things": [{"id": "D1", "name": "Door"}],
        "people": [{"id": 1, "name": "A", "tier": 1, "created": "2026-01-01", "tokens": [{"id": "t1"}]}],
        "allowed": [{"person": 1, "thing": "Door"}]
    }).to_string()).unwrap();
    let (code, stdout, stderr) = run(&["import", good.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("imported 1 tiers, 1 things"), "{stdout}");
    let exported = dir.path().join("export.json");
    assert_eq!(
        run(&["export", "--output", exported.to_str().unwrap()]).0,
        Some(0)
    );
    let first = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(run(&["import", exported.to_str().unwrap()]).0, Some(0));
    let (_, second, _) = run(&["export"]);
    assert_eq!(second, first, "export → import → export is stable");
    let parsed: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(parsed["people"][0]["created"], "2026-01-01T00:00:00Z");
}

/// POSTs `body` to `/api/access` and returns the response body.
fn post_access(address: SocketAddr, body: &str) -> String {
    let response = http(
        address,
        &format!(
            "POST /api/access HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

#[test]
fn two_servers_on_one_postgres_database_answer_a_nonce_once() {
    use offimic_hive13::client::DeviceClient;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(offimic_testkit::TestDatabase::postgres());
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), json!({"port": 0, "database": db.url}));
    let space = dir.path().join("space.json");
    std::fs::write(&space, json!({
        "things": [{"id": "MAIN", "name": "main_door"}],
        "groups": [{"name": "members", "things": ["main_door"]}],
        "people": [{"id": 1, "name": "Member", "tokens": [{"id": "1052895"}], "groups": ["members"],
                    "payments": [{"paid_on": "2020-01-01", "expires_on": "2099-01-01", "amount_p": 1}]}],
        "devices": [{"name": "door1", "key": "AAAAAAAAAAAAAAAA", "things": ["main_door"]}]
    }).to_string()).unwrap();
    assert_eq!(
        run_command(&config, &["import", space.to_str().unwrap()]).0,
        Some(0)
    );
    let (a, b) = (Process::start(&config), Process::start(&config));

    let random: Vec<i64> = (1..=16).collect();
    let mut door = DeviceClient::new("door1", b"AAAAAAAAAAAAAAAA", 2);
    let booted = post_access(
        a.address,
        &door
            .request(json!({"operation": "get_nonce"}), &random)
            .unwrap(),
    );
    door.accept(&booted, &random).unwrap();
    for round in 0..20 {
        let request = door
            .request(
                json!({"operation": "access", "badge": 1052895, "item": "main_door"}),
                &random,
            )
            .unwrap();
        let barrier = std::sync::Barrier::new(2);
        let (first, second) = std::thread::scope(|scope| {
            let one = scope.spawn(|| {
                barrier.wait();
                post_access(a.address, &request)
            });
            let two = scope.spawn(|| {
                barrier.wait();
                post_access(b.address, &request)
            });
            (one.join().unwrap(), two.join().unwrap())
        });
        let granted = [&first, &second]
            .iter()
            .filter(|body| body.contains("\"access\":true"))
            .count();
        assert_eq!(
            granted, 1,
            "round {round}: exactly one server accepts the nonce\n{first}\n{second}"
        );
        let winner = if first.contains("\"access\":true") {
            &first
        } else {
            &second
        };
        door.accept(winner, &random).unwrap();
    }
    drop((a, b));
    drop(db);
}

#[test]
fn a_statement_imported_on_the_command_line_pays_for_the_door() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let config = write_config(
        dir.path(),
        json!({"port": 0, "database": format!("sqlite://{}/offimic.db", dir.path().display()),
               "email": {"outbox_dir": outbox, "space_name": "Test Space"}}),
    );
    let run = |args: &[&str]| run_command(&config, args);
    let space = dir.path().join("space.json");
    std::fs::write(
        &space,
        json!({
            "tiers": [{"id": 3, "name": "Standard", "price_p": 3000}],
            "things": [{"id": "DOOR-1", "name": "The Door"}],
            "people": [{"id": 42, "name": "Nina Newcomer", "email": "nina@example.org", "tier": 3,
                        "tokens": [{"id": "abcd1234"}]}],
            "allowed": [{"person": 42, "thing": "The Door", "pending": true}]
        })
        .to_string(),
    )
    .unwrap();
    assert_eq!(run(&["import", space.to_str().unwrap()]).0, Some(0));

    let statement = dir.path().join("statement.ofx");
    let ofx = crate::money::ofx_statement(&[
        ("FIT-1", "30.00", "N NEWCOMER", "SM0042 BGC"),
        ("FIT-2", "12.00", "CAKE SALE", "CASH"),
    ]);
    std::fs::write(&statement, &ofx).unwrap();
    let broken = dir.path().join("broken.ofx");
    std::fs::write(&broken, ofx.replace("<TRNAMT>12.00", "<TRNAMT>twelve")).unwrap();

    let (code, _, stderr) = run(&[
        "bank",
        "import",
        statement.to_str().unwrap(),
        broken.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("broken.ofx: line ") && stderr.contains("nothing was imported"),
        "{stderr}"
    );
    assert_eq!(
        run(&["bank", "unmatched"]).1,
        "no unmatched credits\n",
        "nothing was written"
    );

    let (code, stdout, stderr) = run(&["bank", "import", statement.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("2 lines, 2 new, 1 credits for members (£30.00), 1 unmatched"),
        "{stdout}"
    );
    let (_, stdout, _) = run(&["bank", "import", statement.to_str().unwrap()]);
    assert!(stdout.contains("2 lines, 0 new"), "{stdout}");
    let (_, stdout, _) = run(&["bank", "unmatched"]);
    assert!(stdout.contains("£12.00\tCAKE SALE CASH"), "{stdout}");

    let (code, stdout, stderr) = run(&["payments", "run"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("1 members, 1 payments (£30.00), 1 emails"),
        "{stdout}"
    );
    assert!(stdout.contains("emails: 1 sent"), "{stdout}");
    let written: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect();
    assert_eq!(written.len(), 1);
    assert!(
        written[0].contains("Subject: Your Test Space membership has started"),
        "{}",
        written[0]
    );
    assert!(
        written[0].contains("To: \"Nina Newcomer\" <nina@example.org>"),
        "{}",
        written[0]
    );

    let server = Process::start(&config);
    let reply = http(
        server.address,
        "GET /verify?token=abcd1234&thing=DOOR-1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(reply.ends_with("\r\n\r\n{\"access\":1,\"person\":{\"name\":\"Nina Newcomer\"},\"inductor\":0,\"beep\":0,\"cache\":1,\"colour\":1}\n"), "{reply}");
}
