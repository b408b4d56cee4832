//! The sandbox's run-time control, for tests and demos: switch a connection to another
//! behaviour while it is in use (`PUT /control/connections/{client_id}/behaviour` with
//! `{"behaviour": "<the client id of that behaviour in the README's table>"}`), and back
//! (`DELETE` of the same path). Scopes stay the connection's own.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::put;
use axum::{Json, Router};
use serde::Deserialize;

use crate::{Behaviour, SandboxConfig};

/// Where the control lives.
pub const CONTROL_PATH: &str = "/control/connections/{client_id}/behaviour";

/// The control routes.
pub fn router() -> Router<Arc<SandboxConfig>> {
    Router::new().route(CONTROL_PATH, put(switch).delete(restore))
}

/// The body of a switch.
#[derive(Deserialize)]
struct Switch {
    /// The behaviour to take, named by its own client id (`sandbox-wrong-secret`).
    behaviour: String,
}

async fn switch(
    State(config): State<Arc<SandboxConfig>>,
    Path(client_id): Path<String>,
    Json(body): Json<Switch>,
) -> Result<StatusCode, (StatusCode, String)> {
    if !config.connections.iter().any(|c| c.client_id == client_id) {
        return Err((
            StatusCode::NOT_FOUND,
            format!("no connection '{client_id}'"),
        ));
    }
    let behaviour = Behaviour::ALL
        .into_iter()
        .find(|b| b.client_id() == body.behaviour)
        .ok_or_else(|| {
            (
                StatusCode::BAD_REQUEST,
                format!(
                    "no behaviour '{}': name one by its client id in the README's table, e.g. sandbox-wrong-secret",
                    body.behaviour
                ),
            )
        })?;
    config.overrides.set(&client_id, behaviour);
    Ok(StatusCode::NO_CONTENT)
}

async fn restore(
    State(config): State<Arc<SandboxConfig>>,
    Path(client_id): Path<String>,
) -> StatusCode {
    config.overrides.clear(&client_id);
    StatusCode::NO_CONTENT
}
