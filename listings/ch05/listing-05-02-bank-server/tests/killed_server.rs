//! A server process killed mid-request: the client gets an error before its
//! deadline, and works again once a server listens on the same address.

use listing_05_02_bank_server::{Client, ClientError, new_key};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpSocket;

/// Starts the listing's binary with `--serve addr`; returns it and its address.
fn spawn_server(addr: &str, delay_ms: u64) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_listing-05-02-bank-server"))
        .args(["--serve", addr])
        .env("BANK_OP_DELAY_MS", delay_ms.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("server started");
    let addr = line.trim().rsplit(' ').next().unwrap().to_string();
    (child, addr)
}

#[tokio::test]
async fn client_fails_within_its_deadline_then_recovers() {
    let (mut server, addr) = spawn_server("127.0.0.1:0", 5_000);
    let deadline = Duration::from_secs(3);
    let mut client = Client::connect(&addr, deadline, deadline).await.unwrap();
    let call = tokio::spawn(async move { client.deposit("a", 1, new_key()).await });
    // The pause makes it likely that the server is inside its 5 s operation
    // when it dies; the assertions below hold whichever comes first, because
    // a dead process's sockets are closed by its kernel either way.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill().unwrap();
    server.wait().unwrap();
    // Hold the port with a socket that is bound but not listening: connects
    // are refused, and no client can be handed this port as its ephemeral
    // port and connect to itself. SO_REUSEADDR lets the next server bind it.
    let reserved = TcpSocket::new_v4().unwrap();
    reserved.set_reuseaddr(true).unwrap();
    reserved.bind(addr.parse().unwrap()).unwrap();

    let err = call
        .await
        .unwrap()
        .expect_err("no reply from a killed server");
    assert!(err.is_transient(), "{err}");
    // Learnt from the closed connection, before the deadline ran out.
    assert!(!matches!(err, ClientError::Timeout(_)), "{err}");

    // While it is down: a prompt, transient connect error.
    let down = Client::connect(&addr, deadline, deadline).await;
    assert!(matches!(down, Err(ClientError::Connect(_))));

    // Back on the same address: the client works again.
    let (mut server, again) = spawn_server(&addr, 0);
    drop(reserved);
    assert_eq!(again, addr);
    let mut client = Client::connect(&addr, deadline, deadline).await.unwrap();
    assert_eq!(client.deposit("a", 7, new_key()).await.unwrap(), 7);
    server.kill().unwrap();
    server.wait().unwrap();
}
