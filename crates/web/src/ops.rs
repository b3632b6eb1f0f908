//! Operations: Prometheus metrics (requests, latencies, database pool) and request logs.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::WebState;

/// The process-wide recorder; installed once, however many servers a process starts (tests).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ])
            .expect("static buckets")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (a test harness); ours still renders.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts and times every request by method, route template and status; logs it.
pub async fn track(State(_): State<WebState>, request: Request, next: Next) -> Response {
    handle();
    let started = Instant::now();
    let method = request.method().to_string();
    // The route template ("/debtors/{id}"), not the path: labels must not grow with the data.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    record(&method, &route, &response, started);
    response
}

/// The fallback: a 404 page, counted under the route "unmatched" (the route layer does not
/// run for it).
pub async fn unmatched(method: axum::http::Method) -> Response {
    let started = Instant::now();
    handle();
    let response = crate::pages::not_found().await;
    record(method.as_str(), "unmatched", &response, started);
    response
}

fn record(method: &str, route: &str, response: &Response, started: Instant) {
    let (method, route) = (method.to_owned(), route.to_owned());
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.clone()).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method.clone(), "route" => route.clone()).record(seconds);
    tracing::info!(target: "creanta::http", %method, %route, status = %status, ms = seconds * 1000.0, "request");
}

pub async fn metrics_page(State(state): State<WebState>) -> Response {
    let (size, idle) = state.store.pool_stats();
    metrics::gauge!("db_pool_connections").set(f64::from(size));
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        handle().render(),
    )
        .into_response()
}
