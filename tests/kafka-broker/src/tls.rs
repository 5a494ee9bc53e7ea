//! A TLS endpoint in front of the broker: clients connect with `security.protocol=SSL` and the
//! relay's certificate authority, the relay speaks plain Kafka to the broker. Its certificates
//! are made for each relay; the authority's is written to a file for the clients.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::ServerConnection;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::{register_connection, unique};

/// A TLS relay to the broker.
pub struct TlsRelay {
    address: String,
    authority: PathBuf,
}

impl TlsRelay {
    /// A relay on `port` of 127.0.0.1 to the broker on `target`; the test's clients use TLS
    /// for its address from now on.
    pub fn start(port: u16, target: u16) -> TlsRelay {
        let (authority_pem, chain, key) = certificates();
        let authority = std::env::temp_dir().join(unique("kafka-test-ca"));
        std::fs::write(&authority, authority_pem).expect("the authority's certificate written");
        // ring: the workspace's cryptography already (the Conversions API client's); the
        // relay's peer is librdkafka's OpenSSL, for which no post-quantum exchange is needed.
        #[expect(
            deprecated,
            reason = "ring's provider has no post-quantum key exchange"
        )]
        let provider = rustls::crypto::ring::default_provider();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .expect("TLS 1.2 and 1.3")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("the relay's certificate");
        let config = Arc::new(config);
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("the relay's port");
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let Ok(connection) = ServerConnection::new(Arc::clone(&config)) else {
                    continue;
                };
                relay(client, server, connection);
            }
        });
        let address = format!("127.0.0.1:{port}");
        let relay = TlsRelay { address, authority };
        register_connection(&relay.address, relay.client_settings());
        relay
    }

    /// `127.0.0.1:PORT`, for `--brokers`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The file of the certificate authority that signed the relay's certificate.
    pub fn authority(&self) -> &Path {
        &self.authority
    }

    /// The librdkafka settings of a client of the relay.
    pub fn client_settings(&self) -> Vec<(String, String)> {
        vec![
            ("security.protocol".to_owned(), "SSL".to_owned()),
            (
                "ssl.ca.location".to_owned(),
                self.authority.display().to_string(),
            ),
        ]
    }
}

impl Drop for TlsRelay {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.authority);
    }
}

/// A certificate authority (its certificate in PEM) and the relay's certificate chain and key,
/// for 127.0.0.1 and localhost.
fn certificates() -> (String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let authority_key = KeyPair::generate().expect("a key");
    let mut authority = CertificateParams::new(Vec::<String>::new()).expect("parameters");
    authority.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    authority
        .distinguished_name
        .push(DnType::CommonName, "kafka-broker test authority");
    let authority_certificate = authority
        .self_signed(&authority_key)
        .expect("the authority's certificate");
    let issuer = Issuer::new(authority, authority_key);
    let key = KeyPair::generate().expect("a key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("parameters")
        .signed_by(&key, &issuer)
        .expect("the relay's certificate");
    (
        authority_certificate.pem(),
        vec![leaf.der().clone(), authority_certificate.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

/// Relays one client: TLS records from the client are decrypted to the broker, the broker's
/// bytes encrypted to the client, each direction on a thread of its own blocked on its own
/// socket. The TLS state is shared, and records are written to the client under its lock, in
/// the order they were made.
fn relay(client: TcpStream, server: TcpStream, mut connection: ServerConnection) {
    // The broker's bytes are taken whole: their records are written out at once after.
    connection.set_buffer_limit(None);
    let connection = Arc::new(Mutex::new(connection));
    let (Ok(client_in), Ok(server_out)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let inbound = Arc::clone(&connection);
    let (client_out, server_in) = (client, server);
    let (mut client_reader, mut client_writer) = (client_in, client_out.try_clone());
    let mut server_writer = server_out;
    std::thread::spawn(move || {
        let Ok(client_writer) = client_writer.as_mut() else {
            return;
        };
        let mut buffer = vec![0; 64 * 1024];
        while let Ok(read @ 1..) = client_reader.read(&mut buffer) {
            let mut plain = Vec::new();
            {
                let mut tls = lock(&inbound);
                let mut records = &buffer[..read];
                let mut failed = false;
                // Each record's plaintext is taken out before the next is read: rustls holds
                // a bounded amount.
                while !records.is_empty() && !failed {
                    failed =
                        tls.read_tls(&mut records).is_err() || tls.process_new_packets().is_err();
                    let _ = tls.reader().read_to_end(&mut plain);
                }
                if send_records(&mut tls, client_writer).is_err() || failed {
                    break;
                }
            }
            if server_writer.write_all(&plain).is_err() {
                break;
            }
        }
        finish(&client_reader, &server_writer);
    });
    let (mut server_reader, mut client_writer) = (server_in, client_out);
    std::thread::spawn(move || {
        let mut buffer = vec![0; 64 * 1024];
        while let Ok(read @ 1..) = server_reader.read(&mut buffer) {
            let mut tls = lock(&connection);
            if tls.writer().write_all(&buffer[..read]).is_err()
                || send_records(&mut tls, &mut client_writer).is_err()
            {
                break;
            }
        }
        finish(&client_writer, &server_reader);
    });
}

/// Writes the records the TLS state has ready to the client.
fn send_records(tls: &mut ServerConnection, client: &mut TcpStream) -> std::io::Result<()> {
    while tls.wants_write() {
        tls.write_tls(client)?;
    }
    Ok(())
}

fn finish(client: &TcpStream, server: &TcpStream) {
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
