//! Hotsign behind the provider seam. So far: its tokens sealed at rest
//! ([`seal`]), connecting and disconnecting an account ([`connect`]) and a
//! working access token, refreshed before it ends ([`tokens`]); the
//! adapter and the simulator's invites follow.

pub mod connect;
pub mod seal;
pub mod tokens;
