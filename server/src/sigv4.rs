//! Verifying AWS Signature Version 4 on requests signed with a Backshare access key (the
//! RAM endpoint's `ram`, the native API's `backshare`).
//!
//! Verifying is signing again: the canonical request is rebuilt from the request as it was
//! received, with the headers the client says it signed, and the signature computed from
//! the key's secret must equal the one sent. Checked: the algorithm, the credential scope
//! (date of the request, service), that `host` is signed, the payload's SHA-256 (and the
//! `x-amz-content-sha256` header when sent), and at most [`MAX_SKEW`] between the request's
//! time and ours. Tested against AWS's published test suite (`tests/sigv4/`).
//!
//! Written here rather than taken from `aws-sigv4`: that crate signs outgoing requests,
//! choosing itself what to sign and normalising the request first; a verifier must
//! canonicalise exactly what arrived. The primitives (HMAC, SHA-256) are RustCrypto's.

use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The most a request's `x-amz-date` may differ from the server's clock.
pub const MAX_SKEW: chrono::Duration = chrono::Duration::minutes(15);

/// A request as received, for verifying.
#[derive(Debug)]
pub struct Received<'a> {
    pub method: &'a str,
    /// The path as sent (percent-encoded), without the query.
    pub path: &'a str,
    /// The query string as sent, without `?` (empty when none).
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl<'a> Received<'a> {
    /// The parts of a request as axum hands them over.
    pub fn of(
        method: &'a axum::http::Method,
        uri: &'a axum::http::Uri,
        headers: &'a HeaderMap,
        body: &'a [u8],
    ) -> Self {
        Self {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query().unwrap_or(""),
            headers,
            body,
        }
    }
}

/// The `Authorization` header's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub key_id: String,
    /// `YYYYMMDD` of the credential scope.
    pub date: String,
    pub region: String,
    pub service: String,
    /// Lower-case, in the order sent (which must be sorted).
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Why a signature is not accepted. Every case is a 403; the text is for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("Missing Authentication Token: sign the request with an access key (SigV4).")]
    Missing,
    #[error("The Authorization header is malformed: {0}.")]
    Malformed(&'static str),
    #[error("Signature expired or not yet valid: the request time {0} is more than 15 minutes from the server's time.")]
    Skewed(String),
    #[error("The credential scope names service '{found}'; this endpoint is '{expected}'.")]
    WrongService {
        found: String,
        expected: &'static str,
    },
    #[error("The request body does not match its x-amz-content-sha256 header.")]
    PayloadHash,
    #[error("The security token included in the request is invalid.")]
    UnknownKey,
    #[error("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")]
    Mismatch,
}

impl SigError {
    /// The error code AWS's JSON services answer with (botocore reads it).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "MissingAuthenticationTokenException",
            Self::UnknownKey => "UnrecognizedClientException",
            _ => "InvalidSignatureException",
        }
    }
}

/// Reads the `Authorization` header: `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/
/// <service>/aws4_request, SignedHeaders=<a;b>, Signature=<hex>`.
pub fn authorization(headers: &HeaderMap) -> Result<Authorization, SigError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or(SigError::Missing)?
        .to_str()
        .map_err(|_| SigError::Malformed("it is not text"))?;
    let rest = value
        .strip_prefix(ALGORITHM)
        .filter(|rest| rest.starts_with(' '))
        .ok_or(SigError::Malformed(
            "the algorithm must be AWS4-HMAC-SHA256",
        ))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {
                return Err(SigError::Malformed(
                    "expected Credential, SignedHeaders and Signature",
                ))
            }
        }
    }
    let credential = credential.ok_or(SigError::Malformed("Credential is missing"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(SigError::Malformed(
            "Credential must be <key>/<date>/<region>/<service>/aws4_request",
        ));
    };
    let signed_headers: Vec<String> = signed
        .ok_or(SigError::Malformed("SignedHeaders is missing"))?
        .split(';')
        .map(str::to_owned)
        .collect();
    if signed_headers
        .iter()
        .any(|h| h.is_empty() || *h != h.to_ascii_lowercase())
        || !signed_headers.is_sorted()
    {
        return Err(SigError::Malformed(
            "SignedHeaders must be lower-case and sorted",
        ));
    }
    if !signed_headers.iter().any(|h| h == "host") {
        return Err(SigError::Malformed("the host header must be signed"));
    }
    let signature = signature.ok_or(SigError::Malformed("Signature is missing"))?;
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SigError::Malformed("Signature must be 64 hex digits"));
    }
    let plain =
        |s: &str| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic());
    if !(plain(key_id) && date.len() == 8 && plain(region) && plain(service)) {
        return Err(SigError::Malformed("the credential scope is not valid"));
    }
    Ok(Authorization {
        key_id: key_id.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers,
        signature: signature.to_ascii_lowercase(),
    })
}

