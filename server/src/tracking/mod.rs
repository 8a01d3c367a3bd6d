//! Following sent requests: the intake of postbacks and webhooks, the
//! return landing page, and downloads of the archive.

pub mod files;
pub mod flood;
pub mod group_commit;
pub mod intake;
pub mod landing;

use crate::routes::At;
use app::ssr::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub fn routes(state: AppState, flood: flood::FloodRules) -> Router {
    let intake = intake::Intake {
        state: state.clone(),
        flood: flood::FloodGuard::new(flood),
        writer: group_commit::Writer::spawn(state.db.clone()),
    };
    Router::new()
        .at("/signhost/postback", post(intake::signhost_postback))
        .at("/hooks/{provider}", post(intake::hook))
        .layer(DefaultBodyLimit::disable())
        .with_state(intake)
        .merge(
            Router::new()
                .at("/return", get(landing::page_for))
                .with_state(landing::Landing::new(state.clone())),
        )
        .merge(
            Router::new()
                .at("/requests/{id}/archive/{file}", get(files::archived_file))
                .at("/requests/{id}/evidence.zip", get(files::evidence))
                .with_state(state),
        )
}
