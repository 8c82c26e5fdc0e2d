#![doc = include_str!("../README.md")]

pub mod api;
pub mod auth;
pub mod brushing;
pub mod credentials;
pub mod error;
mod evidence;
pub mod extract;
pub mod lang;
pub mod listen;
pub mod metrics;
pub mod openapi;
pub mod outbox;
pub mod throttle;
pub mod timers;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use weiquan_store::{Clock, Store, SystemClock};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// What time it is for every handler, page and deadline: the system's, or one a test moves.
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<metrics::Metrics>,
    pub login_limiter: Arc<throttle::LoginLimiter>,
    pub registrations: Arc<throttle::RegistrationLimiter>,
    /// The chats an agent acted on through this node (session ids): their consumers' sockets
    /// here look at once instead of at their next poll.
    pub chat_news: tokio::sync::broadcast::Sender<Arc<str>>,
    /// How often a socket of a handed-over chat looks for what agents did on other nodes.
    pub agent_poll: std::time::Duration,
    /// How often a live unread count looks again for notifications other nodes wrote (this
    /// node's own commits wake it at once).
    pub inbox_recheck: std::time::Duration,
    /// The outbox's dispatcher: the webhook key, the HTTP client, the mailer.
    pub dispatcher: Arc<outbox::Dispatcher>,
    /// The site is served over HTTPS (`serve --https`): cookies are always Secure and named
    /// `__Host-…` (`web::session::Jar`).
    pub https: bool,
    /// When set, `/metrics` answers only a request bearing it.
    pub metrics_token: Option<Arc<str>>,
    /// What bundles for the authorities are signed with (`serve --platform-key`).
    pub platform_key: Arc<weiquan_store::bundle::PlatformKey>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let dispatcher = outbox::Dispatcher::new(outbox::Keyring::ephemeral(), store.policy());
        AppState {
            dispatcher: Arc::new(dispatcher),
            store,
            clock: Arc::new(SystemClock),
            metrics: Arc::default(),
            login_limiter: Arc::default(),
            registrations: Arc::default(),
            chat_news: tokio::sync::broadcast::channel(256).0,
            agent_poll: std::time::Duration::from_secs(1),
            inbox_recheck: std::time::Duration::from_secs(3),
            https: false,
            metrics_token: None,
            platform_key: Arc::new(weiquan_store::bundle::PlatformKey::ephemeral()),
        }
    }

    /// The same state on another clock.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        AppState { clock, ..self }
    }

    /// The same state with `/metrics` private to holders of `token`.
    pub fn with_metrics_token(self, token: Option<String>) -> Self {
        let metrics_token = token.filter(|t| !t.is_empty()).map(Arc::from);
        AppState {
            metrics_token,
            ..self
        }
    }

    /// The same state signing bundles with this key (the data dir's, or one nodes share).
    pub fn with_platform_key(self, key: weiquan_store::bundle::PlatformKey) -> Self {
        AppState {
            platform_key: Arc::new(key),
            ..self
        }
    }

    /// The same state sealing webhook secrets with this key (the data dir's, shared by nodes).
    pub fn with_webhook_key(self, keys: outbox::Keyring) -> Self {
        let dispatcher = Arc::new(outbox::Dispatcher::new(keys, self.store.policy()));
        AppState { dispatcher, ..self }
    }
}

/// JSON bodies are small; uploads have their own, larger limit.
const JSON_LIMIT: usize = 1024 * 1024;

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let upload_limit = state.store.blobs().max_size() as usize + 64 * 1024;
    let api = api::router(upload_limit);
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .nest("/api/v1", api)
        .merge(web::routes(&state))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/api/openapi.json", get(openapi::openapi_json))
        .fallback(web::not_found)
        .method_not_allowed_fallback(|| async { error::ApiError::for_status(axum::http::StatusCode::METHOD_NOT_ALLOWED) })
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(axum::middleware::from_fn(error::envelope))
        .layer(axum::middleware::from_fn(safety_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Ready to serve: the database answers a trivial read and the blob store (the data dir)
/// takes a write. Otherwise 503 with `Retry-After` (507 when storage is full).
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> error::ApiResult<axum::Json<serde_json::Value>> {
    match state.store.health().await {
        Ok(()) => Ok(axum::Json(serde_json::json!({"status": "ok"}))),
        Err(e) => {
            let e = error::ApiError::from(e);
            // Whatever failed, this node cannot serve now.
            Err(if e.status.is_server_error() && e.retry_after.is_none() {
                error::ApiError::unavailable()
            } else {
                e
            })
        }
    }
}

/// JSON is never cached nor sniffed as something else; pages send their origin only to
/// themselves (a page's own headers are set where it is rendered and left as they are).
async fn safety_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut res = next.run(req).await;
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.as_bytes().to_vec());
    let h = res.headers_mut();
    match kind.as_deref() {
        Some(k) if k.starts_with(b"application/json") => {
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        Some(k) if k.starts_with(b"text/html") => {
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
        }
        _ => {}
    }
    res
}

/// Serves on a bound listener, with the deadline loop looking every `timer_interval`, until
/// the future is dropped. Without an interval there is no loop: the caller fires deadlines with
/// [`timers::fire_due`], as the API tests do after moving their clock.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    timer_interval: Option<Duration>,
) -> std::io::Result<()> {
    // 客服小蜜's models and FAQ index are built once per process: now, not in a consumer's turn.
    tokio::task::spawn_blocking(|| {
        if let Err(e) = weiquan_assistant::try_models() {
            tracing::error!("{e}");
        }
        weiquan_assistant::faq::warm_up();
    });
    // Every node seeds the brushing scan; the pending-run index keeps one.
    if let Err(e) = state
        .store
        .schedule_job(
            weiquan_store::BRUSHING_JOB,
            weiquan_store::BRUSHING_SCAN,
            state.clock.now(),
        )
        .await
    {
        tracing::error!(error = %e, "scheduling the brushing scan failed");
    }
    let timers = timer_interval.map(|every| tokio::spawn(timers::run(state.clone(), every)));
    // Filings committed here are assigned to their waves right after (the deadline loop takes
    // whatever this misses).
    let waves = tokio::spawn(timers::assign_collective(state.clone()));
    // The outbox is delivered beside the deadlines, as often (at most every 200 ms).
    let outbox = timer_interval.map(|every| {
        let every = every.min(Duration::from_millis(200));
        tokio::spawn(outbox::run(state.clone(), every))
    });
    let limits = state.store.policy().connections.clone();
    let r = listen::run(listener, app(state), limits).await;
    for t in timers.into_iter().chain(outbox).chain([waves]) {
        t.abort();
    }
    r
}
