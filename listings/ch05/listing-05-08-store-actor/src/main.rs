use listing_05_08_store_actor::StoreHandle;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::timeout;

#[tokio::main]
async fn main() {
    let (store, actor) = StoreHandle::spawn(64);

    // A thousand tasks, each with its own clone of the handle.
    let mut callers = JoinSet::new();
    for i in 0..1_000 {
        let store = store.clone();
        let key = if i % 2 == 0 { "even" } else { "odd" };
        callers.spawn(async move { store.add(key, 1).await });
    }
    let mut errors = 0;
    while let Some(result) = callers.join_next().await {
        if !matches!(result, Ok(Ok(_))) {
            errors += 1;
        }
    }
    println!("1000 concurrent callers, {errors} errors");
    println!("even = {:?}", store.get("even").await);
    println!("odd = {:?}", store.get("odd").await);
    println!("missing = {:?}", store.get("missing").await);

    // The last handle goes: the actor's `recv` returns `None` and it ends.
    drop(store);
    match timeout(Duration::from_secs(5), actor).await {
        Ok(Ok(())) => println!("every handle dropped: the actor has ended"),
        other => println!("the actor did not end cleanly: {other:?}"),
    }
}
