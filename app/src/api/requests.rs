//! Server functions for preparing and starting requests. Each checks the
//! session, then hands over to `ssr::requests`.

// The settings form posts its fields one by one (it works without JavaScript).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::dashboard::{Filter, Page};
use crate::model::request::{DocumentView, PlacedField, Receiver, RequestView, Signer};

/// Creates an empty draft and opens it.
#[server(endpoint = "requests/create")]
pub async fn create_request() -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            let id = requests::create_draft(&state, &user).await?;
            leptos_axum::redirect(&format!("/requests/{id}"));
            Ok(())
        }
        .await,
    )
}

/// Creates an empty draft and answers its id (the "New request" page
/// uploads the dropped PDFs into it, then opens it).
#[server(endpoint = "requests/new_draft")]
pub async fn new_draft() -> Result<i64, AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::create_draft(&state, &user).await
        }
        .await,
    )
}

/// One page of the requests list.
#[server(endpoint = "requests/list", input = Json)]
pub async fn list_requests(filter: Filter) -> Result<Page, AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::list(&state, &user, &filter).await
        }
        .await,
    )
}

#[server(endpoint = "requests/get")]
pub async fn get_request(id: i64) -> Result<RequestView, AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::view(&state, &user, id).await
        }
        .await,
    )
}

/// When the request last changed: the request page asks every few seconds
/// while it waits for news, and reloads when the answer moves.
#[server(endpoint = "requests/changed")]
pub async fn request_changed_at(id: i64) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    use crate::ssr::db::requests;
    use crate::ssr::{auth, web};
    web::finish(
        async move {
            let (state, _user) = auth::require_user().await?;
            requests::changed_at(&state.db, id)
                .await
                .map_err(web::internal)?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Saves the request-wide settings (a plain form; works without JavaScript).
#[server(endpoint = "requests/settings")]
pub async fn save_settings(
    id: i64,
    title: String,
    reference: String,
    flow: String,
    language: String,
    days_to_expire: String,
    remind_days: Option<String>,
    sequential: Option<String>,
    notify_sender: Option<String>,
) -> Result<(), AppError> {
    use crate::error::FieldErrors;
    use crate::model::request::{Flow, Settings};
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            let mut fields = FieldErrors::new()
                .keep("title", &title)
                .keep("reference", &reference)
                .keep("days_to_expire", &days_to_expire);
            let days = days_to_expire.trim().parse::<i64>().unwrap_or_else(|_| {
                fields.add("days_to_expire", "Enter a number of days, like 30.");
                0
            });
            let remind = remind_days.unwrap_or_else(|| "0".into());
            let remind = remind.trim().parse::<i64>().unwrap_or_else(|_| {
                fields.add(
                    "remind_days",
                    "Enter a number of days, or 0 for no reminders.",
                );
                0
            });
            fields.into_result()?;
            let settings = Settings {
                title: title.trim().to_string(),
                reference: reference.trim().to_string(),
                flow: Flow::parse(&flow),
                language,
                days_to_expire: days,
                remind_days: remind,
                sequential: sequential.is_some_and(|v| v == "on" || v == "true"),
                notify_sender: notify_sender.is_some_and(|v| v == "on" || v == "true"),
            };
            requests::save_settings(&state, &user, id, settings).await
        }
        .await,
    )
}

#[server(endpoint = "requests/signers", input = Json)]
pub async fn save_signers(id: i64, signers: Vec<Signer>) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::save_signers(&state, &user, id, signers).await
        }
        .await,
    )
}

#[server(endpoint = "requests/receivers", input = Json)]
pub async fn save_receivers(id: i64, receivers: Vec<Receiver>) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::save_receivers(&state, &user, id, receivers).await
        }
        .await,
    )
}

#[server(endpoint = "requests/fields", input = Json)]
pub async fn save_fields(
    id: i64,
    document_id: i64,
    fields: Vec<PlacedField>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::save_fields(&state, &user, id, document_id, fields).await
        }
        .await,
    )
}

