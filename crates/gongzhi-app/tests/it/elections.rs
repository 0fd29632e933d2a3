//! Council elections by secret ballot, by-elections, resignations and meeting calendars.

use gongzhi_app::AppError;
use gongzhi_app::councils::{self, NewCouncil};
use gongzhi_app::elections::{self, NewElection, NewSeries};
use gongzhi_app::people::{self, NewResident};
use gongzhi_app::verify::verify_database;
use uuid::Uuid;

use crate::{World, assert_record_verifies, event_count, settled, world};

fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Invalid(d)) => d.code.0.to_string(),
        Err(other) => other.code().to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// `n` residents of 北苑 (the courtyard of 晋阳); the first is linked to the `resident` account,
/// so that account votes as herself.
async fn residents(w: &World, n: usize) -> Vec<Uuid> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(
            people::register_resident(
                &w.app,
                &w.staff,
                w.jinyang,
                &NewResident {
                    name: format!("居民{i}"),
                    courtyard_id: Some(w.beiyuan),
                    account_id: (i == 0).then(|| w.resident.account_id.unwrap()),
                    ..Default::default()
                },
            )
            .await
            .unwrap(),
        );
    }
    out
}

async fn beiyuan_council(w: &World) -> Uuid {
    councils::create_council(
        &w.app,
        &w.staff,
        &NewCouncil {
            jurisdiction_id: w.beiyuan,
            kind: "council",
            name_zh: "北苑小区议事会",
            name_en: "Beiyuan council",
            short_name: "北苑小区",
        },
    )
    .await
    .unwrap()
}

async fn open(
    w: &World,
    council: Uuid,
    kind: &str,
    seats: u32,
    candidates: &[Uuid],
) -> Result<Uuid, AppError> {
    elections::open_election(
        &w.app,
        &w.staff,
        &NewElection {
            council_id: council,
            kind,
            title: "北苑小区议事会选举",
            seats,
            candidates,
            closes_at: w.app.now().plus_seconds(3 * 86_400),
            term_end: Some("2029-11-30"),
        },
    )
    .await
}

async fn ballot_events(w: &World, command: &str) -> Vec<String> {
    let mut out = Vec::new();
    gongzhi_store::bulk::for_each_event_of(&w.app.db, w.jinyang, i64::MAX, |e| {
        if e.command == command {
            out.push(e.payload.clone());
        }
        Ok(())
    })
    .await
    .unwrap();
    out
}

