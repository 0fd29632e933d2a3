//! The core loop through the HTTP API: the 北苑 story from a resident's need to a closed-out,
//! rated project (seed 002), every step's page rendered; and what must be refused on the way.
//! People, places and councils are set up through the app layer (that is not the story); every
//! step of the story itself is an HTTP request.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gongzhi_app::accounts::{self, NewAccount};
use gongzhi_app::authz::Actor;
use gongzhi_app::councils::{self, NewCouncil};
use gongzhi_app::people::{self, NewResident};
use gongzhi_app::places::{self, NewJurisdiction};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{PASSWORD, T, app, login, send};

/// A one-page PDF standing in for quotes, contracts and invoices.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

pub(super) struct Beiyuan {
    pub(super) t: T,
    pub(super) beiyuan: Uuid,
    pub(super) group_council: Uuid,
    pub(super) group_seats: Vec<Uuid>,
    community_council: Uuid,
    community_seats: Vec<Uuid>,
    households: Vec<Uuid>,
    fund: Uuid,
}

async fn admin(t: &T) -> Actor {
    let mut tx = t.state.app.db.read().await.unwrap();
    let a = Actor::load(&mut tx, t.admin).await.unwrap();
    tx.rollback().await.unwrap();
    a
}

async fn account(t: &T, by: &Actor, at: Uuid, role: &str, username: &str) -> Uuid {
    accounts::create_account(
        &t.state.app,
        by,
        at,
        role,
        &NewAccount {
            username: Some(username),
            phone: None,
            display_name: username,
            password: PASSWORD,
            locale: "zh-CN",
        },
    )
    .await
    .unwrap()
}

/// 晋阳 → 第三居民小组 → 北苑 with 5 households; 北苑's group council of 5 and its supervisory
/// board (田大山 signs in as `supervisor`); 晋阳's council of 37; a director and an accountant;
/// a resident of 北苑 who signs in (`tian`) and one of another courtyard (`other`); a fund with
/// 250,000 yuan.
pub(super) async fn beiyuan() -> Beiyuan {
    let t = app().await;
    let app = &t.state.app;
    let admin = admin(&t).await;
    let c = t.community;
    let mk = |parent, level: &'static str, code: &'static str, zh: &'static str| NewJurisdiction {
        parent_id: Some(parent),
        level,
        code,
        name_zh: zh,
        name_en: code,
    };
    let group = places::create_jurisdiction(
        app,
        &admin,
        &mk(c, "resident_group", "group-3", "第三居民小组"),
    )
    .await
    .unwrap();
    let beiyuan =
        places::create_jurisdiction(app, &admin, &mk(group, "courtyard", "beiyuan", "北苑小区"))
            .await
            .unwrap();
    let yuanxi =
        places::create_jurisdiction(app, &admin, &mk(c, "courtyard", "yuanxi", "苑西小区"))
            .await
            .unwrap();
    let building = places::create_building(app, &admin, beiyuan, "1栋")
        .await
        .unwrap();
    let mut households = Vec::new();
    for room in ["101", "102", "201", "202", "301"] {
        households.push(
            places::create_household(app, &admin, c, building, "1", room)
                .await
                .unwrap(),
        );
    }
    let resident = |name: &str, courtyard: Uuid, account: Option<Uuid>| NewResident {
        name: name.to_string(),
        courtyard_id: Some(courtyard),
        account_id: account,
        ..Default::default()
    };
    let council = |at: Uuid, kind: &'static str, zh: &'static str| NewCouncil {
        jurisdiction_id: at,
        kind,
        name_zh: zh,
        name_en: "",
        short_name: zh,
    };
    let group_council =
        councils::create_council(app, &admin, &council(beiyuan, "council", "北苑小区议事会"))
            .await
            .unwrap();
    let mut group_seats = Vec::new();
    for (i, name) in ["田小余", "李秀兰", "张志明", "刘玉梅", "陈建华"]
        .iter()
        .enumerate()
    {
        let account = if i == 0 {
            Some(account(&t, &admin, beiyuan, "resident", "tian").await)
        } else {
            None
        };
        let r = people::register_resident(app, &admin, c, &resident(name, beiyuan, account))
            .await
            .unwrap();
        group_seats.push(
            councils::seat_member(
                app,
                &admin,
                group_council,
                r,
                if i == 0 { "chair" } else { "member" },
                "2026-01-01",
                None,
            )
            .await
            .unwrap(),
        );
    }
    let board = councils::create_council(
        app,
        &admin,
        &council(beiyuan, "supervisory_board", "北苑小区监事会"),
    )
    .await
    .unwrap();
    let supervisor = account(&t, &admin, beiyuan, "resident", "supervisor").await;
    let r = people::register_resident(
        app,
        &admin,
        c,
        &resident("田大山", beiyuan, Some(supervisor)),
    )
    .await
    .unwrap();
    councils::seat_member(app, &admin, board, r, "member", "2026-01-01", None)
        .await
        .unwrap();
    let other = account(&t, &admin, yuanxi, "resident", "other").await;
    people::register_resident(app, &admin, c, &resident("苑西居民", yuanxi, Some(other)))
        .await
        .unwrap();
    let community_council =
        councils::create_council(app, &admin, &council(c, "council", "晋阳社区议事会"))
            .await
            .unwrap();
    let mut community_seats = Vec::new();
    for i in 0..37 {
        let r = people::register_resident(
            app,
            &admin,
            c,
            &resident(&format!("社区议事{i}"), yuanxi, None),
        )
        .await
        .unwrap();
        community_seats.push(
            councils::seat_member(
                app,
                &admin,
                community_council,
                r,
                "member",
                "2026-01-01",
                None,
            )
            .await
            .unwrap(),
        );
    }
    for (username, office) in [
        ("director", "committee_director"),
        ("accountant", "accountant"),
    ] {
        let a = account(&t, &admin, c, "staff", username).await;
        accounts::assign_office(app, &admin, c, office, a, "2026-11-22", None)
            .await
            .unwrap();
    }
    let fund = gongzhi_app::ledger::create_fund(
        app,
        &admin,
        &gongzhi_app::ledger::NewFund {
            community_id: c,
            programme: "base",
            year: 2026,
            name_zh: "晋阳社区保障资金2026",
            name_en: "Jinyang base fund 2026",
            custodian: None,
        },
    )
    .await
    .unwrap();
    gongzhi_app::ledger::receive(
        app,
        &admin,
        &gongzhi_app::ledger::Receipt {
            id: None,
            fund_id: fund,
            source: "city",
            amount: 250_000_00,
            code: "allocation",
            memo: "2026年度保障资金",
        },
    )
    .await
    .unwrap();
    Beiyuan {
        t,
        beiyuan,
        group_council,
        group_seats,
        community_council,
        community_seats,
        households,
        fund,
    }
}

