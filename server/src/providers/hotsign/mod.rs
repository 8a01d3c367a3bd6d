//! Hotsign behind the provider seam. So far: its tokens sealed at rest
//! ([`seal`]) and connecting an account ([`connect`]); refreshing, the
//! adapter and the simulator's invites follow.

pub mod connect;
pub mod seal;
