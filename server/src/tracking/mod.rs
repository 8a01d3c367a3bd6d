//! Following sent requests: postback intake, the return landing page,
//! downloads of the archive, and the worker's tracking duties.

pub mod files;
pub mod flood;
pub mod intake;
pub mod landing;
mod work;

use crate::routes::At;
use app::ssr::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub fn routes(state: AppState, shared_secret: String, flood: flood::FloodRules) -> Router {
    let intake = intake::Intake {
        state: state.clone(),
        shared_secret,
        flood: flood::FloodGuard::new(flood),
    };
    Router::new()
        .at("/signhost/postback", post(intake::receive))
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
