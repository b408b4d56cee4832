//! Stored connections: completing a session into one (its secret sealed to where it may be
//! sent), and the vendor's reads, credential reads and revocations, each limited to the
//! tenants the caller may see.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sis_onboard_protocol::{CompleteRequest, ConnectionSummary, WebhookEventType, catalog_source};

use crate::AppState;
use crate::api_keys::Visible;
use crate::clock::unix_now;
use crate::crypto::SealBinding;
use crate::error::ProxyError;
use crate::extract_plans;
use crate::oneroster::validate::checked_url;
use crate::secrets::CredentialsAnswer;
use crate::sessions::{LiveSession, completed_connection, effective_offer};
use crate::store::{CredentialsUpdate, NewConnection};
use crate::validations;
use crate::webhooks;

/// Stores the connection the session `live` validated and answers its opaque id; on the
/// Custom Data Extract path also the extract plan of the chosen data sets, regenerated from
/// the session's prefix. Completing twice answers the same id.
pub async fn complete(
    state: &AppState,
    live: LiveSession,
    request: &CompleteRequest,
) -> Result<String, ProxyError> {
    let LiveSession {
        token_hash: session_hash,
        session,
    } = live;
    let offer = &effective_offer(state, &session);
    if !offer.sources.contains(&request.source) {
        return Err(ProxyError::bad_request(
            "source",
            format!(
                "source must be one of this session's sources {:?}",
                offer.sources
            ),
        ));
    }
    let Some(source) = catalog_source(&request.source).filter(|s| s.connectable()) else {
        return Err(ProxyError::bad_request(
            "source",
            format!("the source '{}' cannot be connected yet", request.source),
        ));
    };
    if !source.strategies.contains(&request.strategy) {
        let by: Vec<&str> = source.strategies.iter().map(|s| s.as_str()).collect();
        return Err(ProxyError::bad_request(
            "strategy",
            format!(
                "the source '{}' does not connect by '{}' (it connects by {by:?})",
                request.source,
                request.strategy.as_str()
            ),
        ));
    }
    if !offer.strategies.contains(&request.strategy) {
        return Err(ProxyError::bad_request(
            "strategy",
            format!(
                "strategy '{}' is not offered by this session",
                request.strategy.as_str()
            ),
        ));
    }
    let region = request.region.as_str();
    if !offer.regions.iter().any(|r| r == region) || state.config.region(region).is_none() {
        return Err(ProxyError::bad_request(
            "region",
            format!(
                "region must be one of this session's regions {:?}",
                offer.regions
            ),
        ));
    }
    // A repair replaces the credentials only: the stored extract plan stays.
    let extract_plan = match offer.repair_of {
        Some(_) => None,
        None => extract_plans::plan_for(
            offer,
            request.strategy,
            request.data_sets.as_deref().unwrap_or_default(),
        )?,
    };
    let keyring = state
        .config
        .keyring()
        .ok_or_else(|| ProxyError::Internal("no encryption key is configured".into()))?;

    // Completing twice answers the connection the first completion claimed.
    if let Some(id) = completed_connection(state, &session_hash).await? {
        return Ok(id);
    }
    let credentials = &request.credentials;
    let report = validations::passed_report(state, &session_hash, credentials).await?;
    let district = report
        .district
        .ok_or_else(|| ProxyError::Internal("a passed validation without a district".into()))?;

    let id = offer.repair_of.clone().unwrap_or_else(|| {
        format!(
            "conn_{}",
            URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
        )
    });
    // What the validation probed, so the vendor's sync talks to exactly that.
    let base_url = checked_url(&credentials.base_url)
        .ok_or_else(|| ProxyError::Internal("a validated base URL does not parse".into()))?;
    let token_url = checked_url(&credentials.token_url)
        .ok_or_else(|| ProxyError::Internal("a validated token URL does not parse".into()))?;
    let client_id = credentials.client_id.trim().to_owned();
    // Bound to where the secret may be sent: a changed token URL in the database makes the
    // secret undecryptable rather than sending it there.
    let secret_sealed = keyring
        .current()
        .seal(
            credentials.client_secret.as_bytes(),
            &SealBinding {
                connection_id: &id,
                tenant_id: &session.tenant_id,
                base_url: &base_url,
                token_url: &token_url,
                client_id: &client_id,
            },
        )
        .map_err(|e| ProxyError::Internal(e.to_string()))?;
    if offer.repair_of.is_some() {
        let update = CredentialsUpdate {
            id: &id,
            base_url: &base_url,
            token_url: &token_url,
            client_id: &client_id,
            secret_sealed: &secret_sealed,
            district_name: &district.name,
            counts: &serde_json::to_string(&district)
                .map_err(|e| ProxyError::Internal(format!("district: {e}")))?,
            at: unix_now(),
        };
        return repair(state, &session_hash, update).await;
    }
    let connection = NewConnection {
        id,
        session_hash,
        tenant_id: session.tenant_id,
        region: region.to_owned(),
        source: request.source.clone(),
        strategy: request.strategy,
        base_url,
        token_url,
        client_id,
        secret_sealed,
        district_name: district.name.clone(),
        counts: serde_json::to_string(&district)
            .map_err(|e| ProxyError::Internal(format!("district: {e}")))?,
        extract_plan: extract_plan
            .map(|plan| serde_json::to_string(&plan))
            .transpose()
            .map_err(|e| ProxyError::Internal(format!("extract plan: {e}")))?,
        created_at: unix_now(),
    };
    // One claim per session, in the default database, before the region's database is
    // written: concurrent completions (even for different regions) agree on one id.
    let claimed = state
        .store
        .claim_completion(&connection.session_hash, &connection.id)
        .await?;
    if claimed != connection.id {
        return Ok(claimed);
    }
    // The webhook is written with the connection, in one transaction.
    let created = webhooks::connection_event(
        &state.config.webhooks,
        WebhookEventType::ConnectionCreated,
        webhooks::connection_data(&connection),
    );
    let stored = state
        .connection_store(region)
        .insert_connection(&connection, &[created])
        .await;
    let connection_id = match stored {
        Ok(id) => id,
        Err(error) => {
            // Let a retry complete the session instead of pointing at nothing.
            state
                .store
                .release_completion(&connection.session_hash, &connection.id)
                .await?;
            return Err(error.into());
        }
    };
    tracing::info!(connection = %connection_id, region, "connection stored");
    Ok(connection_id)
}

