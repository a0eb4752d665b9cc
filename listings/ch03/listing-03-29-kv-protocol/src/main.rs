//! Starts the key-value server and runs one client session against it.

use listing_03_29_kv_protocol::{Client, Config, Request, Server};
use std::time::Duration;

// ANCHOR: main
fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Port 0 lets the kernel choose a free port; pass an address (or set
    // KV_ADDR) to choose one yourself.
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("KV_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let config = Config::default();
    let max = config.max_frame;
    let addr = Server::bind(addr, config)?.spawn()?;
    println!("server listening on {addr}");

    let mut client = Client::connect(addr, max, Duration::from_secs(5))?;
    let key = |k: &str| k.as_bytes().to_vec();
    for request in [
        Request::Put {
            key: key("lang"),
            value: key("rust"),
        },
        Request::Get { key: key("lang") },
        Request::Get {
            key: key("missing"),
        },
        Request::Delete { key: key("lang") },
        Request::Get { key: key("lang") },
    ] {
        let response = client.call(&request)?;
        println!("> {:<18} < {response}", request.to_string());
    }

    // A well-formed frame holding a message type the server does not know.
    client.send_raw(&[0, 0, 0, 1, 0x7f])?;
    println!("> {:<18} < {}", "type byte 127", client.read_response()?);
    println!("connection closed by the server: {}", client.is_closed());
    Ok(())
}
// ANCHOR_END: main
