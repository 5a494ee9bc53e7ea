//! `--metrics ADDRESS`: a small HTTP server on its own thread, answering `GET /metrics` with
//! a registry's metrics in Prometheus's text format (the process's own among them: CPU time,
//! resident memory, open files, start time), `GET /healthz` (the process answers) and
//! `GET /readyz` (what the front end says of its readiness: 200, or 503 with why not).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use pinterest_mapping::capi::send::{Attempt, Settled, Watch};
pub use prometheus::Registry;
use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts, TextEncoder};
use tiny_http::{Header, Method, Request, Response, Server};

/// What `/readyz` asks of the front end: `Ok` when it is ready, else why not.
pub trait Readiness: Send + Sync + 'static {
    /// `Ok(())` when ready; why not otherwise (a sentence, with no personal data).
    ///
    /// # Errors
    ///
    /// Why the front end is not ready.
    fn ready(&self) -> Result<(), String>;
}

/// The metrics server: serves until dropped.
pub struct MetricsServer {
    server: Arc<Server>,
    address: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// Serves `registry` (with the process's metrics added) and the health endpoints on
    /// `address` (`HOST:PORT`; port 0 takes a free port).
    ///
    /// # Errors
    ///
    /// The address cannot be listened on.
    pub fn start(
        address: &str,
        registry: Registry,
        readiness: Arc<dyn Readiness>,
    ) -> io::Result<MetricsServer> {
        let server = Server::http(address).map_err(io::Error::other)?;
        let address = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("not an IP address"))?;
        let process = prometheus::process_collector::ProcessCollector::for_self();
        // Registered once per registry: a second server on it would fail here, harmlessly.
        let _ = registry.register(Box::new(process));
        let server = Arc::new(server);
        let serving = Arc::clone(&server);
        let thread = std::thread::Builder::new()
            .name("metrics".to_owned())
            .spawn(move || {
                for request in serving.incoming_requests() {
                    answer(request, &registry, readiness.as_ref());
                }
            })?;
        Ok(MetricsServer {
            server,
            address,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one request; a client that went away is no matter.
fn answer(request: Request, registry: &Registry, readiness: &dyn Readiness) {
    const TEXT: &str = "text/plain; charset=utf-8";
    let (status, content_type, body) =
        if *request.method() != Method::Get && *request.method() != Method::Head {
            (405, TEXT, b"only GET\n".to_vec())
        } else {
            match request.url().split('?').next().unwrap_or_default() {
                "/metrics" => {
                    let encoder = TextEncoder::new();
                    let mut body = Vec::new();
                    match encoder.encode(&registry.gather(), &mut body) {
                        Ok(()) => (200, prometheus::TEXT_FORMAT, body),
                        Err(error) => (500, TEXT, format!("{error}\n").into_bytes()),
                    }
                }
                "/healthz" => (200, TEXT, b"ok\n".to_vec()),
                "/readyz" => match readiness.ready() {
                    Ok(()) => (200, TEXT, b"ready\n".to_vec()),
                    Err(why) => (503, TEXT, format!("not ready: {why}\n").into_bytes()),
                },
                _ => (
                    404,
                    TEXT,
                    b"not found: /metrics, /healthz or /readyz\n".to_vec(),
                ),
            }
        };
    let mut response = Response::from_data(body).with_status_code(status);
    if let Ok(header) = Header::from_bytes("Content-Type", content_type) {
        response.add_header(header);
    }
    let _ = request.respond(response);
}

/// The Conversions API sender's work as metrics, told by the sender as each attempt ends:
/// attempts by the class of their answer (`2xx`, `4xx`, `5xx`, or `none` when none came),
/// retries, events carried, and the time each took; and each event's fate (`accepted`,
/// `rejected`, `not_sent`).
pub struct RequestMetrics {
    settled: IntCounterVec,
    attempts: IntCounterVec,
    retries: IntCounter,
    events: IntCounter,
    seconds: Histogram,
}

impl RequestMetrics {
    /// The metrics, registered in `registry` (names `capi_…`, under its prefix).
    ///
    /// # Errors
    ///
    /// The registry has metrics of these names already.
    pub fn register(registry: &Registry) -> Result<Arc<RequestMetrics>, prometheus::Error> {
        let attempts = IntCounterVec::new(
            Opts::new(
                "capi_requests_total",
                "Conversions API requests (each attempt), by the class of the answer.",
            ),
            &["class"],
        )?;
        let retries = IntCounter::new(
            "capi_retries_total",
            "Conversions API requests made again after a failure.",
        )?;
        let events = IntCounter::new(
            "capi_request_events_total",
            "Events carried by Conversions API requests, each attempt counted.",
        )?;
        let seconds = Histogram::with_opts(HistogramOpts::new(
            "capi_request_seconds",
            "The time of each Conversions API request, the answer read.",
        ))?;
        let settled = IntCounterVec::new(
            Opts::new(
                "capi_events_total",
                "Conversions API events settled, by what became of them.",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(settled.clone()))?;
        registry.register(Box::new(attempts.clone()))?;
        registry.register(Box::new(retries.clone()))?;
        registry.register(Box::new(events.clone()))?;
        registry.register(Box::new(seconds.clone()))?;
        Ok(Arc::new(RequestMetrics {
            settled,
            attempts,
            retries,
            events,
            seconds,
        }))
    }
}

impl Watch for RequestMetrics {
    fn attempt(&self, attempt: &Attempt) {
        let class = match attempt.status {
            Some(200..=299) => "2xx",
            Some(300..=399) => "3xx",
            Some(400..=499) => "4xx",
            Some(_) => "5xx",
            None => "none",
        };
        self.attempts.with_label_values(&[class]).inc();
        if attempt.retry {
            self.retries.inc();
        }
        self.events
            .inc_by(u64::try_from(attempt.events).unwrap_or(u64::MAX));
        self.seconds.observe(attempt.elapsed.as_secs_f64());
    }

    fn settled(&self, settled: Settled) {
        self.settled.with_label_values(&[settled.as_str()]).inc();
    }
}
