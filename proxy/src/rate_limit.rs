//! Token buckets that keep a burst of validations (say, of guessed secrets) from one
//! session or one client address in check. In memory: each proxy replica limits what it
//! sees.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A limit: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed at once.
    pub burst: u32,
    /// Requests regained per minute.
    pub per_minute: u32,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets by key (a session's hash, a client address).
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<Vec<u8>, Bucket>>,
}

/// Past this many keys, full buckets are forgotten (they hold no information).
const PRUNE_ABOVE: usize = 10_000;

impl RateLimiter {
    /// A limiter enforcing `limit` per key.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request for `key`; when none is left, says how long until one is.
    pub fn take(&self, key: &[u8], now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(self.limit.burst.max(1));
        let per_second = f64::from(self.limit.per_minute) / 60.0;
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // a poisoned lock must not take the proxy down; limits are advisory
        };
        let refill = |bucket: &Bucket| {
            let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
            (bucket.tokens + elapsed * per_second).min(capacity)
        };
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| refill(b) < capacity);
        }
        let bucket = buckets.entry(key.to_vec()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let tokens = refill(bucket);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                updated: now,
            };
            Ok(())
        } else if per_second <= 0.0 {
            Err(Duration::from_secs(60))
        } else {
            Err(Duration::from_secs_f64((1.0 - tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refilled_over_time() {
        let limiter = RateLimiter::new(RateLimit {
            burst: 2,
            per_minute: 6,
        });
        let start = Instant::now();
        assert!(limiter.take(b"s", start).is_ok());
        assert!(limiter.take(b"s", start).is_ok());
        let wait = limiter.take(b"s", start).err();
        assert_eq!(wait.map(|d| d.as_secs()), Some(10), "one token per 10 s");
        assert!(
            limiter.take(b"other", start).is_ok(),
            "keys are independent"
        );
        assert!(limiter.take(b"s", start + Duration::from_secs(10)).is_ok());
        assert!(limiter.take(b"s", start + Duration::from_secs(10)).is_err());
    }
}
