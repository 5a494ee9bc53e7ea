//! A fake Pinterest Conversions API: real HTTP on 127.0.0.1, started and stopped by a test (or
//! the benchmark). Like Pinterest, it answers a POST with 404 off the endpoint of its ad
//! account, 401 to a wrong bearer token and 400 to a body its schema refuses; otherwise (and
//! for any other method) a script decides: every event processed, a status with or without
//! `Retry-After`, a redirect, some events failed, a late answer, a dropped connection. Every
//! request is kept for the test to examine.

mod schema;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

pub use schema::{OPENAPI, Schema};
use serde_json::Value;

/// The bearer token the fake takes.
pub const TOKEN: &str = "pina_fake-token";

/// The ad account whose endpoint it serves.
pub const AD_ACCOUNT: &str = "549755885175";

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Request {
    /// Its number, from 1, in the order requests were read.
    pub number: usize,
    /// The method (`POST`).
    pub method: String,
    /// The path.
    pub path: String,
    /// The query, without its `?`.
    pub query: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The body, parsed (`Null` when it is not JSON, or in quick mode).
    pub body: Value,
    /// Why the schema refused the body, if it did (never checked in quick mode).
    pub invalid: Option<String>,
    /// The number of events (counted without parsing in quick mode).
    pub events: usize,
    /// The status answered (0 for no answer: a dropped connection).
    pub status: u16,
    /// The indices of the events answered as failed.
    pub failed: Vec<usize>,
    /// Whether the answer came late (past a client's patience, perhaps).
    pub late: bool,
}

impl Request {
    /// The events' `event_id`s, in order.
    pub fn event_ids(&self) -> Vec<String> {
        self.body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|event| event["event_id"].as_str().map(str::to_owned))
            .collect()
    }
}

/// What the fake answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// 200, every event processed.
    Processed,
    /// `status`, with `Retry-After` when given, and this body.
    Status {
        /// The HTTP status.
        status: u16,
        /// `Retry-After`, as written.
        retry_after: Option<String>,
        /// The body.
        body: String,
    },
    /// 200 or 422 with the events for which `failed` holds failed (422 when any did).
    Failed {
        /// The indices, in the request, of the events that fail.
        indices: Vec<usize>,
        /// Pinterest's message for them.
        message: String,
    },
    /// A redirect: `status` (301, 302, 303, 307, 308) to `location`.
    Redirect {
        /// The HTTP status.
        status: u16,
        /// The `Location` header.
        location: String,
    },
    /// The reply, after a wait.
    Late(Duration, Box<Reply>),
    /// No answer: the connection is closed once the request is read.
    Drop,
}

impl Reply {
    /// An error answer as Pinterest writes them: `{"code", "message"}`.
    pub fn error(status: u16, code: i64, message: &str) -> Reply {
        Reply::Status {
            status,
            retry_after: None,
            body: serde_json::json!({"code": code, "message": message}).to_string(),
        }
    }
}

/// A script that refuses the events whose `event_id` is in `refused` (HTTP 422, "Invalid
/// event", as Pinterest answers a batch with failed events) and takes the others.
pub fn refusing(refused: &'static [&'static str]) -> impl Fn(&Request) -> Reply + Send + Sync {
    move |request| {
        let indices: Vec<usize> = request
            .event_ids()
            .iter()
            .enumerate()
            .filter(|(_, id)| refused.contains(&id.as_str()))
            .map(|(index, _)| index)
            .collect();
        if indices.is_empty() {
            Reply::Processed
        } else {
            Reply::Failed {
                indices,
                message: "Invalid event".to_owned(),
            }
        }
    }
}

/// Decides the answer to each request that passed the fake's own checks.
pub type Script = Box<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A running fake, stopped when dropped.
pub struct FakePinterest {
    address: SocketAddr,
    shared: Arc<Shared>,
    listener: Option<JoinHandle<()>>,
}

struct Shared {
    script: Script,
    /// `None` in quick mode: bodies are not parsed.
    schema: Option<Schema>,
    requests: Mutex<Vec<Request>>,
    count: AtomicUsize,
    stopping: AtomicBool,
}

