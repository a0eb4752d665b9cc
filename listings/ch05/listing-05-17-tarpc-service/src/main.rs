//! Runs the Calc service on a free loopback port and calls it.
//! `--serve ADDR` (or `CALC_ADDR`) runs the server alone.

use std::time::Duration;

use listing_05_17_tarpc_service::{CalcError, MAX_FRAME, connect, serve, within};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let addr = std::env::var("CALC_ADDR").unwrap_or_else(|_| "127.0.0.1:0".into());
    if args.get(1).map(String::as_str) == Some("--serve") {
        let addr = args.get(2).cloned().unwrap_or(addr);
        let listener = TcpListener::bind(&addr).await?;
        println!("serving on {}", listener.local_addr()?);
        let (_stop, stop_rx) = oneshot::channel();
        serve(listener, stop_rx).await;
        return Ok(());
    }

    let listener = TcpListener::bind(&addr).await?;
    let addr = listener.local_addr()?.to_string();
    let (stop, stop_rx) = oneshot::channel();
    let server = tokio::spawn(serve(listener, stop_rx));
    println!("server on {addr}");

    // ANCHOR: calls
    let calc = connect(&addr).await?;
    let t = Duration::from_secs(2);
    println!(
        "add(2, 40)        = {:?}",
        calc.add(within(t), 2, 40).await?
    );
    let overflow = calc.add(within(t), i64::MAX, 1).await?;
    assert_eq!(overflow, Err(CalcError::Overflow));
    println!("add(MAX, 1)       = {overflow:?}");
    println!(
        "upper(\"rpc\")      = {:?}",
        calc.upper(within(t), "rpc".into()).await?
    );
    // The client's own codec refuses a frame over the cap: the call fails
    // locally and the connection stays usable.
    let big = calc.upper(within(t), "x".repeat(MAX_FRAME + 1)).await;
    println!("upper(65 KiB)     = {}", big.map(|s| s.len()).unwrap_err());
    println!("add(1, 1) again   = {:?}", calc.add(within(t), 1, 1).await?);
    // ANCHOR_END: calls

    let _ = stop.send(());
    server.await?;
    println!("server stopped");
    Ok(())
}
