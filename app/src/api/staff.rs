use leptos::prelude::*;

use crate::error::AppError;
use crate::model::StaffMember;

/// Every staff account (admins only).
#[server(endpoint = "staff/list")]
pub async fn list_staff() -> Result<Vec<StaffMember>, AppError> {
    use crate::ssr::{auth, db::users, web};
    web::finish(
        async move {
            let (state, _) = auth::require_admin().await?;
            let rows = users::list(&state.db).await.map_err(web::internal)?;
            Ok(rows.iter().map(|r| r.to_member()).collect())
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
