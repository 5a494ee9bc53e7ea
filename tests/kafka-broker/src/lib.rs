//! A Tansu broker on 127.0.0.1 for the worker's tests, started and stopped by process id, and
//! the Kafka clients the tests use to feed the worker and read what it produced; relays in
//! front of it, plain (to cut) or TLS (Tansu speaks plain Kafka only).

mod tls;

pub use tls::TlsRelay;

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Headers;
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};

/// How long a test waits for something that happens in well under a second when all is well:
/// a guard against hanging, not a speed requirement.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// The Tansu binary: `$TANSU`, else `tansu` on the `PATH`.
pub fn tansu() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TANSU") {
        return Some(PathBuf::from(path)).filter(|path| path.is_file());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("tansu"))
            .find(|path| path.is_file())
    })
}

/// The durable broker (Tansu built with its SQLite storage): `$TANSU_DURABLE`.
pub fn tansu_durable() -> Option<PathBuf> {
    std::env::var_os("TANSU_DURABLE")
        .map(PathBuf::from)
        .filter(|path| path.is_file())
}

/// A broker on a port of its own, with memory storage or, in a directory, SQLite storage.
pub struct Broker {
    child: Child,
    port: u16,
    binary: PathBuf,
    advertised: u16,
    /// For SQLite storage: the directory of its database.
    directory: Option<PathBuf>,
    /// Whether clients must authenticate (SASL SCRAM).
    authentication: bool,
}

impl Broker {
    /// Starts a broker of `binary` (Tansu) on a free port of 127.0.0.1, in memory.
    pub fn start(binary: &Path) -> Broker {
        Broker::start_behind(binary, None)
    }

    /// A broker that tells its clients to connect to `advertised` (a relay's port) rather
    /// than to its own port.
    pub fn start_behind(binary: &Path, advertised: Option<u16>) -> Broker {
        let port = free_port();
        let child = spawn(binary, port, advertised.unwrap_or(port), None, false);
        Broker {
            child,
            port,
            binary: binary.to_path_buf(),
            advertised: advertised.unwrap_or(port),
            directory: None,
            authentication: false,
        }
    }

    /// A broker keeping its topics and offsets in an SQLite database in a new directory.
    pub fn start_durable(binary: &Path) -> Broker {
        Broker::start_durable_behind(binary, None)
    }

    /// [`Broker::start_durable`], telling its clients to connect to `advertised`.
    pub fn start_durable_behind(binary: &Path, advertised: Option<u16>) -> Broker {
        let directory = std::env::temp_dir().join(unique("tansu"));
        std::fs::create_dir_all(&directory).expect("a directory for the database");
        let port = free_port();
        let advertised = advertised.unwrap_or(port);
        let child = spawn(binary, port, advertised, Some(&directory), false);
        Broker {
            child,
            port,
            binary: binary.to_path_buf(),
            advertised,
            directory: Some(directory),
            authentication: false,
        }
    }

    /// Creates a SCRAM user, then restarts the (durable) broker requiring every client to
    /// authenticate: the broker's own commands cannot, so topics are created before.
    pub fn require_scram(&mut self, user: &str, password: &str) {
        assert!(self.directory.is_some(), "users need durable storage");
        let status = Command::new(&self.binary)
            .args(["user", "create", user, password])
            .args(["--broker", &format!("tcp://127.0.0.1:{}", self.port)])
            .stdout(Stdio::null())
            .status()
            .expect("tansu user create runs");
        assert!(status.success(), "user {user} created");
        self.authentication = true;
        self.restart(Duration::ZERO);
    }

