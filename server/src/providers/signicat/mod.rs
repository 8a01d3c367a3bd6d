//! Signicat behind the provider seam. So far: the mapping from a prepared
//! request onto Signicat's documents API (`map`) and its answers read in
//! the portal's words (`read`). The steps, the archive and the simulator
//! follow; until then Signicat is not offered (it is not in the registry).

pub mod map;
pub mod read;
