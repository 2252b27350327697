//! Keeping secrets out of sight: a string type redacted in Debug, Display and serialization,
//! and URL redaction for messages and `config show`.

use std::fmt;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The only way to read the value; grep for it to audit where secrets go.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("***")
    }
}

/// Named secret values that must cross the daemon's private socket as they are: serialized
/// in clear (only ever into a request on that socket), redacted in Debug.
#[derive(
    Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct SecretValues(pub std::collections::BTreeMap<String, String>);

impl fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, "***")))
            .finish()
    }
}

/// A URL fit for messages and `config show`: the password in its userinfo and any
/// password-like query parameter replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split(':').next().unwrap_or("");
                    let shown = if userinfo.contains(':') {
                        format!("{user}:***")
                    } else {
                        user.to_owned()
                    };
                    format!("{scheme}://{shown}@{host}{}", redact_query(tail))
                }
                None => format!("{scheme}://{authority}{}", redact_query(tail)),
            }
        }
        None => url.to_owned(),
    }
}

fn redact_query(tail: &str) -> String {
    match tail.split_once('?') {
        Some((path, q)) => {
            let q: Vec<String> = q
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.to_ascii_lowercase().contains("pass") => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{path}?{}", q.join("&"))
        }
        None => tail.to_owned(),
    }
}

static URL_IN_TEXT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'"<>]+"#).expect("static regex")
});

/// Every URL in a text with its credentials redacted.
pub fn redact_url_in_text(text: &str) -> String {
    URL_IN_TEXT
        .replace_all(text, |c: &regex::Captures| redact_url(&c[0]))
        .into_owned()
}

/// Serde for a `Secret` in clear: only for what goes into the token store or across the
/// daemon's private socket, never into output, logs or audit data.
pub mod clear {
    use super::Secret;

    pub fn serialize<S: serde::Serializer>(v: &Secret, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.expose())
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        <String as serde::Deserialize>::deserialize(d).map(Secret::new)
    }

    /// The same for an optional secret.
    pub mod option {
        use super::Secret;

        pub fn serialize<S: serde::Serializer>(
            v: &Option<Secret>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_some(v.expose()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: serde::Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Secret>, D::Error> {
            <Option<String> as serde::Deserialize>::deserialize(d).map(|o| o.map(Secret::new))
        }
    }
}
