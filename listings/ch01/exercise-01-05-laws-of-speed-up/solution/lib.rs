/// Amdahl's law: the speed-up on `p` processors when the fraction `serial`
/// of the work cannot run in parallel.
pub fn amdahl(serial: f64, p: f64) -> f64 {
    1.0 / (serial + (1.0 - serial) / p)
}

/// The best speed-up any number of processors can give: `1 / serial`.
pub fn ceiling(serial: f64) -> f64 {
    1.0 / serial
}

/// The Karp–Flatt metric: the serial fraction that explains a speed-up
/// measured on `p` processors.
pub fn karp_flatt(speedup: f64, p: f64) -> f64 {
    (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p)
}

/// Gustafson's law: the scaled speed-up on `p` processors, when the problem
/// grows with `p` and `serial` is the fraction of the *parallel run's* time
/// spent in its serial part (not Amdahl's fraction of the one-processor time).
pub fn gustafson(serial: f64, p: f64) -> f64 {
    p - serial * (p - 1.0)
}
