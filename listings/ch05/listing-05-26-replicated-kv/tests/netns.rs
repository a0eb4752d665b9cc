//! The three nodes in three network namespaces joined by a bridge, the client
//! in a fourth. One node's link is cut, then another node is killed; the
//! client times out, retries elsewhere, and every acknowledged write is read
//! back. Needs root and `ip netns`; otherwise it says why and returns, unless
//! BOOK_REQUIRE_NETNS=1 (set on CI) makes that a failure.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_listing-05-26-replicated-kv");

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Everything the test creates, removed in `drop` even if the test fails.
/// The bridge lives in a namespace of its own, so the host's firewall and
/// interfaces never see the test's traffic, and deleting the namespaces
/// removes every link with them.
struct Net {
    /// Namespaces of nodes 0..3, then the client's.
    namespaces: Vec<String>,
    /// The namespace that holds the bridge and the host ends of the links.
    switch: String,
    nodes: Vec<Option<Child>>,
    dir: std::path::PathBuf,
}

impl Net {
    fn ns(&self, i: usize) -> &str {
        &self.namespaces[i]
    }
    /// Sets node `i`'s link at the bridge up or down: a cut cable.
    fn link(&self, i: usize, state: &str) -> Result<(), String> {
        ip(&["-n", &self.switch, "link", "set", &format!("h{i}"), state])
    }
    fn addr(&self, i: usize) -> String {
        format!("10.77.0.{}", i + 1)
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for child in self.nodes.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
        for ns in self.namespaces.iter().chain([&self.switch]) {
            let _ = ip(&["netns", "del", ns]); // and every link inside it
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A name no other run uses, even one that reused this pid after being
/// killed before it could clean up.
fn unique_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("kv{}-{nanos}", std::process::id())
}

fn setup() -> Result<Net, String> {
    let tag = unique_tag();
    let dir = std::env::temp_dir().join(format!("{tag}-netns"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut net = Net {
        namespaces: Vec::new(),
        switch: format!("{tag}-sw"),
        nodes: Vec::new(),
        dir,
    };
    ip(&["netns", "add", &net.switch])?;
    let sw = net.switch.clone();
    ip(&["-n", &sw, "link", "add", "br0", "type", "bridge"])?;
    ip(&["-n", &sw, "link", "set", "br0", "up"])?;
    for i in 0..4 {
        // Nodes 0..3, then the client. Link names are per namespace, so
        // they need no tag.
        let ns = format!("{tag}-{i}");
        ip(&["netns", "add", &ns])?;
        net.namespaces.push(ns.clone());
        let (host, inner) = (format!("h{i}"), format!("n{i}"));
        ip(&[
            "-n", &sw, "link", "add", &host, "type", "veth", "peer", "name", &inner, "netns", &ns,
        ])?;
        ip(&["-n", &sw, "link", "set", &host, "master", "br0"])?;
        ip(&["-n", &sw, "link", "set", &host, "up"])?;
        let cidr = format!("{}/24", net.addr(i));
        ip(&["-n", &ns, "addr", "add", &cidr, "dev", &inner])?;
        ip(&["-n", &ns, "link", "set", &inner, "up"])?;
        ip(&["-n", &ns, "link", "set", "lo", "up"])?;
    }
    Ok(net)
}

/// Runs a command with a deadline; kills it if it overruns.
fn run_bounded(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("command overran {limit:?}");
        }
    }
}

fn client(net: &Net, addrs: &str, args: &[&str]) -> String {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", net.ns(3), BIN, "--client", addrs])
        .args(args);
    let out = run_bounded(cmd, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn acked(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.strip_prefix("acked ").map(str::to_string))
        .collect()
}

fn failovers(out: &str) -> u64 {
    out.lines()
        .find_map(|l| l.strip_prefix("failovers ")?.parse().ok())
        .unwrap()
}

#[test]
fn nodes_in_namespaces_survive_a_cut_link_and_a_killed_node() {
    let required = std::env::var("BOOK_REQUIRE_NETNS").as_deref() == Ok("1");
    let probe = format!("{}-probe", unique_tag());
    let available = ip(&["netns", "add", &probe]).and_then(|_| ip(&["netns", "del", &probe]));
    if let Err(why) = available {
        assert!(!required, "BOOK_REQUIRE_NETNS=1 but namespaces fail: {why}");
        eprintln!("skipped: network namespaces unavailable ({why})");
        return;
    }
    let mut net = setup().expect("namespaces and links");
    let addrs = (0..3)
        .map(|i| format!("{}:7000", net.addr(i)))
        .collect::<Vec<_>>()
        .join(",");
    for i in 0..3 {
        let dir = net.dir.to_str().unwrap().to_string();
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                net.ns(i),
                BIN,
                "--node",
                &i.to_string(),
                &addrs,
                &dir,
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        net.nodes.push(Some(child));
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("node starts");
        assert!(line.starts_with(&format!("node {i} listening")), "{line}");
    }
    let mut all_acked = acked(&client(&net, &addrs, &["put", "0", "20"]));
    assert_eq!(all_acked.len(), 20);

    // Cut node 0 off: its clients time out and move to the next node.
    net.link(0, "down").unwrap();
    let out = client(&net, &addrs, &["put", "20", "40"]);
    assert!(failovers(&out) >= 1, "{out}");
    all_acked.extend(acked(&out));
    assert_eq!(all_acked.len(), 40, "nodes 1 and 2 are a majority");

    // Reconnect node 0, kill node 1 (SIGKILL, no goodbye).
    net.link(0, "up").unwrap();
    let mut killed = net.nodes[1].take().unwrap();
    killed.kill().unwrap();
    killed.wait().unwrap();
    let out = client(&net, &addrs, &["put", "40", "60"]);
    all_acked.extend(acked(&out));
    assert_eq!(all_acked.len(), 60, "nodes 0 and 2 are a majority");

    // Every acknowledged write is readable through the two survivors, even
    // those node 0 missed while it was cut off.
    let mut args = vec!["get"];
    args.extend(all_acked.iter().map(String::as_str));
    let out = client(&net, &addrs, &args);
    for key in &all_acked {
        let want = format!("{key} v{}", &key[1..]);
        assert!(out.lines().any(|l| l == want), "{key} lost:\n{out}");
    }
}
