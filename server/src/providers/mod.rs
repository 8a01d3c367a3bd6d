//! The adapters that map a portal request onto each signing service, and
//! the registry of the services configured on this portal.

pub mod certeurope;
pub mod hotsign;
pub mod metered;
pub mod signhost;
pub mod signicat;

use std::sync::Arc;

use app::model::service::ProviderKind;
use app::ssr::provider::{Provider, Providers};

/// The Signhost adapter for a client and the portal's own addresses.
pub fn signhost(
    client: ::signhost::Client,
    postback_url: String,
    return_url: String,
    shared_secret: String,
) -> Arc<dyn Provider> {
    Arc::new(signhost::Signhost {
        client: Arc::new(client),
        postback_url,
        return_url,
        shared_secret,
    })
}

/// The Signicat adapter for a client and the portal's landing page.
pub fn signicat(
    client: ::signicat::Client,
    return_url: String,
    webhook_secret: String,
) -> Arc<dyn Provider> {
    Arc::new(signicat::Signicat {
        client,
        return_url,
        webhook_secret,
    })
}

/// The CertEurope SignAPI adapter for a client; it keeps its orders in
/// the request's state, so it reads the database.
pub fn certeurope(
    client: ::certeurope::Client,
    db: app::ssr::db::Db,
    settings: &crate::config::CertEuropeSettings,
    callback_url: String,
) -> Arc<dyn Provider> {
    Arc::new(certeurope::CertEurope {
        client,
        db,
        level: settings.level,
        client_identifier: settings.client_identifier.clone(),
        callback_url,
        making: Default::default(),
    })
}

/// The Hotsign adapter, calling Hotsign with the connected account's tokens.
pub fn hotsign(tokens: hotsign::tokens::Tokens) -> Arc<dyn Provider> {
    Arc::new(hotsign::Hotsign { tokens })
}

/// A registry of the given adapters, with `default` offered first.
pub fn registry(list: Vec<Arc<dyn Provider>>, default: ProviderKind) -> Providers {
    let metered = list
        .into_iter()
        .map(|p| Arc::new(metered::Metered(p)) as Arc<dyn Provider>)
        .collect();
    Providers::new(metered, default)
}
