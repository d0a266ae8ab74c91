//! Faults at the HTTP layer, for every service client at once: an `HttpClient` wrapping the
//! real one (talking to moto) that answers a chosen share of requests itself — throttling in
//! the service's own error format, 500/503 — or cuts moto's answer short. Only first
//! attempts are failed (exactly `percent` of them, in arrival order), so a retried request
//! is never doomed to fail again and the test cannot flake. A client may confine its fault
//! to one account: the requests signed with the credentials STS `AssumeRole` handed out for
//! that account's role (moto keeps accounts apart by those credentials too).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;

/// What to do to the requests a plan picks.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// First attempts of `percent` % of requests fail in turn with throttling, 503 and 500;
    /// retries go through.
    Transient { percent: u64 },
    /// Every answer to requests whose body contains `action` comes back cut in half.
    Truncate { action: &'static str },
    /// Every answer to requests whose body contains `action` is 200 with a body that is not
    /// the service's format.
    Malformed { action: &'static str },
    /// Requests whose body contains both `action` and `containing` are refused with 403
    /// `AccessDenied` (e.g. STS `AssumeRole` into one account's role).
    Refuse {
        action: &'static str,
        containing: &'static str,
    },
    /// Every attempt of every call but STS's fails with 503: services down for good (the
    /// account can still be entered and identified).
    Unavailable,
    /// A set of credentials expires after `after` requests signed with it (answered
    /// `ExpiredToken`, EC2's `RequestExpired`): only an account's first set, or each one
    /// when `renewed_too` (confine it to an account with [`FaultyClient::in_account`]).
    Expire { after: usize, renewed_too: bool },
}

/// The credentials handed out for the account a client confines its fault to: access key
/// id → (which set of the account, first 0; requests signed with it so far).
type Credentials = Arc<Mutex<HashMap<String, (usize, usize)>>>;

#[derive(Debug, Clone)]
pub struct FaultyClient {
    inner: SharedHttpClient,
    fault: Fault,
    injected: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    first_attempts: Arc<AtomicUsize>,
    account: Option<&'static str>,
    credentials: Credentials,
}

impl FaultyClient {
    pub fn new(inner: SharedHttpClient, fault: Fault) -> FaultyClient {
        FaultyClient {
            inner,
            fault,
            injected: Arc::default(),
            requests: Arc::default(),
            first_attempts: Arc::default(),
            account: None,
            credentials: Credentials::default(),
        }
    }

    /// The same client with its fault confined to the requests made as `account`.
    pub fn in_account(mut self, account: &'static str) -> FaultyClient {
        self.account = Some(account);
        self
    }

    /// (faults injected, requests seen).
    pub fn counts(&self) -> (usize, usize) {
        (
            self.injected.load(Ordering::SeqCst),
            self.requests.load(Ordering::SeqCst),
        )
    }
}

impl HttpClient for FaultyClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(FaultyConnector {
            inner: self.inner.http_connector(settings, components),
            client: self.clone(),
        })
    }
}

#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
    client: FaultyClient,
}

fn response(status: u16, body: impl Into<SdkBody>) -> HttpResponse {
    HttpResponse::new(StatusCode::try_from(status).unwrap(), body.into())
}

/// An error as the service would send it: EC2 has its own XML (and `ec2_code`), the query
/// and REST-XML services share `ErrorResponse`.
fn error_answer(request_body: &str, ec2: (&str, &str), other: (&str, &str)) -> HttpResponse {
    let body = if request_body.contains("Version=2016-11-15") {
        format!(
            "<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error></Errors>\
             <RequestID>fault</RequestID></Response>",
            ec2.0, ec2.1
        )
    } else {
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message>\
             </Error><RequestId>fault</RequestId></ErrorResponse>",
            other.0, other.1
        )
    };
    response(400, body)
}

fn throttling(request_body: &str) -> HttpResponse {
    error_answer(
        request_body,
        ("RequestLimitExceeded", "Request limit exceeded."),
        ("Throttling", "Rate exceeded"),
    )
}

/// What a call signed with expired session credentials is answered.
fn expired(request_body: &str) -> HttpResponse {
    error_answer(
        request_body,
        ("RequestExpired", "Request has expired."),
        (
            "ExpiredToken",
            "The security token included in the request is expired",
        ),
    )
}

