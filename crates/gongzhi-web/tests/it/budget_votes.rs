//! A residents' budget vote over HTTP: staff open it through the API, a resident votes on the
//! page with tick boxes, staff enter assisted ballots and, after the close, two clerks enter a
//! paper sheet; the count's page says why each project won or lost, and nothing names a voter.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use uuid::Uuid;

use super::core_loop::{anonymous, beiyuan, client};
use super::send;

#[tokio::test]
async fn beiyuan_residents_vote_on_three_projects() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let tian = client(t, "tian").await;
    let public = anonymous(t);
    let mut people = Vec::new();
    for name in ["居民甲", "居民乙", "居民丙", "居民丁"] {
        let v = staff
            .ok(
                "POST",
                "/residents",
                json!({"community_id": t.community, "name": name, "courtyard_id": b.beiyuan}),
            )
            .await;
        people.push(v["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    let open = |kind: &str| {
        json!({"place_id": b.beiyuan, "title": "北苑微项目投票", "budget_yuan": "20000",
               "ballot_kind": kind, "number": 2, "closes_at": "2026-11-25 18:00",
               "projects": [{"title": "楼道灯", "cost_yuan": "12000"},
                            {"title": "休闲座椅", "cost_yuan": "8000"},
                            {"title": "儿童角", "cost_yuan": "10000"}]})
    };
    assert_eq!(
        staff.refused("POST", "/budget-votes", open("ranked")).await,
        "budget_vote_form_unknown"
    );
    assert_eq!(
        tian.refused("POST", "/budget-votes", open("approve_k"))
            .await,
        "forbidden"
    );
    let v = staff.ok("POST", "/budget-votes", open("approve_k")).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Her ballot on the page: tick boxes, at most two.
    let page = tian.page(&format!("/v/{v}")).await;
    assert!(
        page.contains("name=\"choice\"") && page.contains("最多选 2 个"),
        "{page}"
    );
    let cookie = tian.cookie.borrow().clone();
    let req = Request::post(format!("/v/{v}/ballot"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from("choice=0&choice=1"))
        .unwrap();
    let (status, _, page) = send(&t.router, req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("您的选票已投入票箱"), "{page}");
    assert!(
        !tian
            .page(&format!("/v/{v}"))
            .await
            .contains("name=\"choice\"")
    );
    assert_eq!(
        tian.refused(
            "POST",
            &format!("/budget-votes/{v}/ballots"),
            json!({"marks": [[2, 1]]})
        )
        .await,
        "ballot_already_cast"
    );
    for voter in &people[..2] {
        staff
            .ok(
                "POST",
                &format!("/budget-votes/{v}/ballots"),
                json!({"marks": [[0, 1], [1, 1]], "resident_id": voter}),
            )
            .await;
    }
    // 居民丙 asks staff to vote for her (代办, by phone): staff see her ballot on the page and
    // tick it; the ballot is hers, entered as assisted, and the trail names her.
    let assisting = super::purchases::post_form(
        t,
        &staff,
        "/assist/start",
        format!("code=jinyang&resident_id={}&consent=phone", people[2]),
    )
    .await;
    assert!(
        assisting.contains("您正在代居民 居民丙 办理"),
        "{assisting}"
    );
    let page = staff.page(&format!("/v/{v}")).await;
    assert!(page.contains("name=\"choice\""), "{page}");
    let page = super::purchases::post_form(
        t,
        &staff,
        &format!("/v/{v}/ballot"),
        "choice=0&choice=1".into(),
    )
    .await;
    assert!(page.contains("您的选票已投入票箱"), "{page}");
    assert!(
        !page.contains("name=\"choice\""),
        "her ballot is in: no second one"
    );
    super::purchases::post_form(t, &staff, "/assist/stop", "back=/c/jinyang".into()).await;
    let events = gongzhi_app::verify::recorded_events(&t.state.app, 100_000)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.command == "budget_vote.ballot" && e.on_behalf_of == Some(people[2])),
        "the ballot's event names her"
    );
    staff
        .ok(
            "POST",
            &format!("/budget-votes/{v}/paper-voters"),
            json!({"resident_id": people[3]}),
        )
        .await;
    let during = public
        .ok("GET", &format!("/budget-votes/{v}"), json!(null))
        .await;
    assert_eq!(
        during["voted"],
        json!({"online": 1, "assisted": 3, "paper": 1})
    );
    assert!(during["result"].is_null(), "no running tally");

    t.state.app.clock.advance(4 * 86_400).unwrap();
    let sheet = json!({"sheet": "P-01", "entry": 1, "marks": [[2, 1]]});
    staff
        .ok("POST", &format!("/budget-votes/{v}/sheets"), sheet.clone())
        .await;
    assert_eq!(
        staff
            .refused("POST", &format!("/budget-votes/{v}/close"), json!(null))
            .await,
        "paper_sheets_unreconciled"
    );
    let admin = client(t, "admin").await;
    admin
        .ok(
            "POST",
            &format!("/budget-votes/{v}/sheets"),
            json!({"sheet": "P-01", "entry": 2, "marks": [[2, 1]]}),
        )
        .await;
    let count = staff
        .ok("POST", &format!("/budget-votes/{v}/close"), json!(null))
        .await;
    assert_eq!(count["ballots"], 5);
    let page = public.page(&format!("/v/{v}")).await;
    assert!(
        page.contains("获资助（第 1 个）") && page.contains("资助其他项目后只剩"),
        "{page}"
    );
    for name in ["田小余", "居民甲"] {
        assert!(!page.contains(name), "no voter's name on the result page");
    }
}

