//! A real SMTP listener for tests: it speaks enough SMTP for a client to deliver (greeting,
//! EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) on a port-0 socket, and
//! hands each accepted message to the test. It can turn away the first connections with a
//! temporary failure, as a busy relay does.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One message as the listener received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

pub struct SmtpListener {
    pub port: u16,
    pub messages: mpsc::UnboundedReceiver<Received>,
}

impl SmtpListener {
    /// Listens on 127.0.0.1; the first `refuse_first` connections get `421` and are closed.
    pub async fn start(refuse_first: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, messages) = mpsc::unbounded_channel();
        let refused = Arc::new(AtomicUsize::new(0));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let tx = tx.clone();
                let refuse = refused.fetch_add(1, Ordering::SeqCst) < refuse_first;
                tokio::spawn(async move {
                    let _ = session(stream, refuse, tx).await;
                });
            }
        });
        Self { port, messages }
    }

    /// The next message, waiting up to `seconds` for the server to send one.
    pub async fn next(&mut self, seconds: u64) -> Received {
        tokio::time::timeout(
            std::time::Duration::from_secs(seconds),
            self.messages.recv(),
        )
        .await
        .expect("an email arrives in time")
        .expect("the listener is running")
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    refuse: bool,
    tx: mpsc::UnboundedSender<Received>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if refuse {
        write
            .write_all(b"421 test.invalid busy, try again later\r\n")
            .await?;
        return Ok(());
    }
    write
        .write_all(b"220 test.invalid ESMTP offimic-test\r\n")
        .await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-test.invalid\r\n250 8BITMIME\r\n",
            "HELO" | "NOOP" => b"250 OK\r\n",
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                b"250 OK\r\n"
            }
            "MAIL" => {
                from = command[5..]
                    .trim()
                    .trim_start_matches("FROM:")
                    .trim()
                    .to_owned();
                b"250 OK\r\n"
            }
            "RCPT" => {
                to.push(
                    command[5..]
                        .trim()
                        .trim_start_matches("TO:")
                        .trim()
                        .to_owned(),
                );
                b"250 OK\r\n"
            }
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let _ = tx.send(Received {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}
