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

/// How long a link to choose a password stays valid.
pub const LINK_DAYS: i64 = 7;

fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates an account whose owner chooses the password with a link:
/// nobody, not even the admin, ever knows a password of it until then.
pub async fn create_invited(
    db: &Db,
    email: &str,
    display_name: &str,
    role: &str,
) -> Result<StaffMember, AppError> {
    let unknown = random_token();
    create(
        db,
        NewStaff {
            email,
            display_name,
            role,
            password: &unknown,
        },
    )
    .await
}

/// A one-time link path (`/welcome/<token>`) with which `user_id` chooses
/// a password; an earlier link of theirs stops working.
pub async fn password_link(db: &Db, user_id: i64) -> Result<String, AppError> {
    users::find_by_id(db, user_id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let token = random_token();
    let now = Utc::now();
    crate::ssr::db::invitations::replace(
        db,
        user_id,
        &token_hash(&token),
        now + chrono::Duration::days(LINK_DAYS),
        now,
    )
    .await
    .map_err(internal)?;
    Ok(format!("/welcome/{token}"))
}

/// Whose link `token` is, while it is valid: (name, email).
pub async fn link_owner(db: &Db, token: &str) -> Result<Option<(String, String)>, AppError> {
    let Some(id) = crate::ssr::db::invitations::find(db, &token_hash(token), Utc::now())
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    Ok(users::find_by_id(db, id)
        .await
        .map_err(internal)?
        .filter(|u| !u.disabled)
        .map(|u| (u.display_name, u.email)))
}

/// Sets the password chosen with a link, which is then used up. Answers
/// the account's email (to sign in with).
pub async fn accept_link(db: &Db, token: &str, new_password: &str) -> Result<String, AppError> {
    check_password(new_password).map_err(|m| AppError::field("password", m))?;
    let gone = || {
        AppError::Conflict(
            "This link is no longer valid (used, replaced or older than a week). Ask an admin for a new one."
                .into(),
        )
    };
    let hash = password::hash(new_password.to_string())
        .await
        .map_err(internal)?;
    let id = crate::ssr::db::invitations::take(db, &token_hash(token), Utc::now())
        .await
        .map_err(internal)?
        .ok_or_else(gone)?;
    let user = users::find_by_id(db, id)
        .await
        .map_err(internal)?
        .filter(|u| !u.disabled)
        .ok_or_else(gone)?;
    users::set_password_hash(db, id, &hash, Utc::now())
        .await
        .map_err(internal)?;
    Ok(user.email)
}

/// Changes an account's role. Admins cannot change their own, and the last
/// enabled admin stays an admin.
pub async fn set_role(db: &Db, acting_user: i64, id: i64, role: &str) -> Result<(), AppError> {
    let role = Role::parse(role).map_err(|m| AppError::field("role", m))?;
    let target = users::find_by_id(db, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    if id == acting_user {
        return Err(AppError::Conflict(
            "You cannot change your own role; ask another admin.".into(),
        ));
    }
    if target.role() == Role::Admin && role == Role::Staff && !target.disabled {
        let admins = users::count_active_admins(db).await.map_err(internal)?;
        if admins <= 1 {
            return Err(AppError::Conflict(
                "The last enabled admin stays an admin.".into(),
            ));
        }
    }
    users::set_role(db, id, role, Utc::now())
        .await
        .map_err(internal)?;
    Ok(())
}
