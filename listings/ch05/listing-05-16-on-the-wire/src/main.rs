//! A call to an axum endpoint made with nothing but a TCP socket, to show
//! every byte HTTP/1.1 sends and receives, then the same call as a frame.

use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

#[derive(Serialize, Deserialize)]
struct Add {
    a: u32,
    b: u32,
}

#[derive(Serialize, Deserialize)]
struct Sum {
    sum: u32,
}

async fn add(Json(Add { a, b }): Json<Add>) -> Json<Sum> {
    Json(Sum {
        sum: a.saturating_add(b),
    })
}

/// Reads one response: headers up to the blank line, then as many body
/// bytes as `content-length` says (a real client also handles chunked).
async fn read_response(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            return Ok(buf);
        }
    }
}

fn show(what: &str, bytes: &[u8]) {
    println!("{what}, {} bytes:", bytes.len());
    for line in String::from_utf8_lossy(bytes).split("\r\n") {
        println!("  | {line}");
    }
}

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("WIRE_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(axum::serve(listener, Router::new().route("/add", post(add))).into_future());

    // The request a JSON client sends, built whole and written in one call.
    let body = serde_json::to_string(&Add { a: 40, b: 2 })?;
    let request = format!(
        "POST /add HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let response = timeout(Duration::from_secs(5), read_response(&mut stream)).await??;
    show("request", request.as_bytes());
    show("response", &response);

    // The same call as Chapter 3's frames: a 4-byte length, then postcard.
    let frame =
        |payload: Vec<u8>| [(payload.len() as u32).to_be_bytes().to_vec(), payload].concat();
    let call = frame(postcard::to_allocvec(&Add { a: 40, b: 2 })?);
    let reply = frame(postcard::to_allocvec(&Sum { sum: 42 })?);
    println!(
        "as postcard frames: request {} bytes, response {} bytes",
        call.len(),
        reply.len()
    );
    let http = request.len() + response.len();
    println!(
        "HTTP/1.1 with JSON moves {}x the bytes",
        http / (call.len() + reply.len())
    );
    Ok(())
}
// ANCHOR_END: main
