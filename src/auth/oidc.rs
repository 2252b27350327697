//! An OpenID provider, found by discovery: its metadata and key set (cached on disk, the
//! key set fetched again for an unknown `kid`, at most once per `REFETCH_EVERY`), token
//! verification with them, and the OAuth flows a CLI needs: device authorization (RFC 8628),
//! authorization code with PKCE on a loopback listener (RFC 7636, RFC 8252), client
//! credentials, refresh, and revocation (RFC 7009) or the provider's end-session endpoint.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::jwt::{self, Expect, JwtError, KeySet};
use super::Profile;
use crate::error::{Error, Result};
use crate::secret::Secret;
use tokio_util::sync::CancellationToken as Cancel;

/// Each request to the provider is given this long.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// The cached metadata and key set are used this long before discovery runs again.
const CACHE_FOR: Duration = Duration::from_secs(3600);
/// A token naming a key not in the set fetches the set again, at most this often: rotation
/// works, and a flood of forged `kid`s does not become a flood of requests to the provider.
pub const REFETCH_EVERY: Duration = Duration::from_secs(10);

/// What discovery says about a provider (the fields this tool uses).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Metadata {
    pub issuer: String,
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: String,
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    pub jwks_uri: String,
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
}

pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

impl Metadata {
    pub fn offers_pkce(&self) -> bool {
        self.authorization_endpoint.is_some()
            && self
                .code_challenge_methods_supported
                .iter()
                .any(|m| m == "S256")
    }

    pub fn offers_device(&self) -> bool {
        self.device_authorization_endpoint.is_some()
    }
}

#[derive(Serialize, Deserialize)]
struct Cached {
    fetched_at: i64,
    metadata: Metadata,
    jwks: Value,
}

/// A provider ready to verify tokens and run flows.
pub struct Provider {
    pub profile: Profile,
    pub metadata: Metadata,
    keys: RwLock<Arc<KeySet>>,
    keys_fetched: Mutex<Option<Instant>>,
    http: reqwest::Client,
    cache_file: Option<PathBuf>,
    /// The clock difference against the provider seen at discovery (provider minus here),
    /// in seconds, when its answer had a `Date`.
    pub skew_seconds: Option<i64>,
}

