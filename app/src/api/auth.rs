use leptos::prelude::*;

use crate::error::AppError;
use crate::model::CurrentUser;

/// Signs a staff member in and sends them on to `next` (or the requests page).
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::error::FieldErrors;
    use crate::ssr::{auth, web};
    web::finish(
        async move {
            let mut fields = FieldErrors::new().keep("email", &email);
            if email.trim().is_empty() {
                fields.add("email", "Enter your email address.");
            }
            if password.is_empty() {
                fields.add("password", "Enter your password.");
            }
            fields.into_result()?;
            let (state, session) = auth::context().await?;
            let address = auth::client_address().await;
            auth::sign_in(&state, &session, &email, &password, &address).await?;
            leptos_axum::redirect(&super::safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

/// Ends the session and returns to the sign-in page.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr::{auth, web};
    web::finish(
        async move {
            let (_, session) = auth::context().await?;
            auth::sign_out(&session).await?;
            leptos_axum::redirect("/sign-in");
            Ok(())
        }
        .await,
    )
}

/// Ends every session of the signed-in staff member, on every device.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::ssr::{auth, web};
    web::finish(
        async move {
            let (state, session) = auth::context().await?;
            let Some(user) = auth::session_user(&session, &state).await? else {
                return Err(AppError::Unauthorized);
            };
            auth::sign_out_everywhere(&state.db, &session, &user).await?;
            leptos_axum::redirect("/sign-in");
            Ok(())
        }
        .await,
    )
}

/// The signed-in staff member, or `None` for an anonymous visitor.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::ssr::{auth, web};
    web::finish(
        async move {
            let (state, session) = auth::context().await?;
            Ok(auth::session_user(&session, &state)
                .await?
                .map(|u| u.to_current()))
        }
        .await,
    )
}