/// Renames (`rename` with `name`), moves (`up`, `down`) or removes (`remove`) a document.
#[server(endpoint = "requests/document")]
pub async fn change_document(
    id: i64,
    document_id: i64,
    action: String,
    name: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::requests::{self, DocumentChange};
    use crate::ssr::{auth, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            let change = match action.as_str() {
                "rename" => DocumentChange::Rename(name.unwrap_or_default()),
                "up" => DocumentChange::Move { up: true },
                "down" => DocumentChange::Move { up: false },
                "remove" => DocumentChange::Remove,
                _ => return Err(AppError::NotFound),
            };
            requests::change_document(&state, &user, id, document_id, change).await
        }
        .await,
    )
}

/// What the service will make of a written document (preview, problems).
#[server(endpoint = "requests/written/check")]
pub async fn check_written(
    format: String,
    text: String,
) -> Result<crate::model::written::WrittenCheck, AppError> {
    use crate::ssr::{auth, web, written};
    web::finish(
        async move {
            auth::require_user().await?;
            written::check(&format, &text)
        }
        .await,
    )
}

/// Saves a written document (a new one without `document_id`); refused,
/// keeping what was saved, when the service would not take it.
#[server(endpoint = "requests/written/save")]
pub async fn save_written(
    id: i64,
    document_id: Option<i64>,
    name: String,
    format: String,
    text: String,
) -> Result<DocumentView, AppError> {
    use crate::ssr::{auth, web, written};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            written::save(&state, &user, id, document_id, &name, &format, &text).await
        }
        .await,
    )
}

/// A written document's text, to edit it again.
#[server(endpoint = "requests/written/text")]
pub async fn written_text(
    id: i64,
    document_id: i64,
) -> Result<crate::model::written::WrittenText, AppError> {
    use crate::ssr::{auth, web, written};
    web::finish(
        async move {
            let (state, _) = auth::require_user().await?;
            written::text(&state, id, document_id).await
        }
        .await,
    )
}

/// Chooses the signing service of a draft.
#[server(endpoint = "requests/service")]
pub async fn set_service(id: i64, service: String) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::set_service(&state, &user, id, &service).await
        }
        .await,
    )
}

/// Records the start; a worker then sends the request to its service.
#[server(endpoint = "requests/start")]
pub async fn start_request(id: i64, accept_warnings: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::start(&state, &user, id, accept_warnings.is_some()).await
        }
        .await,
    )
}

/// Copies a request into a new draft and opens it.
#[server(endpoint = "requests/duplicate")]
pub async fn duplicate_request(id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            let new_id = requests::duplicate(&state, &user, id).await?;
            leptos_axum::redirect(&format!("/requests/{new_id}"));
            Ok(())
        }
        .await,
    )
}

/// Deletes a draft and returns to the list.
#[server(endpoint = "requests/delete")]
pub async fn delete_request(id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::delete(&state, &user, id).await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// Cancels a request that is waiting for signers.
#[server(endpoint = "requests/cancel")]
pub async fn cancel_request(
    id: i64,
    reason: String,
    notify: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::cancel(&state, &user, id, &reason, notify.is_some()).await
        }
        .await,
    )
}

/// Signhost cannot change a request once sent: correcting a signer or the
/// expiry cancels it (the signers are told) and opens a copy to correct and send.
#[server(endpoint = "requests/correct")]
pub async fn correct_request(id: i64, reason: String) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            let new_id = requests::correct(&state, &user, id, &reason).await?;
            leptos_axum::redirect(&format!("/requests/{new_id}"));
            Ok(())
        }
        .await,
    )
}

/// Deletes a finished and archived request at Signhost.
#[server(endpoint = "requests/purge")]
pub async fn purge_request(id: i64) -> Result<(), AppError> {
    use crate::ssr::{auth, requests, web};
    web::finish(
        async move {
            let (state, user) = auth::require_user().await?;
            requests::purge_at_service(&state, &user, id).await
        }
        .await,
    )
}