/// The tokens a token endpoint gives.
#[derive(Clone, Deserialize)]
pub struct TokenResponse {
    #[serde(with = "crate::secret::clear")]
    pub access_token: Secret,
    #[serde(default, with = "crate::secret::clear::option")]
    pub refresh_token: Option<Secret>,
    #[serde(default, with = "crate::secret::clear::option")]
    pub id_token: Option<Secret>,
    #[serde(default)]
    pub expires_in: Option<i64>,
    /// Keycloak says how long its refresh token lasts.
    #[serde(default)]
    pub refresh_expires_in: Option<i64>,
    #[serde(default)]
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("refresh", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

/// An OAuth error answer.
#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// A started device authorization.
#[derive(Clone, Deserialize)]
pub struct DeviceAuthorization {
    #[serde(with = "crate::secret::clear")]
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    #[serde(default)]
    pub verification_uri_complete: Option<String>,
    pub expires_in: u64,
    #[serde(default)]
    pub interval: Option<u64>,
}

fn unreachable(what: &str, url: &str, e: &reqwest::Error) -> Error {
    Error::unavailable(
        format!(
            "the OpenID provider cannot be reached ({what} at {}): {}",
            crate::secret::redact_url(url),
            crate::net::describe(e)
        ),
        Some("check the issuer URL and that the provider is up; `pc-hybrid doctor` checks both"),
    )
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn random_b64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf).expect("the OS random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// The client's credentials on a token request: the secret as HTTP Basic
/// (client_secret_basic, form-encoded as RFC 6749 2.3.1 says), or the id in the body.
fn client_auth(
    req: reqwest::RequestBuilder,
    form: &mut Vec<(&'static str, String)>,
    client_id: &str,
    secret: Option<&Secret>,
) -> reqwest::RequestBuilder {
    match secret {
        Some(s) => {
            let enc =
                |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
            req.basic_auth(enc(client_id), Some(enc(s.expose())))
        }
        None => {
            form.push(("client_id", client_id.to_owned()));
            req
        }
    }
}

impl Provider {
    /// Discover the provider of `profile`: from the cache file in `cache_dir` when it is
    /// fresh, else from its `.well-known/openid-configuration`. For Keycloak configured by
    /// server URL, a server without the realm path there is tried again with the legacy
    /// `/auth` prefix.
    pub async fn discover(
        profile: &Profile,
        http: &reqwest::Client,
        cache_dir: Option<&Path>,
    ) -> Result<Provider> {
        let cache_file = cache_dir.map(|d| {
            use sha2::Digest;
            let h = sha2::Sha256::digest(format!("{}\n{}", profile.issuer, profile.client_id));
            d.join("oidc").join(format!("{}.json", hex(&h[..12])))
        });
        if let Some(f) = &cache_file {
            if let Some(p) = Self::from_cache(profile, http, f) {
                return Ok(p);
            }
        }
        let (metadata, skew) = match Self::fetch_metadata(http, &profile.issuer).await {
            Err(Error::NotFound { .. }) if profile.keycloak_legacy => {
                let legacy = legacy_issuer(&profile.issuer);
                Self::fetch_metadata(http, &legacy)
                    .await
                    .map_err(|e| match e {
                        Error::NotFound { .. } => not_found(&profile.issuer),
                        e => e,
                    })?
            }
            Err(Error::NotFound { .. }) => return Err(not_found(&profile.issuer)),
            other => other?,
        };
        let jwks = Self::fetch_jwks(http, &metadata.jwks_uri).await?;
        let keys = KeySet::parse(jwks.to_string().as_bytes()).map_err(|m| {
            Error::unavailable(
                format!("the provider's key set at {}: {m}", metadata.jwks_uri),
                None,
            )
        })?;
        let p = Provider {
            profile: profile.clone(),
            metadata,
            keys: RwLock::new(Arc::new(keys)),
            // Discovery does not count: a key that appears right after it is fetched at once.
            keys_fetched: Mutex::new(None),
            http: http.clone(),
            cache_file,
            skew_seconds: skew,
        };
        p.save_cache(&jwks);
        Ok(p)
    }

    fn from_cache(profile: &Profile, http: &reqwest::Client, file: &Path) -> Option<Provider> {
        let text = std::fs::read(file).ok()?;
        let c: Cached = serde_json::from_slice(&text).ok()?;
        let age = now() - c.fetched_at;
        if !(0..CACHE_FOR.as_secs() as i64).contains(&age) {
            return None;
        }
        let keys = KeySet::parse(c.jwks.to_string().as_bytes()).ok()?;
        Some(Provider {
            profile: profile.clone(),
            metadata: c.metadata,
            keys: RwLock::new(Arc::new(keys)),
            keys_fetched: Mutex::new(None),
            http: http.clone(),
            cache_file: Some(file.to_path_buf()),
            skew_seconds: None,
        })
    }

    fn save_cache(&self, jwks: &Value) {
        let Some(f) = &self.cache_file else { return };
        let c = Cached {
            fetched_at: now(),
            metadata: self.metadata.clone(),
            jwks: jwks.clone(),
        };
        if let (Some(dir), Ok(text)) = (f.parent(), serde_json::to_vec(&c)) {
            let _ = std::fs::create_dir_all(dir);
            let tmp = f.with_extension(format!("tmp{}", std::process::id()));
            if std::fs::write(&tmp, text).is_ok() {
                let _ = std::fs::rename(&tmp, f);
            }
        }
    }

    async fn fetch_metadata(
        http: &reqwest::Client,
        issuer: &str,
    ) -> Result<(Metadata, Option<i64>)> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let r = http
            .get(&url)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| unreachable("discovery", &url, &e))?;
        if r.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(Error::not_found(url, None));
        }
        if !r.status().is_success() {
            return Err(Error::unavailable(
                format!("discovery at {url} answered {}", r.status()),
                None,
            ));
        }
        let skew = r
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .map(|d| d.timestamp() - now());
        let body = r
            .bytes()
            .await
            .map_err(|e| unreachable("discovery", &url, &e))?;
        let m: Metadata = serde_json::from_slice(&body).map_err(|e| {
            Error::unavailable(
                format!("discovery at {url} is not an OpenID configuration: {e}"),
                None,
            )
        })?;
        // OpenID Connect Discovery 4.3: the document must name the issuer it was fetched for,
        // or a token of another issuer could pass as this one's.
        if m.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
            return Err(Error::unavailable(
                format!(
                    "discovery at {url} names the issuer `{}`, not `{issuer}`",
                    m.issuer
                ),
                Some("configure the issuer exactly as the provider names itself"),
            ));
        }
        Ok((m, skew))
    }