/// The request's time: `x-amz-date` (`YYYYMMDDTHHMMSSZ`).
pub fn request_time(headers: &HeaderMap) -> Result<(String, DateTime<Utc>), SigError> {
    let text = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or(SigError::Malformed("the x-amz-date header is missing"))?;
    let at = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
        .map_err(|_| SigError::Malformed("x-amz-date must be YYYYMMDDTHHMMSSZ"))?
        .and_utc();
    Ok((text.to_owned(), at))
}

/// Checks what can be checked before the key is looked up: the scope's service and date,
/// and the clock. Returns the request's `x-amz-date` text.
pub fn check_scope(
    auth: &Authorization,
    headers: &HeaderMap,
    service: &'static str,
    now: DateTime<Utc>,
) -> Result<String, SigError> {
    if auth.service != service {
        return Err(SigError::WrongService {
            found: auth.service.clone(),
            expected: service,
        });
    }
    let (amz_date, at) = request_time(headers)?;
    if !amz_date.starts_with(&auth.date) {
        return Err(SigError::Malformed(
            "the credential date is not the request's date",
        ));
    }
    if (at - now).abs() > MAX_SKEW {
        return Err(SigError::Skewed(amz_date));
    }
    if !auth.signed_headers.iter().any(|h| h == "x-amz-date") {
        return Err(SigError::Malformed("the x-amz-date header must be signed"));
    }
    Ok(amz_date)
}

/// Verifies the signature with the key's secret (after [`check_scope`]).
pub fn verify(
    request: &Received<'_>,
    auth: &Authorization,
    amz_date: &str,
    secret: &str,
) -> Result<(), SigError> {
    let payload = hex::encode(Sha256::digest(request.body));
    if let Some(sent) = request.headers.get("x-amz-content-sha256") {
        if sent.as_bytes() != payload.as_bytes() {
            return Err(SigError::PayloadHash);
        }
    }
    let canonical = canonical_request(request, &auth.signed_headers, &payload)?;
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let to_sign = string_to_sign(amz_date, &scope, &canonical);
    let mut mac = signing_mac(secret, &auth.date, &auth.region, &auth.service);
    mac.update(to_sign.as_bytes());
    let sent = hex::decode(&auth.signature).map_err(|_| SigError::Malformed("bad signature"))?;
    // Constant time: the comparison tells nothing about how much of it matched.
    mac.verify_slice(&sent).map_err(|_| SigError::Mismatch)
}

