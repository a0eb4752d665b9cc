//! Three nodes on threads, a client that writes, one node stopped, more
//! writes, and every acknowledged write read back.
//!
//! Across machines or namespaces: `--node I ADDR0,ADDR1,ADDR2 DIR` runs node I
//! (listening on ADDR_I), `--client ADDRS put FROM TO` writes keys kFROM..kTO
//! and `--client ADDRS get KEY...` reads keys back.

use listing_05_26_replicated_kv::{Client, Node, Store, serve};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::{env, fs, path::Path, thread};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn node(i: usize, addrs: &[SocketAddr], dir: &Path) -> Res<Arc<Node>> {
    let peers = (addrs.iter().enumerate())
        .filter(|&(j, _)| j != i)
        .map(|(_, a)| *a)
        .collect();
    let store = Store::open(&dir.join(format!("node-{i}.log")))?;
    Ok(Arc::new(Node {
        peers,
        store: Mutex::new(store),
    }))
}

fn parse_addrs(list: &str) -> Res<Vec<SocketAddr>> {
    Ok(list.split(',').map(str::parse).collect::<Result<_, _>>()?)
}

fn main() -> Res<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args[..] {
        [] => demo(),
        ["--node", i, addrs, dir] => {
            let (i, addrs): (usize, _) = (i.parse()?, parse_addrs(addrs)?);
            let listener = TcpListener::bind(addrs.get(i).ok_or("no such node")?)?;
            let n = node(i, &addrs, Path::new(dir))?;
            println!("node {i} listening on {}", listener.local_addr()?);
            serve(listener, n, &AtomicBool::new(false))?;
            Ok(())
        }
        ["--client", addrs, "put", from, to] => {
            let mut client = Client::new(parse_addrs(addrs)?);
            for k in from.parse::<u32>()?..to.parse()? {
                match client.put(&format!("k{k}"), 1, &format!("v{k}")) {
                    Ok(()) => println!("acked k{k}"),
                    Err(e) => println!("failed k{k}: {e}"),
                }
            }
            println!("failovers {}", client.failovers);
            Ok(())
        }
        ["--client", addrs, "get", ref keys @ ..] => {
            let mut client = Client::new(parse_addrs(addrs)?);
            for key in keys {
                match client.get(key) {
                    Ok(Some(v)) => println!("{key} {v}"),
                    other => println!("missing {key}: {other:?}"),
                }
            }
            Ok(())
        }
        _ => Err(
            "usage: [--node I ADDRS DIR | --client ADDRS put FROM TO | --client ADDRS get KEY...]"
                .into(),
        ),
    }
}

fn demo() -> Res<()> {
    let dir = env::temp_dir().join(format!("kv-demo-{}", std::process::id()));
    fs::create_dir_all(&dir)?;
    let host = env::var("KV_HOST").unwrap_or("127.0.0.1".into());
    let listeners = (0..3)
        .map(|_| TcpListener::bind((host.as_str(), 0)))
        .collect::<Result<Vec<_>, _>>()?;
    let addrs = (listeners.iter().map(|l| l.local_addr())).collect::<Result<Vec<_>, _>>()?;
    let stops = [(); 3].map(|_| AtomicBool::new(false));
    let result = thread::scope(|s| -> Res<()> {
        for (i, listener) in listeners.into_iter().enumerate() {
            let n = node(i, &addrs, &dir)?;
            let stop = &stops[i];
            s.spawn(move || serve(listener, n, stop));
        }
        // ANCHOR: demo
        let mut client = Client::new(addrs.clone());
        for k in 0..10 {
            client.put(&format!("k{k}"), 1, &format!("v{k}"))?;
        }
        println!("10 writes acknowledged by node 0 and a peer");
        stops[0].store(true, Ordering::Relaxed); // node 0 stops listening
        for k in 10..20 {
            client.put(&format!("k{k}"), 1, &format!("v{k}"))?;
        }
        println!(
            "node 0 down: 10 more acknowledged after {} failover",
            client.failovers
        );
        let mut intact = 0;
        for k in 0..20 {
            if client.get(&format!("k{k}"))? == Some(format!("v{k}")) {
                intact += 1;
            }
        }
        println!("read back through nodes 1 and 2: {intact} of 20 intact");
        // ANCHOR_END: demo
        for stop in &stops {
            stop.store(true, Ordering::Relaxed);
        }
        Ok(())
    });
    fs::remove_dir_all(&dir)?;
    result
}
