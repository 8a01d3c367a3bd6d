//! Every plain axum route of the portal is added through [`At::at`], which
//! also records its path, so tests can list what the router serves (the
//! access matrix fails on any route nobody classified).

use std::collections::BTreeSet;
use std::sync::Mutex;

use axum::routing::MethodRouter;
use axum::Router;

static REGISTERED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

pub trait At<S> {
    /// `Router::route`, recording `path`.
    fn at(self, path: &'static str, method_router: MethodRouter<S>) -> Self;
}

impl<S: Clone + Send + Sync + 'static> At<S> for Router<S> {
    fn at(self, path: &'static str, method_router: MethodRouter<S>) -> Self {
        REGISTERED.lock().expect("route registry").insert(path);
        self.route(path, method_router)
    }
}

/// The paths of every plain route built so far in this process.
pub fn registered() -> Vec<&'static str> {
    REGISTERED
        .lock()
        .expect("route registry")
        .iter()
        .copied()
        .collect()
}
