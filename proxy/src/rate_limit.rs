//! Token buckets that keep a burst of validations (say, of guessed secrets) from one
//! session or one client address in check, and failed session lookups from one address.
//!
//! With PostgreSQL (several replicas, one database) the validation buckets live in the
//! database, updated in one statement, so N replicas allow what one does. With SQLite (one
//! process) they live here, in memory. Failed session lookups are always counted here: they
//! are refused before the database is asked.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::AppState;
use crate::client_address::ClientAddress;
use crate::error::ProxyError;

/// A limit: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed at once.
    pub burst: u32,
    /// Requests regained per minute.
    pub per_minute: u32,
}

impl RateLimit {
    /// The bucket's size (at least one request).
    pub fn capacity(&self) -> f64 {
        f64::from(self.burst.max(1))
    }

    /// Requests regained per second.
    pub fn per_second(&self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }

    /// How long until a bucket holding `tokens` has one again.
    pub fn wait_for_one(&self, tokens: f64) -> Duration {
        let per_second = self.per_second();
        if per_second <= 0.0 {
            Duration::from_secs(60)
        } else {
            Duration::from_secs_f64(((1.0 - tokens) / per_second).clamp(0.0, 86_400.0))
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets, and their keys oldest first (each key of the map exactly once).
#[derive(Debug, Default)]
struct Buckets {
    by_key: HashMap<Box<[u8]>, Bucket>,
    oldest_first: VecDeque<Box<[u8]>>,
}

/// Buckets by key (a session's hash, a client address), at most `max_keys` of them: a new
/// key past that evicts the oldest (a full bucket first, as it holds no information). Each
/// request costs O(1), whatever the number of keys.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    max_keys: usize,
    buckets: Mutex<Buckets>,
}

impl RateLimiter {
    /// Keys kept by [`RateLimiter::new`]: about 10 MB of buckets at most.
    pub const DEFAULT_MAX_KEYS: usize = 50_000;

    /// A limiter enforcing `limit` per key, keeping at most [`Self::DEFAULT_MAX_KEYS`] keys.
    pub fn new(limit: RateLimit) -> Self {
        Self::with_max_keys(limit, Self::DEFAULT_MAX_KEYS)
    }

    /// A limiter enforcing `limit` per key, keeping at most `max_keys` keys (at least one).
    pub fn with_max_keys(limit: RateLimit, max_keys: usize) -> Self {
        Self {
            limit,
            max_keys: max_keys.max(1),
            buckets: Mutex::new(Buckets::default()),
        }
    }

    /// The tokens a bucket holds at `now`.
    fn refilled(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        (bucket.tokens + elapsed * self.limit.per_second()).min(self.limit.capacity())
    }

    /// Takes one request for `key`; when none is left, says how long until one is.
    pub fn take(&self, key: &[u8], now: Instant) -> Result<(), Duration> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // a poisoned lock must not take the proxy down; limits are advisory
        };
        let tokens = match buckets.by_key.get(key) {
            Some(bucket) => self.refilled(bucket, now),
            None => {
                self.make_room(&mut buckets, now);
                buckets.oldest_first.push_back(key.into());
                self.limit.capacity()
            }
        };
        let taken = tokens >= 1.0;
        buckets.by_key.insert(
            key.into(),
            Bucket {
                tokens: if taken { tokens - 1.0 } else { tokens },
                updated: now,
            },
        );
        if taken {
            Ok(())
        } else {
            Err(self.limit.wait_for_one(tokens))
        }
    }

    /// Says whether [`RateLimiter::take`] would succeed for `key`, without taking anything.
    pub fn check(&self, key: &[u8], now: Instant) -> Result<(), Duration> {
        let Ok(buckets) = self.buckets.lock() else {
            return Ok(());
        };
        match buckets.by_key.get(key).map(|b| self.refilled(b, now)) {
            Some(tokens) if tokens < 1.0 => Err(self.limit.wait_for_one(tokens)),
            _ => Ok(()),
        }
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.buckets.lock().map_or(0, |b| b.by_key.len())
    }

    /// True when no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Before a new key: forgets up to two full buckets at the old end (bounded work, so the
    /// map shrinks back as traffic calms down), then the oldest key if there is still no room.
    fn make_room(&self, buckets: &mut Buckets, now: Instant) {
        for _ in 0..2 {
            let Some(oldest) = buckets.oldest_first.front() else {
                break;
            };
            let is_full = buckets
                .by_key
                .get(oldest)
                .is_none_or(|b| self.refilled(b, now) >= self.limit.capacity());
            if !is_full {
                break;
            }
            if let Some(oldest) = buckets.oldest_first.pop_front() {
                buckets.by_key.remove(&oldest);
            }
        }
        while buckets.by_key.len() >= self.max_keys {
            let Some(oldest) = buckets.oldest_first.pop_front() else {
                break;
            };
            buckets.by_key.remove(&oldest);
        }
    }
}

/// A 429 answer saying to wait `wait`.
fn limited(wait: Duration) -> ProxyError {
    ProxyError::RateLimited {
        retry_after_secs: wait.as_secs_f64().ceil() as u64,
    }
}

