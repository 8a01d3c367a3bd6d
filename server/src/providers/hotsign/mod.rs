//! Hotsign behind the provider seam. So far: its tokens sealed at rest
//! ([`seal`]); the connection, the adapter and the simulator follow.

pub mod seal;
