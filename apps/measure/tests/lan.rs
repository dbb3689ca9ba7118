//! End to end on a real LAN: network namespaces with a bridge and five hosts with chosen MACs,
//! the real `arp-scan`, the real `offimic-measure` and the real `offimic-api` inside the LAN's
//! namespace. Needs root (to create namespaces) and arp-scan; CI provides both. All traffic stays
//! inside the namespaces this test creates.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use offimic_presence::{Mac, Pseudonymiser};
use serde_json::{Value, json};

const MEASURE: &str = env!("CARGO_BIN_EXE_offimic-measure");
const API_PORT: u16 = 4567;
const SUBNET: &str = "10.77.0";

/// The hosts on the LAN: (MAC, counted?). One is on the agent's ignore-list by its OUI, one
/// has a locally administered (randomised) address.
const HOSTS: [(&str, bool); 5] = [
    ("00:1b:63:00:00:01", true),
    ("00:1b:63:00:00:02", true),
    ("5a:11:22:33:44:55", true),
    ("00:15:5d:aa:bb:cc", false),
    ("00:50:56:00:00:05", true),
];

fn api_binary() -> PathBuf {
    let path = Path::new(MEASURE).with_file_name("offimic-api");
    assert!(
        path.exists(),
        "{} is missing: run the workspace's tests (cargo test --workspace), which build it",
        path.display()
    );
    path
}