    async fn fetch_jwks(http: &reqwest::Client, url: &str) -> Result<Value> {
        let r = http
            .get(url)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| unreachable("key set", url, &e))?;
        if !r.status().is_success() {
            return Err(Error::unavailable(
                format!("the key set at {url} answered {}", r.status()),
                None,
            ));
        }
        let bytes = r
            .bytes()
            .await
            .map_err(|e| unreachable("key set", url, &e))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::unavailable(format!("the key set at {url} is not JSON: {e}"), None))
    }

    /// The issuer tokens must name: the provider's own (Keycloak's legacy prefix included).
    pub fn issuer(&self) -> &str {
        &self.metadata.issuer
    }

    pub fn keys(&self) -> Arc<KeySet> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Verify with the keys held now.
    pub fn verify_now(&self, token: &str) -> std::result::Result<Map<String, Value>, JwtError> {
        let keys = self.keys();
        jwt::verify(
            &keys,
            token,
            &Expect {
                issuer: &self.metadata.issuer,
                audience: &self.profile.audience,
                now: now(),
            },
        )
    }

    /// Verify `token`; a key the set does not have fetches the set again first (rate-limited).
    pub async fn verify(&self, token: &str) -> std::result::Result<Map<String, Value>, JwtError> {
        match self.verify_now(token) {
            Err(JwtError::UnknownKey(kid)) => {
                if self.refetch_keys().await {
                    self.verify_now(token)
                } else {
                    Err(JwtError::UnknownKey(kid))
                }
            }
            other => other,
        }
    }

    /// Fetch the key set again unless it was fetched within `REFETCH_EVERY`; whether it was.
    pub async fn refetch_keys(&self) -> bool {
        {
            let mut last = self.keys_fetched.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| t.elapsed() < REFETCH_EVERY) {
                return false;
            }
            *last = Some(Instant::now());
        }
        match Self::fetch_jwks(&self.http, &self.metadata.jwks_uri).await {
            Ok(jwks) => match KeySet::parse(jwks.to_string().as_bytes()) {
                Ok(k) => {
                    *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(k);
                    self.save_cache(&jwks);
                    true
                }
                Err(e) => {
                    log::warn!("the provider's new key set: {e}");
                    false
                }
            },
            Err(e) => {
                log::warn!("{e}");
                false
            }
        }
    }

    /// POST `form` to `url` as this client (`what` names the endpoint in messages): the
    /// answer's status and body.
    async fn post_form(
        &self,
        what: &str,
        url: &str,
        mut form: Vec<(&'static str, String)>,
        secret: Option<&Secret>,
    ) -> Result<(reqwest::StatusCode, hyper::body::Bytes)> {
        let req = client_auth(
            self.http.post(url).timeout(REQUEST_TIMEOUT),
            &mut form,
            &self.profile.client_id,
            secret,
        );
        let r = req
            .form(&form)
            .send()
            .await
            .map_err(|e| unreachable(what, url, &e))?;
        let status = r.status();
        let body = r.bytes().await.map_err(|e| unreachable(what, url, &e))?;
        Ok((status, body))
    }

    async fn token_request(
        &self,
        form: Vec<(&'static str, String)>,
        secret: Option<&Secret>,
    ) -> std::result::Result<TokenResponse, TokenError> {
        let url = &self.metadata.token_endpoint;
        let (status, body) = self
            .post_form("token endpoint", url, form, secret)
            .await
            .map_err(TokenError::Other)?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|_| {
                TokenError::Other(Error::unavailable(
                    format!("the token endpoint {url} answered {status} without tokens"),
                    None,
                ))
            });
        }
        match serde_json::from_slice::<OAuthError>(&body) {
            Ok(e) => Err(TokenError::OAuth {
                code: e.error.chars().take(64).collect(),
                description: e.error_description.map(|d| d.chars().take(300).collect()),
            }),
            Err(_) if status.is_server_error() => Err(TokenError::Other(Error::unavailable(
                format!("the token endpoint {url} answered {status}"),
                None,
            ))),
            Err(_) => Err(TokenError::Other(Error::Unauthenticated {
                message: format!("the token endpoint {url} refused the request ({status})"),
                hint: None,
            })),
        }
    }

    fn scope(&self) -> String {
        self.profile.scopes.join(" ")
    }

    /// Start a device authorization: what to show the user.
    pub async fn device_start(&self, secret: Option<&Secret>) -> Result<DeviceAuthorization> {
        let Some(url) = &self.metadata.device_authorization_endpoint else {
            return Err(Error::usage(
                format!(
                    "the provider {} offers no device authorization",
                    self.metadata.issuer
                ),
                Some("use `login --browser`, or enable the device grant for the client"),
            ));
        };
        let form = vec![("scope", self.scope())];
        let (status, body) = self
            .post_form("device authorization", url, form, secret)
            .await?;
        if !status.is_success() {
            let why = serde_json::from_slice::<OAuthError>(&body)
                .map(|e| match e.error_description {
                    Some(d) => format!("{}: {d}", e.error),
                    None => e.error,
                })
                .unwrap_or_else(|_| status.to_string());
            return Err(Error::Unauthenticated {
                message: format!("the provider refused to start a device login: {why}"),
                hint: Some(format!(
                    "check that the client `{}` may use the device grant",
                    self.profile.client_id
                )),
            });
        }
        serde_json::from_slice(&body).map_err(|e| {
            Error::unavailable(
                format!("the device authorization answer is not valid: {e}"),
                None,
            )
        })
    }

    /// Poll for the tokens of a device authorization at the server's interval, five seconds
    /// slower at each `slow_down`, until the user approves, denies, or the code expires.
    pub async fn device_finish(
        &self,
        d: &DeviceAuthorization,
        secret: Option<&Secret>,
        cancel: &Cancel,
    ) -> Result<TokenResponse> {
        let started = Instant::now();
        let expires = Duration::from_secs(d.expires_in.max(1));
        let mut interval = Duration::from_secs(d.interval.unwrap_or(5).max(1));
        loop {
            let left = expires.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(expired(d.expires_in));
            }
            tokio::select! {
                _ = tokio::time::sleep(interval.min(left)) => {}
                _ = cancel.cancelled() => return Err(interrupted()),
            }
            let form = vec![
                ("grant_type", DEVICE_GRANT.to_owned()),
                ("device_code", d.device_code.expose().to_owned()),
            ];
            match self.token_request(form, secret).await {
                Ok(t) => return Ok(t),
                Err(TokenError::OAuth { code, .. }) if code == "authorization_pending" => {}
                Err(TokenError::OAuth { code, .. }) if code == "slow_down" => {
                    interval += Duration::from_secs(5);
                }
                Err(TokenError::OAuth { code, .. }) if code == "access_denied" => {
                    return Err(Error::Unauthenticated {
                        message: "the login was denied at the provider".into(),
                        hint: Some("run `pc-hybrid login` again and approve the request".into()),
                    })
                }
                Err(TokenError::OAuth { code, .. }) if code == "expired_token" => {
                    return Err(expired(d.expires_in))
                }
                Err(e) => return Err(e.into_error("the device login")),
            }
        }
    }

    /// The tokens of an authorization code received on `redirect_uri`.
    pub async fn exchange_code(
        &self,
        code: &Secret,
        redirect_uri: &str,
        verifier: &Secret,
        secret: Option<&Secret>,
    ) -> Result<TokenResponse> {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.expose().to_owned()),
            ("redirect_uri", redirect_uri.to_owned()),
            ("code_verifier", verifier.expose().to_owned()),
        ];
        self.token_request(form, secret)
            .await
            .map_err(|e| e.into_error("the browser login"))
    }

    /// Tokens of the client itself (CI): the client credentials grant.
    pub async fn client_credentials(&self, secret: &Secret) -> Result<TokenResponse> {
        let form = vec![
            ("grant_type", "client_credentials".to_owned()),
            (
                "scope",
                self.profile
                    .scopes
                    .iter()
                    .filter(|s| *s != "offline_access" && *s != "openid")
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ];
        let form = form.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        self.token_request(form, Some(secret))
            .await
            .map_err(|e| e.into_error("the client credentials login"))
    }

    /// New tokens for a refresh token. `Ok(None)` when the provider no longer takes it (it
    /// expired, was revoked or already used): the session is over.
    pub async fn refresh(
        &self,
        refresh_token: &Secret,
        secret: Option<&Secret>,
    ) -> Result<Option<TokenResponse>> {
        let form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.expose().to_owned()),
        ];
        match self.token_request(form, secret).await {
            Ok(t) => Ok(Some(t)),
            Err(TokenError::OAuth { code, .. }) if code == "invalid_grant" => Ok(None),
            Err(e) => Err(e.into_error("refreshing the session")),
        }
    }

    /// End the login at the provider: revoke the refresh token (RFC 7009), or, without a
    /// revocation endpoint, post it to the end-session endpoint as Keycloak takes it.
    pub async fn revoke(
        &self,
        refresh_token: &Secret,
        id_token: Option<&Secret>,
        secret: Option<&Secret>,
    ) -> Result<()> {
        let (url, form) = match (
            &self.metadata.revocation_endpoint,
            &self.metadata.end_session_endpoint,
        ) {
            (Some(u), _) => (
                u,
                vec![
                    ("token", refresh_token.expose().to_owned()),
                    ("token_type_hint", "refresh_token".to_owned()),
                ],
            ),
            (None, Some(u)) => {
                let mut f = vec![("refresh_token", refresh_token.expose().to_owned())];
                if let Some(id) = id_token {
                    f.push(("id_token_hint", id.expose().to_owned()));
                }
                (u, f)
            }
            (None, None) => {
                return Err(Error::failed(
                    "the provider offers neither token revocation nor an end-session endpoint",
                    None,
                ))
            }
        };
        let (status, _) = self.post_form("revocation", url, form, secret).await?;
        if status.is_success() || status.is_redirection() {
            Ok(())
        } else {
            Err(Error::failed(
                format!("the provider answered {status} to the revocation"),
                None,
            ))
        }
    }
}

