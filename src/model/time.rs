//! Ages as operators read them ("42s", "5m", "3h", "2d").

use jiff::Timestamp;

/// Now, as the API server writes times (RFC 3339, seconds).
pub fn now_rfc3339() -> String {
    Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Whole seconds from `then` to `now`, never negative (clocks skew).
pub fn age_secs(then: Timestamp, now: Timestamp) -> i64 {
    (now.as_second() - then.as_second()).max(0)
}

/// Compact age like kubectl's: 59s, 4m, 3h, 12d.
pub fn format_age(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 2 * 3600 => format!("{}m", s / 60),
        s if s < 2 * 86400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(format_age(0), "0s");
        assert_eq!(format_age(119), "119s");
        assert_eq!(format_age(600), "10m");
        assert_eq!(format_age(3 * 3600), "3h");
        assert_eq!(format_age(5 * 86400), "5d");
    }

    #[test]
    fn age_is_never_negative() {
        let now = Timestamp::from_second(1_000).unwrap();
        let later = Timestamp::from_second(1_010).unwrap();
        assert_eq!(age_secs(later, now), 0);
        assert_eq!(age_secs(now, later), 10);
    }
}
