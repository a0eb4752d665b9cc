//! An inventory service over HTTP with axum: JSON resources, status codes
//! that mean something, and one error shape for every failure.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The largest request body the service reads, in bytes.
pub const BODY_LIMIT: usize = 16 * 1024;
/// How long a handler may take before the client gets a 503.
pub const HANDLER_TIMEOUT: Duration = Duration::from_secs(5);
/// How many requests the service handles at once; one more gets a 503 at
/// once. With `BODY_LIMIT` it bounds buffered bodies to 16 MiB.
pub const MAX_IN_FLIGHT: usize = 1024;
const MAX_NAME: usize = 64;
const MAX_QUANTITY: u32 = 1_000_000;

// ANCHOR: types
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: u64,
    pub name: String,
    pub quantity: u32,
}

/// What a client sends to create or replace an item.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // a typo in a field name is an error, not a default
pub struct NewItem {
    pub name: String,
    pub quantity: u32,
}

/// The body of every error response, whatever produced it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}
// ANCHOR_END: types

// ANCHOR: error
/// An error a handler returns; axum turns it into a JSON response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, error: &str, message: impl Into<String>) -> Self {
        let body = ErrorBody {
            error: error.into(),
            message: message.into(),
        };
        ApiError { status, body }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
// ANCHOR_END: error

// ANCHOR: extractor
/// `Json<T>` whose rejections (bad syntax, wrong types, wrong content type,
/// a body over the limit) become an `ApiError` instead of plain text.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError::new(
                rejection.status(), // 400, 413, 415 or 422, chosen by axum
                json_error_code(&rejection),
                rejection.body_text(),
            )),
        }
    }
}

fn json_error_code(rejection: &JsonRejection) -> &'static str {
    match rejection {
        JsonRejection::JsonSyntaxError(_) => "malformed_json",
        JsonRejection::JsonDataError(_) => "invalid_fields",
        JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        _ => "bad_body",
    }
}
// ANCHOR_END: extractor

/// `Path<T>` with the same treatment: `/items/abc` is a 400 in JSON.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|r: PathRejection| ApiError::new(r.status(), "bad_path", r.body_text()))
    }
}

#[derive(Default)]
struct Store {
    next_id: u64,
    items: BTreeMap<u64, Item>,
}

/// The shared state: a `std` mutex is fine because no handler holds it
/// across an `.await`.
#[derive(Clone, Default)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
}

impl Store {
    fn name_taken(&self, name: &str, except: Option<u64>) -> bool {
        self.items
            .values()
            .any(|i| i.name == name && Some(i.id) != except)
    }
}

fn lock(state: &AppState) -> std::sync::MutexGuard<'_, Store> {
    // A handler that panicked mid-update cannot leave a half-written
    // BTreeMap entry, so a poisoned lock still guards consistent data.
    state.store.lock().unwrap_or_else(|e| e.into_inner())
}

// ANCHOR: validate
fn validate(new: &NewItem) -> Result<(), ApiError> {
    let unprocessable = |m: &str| {
        Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            m,
        ))
    };
    let name = new.name.trim();
    if name.is_empty() {
        return unprocessable("name must not be empty");
    }
    if name.chars().count() > MAX_NAME {
        return unprocessable("name must be at most 64 characters");
    }
    if new.quantity > MAX_QUANTITY {
        return unprocessable("quantity must be at most 1000000");
    }
    Ok(())
}
// ANCHOR_END: validate

// ANCHOR: create
async fn create(
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewItem>,
) -> Result<Response, ApiError> {
    validate(&new)?;
    let mut store = lock(&state);
    let name = new.name.trim();
    if store.name_taken(name, None) {
        let msg = format!("an item named {name:?} exists");
        return Err(ApiError::new(StatusCode::CONFLICT, "conflict", msg));
    }
    store.next_id += 1;
    let item = Item {
        id: store.next_id,
        name: name.into(),
        quantity: new.quantity,
    };
    store.items.insert(item.id, item.clone());
    let location = format!("/items/{}", item.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(item),
    )
        .into_response())
}

// ANCHOR_END: create

async fn read(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<Item>, ApiError> {
    lock(&state)
        .items
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| not_found(id))
}

async fn replace(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
    ApiJson(new): ApiJson<NewItem>,
) -> Result<Json<Item>, ApiError> {
    validate(&new)?;
    let mut store = lock(&state);
    let name = new.name.trim();
    if store.name_taken(name, Some(id)) {
        let msg = format!("an item named {name:?} exists");
        return Err(ApiError::new(StatusCode::CONFLICT, "conflict", msg));
    }
    let item = store.items.get_mut(&id).ok_or_else(|| not_found(id))?;
    item.name = name.into();
    item.quantity = new.quantity;
    Ok(Json(item.clone()))
}

async fn remove(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<StatusCode, ApiError> {
    match lock(&state).items.remove(&id) {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(not_found(id)),
    }
}

async fn list(State(state): State<AppState>) -> Json<Vec<Item>> {
    Json(lock(&state).items.values().cloned().collect())
}

fn not_found(id: u64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no item with id {id}"),
    )
}