/// Staff open a vote from the page: a project line without a cost is explained and what was typed
/// stays; a good form opens the vote and lands on its page. After the close a clerk types a paper
/// sheet on the vote's page.
#[tokio::test]
async fn staff_open_a_vote_and_type_a_sheet_from_the_pages() {
    use super::purchases::post_form;
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    assert!(staff.page("/home").await.contains("href=\"/v/new\""));
    let form = staff.page("/v/new").await;
    assert!(form.contains("name=\"projects\"") && form.contains(&t.community.to_string()));
    let body = |projects: &str| {
        format!(
            "place_id={}&title=%E5%8C%97%E8%8B%91%E6%8A%95%E7%A5%A8&budget=20000&ballot_kind=approve_k&number=2&closes_at=2026-11-25T18%3A00&projects={}",
            t.community, projects
        )
    };
    // "楼道灯" with no cost.
    let refused = post_form(t, &staff, "/v/new", body("%E6%A5%BC%E9%81%93%E7%81%AF")).await;
    assert!(refused.contains("名称、逗号、费用"), "{refused}");
    assert!(refused.contains("楼道灯"), "what was typed stays");
    // "楼道灯，12000\n座椅,8000"
    let page = post_form(
        t,
        &staff,
        "/v/new",
        body("%E6%A5%BC%E9%81%93%E7%81%AF%EF%BC%8C12000%0A%E5%BA%A7%E6%A4%85%2C8000"),
    )
    .await;
    assert!(
        page.contains("北苑投票") && page.contains("¥12,000.00") && page.contains("¥8,000.00"),
        "{page}"
    );
    assert!(
        !page.contains("name=\"choice\""),
        "staff are not on the roll: no ballot"
    );
    let board = staff.page(&format!("/c/{}/notices", "jinyang")).await;
    let vote = board
        .split("href=\"/v/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the vote on the notice board")
        .to_string();
    t.state.app.clock.advance(4 * 86_400).unwrap();
    let page = staff.page(&format!("/v/{vote}")).await;
    assert!(
        page.contains("纸质选票") && page.contains("name=\"sheet\""),
        "{page}"
    );
    let page = post_form(
        t,
        &staff,
        &format!("/v/{vote}/sheet"),
        "sheet=A-7&entry=1&choice=1".into(),
    )
    .await;
    assert!(
        page.contains("选票 A-7 已录入") && page.contains("只录入一次：A-7"),
        "{page}"
    );
}