impl FakePinterest {
    /// Starts a fake that parses every body and checks it against Pinterest's schema.
    ///
    /// # Panics
    ///
    /// No port can be bound on 127.0.0.1.
    pub fn start(script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> FakePinterest {
        FakePinterest::start_with(Some(Schema::load()), Box::new(script))
    }

    /// Starts a fake that counts the events of a body without parsing it or checking it, and
    /// keeps no body: for measuring a sender, not for testing one.
    ///
    /// # Panics
    ///
    /// No port can be bound on 127.0.0.1.
    pub fn start_quick(
        script: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> FakePinterest {
        FakePinterest::start_with(None, Box::new(script))
    }

    fn start_with(schema: Option<Schema>, script: Script) -> FakePinterest {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port on 127.0.0.1");
        let address = listener.local_addr().expect("the bound address");
        let shared = Arc::new(Shared {
            script,
            schema,
            requests: Mutex::new(Vec::new()),
            count: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
        });
        let accepting = Arc::clone(&shared);
        let listener = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stopping.load(Ordering::Acquire) {
                    return;
                }
                let Ok(stream) = stream else {
                    continue;
                };
                let serving = Arc::clone(&accepting);
                std::thread::spawn(move || serving.serve(stream));
            }
        });
        FakePinterest {
            address,
            shared,
            listener: Some(listener),
        }
    }

    /// The API's base URL, as `--api-url` takes it: `http://127.0.0.1:PORT/v5`.
    pub fn url(&self) -> String {
        format!("http://{}/v5", self.address)
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for FakePinterest {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        // Wakes the listener, which then sees that it is stopping.
        let _ = TcpStream::connect(self.address);
        if let Some(listener) = self.listener.take() {
            let _ = listener.join();
        }
    }
}

impl Shared {
    /// Serves one connection: its requests one after another, until it closes.
    fn serve(&self, stream: TcpStream) {
        let Ok(mut writer) = stream.try_clone() else {
            return;
        };
        let mut reader = BufReader::new(stream);
        while let Some(received) = read_request(&mut reader) {
            if self.stopping.load(Ordering::Acquire) {
                return;
            }
            let reply = self.answer(received);
            if !write_reply(&mut writer, &reply) {
                return;
            }
        }
    }

    /// The fake's own checks, then the script.
    fn answer(&self, received: Received) -> Reply {
        let Received {
            method,
            path,
            query,
            authorization,
            body,
        } = received;
        let body = body.as_slice();
        let number = self.count.fetch_add(1, Ordering::AcqRel) + 1;
        let (parsed, invalid, events) = match &self.schema {
            Some(schema) => {
                let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                let invalid = schema.check_request(&parsed).err();
                let events = parsed["data"].as_array().map_or(0, Vec::len);
                (parsed, invalid, events)
            }
            None => (
                Value::Null,
                None,
                memchr::memmem::find_iter(body, b"\"event_name\":").count(),
            ),
        };
        let mut request = Request {
            number,
            method,
            path,
            query,
            authorization,
            body: parsed,
            invalid,
            events,
            status: 0,
            failed: Vec::new(),
            late: false,
        };
        let reply = if request.method != "POST" {
            (self.script)(&request)
        } else if request.path != format!("/v5/ad_accounts/{AD_ACCOUNT}/events") {
            Reply::error(404, 404, "Not found.")
        } else if request.authorization.as_deref() != Some(&format!("Bearer {TOKEN}")) {
            Reply::error(401, 2, "Authentication failed.")
        } else if let Some(invalid) = &request.invalid {
            Reply::error(400, 4196, &format!("The request was invalid: {invalid}"))
        } else {
            (self.script)(&request)
        };
        let reply = resolve(reply, events, &mut request);
        // Requests are kept without their bodies in quick mode.
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
        reply
    }
}

