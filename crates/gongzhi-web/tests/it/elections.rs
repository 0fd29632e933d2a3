//! Council elections over HTTP: 北苑's chair resigns, a by-election fills her seat by secret
//! ballot (a resident votes on the page; staff enter assisted ballots through the API), the count
//! seats the winner, and the public pages show it without showing who voted for whom.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use super::core_loop::{anonymous, beiyuan, client};
use super::send;

#[tokio::test]
async fn a_resignation_and_a_by_election_by_secret_ballot() {
    let b = beiyuan().await;
    let t = &b.t;
    let staff = client(t, "staff").await;
    let tian = client(t, "tian").await;
    let public = anonymous(t);
    let council = b.group_council;

    // 田小余, the chair, resigns from the council as herself.
    let today = "2026-11-22";
    let hers = b.group_seats[0];
    let other = b.group_seats[1];
    assert_eq!(
        tian.refused(
            "POST",
            &format!("/councils/{council}/seats/{other}/end"),
            json!({"reason": "resigned", "last_day": today})
        )
        .await,
        "forbidden"
    );
    tian.ok(
        "POST",
        &format!("/councils/{council}/seats/{hers}/end"),
        json!({"reason": "resigned", "last_day": today}),
    )
    .await;
    t.state.app.clock.advance(86_400).unwrap();

    // Two candidates and five more residents of 北苑.
    let mut people = Vec::new();
    for name in [
        "王候选",
        "赵候选",
        "居民甲",
        "居民乙",
        "居民丙",
        "居民丁",
        "居民戊",
    ] {
        let v = staff
            .ok(
                "POST",
                "/residents",
                json!({"community_id": t.community, "name": name, "courtyard_id": b.beiyuan}),
            )
            .await;
        people.push(v["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    let (wang, zhao) = (people[0], people[1]);
    let open = |seats: u32| {
        json!({"council_id": council, "kind": "by_election", "title": "北苑小区议事会补选", "seats": seats,
               "candidates": [wang, zhao], "closes_at": "2026-11-26 18:00"})
    };
    assert_eq!(
        staff.refused("POST", "/elections", open(2)).await,
        "election_no_vacancy"
    );
    let e = staff.ok("POST", "/elections", open(1)).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Her ballot on the page: big tick boxes and the promise of secrecy.
    let ballot_page = tian.page(&format!("/e/{e}")).await;
    assert!(ballot_page.contains("无记名投票") && ballot_page.contains("name=\"choice\""));
    let cookie = tian.cookie.borrow().clone();
    let form = format!("choice={wang}");
    let req = Request::post(format!("/e/{e}/ballot"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(form))
        .unwrap();
    let (status, _, page) = send(&t.router, req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("您的选票已投入票箱"), "{page}");
    assert!(
        tian.page(&format!("/e/{e}"))
            .await
            .contains("您已在本次选举中投票")
    );
    assert_eq!(
        tian.refused(
            "POST",
            &format!("/elections/{e}/ballots"),
            json!({"choices": [zhao]})
        )
        .await,
        "ballot_already_cast"
    );
    assert_eq!(
        staff
            .refused(
                "POST",
                &format!("/elections/{e}/ballots"),
                json!({"choices": [wang, zhao], "resident_id": people[2]})
            )
            .await,
        "ballot_too_many_choices"
    );
    // Assisted ballots entered by staff: 王 gets four more, 赵 two.
    for (i, voter) in people.iter().enumerate() {
        let choice = if i % 3 == 1 { zhao } else { wang };
        staff
            .ok(
                "POST",
                &format!("/elections/{e}/ballots"),
                json!({"choices": [choice], "resident_id": voter}),
            )
            .await;
    }
    let during: Value = public
        .ok("GET", &format!("/elections/{e}"), json!(null))
        .await;
    assert_eq!(during["ballots_cast"], 8);
    assert!(
        during["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["votes"].is_null()),
        "no running tally"
    );
    assert_eq!(
        staff
            .refused("POST", &format!("/elections/{e}/close"), json!(null))
            .await,
        "election_still_open"
    );

    t.state.app.clock.advance(4 * 86_400).unwrap();
    assert_eq!(
        staff
            .refused(
                "POST",
                &format!("/elections/{e}/ballots"),
                json!({"choices": [], "resident_id": people[0]})
            )
            .await,
        "election_closed"
    );
    let count = staff
        .ok("POST", &format!("/elections/{e}/close"), json!(null))
        .await;
    assert_eq!(count["valid"], true, "{count}");
    assert_eq!(count["elected"], json!([wang]));
    let result = public
        .ok("GET", &format!("/elections/{e}"), json!(null))
        .await;
    let votes: Vec<(String, i64)> = result["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["votes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        votes,
        vec![("王候选".to_string(), 6), ("赵候选".to_string(), 2)]
    );

    // The council page names the new member and links the election; the election page explains.
    let council_page = public.page(&format!("/council/{council}")).await;
    assert!(council_page.contains("王候选") && !council_page.contains("田小余"));
    assert!(council_page.contains(&format!("/e/{e}")));
    let election_page = public.page(&format!("/e/{e}")).await;
    assert!(
        election_page.contains("当选")
            && election_page.contains("候选人得票占投票人数超过1/2始得当选")
    );
    let list = public
        .ok(
            "GET",
            &format!("/councils/{council}/elections"),
            json!(null),
        )
        .await;
    assert_eq!(list["elections"][0]["status"], "closed");

    // The meeting calendar: the 10th of each month at 19:30.
    staff
        .ok("POST", &format!("/councils/{council}/meeting-series"), json!({"title": "北苑小区议事会例会", "day": 10, "time": "19:30", "from": "2026-11-27", "meetings": 6}))
        .await;
    let council_page = public.page(&format!("/council/{council}")).await;
    assert!(council_page.contains("每月 10 日 19:30"), "{council_page}");
    assert!(council_page.contains("2026年12月10日 19:30"));
}
