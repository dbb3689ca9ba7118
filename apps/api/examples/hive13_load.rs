//! Load generator for Hive13's signed `access`: each connection plays one device, chaining the
//! nonce from every reply into its next request and checking every reply as the firmware does.
//! For comparison it can hammer `GET /healthz` with the same connections and client.
//!
//! ```text
//! cargo run --release -p offimic-api --example hive13_load -- URL DEVICE_PREFIX DEVICES SECONDS [healthz]
//! ```
//! Devices are named `<prefix>0` … `<prefix>N-1`, all with the key `AAAAAAAAAAAAAAAA`, serving
//! `main_door`, which badge 1052895 may open.

use std::time::{Duration, Instant};

use offimic_hive13::client::DeviceClient;
use serde_json::json;

const KEY: &[u8] = b"AAAAAAAAAAAAAAAA";

/// Sends `data` as `device` and returns the verified reply.
async fn exchange(
    http: &reqwest::Client,
    url: &str,
    device: &mut DeviceClient,
    data: serde_json::Value,
    random: &[i64],
) -> serde_json::Value {
    let body = device.request(data, random).unwrap();
    let reply = http
        .post(format!("{url}/api/access"))
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    device.accept(&reply, random).expect("a valid signed reply")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: hive13_load URL DEVICE_PREFIX DEVICES SECONDS [healthz]";
    let (Some(url), Some(prefix), Some(devices), Some(seconds)) =
        (args.get(1), args.get(2), args.get(3), args.get(4))
    else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let devices: usize = devices.parse().expect("DEVICES is a number");
    let seconds: u64 = seconds.parse().expect("SECONDS is a number");
    let healthz = args.get(5).is_some_and(|a| a == "healthz");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for index in 0..devices {
        let url = url.trim_end_matches('/').to_owned();
        let name = format!("{prefix}{index}");
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let random: Vec<i64> = (1..=16).collect();
            let mut device = DeviceClient::new(&name, KEY, 2);
            let mut done = 0u64;
            if !healthz {
                exchange(
                    &http,
                    &url,
                    &mut device,
                    json!({"operation": "get_nonce"}),
                    &random,
                )
                .await;
            }
            while Instant::now() < deadline {
                if healthz {
                    let status = http
                        .get(format!("{url}/healthz"))
                        .send()
                        .await
                        .unwrap()
                        .status();
                    assert!(status.is_success());
                } else {
                    let access =
                        json!({"operation": "access", "badge": 1052895, "item": "main_door"});
                    let data = exchange(&http, &url, &mut device, access, &random).await;
                    assert_eq!(data["access"], true, "{data}");
                }
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    println!("{:.0}", total as f64 / seconds as f64);
}