/// Stored connections, newest first, across every region (never a secret): those of
/// `tenant` when one is named (`tenant_not_allowed` when the caller may not see it), else
/// all the caller may see.
pub async fn list(
    state: &AppState,
    tenant: Option<&str>,
    visible: Visible<'_>,
) -> Result<Vec<ConnectionSummary>, ProxyError> {
    let tenants = visible
        .filters(tenant)
        .ok_or(ProxyError::TenantNotAllowed)?;
    let mut connections = Vec::new();
    for store in state.connection_stores() {
        for tenant in &tenants {
            connections.extend(store.list_connections(tenant.as_deref()).await?);
        }
    }
    // Each store answers newest first; merged, the list keeps that order.
    connections.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    Ok(connections)
}

/// The connection `id`, its sealed secret (None once revoked) and the database that holds
/// it, whichever region's that is. Another tenant's connection is as absent as a missing one.
async fn find<'a>(
    state: &'a AppState,
    id: &str,
    visible: Visible<'_>,
) -> Result<(ConnectionSummary, Option<Vec<u8>>, &'a crate::Store), ProxyError> {
    for store in state.connection_stores() {
        if let Some((summary, sealed)) = store.connection(id).await? {
            if !visible.includes(&summary.tenant_id) {
                break;
            }
            return Ok((summary, sealed, store));
        }
    }
    Err(ProxyError::NotFound)
}

/// One connection (never its secret).
pub async fn summary(
    state: &AppState,
    id: &str,
    visible: Visible<'_>,
) -> Result<ConnectionSummary, ProxyError> {
    Ok(find(state, id, visible).await?.0)
}

/// The decrypted credentials, for the vendor's own sync worker; logged with the id of the
/// key `reader` that read them (never the secret).
pub async fn credentials(
    state: &AppState,
    id: &str,
    visible: Visible<'_>,
    reader: &str,
) -> Result<CredentialsAnswer, ProxyError> {
    let (summary, sealed, _) = find(state, id, visible).await?;
    let sealed = sealed.ok_or(ProxyError::NotFound)?;
    let keyring = state
        .config
        .keyring()
        .ok_or_else(|| ProxyError::Internal("no encryption key is configured".into()))?;
    // Fails when the row was tampered with (its token URL changed, say) or no configured
    // key sealed it.
    let client_secret = keyring
        .open(&sealed, &SealBinding::of(&summary))
        .map_err(|e| ProxyError::Internal(format!("connection {id}: {e}")))?;
    // Who read which credentials is worth an audit line; the secret itself never is.
    tracing::info!(connection = %id, tenant = %summary.tenant_id, key = %reader, "credentials read");
    Ok(CredentialsAnswer {
        base_url: summary.base_url,
        token_url: summary.token_url,
        client_id: summary.client_id,
        client_secret,
    })
}

/// Revokes a connection: the record stays for audit, the sealed secret is erased. Revoking
/// again is not an error.
pub async fn revoke(
    state: &AppState,
    id: &str,
    visible: Visible<'_>,
    revoker: &str,
) -> Result<(), ProxyError> {
    // Revoked where it was found: the database reads would serve it from.
    let (summary, _, store) = find(state, id, visible).await?;
    // The webhook is written with the revocation, in one transaction (the first one only).
    let revoked = webhooks::connection_event(
        &state.config.webhooks,
        WebhookEventType::ConnectionRevoked,
        webhooks::summary_data(&summary),
    );
    if store.revoke_connection(id, unix_now(), &[revoked]).await? {
        tracing::info!(connection = %id, key = %revoker, "connection revoked");
        Ok(())
    } else {
        Err(ProxyError::NotFound)
    }
}

/// Completes a repair session: the connection keeps its id and gets the new credentials
/// (the old sealed secret overwritten) and `connection.updated`, in one transaction. One
/// claim per session, as for a new connection, so completing twice answers the same id.
async fn repair(
    state: &AppState,
    session_hash: &[u8],
    update: CredentialsUpdate<'_>,
) -> Result<String, ProxyError> {
    let claimed = state
        .store
        .claim_completion(session_hash, update.id)
        .await?;
    if claimed != update.id {
        return Ok(claimed);
    }
    let (summary, _, store) = find(state, update.id, Visible::ALL).await?;
    let mut data = webhooks::summary_data(&summary);
    data.district_name = update.district_name.to_owned();
    let updated = webhooks::connection_event(
        &state.config.webhooks,
        WebhookEventType::ConnectionUpdated,
        data,
    );
    if store.replace_credentials(&update, &[updated]).await? {
        tracing::info!(connection = %update.id, "connection repaired");
        Ok(update.id.to_owned())
    } else {
        // Revoked while the administrator was repairing it: nothing to repair any more.
        state
            .store
            .release_completion(session_hash, update.id)
            .await?;
        Err(ProxyError::NotFound)
    }
}
