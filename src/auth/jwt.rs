//! JSON Web Tokens: a provider's key set (JWKS) parsed once into verification keys, and the
//! one verification every token goes through (allowed algorithms only, the key chosen by
//! `kid` and checked against the algorithm, signature, `iss`, `aud`, `exp`, `nbf`, a size
//! limit). Nothing here trusts a token's own claim about how it should be checked.

use std::collections::HashMap;

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, VerificationAlgorithm};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The largest token taken: a provider's access token is a few kilobytes at most.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Clock difference tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: i64 = 60;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Why a token was refused. The texts name what was wrong and never contain the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the token is larger than {MAX_TOKEN_BYTES} bytes")]
    TooLarge,
    #[error("the token is not a signed JWT: {0}")]
    Malformed(&'static str),
    #[error("the token's algorithm `{0}` is not allowed (allowed: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA)")]
    Algorithm(String),
    #[error("the token's key `{0}` is not in the provider's key set")]
    UnknownKey(String),
    #[error("the key `{kid}` is a {kty} key, which cannot check a {alg} signature")]
    KeyMismatch {
        kid: String,
        kty: String,
        alg: String,
    },
    #[error("the token's signature does not verify")]
    Signature,
    #[error("the token expired at {0} (UTC)")]
    Expired(String),
    #[error("the token is not valid before {0} (UTC)")]
    NotYetValid(String),
    #[error("the token has no `{0}` claim")]
    Missing(&'static str),
    #[error("the token was issued by `{got}`, not by the configured issuer `{want}`")]
    Issuer { got: String, want: String },
    #[error("the token's audience is {got}, which does not contain `{want}`{hint}")]
    Audience {
        got: String,
        want: String,
        hint: &'static str,
    },
}

/// One verification key of a key set.
struct Key {
    kty: String,
    /// The algorithm the key set pins it to, if it does.
    alg: Option<String>,
    /// The key parsed for each algorithm its type allows.
    parsed: Vec<(&'static str, ParsedPublicKey)>,
}

/// A provider's key set, parsed once.
#[derive(Default)]
pub struct KeySet {
    keys: HashMap<String, Key>,
    /// Keys published without a `kid`: tried when a token names none.
    anonymous: Vec<Key>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Value>,
}

fn algorithm(alg: &str) -> Option<(&'static str, &'static dyn VerificationAlgorithm)> {
    Some(match alg {
        "RS256" => ("RS256", &sig::RSA_PKCS1_2048_8192_SHA256),
        "RS384" => ("RS384", &sig::RSA_PKCS1_2048_8192_SHA384),
        "RS512" => ("RS512", &sig::RSA_PKCS1_2048_8192_SHA512),
        "PS256" => ("PS256", &sig::RSA_PSS_2048_8192_SHA256),
        "PS384" => ("PS384", &sig::RSA_PSS_2048_8192_SHA384),
        "PS512" => ("PS512", &sig::RSA_PSS_2048_8192_SHA512),
        "ES256" => ("ES256", &sig::ECDSA_P256_SHA256_FIXED),
        "ES384" => ("ES384", &sig::ECDSA_P384_SHA384_FIXED),
        "EdDSA" => ("EdDSA", &sig::ED25519),
        _ => return None,
    })
}

/// DER of PKCS#1 RSAPublicKey { modulus, publicExponent }.
fn rsa_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn len(out: &mut Vec<u8>, l: usize) {
        if l < 0x80 {
            out.push(l as u8);
        } else {
            let bytes = l.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
    }
    fn int(out: &mut Vec<u8>, v: &[u8]) {
        let v = &v[v
            .iter()
            .take_while(|b| **b == 0)
            .count()
            .min(v.len().saturating_sub(1))..];
        out.push(0x02);
        let pad = v.first().is_some_and(|b| b & 0x80 != 0);
        len(out, v.len() + pad as usize);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
    }
    let mut body = Vec::with_capacity(n.len() + e.len() + 16);
    int(&mut body, n);
    int(&mut body, e);
    let mut out = vec![0x30];
    len(&mut out, body.len());
    out.extend(body);
    out
}

fn b64_field(v: &Option<String>) -> Option<Vec<u8>> {
    B64.decode(v.as_deref()?.trim_end_matches('=')).ok()
}

impl Key {
    fn parse(jwk: &Jwk) -> Option<Key> {
        let mut parsed = Vec::new();
        let mut add = |name: &str, bytes: &[u8]| {
            if let Some((alg, a)) = algorithm(name) {
                if jwk.alg.as_deref().is_none_or(|pinned| pinned == alg) {
                    if let Ok(k) = ParsedPublicKey::new(a, bytes) {
                        parsed.push((alg, k));
                    }
                }
            }
        };
        match jwk.kty.as_str() {
            "RSA" => {
                let der = rsa_der(&b64_field(&jwk.n)?, &b64_field(&jwk.e)?);
                for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
                    add(alg, &der);
                }
            }
            "EC" => {
                let (x, y) = (b64_field(&jwk.x)?, b64_field(&jwk.y)?);
                let (alg, size) = match jwk.crv.as_deref()? {
                    "P-256" => ("ES256", 32),
                    "P-384" => ("ES384", 48),
                    _ => return None,
                };
                if x.len() != size || y.len() != size {
                    return None;
                }
                let mut point = vec![4u8];
                point.extend(x);
                point.extend(y);
                add(alg, &point);
            }
            "OKP" if jwk.crv.as_deref() == Some("Ed25519") => add("EdDSA", &b64_field(&jwk.x)?),
            _ => return None,
        }
        (!parsed.is_empty()).then(|| Key {
            kty: jwk.kty.clone(),
            alg: jwk.alg.clone(),
            parsed,
        })
    }

    fn for_alg(&self, alg: &str) -> Option<&ParsedPublicKey> {
        self.parsed.iter().find(|(a, _)| *a == alg).map(|(_, k)| k)
    }
}

impl KeySet {
    /// Parse a JWKS document. Keys for encryption, of unknown types or malformed are left
    /// out (a provider may publish them); none usable is an error.
    pub fn parse(json: &[u8]) -> Result<KeySet, String> {
        let doc: Jwks =
            serde_json::from_slice(json).map_err(|e| format!("not a JSON Web Key Set: {e}"))?;
        let mut set = KeySet::default();
        for raw in doc.keys {
            let Ok(jwk) = serde_json::from_value::<Jwk>(raw) else {
                continue;
            };
            if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
                continue;
            }
            let Some(key) = Key::parse(&jwk) else {
                continue;
            };
            match jwk.kid {
                Some(kid) => {
                    set.keys.insert(kid, key);
                }
                None => set.anonymous.push(key),
            }
        }
        if set.keys.is_empty() && set.anonymous.is_empty() {
            return Err("the key set has no signing key this tool can use".into());
        }
        Ok(set)
    }

    pub fn len(&self) -> usize {
        self.keys.len() + self.anonymous.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn has(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }
}

/// What a token must say to be taken.
#[derive(Debug, Clone)]
pub struct Expect<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    /// Seconds since the epoch.
    pub now: i64,
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    kid: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    crit: Option<Value>,
}