/// 北苑 elects a council of 5 from 6 candidates by secret ballot: 9 of 12 residents vote, one
/// online as herself and 8 entered by staff as assisted ballots; the count seats the five with
/// the most votes, and the chain shows who voted apart from what was voted.
#[tokio::test]
async fn beiyuan_elects_its_council_by_secret_ballot() {
    let w = world().await;
    let people = residents(&w, 12).await;
    let council = beiyuan_council(&w).await;
    let candidates = &people[1..7];
    let e = open(&w, council, "general", 5, candidates).await.unwrap();
    let view = elections::election_view(&w.app, e).await.unwrap();
    assert_eq!(view.election.electorate, 12);
    assert!(view.voting_open);

    // The election waits on the resident's to-do list until she votes; staff have no ballot.
    let votes_waiting = |todo: Vec<gongzhi_app::todo::Todo>| {
        todo.into_iter()
            .any(|t| matches!(t, gongzhi_app::todo::Todo::Vote { election, .. } if election == e))
    };
    assert!(votes_waiting(
        gongzhi_app::todo::todo_list(&w.app, &w.resident)
            .await
            .unwrap()
    ));
    assert!(!votes_waiting(
        gongzhi_app::todo::todo_list(&w.app, &w.staff)
            .await
            .unwrap()
    ));

    // The resident votes as herself, for the first five candidates.
    elections::cast_ballot(&w.app, &w.resident, e, &candidates[..5], None)
        .await
        .unwrap();
    assert!(!votes_waiting(
        gongzhi_app::todo::todo_list(&w.app, &w.resident)
            .await
            .unwrap()
    ));
    let before = event_count(&w.app).await;
    assert_eq!(
        code(elections::cast_ballot(&w.app, &w.resident, e, &candidates[..1], None).await),
        "ballot_already_cast"
    );
    assert_eq!(
        code(elections::cast_ballot(&w.app, &w.staff, e, candidates, Some(people[1])).await),
        "ballot_too_many_choices"
    );
    assert_eq!(
        code(elections::cast_ballot(&w.app, &w.staff, e, &[people[0]], Some(people[1])).await),
        "ballot_unknown_candidate"
    );
    // Staff of another community cannot enter ballots here.
    assert_eq!(
        code(elections::cast_ballot(&w.app, &w.other_staff, e, &[], Some(people[1])).await),
        "forbidden"
    );
    assert_eq!(
        event_count(&w.app).await,
        before,
        "refused ballots change nothing"
    );

    // Eight assisted ballots: candidates 1..4 get every vote, the 6th (index 5) 5 votes, the 5th 2.
    for (i, voter) in people[1..9].iter().enumerate() {
        let mut choice = candidates[..4].to_vec();
        choice.push(if i < 5 { candidates[5] } else { candidates[4] });
        elections::cast_ballot(&w.app, &w.staff, e, &choice, Some(*voter))
            .await
            .unwrap();
    }
    assert_eq!(
        code(elections::close_election(&w.app, &w.staff, e).await),
        "election_still_open"
    );
    w.app.clock.advance(3 * 86_400 + 60).unwrap();
    assert_eq!(
        code(elections::cast_ballot(&w.app, &w.staff, e, &[], Some(people[10])).await),
        "election_closed"
    );
    let count = elections::close_election(&w.app, &w.staff, e)
        .await
        .unwrap();
    assert!(count.valid);
    assert_eq!(count.ballots, 9);
    let votes = |r: Uuid| count.votes.iter().find(|v| v.0 == r).unwrap().1;
    assert_eq!(votes(candidates[0]), 9);
    assert_eq!(votes(candidates[4]), 4);
    assert_eq!(votes(candidates[5]), 5);
    let mut elected = count.elected.clone();
    elected.sort();
    let mut expected: Vec<Uuid> = candidates[..4].to_vec();
    expected.push(candidates[5]);
    expected.sort();
    assert_eq!(elected, expected);

    // The elected hold seats for the term.
    let record = councils::council_view(&w.app, council).await.unwrap();
    let mut seated: Vec<Uuid> = record.1.iter().map(|s| s.resident_id).collect();
    seated.sort();
    assert_eq!(seated, expected);
    assert!(
        record
            .1
            .iter()
            .all(|s| s.term_end.as_deref() == Some("2029-11-30"))
    );

    // No ballot event carries a ballot; the closing event images all nine, and the chain verifies.
    let cast = ballot_events(&w, "election.ballot").await;
    assert_eq!(cast.len(), 9);
    assert!(cast.iter().all(|p| !p.contains("sealed_ballots")));
    let closed = ballot_events(&w, "election.close").await;
    assert_eq!(closed[0].matches("\"t\":\"sealed_ballots\"").count(), 9);
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);

    // A ballot slipped into the opened box behind the application is found.
    let mut tx = w.app.db.begin().await.unwrap();
    tx.exec(
        "INSERT INTO sealed_ballots (tenant_id, box_id, id, choices) VALUES ($1, $2, $3, '[]')",
        &[w.jinyang.into(), e.into(), Uuid::new_v4().into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("ballot found in a box opened before it")),
        "{:?}",
        report.problems
    );
}

