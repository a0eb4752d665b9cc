//! A thousand deposits of 1 over a network that loses each message with
//! probability 0.2 (seeded, so every run loses the same ones). Three client
//! strategies, and the memory the exactly-once one needs on the server.

use std::collections::HashMap;

/// A seeded xorshift generator: the losses are reproducible.
struct Network(u64);

impl Network {
    fn lost(&mut self) -> bool {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % 10 < 2 // 20 %
    }
}

// ANCHOR: account
/// The server: a balance, and replies remembered by idempotency key.
#[derive(Default)]
struct Account {
    balance: i64,
    seen: HashMap<u64, (i64, u64)>, // key -> (reply, time stored)
    peak_entries: usize,
    now: u64, // logical time: one tick per message received
}

impl Account {
    fn deposit(&mut self, amount: i64, key: Option<u64>, ttl: u64) -> i64 {
        self.now += 1;
        let now = self.now;
        self.seen.retain(|_, &mut (_, at)| now - at <= ttl); // expire
        if let Some(&(reply, _)) = key.and_then(|k| self.seen.get(&k)) {
            return reply; // a retry: answer again, apply nothing
        }
        self.balance += amount;
        if let Some(k) = key {
            self.seen.insert(k, (self.balance, now));
            self.peak_entries = self.peak_entries.max(self.seen.len());
        }
        self.balance
    }
}
// ANCHOR_END: account

// ANCHOR: strategies
/// What the client promises about each deposit.
#[allow(clippy::enum_variant_names)] // the names the literature uses
enum Delivery {
    AtMostOnce,
    AtLeastOnce,
    ExactlyOnce { ttl: u64 },
}

/// Returns (final balance, deposits the client saw confirmed, peak table).
fn run(delivery: Delivery) -> (i64, u32, usize) {
    let (mut net, mut account) = (Network(0x9E37_79B9_7F4A_7C15), Account::default());
    let mut confirmed = 0;
    for i in 0..1_000u64 {
        let (key, ttl, attempts) = match delivery {
            Delivery::AtMostOnce => (None, 0, 1),
            Delivery::AtLeastOnce => (None, 0, 50),
            Delivery::ExactlyOnce { ttl } => (Some(i), ttl, 50),
        };
        for attempt in 0..attempts {
            // The client backs off before a retry; the server's clock runs
            // on (other clients' messages) while it waits.
            account.now += (1u64 << attempt.min(6)) - 1;
            if net.lost() {
                continue; // the request never arrived
            }
            account.deposit(1, key, ttl);
            if !net.lost() {
                confirmed += 1; // the reply arrived
                break;
            }
        }
    }
    (account.balance, confirmed, account.peak_entries)
}
// ANCHOR_END: strategies

fn main() {
    println!("1000 deposits of 1; each message lost with probability 0.2");
    println!(
        "{:<28} {:>8} {:>10} {:>12}",
        "strategy", "balance", "confirmed", "table peak"
    );
    let entry = size_of::<(u64, (i64, u64))>();
    for (name, delivery) in [
        ("at-most-once", Delivery::AtMostOnce),
        ("at-least-once", Delivery::AtLeastOnce),
        (
            "exactly-once, keep 100000",
            Delivery::ExactlyOnce { ttl: 100_000 },
        ),
        (
            "exactly-once, keep 8 ticks",
            Delivery::ExactlyOnce { ttl: 8 },
        ),
    ] {
        let (balance, confirmed, peak) = run(delivery);
        println!("{name:<28} {balance:>8} {confirmed:>10} {peak:>12}");
    }
    println!("each table entry: {entry} bytes of payload, plus the map's overhead");
}