    /// Stops the broker (SIGKILL: nothing is flushed on the way out) and starts it again on
    /// the same port and storage, after `down`.
    pub fn restart(&mut self, down: Duration) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(down);
        self.child = spawn(
            &self.binary,
            self.port,
            self.advertised,
            self.directory.as_deref(),
            self.authentication,
        );
    }

    /// `127.0.0.1:PORT`, for `--brokers`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates a topic of `partitions` partitions, with the broker's own command.
    pub fn create_topic(&self, name: &str, partitions: u32) {
        let status = Command::new(&self.binary)
            .args([
                "topic",
                "create",
                name,
                "--broker",
                &format!("tcp://127.0.0.1:{}", self.port),
                "--partitions",
                &partitions.to_string(),
            ])
            .stdout(Stdio::null())
            .status()
            .expect("tansu topic create runs");
        assert!(status.success(), "topic {name} created");
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(directory) = &self.directory {
            let _ = std::fs::remove_dir_all(directory);
        }
    }
}

/// Starts Tansu on `port`, advertising `advertised`, with memory storage or SQLite storage in
/// `directory`, requiring SASL SCRAM when `authentication`; returns once it listens.
fn spawn(
    binary: &Path,
    port: u16,
    advertised: u16,
    directory: Option<&Path>,
    authentication: bool,
) -> Child {
    let url = format!("tcp://127.0.0.1:{port}");
    let advertised = format!("tcp://127.0.0.1:{advertised}");
    let storage = if directory.is_some() {
        "sqlite://tansu.db"
    } else {
        "memory://tansu/"
    };
    let mut command = Command::new(binary);
    command
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &advertised,
            "--storage-engine",
            storage,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(directory) = directory {
        command.current_dir(directory);
    }
    if authentication {
        command.arg("--authentication");
    }
    let child = command.spawn().expect("tansu starts");
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "tansu does not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// A port of 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// Where each produced message landed, by its index.
struct Landed(Mutex<HashMap<usize, (i32, i64)>>);

impl ClientContext for Landed {}

impl ProducerContext for Landed {
    type DeliveryOpaque = Box<usize>;

    fn delivery(&self, result: &DeliveryResult<'_>, index: Box<usize>) {
        let message = result.as_ref().expect("the test's message is delivered");
        self.0
            .lock()
            .unwrap()
            .insert(*index, (message.partition(), message.offset()));
    }
}

/// Produces keyed messages (a `None` value is a message without one); returns where each
/// landed: its partition and offset.
pub fn produce(
    brokers: &str,
    topic: &str,
    messages: &[(String, Option<Vec<u8>>)],
) -> Vec<(i32, i64)> {
    produce_with(brokers, topic, messages, &[])
}

/// [`produce`], with these producer settings too (`compression.codec`, ...).
pub fn produce_with(
    brokers: &str,
    topic: &str,
    messages: &[(String, Option<Vec<u8>>)],
    settings: &[(&str, &str)],
) -> Vec<(i32, i64)> {
    let mut config = client_config(brokers);
    for (key, value) in settings {
        config.set(*key, *value);
    }
    let producer: BaseProducer<Landed> = config
        .set("acks", "all")
        .set("linger.ms", "5")
        // Messages larger than a worker's producer takes by default.
        .set("message.max.bytes", "10000000")
        .create_with_context(Landed(Mutex::new(HashMap::new())))
        .expect("a producer");
    for (index, (key, value)) in messages.iter().enumerate() {
        let mut record = BaseRecord::with_opaque_to(topic, Box::new(index)).key(key.as_bytes());
        if let Some(value) = value {
            record = record.payload(value.as_slice());
        }
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((_, back)) => {
                    record = back;
                    producer.poll(Duration::from_millis(50));
                }
            }
        }
        producer.poll(Duration::ZERO);
    }
    producer.flush(PATIENCE).expect("every message delivered");
    let landed = producer.context().0.lock().unwrap();
    (0..messages.len()).map(|index| landed[&index]).collect()
}

/// A message read back.
#[derive(Clone, Debug)]
pub struct Read {
    /// The message's key, as text.
    pub key: Option<String>,
    /// The message's value.
    pub value: Vec<u8>,
    /// The message's headers, as text.
    pub headers: HashMap<String, String>,
}

/// librdkafka settings, as keys and values.
type Settings = Vec<(String, String)>;

/// The settings the test's clients need for the brokers at an address: a TLS relay's.
static CONNECTIONS: Mutex<Vec<(String, Settings)>> = Mutex::new(Vec::new());

