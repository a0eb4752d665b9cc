//! The server side of leased remote objects, without the network: time is
//! passed in as `now`, so the tests can move it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseError {
    /// Never existed, released, or its lease ran out.
    Expired,
    /// The table is full (of live objects).
    TooMany,
}

pub struct Entry<T> {
    pub value: T,
    pub expires: Instant,
}

pub struct Leases<T> {
    lease: Duration,
    cap: usize,
    next_id: u64,
    entries: HashMap<u64, Entry<T>>,
}

impl<T> Leases<T> {
    pub fn new(lease: Duration, cap: usize) -> Leases<T> {
        Leases {
            lease,
            cap,
            next_id: 0,
            entries: HashMap::new(),
        }
    }

    /// Objects held, lapsed or not (a reaped table holds only live ones).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds an object on a fresh lease; returns its id (never reused).
    pub fn insert(&mut self, value: T, now: Instant) -> Result<u64, LeaseError> {
        let _ = (value, now, self.lease, self.cap, self.next_id);
        todo!("reap, check the cap, store with expires = now + lease")
    }

    /// The object, with its lease renewed; `Expired` if it is gone.
    pub fn get_mut(&mut self, id: u64, now: Instant) -> Result<&mut T, LeaseError> {
        let _ = (id, now);
        todo!("alive while now < expires; remove a lapsed entry")
    }

    /// Gives the object back at once (the polite path; leases cover the rest).
    pub fn release(&mut self, id: u64, now: Instant) -> Result<T, LeaseError> {
        let _ = (id, now);
        todo!()
    }

    /// Drops every lapsed object; returns how many.
    pub fn reap(&mut self, now: Instant) -> usize {
        let _ = now;
        todo!()
    }
}
