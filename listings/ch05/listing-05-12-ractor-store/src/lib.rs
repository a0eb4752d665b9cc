//! Listing 5-8's store written for ractor. The framework owns the mailbox,
//! the loop and the reply channels; the code says what a message does.

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};
use std::collections::HashMap;
use std::time::{Duration, Instant};

// ANCHOR: store
pub enum StoreMsg {
    /// A call: the reply port is ractor's oneshot sender.
    Add(String, u64, RpcReplyPort<u64>),
    Get(String, RpcReplyPort<Option<u64>>),
    /// A cast: no reply.
    Clear,
}

pub struct Store;

impl Actor for Store {
    type Msg = StoreMsg;
    type State = HashMap<String, u64>;
    type Arguments = ();

    async fn pre_start(
        &self,
        _: ActorRef<StoreMsg>,
        _: (),
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(HashMap::new())
    }

    async fn handle(
        &self,
        _myself: ActorRef<StoreMsg>,
        message: StoreMsg,
        counts: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            StoreMsg::Add(key, by, reply) => {
                let count = counts.entry(key).or_default();
                // An error (or a panic) here fails the actor: ractor stops
                // it and tells its supervisor.
                *count = count.checked_add(by).ok_or("counter overflow")?;
                let _ = reply.send(*count);
            }
            StoreMsg::Get(key, reply) => {
                let _ = reply.send(counts.get(&key).copied());
            }
            StoreMsg::Clear => counts.clear(),
        }
        Ok(())
    }
}
// ANCHOR_END: store

// ANCHOR: supervisor
/// Starts a `Store` linked to itself and restarts it when it fails, at most
/// `restarts` times within `within`; then it stops, and the store with it.
pub struct Supervisor {
    pub restarts: usize,
    pub within: Duration,
}

pub enum SupervisorMsg {
    /// The store that is running now.
    Current(RpcReplyPort<ActorRef<StoreMsg>>),
}

pub struct SupervisorState {
    store: ActorRef<StoreMsg>,
    recent: Vec<Instant>,
}

impl Actor for Supervisor {
    type Msg = SupervisorMsg;
    type State = SupervisorState;
    type Arguments = ();

    async fn pre_start(
        &self,
        me: ActorRef<SupervisorMsg>,
        _: (),
    ) -> Result<SupervisorState, ActorProcessingErr> {
        let (store, _) = Actor::spawn_linked(None, Store, (), me.get_cell()).await?;
        Ok(SupervisorState {
            store,
            recent: Vec::new(),
        })
    }

    async fn handle(
        &self,
        _: ActorRef<SupervisorMsg>,
        message: SupervisorMsg,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        let SupervisorMsg::Current(reply) = message;
        let _ = reply.send(state.store.clone());
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        me: ActorRef<SupervisorMsg>,
        event: SupervisionEvent,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        if let SupervisionEvent::ActorFailed(_, _) = event {
            let now = Instant::now();
            state.recent.retain(|t| now - *t <= self.within);
            if state.recent.len() >= self.restarts {
                me.stop(Some("restart budget spent".into()));
                return Ok(());
            }
            state.recent.push(now);
            // Fresh state again: the new store starts empty.
            let (store, _) = Actor::spawn_linked(None, Store, (), me.get_cell()).await?;
            state.store = store;
        }
        Ok(())
    }
}
// ANCHOR_END: supervisor
