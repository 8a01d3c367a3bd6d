//! Preparing requests: who may see and change a draft, and the changes
//! themselves. Server functions and the upload endpoint call these.

use chrono::Utc;

use crate::error::AppError;
use crate::model::fit;
use crate::model::preflight::{self, Draft, Problem};
use crate::model::request::{
    PlacedField, Receiver, RequestStatus, RequestSummary, RequestView, Settings, Signer,
    SignerLink, StartProgress,
};
use crate::model::service::ProviderKind;
use crate::model::Role;
use crate::ssr::db::requests::{self, People, RequestRow};
use crate::ssr::db::users::UserRow;
use crate::ssr::db::{audit, documents, jobs, signer_links, tracking};
use crate::ssr::faults;
use crate::ssr::provider::{Provider, ProviderError};
use crate::ssr::state::AppState;
use crate::ssr::web::internal;

pub const START_JOB: &str = "start";
/// Texts longer than this are refused (they would not fit Signhost's fields anyway).
const MAX_TEXT: usize = 4000;

/// Any signed-in staff member may look at a request.
pub async fn find(state: &AppState, id: i64) -> Result<RequestRow, AppError> {
    requests::find(&state.db, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

fn may_change(row: &RequestRow, user: &UserRow) -> bool {
    row.owner_id == user.id || user.role() == Role::Admin
}

/// A new, empty draft of `user`'s.
pub async fn create_draft(state: &AppState, user: &UserRow) -> Result<i64, AppError> {
    let service = state.providers.default.as_str();
    let id = requests::insert_for(&state.db, user.id, service, Utc::now())
        .await
        .map_err(internal)?;
    tracing::info!(request_id = id, user_id = user.id, "draft created");
    Ok(id)
}

/// The request, if `user` may change it (its owner or an admin) and it is
/// still a draft.
pub async fn editable(state: &AppState, user: &UserRow, id: i64) -> Result<RequestRow, AppError> {
    let row = find(state, id).await?;
    if !may_change(&row, user) {
        return Err(AppError::Forbidden);
    }
    if !row.status().is_editable() {
        return Err(AppError::Conflict(
            "This request has been sent and can no longer be changed.".into(),
        ));
    }
    Ok(row)
}

pub fn signers_of(row: &RequestRow) -> Vec<Signer> {
    row.signer_list()
}

/// The language a signer reads: their own, else the request's.
pub fn language_of(row: &RequestRow, signer: &Signer) -> String {
    if signer.language.is_empty() {
        row.language.clone()
    } else {
        signer.language.clone()
    }
}

pub fn receivers_of(row: &RequestRow) -> Vec<Receiver> {
    row.receiver_list()
}

pub async fn view(state: &AppState, user: &UserRow, id: i64) -> Result<RequestView, AppError> {
    let row = find(state, id).await?;
    let docs = documents::list(&state.db, id).await.map_err(internal)?;
    let progress = jobs::latest(&state.db, START_JOB, id)
        .await
        .map_err(internal)?
        .map(|j| StartProgress {
            step: if j.done_at.is_some() && j.last_error.is_none() {
                "done".into()
            } else {
                j.step
            },
            attempts: j.attempts,
            last_error: j.last_error,
        });
    let links = signer_links::list(&state.db, id)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|l| SignerLink {
            signer_key: l.signer_key,
            path: format!("/s/{}", l.token),
        })
        .collect();
    let status = row.status();
    let signers = signers_of(&row);
    let tracking = if status == RequestStatus::Waiting || status.is_final() {
        Some(
            crate::ssr::tracking_view::load(
                &state.db,
                id,
                status,
                &signers,
                state.quiet_hours,
                state.providers.of(&row.provider).as_deref(),
                Utc::now(),
            )
            .await
            .map_err(internal)?,
        )
    } else {
        None
    };
    Ok(RequestView {
        id,
        tracking,
        can_manage: may_change(&row, user),
        owner_name: row.owner_name.clone(),
        can_edit: may_change(&row, user) && row.status().is_editable(),
        status: row.status(),
        failure: row.failure.clone(),
        settings: row.settings(),
        signers,
        receivers: receivers_of(&row),
        documents: docs.iter().map(|d| d.to_view()).collect(),
        progress,
        links,
        max_upload_bytes: state.max_upload_bytes,
        service: ProviderKind::parse(&row.provider).unwrap_or_default(),
        services: state.providers.offered(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// One page of the requests list, with the counts per status.
pub async fn list(
    state: &AppState,
    user: &UserRow,
    filter: &crate::model::dashboard::Filter,
) -> Result<crate::model::dashboard::Page, AppError> {
    use crate::model::dashboard::{Page, PAGE_SIZE};
    use crate::ssr::db::dashboard;
    // Counted first: how broad the search is decides how the page is found.
    let counts = dashboard::counts(&state.db, filter, user.id)
        .await
        .map_err(internal)?;
    let mut rows = dashboard::list(&state.db, filter, user.id, PAGE_SIZE + 1, counts.capped)
        .await
        .map_err(internal)?;
    let next = (rows.len() as i64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        rows.last()
            .map(|r| dashboard::cursor(filter.sort, r))
            .unwrap_or_default()
    });
    let counts_capped = counts.capped;
    let counts = counts.per_status;
    let counts = RequestStatus::ALL
        .into_iter()
        .map(|s| {
            (
                s,
                counts
                    .iter()
                    .find(|(k, _)| k == s.as_str())
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            )
        })
        .collect();
    let since = Utc::now() - chrono::Duration::hours(state.quiet_hours);
    let quiet = dashboard::quiet(&state.db, since).await.map_err(internal)?;
    Ok(Page {
        rows: rows
            .into_iter()
            .map(|r| {
                let signers: Vec<Signer> = serde_json::from_str(&r.signers).unwrap_or_default();
                RequestSummary {
                    id: r.id,
                    title: r.title,
                    reference: r.reference,
                    flow: crate::model::request::Flow::parse(&r.flow),
                    status: RequestStatus::parse(&r.status),
                    owner_name: r.owner_name,
                    signers: signers.len(),
                    waiting_for: if r.status == RequestStatus::Waiting.as_str() {
                        waiting_for(&signers, &r.signer_states)
                    } else {
                        Vec::new()
                    },
                    signed: r.signers_signed,
                    archived: r.archived_at.is_some(),
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                }
            })
            .collect(),
        next,
        counts,
        counts_capped,
        quiet,
        quiet_hours: state.quiet_hours,
    })
}

/// The names (or addresses) of the signers who have not signed yet.
fn waiting_for(signers: &[Signer], states_json: &str) -> Vec<String> {
    let states: Vec<crate::model::tracking::SignerState> =
        serde_json::from_str(states_json).unwrap_or_default();
    signers
        .iter()
        .enumerate()
        .filter(|(i, _)| states.get(*i).is_none_or(|s| s.status != "signed"))
        .map(|(_, s)| {
            if s.name.trim().is_empty() {
                s.email.clone()
            } else {
                s.name.clone()
            }
        })
        .collect()
}

fn too_long(field: &str, value: &str) -> Result<(), AppError> {
    if value.len() > MAX_TEXT {
        return Err(AppError::field(
            field,
            format!("This is too long: at most {MAX_TEXT} characters."),
        ));
    }
    Ok(())
}

/// Saves settings as typed: anything that fits is kept, and the preflight
/// says what still needs fixing. Only numbers that are not numbers are refused.
pub async fn save_settings(
    state: &AppState,
    user: &UserRow,
    id: i64,
    settings: Settings,
) -> Result<(), AppError> {
    editable(state, user, id).await?;
    too_long("title", &settings.title)?;
    too_long("reference", &settings.reference)?;
    requests::save_settings(&state.db, id, &settings, Utc::now())
        .await
        .map_err(internal)?;
    Ok(())
}

fn unique_keys<'a>(keys: impl Iterator<Item = &'a str>) -> bool {
    let keys: Vec<&str> = keys.collect();
    keys.iter()
        .enumerate()
        .all(|(i, k)| !k.is_empty() && !keys[..i].contains(k))
}

pub async fn save_signers(
    state: &AppState,
    user: &UserRow,
    id: i64,
    signers: Vec<Signer>,
) -> Result<(), AppError> {
    editable(state, user, id).await?;
    if signers.len() > 50 || !unique_keys(signers.iter().map(|s| s.key.as_str())) {
        return Err(AppError::Conflict(
            "The signer list could not be read.".into(),
        ));
    }
    for s in &signers {
        too_long("message", &s.message)?;
    }
    let json = serde_json::to_string(&signers).map_err(internal)?;
    requests::save_people(&state.db, id, People::Signers, &json, Utc::now())
        .await
        .map_err(internal)?;
    Ok(())
}

pub async fn save_receivers(
    state: &AppState,
    user: &UserRow,
    id: i64,
    receivers: Vec<Receiver>,
) -> Result<(), AppError> {
    editable(state, user, id).await?;
    if receivers.len() > 50 || !unique_keys(receivers.iter().map(|r| r.key.as_str())) {
        return Err(AppError::Conflict(
            "The receiver list could not be read.".into(),
        ));
    }
    let json = serde_json::to_string(&receivers).map_err(internal)?;
    requests::save_people(&state.db, id, People::Receivers, &json, Utc::now())
        .await
        .map_err(internal)?;
    Ok(())
}

pub async fn save_fields(
    state: &AppState,
    user: &UserRow,
    id: i64,
    document_id: i64,
    fields: Vec<PlacedField>,
) -> Result<(), AppError> {
    editable(state, user, id).await?;
    if fields.len() > 500 || !unique_keys(fields.iter().map(|f| f.id.as_str())) {
        return Err(AppError::Conflict(
            "The field list could not be read.".into(),
        ));
    }
    let json = serde_json::to_string(&fields).map_err(internal)?;
    if !documents::save_fields(&state.db, id, document_id, &json)
        .await
        .map_err(internal)?
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// What the preflight finds in the stored request.
pub async fn problems(state: &AppState, row: &RequestRow) -> Result<Vec<Problem>, AppError> {
    let docs = documents::list(&state.db, row.id).await.map_err(internal)?;
    let docs: Vec<_> = docs.iter().map(|d| d.to_view()).collect();
    let today = Utc::now().date_naive().to_string();
    let (settings, signers, receivers) = (row.settings(), signers_of(row), receivers_of(row));
    let draft = Draft {
        settings: &settings,
        signers: &signers,
        receivers: &receivers,
        documents: &docs,
        today: &today,
    };
    Ok(fit::preflight(
        &draft,
        ProviderKind::parse(&row.provider).unwrap_or_default(),
    ))
}

/// Chooses the signing service of a draft (one configured on this portal).
pub async fn set_service(
    state: &AppState,
    user: &UserRow,
    id: i64,
    service: &str,
) -> Result<(), AppError> {
    editable(state, user, id).await?;
    let Some(kind) = ProviderKind::parse(service).filter(|k| state.providers.get(*k).is_some())
    else {
        return Err(AppError::field(
            "service",
            "Choose one of the signing services offered here.",
        ));
    };
    if !requests::set_provider(&state.db, id, kind.as_str(), Utc::now())
        .await
        .map_err(internal)?
    {
        return Err(AppError::Conflict(
            "This request can no longer be changed.".into(),
        ));
    }
    Ok(())
}

/// Records the intent to start and the job that sends it to Signhost.
/// Refused while the preflight has errors, or warnings not accepted.
pub async fn start(
    state: &AppState,
    user: &UserRow,
    id: i64,
    accept_warnings: bool,
) -> Result<(), AppError> {
    let row = editable(state, user, id).await?;
    let found = problems(state, &row).await?;
    if preflight::has_errors(&found) {
        return Err(AppError::Conflict(
            "Fix the problems listed under “Before you send” first.".into(),
        ));
    }
    if !found.is_empty() && !accept_warnings {
        return Err(AppError::Conflict(
            "Look at the warnings under “Before you send” and confirm that you want to send anyway."
                .into(),
        ));
    }
    let provider = state.providers.of(&row.provider).ok_or_else(|| {
        AppError::Conflict(format!(
            "{} is not configured on this portal; choose another signing service.",
            label_of(&row)
        ))
    })?;
    let now = Utc::now();
    // The status and the job that acts on it land together: a crash in
    // between must not leave a request "sending" with nothing to send it.
    let mut t = state.db.begin().await.map_err(internal)?;
    if !requests::mark_starting(&mut t, id, now)
        .await
        .map_err(internal)?
    {
        return Err(AppError::Conflict(
            "This request is already being sent.".into(),
        ));
    }
    faults::check(id, "start: marked starting").map_err(internal)?;
    jobs::enqueue(&mut t, START_JOB, id, provider.first_step(), now)
        .await
        .map_err(internal)?;
    audit::record(
        &mut t,
        id,
        Some(user.id),
        "sent",
        &format!("asked to send to {}", label_of(&row)),
        now,
    )
    .await
    .map_err(internal)?;
    t.commit().await.map_err(internal)?;
    tracing::info!(request_id = id, user_id = user.id, "request start asked");
    state.wake_workers();
    Ok(())
}

pub async fn delete(state: &AppState, user: &UserRow, id: i64) -> Result<(), AppError> {
    editable(state, user, id).await?;
    if !requests::delete(&state.db, id).await.map_err(internal)? {
        return Err(AppError::Conflict(
            "This request can no longer be deleted.".into(),
        ));
    }
    tracing::info!(request_id = id, user_id = user.id, "draft deleted");
    Ok(())
}

/// Any staff member may copy a request into a new draft of their own.
pub async fn duplicate(state: &AppState, user: &UserRow, id: i64) -> Result<i64, AppError> {
    find(state, id).await?;
    let new_id = requests::duplicate(&state.db, id, user.id, Utc::now())
        .await
        .map_err(internal)?;
    tracing::info!(
        request_id = id,
        new_id,
        user_id = user.id,
        "request duplicated"
    );
    Ok(new_id)
}

/// Document changes other than upload: rename, move, remove.
pub enum DocumentChange {
    Rename(String),
    Move { up: bool },
    Remove,
}

pub async fn change_document(
    state: &AppState,
    user: &UserRow,
    id: i64,
    document_id: i64,
    change: DocumentChange,
) -> Result<(), AppError> {
    editable(state, user, id).await?;
    let db = &state.db;
    let found = match change {
        DocumentChange::Rename(name) => {
            let name = name.trim();
            if name.is_empty() || name.len() > 255 {
                return Err(AppError::field(
                    "name",
                    "A document name has 1 to 255 characters.",
                ));
            }
            documents::rename(db, id, document_id, name).await
        }
        DocumentChange::Move { up } => documents::move_by_one(db, id, document_id, up).await,
        DocumentChange::Remove => {
            let removed = documents::remove(db, id, document_id).await;
            if matches!(removed, Ok(true)) {
                audit::record(
                    db,
                    id,
                    Some(user.id),
                    "document removed",
                    &format!("document {document_id}"),
                    Utc::now(),
                )
                .await
                .map_err(internal)?;
            }
            removed
        }
    }
    .map_err(internal)?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The adapter of the service a sent request was made at, with its id there.
fn service_of(
    state: &AppState,
    row: &RequestRow,
) -> Result<(std::sync::Arc<dyn Provider>, String), AppError> {
    let provider = state
        .providers
        .of(&row.provider)
        .ok_or_else(|| internal(format!("service {} is not configured", row.provider)))?;
    let external_id = row
        .external_id
        .clone()
        .ok_or_else(|| internal("sent request without the service's id"))?;
    Ok((provider, external_id))
}

/// The name of a request's service, as staff see it.
pub fn label_of(row: &RequestRow) -> &'static str {
    row.service_label()
}

/// Cancels a request that is waiting for signers (its owner or an admin).
pub async fn cancel(
    state: &AppState,
    user: &UserRow,
    id: i64,
    reason: &str,
    notify: bool,
) -> Result<(), AppError> {
    let row = find(state, id).await?;
    if !may_change(&row, user) {
        return Err(AppError::Forbidden);
    }
    if row.status() != RequestStatus::Waiting {
        return Err(AppError::Conflict(
            "Only a request that is waiting for signers can be cancelled.".into(),
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > 500 {
        return Err(AppError::field(
            "reason",
            "Give a reason (at most 500 characters); signers may see it.",
        ));
    }
    let (provider, external_id) = service_of(state, &row)?;
    let now = Utc::now();
    let tx = provider
        .cancel(&external_id, reason, notify)
        .await
        .map_err(|e| AppError::Upstream(e.message()))?;
    let detail = format!(
        "{reason}{}",
        if notify { " (signers notified)" } else { "" }
    );
    let mut t = state.db.begin().await.map_err(internal)?;
    audit::record(&mut t, id, Some(user.id), "cancelled", &detail, now)
        .await
        .map_err(internal)?;
    crate::ssr::tracking::apply_in(&mut t, id, &tx, now)
        .await
        .map_err(internal)?;
    t.commit().await.map_err(internal)?;
    tracing::info!(request_id = id, user_id = user.id, "request cancelled");
    Ok(())
}

/// Cancels a waiting request (telling the signers) and makes a draft copy
/// of it to correct; answers the copy's id.
pub async fn correct(
    state: &AppState,
    user: &UserRow,
    id: i64,
    reason: &str,
) -> Result<i64, AppError> {
    let reason = if reason.trim().is_empty() {
        "A corrected request follows."
    } else {
        reason
    };
    cancel(state, user, id, reason, true).await?;
    let new_id = duplicate(state, user, id).await?;
    audit::record(
        &state.db,
        id,
        Some(user.id),
        "corrected",
        &format!("a corrected copy is draft {new_id}"),
        Utc::now(),
    )
    .await
    .map_err(internal)?;
    Ok(new_id)
}

/// Removes a finished, archived request from its service (the portal keeps its archive).
pub async fn purge_at_service(state: &AppState, user: &UserRow, id: i64) -> Result<(), AppError> {
    let row = find(state, id).await?;
    if !may_change(&row, user) {
        return Err(AppError::Forbidden);
    }
    let archived = tracking::find(&state.db, id)
        .await
        .map_err(internal)?
        .is_some_and(|t| t.archived_at.is_some());
    if !row.status().is_final() || !archived {
        return Err(AppError::Conflict(format!(
            "A request can be deleted at {} only when it is finished and archived here.",
            label_of(&row)
        )));
    }
    let (provider, external_id) = service_of(state, &row)?;
    match provider.purge(&external_id).await {
        Ok(()) | Err(ProviderError::Gone(_)) => {}
        Err(e) => return Err(AppError::Upstream(e.message())),
    }
    audit::record(
        &state.db,
        id,
        Some(user.id),
        &format!("deleted at {}", label_of(&row)),
        "the portal keeps its archive",
        Utc::now(),
    )
    .await
    .map_err(internal)?;
    Ok(())
}