/// Which of the shared buckets a key belongs to (the database holds them all in one table).
const SESSION_SCOPE: u8 = b's';
const ADDRESS_SCOPE: u8 = b'a';

/// Takes one validation from the client address's budget and from the session's: in the
/// database when it is shared by replicas (PostgreSQL), in this process otherwise.
pub async fn take_validation(
    state: &AppState,
    session_hash: &[u8],
    client: &ClientAddress,
) -> Result<(), ProxyError> {
    let config = &state.config;
    let address_key = client.limit_key();
    if state.store.is_shared() {
        if let Some(key) = address_key {
            let bucket = [&[ADDRESS_SCOPE][..], &key].concat();
            state
                .store
                .take_rate_token(&bucket, config.address_validations)
                .await?
                .map_err(limited)?;
        }
        let bucket = [&[SESSION_SCOPE][..], session_hash].concat();
        state
            .store
            .take_rate_token(&bucket, config.session_validations)
            .await?
            .map_err(limited)?;
        return Ok(());
    }
    let now = Instant::now();
    if let Some(key) = address_key {
        state.address_limiter.take(&key, now).map_err(limited)?;
    }
    state
        .session_limiter
        .take(session_hash, now)
        .map_err(limited)
}

/// Refuses a client address that has used up its failed session lookups (before the
/// database is asked).
pub fn check_failed_lookups(state: &AppState, client: &ClientAddress) -> Result<(), ProxyError> {
    match client.limit_key() {
        Some(key) => state
            .failed_lookup_limiter
            .check(&key, Instant::now())
            .map_err(limited),
        None => Ok(()),
    }
}

/// Counts a session lookup that found nothing against the client's address.
pub fn record_failed_lookup(state: &AppState, client: &ClientAddress) {
    if let Some(key) = client.limit_key() {
        // Refused or not, the failure is counted; the next lookup is refused when it is over.
        let _ = state.failed_lookup_limiter.take(&key, Instant::now());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn limit(burst: u32, per_minute: u32) -> RateLimit {
        RateLimit { burst, per_minute }
    }

    #[test]
    fn a_burst_is_allowed_then_refilled_over_time() {
        let limiter = RateLimiter::new(limit(2, 6));
        let start = Instant::now();
        assert!(limiter.take(b"s", start).is_ok());
        assert!(limiter.check(b"s", start).is_ok());
        assert!(limiter.take(b"s", start).is_ok());
        let wait = limiter.take(b"s", start).err();
        assert_eq!(wait.map(|d| d.as_secs()), Some(10), "one token per 10 s");
        assert!(
            limiter.check(b"s", start).is_err(),
            "check sees the empty bucket"
        );
        assert!(
            limiter.take(b"other", start).is_ok(),
            "keys are independent"
        );
        assert!(limiter.take(b"s", start + Duration::from_secs(10)).is_ok());
        assert!(limiter.take(b"s", start + Duration::from_secs(10)).is_err());
    }

    #[test]
    fn check_takes_nothing() {
        let limiter = RateLimiter::new(limit(1, 1));
        let now = Instant::now();
        for _ in 0..5 {
            assert!(limiter.check(b"k", now).is_ok());
        }
        assert!(limiter.is_empty(), "a check remembers no key");
        assert!(limiter.take(b"k", now).is_ok());
        assert!(limiter.check(b"k", now).is_err());
    }

    #[test]
    fn memory_is_bounded_by_evicting_the_oldest_key() {
        let limiter = RateLimiter::with_max_keys(limit(1, 1), 3);
        let now = Instant::now();
        for key in 0..1000u32 {
            assert!(limiter.take(&key.to_be_bytes(), now).is_ok());
            assert!(limiter.len() <= 3, "{} keys", limiter.len());
        }
        assert_eq!(limiter.len(), 3);
        // The newest keys are still counted; the oldest were forgotten.
        assert!(limiter.take(&999u32.to_be_bytes(), now).is_err());
        assert!(limiter.take(&0u32.to_be_bytes(), now).is_ok());
        let buckets = limiter.buckets.lock().unwrap();
        assert_eq!(buckets.oldest_first.len(), buckets.by_key.len());
    }

    #[test]
    fn full_buckets_are_forgotten_first_as_new_keys_arrive() {
        let limiter = RateLimiter::with_max_keys(limit(1, 60), 100);
        let start = Instant::now();
        for key in 0..10u32 {
            assert!(limiter.take(&key.to_be_bytes(), start).is_ok());
        }
        // A second later every bucket is full again: each new key clears up to two of them.
        let later = start + Duration::from_secs(1);
        for key in 10..15u32 {
            assert!(limiter.take(&key.to_be_bytes(), later).is_ok());
        }
        assert_eq!(limiter.len(), 5, "the ten refilled buckets were dropped");
    }

    #[test]
    fn a_busy_key_is_not_evicted_while_there_is_room() {
        let limiter = RateLimiter::with_max_keys(limit(2, 1), 100);
        let now = Instant::now();
        assert!(limiter.take(b"attacker", now).is_ok());
        assert!(limiter.take(b"attacker", now).is_ok());
        for key in 0..50u32 {
            let _ = limiter.take(&key.to_be_bytes(), now);
        }
        assert!(limiter.take(b"attacker", now).is_err());
    }
}
