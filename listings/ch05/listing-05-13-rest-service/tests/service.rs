//! The service under load, bad input, killed peers, slow handlers and shutdown.

use axum::Router;
use axum::routing::get;
use listing_05_13_rest_service::{
    AppState, ErrorBody, HANDLER_TIMEOUT, Item, MAX_IN_FLIGHT, NewItem, app, app_with, serve,
};
use listing_05_13_rest_service::{Client, ClientError};
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Barrier, Notify, oneshot};
use tokio::task::JoinHandle;
use tokio::time::timeout;

struct Server {
    base: String,
    addr: std::net::SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

async fn start(app: Router) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app, async { stopped.await.unwrap_or(()) }));
    Server {
        base: format!("http://{addr}"),
        addr,
        stop,
        task,
    }
}

impl Server {
    async fn shutdown(self) {
        self.stop.send(()).ok();
        timeout(Duration::from_secs(10), self.task)
            .await
            .expect("server stops")
            .unwrap()
            .unwrap();
    }
}

const LIMIT: Duration = Duration::from_secs(10);

async fn send_raw(base: &str, content_type: &str, body: String) -> (StatusCode, String, ErrorBody) {
    let http = reqwest::Client::builder().timeout(LIMIT).build().unwrap();
    let response = http
        .post(format!("{base}/items"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    let body: ErrorBody = response.json().await.expect("error body is JSON");
    (status, kind, body)
}

#[tokio::test]
async fn crud_answers_with_meaningful_status_codes() {
    let server = start(app()).await;
    let client = Client::new(&server.base, LIMIT).unwrap();
    let (item, location) = client
        .create(&NewItem {
            name: "nuts".into(),
            quantity: 3,
        })
        .await
        .unwrap();
    assert_eq!(location, format!("/items/{}", item.id));
    assert_eq!(client.get(item.id).await.unwrap(), item);
    let conflict = client
        .create(&NewItem {
            name: " nuts ".into(),
            quantity: 1,
        })
        .await;
    assert!(matches!(
        conflict,
        Err(ClientError::Api {
            status: StatusCode::CONFLICT,
            ..
        })
    ));
    for bad in [String::new(), "x".repeat(65)] {
        let invalid = client
            .create(&NewItem {
                name: bad,
                quantity: 1,
            })
            .await;
        assert!(matches!(
            invalid,
            Err(ClientError::Api {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..
            })
        ));
    }
    let too_many = client
        .create(&NewItem {
            name: "bolts".into(),
            quantity: 2_000_000,
        })
        .await;
    assert!(matches!(
        too_many,
        Err(ClientError::Api {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..
        })
    ));
    let updated = client
        .replace(
            item.id,
            &NewItem {
                name: "nuts".into(),
                quantity: 9,
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.quantity, 9);
    client.delete(item.id).await.unwrap();
    for result in [
        client.get(item.id).await.map(drop),
        client.delete(item.id).await,
    ] {
        match result {
            Err(ClientError::Api { status, body }) => {
                assert_eq!(status, StatusCode::NOT_FOUND);
                assert_eq!(body.error, "not_found");
            }
            other => panic!("expected a 404, got {other:?}"),
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_a_json_4xx_never_a_500() {
    let server = start(app()).await;
    let json = "application/json";
    let cases = [
        (
            json,
            r#"{"name": "nuts", "quan"#.to_string(),
            400,
            "malformed_json",
        ),
        (json, "\u{0}\u{1}garbage".to_string(), 400, "malformed_json"),
        (
            json,
            r#"{"name": "nuts", "quantity": "ten"}"#.to_string(),
            422,
            "invalid_fields",
        ),
        (
            json,
            r#"{"name": "nuts", "quantity": -1}"#.to_string(),
            422,
            "invalid_fields",
        ),
        (
            json,
            r#"{"name": "nuts"}"#.to_string(),
            422,
            "invalid_fields",
        ),
        (
            json,
            r#"{"name": "nuts", "quantity": 1, "price": 3}"#.to_string(),
            422,
            "invalid_fields",
        ),
        (
            "text/plain",
            r#"{"name": "nuts", "quantity": 1}"#.to_string(),
            415,
            "unsupported_media_type",
        ),
        (
            json,
            format!(r#"{{"name": "{}", "quantity": 1}}"#, "n".repeat(1 << 20)),
            413,
            "body_too_large",
        ),
    ];
    for (content_type, body, status, error) in cases {
        let (got, kind, body) = send_raw(&server.base, content_type, body).await;
        assert_eq!(
            (got.as_u16(), body.error.as_str()),
            (status, error),
            "{body:?}"
        );
        assert_eq!(kind, "application/json");
    }
    let http = reqwest::Client::builder().timeout(LIMIT).build().unwrap();
    for (method, path, status) in [
        (reqwest::Method::GET, "/items/abc", 400),
        (reqwest::Method::GET, "/nowhere", 404),
        (reqwest::Method::PATCH, "/items/1", 405),
    ] {
        let response = http
            .request(method, format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}");
        let body: ErrorBody = response.json().await.expect("JSON error body");
        assert!(!body.message.is_empty());
    }
    server.shutdown().await;
}

/// A request that claims a 4 GiB body is refused from its header, before
/// the server reads (or allocates) anything.
#[tokio::test]
async fn a_4_gib_length_claim_is_refused_at_once() {
    let server = start(app()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = "POST /items HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 4294967296\r\n\r\n{\"na";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    let read = timeout(LIMIT, stream.read_to_end(&mut reply)).await;
    let reply = String::from_utf8_lossy(&reply);
    assert!(read.is_ok(), "server waited for the body: {reply}");
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("\"body_too_large\""), "{reply}");
    server.shutdown().await;
}

/// Clients that vanish halfway through a body cost the server nothing:
/// it keeps serving everyone else.
#[tokio::test]
async fn clients_that_disconnect_mid_body_do_not_hurt_the_server() {
    let server = start(app()).await;
    for cut in [1, 20, 60] {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let body = r#"{"name": "washers", "quantity": 12}"#.repeat(3);
        let request = format!(
            "POST /items HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{}",
            body.len(),
            &body[..cut]
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        drop(stream); // gone mid-body
    }
    let mut half_header = TcpStream::connect(server.addr).await.unwrap();
    half_header
        .write_all(b"POST /items HTTP/1.1\r\ncontent-le")
        .await
        .unwrap();
    drop(half_header);
    let client = Client::new(&server.base, LIMIT).unwrap();
    let (item, _) = client
        .create(&NewItem {
            name: "washers".into(),
            quantity: 12,
        })
        .await
        .unwrap();
    assert_eq!(item.id, 1, "no half-received request was stored");
    assert!(!server.task.is_finished());
    server.shutdown().await;
}

/// 1,000 clients, each with its own connection pool and so its own TCP
/// connection, all connected at once (a barrier holds them), each doing two
/// requests on its kept-alive connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_clients_get_no_errors() {
    const CLIENTS: usize = 1_000;
    let server = start(app()).await;
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|n| {
            let (base, barrier) = (server.base.clone(), barrier.clone());
            tokio::spawn(async move {
                let client = Client::new(&base, Duration::from_secs(30))?;
                let new = NewItem {
                    name: format!("part-{n}"),
                    quantity: n as u32,
                };
                let created = client.create(&new).await;
                // Every task reaches the barrier, failed or not, so one
                // error is reported instead of hanging the rest.
                barrier.wait().await; // every client's connection is open now
                let (item, _) = created?;
                let read = client.get(item.id).await?;
                assert_eq!(read.name, new.name);
                Ok::<_, ClientError>(())
            })
        })
        .collect();
    let all = timeout(Duration::from_secs(60), futures_join(tasks))
        .await
        .expect("within the bound");
    let errors = all.iter().filter(|r| r.is_err()).count();
    assert_eq!(
        errors,
        0,
        "first error: {:?}",
        all.iter().find(|r| r.is_err())
    );
    let http = reqwest::Client::builder().timeout(LIMIT).build().unwrap();
    let items: Vec<Item> = http
        .get(format!("{}/items", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(items.len(), CLIENTS);
    eprintln!("1,000 clients in {:?}", started.elapsed());
    server.shutdown().await;
}

async fn futures_join(tasks: Vec<JoinHandle<Result<(), ClientError>>>) -> Vec<Result<(), String>> {
    let mut out = Vec::new();
    for task in tasks {
        out.push(match task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        });
    }
    out
}

fn slow_route(hold: Duration) -> Router<AppState> {
    Router::new().route(
        "/slow",
        get(move || async move {
            tokio::time::sleep(hold).await;
            "done"
        }),
    )
}

#[tokio::test]
async fn a_slow_handler_is_cut_off_with_a_json_503() {
    let server = start(app_with(
        slow_route(Duration::from_secs(30)),
        Duration::from_millis(200),
        MAX_IN_FLIGHT,
    ))
    .await;
    let http = reqwest::Client::builder().timeout(LIMIT).build().unwrap();
    let response = http
        .get(format!("{}/slow", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: ErrorBody = response.json().await.unwrap();
    // Only the deadline can produce this: the handler sleeps 30 s and the
    // client gives up after 10 s.
    assert_eq!(body.error, "timeout");
    server.shutdown().await;
}

#[tokio::test]
async fn the_client_gives_up_at_its_deadline() {
    let server = start(app_with(
        slow_route(Duration::from_secs(30)),
        HANDLER_TIMEOUT,
        MAX_IN_FLIGHT,
    ))
    .await;
    let client = Client::new(&server.base, Duration::from_millis(200)).unwrap();
    // `get` hits /items/{id}; the slow route needs a raw call through the same settings.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let result = http
        .get(format!("{}/slow", server.base))
        .send()
        .await
        .map_err(ClientError::from);
    // The server would answer after 5 s (its handler deadline) with a 503;
    // a `Timeout` can only be the client's own 200 ms deadline.
    assert!(matches!(result, Err(ClientError::Timeout)), "{result:?}");
    drop(client);
    server.shutdown().await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_request_in_flight() {
    let (entered, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let (e, r) = (entered.clone(), release.clone());
    let hold = Router::new().route(
        "/hold",
        get(move || {
            let (e, r) = (e.clone(), r.clone());
            async move {
                e.notify_one();
                r.notified().await;
                "finished"
            }
        }),
    );
    let server = start(app_with(hold, HANDLER_TIMEOUT, MAX_IN_FLIGHT)).await;
    let url = format!("{}/hold", server.base);
    let in_flight = tokio::spawn(async move {
        let http = reqwest::Client::builder().timeout(LIMIT).build().unwrap();
        let response = http.get(url).send().await?;
        Ok::<_, reqwest::Error>((response.status(), response.text().await?))
    });
    timeout(LIMIT, entered.notified())
        .await
        .expect("request reached the handler");
    let Server {
        addr, stop, task, ..
    } = server;
    stop.send(()).unwrap();
    // The server stops accepting, but waits for the handler.
    // Poll (bounded by LIMIT) until the listener is closed.
    let give_up = Instant::now() + LIMIT;
    let mut refused = false;
    while Instant::now() < give_up {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "listener still open after shutdown began");
    assert!(!task.is_finished(), "server quit with a request in flight");
    release.notify_one();
    let (status, text) = timeout(LIMIT, in_flight).await.unwrap().unwrap().unwrap();
    assert_eq!((status, text.as_str()), (StatusCode::OK, "finished"));
    timeout(LIMIT, task)
        .await
        .expect("server stops")
        .unwrap()
        .unwrap();
}

/// A chunked body declares no length: `DefaultBodyLimit` counts the bytes
/// as they arrive and stops at the limit.
#[tokio::test]
async fn an_oversized_chunked_body_is_cut_off_at_the_limit() {
    let server = start(app()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let chunk = "x".repeat(20_000);
    let request = format!(
        "POST /items HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = vec![0; 4096];
    let n = timeout(LIMIT, stream.read(&mut reply))
        .await
        .expect("an answer")
        .unwrap();
    let reply = String::from_utf8_lossy(&reply[..n]);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("\"body_too_large\""), "{reply}");
    server.shutdown().await;
}

/// With every permit taken by a request parked in its handler, one more
/// request is refused at once with a JSON 503 and `Retry-After`; once the
/// parked requests finish, the service answers again.
#[tokio::test]
async fn requests_over_the_in_flight_cap_get_a_json_503() {
    const CAP: usize = 3;
    let (entered_tx, mut entered) = tokio::sync::mpsc::unbounded_channel::<()>();
    // A handler holds its request until the test adds a permit here.
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let r = release.clone();
    let hold = Router::new().route(
        "/hold",
        get(move || {
            let (e, r) = (entered_tx.clone(), r.clone());
            async move {
                e.send(()).ok();
                r.acquire().await.expect("not closed").forget();
                "finished"
            }
        }),
    );
    let server = start(app_with(hold, HANDLER_TIMEOUT, CAP)).await;
    let parked: Vec<_> = (0..CAP)
        .map(|_| {
            let url = format!("{}/hold", server.base);
            tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(LIMIT).build().unwrap();
                http.get(url).send().await.map(|r| r.status())
            })
        })
        .collect();
    for _ in 0..CAP {
        timeout(LIMIT, entered.recv())
            .await
            .expect("every parked request reaches its handler");
    }
    let http = reqwest::Client::builder().timeout(LIMIT).build().unwrap();
    let response = http
        .get(format!("{}/items", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.error, "overloaded");
    release.add_permits(CAP);
    for task in parked {
        let status = timeout(LIMIT, task).await.unwrap().unwrap().unwrap();
        assert_eq!(status, StatusCode::OK);
    }
    let response = http
        .get(format!("{}/items", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "permits come back");
    server.shutdown().await;
}
