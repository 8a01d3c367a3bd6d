//! What every request handler and server function can reach.

use crate::ssr::db::Db;
use crate::ssr::throttle::ThrottleRules;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub throttle: ThrottleRules,
}

impl AppState {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            throttle: ThrottleRules::default(),
        }
    }
}
