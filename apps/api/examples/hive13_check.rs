//! Checks a Hive13 device's name and key against a running server, as the device would: asks
//! for a nonce and verifies the signed reply. Handy after creating or rotating a key.
//!
//! ```text
//! cargo run -p offimic-api --example hive13_check -- http://127.0.0.1:4567 door1 00112233445566778899aabbccddeeff
//! ```

use offimic_hive13::client::DeviceClient;
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(device), Some(key_hex)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("usage: hive13_check URL DEVICE KEY_HEX");
        std::process::exit(2);
    };
    let Ok(key) = hex::decode(key_hex) else {
        eprintln!("hive13_check: the key is not hex");
        std::process::exit(2);
    };
    let mut client = DeviceClient::new(device, &key, 2);
    let random: Vec<i64> = rand::random::<[u8; 16]>()
        .iter()
        .map(|b| i64::from(*b))
        .collect();
    let body = client
        .request(json!({"operation": "get_nonce"}), &random)
        .expect("ASCII data signs");
    let url = format!("{}/api/access", url.trim_end_matches('/'));
    let reply = match reqwest::Client::new().post(&url).body(body).send().await {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(error) => {
            eprintln!("hive13_check: {url}: {error}");
            std::process::exit(1);
        }
    };
    match client.accept(&reply, &random) {
        Ok(data) if data["response"] == true => println!(
            "ok: {device} and its key are accepted; next nonce {}",
            client.nonce.unwrap_or_default()
        ),
        Ok(data) => {
            println!(
                "refused: {}",
                data["data"]
                    .as_str()
                    .or(data["error"].as_str())
                    .unwrap_or("no reason given")
            );
            std::process::exit(1);
        }
        Err(error) => {
            println!("refused: {error}");
            std::process::exit(1);
        }
    }
}
