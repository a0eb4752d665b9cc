use listing_07_13_reactor::Runtime;
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let rt = Runtime::new()?;
    // Timers: spawned in one order, they finish in deadline order.
    let order = Rc::new(RefCell::new(Vec::new()));
    for (name, ms) in [("a", 30), ("b", 10), ("c", 20)] {
        let (rt2, order) = (rt.clone(), order.clone());
        rt.spawn(async move {
            rt2.sleep(Duration::from_millis(ms)).await;
            order.borrow_mut().push(name);
        });
    }
    let addr: SocketAddr = std::env::var("ECHO_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:0".into())
        .parse()
        .expect("ECHO_ADDR: an address such as 127.0.0.1:7000");
    let listener = rt.bind(addr)?;
    let addr = listener.local_addr()?;
    // A one-connection echo server, as a task.
    rt.spawn(async move {
        let (mut conn, _) = listener.accept().await?;
        let mut buf = [0u8; 1024];
        loop {
            match conn.read(&mut buf).await? {
                0 => return Ok::<_, std::io::Error>(()),
                n => conn.write_all(&buf[..n]).await?,
            }
        }
    });
    let r = rt.clone();
    rt.block_on(async move {
        let mut client = r.connect(addr).await?;
        client.write_all(b"hello, reactor").await?;
        let mut buf = [0u8; 64];
        let n = client.read(&mut buf).await?;
        println!(
            "echoed {:?} over {addr}",
            String::from_utf8_lossy(&buf[..n])
        );
        // Nothing more will come: the timeout ends the wait.
        let silent = r
            .timeout(Duration::from_millis(50), client.read(&mut buf))
            .await;
        println!("read with a 50 ms timeout on a quiet socket: {silent:?}");
        r.sleep(Duration::from_millis(40)).await;
        println!("timers finished in deadline order: {:?}", order.borrow());
        Ok(())
    })
}
