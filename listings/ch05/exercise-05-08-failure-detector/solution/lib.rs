//! An adaptive heartbeat failure detector driven by a clock you pass in
//! (milliseconds), so tests can run it on a fake clock.

use std::collections::VecDeque;

/// Suspects a peer whose silence exceeds what its recent heartbeats predict.
pub struct Detector {
    created: u64,
    last: Option<u64>,
    gaps: VecDeque<u64>,
    window: usize,
    k: f64,
    floor: u64,
    initial: u64,
}

impl Detector {
    pub fn new(created: u64, window: usize, k: f64, floor: u64, initial: u64) -> Detector {
        Detector {
            created,
            last: None,
            gaps: VecDeque::with_capacity(window + 1),
            window: window.max(1),
            k,
            floor,
            initial,
        }
    }

    pub fn heartbeat(&mut self, now: u64) {
        match self.last {
            Some(last) if now < last => {} // reordered: nothing new
            Some(last) => {
                self.gaps.push_back(now - last);
                if self.gaps.len() > self.window {
                    self.gaps.pop_front();
                }
                self.last = Some(now);
            }
            None => self.last = Some(now),
        }
    }

    pub fn timeout(&self) -> u64 {
        if self.gaps.len() < 2 {
            return self.initial.max(self.floor);
        }
        let n = self.gaps.len() as f64;
        let mean = self.gaps.iter().sum::<u64>() as f64 / n;
        let var = self
            .gaps
            .iter()
            .map(|&g| (g as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        ((mean + self.k * var.sqrt()).ceil() as u64).max(self.floor)
    }

    pub fn suspected(&self, now: u64) -> bool {
        let since = self.last.unwrap_or(self.created);
        now.saturating_sub(since) > self.timeout()
    }
}
