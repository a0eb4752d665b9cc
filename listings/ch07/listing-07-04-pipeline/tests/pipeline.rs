use listing_07_04_pipeline::*;

#[test]
fn chains_and_loops_agree_on_generated_logs() {
    let log = access_log(10_000);
    assert_eq!(log.lines().count(), 10_000);
    assert_eq!(bytes_sent(&log), bytes_sent_loop(&log));
    assert_eq!(grep_count(&log, "python"), grep_count_loop(&log, "python"));
    assert!(grep_count(&log, "python") > 0);
    assert!(log.lines().any(|l| l.ends_with(" -")));
}

#[test]
fn odd_lines_are_skipped_not_fatal() {
    let log = "a b 10\nno-size -\n\nbroken line x12\nc d 5\n";
    assert_eq!(bytes_sent(log), 15);
    assert_eq!(bytes_sent_loop(log), 15);
}
