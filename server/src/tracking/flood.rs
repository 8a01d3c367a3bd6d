//! Bounds on what anonymous senders can make the postback intake store:
//! a rate per source address, and a budget of stored bytes per source per
//! hour for postbacks that are not authentic (authentic ones, which carry
//! the shared secret's checksum, are always kept whole).

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

#[derive(Debug, Clone, Copy)]
pub struct FloodRules {
    /// Postbacks accepted per second from one address (with a burst of 4×).
    pub per_second: u32,
    /// Bytes of unauthenticated bodies stored per address per hour.
    pub quarantine_bytes_per_hour: u64,
}

impl Default for FloodRules {
    fn default() -> Self {
        Self {
            per_second: 50,
            quarantine_bytes_per_hour: 5 * 1024 * 1024,
        }
    }
}

#[derive(Clone)]
pub struct FloodGuard {
    rules: FloodRules,
    rate: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    stored: Arc<Mutex<HashMap<IpAddr, (Instant, u64)>>>,
}

const HOUR: Duration = Duration::from_secs(3600);

impl FloodGuard {
    pub fn new(rules: FloodRules) -> Self {
        let per_second = NonZeroU32::new(rules.per_second.max(1)).expect("non-zero");
        let burst = NonZeroU32::new(rules.per_second.max(1).saturating_mul(4)).expect("non-zero");
        Self {
            rules,
            rate: Arc::new(RateLimiter::keyed(
                Quota::per_second(per_second).allow_burst(burst),
            )),
            stored: Arc::default(),
        }
    }

    /// Whether another postback from `source` may come in now.
    pub fn admit(&self, source: IpAddr) -> bool {
        self.rate.check_key(&source).is_ok()
    }

    /// Whether `bytes` more of an unauthenticated body from `source` may be
    /// stored this hour; counts them if so.
    pub fn may_store(&self, source: IpAddr, bytes: u64) -> bool {
        self.may_store_at(source, bytes, Instant::now())
    }

    fn may_store_at(&self, source: IpAddr, bytes: u64, now: Instant) -> bool {
        let mut stored = self.stored.lock().expect("flood budget");
        if stored.len() > 10_000 {
            stored.retain(|_, (since, _)| now.duration_since(*since) < HOUR);
        }
        let entry = stored.entry(source).or_insert((now, 0));
        if now.duration_since(entry.0) >= HOUR {
            *entry = (now, 0);
        }
        if entry.1 + bytes > self.rules.quarantine_bytes_per_hour {
            return false;
        }
        entry.1 += bytes;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_per_source() {
        let g = FloodGuard::new(FloodRules {
            per_second: 2,
            ..FloodRules::default()
        });
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let b: IpAddr = "203.0.113.2".parse().unwrap();
        let admitted = (0..20).filter(|_| g.admit(a)).count();
        assert_eq!(admitted, 8, "the burst, then nothing");
        assert!(g.admit(b), "another source is not affected");
    }

    #[test]
    fn the_byte_budget_is_per_source_and_hour() {
        let g = FloodGuard::new(FloodRules {
            quarantine_bytes_per_hour: 1000,
            ..FloodRules::default()
        });
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let start = Instant::now();
        assert!(g.may_store_at(a, 600, start));
        assert!(!g.may_store_at(a, 600, start));
        assert!(g.may_store_at(a, 400, start));
        assert!(g.may_store_at("203.0.113.9".parse().unwrap(), 900, start));
        assert!(g.may_store_at(a, 600, start + HOUR), "a new hour");
    }
}
