//! Who is calling, as axum extractors: [`SessionAuth`] for the wizard's session token,
//! [`VendorKey`] for the vendor's API key with the scope its endpoint needs. A handler that
//! takes one cannot run for a caller without it.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::AppState;
use crate::api_keys::{self, ApiKey, Scope, Visible};
use crate::client_address::ClientAddress;
use crate::error::ProxyError;
use crate::sessions::{LiveSession, find_live_session};

/// The token of `Authorization: Bearer <token>`, trimmed.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The live session a browser request's token names, checked against the request's origin
/// (`invalid_session`, `session_expired`, `origin_not_allowed`, or 429 for an address that
/// keeps guessing).
pub struct SessionAuth(pub LiveSession);

impl FromRequestParts<AppState> for SessionAuth {
    type Rejection = ProxyError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ProxyError> {
        let Ok(client) = ClientAddress::from_request_parts(parts, state).await;
        let origin = parts.headers.get(header::ORIGIN);
        find_live_session(state, &client, bearer(&parts.headers), origin)
            .await
            .map(SessionAuth)
    }
}

/// A scope a vendor endpoint requires, as a type: `VendorKey<CredentialsRead>`.
pub trait RequiredScope {
    /// The scope.
    const SCOPE: Scope;
}

/// Marks endpoints that open sessions.
pub struct SessionsWrite;
/// Marks endpoints that read connections (never secrets).
pub struct ConnectionsRead;
/// Marks the endpoint that reads decrypted credentials.
pub struct CredentialsRead;
/// Marks endpoints that change connections.
pub struct ConnectionsWrite;

impl RequiredScope for SessionsWrite {
    const SCOPE: Scope = Scope::SessionsWrite;
}
impl RequiredScope for ConnectionsRead {
    const SCOPE: Scope = Scope::ConnectionsRead;
}
impl RequiredScope for CredentialsRead {
    const SCOPE: Scope = Scope::CredentialsRead;
}
impl RequiredScope for ConnectionsWrite {
    const SCOPE: Scope = Scope::ConnectionsWrite;
}

/// A configured vendor API key that has the scope `S` (`invalid_api_key` without a key,
/// `key_scope_missing` with a key that lacks it).
pub struct VendorKey<S> {
    key: ApiKey,
    scope: PhantomData<S>,
}

impl<S: RequiredScope> FromRequestParts<AppState> for VendorKey<S> {
    type Rejection = ProxyError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ProxyError> {
        let presented = bearer(&parts.headers).ok_or(ProxyError::InvalidApiKey)?;
        let key =
            api_keys::find(&state.config.api_keys, presented).ok_or(ProxyError::InvalidApiKey)?;
        if !key.has_scope(S::SCOPE) {
            return Err(ProxyError::KeyScopeMissing(S::SCOPE));
        }
        Ok(Self {
            key: key.clone(),
            scope: PhantomData,
        })
    }
}

impl<S> VendorKey<S> {
    /// The key's id, as logs name it.
    pub fn id(&self) -> &str {
        self.key.id()
    }

    /// Which tenants' records the key may see.
    pub fn visible(&self) -> Visible<'_> {
        Visible(self.key.tenants())
    }

    /// Refuses (`tenant_not_allowed`) a tenant the key is not bound to.
    pub fn ensure_tenant(&self, tenant: &str) -> Result<(), ProxyError> {
        if self.key.may_act_for(tenant.trim()) {
            Ok(())
        } else {
            Err(ProxyError::TenantNotAllowed)
        }
    }
}