/// A box tampered with while sealed is refused at the count, and nothing changes.
#[tokio::test]
async fn a_stuffed_ballot_box_is_not_counted() {
    let w = world().await;
    let people = residents(&w, 4).await;
    let council = beiyuan_council(&w).await;
    let e = open(&w, council, "general", 3, &people[..3]).await.unwrap();
    for p in &people[..3] {
        elections::cast_ballot(&w.app, &w.staff, e, &people[..3], Some(*p))
            .await
            .unwrap();
    }
    let report = verify_database(&w.app.db).await.unwrap();
    assert!(
        report.ok(),
        "sealed ballots are expected to have no image yet: {:?}",
        report.problems
    );
    let mut tx = w.app.db.begin().await.unwrap();
    tx.exec(
        "INSERT INTO sealed_ballots (tenant_id, box_id, id, choices) VALUES ($1, $2, $3, $4)",
        &[
            w.jinyang.into(),
            e.into(),
            Uuid::new_v4().into(),
            format!("[\"{}\"]", people[3]).into(),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    w.app.clock.advance(4 * 86_400).unwrap();
    let before = event_count(&w.app).await;
    assert_eq!(
        code(elections::close_election(&w.app, &w.staff, e).await),
        "ballot_box_count_mismatch"
    );
    assert_eq!(event_count(&w.app).await, before);
    assert_eq!(
        elections::election_view(&w.app, e)
            .await
            .unwrap()
            .election
            .status
            .as_str(),
        "open"
    );
}

/// Turnout below the rule elects nobody; candidates are checked when the election opens.
#[tokio::test]
async fn elections_refuse_bad_input_and_low_turnout_elects_nobody() {
    let w = world().await;
    let people = residents(&w, 6).await;
    let council = beiyuan_council(&w).await;
    assert_eq!(
        code(open(&w, council, "general", 3, &people[..2]).await),
        "election_too_few_candidates"
    );
    assert_eq!(
        code(open(&w, council, "general", 2, &people[..3]).await),
        "election_seats_below_minimum"
    );
    assert_eq!(
        code(
            open(
                &w,
                council,
                "general",
                3,
                &[people[0], people[0], people[1]]
            )
            .await
        ),
        "election_candidate_twice"
    );
    assert_eq!(
        code(open(&w, council, "mayoral", 3, &people[..3]).await),
        "election_kind_unknown"
    );
    let stranger = people::register_resident(
        &w.app,
        &w.other_staff,
        w.yudong,
        &NewResident {
            name: "外社区居民".into(),
            courtyard_id: Some(w.yudong_court),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        code(open(&w, council, "general", 3, &[people[0], people[1], stranger]).await),
        "election_candidate_not_on_roll"
    );
    let e = open(&w, council, "general", 3, &people[..3]).await.unwrap();
    assert_eq!(
        code(open(&w, council, "general", 3, &people[..3]).await),
        "election_already_open"
    );
    // Three of six vote: not more than half.
    for p in &people[..3] {
        elections::cast_ballot(&w.app, &w.staff, e, &people[..3], Some(*p))
            .await
            .unwrap();
    }
    w.app.clock.advance(4 * 86_400).unwrap();
    let count = elections::close_election(&w.app, &w.staff, e)
        .await
        .unwrap();
    assert!(!count.valid);
    assert_eq!(count.min_ballots, 4);
    assert!(count.elected.is_empty());
    let view = elections::election_view(&w.app, e).await.unwrap();
    assert!(
        view.candidates
            .iter()
            .all(|c| c.outcome.as_deref() == Some("not_elected"))
    );
}

/// A member resigns; a by-election fills the vacant seat for the rest of the term and no more.
#[tokio::test]
async fn a_resignation_opens_a_by_election_for_the_vacant_seat() {
    let w = world().await;
    let people = residents(&w, 8).await;
    let council = beiyuan_council(&w).await;
    let e = open(&w, council, "general", 3, &people[..3]).await.unwrap();
    for p in &people[..5] {
        elections::cast_ballot(&w.app, &w.staff, e, &people[..3], Some(*p))
            .await
            .unwrap();
    }
    w.app.clock.advance(4 * 86_400).unwrap();
    let count = elections::close_election(&w.app, &w.staff, e)
        .await
        .unwrap();
    assert_eq!(count.elected.len(), 3);
    let (_, seats, _) = councils::council_view(&w.app, council).await.unwrap();
    // people[0] is the resident account's own record: she resigns herself.
    let hers = seats
        .iter()
        .find(|s| s.resident_id == people[0])
        .unwrap()
        .id;
    let other = seats
        .iter()
        .find(|s| s.resident_id == people[1])
        .unwrap()
        .id;
    let today = gongzhi_domain::time::format_date(w.app.now().china_date());
    assert_eq!(
        code(elections::end_seat(&w.app, &w.resident, council, other, "resigned", &today).await),
        "forbidden"
    );
    assert_eq!(
        code(elections::end_seat(&w.app, &w.resident, council, hers, "deceased", &today).await),
        "forbidden"
    );
    assert_eq!(
        code(
            elections::end_seat(&w.app, &w.resident, council, hers, "resigned", "2031-01-01").await
        ),
        "seat_end_out_of_term"
    );
    elections::end_seat(&w.app, &w.resident, council, hers, "resigned", &today)
        .await
        .unwrap();
    assert_eq!(
        code(elections::end_seat(&w.app, &w.staff, council, hers, "removed", &today).await),
        "seat_already_ended"
    );
    w.app.clock.advance(86_400).unwrap();
    assert_eq!(
        code(open(&w, council, "by_election", 2, &people[3..6]).await),
        "election_no_vacancy"
    );
    let by = elections::open_election(
        &w.app,
        &w.staff,
        &NewElection {
            council_id: council,
            kind: "by_election",
            title: "北苑小区议事会补选",
            seats: 1,
            candidates: &people[3..5],
            closes_at: w.app.now().plus_seconds(86_400),
            term_end: None,
        },
    )
    .await
    .unwrap();
    for p in &people[..6] {
        elections::cast_ballot(&w.app, &w.staff, by, &[people[3]], Some(*p))
            .await
            .unwrap();
    }
    w.app.clock.advance(2 * 86_400).unwrap();
    let count = elections::close_election(&w.app, &w.staff, by)
        .await
        .unwrap();
    assert_eq!(count.elected, vec![people[3]]);
    let (_, seats, _) = councils::council_view(&w.app, council).await.unwrap();
    assert_eq!(
        seats.len(),
        3,
        "two of the general election and one by-elected"
    );
    let new_seat = seats.iter().find(|s| s.resident_id == people[3]).unwrap();
    assert_eq!(
        new_seat.term_end.as_deref(),
        Some("2029-11-30"),
        "the rest of the term"
    );
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

/// 北苑's council meets on the 10th of every month at 19:30: twelve meetings in one command.
#[tokio::test]
async fn a_monthly_calendar_schedules_meetings_on_the_tenth() {
    let w = world().await;
    let council = beiyuan_council(&w).await;
    elections::schedule_series(
        &w.app,
        &w.staff,
        &NewSeries {
            council_id: council,
            title: "北苑小区议事会例会",
            day: 10,
            time: "19:30",
            from: "2026-11-24",
            meetings: 12,
        },
    )
    .await
    .unwrap();
    let (_, _, meetings) = councils::council_view(&w.app, council).await.unwrap();
    assert_eq!(meetings.len(), 12);
    let first =
        gongzhi_domain::time::Instant::from_micros(meetings[0].scheduled_for).china_minute();
    let last =
        gongzhi_domain::time::Instant::from_micros(meetings[11].scheduled_for).china_minute();
    assert_eq!(first, "2026-12-10 19:30");
    assert_eq!(last, "2027-11-10 19:30");
    let series = elections::series_of(&w.app, council).await.unwrap();
    assert_eq!((series[0].day_of_month, series[0].meetings), (10, 12));
    let bad = |day: u8, time: &'static str, meetings: u32| NewSeries {
        council_id: council,
        title: "例会",
        day,
        time,
        from: "2026-11-24",
        meetings,
    };
    let before = event_count(&w.app).await;
    assert_eq!(
        code(elections::schedule_series(&w.app, &w.staff, &bad(32, "19:30", 3)).await),
        "schedule_day_invalid"
    );
    assert_eq!(
        code(elections::schedule_series(&w.app, &w.staff, &bad(10, "7pm", 3)).await),
        "schedule_time_invalid"
    );
    assert_eq!(
        code(elections::schedule_series(&w.app, &w.staff, &bad(10, "19:30", 25)).await),
        "schedule_count_invalid"
    );
    assert_eq!(
        code(elections::schedule_series(&w.app, &w.resident, &bad(10, "19:30", 3)).await),
        "forbidden"
    );
    assert_eq!(event_count(&w.app).await, before);
}

/// An election closed eight times at once, once its voting time is over: one close opens the box
/// and seats the elected, the others hear it is closed (never an internal error), and the
/// record verifies (both backends).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_election_closed_eight_times_at_once_is_counted_once() {
    let w = world().await;
    let people = residents(&w, 6).await;
    let council = beiyuan_council(&w).await;
    let e = open(&w, council, "general", 3, &people[1..5])
        .await
        .unwrap();
    for voter in &people[..4] {
        elections::cast_ballot(&w.app, &w.staff, e, &people[1..4], Some(*voter))
            .await
            .unwrap();
    }
    w.app.clock.advance(3 * 86_400 + 60).unwrap();
    let before = event_count(&w.app).await;
    let closes: Vec<_> = (0..8)
        .map(|_| {
            let (app, staff) = (w.app.clone(), w.staff.clone());
            tokio::spawn(async move { elections::close_election(&app, &staff, e).await })
        })
        .collect();
    let counted = settled(closes, "election_closed").await;
    assert_eq!(counted.len(), 1, "one close counts");
    assert_eq!(counted[0].ballots, 4);
    assert_eq!(
        event_count(&w.app).await,
        before + 1,
        "one event, one count"
    );
    assert_record_verifies(&w.app).await;
}