/// A signed-in client: JSON calls and page loads with its cookie. When the clock has moved past
/// the session's end, it signs in again, as a person would.
pub(super) struct Client<'a> {
    t: &'a T,
    who: String,
    pub(super) cookie: std::cell::RefCell<String>,
}

impl Client<'_> {
    pub(super) async fn call(&self, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
        for _ in 0..2 {
            let cookie = self.cookie.borrow().clone();
            let req = Request::builder()
                .method(method)
                .uri(format!("/api/v1{path}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, cookie)
                .header(header::ACCEPT_LANGUAGE, "zh-CN")
                .body(Body::from(body.to_string()))
                .unwrap();
            let (status, _, text) = send(&self.t.router, req).await;
            if status == StatusCode::UNAUTHORIZED && !self.who.is_empty() {
                let fresh = login(self.t, &self.who).await;
                *self.cookie.borrow_mut() = fresh;
                continue;
            }
            return (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            );
        }
        panic!("{} cannot sign in", self.who)
    }
    pub(super) async fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, v) = self.call(method, path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {v}");
        v
    }
    pub(super) async fn refused(&self, method: &str, path: &str, body: Value) -> String {
        let (status, v) = self.call(method, path, body).await;
        assert!(
            status.is_client_error(),
            "{method} {path} should be refused: {status} {v}"
        );
        v["error"].as_str().unwrap_or("").to_string()
    }
    pub(super) async fn page(&self, path: &str) -> String {
        let cookie = self.cookie.borrow().clone();
        let req = Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let (status, _, text) = send(&self.t.router, req).await;
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        text
    }
    async fn upload(&self, community: Uuid) -> String {
        let cookie = self.cookie.borrow().clone();
        let req = Request::post(format!("/api/v1/communities/{community}/uploads"))
            .header(header::COOKIE, cookie)
            .body(Body::from(PDF.to_vec()))
            .unwrap();
        let (status, _, text) = send(&self.t.router, req).await;
        assert!(status.is_success(), "{text}");
        serde_json::from_str::<Value>(&text).unwrap()["sha256"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

pub(super) async fn client<'a>(t: &'a T, who: &str) -> Client<'a> {
    Client {
        t,
        who: who.to_string(),
        cookie: std::cell::RefCell::new(login(t, who).await),
    }
}

pub(super) fn anonymous(t: &T) -> Client<'_> {
    Client {
        t,
        who: String::new(),
        cookie: std::cell::RefCell::new(String::new()),
    }
}

fn id(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .to_string()
}

/// Puts the project to a council: table it at a new meeting, everyone present, `yes` of the
/// seats vote yes and the rest no, close. Returns the resolution's id.
async fn council_votes(
    staff: &Client<'_>,
    project: &str,
    council: Uuid,
    seats: &[Uuid],
    yes: usize,
) -> String {
    let meeting = id(
        &staff
            .ok(
                "POST",
                &format!("/councils/{council}/meetings"),
                json!({"title": "例会", "scheduled_for": "2026-11-22 19:00"}),
            )
            .await,
        "id",
    );
    let motion = id(
        &staff
            .ok(
                "POST",
                &format!("/projects/{project}/table"),
                json!({"meeting_id": meeting}),
            )
            .await,
        "motion_id",
    );
    for s in seats {
        staff
            .ok(
                "POST",
                &format!("/meetings/{meeting}/attendance"),
                json!({"seat_id": s, "present": true}),
            )
            .await;
    }
    for (i, s) in seats.iter().enumerate() {
        let choice = if i < yes { "yes" } else { "no" };
        staff
            .ok(
                "POST",
                &format!("/motions/{motion}/votes"),
                json!({"seat_id": s, "choice": choice}),
            )
            .await;
    }
    let closed = staff
        .ok("POST", &format!("/motions/{motion}/close"), json!({}))
        .await;
    closed["resolution"]["id"]
        .as_str()
        .or_else(|| closed["resolution_id"].as_str())
        .unwrap_or_else(|| panic!("no resolution: {closed}"))
        .to_string()
}

async fn advance_days(b: &Beiyuan, days: i64) {
    let admin = client(&b.t, "admin").await;
    admin
        .ok("POST", "/admin/clock", json!({"seconds": days * 86_400}))
        .await;
}

