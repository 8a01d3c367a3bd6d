use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{HotsignConnection, Invited, StaffMember};

/// Every staff account (admins only).
#[server(endpoint = "staff/list")]
pub async fn list_staff() -> Result<Vec<StaffMember>, AppError> {
    use crate::ssr::{auth, db::users, web};
    web::finish(
        async move {
            let (state, admin) = auth::require_admin().await?;
            let rows = users::list(&state.db).await.map_err(web::internal)?;
            Ok(rows
                .iter()
                .map(|r| StaffMember {
                    is_you: r.id == admin.id,
                    ..r.to_member()
                })
                .collect())
        }
        .await,
    )
}

/// Adds a staff account with a first password (admins only).
#[server(endpoint = "staff/add")]
pub async fn add_staff(
    email: String,
    display_name: String,
    role: String,
    password: String,
) -> Result<StaffMember, AppError> {
    use crate::ssr::{auth, staff, web};
    web::finish(
        async move {
            let (state, admin) = auth::require_admin().await?;
            let input = staff::NewStaff {
                email: &email,
                display_name: &display_name,
                role: &role,
                password: &password,
            };
            let member = staff::create(&state.db, input).await?;
            tracing::info!(admin = admin.id, user_id = member.id, "staff member added");
            Ok(member)
        }
        .await,
    )
}

/// Disables or enables an account (admins only).
#[server(endpoint = "staff/set_disabled")]
pub async fn set_staff_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::ssr::{auth, staff, web};
    web::finish(
        async move {
            let (state, admin) = auth::require_admin().await?;
            staff::set_disabled(&state.db, admin.id, id, disabled).await?;
            tracing::info!(
                admin = admin.id,
                user_id = id,
                disabled,
                "staff account changed"
            );
            Ok(())
        }
        .await,
    )
}

/// Gives an account a new password (admins only).
#[server(endpoint = "staff/reset_password")]
pub async fn reset_staff_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::ssr::{auth, staff, web};
    web::finish(
        async move {
            let (state, admin) = auth::require_admin().await?;
            staff::reset_password(&state.db, id, &password).await?;
            tracing::info!(admin = admin.id, user_id = id, "password reset");
            Ok(())
        }
        .await,
    )
}

/// Adds a staff account whose owner chooses the password with a one-time
/// link (admins only); answers the link to pass on.
#[server(endpoint = "staff/invite")]
pub async fn invite_staff(
    email: String,
    display_name: String,
    role: String,
) -> Result<Invited, AppError> {
    use crate::ssr::{auth, staff, web};
    web::finish(
        async move {
            let (state, admin) = auth::require_admin().await?;
            let member = staff::create_invited(&state.db, &email, &display_name, &role).await?;
            let link = staff::password_link(&state.db, member.id).await?;
            tracing::info!(
                admin = admin.id,
                user_id = member.id,
                "staff member invited"
            );
            Ok(Invited { member, link })
        }
        .await,
    )
}

/// A new one-time link for an account to choose a password (admins only);
/// an earlier link stops working.
#[server(endpoint = "staff/password_link")]
pub async fn staff_password_link(id: i64) -> Result<String, AppError> {
    use crate::ssr::{auth, staff, web};
    web::finish(
        async move {
            let (state, admin) = auth::require_admin().await?;
            let link = staff::password_link(&state.db, id).await?;
            tracing::info!(admin = admin.id, user_id = id, "password link made");
            Ok(link)
        }
        .await,
    )
}

/// Changes an account's role (admins only, not their own).
#[server(endpoint = "staff/set_role")]
pub async fn set_staff_role(id: i64, role: String) -> Result<(), AppError> {
    use crate::ssr::{auth, staff, web};
    web::finish(
        async move {
            let (state, admin) = auth::require_admin().await?;
            staff::set_role(&state.db, admin.id, id, &role).await?;
            tracing::info!(admin = admin.id, user_id = id, role = %role, "staff role changed");
            Ok(())
        }
        .await,
    )
}

/// Whose link this is, while it is valid: their name (no sign-in needed).
#[server(endpoint = "welcome/owner")]
pub async fn link_owner(token: String) -> Result<Option<String>, AppError> {
    use crate::ssr::{auth, staff, web};
    web::finish(
        async move {
            let (state, _) = auth::context().await?;
            Ok(staff::link_owner(&state.db, &token)
                .await?
                .map(|(name, _)| name))
        }
        .await,
    )
}

/// Sets the password chosen with a link, then goes to sign-in.
#[server(endpoint = "welcome/accept")]
pub async fn accept_link(token: String, password: String, repeat: String) -> Result<(), AppError> {
    use crate::ssr::{auth, staff, web};
    web::finish(
        async move {
            let (state, _) = auth::context().await?;
            if password != repeat {
                return Err(AppError::field(
                    "repeat",
                    "The two passwords are not the same.",
                ));
            }
            let email = staff::accept_link(&state.db, &token, &password).await?;
            tracing::info!("password chosen with a link");
            leptos_axum::redirect(&format!(
                "/sign-in?welcome=1&email={}",
                crate::model::url::escape(&email)
            ));
            Ok(())
        }
        .await,
    )
}

/// Where the Hotsign connection stands (admins only).
#[server(endpoint = "staff/hotsign")]
pub async fn hotsign_standing() -> Result<HotsignConnection, AppError> {
    use crate::ssr::{auth, db::hotsign, web};
    web::finish(
        async move {
            let (state, _) = auth::require_admin().await?;
            if !state.hotsign_connectable {
                return Ok(HotsignConnection::Unavailable);
            }
            let row = hotsign::find(&state.db).await.map_err(web::internal)?;
            let when =
                |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
            Ok(match row {
                None => HotsignConnection::NotConnected,
                Some(r) if r.refresh_expires_at <= chrono::Utc::now() => {
                    HotsignConnection::Lapsed {
                        account: r.account,
                        since: when(r.refresh_expires_at),
                    }
                }
                Some(r) => HotsignConnection::Connected {
                    account: r.account,
                    refresh_until: when(r.refresh_expires_at),
                },
            })
        }
        .await,
    )
}
