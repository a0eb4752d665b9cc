use listing_05_10_supervisor::{ActorGone, Budget, Counter};
use std::time::Duration;
use tokio::time::timeout;

/// Overflows the count, whatever it is: the actor panics.
async fn crash(counter: &Counter) -> Result<u64, ActorGone> {
    counter.add(1).await?;
    counter.add(u64::MAX).await
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Keep the panic messages short: one line per crash.
    std::panic::set_hook(Box::new(|_| println!("  (the actor panicked)")));
    let budget = Budget {
        restarts: 3,
        within: Duration::from_secs(10),
    };
    let (counter, supervisor) = Counter::spawn(16, budget);

    println!("add 5: {:?}", counter.add(5).await);
    println!("crash 1: {:?}", crash(&counter).await);
    // Same handle, new actor: the count started again from zero.
    println!("add 5 after the restart: {:?}", counter.add(5).await);

    // Three more crashes in quick succession: the fourth within 10 s
    // exceeds the budget of three restarts.
    for n in 2..=4 {
        println!("crash {n}: {:?}", crash(&counter).await);
    }
    println!("add 5 after giving up: {:?}", counter.add(5).await);
    let ended = timeout(Duration::from_secs(5), supervisor).await;
    println!("supervisor: {:?}", ended.unwrap().unwrap());
}