/// The reply as written, with what it says noted in `request`.
fn resolve(reply: Reply, events: usize, request: &mut Request) -> Reply {
    match reply {
        Reply::Processed => resolve(processed(events, &[], ""), events, request),
        Reply::Failed { indices, message } => {
            let reply = processed(events, &indices, &message);
            request.failed = indices
                .into_iter()
                .filter(|index| *index < events)
                .collect();
            resolve(reply, events, request)
        }
        Reply::Late(wait, reply) => {
            request.late = true;
            Reply::Late(wait, Box::new(resolve(*reply, events, request)))
        }
        Reply::Status { status, .. } | Reply::Redirect { status, .. } => {
            request.status = status;
            reply
        }
        Reply::Drop => reply,
    }
}

/// 200 with every event processed but those at `failed` (422 when one failed).
fn processed(events: usize, failed: &[usize], message: &str) -> Reply {
    if failed.is_empty() {
        // Written directly: the benchmark's server answers thousands of events at once.
        let status = r#"{"status":"processed","error_message":null,"warning_message":null}"#;
        let statuses = vec![status; events].join(",");
        return Reply::Status {
            status: 200,
            retry_after: None,
            body: format!(
                r#"{{"num_events_received":{events},"num_events_processed":{events},"events":[{statuses}]}}"#
            ),
        };
    }
    let statuses: Vec<Value> = (0..events)
        .map(|index| {
            if failed.contains(&index) {
                serde_json::json!({"status": "failed", "error_message": message, "warning_message": null})
            } else {
                serde_json::json!({"status": "processed", "error_message": null, "warning_message": null})
            }
        })
        .collect();
    let failures = failed.iter().filter(|index| **index < events).count();
    Reply::Status {
        status: if failures > 0 { 422 } else { 200 },
        retry_after: None,
        body: serde_json::json!({
            "num_events_received": events,
            "num_events_processed": events - failures,
            "events": statuses,
        })
        .to_string(),
    }
}

/// A request as read from the connection.
struct Received {
    method: String,
    path: String,
    query: Option<String>,
    authorization: Option<String>,
    body: Vec<u8>,
}

/// Reads one request; `None` at the end of the connection or for anything that is not a whole
/// HTTP request.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Received> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        reader.read_until(b'\n', &mut head).ok()?;
        if head.len() == before {
            return None;
        }
        if head.ends_with(b"\r\n\r\n") || head.ends_with(b"\n\n") {
            break;
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    if !request.parse(&head).ok()?.is_complete() {
        return None;
    }
    let target = request.path?.to_owned();
    let method = request.method?.to_owned();
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|header| header.name.eq_ignore_ascii_case(name))
            .and_then(|header| std::str::from_utf8(header.value).ok())
            .map(str::to_owned)
    };
    // A request without a body (a GET) has no length.
    let length: usize = match header("content-length") {
        Some(length) => length.trim().parse().ok()?,
        None => 0,
    };
    let authorization = header("authorization");
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target, None),
    };
    Some(Received {
        method,
        path,
        query,
        authorization,
        body,
    })
}

/// Writes a reply; `false` when the connection is to be closed.
fn write_reply(writer: &mut TcpStream, reply: &Reply) -> bool {
    match reply {
        Reply::Drop => {
            let _ = writer.shutdown(Shutdown::Both);
            false
        }
        Reply::Late(wait, reply) => {
            std::thread::sleep(*wait);
            write_reply(writer, reply)
        }
        Reply::Redirect { status, location } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n",
                reason(*status)
            );
            writer.write_all(head.as_bytes()).is_ok() && writer.flush().is_ok()
        }
        Reply::Status {
            status,
            retry_after,
            body,
        } => {
            let retry_after = retry_after
                .as_ref()
                .map(|value| format!("Retry-After: {value}\r\n"))
                .unwrap_or_default();
            let head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{retry_after}\r\n",
                reason(*status),
                body.len()
            );
            writer.write_all(head.as_bytes()).is_ok()
                && writer.write_all(body.as_bytes()).is_ok()
                && writer.flush().is_ok()
        }
        // Turned into statuses when answered.
        Reply::Processed | Reply::Failed { .. } => false,
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
