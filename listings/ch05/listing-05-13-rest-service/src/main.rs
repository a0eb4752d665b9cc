//! Runs the inventory service on a free port, drives it with the typed
//! client and with raw requests a careless client might send, then shuts
//! it down gracefully. `--serve ADDR` runs the server alone (try it with curl).

use listing_05_13_rest_service::{Client, ClientError};
use listing_05_13_rest_service::{NewItem, app, serve};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

fn show(what: &str, result: Result<String, ClientError>) {
    match result {
        Ok(text) => println!("{what:<34} -> {text}"),
        Err(e @ ClientError::Api { .. }) => println!("{what:<34} -> {e}"),
        Err(other) => println!("{what:<34} -> unexpected: {other}"),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    if let (Some(flag), Some(addr)) = (args.next(), args.next())
        && flag == "--serve"
    {
        let listener = TcpListener::bind(&addr).await?;
        println!("serving on http://{}", listener.local_addr()?);
        let ctrl_c = async { tokio::signal::ctrl_c().await.unwrap_or(()) };
        serve(listener, app(), ctrl_c).await?;
        return Ok(());
    }

    let addr = std::env::var("INVENTORY_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    let listener = TcpListener::bind(&addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("inventory service on {base}");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app(), async {
        stopped.await.unwrap_or(())
    }));

    let client = Client::new(&base, Duration::from_secs(5))?;
    let bolts = NewItem {
        name: "bolts".into(),
        quantity: 40,
    };
    let created = client.create(&bolts).await;
    let id = created.as_ref().map(|(item, _)| item.id).unwrap_or(0);
    show(
        "POST /items bolts",
        created.map(|(i, loc)| format!("201, Location {loc}, {i:?}")),
    );
    show(
        "GET /items/1",
        client.get(id).await.map(|i| format!("200, {i:?}")),
    );
    show(
        "POST /items bolts again",
        client.create(&bolts).await.map(|_| "201".into()),
    );
    let empty = NewItem {
        name: " ".into(),
        quantity: 1,
    };
    show(
        "POST /items with an empty name",
        client.create(&empty).await.map(|_| "201".into()),
    );
    let more = NewItem {
        name: "bolts".into(),
        quantity: 75,
    };
    show(
        "PUT /items/1 quantity 75",
        client
            .replace(id, &more)
            .await
            .map(|i| format!("200, {i:?}")),
    );
    show(
        "DELETE /items/1",
        client.delete(id).await.map(|_| "204".into()),
    );
    show("GET /items/1", client.get(id).await.map(|_| "200".into()));

    // What a careless client sends: every answer is still the same JSON shape.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?;
    let items = format!("{base}/items");
    let json = "application/json";
    let bad: [(&str, &str, String); 4] = [
        ("malformed JSON", json, r#"{"name": "nuts","#.into()),
        (
            "a string for quantity",
            json,
            r#"{"name": "nuts", "quantity": "ten"}"#.into(),
        ),
        (
            "no content type",
            "text/plain",
            r#"{"name": "nuts", "quantity": 10}"#.into(),
        ),
        (
            "a 1 MiB body",
            json,
            format!(r#"{{"name": "{}", "quantity": 1}}"#, "n".repeat(1 << 20)),
        ),
    ];
    for (what, content_type, body) in bad {
        let response = http
            .post(&items)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let kind = response.headers()["content-type"].to_str()?.to_string();
        let text = response.text().await?;
        let error: serde_json::Value = serde_json::from_str(&text)?;
        println!("{what:<34} -> {status}, {kind}, error {}", error["error"]);
    }

    stop.send(()).ok();
    server.await??;
    println!("server stopped after its requests in flight finished");
    Ok(())
}
