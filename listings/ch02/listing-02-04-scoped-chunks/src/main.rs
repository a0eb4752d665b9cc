use std::thread;

fn main() {
    let mut pixels = vec![0u8; 1 << 20];
    let threads = 4;
    let chunk = pixels.len() / threads;
    // ANCHOR: scope
    thread::scope(|s| {
        // `chunks_mut` hands each thread its own `&mut [u8]`: no two overlap,
        // so the borrow checker lets them run at once without a lock.
        for (i, part) in pixels.chunks_mut(chunk).enumerate() {
            s.spawn(move || part.fill(i as u8 * 60));
        }
    }); // every thread has finished here, so `pixels` is ours again
    // ANCHOR_END: scope
    for shade in [0, 60, 120, 180] {
        let count = pixels.iter().filter(|&&p| p == shade).count();
        println!("shade {shade:>3}: {count} pixels");
    }
}
