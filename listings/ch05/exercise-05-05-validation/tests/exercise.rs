//! Tests for this exercise. `cargo test -p exercise-05-05-validation` tests your
//! `src/lib.rs`; the book's own test run adds `--features solution` to test
//! the reference solution with the same tests.

#[cfg(not(feature = "solution"))]
use exercise_05_05_validation as ex;
#[cfg(feature = "solution")]
#[allow(dead_code)] // the tests need not use every item of the solution
#[path = "../solution/lib.rs"]
mod ex;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use ex::{ErrorBody, NewUser, User, app, validate};
use tower::ServiceExt;

fn user(name: &str, email: &str, age: u32) -> NewUser {
    NewUser {
        name: name.into(),
        email: email.into(),
        age,
    }
}

fn fields(new: &NewUser) -> Vec<String> {
    validate(new).into_iter().map(|e| e.field).collect()
}

#[test]
fn a_valid_user_has_no_errors() {
    assert!(validate(&user("Ada", "ada@example.org", 36)).is_empty());
    assert!(validate(&user("  Grace Hopper  ", "g@navy.mil", 130)).is_empty());
    assert!(validate(&user(&"é".repeat(32), "x@a.b", 13)).is_empty());
}

#[test]
fn every_problem_is_reported_at_once() {
    assert_eq!(fields(&user(" ", "nope", 5)), ["name", "email", "age"]);
    assert_eq!(
        fields(&user(&"n".repeat(33), "a@b.c", 131)),
        ["name", "age"]
    );
}

#[test]
fn emails_need_one_at_and_a_dotted_domain() {
    for bad in [
        "",
        "@example.org",
        "ada@",
        "ada@example",
        "ada@.org",
        "ada@example.",
        "a@b@c.org",
    ] {
        assert_eq!(fields(&user("Ada", bad, 40)), ["email"], "{bad:?}");
    }
}

async fn post(app: &axum::Router, body: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let request = Request::post("/users")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap()
        .to_vec();
    (status, location, bytes)
}

#[tokio::test]
async fn created_users_get_201_and_a_location() {
    let app = app();
    let (status, location, body) = post(
        &app,
        r#"{"name": " Ada ", "email": "ada@example.org", "age": 36}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let created: User = serde_json::from_slice(&body).unwrap();
    assert_eq!(created.name, "Ada");
    assert_eq!(location, Some(format!("/users/{}", created.id)));
    let (_, second, _) = post(
        &app,
        r#"{"name": "Alan", "email": "alan@example.org", "age": 41}"#,
    )
    .await;
    assert_ne!(second, location);
}

#[tokio::test]
async fn invalid_users_get_422_with_every_field() {
    let (status, location, body) = post(&app(), r#"{"name": "", "email": "x", "age": 200}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(location, None);
    let error: ErrorBody = serde_json::from_slice(&body).expect("a JSON error body");
    assert_eq!(error.error, "validation");
    let named: Vec<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, ["name", "email", "age"]);
    // Malformed JSON never reaches the handler; it is still a JSON 400.
    let (status, _, body) = post(&app(), r#"{"name": "Ada", "#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: ErrorBody = serde_json::from_slice(&body).expect("a JSON error body");
    assert_eq!(error.error, "bad_request");
}

#[tokio::test]
async fn a_taken_email_is_a_409_whatever_its_case() {
    let app = app();
    let (first, _, _) = post(
        &app,
        r#"{"name": "Ada", "email": "ada@example.org", "age": 36}"#,
    )
    .await;
    assert_eq!(first, StatusCode::CREATED);
    let (status, _, body) = post(
        &app,
        r#"{"name": "Ada L", "email": "ADA@Example.org", "age": 37}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let error: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert_eq!(error.error, "conflict");
    // An invalid request is refused before the duplicate check: 422, not 409.
    let (status, _, _) = post(
        &app,
        r#"{"name": "", "email": "ada@example.org", "age": 36}"#,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
