//! Managing staff accounts: used by the admin page and the CLI.

use chrono::Utc;

use crate::error::{AppError, FieldErrors};
use crate::model::{check_password, DisplayName, Email, Role, StaffMember};
use crate::ssr::db::{is_unique_violation, users, Db};
use crate::ssr::password;
use crate::ssr::web::internal;

pub struct NewStaff<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub password: &'a str,
}

/// Validates and creates a staff account. Every problem is reported next to
/// its field, with the non-secret input kept.
pub async fn create(db: &Db, input: NewStaff<'_>) -> Result<StaffMember, AppError> {
    let mut fields = FieldErrors::new()
        .keep("email", input.email)
        .keep("display_name", input.display_name)
        .keep("role", input.role);
    let email = Email::parse(input.email)
        .map_err(|m| fields.add("email", m))
        .ok();
    let name = DisplayName::parse(input.display_name)
        .map_err(|m| fields.add("display_name", m))
        .ok();
    let role = Role::parse(input.role)
        .map_err(|m| fields.add("role", m))
        .ok();
    if let Err(m) = check_password(input.password) {
        fields.add("password", m);
    }
    let (Some(email), Some(name), Some(role)) = (email, name, role) else {
        return Err(AppError::Validation(fields));
    };
    fields.clone().into_result()?;

    let hash = password::hash(input.password.to_string())
        .await
        .map_err(internal)?;
    let new_user = users::NewUser {
        email: email.as_str(),
        display_name: name.as_str(),
        password_hash: &hash,
        role,
    };
    let id = match users::insert(db, &new_user, Utc::now()).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            fields.add(
                "email",
                "A staff member with this email address already exists.",
            );
            return Err(AppError::Validation(fields));
        }
        Err(e) => return Err(internal(e)),
    };
    let row = users::find_by_id(db, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    Ok(row.to_member())
}

/// Enables or disables an account. Admins cannot disable themselves, and the
/// last enabled admin stays enabled.
pub async fn set_disabled(
    db: &Db,
    acting_user: i64,
    id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    let target = users::find_by_id(db, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    if disabled && id == acting_user {
        return Err(AppError::Conflict(
            "You cannot disable your own account.".into(),
        ));
    }
    if disabled && target.role() == Role::Admin && !target.disabled {
        let admins = users::count_active_admins(db).await.map_err(internal)?;
        if admins <= 1 {
            return Err(AppError::Conflict(
                "The last enabled admin cannot be disabled.".into(),
            ));
        }
    }
    users::set_disabled(db, id, disabled, Utc::now())
        .await
        .map_err(internal)?;
    Ok(())
}

/// Sets a new password; the account's sessions end.
pub async fn reset_password(db: &Db, id: i64, new_password: &str) -> Result<(), AppError> {
    check_password(new_password).map_err(|m| AppError::field("password", m))?;
    let hash = password::hash(new_password.to_string())
        .await
        .map_err(internal)?;
    if !users::set_password_hash(db, id, &hash, Utc::now())
        .await
        .map_err(internal)?
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}
