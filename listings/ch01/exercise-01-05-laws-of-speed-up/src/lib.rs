// Remove this line when you are done: it silences the warnings about
// parameters that the `todo!()`s do not use yet.
#![allow(unused_variables)]

/// Amdahl's law: the speed-up on `p` processors when the fraction `serial`
/// of the work (0 to 1) cannot run in parallel.
pub fn amdahl(serial: f64, p: f64) -> f64 {
    todo!()
}

/// The best speed-up any number of processors can give.
pub fn ceiling(serial: f64) -> f64 {
    todo!()
}

/// The Karp–Flatt metric: the serial fraction that explains a speed-up
/// `speedup` measured on `p` processors (`p > 1`).
pub fn karp_flatt(speedup: f64, p: f64) -> f64 {
    todo!()
}

/// Gustafson's law: the scaled speed-up on `p` processors, when the problem
/// grows with `p` and `serial` is the fraction of the *parallel run's* time
/// spent in its serial part (not Amdahl's fraction of the one-processor time).
pub fn gustafson(serial: f64, p: f64) -> f64 {
    todo!()
}