fn ip(args: &[&str]) {
    let output = Command::new("ip")
        .args(args)
        .output()
        .expect("iproute2's ip");
    assert!(
        output.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The LAN: a namespace holding a bridge, and one namespace per host plugged into it.
struct Lan {
    name: String,
    hosts: Vec<String>,
}

impl Lan {
    fn create() -> Self {
        assert_eq!(
            unsafe { libc::geteuid() },
            0,
            "this test creates network namespaces and must run as root"
        );
        let id = std::process::id() % 100_000;
        let name = format!("om-lan-{id}");
        let lan = Lan {
            name: name.clone(),
            hosts: Vec::new(),
        };
        ip(&["netns", "add", &name]);
        ip(&["-n", &name, "link", "set", "lo", "up"]);
        ip(&["-n", &name, "link", "add", "br0", "type", "bridge"]);
        ip(&[
            "-n",
            &name,
            "addr",
            "add",
            &format!("{SUBNET}.1/24"),
            "dev",
            "br0",
        ]);
        ip(&["-n", &name, "link", "set", "br0", "up"]);
        let mut lan = lan;
        for (index, (mac, _)) in HOSTS.iter().enumerate() {
            let host = format!("om-h{index}-{id}");
            ip(&["netns", "add", &host]);
            lan.hosts.push(host.clone());
            let port = format!("port{index}");
            ip(&[
                "-n", &name, "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns",
                &host,
            ]);
            ip(&["-n", &name, "link", "set", &port, "master", "br0", "up"]);
            ip(&["-n", &host, "link", "set", "eth0", "address", mac]);
            ip(&[
                "-n",
                &host,
                "addr",
                "add",
                &format!("{SUBNET}.{}/24", 10 + index),
                "dev",
                "eth0",
            ]);
            ip(&["-n", &host, "link", "set", "eth0", "up"]);
            ip(&["-n", &host, "link", "set", "lo", "up"]);
        }
        lan
    }

    fn exec(&self, program: &Path) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name]).arg(program);
        command
    }

    /// Runs `f` on a thread that has entered the LAN's namespace, so its sockets live there.
    fn inside<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/run/netns/{}", self.name);
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let namespace = File::open(&path).unwrap();
                    let entered = unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) };
                    assert_eq!(entered, 0, "setns into {path}");
                    f()
                })
                .join()
                .unwrap()
        })
    }

    /// GET over HTTP/1.0 (so the body is not chunked) from inside the LAN; returns the JSON body.
    fn get(&self, path: &str, token: &str) -> Value {
        self.inside(|| {
            let mut stream = TcpStream::connect(("127.0.0.1", API_PORT)).unwrap();
            write!(
                stream,
                "GET {path} HTTP/1.0\r\nAuthorization: Bearer {token}\r\n\r\n"
            )
            .unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            let (head, body) = response.split_once("\r\n\r\n").unwrap();
            assert!(
                head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
                "{head}"
            );
            serde_json::from_str(body).unwrap()
        })
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        for name in self.hosts.iter().chain(std::iter::once(&self.name)) {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

/// `offimic-api serve` inside the LAN.
struct Server {
    child: Child,
}

impl Server {
    fn start(lan: &Lan, config: &Path) -> Self {
        let mut child = lan
            .exec(&api_binary())
            .arg("--config")
            .arg(config)
            .arg("serve")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let line = rx
                .recv_timeout(deadline - Instant::now())
                .expect("offimic-api starts and logs its address");
            if line.contains("address=") {
                break;
            }
        }
        Server { child }
    }

    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(self.child.wait().unwrap().code(), Some(0));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn measure(lan: &Lan, config: &Path, args: &[&str]) -> Output {
    lan.exec(Path::new(MEASURE))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn five_hosts_are_counted_pseudonymised_and_spooled_through_an_outage() {
    let lan = Lan::create();
    let dir = tempfile::tempdir().unwrap();
    let api_config = dir.path().join("api.json");
    std::fs::write(
        &api_config,
        json!({"port": API_PORT, "trusted_writers": [],
               "database": format!("sqlite://{}/offimic.db", dir.path().display())})
        .to_string(),
    )
    .unwrap();
    let create_token = |name: &str, scope: &str| {
        let output = Command::new(api_binary())
            .arg("--config")
            .arg(&api_config)
            .args(["token", "create", "--name", name, "--scope", scope])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout).trim().to_owned()
    };
    let measure_token = create_token("hackspace-lan", "measure");
    let admin_token = create_token("operator", "admin");

    let key_file = dir.path().join("site.key");
    let spool = dir.path().join("spool");
    let agent_config = dir.path().join("measure.json");
    std::fs::write(
        &agent_config,
        json!({"host": "127.0.0.1", "port": API_PORT.to_string(), "token": measure_token,
               "interface": "br0", "timeout": 300, "retry": 2, "ignore": ["00:15:5D"],
               "key_file": key_file, "spool_dir": spool})
        .to_string(),
    )
    .unwrap();

    // `scan` sends nothing and prints only pseudonyms.
    let scan = measure(&lan, &agent_config, &["scan"]);
    assert!(scan.status.success(), "{}", text(&scan.stderr));
    let printed = text(&scan.stdout);
    assert!(printed.starts_with("4 devices (1 ignored)\n"), "{printed}");
    for (mac, _) in HOSTS {
        assert!(!printed.contains(mac), "scan printed a MAC address");
    }

    let key_text = std::fs::read_to_string(&key_file).unwrap();
    let key: [u8; 32] = hex::decode(key_text.trim()).unwrap().try_into().unwrap();
    let pseudonymiser = Pseudonymiser::keyed(key);
    let pseudonym = |mac: &str| {
        pseudonymiser
            .pseudonym(&mac.parse::<Mac>().unwrap())
            .to_string()
    };
    let mut expected: Vec<String> = HOSTS
        .iter()
        .filter(|(_, counted)| *counted)
        .map(|(mac, _)| pseudonym(mac))
        .collect();
    expected.sort();

    let base = offimic_occupancy::slot_start(jiff::Timestamp::now()).as_second() - 6 * 3600;
    let slot = |n: i64| {
        jiff::Timestamp::from_second(base + n * 600)
            .unwrap()
            .to_string()
    };

    // 1. Server up: the scan is stored with its four pseudonyms.
    let server = Server::start(&lan, &api_config);
    let sent = measure(&lan, &agent_config, &["send", "--at", &slot(0)]);
    assert_eq!(sent.status.code(), Some(0), "{}", text(&sent.stderr));
    assert!(
        text(&sent.stdout).contains("stored 4"),
        "{}",
        text(&sent.stdout)
    );
    let devices = lan.get("/api/v1/occupancy/devices", &admin_token);
    let mut stored: Vec<String> = devices["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["pseudonym"].as_str().unwrap().to_owned())
        .collect();
    stored.sort();
    assert_eq!(stored, expected, "exactly the counted hosts, by pseudonym");
    let local: Vec<&Value> = devices["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["local"] == true)
        .collect();
    assert_eq!(local.len(), 1);
    assert_eq!(
        local[0]["pseudonym"],
        pseudonym("5a:11:22:33:44:55").as_str()
    );
    let database = std::fs::read(dir.path().join("offimic.db")).unwrap();
    for (mac, _) in HOSTS {
        let bare = mac.replace(':', "");
        let raw = String::from_utf8_lossy(&database);
        assert!(
            !raw.contains(mac) && !raw.contains(&bare),
            "a raw MAC reached the database"
        );
    }

    // 2. Server down: the agent measures, spools, and says so.
    server.stop();
    let spooled = measure(&lan, &agent_config, &["send", "--at", &slot(1)]);
    assert_eq!(spooled.status.code(), Some(75), "{}", text(&spooled.stderr));
    assert_eq!(std::fs::read_dir(&spool).unwrap().count(), 1);

    // 3. Server back: the next run delivers the spooled slot, then its own.
    let server = Server::start(&lan, &api_config);
    let caught_up = measure(&lan, &agent_config, &["send", "--at", &slot(2)]);
    assert_eq!(
        caught_up.status.code(),
        Some(0),
        "{}",
        text(&caught_up.stderr)
    );
    assert!(text(&caught_up.stdout).contains("delivered from the spool"));
    assert_eq!(
        std::fs::read_dir(&spool)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_file())
            .count(),
        0
    );

    // 4. A retry of a slot already stored changes nothing.
    let retried = measure(&lan, &agent_config, &["send", "--at", &slot(2)]);
    assert_eq!(retried.status.code(), Some(0));
    assert!(text(&retried.stdout).contains("already stored"));

    // 5. A broken scanner is a gap, reported as such, with a non-zero exit.
    let broken_config = dir.path().join("broken.json");
    let mut broken: Value =
        serde_json::from_str(&std::fs::read_to_string(&agent_config).unwrap()).unwrap();
    broken["arp_scan"] = "/nonexistent/arp-scan".into();
    std::fs::write(&broken_config, broken.to_string()).unwrap();
    let failed = measure(&lan, &broken_config, &["send", "--at", &slot(3)]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        text(&failed.stderr).contains("not installed"),
        "{}",
        text(&failed.stderr)
    );

    let history = lan.get("/history", &admin_token);
    let rows = history["body"].as_array().unwrap();
    let counts: Vec<&Value> = rows.iter().map(|r| &r["count"]).collect();
    assert_eq!(
        counts,
        [&json!(4), &json!(4), &json!(4), &Value::Null],
        "every slot once, the failure a gap"
    );
    server.stop();
}
