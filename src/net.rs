//! The one HTTP client (reqwest) and loopback ports: what the registry's live checks, the
//! deploy backends' health checks and the audit webhook all use.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::error::{Error, Result};

/// The HTTP client: no proxy (every server this tool talks to is local or named outright),
/// a bounded connect time, TLS as `tls_config` says. Request timeouts are set per request.
pub fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .tls_backend_preconfigured((*tls_config()?).clone())
        .build()
        .map_err(|e| Error::Internal(format!("HTTP client: {e}")))
}

/// TLS for every connection this tool makes (HTTPS, PostgreSQL): rustls, verifying
/// servers against the system's trust store as the platform's verifier does. Nothing links
/// OpenSSL, whose loading and relocation were most of every command's start-up.
pub fn tls_config() -> Result<Arc<rustls::ClientConfig>> {
    static CONFIG: OnceLock<std::result::Result<Arc<rustls::ClientConfig>, String>> =
        OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let verifier = Arc::new(SystemRoots {
                provider: provider.clone(),
                loaded: OnceLock::new(),
            });
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                // Not a weaker check: the platform's verifier, loaded when first needed.
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth();
            Ok(Arc::new(config))
        })
        .clone()
        .map_err(|e| Error::Internal(format!("TLS: {e}")))
}

/// The platform verifier, built at the first certificate it checks: building it parses the
/// whole system CA bundle (about 20 ms here), which a command that opens no TLS connection
/// should not pay.
#[derive(Debug)]
struct SystemRoots {
    provider: Arc<CryptoProvider>,
    loaded: OnceLock<std::result::Result<Arc<rustls_platform_verifier::Verifier>, rustls::Error>>,
}

impl ServerCertVerifier for SystemRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let verifier = self
            .loaded
            .get_or_init(|| {
                rustls_platform_verifier::Verifier::new(self.provider.clone()).map(Arc::new)
            })
            .clone()?;
        verifier.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A reqwest error in words, with its causes.
pub fn describe(e: &reqwest::Error) -> String {
    let mut s = if e.is_connect() {
        "could not connect".to_string()
    } else if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(&format!(": {inner}"));
        src = inner.source();
    }
    s
}

/// A loopback port nothing listens on now.
pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::io("finding a free loopback port", e))?;
    Ok(l.local_addr()
        .map_err(|e| Error::io("finding a free loopback port", e))?
        .port())
}

/// Whether `port` on 127.0.0.1 can be listened on.
pub fn port_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// An absolute http(s) URL.
pub fn http_url(s: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(s).map_err(|e| format!("`{}` is not a URL: {e}", s.escape_debug()))?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(format!(
            "`{}` must be an http or https URL",
            s.escape_debug()
        ));
    }
    if u.host_str().is_none() {
        return Err(format!("`{}` has no host", s.escape_debug()));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("a URL must not carry credentials; use a header or a token store".into());
    }
    Ok(u)
}

/// Whether `u` points at this machine's loopback interface.
pub fn is_loopback_url(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The data of the first complete SSE event in `buf`, taken out of it.
pub fn next_event(buf: &mut Vec<u8>) -> Option<String> {
    loop {
        let (end, sep) = (0..buf.len()).find_map(|i| {
            if buf[i..].starts_with(b"\n\n") {
                Some((i, 2))
            } else if buf[i..].starts_with(b"\r\n\r\n") {
                Some((i, 4))
            } else {
                None
            }
        })?;
        let event: Vec<u8> = buf.drain(..end + sep).collect();
        let text = String::from_utf8_lossy(&event[..end]);
        let data: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| d.strip_prefix(' ').unwrap_or(d))
            .collect();
        if !data.is_empty() {
            return Some(data.join("\n"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_events_are_taken_one_by_one() {
        let mut buf =
            b"event: message\ndata: {\"a\":1}\n\n: keepalive\n\ndata: x\r\n\r\ndata: partial"
                .to_vec();
        assert_eq!(next_event(&mut buf).as_deref(), Some("{\"a\":1}"));
        assert_eq!(next_event(&mut buf).as_deref(), Some("x"));
        assert_eq!(next_event(&mut buf), None);
        assert_eq!(buf, b"data: partial");
    }
}
