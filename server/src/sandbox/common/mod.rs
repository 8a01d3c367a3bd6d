//! What every simulator reuses: the clock, the outbound webhook queue, PDF
//! marks and text documents, the signing page's shell and its pdf.js pages.

pub mod clock;
pub mod outbound;
pub mod page;
pub mod pdf;
pub mod preview;
