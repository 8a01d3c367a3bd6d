use serde::{Deserialize, Serialize};

/// A syntactically plausible email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err("Enter an email address.".into());
        }
        if value.len() > 254 {
            return Err("An email address has at most 254 characters.".into());
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err("An email address needs an @, like name@example.com.".into());
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        let chars_ok =
            !value.chars().any(|c| c.is_whitespace() || c.is_control()) && !domain.contains('@');
        if local.is_empty() || !domain_ok || !chars_ok {
            return Err("This is not a valid email address, like name@example.com.".into());
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            Email::parse("  Ann@Example.NL ").unwrap().as_str(),
            "ann@example.nl"
        );
        assert!(Email::parse("a.b+c@sub.example.com").is_ok());
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "   ",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@.com",
            "ann@example.",
            "a b@example.com",
            "a@b@example.com",
            "ann@exa..mple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
