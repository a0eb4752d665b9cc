//! A sign-up endpoint: `POST /users` with a JSON body.

use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    pub email: String,
    pub age: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub age: u32,
}

/// One problem with one field of a request.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: String,
}

impl FieldError {
    pub fn new(field: &str, problem: &str) -> FieldError {
        FieldError {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Every error response: `{"error": ..., "message": ..., "fields": [...]}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, error: &str, message: &str) -> ApiError {
        let body = ErrorBody {
            error: error.into(),
            message: message.into(),
            fields: Vec::new(),
        };
        ApiError { status, body }
    }

    /// A 422 listing every field that failed.
    pub fn validation(fields: Vec<FieldError>) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "some fields are invalid",
        );
        e.body.fields = fields;
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// `Json` whose rejections are `ApiError`s (Listing 5-13 explains it).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(|r| ApiError::new(r.status(), "bad_request", &r.body_text()))
    }
}

#[derive(Default)]
pub struct Users {
    pub next_id: u64,
    pub all: Vec<User>,
}

pub type Store = Arc<Mutex<Users>>;

pub fn app() -> Router {
    Router::new()
        .route("/users", post(create_user))
        .with_state(Store::default())
}

/// Every problem with `new`, in field order (`name`, `email`, `age`);
/// empty when it is valid. The rules:
/// - `name`, trimmed, has 1 to 32 characters;
/// - `email` has one `@` with text on both sides, and the part after it
///   has a `.` that is neither its first nor its last character;
/// - `age` is from 13 to 130.
pub fn validate(new: &NewUser) -> Vec<FieldError> {
    let _ = new;
    todo!("check each field and collect a FieldError for each problem")
}

/// `POST /users`: 201 with a `Location: /users/{id}` header and the user
/// (name trimmed) as JSON; 422 with every field error; 409 (`"conflict"`)
/// when a user has the same email, compared without regard to ASCII case.
async fn create_user(
    State(store): State<Store>,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<Response, ApiError> {
    let _ = (store, new, header::LOCATION);
    todo!("validate, check for a duplicate email, then store and answer 201")
}