/// Completes a step over the API, then checks the project's page renders with that step done.
async fn step(staff: &Client<'_>, project: &str, step: &str, body: Value) -> Value {
    let answer = staff
        .ok("POST", &format!("/projects/{project}/steps/{step}"), body)
        .await;
    let story = staff
        .ok("GET", &format!("/projects/{project}"), json!({}))
        .await;
    let state = story["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == step)
        .map(|s| s["state"].as_str().unwrap().to_string());
    assert!(
        matches!(state.as_deref(), Some("done" | "declined")),
        "{step} is done: {state:?}"
    );
    let page = staff.page(&format!("/p/{project}")).await;
    assert!(
        page.contains("已完成"),
        "the project page renders after {step}"
    );
    answer
}

#[tokio::test]
async fn the_beiyuan_story_end_to_end_over_http() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let tian = client(t, "tian").await;
    let public = anonymous(t);

    // 1. A need heard at the yard meeting, entered by staff; another raised online by 田小余.
    let need = staff
        .ok(
            "POST",
            "/needs",
            json!({"place_id": b.beiyuan, "category": "environment", "channel": "yard_meeting",
            "title": "后门常坏，消防通道被占，围墙易攀爬", "body": "坝坝会上多户反映"}),
        )
        .await;
    let own = tian
        .ok(
            "POST",
            "/needs",
            json!({"place_id": b.beiyuan, "category": "environment", "title": "院里路灯不亮"}),
        )
        .await;
    let mine = tian.ok("GET", "/me/needs", json!({})).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine[0]["channel"], "online");
    assert!(tian.page("/my/needs").await.contains("院里路灯不亮"));
    let ledger = staff.page("/c/jinyang/needs").await;
    assert!(
        ledger.contains("后门常坏") && ledger.contains("院里路灯不亮"),
        "needs page lists both"
    );

    // 2. The proposal: 36,000 = 18,000 fund + 18,000 self-raised.
    let project = id(
        &staff
            .ok("POST", "/projects", json!({
                "place_id": b.beiyuan, "title": "北苑院落改造：后门、消防通道、围墙防攀爬",
                "scope": "维修后门，清理消防通道，围墙加装防攀爬设施，更换路灯", "category": "environment",
                "total": "36,000", "fund": "18,000", "cofunding": "18,000",
                "cofunding_source": "5 户居民各自筹 3,600 元", "opinions": "业主一致同意",
                "implementer_plan": "quotes", "needs": [need["id"], own["id"]]}))
            .await,
        "id",
    );
    // A project cannot skip a step.
    let e = staff
        .refused(
            "POST",
            &format!("/projects/{project}/steps/roadshow"),
            json!({}),
        )
        .await;
    assert_eq!(e, "project_step_out_of_order");
    step(
        &staff,
        &project,
        "screening",
        json!({"note": "符合优先保障清单：环境整治"}),
    )
    .await;

    // 3. The group council votes (4 of 5), the resolution is posted for a week.
    let group_res = council_votes(&staff, &project, b.group_council, &b.group_seats, 4).await;
    let e = staff
        .refused(
            "POST",
            &format!("/projects/{project}/steps/group_resolution"),
            json!({"resolution_id": group_res}),
        )
        .await;
    assert_eq!(
        e, "project_resolution_not_in_force",
        "the notice is still running"
    );
    advance_days(&b, 10).await;
    step(
        &staff,
        &project,
        "group_resolution",
        json!({"resolution_id": group_res}),
    )
    .await;

    // 4. The community council's roadshow: 25 of 37 (at least 2/3 of all seated).
    let roadshow = council_votes(
        &staff,
        &project,
        b.community_council,
        &b.community_seats,
        25,
    )
    .await;
    step(
        &staff,
        &project,
        "roadshow",
        json!({"resolution_id": roadshow}),
    )
    .await;

    // 5. Allocation: one project, the fund holds enough.
    let round = staff
        .ok(
            "POST",
            &format!("/funds/{}/rounds", b.fund),
            json!({"projects": [project]}),
        )
        .await;
    assert_eq!(round["lines"][0]["funded"], true, "{round}");
    let story = public
        .ok("GET", &format!("/projects/{project}"), json!({}))
        .await;
    let budget = story["budget"]["id"].as_str().unwrap().to_string();
    assert_eq!(story["budget"]["reserved"]["fen"], 18_000_00);
    for h in &b.households {
        staff
            .ok(
                "POST",
                &format!("/budgets/{budget}/pledges"),
                json!({"household_id": h, "amount": "3,600"}),
            )
            .await;
        staff
            .ok(
                "POST",
                &format!("/budgets/{budget}/cofunding"),
                json!({"household_id": h, "amount": "3,600"}),
            )
            .await;
    }

    // 6. Three quotes compared; the cheapest is chosen and the contract signed.
    let mut quotes = Vec::new();
    for (supplier, amount) in [
        ("成都锦城建筑工程有限公司", "34,500"),
        ("四川安居装饰公司", "37,800"),
        ("武侯区某物业维修队", "39,000"),
    ] {
        let sha = staff.upload(t.community).await;
        quotes.push(id(
            &staff
                .ok(
                    "POST",
                    &format!("/projects/{project}/quotes"),
                    json!({"supplier": supplier, "amount": amount, "document_sha256": sha}),
                )
                .await,
            "id",
        ));
        if quotes.len() == 2 {
            let e = staff
                .refused(
                    "POST",
                    &format!("/projects/{project}/steps/implementer"),
                    json!({"mode": "quotes", "quote_id": quotes[0]}),
                )
                .await;
            assert_eq!(e, "project_quotes_too_few");
        }
    }
    let contract = staff.upload(t.community).await;
    step(
        &staff,
        &project,
        "implementer",
        json!({"mode": "quotes", "quote_id": quotes[0], "contract_sha256": contract}),
    )
    .await;
    let story = public
        .ok("GET", &format!("/projects/{project}"), json!({}))
        .await;
    assert_eq!(story["contract"]["contractor"], "成都锦城建筑工程有限公司");
    assert_eq!(story["contract"]["amount"]["fen"], 34_500_00);

    // 7. Works with progress; two expenses signed off by the supervisor, director, accountant.
    staff
        .ok(
            "POST",
            &format!("/projects/{project}/updates"),
            json!({"body": "后门已更换，围墙防攀爬设施完工"}),
        )
        .await;
    // The API names the contractor's payee account: no second registration of the contractor.
    let contractor_payee = id(
        &public
            .ok("GET", &format!("/projects/{project}"), json!({}))
            .await,
        "payee_id",
    );
    let signers = [
        client(t, "supervisor").await,
        client(t, "director").await,
        client(t, "accountant").await,
    ];
    for (amount, what) in [("20,000", "首期款"), ("14,500", "尾款")] {
        let invoice = staff.upload(t.community).await;
        let e = id(
            &staff
                .ok(
                    "POST",
                    "/expenses",
                    json!({"budget_id": budget, "payee_id": contractor_payee, "amount": amount,
                    "description": what, "document_sha256": invoice}),
                )
                .await,
            "id",
        );
        for s in &signers {
            s.ok(
                "POST",
                &format!("/expenses/{e}/sign"),
                json!({"decision": "sign"}),
            )
            .await;
        }
        assert!(public.page(&format!("/expense/{e}")).await.contains(what));
    }
    step(&staff, &project, "implementation", json!({"note": "完工"})).await;

    // 8. Acceptance by council members, a supervisor and resident representatives.
    let e = staff
        .refused(
            "POST",
            &format!("/projects/{project}/steps/acceptance"),
            json!({"panel": [{"name": "田大山", "role": "supervisor"}], "passed": true}),
        )
        .await;
    assert_eq!(e, "panel_incomplete");
    step(
        &staff,
        &project,
        "acceptance",
        json!({"panel": [
        {"name": "田小余", "role": "council_member"}, {"name": "田大山", "role": "supervisor"},
        {"name": "李秀兰", "role": "resident_rep"}], "passed": true, "note": "验收合格"}),
    )
    .await;

    // 9. Close-out: 36,000 in, 34,500 spent, 1,500 back to the fund.
    let fund_before = public
        .ok("GET", &format!("/funds/{}", b.fund), json!({}))
        .await;
    step(&staff, &project, "close_out", json!({})).await;
    let fund_after = public
        .ok("GET", &format!("/funds/{}", b.fund), json!({}))
        .await;
    let avail = |f: &Value| f["balance"]["available"]["fen"].as_i64().unwrap();
    assert_eq!(avail(&fund_after) - avail(&fund_before), 1_500_00);
    let story = public
        .ok("GET", &format!("/projects/{project}"), json!({}))
        .await;
    assert_eq!(story["budget"]["released"]["fen"], 1_500_00);
    step(
        &staff,
        &project,
        "disclosure",
        json!({"note": "账目已在院落公示栏公开"}),
    )
    .await;

    // 10. Rating: residents of 北苑 only, once, within the window.
    let other = client(t, "other").await;
    let e = other
        .refused(
            "POST",
            &format!("/projects/{project}/ratings"),
            json!({"score": 5}),
        )
        .await;
    assert_eq!(e, "rating_not_resident_here");
    tian.ok(
        "POST",
        &format!("/projects/{project}/ratings"),
        json!({"score": 5, "comment": "后门修好了，晚上安心。有事找我 139 1234 5678"}),
    )
    .await;
    // Her words wait for staff before anyone else reads them; she cannot publish them herself.
    let before = public
        .ok("GET", &format!("/projects/{project}"), json!({}))
        .await;
    assert_eq!(before["rating"]["count"], 1);
    assert_eq!(before["rating"]["comments"], json!([]));
    let awaiting = staff
        .ok(
            "GET",
            &format!("/projects/{project}/ratings/awaiting"),
            json!({}),
        )
        .await;
    // On the project's page only staff see her words, in the section awaiting their review.
    let words = "后门修好了，晚上安心";
    let staff_view = staff.page(&format!("/p/{project}")).await;
    assert!(staff_view.contains("待审核的居民留言") && staff_view.contains(words));
    for who in [&public, &tian] {
        assert!(!who.page(&format!("/p/{project}")).await.contains(words));
    }
    let resident = id(&awaiting[0], "resident_id");
    let review = format!("/projects/{project}/ratings/{resident}/review");
    assert_eq!(
        tian.refused("POST", &review, json!({"publish": true}))
            .await,
        "forbidden"
    );
    staff.ok("POST", &review, json!({"publish": true})).await;
    assert!(
        !staff
            .page(&format!("/p/{project}"))
            .await
            .contains("待审核的居民留言")
    );
    assert_eq!(
        staff
            .refused("POST", &review, json!({"publish": false}))
            .await,
        "comment_already_reviewed"
    );
    let after = public
        .ok("GET", &format!("/projects/{project}"), json!({}))
        .await;
    assert_eq!(
        after["rating"]["comments"],
        json!(["后门修好了，晚上安心。有事找我 ***"]),
        "published with the phone number redacted"
    );
    let e = tian
        .refused(
            "POST",
            &format!("/projects/{project}/ratings"),
            json!({"score": 4}),
        )
        .await;
    assert_eq!(e, "rating_already_given");
    advance_days(&b, 31).await;
    let e = tian
        .refused(
            "POST",
            &format!("/projects/{project}/ratings"),
            json!({"score": 4}),
        )
        .await;
    assert_eq!(e, "rating_window_closed");

    // The whole story on one public page, with no personal data.
    let story = public
        .ok("GET", &format!("/projects/{project}"), json!({}))
        .await;
    let states: Vec<&str> = story["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["done"; 10], "{}", story["steps"]);
    assert_eq!(story["status"], "done", "the rating window has closed");
    assert_eq!(story["rating"]["count"], 1);
    assert_eq!(story["needs"].as_array().unwrap().len(), 2);
    assert!(
        story["needs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "resolved")
    );
    assert_eq!(story["decisions"].as_array().unwrap().len(), 2);
    // Each decision carries its own council's votes (read for all motions at once).
    assert_eq!(story["decisions"][0]["votes"].as_array().unwrap().len(), 5);
    assert_eq!(story["decisions"][1]["votes"].as_array().unwrap().len(), 37);
    assert_ne!(
        story["decisions"][0]["council"],
        story["decisions"][1]["council"]
    );
    assert_eq!(story["payments"].as_array().unwrap().len(), 2);
    let page = public.page(&format!("/p/{project}")).await;
    for expected in [
        "北苑院落改造",
        "成都锦城建筑工程有限公司",
        "田小余",
        "验收合格",
        "后门修好了",
    ] {
        assert!(page.contains(expected), "project page shows {expected}");
    }
    assert!(
        !page.contains("坝坝会上多户反映"),
        "what residents wrote stays off the public page"
    );
    // 田小余 chairs the group council, so she is named as an office-holder; no phone or ID
    // number may appear.
    assert!(
        matches!(
            super::looks_personal(&page).as_deref(),
            None | Some("田小余")
        ),
        "{:?}",
        super::looks_personal(&page)
    );
    assert!(
        public
            .page("/c/jinyang/projects")
            .await
            .contains("北苑院落改造")
    );
    let staff_view = staff.page(&format!("/p/{project}")).await;
    assert!(staff_view.contains("满意度"));

    // The portal: the community's front page leads to the project, the notices and their feed.
    let front = public.page("/c/jinyang").await;
    assert!(
        front.contains(&format!("/p/{project}")) && front.contains("/c/jinyang/notices.atom"),
        "{front}"
    );
    // Search finds a title by any part of it (Chinese has no spaces), every term must occur,
    // and a search too long is refused next to its field, in the visitor's language.
    let found = public.page("/c/jinyang/search?q=%E5%9B%B4%E5%A2%99").await; // 围墙
    assert!(found.contains(&format!("/p/{project}")), "{found}");
    let none = public
        .page("/c/jinyang/search?q=%E5%9B%B4%E5%A2%99+%E6%B8%B8%E6%B3%B3%E6%B1%A0") // 围墙 游泳池
        .await;
    assert!(!none.contains(&format!("/p/{project}")) && none.contains("没有找到"));
    let (status, _, refused) = send(
        &t.router,
        Request::get(format!("/c/jinyang/search?q={}", "x".repeat(61)))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("最多 60 个字") && refused.contains("aria-invalid"));
    let resolution = story["decisions"][0]["resolution"]["label"]
        .as_str()
        .unwrap()
        .to_string();
    let found = public
        .page(&format!(
            "/c/jinyang/search?q={}",
            resolution
                .replace('〔', "%E3%80%94")
                .replace('〕', "%E3%80%95")
        ))
        .await;
    assert!(found.contains(&resolution), "{resolution}: {found}");
    // The Atom feed is well-formed XML with one entry a resolution, each linking to its page.
    let feed = public.page("/c/jinyang/notices.atom").await;
    let entries = atom_entries(&feed);
    assert_eq!(entries.len(), 2, "{feed}");
    assert!(entries.iter().any(|(title, _)| title.contains(&resolution)));
    assert!(entries.iter().all(|(_, href)| href.contains("/r/")));
}

/// (title, link) of every entry of an Atom feed, read by a real XML parser (which refuses a
/// document that is not well-formed).
fn atom_entries(xml: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut out, mut path, mut entry) =
        (Vec::new(), Vec::<String>::new(), None::<(String, String)>);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if name == "entry" {
                    entry = Some(Default::default());
                }
                path.push(name);
            }
            Event::Empty(e) if e.name().as_ref() == "link" => {
                if let Some(en) = entry.as_mut() {
                    let href = e.try_get_attribute("href").unwrap().unwrap();
                    en.1 = href.value.to_string();
                }
            }
            Event::Text(t) if path.last().is_some_and(|p| p == "title") => {
                if let Some(en) = entry.as_mut() {
                    en.0.push_str(&t.xml10_content());
                }
            }
            Event::End(e) => {
                path.pop();
                if e.name().as_ref() == "entry" {
                    out.extend(entry.take());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(path.is_empty(), "every element closed");
    out
}

#[tokio::test]
async fn prohibited_items_bad_splits_and_places_are_refused_with_nothing_stored() {
    let b = beiyuan().await;
    let staff = client(&b.t, "staff").await;
    let (status, v) = staff
        .call("POST", "/projects", json!({"place_id": b.beiyuan, "title": "补交物业费", "scope": "用资金代缴院落拖欠的物业费",
            "category": "environment", "total": "5,000", "fund": "5,000", "implementer_plan": "self"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"], "project_prohibited");
    assert!(v["message"].as_str().unwrap().contains("物业"), "{v}");
    let (_, v) = staff
        .call(
            "POST",
            "/projects",
            json!({"place_id": b.beiyuan, "title": "院落绿化", "scope": "补种",
            "category": "environment", "total": "36,000", "fund": "18,000", "cofunding": "17,000",
            "cofunding_source": "住户", "implementer_plan": "self"}),
        )
        .await;
    assert_eq!(v["error"], "funding_split_mismatch");
    let e = staff
        .refused(
            "POST",
            "/needs",
            json!({"category": "environment", "channel": "phone", "title": "没有地点的需求"}),
        )
        .await;
    assert_eq!(e, "need_place_missing");
    let list = staff
        .ok(
            "GET",
            &format!("/communities/{}/needs", b.t.community),
            json!({}),
        )
        .await;
    assert!(list["needs"].as_array().unwrap().is_empty());
    assert!(
        public_projects(&b).await.is_empty(),
        "no refused proposal was stored"
    );
}

async fn public_projects(b: &Beiyuan) -> Vec<Value> {
    let c = anonymous(&b.t);
    c.ok("GET", "/communities/jinyang/projects", json!({}))
        .await
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn an_oversubscribed_round_funds_by_votes_and_says_why() {
    let b = beiyuan().await;
    let staff = client(&b.t, "staff").await;
    // A small fund: 30,000.
    let fund = id(
        &staff
            .ok("POST", "/funds", json!({"community_id": b.t.community, "programme": "incentive", "year": 2026, "name_zh": "激励资金"}))
            .await,
        "id",
    );
    staff
        .ok(
            "POST",
            &format!("/funds/{fund}/receipts"),
            json!({"source": "district", "amount": "30,000", "code": "allocation", "memo": "激励"}),
        )
        .await;
    let mut projects = Vec::new();
    for (title, cost, yes) in [
        ("儿童暑期托管班", "20,000", 30),
        ("亲子厨房", "15,000", 34),
        ("院落书屋", "8,000", 26),
    ] {
        let p = id(
            &staff
                .ok("POST", "/projects", json!({"place_id": b.beiyuan, "title": title, "scope": title,
                    "category": "community_building", "total": cost, "fund": cost, "implementer_plan": "self"}))
                .await,
            "id",
        );
        step(&staff, &p, "screening", json!({})).await;
        let g = council_votes(&staff, &p, b.group_council, &b.group_seats, 5).await;
        advance_days(&b, 10).await;
        step(&staff, &p, "group_resolution", json!({"resolution_id": g})).await;
        let r = council_votes(&staff, &p, b.community_council, &b.community_seats, yes).await;
        step(&staff, &p, "roadshow", json!({"resolution_id": r})).await;
        projects.push(p);
    }
    let round = staff
        .ok(
            "POST",
            &format!("/funds/{fund}/rounds"),
            json!({"projects": projects}),
        )
        .await;
    let lines = round["lines"].as_array().unwrap();
    // 亲子厨房 (34 yes) first, 15,000; 托管班 (30) needs 20,000 of 15,000 left: passed over;
    // 书屋 (26) fits in what is left.
    let funded: Vec<&str> = lines
        .iter()
        .filter(|l| l["funded"] == true)
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert_eq!(funded, ["亲子厨房", "院落书屋"]);
    let passed_over = lines
        .iter()
        .find(|l| l["title"] == "儿童暑期托管班")
        .unwrap();
    assert_eq!(passed_over["available_before"], 15_000_00);
    let page = anonymous(&b.t).page(&format!("/p/{}", projects[0])).await;
    assert!(
        page.contains("未获资金"),
        "the page says why it was not funded"
    );
    // The one not funded is still waiting for money, and cannot skip to its implementer.
    let e = staff
        .refused(
            "POST",
            &format!("/projects/{}/steps/implementer", projects[0]),
            json!({"mode": "self"}),
        )
        .await;
    assert_eq!(e, "project_step_out_of_order");
}

#[tokio::test]
async fn a_district_rulebook_with_street_filing_changes_the_path() {
    let b = beiyuan().await;
    let app = &b.t.state.app;
    let admin = admin(&b.t).await;
    // 武侯区 adds filing with the street office after the roadshow.
    let mut pipeline: Value = serde_json::from_str(
        gongzhi_domain::rulebook::spec("project.pipeline")
            .unwrap()
            .default,
    )
    .unwrap();
    pipeline["steps"]
        .as_array_mut()
        .unwrap()
        .insert(3, json!({"id": "filing", "kind": "filing"}));
    let district = gongzhi_app::places::jurisdiction_by_code(app, "wuhou")
        .await
        .unwrap()
        .id;
    gongzhi_app::rules::set_rule(
        app,
        &admin,
        district,
        "project.pipeline",
        &pipeline.to_string(),
        "2026-01-01",
        "武侯区：项目决议报街道备案",
    )
    .await
    .unwrap();
    let official = account(&b.t, &admin, district, "official", "street-official").await;
    let _ = official;
    let staff = client(&b.t, "staff").await;
    let p = id(
        &staff
            .ok("POST", "/projects", json!({"place_id": b.beiyuan, "title": "院落照明", "scope": "更换路灯",
                "category": "infrastructure", "total": "6,000", "fund": "6,000", "implementer_plan": "self"}))
            .await,
        "id",
    );
    step(&staff, &p, "screening", json!({})).await;
    let g = council_votes(&staff, &p, b.group_council, &b.group_seats, 5).await;
    advance_days(&b, 10).await;
    step(&staff, &p, "group_resolution", json!({"resolution_id": g})).await;
    let r = council_votes(&staff, &p, b.community_council, &b.community_seats, 30).await;
    step(&staff, &p, "roadshow", json!({"resolution_id": r})).await;
    // The round refuses it: it must be filed first.
    let (_, v) = staff
        .call(
            "POST",
            &format!("/funds/{}/rounds", b.fund),
            json!({"projects": [p]}),
        )
        .await;
    assert_eq!(v["error"], "project_not_at_allocation", "{v}");
    // Community staff cannot file; the street official can.
    let e = staff
        .refused(
            "POST",
            &format!("/projects/{p}/steps/filing"),
            json!({"reference": "晋阳街备〔2026〕3号"}),
        )
        .await;
    assert_eq!(e, "forbidden");
    let street = client(&b.t, "street-official").await;
    step(
        &street,
        &p,
        "filing",
        json!({"reference": "晋阳街备〔2026〕3号"}),
    )
    .await;
    staff
        .ok(
            "POST",
            &format!("/funds/{}/rounds", b.fund),
            json!({"projects": [p]}),
        )
        .await;
    let story = staff.ok("GET", &format!("/projects/{p}"), json!({})).await;
    assert_eq!(story["current_step"], "implementer");
    let filed = story["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "filing")
        .unwrap();
    assert_eq!(filed["moves"][0]["reference"], "晋阳街备〔2026〕3号");
}

#[tokio::test]
async fn a_needs_spreadsheet_with_broken_rows_is_refused_whole_with_line_numbers() {
    let b = beiyuan().await;
    let staff = client(&b.t, "staff").await;
    let csv = "标题,地点,类别,渠道,内容\n楼道灯坏了,beiyuan,environment,phone,3栋\n,beiyuan,environment,phone,\n垃圾桶不够,nowhere,environment,phone,\n健身器材,beiyuan,gym,phone,\n";
    let req = Request::post(format!(
        "/api/v1/communities/{}/needs/import",
        b.t.community
    ))
    .header(header::COOKIE, staff.cookie.borrow().clone())
    .header(header::ACCEPT_LANGUAGE, "zh-CN")
    .body(Body::from(csv))
    .unwrap();
    let (status, _, text) = send(&b.t.router, req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    for line in ["row 3", "row 4", "row 5"] {
        assert!(v["fields"][line].is_string(), "{line} reported: {v}");
    }
    assert!(v["fields"]["row 2"].is_null());
    let list = staff
        .ok(
            "GET",
            &format!("/communities/{}/needs", b.t.community),
            json!({}),
        )
        .await;
    assert!(
        list["needs"].as_array().unwrap().is_empty(),
        "nothing was imported"
    );
    let good = "title,place,category,channel\n楼道灯坏了,beiyuan,environment,phone\n垃圾桶不够,beiyuan,environment,petition_drop\n";
    let req = Request::post(format!(
        "/api/v1/communities/{}/needs/import",
        b.t.community
    ))
    .header(header::COOKIE, staff.cookie.borrow().clone())
    .body(Body::from(good))
    .unwrap();
    let (status, _, text) = send(&b.t.router, req).await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let list = staff
        .ok(
            "GET",
            &format!("/communities/{}/needs?channel=petition_drop", b.t.community),
            json!({}),
        )
        .await;
    assert_eq!(list["needs"].as_array().unwrap().len(), 1);
    assert_eq!(list["needs"][0]["number"], 2);
    // Residents cannot read the ledger.
    let tian = client(&b.t, "tian").await;
    let e = tian
        .refused(
            "GET",
            &format!("/communities/{}/needs", b.t.community),
            json!({}),
        )
        .await;
    assert_eq!(e, "forbidden");
}

/// A 北苑 project proposed, screened and passed by the group council (4 of 5): now on notice.
/// (project, resolution)
async fn project_on_notice(
    b: &Beiyuan,
    staff: &Client<'_>,
    title: &str,
    total: &str,
) -> (String, String) {
    let project = id(
        &staff
            .ok(
                "POST",
                "/projects",
                json!({
                "place_id": b.beiyuan, "title": title, "scope": title,
                "category": "environment", "total": total, "fund": total,
                "implementer_plan": "quotes", "needs": []}),
            )
            .await,
        "id",
    );
    step(staff, &project, "screening", json!({"note": "环境整治"})).await;
    let resolution = council_votes(staff, &project, b.group_council, &b.group_seats, 4).await;
    (project, resolution)
}

/// Staff act for 李秀兰, an elderly resident with no account, with her consent: the consent is
/// required, the objection she dictates is hers (filed as her, in the audit trail with the staff
/// member who typed it), every page says whom staff act for, and stopping is recorded too.
#[tokio::test]
async fn staff_act_for_a_resident_with_her_consent_and_the_trail_shows_it() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let (_, resolution) = project_on_notice(&b, &staff, "北苑楼道扶手", "3,000").await;

    // Her row on the residents page offers to act for her; a consent must be chosen.
    let residents = staff.page("/residents/jinyang").await;
    let her = residents
        .split("李秀兰</strong>")
        .nth(1)
        .and_then(|r| r.split("name=\"resident_id\" value=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .expect("李秀兰's row offers assistance")
        .to_string();
    let refused = super::purchases::post_form(
        t,
        &staff,
        "/assist/start",
        format!("code=jinyang&resident_id={her}&consent="),
    )
    .await;
    assert!(refused.contains("请选择居民本人同意的方式"), "{refused}");
    assert!(!refused.contains("您正在代居民"));
    let home = super::purchases::post_form(
        t,
        &staff,
        "/assist/start",
        format!("code=jinyang&resident_id={her}&consent=in_person"),
    )
    .await;
    assert!(home.contains("您正在代居民 李秀兰 办理"), "{home}");

    // An empty objection is explained next to its field, in the form she was filling.
    let page = super::purchases::post_form(
        t,
        &staff,
        &format!("/r/{resolution}/object"),
        "body=+++".into(),
    )
    .await;
    assert!(
        page.contains("id=\"body-error\"") && page.contains("aria-invalid=\"true\""),
        "{page}"
    );
    // Staff have no home in 北苑, yet the objection goes in as hers, from the notice's page.
    let page = super::purchases::post_form(
        t,
        &staff,
        &format!("/r/{resolution}/object"),
        "body=%E6%96%BD%E5%B7%A5%E6%97%B6%E8%AF%B7%E7%95%99%E9%80%9A%E9%81%93".into(), // 施工时请留通道
    )
    .await;
    assert!(page.contains("已收到您的异议"), "{page}");
    assert!(page.contains("您正在代居民 李秀兰 办理"));
    // The notice counts down its days: posted at 00:00 on 22 November, it runs to the end of
    // the 30th (seven working days over a weekend), nine days.
    assert!(
        page.contains("异议截止 2026年11月30日 24:00；还剩 9 天可提异议"),
        "{page}"
    );
    let stopped =
        super::purchases::post_form(t, &staff, "/assist/stop", "back=/c/jinyang".into()).await;
    assert!(!stopped.contains("您正在代居民"));
    // Without her, staff are no residents of 北苑: the same objection is refused.
    let page = super::purchases::post_form(
        t,
        &staff,
        &format!("/r/{resolution}/object"),
        "body=x".into(),
    )
    .await;
    assert!(!page.contains("已收到您的异议"));

    // The trail: consent, the objection on her behalf, the stop — each with her id.
    let events = gongzhi_app::verify::recorded_events(&t.state.app, 100_000)
        .await
        .unwrap();
    let hers: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e.on_behalf_of.map(|r| r.to_string()) == Some(her.clone()))
        .map(|e| (e.command.as_str(), e.payload.as_str()))
        .collect();
    let commands: Vec<&str> = hers.iter().map(|(c, _)| *c).collect();
    assert_eq!(commands, ["assist.start", "objection.file", "assist.stop"]);
    assert!(
        hers[0].1.contains("\"consent\":\"in_person\""),
        "{}",
        hers[0].1
    );
}

/// An objection's words stay private until staff review them: the council's chair (田小余) reads
/// and answers it on the notice's page, staff publish the words (the phone number in them
/// hidden) or withhold them, each once; the public page and the API show only what was
/// published. A resident may neither read the desk nor review.
#[tokio::test]
async fn objections_are_answered_and_reviewed_on_the_notice_page_before_the_words_go_public() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let (project, resolution) = project_on_notice(&b, &staff, "北苑车棚", "2,000").await;
    // 田大山 (a resident of 北苑, not the chair) objects twice.
    let resident = client(t, "supervisor").await;
    let words = "车棚挡住了消防通道，请联系我 138 1234 5678";
    let first = id(
        &resident
            .ok(
                "POST",
                &format!("/resolutions/{resolution}/objections"),
                json!({"body": words}),
            )
            .await,
        "id",
    );
    let second = id(
        &resident
            .ok(
                "POST",
                &format!("/resolutions/{resolution}/objections"),
                json!({"body": "施工噪音太大，我家老人身体不好"}),
            )
            .await,
        "id",
    );

    // Before review: the public sees that objections were filed, not what they say.
    let public = anonymous(t);
    let page = public.page(&format!("/r/{resolution}")).await;
    assert!(page.contains("待答复"), "{page}");
    assert!(
        !page.contains("消防通道") && !page.contains("老人"),
        "{page}"
    );
    assert!(!page.contains("objection-desk") && !page.contains("desk-title"));
    let api = public
        .ok("GET", &format!("/resolutions/{resolution}"), json!({}))
        .await;
    assert!(api["objections"][0]["body"].is_null(), "{api}");
    assert_eq!(api["objections"].as_array().unwrap().len(), 2);
    // The objector, a plain resident, has no desk and may not review.
    let e = resident
        .refused(
            "GET",
            &format!("/resolutions/{resolution}/objections"),
            json!({}),
        )
        .await;
    assert_eq!(e, "forbidden");
    let e = resident
        .refused(
            "POST",
            &format!("/resolutions/{resolution}/objections/{first}/review"),
            json!({"publish": true}),
        )
        .await;
    assert_eq!(e, "forbidden");

    // The chair reads the words in full on the notice's page and answers; an empty answer is
    // explained next to its field, on that objection's form. The chair is not staff: no review.
    let chair = client(t, "tian").await;
    let desk = chair.page(&format!("/r/{resolution}")).await;
    assert!(
        desk.contains("desk-title") && desk.contains(words),
        "{desk}"
    );
    assert!(!desk.contains(&format!("/objections/{first}/review")));
    let refused = super::purchases::post_form(
        t,
        &chair,
        &format!("/r/{resolution}/objections/{first}/answer"),
        "answer=++".into(),
    )
    .await;
    assert!(
        refused.contains(&format!("id=\"answer-{first}-error\"")),
        "{refused}"
    );
    let answered = super::purchases::post_form(
        t,
        &chair,
        &format!("/r/{resolution}/objections/{first}/answer"),
        "answer=%E8%BD%A6%E6%A3%9A%E5%90%8E%E7%A7%BB%E4%B8%A4%E7%B1%B3".into(), // 车棚后移两米
    )
    .await;
    assert!(answered.contains("答复已记录并公示"), "{answered}");

    // Staff publish the first and withhold the second, each once.
    let desk = staff
        .ok(
            "GET",
            &format!("/resolutions/{resolution}/objections"),
            json!({}),
        )
        .await;
    assert_eq!(desk["may_review"], true);
    assert_eq!(desk["objections"][0]["body"], words);
    assert!(desk["objections"][0]["review"].is_null());
    let published = super::purchases::post_form(
        t,
        &staff,
        &format!("/r/{resolution}/objections/{first}/review"),
        "publish=1".into(),
    )
    .await;
    assert!(published.contains("居民的原话已公开"), "{published}");
    staff
        .ok(
            "POST",
            &format!("/resolutions/{resolution}/objections/{second}/review"),
            json!({"publish": false}),
        )
        .await;
    let again = staff
        .refused(
            "POST",
            &format!("/resolutions/{resolution}/objections/{first}/review"),
            json!({"publish": false}),
        )
        .await;
    assert_eq!(again, "objection_already_reviewed");

    // The public now reads the first objection's words beside the answer, the number hidden;
    // the withheld one shows only its answer state.
    let page = public.page(&format!("/r/{resolution}")).await;
    assert!(
        page.contains("车棚挡住了消防通道，请联系我 ***") && page.contains("车棚后移两米"),
        "{page}"
    );
    assert!(!page.contains("5678") && !page.contains("老人"), "{page}");
    let api = public
        .ok("GET", &format!("/resolutions/{resolution}"), json!({}))
        .await;
    assert_eq!(
        api["objections"][0]["body"],
        "车棚挡住了消防通道，请联系我 ***"
    );
    assert!(api["objections"][1]["body"].is_null());
    let story = public.page(&format!("/p/{project}")).await;
    assert!(story.contains("车棚挡住了消防通道"), "{story}");
    assert!(!story.contains("老人"));

    // Each review is one audited command.
    let events = gongzhi_app::verify::recorded_events(&t.state.app, 100_000)
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.command == "objection.review")
            .count(),
        2
    );
}

/// Posts a multipart form (the project page's forms are multipart, for their files) as `who`;
/// the status and the page.
async fn post_multipart(
    t: &T,
    who: &Client<'_>,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let boundary = "gongzhi-test-boundary";
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let content_type = format!("multipart/form-data; boundary={boundary}");
    post_page(t, who, path, &content_type, body).await
}

/// Posts a plain (URL-encoded) form as `who`; the status and the page, refused or not.
async fn post_fields(
    t: &T,
    who: &Client<'_>,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    post_page(t, who, path, "application/x-www-form-urlencoded", body).await
}

async fn post_page(
    t: &T,
    who: &Client<'_>,
    path: &str,
    content_type: &str,
    body: String,
) -> (StatusCode, String) {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, who.cookie.borrow().clone())
        .body(Body::from(body))
        .unwrap();
    let (status, _, page) = send(&t.router, req).await;
    (status, page)
}

/// The project page's forms explain an error next to the field it is about and keep what was
/// typed (an organisation's claim without its name; a wrong contract amount); an error about
/// nothing the form shows (a step out of order) stays at the top. Nothing is recorded.
#[tokio::test]
async fn project_page_forms_show_errors_beside_their_fields_and_keep_what_was_typed() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let project = id(
        &staff
            .ok(
                "POST",
                "/projects",
                json!({
                "place_id": b.beiyuan, "title": "北苑儿童角", "scope": "铺软垫",
                "category": "environment", "total": "5,000", "fund": "5,000",
                "implementer_plan": "claim", "needs": []}),
            )
            .await,
        "id",
    );
    let path = format!("/p/{project}");
    let (status, page) = post_multipart(
        t,
        &staff,
        &path,
        &[
            ("action", "claim"),
            ("claimant", "  "),
            ("claimant_kind", "social_org"),
            ("offer", "我们出两名志愿者"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("id=\"claimant-error\"") && page.contains("aria-invalid=\"true\""),
        "{page}"
    );
    assert!(
        page.contains(">我们出两名志愿者</textarea>"),
        "the offer is kept"
    );
    assert!(!page.contains("class=\"error\""), "not at the top: {page}");
    // A step that is not the current one is no field's fault: at the top, nothing beside.
    let (status, page) = post_multipart(
        t,
        &staff,
        &path,
        &[
            ("action", "step"),
            ("step", "acceptance"),
            ("note", "先验收"),
        ],
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    assert!(page.contains("class=\"error\""), "{page}");
    assert!(!page.contains("field-error"), "{page}");
    let story = staff
        .ok("GET", &format!("/projects/{project}"), json!({}))
        .await;
    assert!(
        story["claims"].as_array().is_none_or(|c| c.is_empty()),
        "nothing was recorded: {story}"
    );
}

/// Staff open one need from the ledger on its own page (/c/{code}/needs/{number}): they read
/// what the resident wrote, take it on, answer her and close it; a duplicate is merged into the
/// need it repeats by number. A refused answer or merge is explained beside its field, keeps
/// what was typed and changes nothing. Residents, visitors and a wrong number get no page.
#[tokio::test]
async fn staff_answer_merge_and_take_on_a_need_on_its_own_page() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let tian = client(t, "tian").await;
    let first = staff
        .ok(
            "POST",
            "/needs",
            json!({"place_id": b.beiyuan, "category": "environment", "channel": "home_visit",
            "title": "2 栋楼道扶手松动", "body": "王婆婆说上下楼不敢扶"}),
        )
        .await;
    let repeat = tian
        .ok(
            "POST",
            "/needs",
            json!({"place_id": b.beiyuan, "category": "environment", "title": "楼道扶手晃"}),
        )
        .await;
    let (n1, n2) = (
        first["number"].as_i64().unwrap(),
        repeat["number"].as_i64().unwrap(),
    );
    let path = format!("/c/jinyang/needs/{n1}");
    let ledger = staff.page("/c/jinyang/needs").await;
    assert!(ledger.contains(&format!("href=\"{path}\"")), "{ledger}");
    let page = staff.page(&path).await;
    assert!(
        page.contains("2 栋楼道扶手松动") && page.contains("王婆婆说上下楼不敢扶"),
        "{page}"
    );

    // Taking it on.
    let (status, page) = post_fields(t, &staff, &path, &[("action", "assign_me")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("已由您跟进") && page.contains("由您跟进"),
        "{page}"
    );

    // An empty answer is explained beside the field; nothing is stored.
    let (status, page) = post_fields(
        t,
        &staff,
        &path,
        &[("action", "reply"), ("reply", "   "), ("close", "resolved")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"reply-error\""), "{page}");
    let stored = staff
        .ok("GET", &format!("/needs/{}", id(&first, "id")), json!({}))
        .await;
    assert_eq!(stored["status"], "assigned");
    assert!(stored["reply"].is_null(), "{stored}");

    // A merge into a number that does not exist keeps what was typed.
    let n2_path = format!("/c/jinyang/needs/{n2}");
    let (status, page) = post_fields(
        t,
        &staff,
        &n2_path,
        &[("action", "merge"), ("into", "99999")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("id=\"into-error\"") && page.contains("value=\"99999\""),
        "{page}"
    );
    // Into itself is refused too.
    let (status, _) = post_fields(
        t,
        &staff,
        &n2_path,
        &[("action", "merge"), ("into", &n2.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The repeat merged into the first: its page links there and offers no more forms.
    let (status, page) = post_fields(
        t,
        &staff,
        &n2_path,
        &[("action", "merge"), ("into", &n1.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("已合并") && page.contains(&format!("href=\"{path}\"")),
        "{page}"
    );
    assert!(!page.contains("name=\"reply\""), "{page}");

    // Handed to a colleague (staff of the community are offered); never to a resident.
    let director = id(
        &client(t, "director")
            .await
            .ok("GET", "/me", json!({}))
            .await,
        "account_id",
    );
    let resident = id(&tian.ok("GET", "/me", json!({})).await, "account_id");
    let form = staff.page(&path).await;
    assert!(
        form.contains(&format!("<option value=\"{director}\"")) && !form.contains(&resident),
        "staff are offered, residents not: {form}"
    );
    let (status, page) = post_fields(
        t,
        &staff,
        &path,
        &[("action", "assign"), ("assigned_to", &director)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("已交给director跟进"), "{page}");
    let (status, page) = post_fields(
        t,
        &staff,
        &path,
        &[("action", "assign"), ("assigned_to", &resident)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"assigned_to-error\""), "{page}");
    let stored = staff
        .ok("GET", &format!("/needs/{}", id(&first, "id")), json!({}))
        .await;
    assert_eq!(stored["assigned_to"], director.as_str(), "{stored}");

    // The answer, closing the need; the resident sees it on her own page.
    let (status, page) = post_fields(
        t,
        &staff,
        &path,
        &[
            ("action", "reply"),
            ("reply", "已联系物业，本周内加固扶手。"),
            ("close", "resolved"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("已答复") && page.contains("已联系物业"),
        "{page}"
    );
    assert!(
        !page.contains("name=\"reply\""),
        "a closed need takes no answer"
    );
    let mine = tian.ok("GET", "/me/needs", json!({})).await;
    assert_eq!(mine[0]["status"], "merged", "{mine}");

    // Each action was one audited command.
    let events = gongzhi_app::verify::recorded_events(&t.state.app, 100_000)
        .await
        .unwrap();
    for (command, times) in [("need.assign", 2), ("need.merge", 1), ("need.reply", 1)] {
        assert_eq!(
            events.iter().filter(|e| e.command == command).count(),
            times,
            "{command}"
        );
    }

    // No page for a resident, a visitor (sent to sign in) or a number the ledger lacks.
    let cookie = tian.cookie.borrow().clone();
    let req = Request::get(&path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = send(&t.router, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, headers, _) =
        send(&t.router, Request::get(&path).body(Body::empty()).unwrap()).await;
    assert!(status.is_redirection());
    assert!(
        headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );
    let req = Request::get("/c/jinyang/needs/99999")
        .header(header::COOKIE, staff.cookie.borrow().clone())
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = send(&t.router, req).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
