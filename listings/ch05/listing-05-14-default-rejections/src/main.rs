//! The same kind of endpoint with axum's plain `Json` extractor: its
//! rejections are text, so a client that expects JSON errors cannot read them.

use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use std::time::Duration;
use tokio::net::TcpListener;

#[derive(Deserialize)]
#[allow(dead_code)] // the fields are read only by the deserialiser here
struct NewItem {
    name: String,
    quantity: u32,
}

/// The shape the client expects every error to have.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ErrorBody {
    error: String,
    message: String,
}

// ANCHOR: main
async fn create(Json(_item): Json<NewItem>) -> &'static str {
    "created"
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("REJECTIONS_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let listener = TcpListener::bind(addr).await?;
    let url = format!("http://{}/items", listener.local_addr()?);
    let app = Router::new().route("/items", post(create));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?;
    let json = "application/json";
    for (content_type, body) in [
        (json, r#"{"name": "nuts","#),
        (json, r#"{"name": "nuts", "quantity": "ten"}"#),
        ("text/plain", r#"{"name": "nuts", "quantity": 10}"#),
    ] {
        let response = http
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let kind = response.headers()["content-type"].to_str()?.to_string();
        let text = response.text().await?;
        println!("{status}, {kind}\n  body: {text}");
        // What a client written against a JSON API does with it:
        match serde_json::from_str::<ErrorBody>(&text) {
            Ok(error) => println!("  client reads: {error:?}"),
            Err(e) => println!("  client cannot read the error: {e}"),
        }
    }
    Ok(())
}
// ANCHOR_END: main
