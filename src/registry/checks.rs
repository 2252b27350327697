//! Value rules of the schema stage: names, versions, e-mail addresses, image references,
//! URLs, paths and quantities. Each returns the message a user sees.

use std::sync::LazyLock;

use regex::Regex;

fn re(p: &str) -> Regex {
    Regex::new(p).expect("static regex")
}

static DNS_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$",
    )
});
static SERVER_JSON_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$"));
static TOOL_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9_.-]{1,128}$"));
static ENV_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"));
// The grammar of docker/distribution's reference package: [domain[:port]/]path[:tag][@digest].
static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)/)?",
        r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*",
        r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?",
        r"(?:@sha256:[a-f0-9]{64})?$"
    ))
});
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::[0-9]{1,5})?$",
    )
});

pub fn dns_label(s: &str) -> Result<(), String> {
    if s.len() > 63 {
        return Err(format!(
            "`{s}` is {} characters; a name is at most 63",
            s.len()
        ));
    }
    if !DNS_LABEL.is_match(s) {
        return Err(format!(
            "`{}` is not a DNS-1123 label: use lowercase letters, digits and `-`, starting and ending with a letter or digit (e.g. tax-advisor)",
            s.escape_debug()
        ));
    }
    Ok(())
}

pub fn server_json_name(s: &str) -> Result<(), String> {
    if s.len() < 3 || s.len() > 200 || !SERVER_JSON_NAME.is_match(s) {
        return Err(format!(
            "`{}` is not a server.json name: use reverse-DNS `namespace/name` (e.g. io.github.user/weather), 3 to 200 characters",
            s.escape_debug()
        ));
    }
    Ok(())
}

pub fn semver(s: &str) -> Result<semver::Version, String> {
    semver::Version::parse(s).map_err(|e| {
        format!(
            "`{}` is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.0): {e}",
            s.escape_debug()
        )
    })
}

pub fn email(s: &str) -> Result<(), String> {
    if s.len() > 254 || !EMAIL.is_match(s) {
        return Err(format!("`{}` is not an e-mail address", s.escape_debug()));
    }
    Ok(())
}

pub fn tool_name(s: &str) -> Result<(), String> {
    if !TOOL_NAME.is_match(s) {
        return Err(format!(
            "`{}` is not an MCP tool name: 1 to 128 of A-Z a-z 0-9 _ - .",
            s.escape_debug()
        ));
    }
    Ok(())
}

pub fn env_name(s: &str) -> Result<(), String> {
    if !ENV_NAME.is_match(s) {
        return Err(format!(
            "`{}` is not an environment variable name",
            s.escape_debug()
        ));
    }
    Ok(())
}

pub fn image(s: &str) -> Result<(), String> {
    if s.len() > 512 || !IMAGE.is_match(s) {
        return Err(format!(
            "`{}` is not an image reference ([registry/]name[:tag][@sha256:digest], lowercase name)",
            s.escape_debug()
        ));
    }
    Ok(())
}

/// The tag of an image reference, when it has one.
pub fn image_tag(s: &str) -> Option<&str> {
    let without_digest = s.split('@').next().unwrap_or(s);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':').map(|(_, t)| t)
}

pub fn image_digest(s: &str) -> Option<&str> {
    s.split_once('@').map(|(_, d)| d)
}

pub use crate::net::http_url;

/// An HTTP path such as `/health`.
pub fn http_path(s: &str) -> Result<(), String> {
    if !s.starts_with('/')
        || s.len() > 256
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "`{}` is not a path: it must start with `/`, at most 256 characters, no spaces",
            s.escape_debug()
        ));
    }
    Ok(())
}

/// An entry of `allowed_endpoints`: a host, `host:port`, `*.domain`, or an http(s) URL.
pub fn endpoint(s: &str) -> Result<(), String> {
    if s.contains("://") {
        return http_url(s).map(|_| ());
    }
    if !HOST.is_match(s) || s.len() > 253 {
        return Err(format!(
            "`{}` is not an endpoint: use a host (api.example.com), host:port, *.domain or a URL",
            s.escape_debug()
        ));
    }
    Ok(())
}

pub fn memory(s: &str) -> Result<(), String> {
    let b = crate::quantity::parse_bytes(s)?;
    if b < 4 << 20 {
        return Err(format!("`{s}` is less than the 4Mi a container needs"));
    }
    Ok(())
}

pub fn cpu(s: &str) -> Result<(), String> {
    crate::quantity::parse_millicpu(s).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        for ok in [
            "alpine",
            "localhost:5000/tax-advisor:0.1.0",
            "ghcr.io/org/repo/server:1.2.3",
            "mcp/fetch@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(image(ok).is_ok(), "{ok}");
        }
        for bad in ["", "upper/CASE", "a:b:c", "x@sha256:12", "-x", "a b"] {
            assert!(image(bad).is_err(), "{bad}");
        }
        assert_eq!(image_tag("localhost:5000/x:1.0"), Some("1.0"));
        assert_eq!(image_tag("localhost:5000/x"), None);
        assert_eq!(image_tag("x:latest@sha256:ab"), Some("latest"));
    }

    #[test]
    fn names() {
        assert!(dns_label("tax-advisor").is_ok());
        assert!(dns_label("tax_advisor").is_err());
        assert!(dns_label("-x").is_err());
        assert!(dns_label(&"a".repeat(64)).is_err());
        assert!(server_json_name("io.github.user/weather").is_ok());
        assert!(server_json_name("weather").is_err());
        assert!(email("ops@example.com").is_ok());
        assert!(email("ops@example").is_err());
        assert!(semver("1.2.3-rc.1").is_ok());
        assert!(semver("1.2").is_err());
        assert!(endpoint("api.example.com:443").is_ok());
        assert!(endpoint("*.example.com").is_ok());
        assert!(endpoint("https://x.example.com/v1").is_ok());
        assert!(endpoint("not a host").is_err());
    }
}