/// The legacy Keycloak issuer of a server URL without `/auth`.
fn legacy_issuer(issuer: &str) -> String {
    match issuer.find("/realms/") {
        Some(i) => format!("{}/auth{}", &issuer[..i], &issuer[i..]),
        None => issuer.to_owned(),
    }
}

fn not_found(issuer: &str) -> Error {
    Error::unavailable(
        format!("no OpenID provider answers at {issuer} (its discovery document is not found)"),
        Some("check the issuer URL; for Keycloak, KEYCLOAK_SERVER_URL and KEYCLOAK_REALM"),
    )
}

fn expired(seconds: u64) -> Error {
    Error::Unauthenticated {
        message: format!(
            "the login code expired after {} minutes without an answer; nothing was stored",
            seconds.div_ceil(60)
        ),
        hint: Some("run `pc-hybrid login` again".into()),
    }
}

fn interrupted() -> Error {
    Error::failed("interrupted; nothing was stored", None)
}

/// A failed token request: the provider's OAuth error, or anything else.
enum TokenError {
    OAuth {
        code: String,
        description: Option<String>,
    },
    Other(Error),
}

impl TokenError {
    fn into_error(self, what: &str) -> Error {
        match self {
            TokenError::OAuth { code, description } => Error::Unauthenticated {
                message: format!(
                    "{what} was refused by the provider: {code}{}",
                    description.map(|d| format!(" ({d})")).unwrap_or_default()
                ),
                hint: Some("run `pc-hybrid login` again".into()),
            },
            TokenError::Other(e) => e,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An authorization code login's loopback listener, bound before the authorization URL is
/// built: a port that is taken is an error at once, never a hang.
pub struct Loopback {
    listener: std::net::TcpListener,
    pub redirect_uri: String,
    pub state: Secret,
    verifier: Secret,
    pub nonce: Secret,
}

impl Loopback {
    /// Bind 127.0.0.1:`port` (any free port when None).
    pub fn bind(port: Option<u16>) -> Result<Loopback> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port.unwrap_or(0))).map_err(
            |e| match (port, e.kind()) {
                (Some(p), std::io::ErrorKind::AddrInUse) => Error::usage(
                    format!("port {p} on 127.0.0.1 is already in use, so the login's callback cannot be received there"),
                    Some("choose another with --port, or leave --port out to take any free one"),
                ),
                _ => Error::io("binding the login's callback listener on 127.0.0.1", e),
            },
        )?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("the callback listener", e))?
            .port();
        Ok(Loopback {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
            state: Secret::new(random_b64(24)),
            verifier: Secret::new(random_b64(48)),
            nonce: Secret::new(random_b64(24)),
        })
    }

    /// The URL the user's browser opens.
    pub fn authorization_url(&self, p: &Provider) -> Result<String> {
        let Some(endpoint) = &p.metadata.authorization_endpoint else {
            return Err(Error::usage(
                format!(
                    "the provider {} has no authorization endpoint",
                    p.metadata.issuer
                ),
                Some("use `login --device`"),
            ));
        };
        use sha2::Digest;
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(self.verifier.expose().as_bytes()));
        let mut u = url::Url::parse(endpoint)
            .map_err(|e| Error::unavailable(format!("the authorization endpoint: {e}"), None))?;
        u.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &p.profile.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &p.scope())
            .append_pair("state", self.state.expose())
            .append_pair("nonce", self.nonce.expose())
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(u.into())
    }

    /// Wait (at most `timeout`) for the browser to come back with a code whose `state` is
    /// ours, then exchange it.
    pub async fn finish(
        self,
        p: &Provider,
        secret: Option<&Secret>,
        timeout: Duration,
        cancel: &Cancel,
    ) -> Result<TokenResponse> {
        self.listener
            .set_nonblocking(true)
            .map_err(|e| Error::io("the callback listener", e))?;
        let listener = tokio::net::TcpListener::from_std(self.listener)
            .map_err(|e| Error::io("the callback listener", e))?;
        let deadline = tokio::time::Instant::now() + timeout;
        let code = loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(Error::Unauthenticated {
                        message: format!("no answer from the browser within {} minutes; nothing was stored", timeout.as_secs() / 60),
                        hint: Some("run `pc-hybrid login` again, or `login --device` where no browser can reach this machine".into()),
                    });
                }
                _ = cancel.cancelled() => return Err(interrupted()),
            };
            let Ok((stream, _)) = accepted else { continue };
            match callback(stream, &self.state, &p.metadata.issuer).await {
                Callback::Code(c) => break c,
                Callback::Ignored => continue,
                Callback::Failed(e) => return Err(e),
            }
        };
        p.exchange_code(&code, &self.redirect_uri, &self.verifier, secret)
            .await
    }
}

