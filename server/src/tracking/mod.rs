//! Following sent requests: postback intake, the return landing page,
//! downloads of the archive, and the worker's tracking duties.

pub mod files;
pub mod intake;
pub mod landing;
mod work;

use app::ssr::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub fn routes(state: AppState, shared_secret: String) -> Router {
    let intake = intake::Intake {
        state: state.clone(),
        shared_secret,
    };
    Router::new()
        .route("/signhost/postback", post(intake::receive))
        .layer(DefaultBodyLimit::disable())
        .with_state(intake)
        .merge(
            Router::new()
                .route("/return", get(landing::page_for))
                .with_state(landing::Landing::new(state.clone())),
        )
        .merge(
            Router::new()
                .route("/requests/{id}/archive/{file}", get(files::archived_file))
                .route("/requests/{id}/evidence.zip", get(files::evidence))
                .with_state(state),
        )
}
