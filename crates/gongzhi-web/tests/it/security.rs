//! What an attacker tries first: bodies sent without the right to send them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode, header};

use super::*;

/// A body that records whether anything read it: its one chunk is produced only when polled.
fn watched_body(content: &'static [u8]) -> (Body, Arc<AtomicBool>) {
    let read = Arc::new(AtomicBool::new(false));
    let flag = read.clone();
    let stream = futures_util::stream::once(async move {
        flag.store(true, Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from_static(content))
    });
    (Body::from_stream(stream), read)
}

/// Every route of the pages that takes a body, read from the routers' source: `.route("…",
/// …post(…))` and the like. A new route is covered by the tests below without being listed.
fn page_routes_with_a_body() -> Vec<(Method, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    // Every source file, in feature folders too (purchases/).
    let mut sources = Vec::new();
    let mut folders = vec![dir];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                sources.push(path);
            }
        }
    }
    for path in sources {
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("api.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        // The API's routers live in api*.rs and are listed by `all_routes`.
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("api"))
        {
            continue;
        }
        for call in source.split(".route(").skip(1) {
            let Some(route) = call.split('"').nth(1) else {
                continue;
            };
            let end = call.find("\n        .").unwrap_or(call.len());
            let handlers = &call[..end];
            for (needle, method) in [
                ("post(", Method::POST),
                ("put(", Method::PUT),
                ("patch(", Method::PATCH),
                ("delete(", Method::DELETE),
            ] {
                if handlers.contains(needle) {
                    out.push((method, route.to_string()));
                }
            }
        }
    }
    assert!(
        out.len() > 40,
        "found only {} page routes: {out:?}",
        out.len()
    );
    out
}

fn api_routes_with_a_body() -> Vec<(Method, String)> {
    gongzhi_web::api::all_routes()
        .filter(|r| r.method != "get")
        .map(|r| {
            (
                Method::from_bytes(r.method.to_uppercase().as_bytes()).unwrap(),
                format!("/api/v1{}", r.path),
            )
        })
        .collect()
}

/// A concrete address for a route template: codes become the test community's, ids a UUID.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|seg| match seg {
            "{code}" => "jinyang".to_string(),
            "{number}" | "{step}" => "1".to_string(),
            s if s.starts_with('{') => uuid::Uuid::now_v7().to_string(),
            s => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn no_route_reads_a_body_from_a_visitor_who_is_not_signed_in() {
    let t = app().await;
    let routes: Vec<_> = api_routes_with_a_body()
        .into_iter()
        .chain(page_routes_with_a_body())
        .collect();
    let mut checked = 0;
    for (method, template) in routes {
        let path = concrete(&template);
        if gongzhi_web::extract::open_to_visitors(&method, &path) {
            continue;
        }
        let (body, read) = watched_body(b"name\n");
        let req = Request::builder()
            .method(method.clone())
            .uri(&path)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(header::REFERER, "http://127.0.0.1:8080/c/jinyang")
            .body(body)
            .unwrap();
        let (status, headers, _) = send(&t.router, req).await;
        assert!(
            !read.load(Ordering::SeqCst),
            "{method} {template} read the body of a visitor who is not signed in"
        );
        if path.starts_with("/api/") {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {template}");
        } else {
            assert_eq!(status, StatusCode::SEE_OTHER, "{method} {template}");
            assert_eq!(
                headers.get(header::LOCATION).unwrap(),
                "/login?next=%2Fc%2Fjinyang",
                "{method} {template}"
            );
        }
        checked += 1;
    }
    assert!(checked > 100, "checked only {checked} routes");
}

