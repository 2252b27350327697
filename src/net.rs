//! The one HTTP client (reqwest) and loopback ports: what the registry's live checks, the
//! deploy backends' health checks and the audit webhook all use.

use std::time::Duration;

use crate::error::{Error, Result};

/// The HTTP client: no proxy (every server this tool talks to is local or named outright),
/// a bounded connect time. Request timeouts are set per request.
pub fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| Error::Internal(format!("HTTP client: {e}")))
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