// ANCHOR: router
/// The service's routes, with `extra` routes (tests add slow ones) under
/// the same limits.
pub fn app_with(
    extra: Router<AppState>,
    handler_timeout: Duration,
    max_in_flight: usize,
) -> Router {
    let permits = Arc::new(Semaphore::new(max_in_flight));
    Router::new()
        .route("/items", get(list).post(create))
        .route("/items/{id}", get(read).put(replace).delete(remove))
        .merge(extra)
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "method not allowed here",
            )
        })
        .layer(middleware::from_fn(move |req, next| {
            deadline(handler_timeout, req, next)
        }))
        .layer(DefaultBodyLimit::max(BODY_LIMIT)) // counts the bytes as they arrive
        .layer(middleware::from_fn(refuse_declared_oversize))
        .layer(middleware::from_fn(move |req, next| {
            shed_load(permits.clone(), req, next) // outermost: counts every request
        }))
        .with_state(AppState::default())
}

pub fn app() -> Router {
    app_with(Router::new(), HANDLER_TIMEOUT, MAX_IN_FLIGHT)
}
// ANCHOR_END: router

// ANCHOR: limits
/// A handler that overruns its time is cut off: its future is dropped
/// and the client gets a JSON 503 instead of waiting forever.
async fn deadline(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the handler took too long",
        )
        .into_response(),
    }
}

/// `DefaultBodyLimit` stops reading at the limit, but only once that many
/// bytes arrive; a request that *declares* a larger body is refused from
/// its header, before the server waits for (or buffers) any of it.
async fn refuse_declared_oversize(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    match declared {
        Some(n) if n > BODY_LIMIT as u64 => {
            let msg = format!("a body of {n} bytes is over the limit of {BODY_LIMIT}");
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", msg).into_response()
        }
        _ => next.run(req).await,
    }
}
/// At most `max_in_flight` requests are inside the service at once. One
/// more is refused at once with a JSON 503, rather than queued: a queue
/// would only make every client wait longer.
async fn shed_load(permits: Arc<Semaphore>, req: Request, next: Next) -> Response {
    let Ok(_permit) = permits.try_acquire_owned() else {
        let msg = "too many requests in flight; retry later";
        let error = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", msg);
        return ([(header::RETRY_AFTER, "1")], error).into_response();
    };
    next.run(req).await // the permit is released when the response is made
}
// ANCHOR_END: limits

// ANCHOR: serve
/// Serves until `shutdown` completes, then stops accepting and lets the
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
// ANCHOR_END: serve

// ------------------------------------------------------------ the client
// A typed client for the service, on reqwest.

// ANCHOR: client_error
/// What can go wrong with a call, in the order a caller handles it.
#[derive(Debug)]
pub enum ClientError {
    /// The server answered with an error status and a JSON body.
    Api { status: StatusCode, body: ErrorBody },
    /// The server answered, but not with the error shape we know
    /// (a proxy's HTML page, a truncated body).
    Unexpected { status: StatusCode, text: String },
    /// No answer within the deadline: the request may or may not have run.
    Timeout,
    /// No connection, or it broke mid-response.
    Transport(reqwest::Error),
}

impl From<reqwest::Error> for ClientError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            ClientError::Timeout
        } else {
            ClientError::Transport(e)
        }
    }
}
// ANCHOR_END: client_error

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Api { status, body } => {
                write!(f, "{status} {}: {}", body.error, body.message)
            }
            ClientError::Unexpected { status, text } => {
                write!(f, "{status} with an unexpected body: {text:.80}")
            }
            ClientError::Timeout => write!(f, "no answer within the deadline"),
            ClientError::Transport(e) => write!(f, "transport: {e}"),
        }
    }
}

impl std::error::Error for ClientError {}

pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    // ANCHOR: client_new
    /// A client for the service at `base` (e.g. `http://127.0.0.1:8080`).
    /// Every request must finish within `timeout`, connection included.
    pub fn new(base: &str, timeout: Duration) -> Result<Client, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeout / 2) // nobody listening: fail sooner
            .timeout(timeout) // covers sending, waiting, and reading the body
            .build()?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').into(),
        })
    }
    // ANCHOR_END: client_new

    pub async fn create(&self, new: &NewItem) -> Result<(Item, String), ClientError> {
        let response = self
            .http
            .post(format!("{}/items", self.base))
            .json(new)
            .send()
            .await?;
        let response = check(response).await?;
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        Ok((response.json().await?, location))
    }

    pub async fn get(&self, id: u64) -> Result<Item, ClientError> {
        let response = self
            .http
            .get(format!("{}/items/{id}", self.base))
            .send()
            .await?;
        Ok(check(response).await?.json().await?)
    }

    pub async fn replace(&self, id: u64, new: &NewItem) -> Result<Item, ClientError> {
        let url = format!("{}/items/{id}", self.base);
        let response = self.http.put(url).json(new).send().await?;
        Ok(check(response).await?.json().await?)
    }

    pub async fn delete(&self, id: u64) -> Result<(), ClientError> {
        let response = self
            .http
            .delete(format!("{}/items/{id}", self.base))
            .send()
            .await?;
        check(response).await.map(drop)
    }
}

// ANCHOR: check
/// Passes a success through; turns an error status into `ClientError::Api`
/// by reading the body, which the server promises is an `ErrorBody`.
async fn check(response: reqwest::Response) -> Result<reqwest::Response, ClientError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let text = response.text().await?;
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => Err(ClientError::Api { status, body }),
        Err(_) => Err(ClientError::Unexpected { status, text }),
    }
}
// ANCHOR_END: check
