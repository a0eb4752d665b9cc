use std::sync::Mutex;
use std::thread;

struct Account {
    id: u32,
    balance: Mutex<i64>,
}

// ANCHOR: transfer
/// Moves `amount` between two accounts, locking the one with the smaller id
/// first, whichever direction the money goes: no two threads can then each
/// hold the lock the other is waiting for.
fn transfer(from: &Account, to: &Account, amount: i64) {
    let (first, second) = if from.id < to.id {
        (from, to)
    } else {
        (to, from)
    };
    let mut first_balance = first.balance.lock().unwrap();
    let mut second_balance = second.balance.lock().unwrap();
    let (from_balance, to_balance) = if from.id < to.id {
        (&mut *first_balance, &mut *second_balance)
    } else {
        (&mut *second_balance, &mut *first_balance)
    };
    *from_balance -= amount;
    *to_balance += amount;
}
// ANCHOR_END: transfer

fn main() {
    let a = Account {
        id: 1,
        balance: Mutex::new(1_000_000),
    };
    let b = Account {
        id: 2,
        balance: Mutex::new(1_000_000),
    };
    thread::scope(|s| {
        s.spawn(|| (0..100_000).for_each(|_| transfer(&a, &b, 3)));
        s.spawn(|| (0..100_000).for_each(|_| transfer(&b, &a, 2)));
    });
    let (a, b) = (*a.balance.lock().unwrap(), *b.balance.lock().unwrap());
    println!(
        "after 200,000 transfers both ways: A = {a}, B = {b}, total {}",
        a + b
    );
}
