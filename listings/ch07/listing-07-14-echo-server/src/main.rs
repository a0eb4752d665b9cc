use listing_07_14_echo_server::{Limits, Runtime, serve};
use std::net::SocketAddr;

// ANCHOR: main
fn main() -> std::io::Result<()> {
    let rt = Runtime::new()?;
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, addr] = args.as_slice()
        && flag == "--serve"
    {
        let addr: SocketAddr = addr.parse().expect("an address such as 127.0.0.1:7000");
        let listener = rt.bind(addr)?;
        println!("echo server on {}", listener.local_addr()?);
        rt.block_on(serve(rt.clone(), listener, Limits::default()));
        return Ok(());
    }
    // The demo: the server and 500 clients as tasks on this one thread.
    let listener = rt.bind("127.0.0.1:0".parse().unwrap())?;
    let addr = listener.local_addr()?;
    rt.spawn(serve(rt.clone(), listener, Limits::default()));
    let clients: Vec<_> = (0..500)
        .map(|i| {
            let rt2 = rt.clone();
            rt.spawn(async move {
                let mut conn = rt2.connect(addr).await?;
                let msg = format!("hello from client {i}\n");
                conn.write_all(msg.as_bytes()).await?;
                let mut buf = vec![0u8; msg.len()];
                let mut got = 0;
                while got < buf.len() {
                    match conn.read(&mut buf[got..]).await? {
                        0 => break,
                        n => got += n,
                    }
                }
                Ok::<bool, std::io::Error>(buf == msg.as_bytes())
            })
        })
        .collect();
    let intact = rt.block_on(async {
        let mut intact = 0;
        for c in clients {
            intact += c.await.unwrap_or(false) as usize;
        }
        intact
    });
    println!("{intact} of 500 clients got their message back, on one thread");
    Ok(())
}
// ANCHOR_END: main