/// The `kid` a token names, if its header can be read: to know whether the key set must be
/// fetched again before verifying.
pub fn kid_of(token: &str) -> Option<String> {
    let head = token.split('.').next()?;
    let bytes = B64.decode(head).ok()?;
    let h: Header = serde_json::from_slice(&bytes).ok()?;
    h.kid.map(|k| k.into_owned())
}

fn time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// Verify `token` against `keys` and `expect`; its claims when it is taken.
pub fn verify(keys: &KeySet, token: &str, expect: &Expect) -> Result<Map<String, Value>, JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::TooLarge);
    }
    let mut parts = token.splitn(4, '.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed("it does not have three parts"));
    };
    let mut header_buf = [0u8; 1024];
    let n = B64.decode_slice(h, &mut header_buf).map_err(|e| {
        JwtError::Malformed(match e {
            base64::DecodeSliceError::OutputSliceTooSmall => "its header is too long",
            _ => "its header is not base64url",
        })
    })?;
    let header: Header = serde_json::from_slice(&header_buf[..n])
        .map_err(|_| JwtError::Malformed("its header is not a JSON object with `alg`"))?;
    // RFC 7515 4.1.11: an extension this verifier does not understand must be refused.
    if header.crit.is_some() {
        return Err(JwtError::Malformed("it names critical extensions"));
    }
    let Some((alg, _)) = algorithm(&header.alg) else {
        return Err(JwtError::Algorithm(header.alg.chars().take(20).collect()));
    };
    let key = match &header.kid {
        Some(kid) => keys
            .keys
            .get(kid.as_ref())
            .ok_or_else(|| JwtError::UnknownKey(kid.chars().take(80).collect()))?,
        None => keys
            .anonymous
            .iter()
            .find(|k| k.for_alg(alg).is_some())
            .ok_or_else(|| JwtError::UnknownKey("(none named)".into()))?,
    };
    let parsed = key.for_alg(alg).ok_or_else(|| JwtError::KeyMismatch {
        kid: header.kid.as_deref().unwrap_or("").into(),
        kty: match &key.alg {
            Some(a) => format!("{} ({a})", key.kty),
            None => key.kty.clone(),
        },
        alg: alg.into(),
    })?;
    // On the stack: the largest signature allowed (RSA-8192) is 1 KiB.
    let mut signature = [0u8; 1024];
    let n = B64.decode_slice(s, &mut signature).map_err(|e| {
        JwtError::Malformed(match e {
            base64::DecodeSliceError::OutputSliceTooSmall => "its signature is too long",
            _ => "its signature is not base64url",
        })
    })?;
    let signed = &token[..h.len() + 1 + p.len()];
    parsed
        .verify_sig(signed.as_bytes(), &signature[..n])
        .map_err(|_| JwtError::Signature)?;
    let payload = B64
        .decode(p)
        .map_err(|_| JwtError::Malformed("its payload is not base64url"))?;
    let claims: Map<String, Value> = serde_json::from_slice(&payload)
        .map_err(|_| JwtError::Malformed("its payload is not a JSON object"))?;
    check_claims(&claims, expect)?;
    Ok(claims)
}