/// Makes the test's clients use `settings` for the brokers at `address`, beside any given
/// before.
pub fn register_connection(address: &str, settings: Settings) {
    CONNECTIONS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push((address.to_owned(), settings));
}

/// A client configuration for the brokers at `address`, with what its connection needs.
pub fn client_config(address: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", address);
    let connections = CONNECTIONS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (key, value) in connections
        .iter()
        .filter(|(known, _)| known == address)
        .flat_map(|(_, settings)| settings)
    {
        config.set(key, value);
    }
    config
}

/// A name no earlier run used.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |time| time.as_nanos());
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// Reads `topic` from its start, as a group of its own, until `count` messages are in and
/// then `quiet` passes with nothing new (so that duplicates are seen too).
pub fn read(brokers: &str, topic: &str, count: usize, quiet: Duration) -> Vec<Read> {
    let consumer: BaseConsumer = client_config(brokers)
        .set("group.id", unique("reader"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("session.timeout.ms", "6000")
        .create()
        .expect("a consumer");
    consumer.subscribe(&[topic]).expect("subscribed");
    let mut read = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    let mut last = Instant::now();
    while Instant::now() < deadline && !(read.len() >= count && last.elapsed() >= quiet) {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(message)) => {
                let headers = message
                    .headers()
                    .map(|headers| {
                        headers
                            .iter()
                            .map(|header| {
                                let value = header.value.unwrap_or_default();
                                (
                                    header.key.to_owned(),
                                    String::from_utf8_lossy(value).into_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                read.push(Read {
                    key: message
                        .key()
                        .map(|key| String::from_utf8_lossy(key).into_owned()),
                    value: message.payload().unwrap_or_default().to_vec(),
                    headers,
                });
                last = Instant::now();
            }
            Some(Err(error)) => eprintln!("reader: {error}"),
            None => {}
        }
    }
    read
}

/// The group's committed offsets of `topic`'s partitions `0..partitions`.
pub fn committed(brokers: &str, group: &str, topic: &str, partitions: i32) -> Vec<Option<i64>> {
    let consumer: BaseConsumer = client_config(brokers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("a consumer");
    let mut list = TopicPartitionList::new();
    for partition in 0..partitions {
        list.add_partition(topic, partition);
    }
    let committed = consumer
        .committed_offsets(list, PATIENCE)
        .expect("the committed offsets");
    (0..partitions)
        .map(|partition| {
            match committed
                .find_partition(topic, partition)
                .map(|element| element.offset())
            {
                Some(Offset::Offset(offset)) => Some(offset),
                _ => None,
            }
        })
        .collect()
}

/// A TCP relay to the broker that the test can cut: while cut, it drops every connection and
/// refuses new ones, as a network failure or a broker that went away would.
pub struct Relay {
    cut: Arc<AtomicBool>,
}

impl Relay {
    /// A relay on a port of its own to `127.0.0.1:target`.
    pub fn start(port: u16, target: u16) -> Relay {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("the relay's port");
        let cut = Arc::new(AtomicBool::new(false));
        let relay = Relay {
            cut: Arc::clone(&cut),
        };
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if cut.load(Ordering::SeqCst) {
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                for (from, to) in [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ] {
                    let (Ok(from), Ok(to)) = (from, to) else {
                        continue;
                    };
                    let cut = Arc::clone(&cut);
                    std::thread::spawn(move || pump(from, to, &cut));
                }
            }
        });
        relay
    }

    /// Cuts every connection, and refuses new ones until [`Relay::mend`].
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }

    /// Lets the connections through again.
    pub fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

/// Copies `from` to `to` until either closes or the relay is cut.
fn pump(mut from: TcpStream, mut to: TcpStream, cut: &AtomicBool) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(50)));
    let mut buffer = vec![0; 64 * 1024];
    loop {
        if cut.load(Ordering::SeqCst) {
            break;
        }
        match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => {
                if to.write_all(&buffer[..read]).is_err() {
                    break;
                }
            }
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}
