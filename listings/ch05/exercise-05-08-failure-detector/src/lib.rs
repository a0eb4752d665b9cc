//! An adaptive heartbeat failure detector driven by a clock you pass in
//! (milliseconds), so tests can run it on a fake clock.

/// Suspects a peer whose silence exceeds what its recent heartbeats predict.
pub struct Detector {
    // Add your fields here.
}

impl Detector {
    /// `created`: the time the detector starts watching. `window`: how many
    /// recent gaps it remembers. `k`: standard deviations of slack.
    /// `floor`: the smallest timeout it will ever use. `initial`: the timeout
    /// until it has seen at least two gaps.
    pub fn new(created: u64, window: usize, k: f64, floor: u64, initial: u64) -> Detector {
        let _ = (created, window, k, floor, initial);
        todo!("store the parameters")
    }

    /// A heartbeat arrived at `now`.
    pub fn heartbeat(&mut self, now: u64) {
        let _ = now;
        todo!("record the gap since the last heartbeat")
    }

    /// The silence, in milliseconds, after which the peer is suspected.
    pub fn timeout(&self) -> u64 {
        todo!("mean + k * stddev of the gaps, at least floor")
    }

    /// Is the peer suspected at time `now`?
    pub fn suspected(&self, now: u64) -> bool {
        let _ = now;
        todo!("silence longer than the timeout")
    }
}
