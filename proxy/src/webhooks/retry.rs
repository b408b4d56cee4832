//! When a failed delivery is tried again: exponential backoff with full jitter, a
//! `Retry-After` honoured, and nothing after the retry window.

use std::time::Duration;

use super::settings::WebhookSettings;
use crate::store::NextAttempt;

/// The backoff ceiling after `failures` failed attempts (1 for the first failure): the base
/// doubled `failures - 1` times, at most the cap.
pub fn backoff_ceiling(settings: &WebhookSettings, failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(31);
    settings
        .backoff_base
        .checked_mul(1u32 << doublings)
        .unwrap_or(settings.backoff_cap)
        .min(settings.backoff_cap)
}

/// The delay before the next attempt: uniform between zero and the ceiling ("full jitter",
/// so the retries of many deliveries failing together spread out), and not before a
/// `Retry-After` the endpoint asked for (capped at the backoff cap).
pub fn retry_delay(
    settings: &WebhookSettings,
    failures: u32,
    retry_after: Option<Duration>,
    unit_random: f64,
) -> Duration {
    let jittered = backoff_ceiling(settings, failures).mul_f64(unit_random.clamp(0.0, 1.0));
    match retry_after {
        Some(asked) => jittered.max(asked.min(settings.backoff_cap)),
        None => jittered,
    }
}

/// What follows a failed attempt that ended at `now_ms`: a retry after `delay`, moved up
/// to the end of the window if it would fall past it (one last try), or giving up once the
/// window is over.
pub fn after_failure(now_ms: i64, give_up_at_ms: i64, delay: Duration) -> NextAttempt {
    if now_ms >= give_up_at_ms {
        return NextAttempt::GiveUp;
    }
    let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    NextAttempt::RetryAt(now_ms.saturating_add(delay_ms).min(give_up_at_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> WebhookSettings {
        WebhookSettings {
            backoff_base: Duration::from_secs(5),
            backoff_cap: Duration::from_secs(60 * 60),
            ..WebhookSettings::default()
        }
    }

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let s = settings();
        assert_eq!(backoff_ceiling(&s, 1), Duration::from_secs(5));
        assert_eq!(backoff_ceiling(&s, 2), Duration::from_secs(10));
        assert_eq!(backoff_ceiling(&s, 5), Duration::from_secs(80));
        assert_eq!(backoff_ceiling(&s, 20), Duration::from_secs(3600));
        assert_eq!(backoff_ceiling(&s, u32::MAX), Duration::from_secs(3600));
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling_and_honours_retry_after() {
        let s = settings();
        assert_eq!(retry_delay(&s, 3, None, 0.0), Duration::ZERO);
        assert_eq!(retry_delay(&s, 3, None, 1.0), Duration::from_secs(20));
        assert_eq!(retry_delay(&s, 3, None, 0.5), Duration::from_secs(10));
        assert_eq!(
            retry_delay(&s, 1, Some(Duration::from_secs(120)), 0.5),
            Duration::from_secs(120)
        );
        assert_eq!(
            retry_delay(&s, 1, Some(Duration::from_secs(86_400)), 0.5),
            Duration::from_secs(3600),
            "a Retry-After is capped"
        );
    }

    #[test]
    fn nothing_is_tried_after_the_window() {
        let second = Duration::from_secs(1);
        assert_eq!(
            after_failure(1_000, 10_000, second),
            NextAttempt::RetryAt(2_000)
        );
        assert_eq!(
            after_failure(9_500, 10_000, second),
            NextAttempt::RetryAt(10_000),
            "one last try at the window's end"
        );
        assert_eq!(after_failure(10_000, 10_000, second), NextAttempt::GiveUp);
    }
}
