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
/// empty when it is valid.
pub fn validate(new: &NewUser) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = new.name.trim().chars().count();
    if name == 0 {
        errors.push(FieldError::new("name", "must not be empty"));
    } else if name > 32 {
        errors.push(FieldError::new("name", "must be at most 32 characters"));
    }
    let email_ok = match new.email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain
                    .find('.')
                    .is_some_and(|dot| dot > 0 && !domain.ends_with('.'))
        }
        None => false,
    };
    if !email_ok {
        errors.push(FieldError::new("email", "must look like name@example.org"));
    }
    if !(13..=130).contains(&new.age) {
        errors.push(FieldError::new("age", "must be from 13 to 130"));
    }
    errors
}

async fn create_user(
    State(store): State<Store>,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<Response, ApiError> {
    let errors = validate(&new);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    // A poisoned lock still holds a consistent Vec: no handler panics mid-push.
    let mut users = store.lock().unwrap_or_else(|e| e.into_inner());
    if users
        .all
        .iter()
        .any(|u| u.email.eq_ignore_ascii_case(&new.email))
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "that email is taken",
        ));
    }
    users.next_id += 1;
    let user = User {
        id: users.next_id,
        name: new.name.trim().into(),
        email: new.email,
        age: new.age,
    };
    users.all.push(user.clone());
    let location = format!("/users/{}", user.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(user),
    )
        .into_response())
}
