//! HTTP tests on the real router (oneshot, no sockets) over a real database.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gongzhi_app::accounts::{self, NewAccount};
use gongzhi_app::authz::Actor;
use gongzhi_app::people::{self, NewResident};
use gongzhi_app::places::{self, NewJurisdiction};
use gongzhi_app::{App, ManualClock, Settings, setup};
use gongzhi_domain::time::Instant;
use gongzhi_web::AppState;
use serde_json::Value;
use tower::ServiceExt;

mod budget_votes;
mod core_loop;
mod elections;
mod layering;
mod purchases;
mod security;

const PASSWORD: &str = "web-test-password";

struct T {
    router: Router,
    state: AppState,
    community: uuid::Uuid,
    /// The city's administrator, made by `setup::init`.
    admin: uuid::Uuid,
}

async fn app() -> T {
    let db = gongzhi_app::testing::fresh_db().await;
    let app = App::new(
        db,
        Arc::new(ManualClock::starting_at(Instant::from_micros(
            1_795_276_800_000_000,
        ))),
        Settings {
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            ..Settings::default()
        },
    );
    let (city, admin_id) = setup::init(
        &app,
        &setup::Init {
            city_code: "chengdu",
            city_name_zh: "成都市",
            city_name_en: "Chengdu",
            admin_username: "admin",
            admin_name: "管理员",
            admin_password: PASSWORD,
        },
    )
    .await
    .unwrap();
    let mut tx = app.db.read().await.unwrap();
    let admin = Actor::load(&mut tx, admin_id).await.unwrap();
    tx.rollback().await.unwrap();
    let mk = |parent, level: &'static str, code: &'static str, zh: &'static str| NewJurisdiction {
        parent_id: Some(parent),
        level,
        code,
        name_zh: zh,
        name_en: code,
    };
    let d = places::create_jurisdiction(&app, &admin, &mk(city, "district", "wuhou", "武侯区"))
        .await
        .unwrap();
    let s =
        places::create_jurisdiction(&app, &admin, &mk(d, "street", "jinyang-street", "晋阳街道"))
            .await
            .unwrap();
    let c = places::create_jurisdiction(&app, &admin, &mk(s, "community", "jinyang", "晋阳社区"))
        .await
        .unwrap();
    accounts::create_account(
        &app,
        &admin,
        c,
        "staff",
        &NewAccount {
            username: Some("staff"),
            phone: None,
            display_name: "王主任",
            password: PASSWORD,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap();
    people::register_resident(
        &app,
        &admin,
        c,
        &NewResident {
            name: "田小余".into(),
            phone: Some("13800000001".into()),
            id_number: Some("11010519491231002X".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let state = AppState::new(app, "http://127.0.0.1:8080".into());
    state.ready.store(true, Ordering::SeqCst);
    T {
        router: gongzhi_web::router(state.clone()),
        state,
        community: c,
        admin: admin_id,
    }
}

async fn send(router: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 10 * 1024 * 1024)
        .await
        .unwrap();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn post_json(path: &str, body: &str) -> axum::http::request::Builder {
    let _ = body;
    Request::post(path).header(header::CONTENT_TYPE, "application/json")
}

async fn login(t: &T, who: &str) -> String {
    login_at(&t.router, who).await
}

/// Signs in on `router`: a session that router's clock keeps.
async fn login_at(router: &Router, who: &str) -> String {
    let body = format!(r#"{{"identifier":"{who}","password":"{PASSWORD}"}}"#);
    let (status, headers, text) = send(
        router,
        post_json("/api/v1/session", &body)
            .body(Body::from(body.clone()))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let cookie = headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn healthz_answers_only_when_ready() {
    let t = app().await;
    t.state.ready.store(false, Ordering::SeqCst);
    assert_eq!(
        send(&t.router, get("/healthz")).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    t.state.ready.store(true, Ordering::SeqCst);
    assert_eq!(send(&t.router, get("/healthz")).await.0, StatusCode::OK);
}

fn looks_personal(page: &str) -> Option<String> {
    let chars: Vec<char> = page.chars().collect();
    // 11-digit mobile numbers and 18-character ID numbers, not part of a longer run (hashes).
    let mut run = String::new();
    for c in chars.iter().chain(std::iter::once(&' ')) {
        if c.is_ascii_alphanumeric() {
            run.push(*c);
        } else {
            let digits = run.chars().all(|d| d.is_ascii_digit());
            if (digits && run.len() == 11 && run.starts_with('1'))
                || (run.len() == 18 && run[..17].chars().all(|d| d.is_ascii_digit()))
            {
                return Some(run);
            }
            run.clear();
        }
    }
    page.contains("田小余").then(|| "田小余".to_string())
}

#[tokio::test]
async fn public_pages_are_public_and_carry_no_personal_data() {
    let t = app().await;
    for path in [
        "/",
        "/c/jinyang",
        "/c/chengdu",
        "/login",
        "/api/v1/jurisdictions",
        "/api/v1/jurisdictions/jinyang/rules",
    ] {
        let (status, headers, body) = send(&t.router, get(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(looks_personal(&body), None, "{path} shows personal data");
        assert_eq!(
            headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        assert!(headers.get(header::CONTENT_SECURITY_POLICY).is_some());
    }
    let (_, _, home) = send(&t.router, get("/")).await;
    assert!(
        home.contains("晋阳社区") && home.contains("记录链头"),
        "lists places with their chain head"
    );
    let (_, _, en) = send(
        &t.router,
        Request::get("/")
            .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(en.contains("Communities and their public record"));
    assert_eq!(
        send(&t.router, get("/c/nowhere")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn login_me_and_errors_in_both_languages() {
    let t = app().await;
    let cookie = login(&t, "staff").await;
    let (status, _, me) = send(
        &t.router,
        Request::get("/api/v1/me")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let me: Value = serde_json::from_str(&me).unwrap();
    assert_eq!(me["roles"][0]["role"], "staff");

    let (status, _, body) = send(&t.router, get("/api/v1/me")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"],
        "unauthenticated"
    );

    let bad = r#"{"identifier":"staff","password":"nope-nope-nope"}"#;
    let (status, _, zh) = send(
        &t.router,
        post_json("/api/v1/session", bad)
            .body(Body::from(bad))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let zh: Value = serde_json::from_str(&zh).unwrap();
    assert_eq!(zh["error"], "login_failed");
    assert!(zh["message"].as_str().unwrap().contains("密码错误"));
    assert!(zh["fields"]["password"].is_string());
    let (_, _, en) = send(
        &t.router,
        post_json("/api/v1/session", bad)
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::from(bad))
            .unwrap(),
    )
    .await;
    assert!(
        serde_json::from_str::<Value>(&en).unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("password is wrong")
    );
}

#[tokio::test]
async fn ten_wrong_passwords_in_a_row_pause_sign_in_with_a_clear_message() {
    let t = app().await;
    let bad = r#"{"identifier":"staff","password":"wrong-wrong"}"#;
    let mut last = (StatusCode::OK, String::new());
    for _ in 0..10 {
        let (s, _, b) = send(
            &t.router,
            post_json("/api/v1/session", bad)
                .header(header::ACCEPT_LANGUAGE, "en")
                .body(Body::from(bad))
                .unwrap(),
        )
        .await;
        last = (s, b);
    }
    assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS);
    let v: Value = serde_json::from_str(&last.1).unwrap();
    assert_eq!(v["error"], "login_locked");
    assert!(v["message"].as_str().unwrap().contains("15 minutes"), "{v}");
    // The right password is refused too while paused.
    let good = format!(r#"{{"identifier":"staff","password":"{PASSWORD}"}}"#);
    let (s, _, b) = send(
        &t.router,
        post_json("/api/v1/session", &good)
            .body(Body::from(good.clone()))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(b.contains("15 分钟"), "{b}");
}

#[tokio::test]
async fn malformed_bodies_get_specific_errors() {
    let t = app().await;
    let cookie = login(&t, "staff").await;
    let big = format!(
        r#"{{"community_id":"{}","name":"{}"}}"#,
        t.community,
        "x".repeat(300 * 1024)
    );
    let (s, _, b) = send(
        &t.router,
        post_json("/api/v1/residents", "")
            .header(header::COOKIE, &cookie)
            .body(Body::from(big))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["error"],
        "body_too_large"
    );

    let mut invalid = br#"{"community_id":""#.to_vec();
    invalid.extend_from_slice(b"\xff\xfe\"}");
    let (s, _, b) = send(
        &t.router,
        post_json("/api/v1/residents", "")
            .header(header::COOKIE, &cookie)
            .body(Body::from(invalid))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let code = serde_json::from_str::<Value>(&b).unwrap()["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(code == "body_invalid_utf8" || code == "body_invalid", "{b}");

    let (s, _, b) = send(
        &t.router,
        post_json("/api/v1/residents", "")
            .header(header::COOKIE, &cookie)
            .body(Body::from("{not json"))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["error"],
        "body_invalid"
    );

    let body = format!(
        r#"{{"community_id":"{}","name":"张三","phone":"123"}}"#,
        t.community
    );
    let (s, _, b) = send(
        &t.router,
        post_json("/api/v1/residents", "")
            .header(header::COOKIE, &cookie)
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["error"], "phone_invalid");
    assert!(v["fields"]["phone"].as_str().unwrap().contains("123"));
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let t = app().await;
    let cookie = login(&t, "staff").await;
    let body = format!(r#"{{"community_id":"{}","name":"张三"}}"#, t.community);
    let req = post_json("/api/v1/residents", "")
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::from(body.clone()))
        .unwrap();
    assert_eq!(send(&t.router, req).await.0, StatusCode::FORBIDDEN);
    let form = Request::post("/logout")
        .header("sec-fetch-site", "cross-site")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&t.router, form).await.0, StatusCode::FORBIDDEN);
    let same = post_json("/api/v1/residents", "")
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(&t.router, same).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn page_login_flow_and_home() {
    let t = app().await;
    let form = format!("identifier=staff&password={PASSWORD}");
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (s, h, _) = send(&t.router, req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h.get(header::LOCATION).unwrap(), "/home");
    let cookie = h
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (s, _, home) = send(
        &t.router,
        Request::get("/home")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        home.contains("社区工作人员")
            && home.contains("晋阳社区")
            && home.contains("/residents/jinyang"),
        "{home}"
    );
    let (s, _, residents) = send(
        &t.router,
        Request::get("/residents/jinyang")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        residents.contains("田小余"),
        "staff see the residents they are entitled to"
    );

    let bad = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("identifier=staff&password=x"))
        .unwrap();
    let (s, _, page) = send(&t.router, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("role=\"alert\"") && page.contains("value=\"staff\""),
        "the form comes back with the error and the identifier"
    );
    assert_eq!(send(&t.router, get("/home")).await.0, StatusCode::SEE_OTHER);

    let prefs = Request::post("/prefs")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("large=1&back=//evil.example"))
        .unwrap();
    let (s, h, _) = send(&t.router, prefs).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        h.get(header::LOCATION).unwrap(),
        "/",
        "never redirects off-site"
    );
    assert!(
        h.get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("gz_large=1")
    );
    let (_, _, large) = send(
        &t.router,
        Request::get("/")
            .header(header::COOKIE, "gz_large=1")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(large.contains("class=\"large\""));
}

/// The router and the OpenAPI document are built from one route table, checked both ways:
/// every documented route answers, and on every path the router knows, a method that is not
/// documented is refused (405): the router serves nothing the document does not list. Each
/// (method, path) and each operation appears once.
#[tokio::test]
async fn openapi_matches_the_router() {
    let t = app().await;
    let (s, _, doc) = send(&t.router, get("/api/v1/openapi.json")).await;
    assert_eq!(s, StatusCode::OK);
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let table: Vec<_> = gongzhi_web::api::all_routes().collect();
    let mut keys: Vec<_> = table.iter().map(|r| (r.method, r.path)).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), table.len(), "a (method, path) twice");
    let mut operations: Vec<_> = table.iter().map(|r| r.operation).collect();
    operations.sort_unstable();
    operations.dedup();
    assert_eq!(operations.len(), table.len(), "an operation twice");
    // Signed in, so that the guard which refuses a body from a visitor lets the request reach
    // the router.
    let cookie = login(&t, "staff").await;
    let documented_paths = doc["paths"].as_object().unwrap();
    assert_eq!(
        documented_paths.len(),
        table
            .iter()
            .map(|r| r.path)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        "the document has exactly the table's paths"
    );
    for (path, methods) in documented_paths {
        let concrete = format!(
            "/api/v1{}",
            path.replace("{code}", "jinyang")
                .replace("{id}", &t.community.to_string())
                .replace("{sha256}", "00")
                .replace("{objection_id}", &t.community.to_string())
                .replace("{seat_id}", &t.community.to_string())
        );
        for method in ["get", "post", "put", "patch", "delete"] {
            if methods.get(method).is_some() {
                continue;
            }
            let req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&concrete)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, &cookie)
                .body(Body::from("{}"))
                .unwrap();
            let (status, _, _) = send(&t.router, req).await;
            assert_eq!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is served but not documented"
            );
        }
    }
    for r in table {
        assert!(
            doc["paths"][r.path][r.method].is_object(),
            "{} {} documented",
            r.method,
            r.path
        );
        let path = format!(
            "/api/v1{}",
            r.path
                .replace("{code}", "jinyang")
                .replace("{id}", &t.community.to_string())
                .replace("{sha256}", "00")
                .replace("{objection_id}", &t.community.to_string())
                .replace("{seat_id}", &t.community.to_string())
        );
        let req = Request::builder()
            .method(r.method.to_uppercase().as_str())
            .uri(&path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let (status, _, body) = send(&t.router, req).await;
        // Our own 404 ("no such council") carries a JSON error; the router's carries nothing.
        let routed = status != StatusCode::METHOD_NOT_ALLOWED
            && (status != StatusCode::NOT_FOUND || body.contains("\"error\""));
        assert!(routed, "{} {path} answered {status}", r.method);
    }
}

/// Every error code the code base can produce has a message in both languages.
#[test]
fn every_error_code_is_translated() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ftl_en =
        std::fs::read_to_string(root.join("crates/gongzhi-web/locales/en/main.ftl")).unwrap();
    let ftl_zh =
        std::fs::read_to_string(root.join("crates/gongzhi-web/locales/zh-CN/main.ftl")).unwrap();
    let mut missing = Vec::new();
    let mut files = Vec::new();
    // Every source file, in subfolders too (ledger/, projects/, allocation/).
    let mut dirs: Vec<std::path::PathBuf> =
        ["gongzhi-domain", "gongzhi-app", "gongzhi-web", "gongzhi"]
            .iter()
            .map(|c| root.join("crates").join(c).join("src"))
            .collect();
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let patterns = [
        "DomainError::new(\"",
        "DomainError::field(\"",
        "invalid(\"",
        "fail(\"",
        "too_large(\"",
        "ApiError::new(StatusCode::",
    ];
    let mut seen = 0;
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(f).unwrap();
        for p in patterns {
            for part in text.split(p).skip(1) {
                let after = if p.starts_with("ApiError") {
                    part.split_once(", \"").map(|x| x.1).unwrap_or("")
                } else {
                    part
                };
                let code: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                    .collect();
                if code.is_empty() {
                    continue;
                }
                seen += 1;
                let line = format!("\n{code} = ");
                if !ftl_en.contains(&line) || !ftl_zh.contains(&line) {
                    missing.push(format!("{code} ({})", f.display()));
                }
            }
        }
    }
    // What duplicates mean (a race's loser reads it) and the fallback.
    for code in gongzhi_app::duplicate_codes() {
        let line = format!("\n{code} = ");
        if !ftl_en.contains(&line) || !ftl_zh.contains(&line) {
            missing.push(format!("{code} (schema::DUPLICATES)"));
        }
    }
    assert!(seen > 40, "the scan found the error codes ({seen})");
    assert!(missing.is_empty(), "untranslated error codes: {missing:?}");
}

#[tokio::test]
async fn uploads_strip_location_and_stay_in_their_community() {
    let t = app().await;
    let cookie = login(&t, "staff").await;
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x12];
    jpeg.extend_from_slice(b"Exif\0\0GPS30.65N\0");
    jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 1, 2, 0xAB, 0xFF, 0xD9]);
    let url = format!("/api/v1/communities/{}/uploads", t.community);
    let up = |body: Vec<u8>, cookie: &str| {
        Request::post(&url)
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .unwrap()
    };
    let (s, _, b) = send(&t.router, up(jpeg.clone(), &cookie)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["media_type"], "image/jpeg");
    let sha = v["sha256"].as_str().unwrap().to_string();
    // The same photo again is the same upload.
    let (_, _, b2) = send(&t.router, up(jpeg, &cookie)).await;
    assert_eq!(
        serde_json::from_str::<Value>(&b2).unwrap()["sha256"],
        sha.as_str()
    );
    let (s, h, body) = send(
        &t.router,
        Request::get(format!("{url}/{sha}"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "image/jpeg");
    assert!(
        !body.contains("GPS") && !body.contains("Exif"),
        "location data stripped"
    );
    // Not public.
    assert_eq!(
        send(&t.router, get(&format!("{url}/{sha}"))).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Wrong kinds and oversized files get specific errors.
    let (s, _, b) = send(&t.router, up(b"GIF89a....".to_vec(), &cookie)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["error"],
        "upload_type_unsupported"
    );
    let mut big = vec![0xFF, 0xD8, 0xFF];
    big.resize(11 * 1024 * 1024, 0);
    let (s, _, b) = send(&t.router, up(big, &cookie)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    // A phone photo of 6 MB fits.
    let mut photo = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0, 0xFF, 0xDA, 0x00, 0x02,
    ];
    photo.resize(6 * 1024 * 1024, 7);
    assert_eq!(
        send(&t.router, up(photo, &cookie)).await.0,
        StatusCode::CREATED
    );
    let report = gongzhi_app::verify::verify_database(&t.state.app.db)
        .await
        .unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

/// Every value of every reference list has a Chinese and an English label.
#[test]
fn reference_lists_have_both_labels() {
    use gongzhi_web::i18n::Lang;
    let mut keys: Vec<String> = Vec::new();
    keys.extend(
        gongzhi_domain::place::Level::ALL
            .iter()
            .map(|l| format!("level-{}", l.as_str())),
    );
    keys.extend(
        gongzhi_app::authz::ROLES
            .iter()
            .map(|(r, _)| format!("role-{r}")),
    );
    keys.extend(
        gongzhi_app::accounts::OFFICES
            .iter()
            .map(|o| format!("office-{o}")),
    );
    keys.extend(
        gongzhi_app::authz::CHANNELS
            .iter()
            .map(|c| format!("channel-{c}")),
    );
    for k in &keys {
        let (zh, en) = (Lang::Zh.t(k), Lang::En.t(k));
        assert!(zh != *k && en != *k && zh != en, "{k}: zh={zh} en={en}");
    }
    assert!(keys.len() > 25);
}

#[tokio::test]
async fn the_demo_clock_moves_only_for_an_administrator_and_only_when_manual() {
    let t = app().await;
    let before = t.state.app.now();
    let body = r#"{"seconds":86400}"#;
    let staff = login(&t, "staff").await;
    let req = |cookie: &str| {
        post_json("/api/v1/admin/clock", body)
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(send(&t.router, req(&staff)).await.0, StatusCode::FORBIDDEN);
    let admin = login(&t, "admin").await;
    let (s, _, b) = send(&t.router, req(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(t.state.app.now().micros() - before.micros(), 86_400_000_000);

    // A server on the system clock (what `serve` runs) refuses.
    let real = AppState::new(
        App::new(
            t.state.app.db.clone(),
            Arc::new(gongzhi_app::SystemClock),
            (*t.state.app.settings).clone(),
        ),
        "http://127.0.0.1:8080".into(),
    );
    real.ready.store(true, Ordering::SeqCst);
    let router = gongzhi_web::router(real);
    // Signed in on that server: a session from the manual clock's day may have ended by now.
    let admin = login_at(&router, "admin").await;
    let (s, _, b) = send(&router, req(&admin)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        serde_json::from_str::<Value>(&b).unwrap()["error"],
        "clock_not_manual"
    );
}

/// The fund API: a retry with the same transfer id posts once; an amount with three decimals is
/// refused on its field in the request's language; donors are masked on the public fund.
#[tokio::test]
async fn money_api_is_idempotent_validates_amounts_and_masks_donors() {
    let t = app().await;
    let cookie = login(&t, "staff").await;
    let call = |method: &str, path: &str, body: String, lang: &str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, &cookie)
            .header(header::ACCEPT_LANGUAGE, lang)
            .body(Body::from(body))
            .unwrap()
    };
    let body = format!(
        r#"{{"community_id":"{}","programme":"base","year":2026,"name_zh":"晋阳社区保障资金2026"}}"#,
        t.community
    );
    let (status, _, text) = send(&t.router, call("POST", "/api/v1/funds", body, "zh-CN")).await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let fund = serde_json::from_str::<Value>(&text).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let receipt = |amount: &str| {
        format!(
            r#"{{"id":"0190f3a0-0000-7000-8000-00000000aa01","source":"city","amount":"{amount}","code":"allocation","memo":"拨付"}}"#
        )
    };
    let path = format!("/api/v1/funds/{fund}/receipts");
    let (status, _, first) =
        send(&t.router, call("POST", &path, receipt("1,000.50"), "zh-CN")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, _, again) =
        send(&t.router, call("POST", &path, receipt("1,000.50"), "zh-CN")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let first: Value = serde_json::from_str(&first).unwrap();
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(first["transfer_id"], again["transfer_id"]);
    assert_eq!(again["created"], false);
    let (status, _, text) = send(&t.router, call("POST", &path, receipt("1.234"), "zh-CN")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let e: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(e["error"], "money_invalid");
    assert!(e["fields"]["amount"].is_string(), "{text}");
    assert!(
        e["message"].as_str().unwrap().contains("两位小数"),
        "{text}"
    );
    let (_, _, text) = send(&t.router, call("POST", &path, receipt("1.234"), "en")).await;
    assert!(text.contains("two decimals"), "{text}");

    let donation = r#"{"donor_name":"田小余","amount":"603"}"#.to_string();
    let (status, _, text) = send(
        &t.router,
        call(
            "POST",
            &format!("/api/v1/funds/{fund}/donations"),
            donation,
            "zh-CN",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    // Public: no cookie.
    let (status, _, text) = send(&t.router, get(&format!("/api/v1/funds/{fund}"))).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("田*余") && !text.contains("田小余"), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["balance"]["available"]["fen"], 1_000_50 + 603_00);
    let (status, _, text) = send(&t.router, get("/api/v1/communities/jinyang/funds")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("晋阳社区保障资金2026"), "{text}");
    // Without a session, money cannot move.
    let (status, _, _) = send(
        &t.router,
        Request::post(&path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(receipt("5")))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A page is framed at the address asked for (query included): after a preference change the
/// visitor comes back to the same list (`PageContext`).
#[tokio::test]
async fn a_page_returns_to_the_address_asked_for() {
    let t = app().await;
    let (s, _, page) = send(&t.router, get("/c/jinyang/notices?page=2")).await;
    assert_eq!(s, StatusCode::OK);
    let back = |page: &str| {
        let at = page.find("name=\"back\" value=\"").expect("a back field") + 19;
        page[at..at + page[at..].find('"').unwrap()]
            .replace("&#x2f;", "/")
            .replace("&#x3d;", "=")
            .replace("&#61;", "=")
    };
    assert_eq!(back(&page), "/c/jinyang/notices?page=2");
    let (_, _, other) = send(&t.router, get("/c/jinyang/notices")).await;
    assert_eq!(back(&other), "/c/jinyang/notices");
}

/// Pages name their style sheet, script and icon by a version of their content, so a phone keeps
/// them for a year; pages and files travel gzip-compressed to a browser that accepts it.
#[tokio::test]
async fn static_files_are_versioned_cached_and_compressed() {
    let t = app().await;
    let (_, _, page) = send(&t.router, get("/")).await;
    let at = page
        .find("/static/app.css?v=")
        .expect("a versioned style sheet")
        + 18;
    let version: String = page[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(version.len(), 12, "{version}");
    assert!(page.contains(&format!("/static/favicon.svg?v={version}")));
    for path in [
        "/static/app.css",
        "/static/drafts.js",
        "/static/favicon.svg",
    ] {
        let (s, h, _) = send(&t.router, get(&format!("{path}?v={version}"))).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(
            h.get(header::CACHE_CONTROL)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("immutable"),
            "{path}"
        );
    }
    let req = Request::get("/c/jinyang")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let resp = t.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get(header::CONTENT_ENCODING).unwrap(),
        "gzip"
    );
    let plain = send(&t.router, get("/c/jinyang")).await.2;
    let zipped = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(
        zipped.len() * 4 < plain.len() * 3,
        "{} bytes gzipped of {}",
        zipped.len(),
        plain.len()
    );
}

/// The rulebook page says each rule in plain words where it can ("7 个自然日", "在任成员的 2/3
/// 以上"), with the exact stored value behind a fold, in both languages.
#[tokio::test]
async fn the_rulebook_is_said_in_plain_words() {
    let t = app().await;
    let (s, _, zh) = send(&t.router, get("/c/jinyang/rules")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(zh.contains("7 个自然日"), "{zh}");
    assert!(zh.contains("在任成员的 2/3 以上"), "{zh}");
    assert!(
        zh.contains("<details><summary>具体取值</summary><code>"),
        "{zh}"
    );
    let req = Request::get("/c/jinyang/rules")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(Body::empty())
        .unwrap();
    let en = send(&t.router, req).await.2;
    assert!(en.contains("7 calendar days"), "{en}");
    assert!(en.contains("At least 2/3 of all seated members"), "{en}");
}