fn number(claims: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, JwtError> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_f64().map(|f| f as i64))
            .map(Some)
            .ok_or(JwtError::Malformed("a time claim is not a number")),
    }
}

/// The registered claims: `exp` required, `nbf` honoured, `iss` and `aud` as expected.
pub fn check_claims(claims: &Map<String, Value>, expect: &Expect) -> Result<(), JwtError> {
    let exp = number(claims, "exp")?.ok_or(JwtError::Missing("exp"))?;
    if expect.now > exp.saturating_add(LEEWAY_SECONDS) {
        return Err(JwtError::Expired(time(exp)));
    }
    if let Some(nbf) = number(claims, "nbf")? {
        if expect.now.saturating_add(LEEWAY_SECONDS) < nbf {
            return Err(JwtError::NotYetValid(time(nbf)));
        }
    }
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or(JwtError::Missing("iss"))?;
    if iss != expect.issuer {
        return Err(JwtError::Issuer {
            got: iss.chars().take(200).collect(),
            want: expect.issuer.into(),
        });
    }
    let aud: Vec<&str> = match claims.get("aud") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        None => return Err(JwtError::Missing("aud")),
        Some(_) => return Err(JwtError::Malformed("its `aud` is not a string or a list")),
    };
    if !aud.contains(&expect.audience) {
        let got = if aud.is_empty() {
            "empty".to_string()
        } else {
            aud.iter()
                .take(5)
                .map(|a| format!("`{}`", a.chars().take(100).collect::<String>()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(JwtError::Audience {
            hint: if aud.contains(&"account") {
                " (Keycloak puts `account` there unless the client has an audience mapper: add one, or set OIDC_AUDIENCE)"
            } else {
                " (set OIDC_AUDIENCE to the audience the provider issues, or configure the provider)"
            },
            got,
            want: expect.audience.into(),
        });
    }
    Ok(())
}

/// The claims of a token without checking it: only to show what a stored token of this
/// process's own says (its expiry), never to decide anything.
pub fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    if token.len() > MAX_TOKEN_BYTES {
        return None;
    }
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&B64.decode(payload).ok()?).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{
        EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING,
    };

    /// A signing key of the tests with its public JWK.
    pub struct TestKey {
        rsa: Option<RsaKeyPair>,
        ec: Option<EcdsaKeyPair>,
        pub kid: String,
    }

    impl TestKey {
        pub fn rsa(kid: &str) -> TestKey {
            let k = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
            TestKey {
                rsa: Some(k),
                ec: None,
                kid: kid.into(),
            }
        }

        pub fn ec(kid: &str) -> TestKey {
            let rng = SystemRandom::new();
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
            let k =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
            TestKey {
                rsa: None,
                ec: Some(k),
                kid: kid.into(),
            }
        }

        pub fn jwk(&self) -> Value {
            if let Some(k) = &self.rsa {
                let c = aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(k.public_key());
                serde_json::json!({"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                    "n": B64.encode(&c.n), "e": B64.encode(&c.e)})
            } else {
                let k = self.ec.as_ref().unwrap();
                let p = k.public_key().as_ref();
                serde_json::json!({"kty": "EC", "kid": self.kid, "crv": "P-256", "use": "sig",
                    "x": B64.encode(&p[1..33]), "y": B64.encode(&p[33..])})
            }
        }

        /// The raw public key bytes, as an attacker would feed them to HMAC.
        pub fn public_bytes(&self) -> Vec<u8> {
            match (&self.rsa, &self.ec) {
                (Some(k), _) => k.public_key().as_ref().to_vec(),
                (_, Some(k)) => k.public_key().as_ref().to_vec(),
                _ => unreachable!(),
            }
        }

        pub fn sign(&self, header: &Value, claims: &Value) -> String {
            let h = B64.encode(serde_json::to_vec(header).unwrap());
            let p = B64.encode(serde_json::to_vec(claims).unwrap());
            let input = format!("{h}.{p}");
            let rng = SystemRandom::new();
            let sig = if let Some(k) = &self.rsa {
                let mut s = vec![0; k.public_modulus_len()];
                k.sign(&sig::RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut s)
                    .unwrap();
                s
            } else {
                self.ec
                    .as_ref()
                    .unwrap()
                    .sign(&rng, input.as_bytes())
                    .unwrap()
                    .as_ref()
                    .to_vec()
            };
            format!("{input}.{}", B64.encode(sig))
        }

        pub fn token(&self, claims: &Value) -> String {
            let alg = if self.rsa.is_some() { "RS256" } else { "ES256" };
            self.sign(
                &serde_json::json!({"alg": alg, "kid": self.kid, "typ": "JWT"}),
                claims,
            )
        }
    }

    pub const ISS: &str = "https://idp.example/realms/promptcraft";

    pub fn claims(now: i64) -> Value {
        serde_json::json!({"iss": ISS, "aud": ["promptcraft-app", "account"], "sub": "u1",
            "exp": now + 300, "iat": now, "preferred_username": "alice"})
    }

    fn set(keys: &[&TestKey]) -> KeySet {
        let doc = serde_json::json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()});
        KeySet::parse(&serde_json::to_vec(&doc).unwrap()).unwrap()
    }

    fn expect(now: i64) -> Expect<'static> {
        Expect {
            issuer: ISS,
            audience: "promptcraft-app",
            now,
        }
    }

    #[test]
    fn good_tokens_of_rsa_and_ec_keys_verify() {
        let (r, e) = (TestKey::rsa("r1"), TestKey::ec("e1"));
        let keys = set(&[&r, &e]);
        let now = 1_800_000_000;
        for k in [&r, &e] {
            let c = verify(&keys, &k.token(&claims(now)), &expect(now)).unwrap();
            assert_eq!(c["preferred_username"], "alice");
        }
    }

    #[test]
    fn attacks_are_refused_with_what_was_wrong() {
        let k = TestKey::rsa("k1");
        let other = TestKey::rsa("k1");
        let keys = set(&[&k]);
        let now = 1_800_000_000;
        let ex = expect(now);
        let good = k.token(&claims(now));
        let (h, p, _) = {
            let mut it = good.split('.');
            (
                it.next().unwrap().to_owned(),
                it.next().unwrap().to_owned(),
                it.next().unwrap().to_owned(),
            )
        };
        // alg none, signature empty.
        let none_h = B64.encode(br#"{"alg":"none","kid":"k1"}"#);
        assert_eq!(
            verify(&keys, &format!("{none_h}.{p}."), &ex),
            Err(JwtError::Algorithm("none".into()))
        );
        // HS256 keyed with the provider's public key.
        let hs_h = B64.encode(br#"{"alg":"HS256","kid":"k1"}"#);
        let input = format!("{hs_h}.{p}");
        let mac = aws_lc_rs::hmac::sign(
            &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &k.public_bytes()),
            input.as_bytes(),
        );
        let forged = format!("{input}.{}", B64.encode(mac.as_ref()));
        assert_eq!(
            verify(&keys, &forged, &ex),
            Err(JwtError::Algorithm("HS256".into()))
        );
        // A tampered payload.
        let mut c = claims(now);
        c["preferred_username"] = "mallory".into();
        let tampered = format!(
            "{h}.{}.{}",
            B64.encode(serde_json::to_vec(&c).unwrap()),
            good.rsplit('.').next().unwrap()
        );
        assert_eq!(verify(&keys, &tampered, &ex), Err(JwtError::Signature));
        // Signed by another key under the same kid.
        assert_eq!(
            verify(&keys, &other.token(&claims(now)), &ex),
            Err(JwtError::Signature)
        );
        // Expired, not yet valid, wrong issuer, wrong audience, no exp.
        let mut c = claims(now);
        c["exp"] = (now - 120).into();
        assert!(matches!(
            verify(&keys, &k.token(&c), &ex),
            Err(JwtError::Expired(_))
        ));
        let mut c = claims(now);
        c["nbf"] = (now + 600).into();
        assert!(matches!(
            verify(&keys, &k.token(&c), &ex),
            Err(JwtError::NotYetValid(_))
        ));
        let mut c = claims(now);
        c["iss"] = "https://evil.example/".into();
        assert!(matches!(
            verify(&keys, &k.token(&c), &ex),
            Err(JwtError::Issuer { .. })
        ));
        let mut c = claims(now);
        c["aud"] = "account".into();
        let e = verify(&keys, &k.token(&c), &ex).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("`account`")
                && text.contains("`promptcraft-app`")
                && text.contains("mapper"),
            "{text}"
        );
        let mut c = claims(now);
        c.as_object_mut().unwrap().remove("exp");
        assert_eq!(
            verify(&keys, &k.token(&c), &ex),
            Err(JwtError::Missing("exp"))
        );
        // Unknown kid, a huge token, garbage.
        let stranger = TestKey::rsa("k2");
        assert_eq!(
            verify(&keys, &stranger.token(&claims(now)), &ex),
            Err(JwtError::UnknownKey("k2".into()))
        );
        let huge = format!("{h}.{}.{}", "A".repeat(1 << 20), "B");
        assert_eq!(verify(&keys, &huge, &ex), Err(JwtError::TooLarge));
        for junk in [
            "",
            "a.b",
            "....",
            "a.b.c",
            "\u{0}.\u{1}.\u{2}",
            "e30.e30.e30",
        ] {
            assert!(verify(&keys, junk, &ex).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn an_rsa_key_cannot_check_an_ec_signature() {
        let k = TestKey::rsa("k1");
        let keys = set(&[&k]);
        let now = 1_800_000_000;
        let e = TestKey::ec("k1");
        let t = e.sign(
            &serde_json::json!({"alg": "ES256", "kid": "k1"}),
            &claims(now),
        );
        assert!(matches!(
            verify(&keys, &t, &expect(now)),
            Err(JwtError::KeyMismatch { .. })
        ));
    }

    #[test]
    fn leeway_is_small() {
        let k = TestKey::rsa("k1");
        let keys = set(&[&k]);
        let now = 1_800_000_000;
        let mut c = claims(now);
        c["exp"] = (now - 30).into();
        assert!(verify(&keys, &k.token(&c), &expect(now)).is_ok());
        c["exp"] = (now - LEEWAY_SECONDS - 1).into();
        assert!(verify(&keys, &k.token(&c), &expect(now)).is_err());
    }

    #[test]
    fn rsa_der_encodes_lengths_and_sign_bits() {
        let der = rsa_der(&[0x80; 256], &[1, 0, 1]);
        assert_eq!(&der[..4], &[0x30, 0x82, 0x01, 0x0a]);
        assert_eq!(&der[4..8], &[0x02, 0x82, 0x01, 0x01]);
    }
}
