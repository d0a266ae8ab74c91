//! Faults at the HTTP layer, for every service client at once: an `HttpClient` wrapping the
//! real one (talking to moto) that answers a chosen share of requests itself — throttling in
//! the service's own error format, 500/503 — or cuts moto's answer short. Only first
//! attempts are failed (exactly `percent` of them, in arrival order), so a retried request
//! is never doomed to fail again and the test cannot flake.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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
}

#[derive(Debug, Clone)]
pub struct FaultyClient {
    inner: SharedHttpClient,
    fault: Fault,
    injected: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    first_attempts: Arc<AtomicUsize>,
}

impl FaultyClient {
    pub fn new(inner: SharedHttpClient, fault: Fault) -> FaultyClient {
        FaultyClient {
            inner,
            fault,
            injected: Arc::default(),
            requests: Arc::default(),
            first_attempts: Arc::default(),
        }
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

/// A throttling error as the service would send it: EC2 has its own XML, the query and
/// REST-XML services share `ErrorResponse`.
fn throttling(request_body: &str) -> HttpResponse {
    let body = if request_body.contains("Version=2016-11-15") {
        "<Response><Errors><Error><Code>RequestLimitExceeded</Code>\
         <Message>Request limit exceeded.</Message></Error></Errors>\
         <RequestID>fault</RequestID></Response>"
    } else {
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>\
         <Message>Rate exceeded</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
    };
    response(400, body)
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
            Fault::Malformed { action } if body.contains(action) => {
                inject(0);
                HttpConnectorFuture::ready(Ok(response(200, "{\"not\": \"xml\"")))
            }
            Fault::Truncate { action } if body.contains(action) => {
                inject(0);
                let call = self.inner.call(request);
                HttpConnectorFuture::new(async move {
                    let mut answer = call.await?;
                    let bytes = ByteStream::new(answer.take_body())
                        .collect()
                        .await
                        .unwrap()
                        .into_bytes();
                    *answer.body_mut() = SdkBody::from(bytes.slice(..bytes.len() / 2));
                    Ok(answer)
                })
            }
            _ => self.inner.call(request),
        }
    }
}
