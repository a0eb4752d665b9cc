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
        self.reap(now);
        if self.entries.len() >= self.cap {
            return Err(LeaseError::TooMany);
        }
        self.next_id += 1;
        let expires = now + self.lease;
        self.entries.insert(self.next_id, Entry { value, expires });
        Ok(self.next_id)
    }

    /// The object, with its lease renewed; `Expired` if it is gone.
    pub fn get_mut(&mut self, id: u64, now: Instant) -> Result<&mut T, LeaseError> {
        let alive = match self.entries.get(&id) {
            None => return Err(LeaseError::Expired),
            Some(e) => now < e.expires,
        };
        if !alive {
            self.entries.remove(&id);
            return Err(LeaseError::Expired);
        }
        let entry = self.entries.get_mut(&id).ok_or(LeaseError::Expired)?;
        entry.expires = now + self.lease;
        Ok(&mut entry.value)
    }

    /// Gives the object back at once (the polite path; leases cover the rest).
    pub fn release(&mut self, id: u64, now: Instant) -> Result<T, LeaseError> {
        let entry = self.entries.remove(&id).ok_or(LeaseError::Expired)?;
        if now < entry.expires {
            Ok(entry.value)
        } else {
            Err(LeaseError::Expired)
        }
    }

    /// Drops every lapsed object; returns how many.
    pub fn reap(&mut self, now: Instant) -> usize {
        let before = self.entries.len();
        self.entries.retain(|_, e| now < e.expires);
        before - self.entries.len()
    }
}
