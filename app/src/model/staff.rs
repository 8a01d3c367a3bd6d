use serde::{Deserialize, Serialize};

pub const MIN_PASSWORD_LEN: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
        }
    }

    pub fn parse(input: &str) -> Result<Self, String> {
        match input.trim() {
            "admin" => Ok(Role::Admin),
            "staff" => Ok(Role::Staff),
            _ => Err("Choose either admin or staff.".into()),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Staff => "Staff",
        }
    }
}

/// A person's name as shown in the portal: trimmed, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, String> {
        let value = input.trim();
        if value.is_empty() {
            return Err("Enter a name.".into());
        }
        if value.chars().count() > 100 {
            return Err("A name has at most 100 characters.".into());
        }
        if value.chars().any(char::is_control) {
            return Err("A name cannot contain control characters.".into());
        }
        Ok(DisplayName(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a new password against the portal's rules.
pub fn check_password(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(format!("Use at least {MIN_PASSWORD_LEN} characters."));
    }
    if len > 256 {
        return Err("Use at most 256 characters.".into());
    }
    if password.trim().is_empty() {
        return Err("A password cannot be only spaces.".into());
    }
    Ok(())
}

/// The signed-in staff member, as the pages see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The Hotsign connection, as the Staff page shows it to admins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HotsignConnection {
    /// Hotsign is not configured on this portal.
    Unavailable,
    NotConnected,
    Connected {
        account: String,
        /// Until when the refresh token is valid, UTC, as text.
        refresh_until: String,
    },
    /// The refresh token lapsed: an admin must reconnect.
    Lapsed {
        account: String,
        since: String,
    },
}

/// A row of the staff list on the admin page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The account of the admin looking at the list.
    #[serde(default)]
    pub is_you: bool,
}

/// A new account and the link its owner chooses a password with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invited {
    pub member: StaffMember,
    /// `/welcome/<token>`, valid once, for a week.
    pub link: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in [Role::Admin, Role::Staff] {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Ann de Vries ").unwrap().as_str(),
            "Ann de Vries"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
        assert!(DisplayName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn passwords_need_length() {
        assert!(check_password("short").is_err());
        assert!(check_password("            ").is_err());
        assert!(check_password("correct horse battery").is_ok());
        assert!(check_password(&"x".repeat(257)).is_err());
    }
}