/// The `Authorization` value for a request whose headers already hold `host` and
/// `x-amz-date` (signing every header it holds, sorted). Clients sign with their SDK; this is
/// for the tests and benchmarks that talk to the API without one.
pub fn authorization_for(
    request: &Received<'_>,
    key_id: &str,
    secret: &str,
    region: &str,
    service: &str,
) -> Result<String, SigError> {
    let (amz_date, _) = request_time(request.headers)?;
    let date = &amz_date[..8];
    let mut signed: Vec<String> = request
        .headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .collect();
    signed.sort();
    signed.dedup();
    let payload = hex::encode(Sha256::digest(request.body));
    let canonical = canonical_request(request, &signed, &payload)?;
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let mut mac = signing_mac(secret, date, region, service);
    mac.update(string_to_sign(&amz_date, &scope, &canonical).as_bytes());
    Ok(format!(
        "{ALGORITHM} Credential={key_id}/{scope}, SignedHeaders={}, Signature={}",
        signed.join(";"),
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// The canonical request: method, URI, query, headers, signed header names, payload hash.
pub fn canonical_request(
    request: &Received<'_>,
    signed_headers: &[String],
    payload_hash: &str,
) -> Result<String, SigError> {
    let mut headers = String::new();
    for name in signed_headers {
        let values: Vec<&str> = request
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| v.to_str())
            .collect::<Result<_, _>>()
            .map_err(|_| SigError::Malformed("a signed header is not text"))?;
        if values.is_empty() {
            return Err(SigError::Malformed("a signed header is missing"));
        }
        let joined: Vec<String> = values.iter().map(|v| collapse_spaces(v)).collect();
        headers.push_str(&format!("{name}:{}\n", joined.join(",")));
    }
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        canonical_uri(request.path)?,
        canonical_query(request.query)?,
        headers,
        signed_headers.join(";"),
        payload_hash
    ))
}

/// The string to sign for a canonical request.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    let hashed = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{hashed}")
}

/// HMAC keyed with the signing key derived from the secret and the scope.
fn signing_mac(secret: &str, date: &str, region: &str, service: &str) -> Hmac<Sha256> {
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in [date, region, service, "aws4_request"] {
        let mut mac = new_mac(&key);
        mac.update(part.as_bytes());
        key = mac.finalize().into_bytes().to_vec();
    }
    new_mac(&key)
}

fn new_mac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length")
}