enum Callback {
    Code(Secret),
    /// Not the callback (a favicon, a probe): answered 404, still waiting.
    Ignored,
    Failed(Error),
}

/// Read one HTTP request on the loopback listener and answer it.
async fn callback(stream: tokio::net::TcpStream, state: &Secret, issuer: &str) -> Callback {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = stream;
    let mut buf = Vec::with_capacity(2048);
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut chunk = [0u8; 2048];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Ok::<_, std::io::Error>(())
    })
    .await;
    if !matches!(read, Ok(Ok(()))) {
        return Callback::Ignored;
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("GET "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let respond = |status: &str, text: &str| {
        let body = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>pc-hybrid login</title></head><body><p>{text}</p></body></html>"
        );
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    if path != "/callback" {
        let _ = stream
            .write_all(respond("404 Not Found", "Not found.").as_bytes())
            .await;
        return Callback::Ignored;
    }
    let params: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
    let (reply, outcome) = if params.get("state").map(String::as_bytes)
        != Some(state.expose().as_bytes())
    {
        (
            respond("400 Bad Request", "This login answer does not belong to the login pc-hybrid started. Nothing was stored; run pc-hybrid login again."),
            Callback::Failed(Error::Unauthenticated {
                message: "the browser came back with a `state` that is not this login's (a stale tab or a forged redirect); nothing was stored".into(),
                hint: Some("run `pc-hybrid login` again".into()),
            }),
        )
    } else if params.get("iss").is_some_and(|i| i != issuer) {
        (
            respond(
                "400 Bad Request",
                "The answer came from another provider. Nothing was stored.",
            ),
            Callback::Failed(Error::Unauthenticated {
                message: format!(
                    "the login answer names the issuer `{}`, not `{issuer}`; nothing was stored",
                    params["iss"].chars().take(200).collect::<String>()
                ),
                hint: None,
            }),
        )
    } else if let Some(err) = params.get("error") {
        let desc = params.get("error_description").cloned().unwrap_or_default();
        (
            respond(
                "200 OK",
                "The login was not completed. You can close this window.",
            ),
            Callback::Failed(Error::Unauthenticated {
                message: format!(
                    "the provider ended the login: {}{}",
                    err.chars().take(64).collect::<String>(),
                    if desc.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", desc.chars().take(300).collect::<String>())
                    }
                ),
                hint: Some("run `pc-hybrid login` again".into()),
            }),
        )
    } else if let Some(code) = params.get("code") {
        (
            respond(
                "200 OK",
                "You are logged in to pc-hybrid. You can close this window.",
            ),
            Callback::Code(Secret::new(code.clone())),
        )
    } else {
        (
            respond("400 Bad Request", "The answer has no code."),
            Callback::Failed(Error::Unauthenticated {
                message: "the browser came back without an authorization code; nothing was stored"
                    .into(),
                hint: None,
            }),
        )
    };
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_keycloak_issuer_gains_the_auth_prefix() {
        assert_eq!(
            legacy_issuer("http://kc:8080/realms/promptcraft"),
            "http://kc:8080/auth/realms/promptcraft"
        );
    }

    /// A token endpoint that answers pending, then slow_down, then tokens, recording when
    /// it was polled. The real test provider never says `slow_down` (oidc-provider leaves it
    /// to the host), so the poll loop's answer to it is checked here.
    #[tokio::test]
    async fn the_device_poll_slows_down_when_told() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let polls = Arc::new(Mutex::new(Vec::<Instant>::new()));
        let n = Arc::new(AtomicUsize::new(0));
        {
            let (polls, n) = (polls.clone(), n.clone());
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                loop {
                    let (mut s, _) = listener.accept().await.unwrap();
                    let mut buf = vec![0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    polls.lock().unwrap().push(Instant::now());
                    let (status, body) = match n.fetch_add(1, Ordering::SeqCst) {
                        0 => ("400 Bad Request", r#"{"error":"authorization_pending"}"#),
                        1 => ("400 Bad Request", r#"{"error":"slow_down"}"#),
                        _ => (
                            "200 OK",
                            r#"{"access_token":"a.b.c","token_type":"Bearer","expires_in":60}"#,
                        ),
                    };
                    let r = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                    let _ = s.write_all(r.as_bytes()).await;
                }
            });
        }
        let base = format!("http://127.0.0.1:{port}");
        let p = Provider {
            profile: Profile {
                name: "t".into(),
                issuer: base.clone(),
                keycloak_legacy: false,
                client_id: "cli".into(),
                audience: "app".into(),
                scopes: vec!["openid".into()],
                roles_claim: None,
            },
            metadata: Metadata {
                issuer: base.clone(),
                authorization_endpoint: None,
                token_endpoint: format!("{base}/token"),
                device_authorization_endpoint: None,
                revocation_endpoint: None,
                end_session_endpoint: None,
                jwks_uri: format!("{base}/certs"),
                code_challenge_methods_supported: vec![],
                grant_types_supported: vec![],
            },
            keys: RwLock::new(Arc::new(KeySet::default())),
            keys_fetched: Mutex::new(None),
            http: crate::net::client().unwrap(),
            cache_file: None,
            skew_seconds: None,
        };
        let d = DeviceAuthorization {
            device_code: Secret::new("dc"),
            user_code: "ABCD".into(),
            verification_uri: format!("{base}/device"),
            verification_uri_complete: None,
            expires_in: 60,
            interval: Some(1),
        };
        let t = p.device_finish(&d, None, &Cancel::new()).await.unwrap();
        assert_eq!(t.access_token.expose(), "a.b.c");
        let at = polls.lock().unwrap().clone();
        assert_eq!(at.len(), 3);
        let (first, second) = (at[1] - at[0], at[2] - at[1]);
        assert!(first < Duration::from_millis(1900), "{first:?}");
        // The interval was 1 s; after slow_down it is 6 s.
        assert!(second >= Duration::from_millis(5900), "{second:?}");
    }

    #[test]
    fn a_taken_port_is_a_clear_error_at_once() {
        let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = held.local_addr().unwrap().port();
        let e = Loopback::bind(Some(port)).err().unwrap();
        assert!(e.to_string().contains(&format!("port {port}")), "{e}");
        assert!(e.hint().unwrap().contains("--port"));
    }
}
