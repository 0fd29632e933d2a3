//! Government purchase of services over HTTP: the community files its groups, opens a call,
//! enters paper bids, scores them after closing and awards the contract; visitors read the call
//! board, the call (bids and scores only once decided) and an organisation's profile; bad input
//! gets a message in the worker's language.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use super::core_loop::{Client, anonymous, beiyuan, client};
use super::{T, send};

#[tokio::test]
async fn a_community_call_from_filing_to_contract() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let public = anonymous(t);
    let me = staff.ok("GET", "/me", json!({})).await;
    let my_id = me["account_id"].as_str().unwrap().to_string();

    // A company with a mistyped credit code: the check character is named, in Chinese.
    let (status, v) = staff
        .call(
            "POST",
            "/organisations",
            json!({"name_zh": "某公司", "kind": "company", "credit_code": "91510107MA6CAT0018",
                   "registered_with": t.community, "business_scope": "餐饮"}),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "{v}");
    assert_eq!(v["error"], "credit_code_check_digit");
    assert!(v["message"].as_str().unwrap().contains("应为 7"), "{v}");

    let mut orgs = Vec::new();
    for (name, kind) in [
        ("蒋姐姐助老服务队", "volunteer_team"),
        ("睦林长者互助社", "community_org"),
        ("邻里守望队", "volunteer_team"),
    ] {
        let v = staff
            .ok(
                "POST",
                "/organisations",
                json!({"name_zh": name, "kind": kind, "registered_with": t.community,
                       "business_scope": "独居老人探访", "qualifications": ["A6-1"]}),
            )
            .await;
        orgs.push(v["id"].as_str().unwrap().to_string());
    }
    let criteria = json!([
        {"key": "plan", "zh": "服务方案", "en": "Plan", "weight": 60},
        {"key": "price", "zh": "报价", "en": "Price", "weight": 40}
    ]);
    let call = staff
        .ok(
            "POST",
            "/calls",
            json!({"buyer_id": t.community, "title": "独居老人探访服务", "description": "每周上门探访一次",
                   "catalogue_code": "A6-1", "method": "comparative_selection", "value": 6_000_000,
                   "new_service": true, "closes_at": "2026-12-02 17:00", "contract_months": 12,
                   "criteria": criteria}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut bids = Vec::new();
    for (org, price) in orgs.iter().zip([5_800_000, 3_600_000, 4_500_000]) {
        let v = staff
            .ok(
                "POST",
                &format!("/calls/{call}/bids"),
                json!({"organisation_id": org, "price": price, "plan": "两人一组上门"}),
            )
            .await;
        bids.push(v["id"].as_str().unwrap().to_string());
    }
    // Before the decision the public sees how many bid, not who or at what price.
    let board = public.ok("GET", "/calls", json!({})).await;
    assert_eq!(board["open"][0]["id"], Value::String(call.clone()));
    let before = public.ok("GET", &format!("/calls/{call}"), json!({})).await;
    assert_eq!(before["bids_received"], 3);
    assert!(before.get("bids").is_none(), "{before}");
    let notice = public.page(&format!("/call/{call}")).await;
    assert!(
        notice.contains("评审结束前不公开") && notice.contains("比选"),
        "{notice}"
    );
    assert!(
        !notice.contains("睦林长者互助社"),
        "bidders stay sealed until the decision"
    );
    assert!(public.page("/calls").await.contains("独居老人探访服务"));

    staff
        .ok(
            "POST",
            &format!("/calls/{call}/panel"),
            json!({"members": [{"account_id": my_id, "name": "王主任"}]}),
        )
        .await;
    t.state.app.clock.advance(11 * 86_400).unwrap();
    assert_eq!(
        staff
            .refused(
                "POST",
                &format!("/bids/{}/scores", bids[0]),
                json!({"scores": {"plan": 120, "price": 80}})
            )
            .await,
        "score_out_of_scale"
    );
    // The last bid is scored on the panelist's screen, the others through the API.
    let screen = staff.page(&format!("/call/{call}")).await;
    assert!(screen.contains("name=\"s_plan\""), "{screen}");
    let req = Request::post(format!("/call/{call}/score"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, staff.cookie.borrow().clone())
        .body(Body::from(format!("bid={}&s_plan=70&s_price=80", bids[2])))
        .unwrap();
    let (status, _, saved) = send(&t.router, req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(saved.contains("评分已保存，加权得分 74.00"), "{saved}");
    for (bid, (plan, price)) in bids.iter().zip([(80, 60), (85, 95)]) {
        staff
            .ok(
                "POST",
                &format!("/bids/{bid}/scores"),
                json!({"scores": {"plan": plan, "price": price}}),
            )
            .await;
    }
    let r = staff
        .ok("POST", &format!("/calls/{call}/decide"), json!({}))
        .await;
    assert_eq!(r["outcome"], "awarded");
    assert_eq!(r["winner"], Value::String(bids[1].clone()));
    let after = public.ok("GET", &format!("/calls/{call}"), json!({})).await;
    assert_eq!(after["bids"].as_array().unwrap().len(), 3);
    assert_eq!(after["scores"][0]["panelist"], "王主任");
    let results = public.page(&format!("/call/{call}")).await;
    assert!(
        results.contains("睦林长者互助社")
            && results.contains("王主任")
            && results.contains("已定标"),
        "{results}"
    );
    let contract = staff
        .ok(
            "POST",
            &format!("/calls/{call}/contract"),
            json!({"starts_on": "2026-12-10", "ends_on": "2027-12-09", "items": [
                {"kind": "deliverable", "catalogue_code": "A6-1", "title": "每周探访"},
                {"kind": "milestone", "title": "全年服务费", "amount": 3_600_000}
            ]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let k = public
        .ok("GET", &format!("/contracts/{contract}"), json!({}))
        .await;
    assert_eq!(k["organisation"]["name_zh"], "睦林长者互助社");
    assert_eq!(k["items"].as_array().unwrap().len(), 2);
    let directory = public
        .ok(
            "GET",
            &format!("/organisations?at={}", t.community),
            json!({}),
        )
        .await;
    assert_eq!(directory["organisations"].as_array().unwrap().len(), 3);
    assert!(
        directory["organisations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o.get("staff").is_none())
    );
    let profile = public
        .ok("GET", &format!("/organisations/{}", orgs[1]), json!({}))
        .await;
    assert_eq!(profile["contracts"][0]["value"], 3_600_000);
    assert_eq!(profile["organisation"]["social_organisation"], true);
    let contract_page = public.page(&format!("/contract/{contract}")).await;
    assert!(contract_page.contains("每周探访") && contract_page.contains("睦林长者互助社"));
    let org_page = public.page(&format!("/org/{}", orgs[1])).await;
    assert!(
        org_page.contains("社区社会组织（备案）") && org_page.contains("独居老人探访服务"),
        "{org_page}"
    );
    // The share report: the one new service went to a filed community group.
    let share = staff.page("/purchase-share").await;
    assert!(
        share.contains("¥36,000.00") && share.contains("100.00%") && share.contains("30.00%"),
        "{share}"
    );
    // Signed out: sign in first, and come back to the report; signed in as a resident, who
    // buys for no place: refused as forbidden, not sent to sign in again.
    let req = Request::get("/purchase-share").body(Body::empty()).unwrap();
    let (status, headers, _) = send(&t.router, req).await;
    assert!(status.is_redirection());
    assert_eq!(headers[header::LOCATION], "/login?next=%2Fpurchase-share");
    let tian = client(t, "tian").await;
    let req = Request::get("/purchase-share")
        .header(header::COOKIE, tian.cookie.borrow().clone())
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = send(&t.router, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Visitors cannot open calls.
    assert_eq!(
        public
            .refused("POST", &format!("/calls/{call}/decide"), json!({}))
            .await,
        "unauthenticated"
    );
}

/// A community "微创投" over HTTP: the round's terms through the API, applications under its
/// themes (one without a theme refused), the decision funding what fits the pool, a donor's
/// adoption recorded on the call's page by staff (masked for the public; no form for visitors),
/// and the adopted project's grant agreement.
#[tokio::test]
async fn a_venture_round_with_a_donor_adoption() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let public = anonymous(t);
    let me = staff.ok("GET", "/me", json!({})).await;
    let my_id = me["account_id"].as_str().unwrap().to_string();
    let mut orgs = Vec::new();
    for name in ["花园自管小组", "邻里守望队", "银龄读书会"] {
        let v = staff
            .ok(
                "POST",
                "/organisations",
                json!({"name_zh": name, "kind": "community_org", "registered_with": t.community,
                       "business_scope": "社区营造", "qualifications": ["B3-2"]}),
            )
            .await;
        orgs.push(v["id"].as_str().unwrap().to_string());
    }
    let criteria = json!([{"key": "plan", "zh": "项目方案", "en": "Plan", "weight": 100}]);
    let round = json!({"buyer_id": t.community, "title": "社区微创投", "description": "三个主题",
        "catalogue_code": "B3-2", "method": "venture", "value": 3_000_000,
        "closes_at": "2026-12-02 17:00", "contract_months": 12, "criteria": criteria,
        "round": {"themes": ["院落美化", "邻里共融"], "max_awards": 2,
                  "roadshow_at": "2026-12-04 09:00", "roadshow_place": "社区活动室"}});
    let mut wrong = round.clone();
    wrong["method"] = json!("comparative_selection");
    assert_eq!(
        staff.refused("POST", "/calls", wrong).await,
        "round_only_for_venture"
    );
    let call = staff.ok("POST", "/calls", round).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        staff
            .refused(
                "POST",
                &format!("/calls/{call}/bids"),
                json!({"organisation_id": orgs[0], "price": 1_000_000, "plan": "花台改造"})
            )
            .await,
        "bid_theme_missing"
    );
    let mut bids = Vec::new();
    for (org, (price, theme)) in orgs.iter().zip([
        (1_200_000, "院落美化"),
        (2_000_000, "邻里共融"),
        (800_000, "邻里共融"),
    ]) {
        let v = staff
            .ok(
                "POST",
                &format!("/calls/{call}/bids"),
                json!({"organisation_id": org, "price": price, "plan": "居民共商", "theme": theme}),
            )
            .await;
        bids.push(v["id"].as_str().unwrap().to_string());
    }
    let notice = public.page(&format!("/call/{call}")).await;
    assert!(
        notice.contains("院落美化、邻里共融") && notice.contains("社区活动室"),
        "{notice}"
    );
    staff
        .ok(
            "POST",
            &format!("/calls/{call}/panel"),
            json!({"members": [{"account_id": my_id, "name": "王主任"}]}),
        )
        .await;
    t.state.app.clock.advance(11 * 86_400).unwrap();
    for (bid, score) in bids.iter().zip([90, 85, 80]) {
        staff
            .ok(
                "POST",
                &format!("/bids/{bid}/scores"),
                json!({"scores": {"plan": score}}),
            )
            .await;
    }
    // Staff decide from the call's page. 12,000 fits the pool of 30,000; 20,000 does not fit
    // what is left; 8,000 does.
    let decided = post_form(t, &staff, &format!("/call/{call}/decide"), String::new()).await;
    assert!(
        decided.contains("已定标：排名和各评委评分已公开"),
        "{decided}"
    );
    let r = public.ok("GET", &format!("/calls/{call}"), json!({})).await;
    assert_eq!(r["result"]["awarded"], json!([bids[0], bids[2]]));

    // Staff see the adoption form, visitors do not; the adoption is recorded from the page.
    let staff_page = staff.page(&format!("/call/{call}")).await;
    assert!(staff_page.contains("/adopt"), "{staff_page}");
    assert!(
        !public
            .page(&format!("/call/{call}"))
            .await
            .contains("/adopt")
    );
    let adopted = post_form(
        t,
        &staff,
        &format!("/call/{call}/adopt"),
        format!("bid={}&donor_name=%E7%8E%8B%E5%BB%BA%E5%9B%BD", bids[1]),
    )
    .await;
    assert!(adopted.contains("认领已登记"), "{adopted}");
    let shown = public.page(&format!("/call/{call}")).await;
    assert!(shown.contains("由 王*国 认领"), "{shown}");
    assert!(!shown.contains("王建国"), "the donor's name is masked");
    let api = public.ok("GET", &format!("/calls/{call}"), json!({})).await;
    assert_eq!(api["adoptions"][0]["donor"], "王*国");
    assert_eq!(
        staff
            .refused(
                "POST",
                &format!("/bids/{}/adopt", bids[1]),
                json!({"donor_name": "又一位"})
            )
            .await,
        "bid_already_adopted"
    );
    // The adopted project's agreement, signed from the call's page: milestones that do not add
    // up to the grant are refused with the sums named; then it is signed.
    let base = format!(
        "bid={}&starts_on=2026-12-10&ends_on=2027-12-09&deliverables=%E9%82%BB%E9%87%8C%E8%8C%B6%E8%AF%9D%E4%BC%9A+12+%E6%AC%A1&m1_title=%E8%B5%84%E5%8A%A9%E6%AC%BE&m1_due=2026-12-15",
        bids[1]
    );
    let short = post_form(
        t,
        &staff,
        &format!("/call/{call}/contract"),
        format!("{base}&m1_amount=19000"),
    )
    .await;
    assert!(
        short.contains("value=\"19000\"") && short.contains(">邻里茶话会 12 次</textarea>"),
        "the refused contract form keeps what was typed: {short}"
    );
    assert!(
        short.contains("¥19,000.00") && short.contains("¥20,000.00"),
        "{short}"
    );
    let signed = post_form(
        t,
        &staff,
        &format!("/call/{call}/contract"),
        format!("{base}&m1_amount=20000"),
    )
    .await;
    assert!(signed.contains("社区微创投 · 邻里守望队"), "{signed}");
    let api = public.ok("GET", &format!("/calls/{call}"), json!({})).await;
    let contract = api["contracts"][0].as_str().unwrap().to_string();
    let page = public.page(&format!("/contract/{contract}")).await;
    assert!(
        page.contains("社区微创投 · 邻里守望队") && page.contains("已完成 0 / 1 项服务事项"),
        "{page}"
    );
    assert!(!page.contains("/evaluate"), "visitors get no staff forms");

    // Staff run the contract from its page: a deliverable done, an evaluation (a score off the
    // scale refused), and closing refused while the grant is unpaid.
    let path = format!("/contract/{contract}");
    assert!(staff.page(&path).await.contains("本合同未关联社区资金预算"));
    let done = post_form(t, &staff, &format!("{path}/delivered"), "position=1".into()).await;
    assert!(done.contains("已完成 1 / 1 项服务事项"), "{done}");
    let bad = post_form(
        t,
        &staff,
        &format!("{path}/evaluate"),
        "score=120&evaluator_name=%E8%AF%84%E4%BC%B0&summary=ok".into(),
    )
    .await;
    assert!(bad.contains("分数超出范围"), "{bad}");
    assert!(
        bad.contains(">ok</textarea>") && bad.contains("value=\"120\""),
        "{bad}"
    );
    let evaluated = post_form(
        t,
        &staff,
        &format!("{path}/evaluate"),
        "score=88&evaluator_name=%E8%AF%84%E4%BC%B0%E4%B8%AD%E5%BF%83&summary=%E8%BE%BE%E6%A0%87"
            .into(),
    )
    .await;
    assert!(
        evaluated.contains("评估已登记") && evaluated.contains("88"),
        "{evaluated}"
    );
    let open = post_form(t, &staff, &format!("{path}/complete"), String::new()).await;
    assert!(open.contains("付款节点“资助款”尚未付清"), "{open}");
    assert!(!open.contains("合同已结束"), "{open}");
}

/// Posts a form as a signed-in client; follows a redirect. The page answers 200, or 422 when
/// the form was refused (its error shown beside what was typed).
pub(crate) async fn post_form(t: &T, who: &Client<'_>, path: &str, body: String) -> String {
    post_form_status(t, who, path, body).await.1
}

/// [`post_form`] with the status of the answer (after a redirect: the page's).
pub(crate) async fn post_form_status(
    t: &T,
    who: &Client<'_>,
    path: &str,
    body: String,
) -> (StatusCode, String) {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, who.cookie.borrow().clone())
        .body(Body::from(body))
        .unwrap();
    let (status, headers, page) = send(&t.router, req).await;
    if status.is_redirection() {
        let to = headers.get(header::LOCATION).unwrap().to_str().unwrap();
        return (StatusCode::OK, who.page(to).await);
    }
    assert!(
        status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{path}: {status} {page}"
    );
    // A page showing a refusal says so in its status, and only then.
    assert_eq!(
        status == StatusCode::UNPROCESSABLE_ENTITY,
        page.contains("data-refused"),
        "{path}: {status}"
    );
    (status, page)
}

/// Community staff file a group and open a round from the pages alone: a wrong credit code is
/// explained and what was typed stays in the form; the round's themes come from the form; the
/// panel is seated by username (an unknown one is named). Visitors get no staff links.
#[tokio::test]
async fn staff_file_a_group_and_open_a_round_from_the_pages() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let public = anonymous(t);
    assert!(!public.page("/calls").await.contains("/calls/new"));
    let board = staff.page("/calls").await;
    assert!(
        board.contains("/calls/new") && board.contains("/orgs/new"),
        "{board}"
    );
    let form = staff.page("/orgs/new").await;
    assert!(
        form.contains("B3-2") && form.contains("name=\"q\""),
        "{form}"
    );

    let community = t.community.to_string();
    let typed = format!(
        "name_zh=%E8%8A%B1%E5%9B%AD%E8%87%AA%E7%AE%A1%E5%B0%8F%E7%BB%84&kind=private_non_enterprise\
         &credit_code=52510107MJ0000001C&registered_with={community}\
         &business_scope=%E7%A4%BE%E5%8C%BA%E8%90%A5%E9%80%A0&q=B3-2&q=A6-1"
    );
    let refused = post_form(t, &staff, "/orgs/new", typed).await;
    assert!(refused.contains("校验位不对：最后一位应为 B"), "{refused}");
    assert!(
        refused.contains("value=\"花园自管小组\"")
            && refused.contains("value=\"52510107MJ0000001C\"")
            && refused.contains("value=\"B3-2\" checked"),
        "what was typed is kept: {refused}"
    );
    let filed = post_form(
        t,
        &staff,
        "/orgs/new",
        format!(
            "name_zh=%E8%8A%B1%E5%9B%AD%E8%87%AA%E7%AE%A1%E5%B0%8F%E7%BB%84&kind=community_org\
             &credit_code=&registered_with={community}\
             &business_scope=%E7%A4%BE%E5%8C%BA%E8%90%A5%E9%80%A0&q=B3-2&q=A6-1"
        ),
    )
    .await;
    assert!(
        filed.contains("花园自管小组") && filed.contains("B3-2"),
        "{filed}"
    );

    // The keeper blacklists it from its page (a period ending before it starts is refused), and
    // lifts it again; visitors see the reason, not the forms.
    let directory = public
        .ok("GET", &format!("/organisations?at={community}"), json!({}))
        .await;
    let org = directory["organisations"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/org/{org}");
    assert!(!public.page(&path).await.contains("/blacklist"));
    let backwards = post_form(
        t,
        &staff,
        &format!("{path}/blacklist"),
        "reason=%E8%99%9A%E6%8A%A5&starts_on=2026-12-01&ends_on=2026-11-01".into(),
    )
    .await;
    assert!(backwards.contains("结束日期早于开始日期"), "{backwards}");
    let barred = post_form(
        t,
        &staff,
        &format!("{path}/blacklist"),
        "reason=%E8%99%9A%E6%8A%A5%E6%9C%8D%E5%8A%A1%E4%BA%BA%E6%AC%A1&starts_on=2026-11-01&ends_on=".into(),
    )
    .await;
    assert!(
        barred.contains("已列入黑名单") && barred.contains("/lift"),
        "{barred}"
    );
    assert!(public.page(&path).await.contains("虚报服务人次"));
    let sanction = barred
        .split("name=\"sanction\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let lifted = post_form(
        t,
        &staff,
        &format!("{path}/lift"),
        format!("sanction={sanction}&reason=%E6%95%B4%E6%94%B9%E5%88%B0%E4%BD%8D"),
    )
    .await;
    assert!(
        lifted.contains("黑名单已解除") && lifted.contains("/blacklist"),
        "{lifted}"
    );

    let round = format!(
        "buyer_id={community}&title=%E5%BE%AE%E5%88%9B%E6%8A%95&description=%E4%B8%89%E4%B8%AA%E4%B8%BB%E9%A2%98\
         &catalogue_code=B3-2&method=venture&justification=&value=30000&closes_at=2026-12-02T17%3A00\
         &contract_months=12&c1_name=%E6%96%B9%E6%A1%88&c1_weight=100\
         &themes=%E9%99%A2%E8%90%BD%E7%BE%8E%E5%8C%96%0A%E9%82%BB%E9%87%8C%E5%85%B1%E8%9E%8D\
         &max_awards=2&roadshow_at=2026-12-04T09%3A00&roadshow_place="
    );
    let weights = post_form(
        t,
        &staff,
        "/calls/new",
        round.replace("c1_weight=100", "c1_weight=90"),
    )
    .await;
    assert!(
        weights.contains("权重") && weights.contains("value=\"90\""),
        "{weights}"
    );
    let opened = post_form(t, &staff, "/calls/new", round).await;
    assert!(
        opened.contains("主题：院落美化、邻里共融") && opened.contains("公益创投"),
        "{opened}"
    );
    let api = public.ok("GET", "/calls", json!({})).await;
    let call = api["open"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "微创投")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unknown = post_form(
        t,
        &staff,
        &format!("/call/{call}/panel"),
        "members=staff%0Anobody".into(),
    )
    .await;
    assert!(
        unknown.contains("没有登录账号为“nobody”的用户"),
        "{unknown}"
    );
    let seated = post_form(
        t,
        &staff,
        &format!("/call/{call}/panel"),
        "members=staff".into(),
    )
    .await;
    assert!(seated.contains("评审小组（1 人）已组建"), "{seated}");

    // The staff member also keeps the group's seat: the bid form appears, and a bid above the
    // pool is refused with the plan and figures kept as typed.
    let me = staff.ok("GET", "/me", json!({})).await;
    let account = uuid::Uuid::parse_str(me["account_id"].as_str().unwrap()).unwrap();
    gongzhi_app::procurement::seat_org_staff(
        &t.state.app,
        &gongzhi_app::authz::Actor::system(),
        uuid::Uuid::parse_str(&org).unwrap(),
        account,
        "admin",
    )
    .await
    .unwrap();
    let refused = post_form(
        t,
        &staff,
        &format!("/call/{call}/bid"),
        format!(
            "organisation_id={org}&theme=%E9%82%BB%E9%87%8C%E5%85%B1%E8%9E%8D&price=40000&cofunding=\
             &plan=%E6%A5%BC%E9%81%93%E8%8C%B6%E8%AF%9D%E4%BC%9A"
        ),
    )
    .await;
    assert!(refused.contains("¥30,000.00"), "{refused}");
    assert!(
        refused.contains(">楼道茶话会</textarea>")
            && refused.contains("value=\"40000\"")
            && refused.contains("<option selected>邻里共融</option>"),
        "the refused bid keeps what was typed: {refused}"
    );
}