/// Trims a header value and collapses runs of spaces into one.
fn collapse_spaces(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The path, normalised (dot segments and empty segments removed, as botocore and the AWS
/// SDKs do for every service but S3) and each segment encoded once more.
fn canonical_uri(path: &str) -> Result<String, SigError> {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut uri = String::from("/");
    uri.push_str(
        &segments
            .iter()
            .map(|s| encode(s.as_bytes()))
            .collect::<Vec<_>>()
            .join("/"),
    );
    if path.ends_with('/') && !segments.is_empty() {
        uri.push('/');
    }
    Ok(uri)
}

/// The query's parameters decoded, encoded again strictly, sorted by name then value.
fn canonical_query(query: &str) -> Result<String, SigError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((encode(&decode(name)?), encode(&decode(value)?)));
    }
    pairs.sort();
    Ok(pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&"))
}

/// Percent-decodes (`+` stays a plus, as SigV4 has it).
fn decode(text: &str) -> Result<Vec<u8>, SigError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(SigError::Malformed("the query has a bad percent escape"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Percent-encodes all but RFC 3986's unreserved characters, upper-case hex.
fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! AWS's SigV4 test suite (tests/sigv4/, see its README): for each vector, the
    //! canonical request, the string to sign and the signature, then the whole verify.

    use super::*;
    use axum::http::{HeaderName, HeaderValue};

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const VECTORS: [&str; 10] = [
        "post-x-www-form-urlencoded",
        "post-x-www-form-urlencoded-parameters",
        "post-vanilla",
        "post-vanilla-query",
        "post-header-key-sort",
        "post-header-key-case",
        "post-header-value-case",
        "get-vanilla",
        "get-vanilla-query-order-key-case",
        "get-header-value-trim",
    ];

    fn read(name: &str, ext: &str) -> String {
        let path = format!(
            "{}/tests/sigv4/{name}/{name}.{ext}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// A `.req`/`.sreq` file: the request line, `Name:value` headers, a blank line, a body.
    fn parse(text: &str) -> (String, String, String, HeaderMap, Vec<u8>) {
        let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
        let mut lines = head.lines();
        let mut request_line = lines.next().unwrap().split(' ');
        let method = request_line.next().unwrap().to_owned();
        let target = request_line.next().unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers = HeaderMap::new();
        for line in lines {
            let (name, value) = line.split_once(':').unwrap();
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value.trim()).unwrap(),
            );
        }
        (
            method,
            path.to_owned(),
            query.to_owned(),
            headers,
            body.as_bytes().to_vec(),
        )
    }

    #[test]
    fn aws_test_suite_vectors_verify_step_by_step() {
        let now = DateTime::parse_from_rfc3339("2015-08-30T12:36:00Z")
            .unwrap()
            .to_utc();
        for name in VECTORS {
            let (method, path, query, headers, body) = parse(&read(name, "sreq"));
            let received = Received {
                method: &method,
                path: &path,
                query: &query,
                headers: &headers,
                body: &body,
            };
            let auth = authorization(&headers).unwrap();
            assert_eq!(auth.key_id, "AKIDEXAMPLE", "{name}");
            let payload = hex::encode(Sha256::digest(&body));
            let canonical = canonical_request(&received, &auth.signed_headers, &payload).unwrap();
            assert_eq!(canonical, read(name, "creq"), "{name}: canonical request");
            let amz_date = check_scope(&auth, &headers, "service", now).unwrap();
            let scope = format!(
                "{}/{}/{}/aws4_request",
                auth.date, auth.region, auth.service
            );
            assert_eq!(
                string_to_sign(&amz_date, &scope, &canonical),
                read(name, "sts"),
                "{name}: string to sign"
            );
            let authz = read(name, "authz");
            assert!(
                authz.ends_with(&format!("Signature={}", auth.signature)),
                "{name}"
            );
            verify(&received, &auth, &amz_date, SECRET).unwrap_or_else(|e| panic!("{name}: {e}"));

            // One changed byte anywhere fails: the secret, the body, a signed header.
            assert_eq!(
                verify(&received, &auth, &amz_date, "wrong"),
                Err(SigError::Mismatch),
                "{name}"
            );
            let tampered = [body.clone(), b"x".to_vec()].concat();
            let changed = Received {
                body: &tampered,
                ..received
            };
            assert_eq!(
                verify(&changed, &auth, &amz_date, SECRET),
                Err(SigError::Mismatch),
                "{name}"
            );
            let mut other_host = headers.clone();
            other_host.insert("host", HeaderValue::from_static("evil.example"));
            let moved = Received {
                headers: &other_host,
                ..received
            };
            assert_eq!(
                verify(&moved, &auth, &amz_date, SECRET),
                Err(SigError::Mismatch),
                "{name}"
            );
        }
    }

    #[test]
    fn the_scope_the_clock_and_the_header_are_checked_before_any_key_is_read() {
        let (_, _, _, headers, _) = parse(&read("post-vanilla", "sreq"));
        let auth = authorization(&headers).unwrap();
        let at = DateTime::parse_from_rfc3339("2015-08-30T12:36:00Z")
            .unwrap()
            .to_utc();
        assert!(check_scope(
            &auth,
            &headers,
            "service",
            at + chrono::Duration::minutes(14)
        )
        .is_ok());
        assert!(matches!(
            check_scope(
                &auth,
                &headers,
                "service",
                at + chrono::Duration::minutes(16)
            ),
            Err(SigError::Skewed(_))
        ));
        assert!(matches!(
            check_scope(&auth, &headers, "ram", at),
            Err(SigError::WrongService { .. })
        ));
        let mut none = headers.clone();
        none.remove("authorization");
        assert_eq!(authorization(&none), Err(SigError::Missing));
        for bad in [
            "AWS4-HMAC-SHA1 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=x-amz-date;host, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=zz",
        ] {
            let mut h = headers.clone();
            h.insert("authorization", HeaderValue::from_str(bad).unwrap());
            assert!(matches!(authorization(&h), Err(SigError::Malformed(_))), "{bad}");
        }
    }
}