/// The whole body of `answer`, taken out of it.
async fn take_body(answer: &mut HttpResponse) -> Vec<u8> {
    ByteStream::new(answer.take_body())
        .collect()
        .await
        .unwrap()
        .to_vec()
}

/// The access key id a request is signed with (SigV4's `Credential=KEY/…`).
fn signing_key(request: &HttpRequest) -> Option<String> {
    let authorization = request.headers().get("authorization")?;
    let (_, rest) = authorization.split_once("Credential=")?;
    Some(rest.split('/').next()?.to_owned())
}

impl FaultyConnector {
    /// Passes an `AssumeRole` into the confined account's role through, noting the access
    /// key id of the credentials it hands out.
    fn note_credentials(&self, request: HttpRequest) -> HttpConnectorFuture {
        let call = self.inner.call(request);
        let credentials = self.client.credentials.clone();
        HttpConnectorFuture::new(async move {
            let mut answer = call.await?;
            let bytes = take_body(&mut answer).await;
            let text = String::from_utf8_lossy(&bytes);
            if let Some((_, rest)) = text.split_once("<AccessKeyId>") {
                let key = rest.split('<').next().unwrap_or_default().to_owned();
                let mut known = credentials.lock().unwrap();
                let set = known.len();
                known.insert(key, (set, 0));
            }
            *answer.body_mut() = SdkBody::from(bytes);
            Ok(answer)
        })
    }
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.client.clone();
        client.requests.fetch_add(1, Ordering::SeqCst);
        let body = request
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        // (which set of credentials, requests signed with it) of a request in the account.
        let mut signed_with = None;
        if let Some(account) = client.account {
            if body.contains("Action=AssumeRole") && body.contains(account) {
                return self.note_credentials(request);
            }
            let key = signing_key(&request).unwrap_or_default();
            match client.credentials.lock().unwrap().get_mut(&key) {
                Some((set, uses)) => {
                    *uses += 1;
                    signed_with = Some((*set, *uses));
                }
                None => return self.inner.call(request),
            }
        }
        let attempt = request
            .headers()
            .get("amz-sdk-request")
            .unwrap_or_default()
            .to_owned();
        let first_attempt = attempt.starts_with("attempt=1;");
        let order = if first_attempt {
            client.first_attempts.fetch_add(1, Ordering::SeqCst) as u64
        } else {
            u64::MAX
        };
        let inject = |kind| {
            client.injected.fetch_add(1, Ordering::SeqCst);
            kind
        };
        match self.client.fault {
            // Spread evenly: the n-th first attempt fails when it completes another `percent`.
            Fault::Transient { percent }
                if first_attempt && (order + 1) * percent / 100 > order * percent / 100 =>
            {
                let answer = match inject(order % 3) {
                    0 => throttling(&body),
                    1 => response(503, ""),
                    _ => response(500, "internal error"),
                };
                HttpConnectorFuture::ready(Ok(answer))
            }
            Fault::Refuse { action, containing }
                if body.contains(action) && body.contains(containing) =>
            {
                inject(0);
                HttpConnectorFuture::ready(Ok(response(
                    403,
                    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
                     <Message>User is not authorized to perform: sts:AssumeRole</Message>\
                     </Error><RequestId>fault</RequestId></ErrorResponse>",
                )))
            }
            Fault::Unavailable if !body.contains("Version=2011-06-15") => {
                inject(0);
                HttpConnectorFuture::ready(Ok(response(503, "")))
            }
            Fault::Expire { after, renewed_too }
                if signed_with
                    .is_some_and(|(set, uses)| uses > after && (renewed_too || set == 0)) =>
            {
                inject(0);
                HttpConnectorFuture::ready(Ok(expired(&body)))
            }
            Fault::Malformed { action } if body.contains(action) => {
                inject(0);
                HttpConnectorFuture::ready(Ok(response(200, "{\"not\": \"xml\"")))
            }
            Fault::Truncate { action } if body.contains(action) => {
                inject(0);
                let call = self.inner.call(request);
                HttpConnectorFuture::new(async move {
                    let mut answer = call.await?;
                    let bytes = take_body(&mut answer).await;
                    *answer.body_mut() = SdkBody::from(bytes[..bytes.len() / 2].to_vec());
                    Ok(answer)
                })
            }
            _ => self.inner.call(request),
        }
    }
}
