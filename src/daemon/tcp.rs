//! The team API: the daemon's `/api/v4` over TCP (`daemon run --listen`), for other
//! machines' CLIs and scripts. TLS (rustls) is required on any address but loopback; every
//! request is authenticated by its bearer token, never by where it comes from.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::server::{self, Peer, State};
use crate::error::{Error, Result};

/// How long a client may take to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how the team API listens.
pub struct Listen {
    pub addr: SocketAddr,
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Listen {
    /// `ADDR:PORT`, with the certificate and key files of its TLS, which any address but
    /// loopback requires.
    pub fn parse(addr: &str, cert: Option<&Path>, key: Option<&Path>) -> Result<Listen> {
        let addr: SocketAddr = addr.parse().map_err(|_| {
            Error::invalid(
                "--listen",
                format!(
                    "`{}` is not ADDR:PORT (e.g. 127.0.0.1:8443 or [::1]:8443)",
                    addr.escape_debug()
                ),
            )
        })?;
        let tls = match (cert, key) {
            (Some(c), Some(k)) => Some(Arc::new(server_config(c, k)?)),
            (Some(_), None) => {
                return Err(Error::invalid("--tls-key", "a certificate needs its key"))
            }
            _ => None,
        };
        if tls.is_none() && !addr.ip().is_loopback() {
            return Err(Error::usage(
                format!("--listen {addr}: tokens would cross the network in clear; TLS is required on any address but loopback"),
                Some("give --tls-cert and --tls-key, or listen on 127.0.0.1"),
            ));
        }
        Ok(Listen { addr, tls })
    }
}

fn server_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig> {
    let meta = std::fs::metadata(key).map_err(|e| Error::io(key.display().to_string(), e))?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(Error::Permission {
            message: format!(
                "{} is readable by other users (mode {:o}); a TLS key must be private",
                key.display(),
                meta.permissions().mode() & 0o777
            ),
            hint: Some(format!("run `chmod 600 {}`", key.display())),
        });
    }
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| {
            Error::invalid(
                cert.display().to_string(),
                format!("not a PEM certificate chain: {e}"),
            )
        })?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| {
            Error::invalid(
                cert.display().to_string(),
                format!("not a PEM certificate chain: {e}"),
            )
        })?;
    if certs.is_empty() {
        return Err(Error::invalid(
            cert.display().to_string(),
            "holds no certificate",
        ));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        Error::invalid(
            key.display().to_string(),
            format!("not a PEM private key: {e}"),
        )
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| {
            Error::invalid(
                key.display().to_string(),
                format!("does not go with the certificate: {e}"),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Bind the team API's listener (before the daemon says it serves).
pub async fn bind(l: &Listen) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(l.addr)
        .await
        .map_err(|e| Error::io(format!("listening on {} for the team API", l.addr), e))
}

/// Serve the team API on `listener` until the daemon stops.
pub async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    state: Arc<State>,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = state.stop.cancelled() => break,
        };
        let (stream, addr) = match accepted {
            Ok(a) => a,
            Err(e) => {
                log::warn!("accepting a team API connection: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            match acceptor {
                None => server::serve_connection(stream, state, Peer::Remote(addr)).await,
                Some(a) => match tokio::time::timeout(HANDSHAKE_TIMEOUT, a.accept(stream)).await {
                    Ok(Ok(tls)) => server::serve_connection(tls, state, Peer::Remote(addr)).await,
                    Ok(Err(e)) => log::debug!("TLS handshake with {addr}: {e}"),
                    Err(_) => log::debug!("TLS handshake with {addr} timed out"),
                },
            }
        });
    }
}