#[tokio::test]
async fn imports_refuse_a_resident_before_reading_the_file() {
    let t = app().await;
    let app = &t.state.app;
    let mut tx = app.db.read().await.unwrap();
    let admin = Actor::load(&mut tx, t.admin).await.unwrap();
    tx.rollback().await.unwrap();
    accounts::create_account(
        app,
        &admin,
        t.community,
        "resident",
        &NewAccount {
            username: Some("resident"),
            phone: None,
            display_name: "居民",
            password: PASSWORD,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap();
    let cookie = login(&t, "resident").await;
    let c = t.community;
    for (path, multipart) in [
        (format!("/api/v1/communities/{c}/residents/import"), false),
        (format!("/api/v1/communities/{c}/needs/import"), false),
        (format!("/api/v1/communities/{c}/vouchers"), false),
        ("/residents/jinyang/import".to_string(), true),
        ("/c/jinyang/funds/vouchers".to_string(), true),
    ] {
        let (body, read) = watched_body(
            b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nname\r\n--b--\r\n",
        );
        let content_type = if multipart {
            "multipart/form-data; boundary=b"
        } else {
            "text/csv"
        };
        let req = Request::post(&path)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .unwrap();
        let (status, _, text) = send(&t.router, req).await;
        assert!(
            !read.load(Ordering::SeqCst),
            "{path} read a resident's file before refusing her"
        );
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {text}");
    }
}

#[test]
fn the_client_address_is_the_one_our_proxies_vouch_for() {
    use gongzhi_web::extract::forwarded_client;
    // The client may write anything to the left; our one proxy appended what it saw.
    assert_eq!(
        forwarded_client("6.6.6.6, 203.0.113.9", 1).as_deref(),
        Some("203.0.113.9")
    );
    assert_eq!(
        forwarded_client("6.6.6.6, 203.0.113.9, 10.0.0.2", 2).as_deref(),
        Some("203.0.113.9")
    );
    assert_eq!(
        forwarded_client("203.0.113.9", 2).as_deref(),
        Some("203.0.113.9")
    );
    assert_eq!(forwarded_client("203.0.113.9", 0), None);
}

/// Rotating a spoofed `X-Forwarded-For` entry does not escape the per-address sign-in limit.
#[tokio::test]
async fn a_spoofed_forwarded_for_does_not_reset_the_address_limit() {
    let t = app().await;
    let mut state = t.state.clone();
    state.trusted_proxies = 1;
    let router = gongzhi_web::router(state);
    let mut statuses = Vec::new();
    for i in 0..25 {
        let body = format!(r#"{{"identifier":"nobody{i}","password":"wrong-password"}}"#);
        let req = Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", format!("10.9.{i}.1, 198.51.100.7"))
            .body(Body::from(body))
            .unwrap();
        statuses.push(send(&router, req).await.0);
    }
    assert!(
        statuses.ends_with(&[StatusCode::TOO_MANY_REQUESTS; 5]),
        "{statuses:?}"
    );
}

/// Served over HTTPS the session cookie is `__Host-` and `Secure`, answers carry HSTS, and
/// what a signed-in person sees is never stored by a browser or proxy.
#[tokio::test]
async fn over_https_the_session_is_a_host_cookie_and_private_pages_are_not_stored() {
    let t = app().await;
    let state = AppState::new(t.state.app.clone(), "https://gongzhi.example.cn".into());
    state.ready.store(true, Ordering::SeqCst);
    let router = gongzhi_web::router(state);
    let body = format!(r#"{{"identifier":"staff","password":"{PASSWORD}"}}"#);
    let (status, headers, _) = send(
        &router,
        Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let cookie = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-gz_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_some());
    let session = cookie.split(';').next().unwrap().to_string();
    let c = t.community;
    for path in [
        "/api/v1/me".to_string(),
        format!("/api/v1/communities/{c}/residents"),
        "/residents/jinyang".to_string(),
    ] {
        let (status, headers, _) = send(
            &router,
            Request::get(&path)
                .header(header::COOKIE, &session)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            headers.get(header::CACHE_CONTROL).unwrap(),
            "no-store",
            "{path}"
        );
    }
    // The plain-HTTP cookie name means nothing over HTTPS.
    let plain = session.replacen("__Host-gz_session", "gz_session", 1);
    let (status, _, _) = send(
        &router,
        Request::get("/api/v1/me")
            .header(header::COOKIE, &plain)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Rejections no handler wrote (a bad id in the path, a wrong method, a body over the limit) come
/// as our bilingual JSON on the API and as our error page on pages; a refused page form answers
/// 422, not 200.
#[tokio::test]
async fn every_refusal_has_one_shape_and_a_refused_form_is_not_200() {
    let t = app().await;
    let cookie = login(&t, "staff").await;
    for (method, path, body, status, code) in [
        (
            "GET",
            "/api/v1/resolutions/not-an-id",
            "",
            StatusCode::BAD_REQUEST,
            "request_invalid",
        ),
        (
            "DELETE",
            "/api/v1/me",
            "",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            "GET",
            "/api/v1/no-such-thing",
            "",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "POST",
            "/api/v1/councils",
            "x",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ] {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &cookie)
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::from(body))
            .unwrap();
        let (got, headers, text) = send(&t.router, req).await;
        assert_eq!(got, status, "{method} {path}: {text}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{method} {path}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["error"], code, "{method} {path}");
        assert!(v["message"].as_str().unwrap().len() > 10, "{text}");
    }
    // A page whose id is not an id: the site's own page, in the visitor's language.
    let (status, headers, page) = send(&t.router, get("/r/garbage")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.contains("无法理解该请求"), "{page}");
    // A refused sign-in form is a refusal.
    let (status, _, page) = send(
        &t.router,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("identifier=staff&password=wrong-password"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
}

/// A multipart form cut short (no closing boundary) is refused as unreadable, with the message
/// on the page: never read as a form without its file, nor as an empty sheet.
#[tokio::test]
async fn a_multipart_form_cut_short_is_refused_not_read_as_empty() {
    let t = super::app().await;
    let cookie = super::login(&t, "staff").await;
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\
                Content-Type: text/csv\r\n\r\n姓名,手机\r\n张三,13800000000\r\n";
    let req = Request::post("/residents/jinyang/import")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
        .header(header::COOKIE, &cookie)
        .header("accept-language", "en")
        .body(Body::from(body))
        .unwrap();
    let (status, _, page) = super::send(&t.router, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("could not be read"), "{page}");
    assert!(!page.contains("The file is empty"), "{page}");
}
