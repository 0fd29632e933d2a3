//! Resident-wide budget votes: one secret ballot per resident, assisted ballots recorded as such,
//! nothing after closing, the count by the PB engine with its explanation, and the `.pb` export.

use gongzhi_app::AppError;
use gongzhi_app::budget_votes::{self, NewBudgetVote};
use gongzhi_app::people::{self, NewResident};
use gongzhi_app::verify::verify_database;
use gongzhi_domain::Fen;
use gongzhi_domain::allocation::{pabulib, rules};
use gongzhi_domain::budget_vote::{BallotForm, Why};
use uuid::Uuid;

use crate::{World, assert_record_verifies, event_count, settled, world};

fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Invalid(d)) => d.code.0.to_string(),
        Err(other) => other.code().to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// `n` residents of 北苑; the first is the `resident` account's.
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

fn projects() -> Vec<(String, Fen)> {
    vec![
        ("楼道灯".into(), Fen::new(1_200_000)),
        ("休闲座椅".into(), Fen::new(800_000)),
        ("儿童角".into(), Fen::new(1_000_000)),
    ]
}

async fn open(w: &World, form: BallotForm) -> Result<Uuid, AppError> {
    budget_votes::open_vote(
        &w.app,
        &w.staff,
        &NewBudgetVote {
            place_id: w.beiyuan,
            title: "北苑 2026 微项目投票",
            budget: Fen::new(2_000_000),
            form,
            projects: &projects(),
            closes_at: w.app.now().plus_seconds(2 * 86_400),
        },
    )
    .await
}

/// Ten residents of 北苑 share ¥20,000 between three projects: one votes online as herself, the
/// rest are entered by staff as assisted ballots. Each votes once, nothing is taken after the
/// close, the count equals the PB engine's on the exported file, and the chain verifies.
#[tokio::test]
async fn beiyuan_votes_on_its_micro_projects() {
    let w = world().await;
    let people = residents(&w, 10).await;
    let form = BallotForm::ApproveK { k: 2 };
    let vote = open(&w, form).await.unwrap();
    let view = budget_votes::vote_view(&w.app, vote).await.unwrap();
    assert_eq!(view.vote.electorate, 10);
    assert_eq!(view.vote.rule, "greedy_cost", "the rulebook's default");
    assert!(view.voting_open);
    assert!(
        budget_votes::may_vote(&w.app, &w.resident, vote)
            .await
            .unwrap()
    );

    budget_votes::cast_vote(&w.app, &w.resident, vote, &[(0, 1), (1, 1)], None)
        .await
        .unwrap();
    assert!(
        !budget_votes::may_vote(&w.app, &w.resident, vote)
            .await
            .unwrap()
    );
    let before = event_count(&w.app).await;
    assert_eq!(
        code(budget_votes::cast_vote(&w.app, &w.resident, vote, &[(2, 1)], None).await),
        "ballot_already_cast"
    );
    assert_eq!(
        code(
            budget_votes::cast_vote(
                &w.app,
                &w.staff,
                vote,
                &[(0, 1), (1, 1), (2, 1)],
                Some(people[1])
            )
            .await
        ),
        "budget_ballot_too_many"
    );
    assert_eq!(
        code(budget_votes::cast_vote(&w.app, &w.staff, vote, &[(7, 1)], Some(people[1])).await),
        "budget_ballot_unknown_project"
    );
    assert_eq!(
        code(
            budget_votes::cast_vote(&w.app, &w.other_staff, vote, &[(0, 1)], Some(people[1])).await
        ),
        "forbidden"
    );
    assert_eq!(
        event_count(&w.app).await,
        before,
        "refused ballots change nothing"
    );

    // Nine assisted ballots: six for the lamps and the benches, three for the children's corner.
    for (i, voter) in people[1..].iter().enumerate() {
        let marks: &[(usize, u32)] = if i < 6 { &[(0, 1), (1, 1)] } else { &[(2, 1)] };
        budget_votes::cast_vote(&w.app, &w.staff, vote, marks, Some(*voter))
            .await
            .unwrap();
    }
    let view = budget_votes::vote_view(&w.app, vote).await.unwrap();
    assert_eq!((view.vote.ballots_cast, view.channels), (10, (1, 9, 0)));
    assert_eq!(
        code(budget_votes::close_vote(&w.app, &w.staff, vote).await),
        "budget_vote_still_open"
    );
    assert_eq!(
        code(budget_votes::export_election(&w.app, vote).await),
        "budget_vote_still_open",
        "an open box is not exported"
    );

    w.app.clock.advance(2 * 86_400 + 60).unwrap();
    assert_eq!(
        code(budget_votes::cast_vote(&w.app, &w.staff, vote, &[(2, 1)], Some(people[0])).await),
        "budget_vote_closed"
    );
    let count = budget_votes::close_vote(&w.app, &w.staff, vote)
        .await
        .unwrap();
    // By votes: the lamps (7) and the benches (7) fit ¥20,000 exactly; the corner (3) does not.
    assert_eq!(count.ballots, 10);
    assert_eq!(count.spent, Fen::new(2_000_000));
    assert_eq!(count.projects[0].chosen, Some(1));
    assert_eq!(count.projects[1].chosen, Some(2));
    assert_eq!(count.projects[2].votes, 3);
    assert_eq!(count.projects[2].why, Why::DidNotFit { left: Fen::new(0) });
    assert_eq!(
        code(budget_votes::close_vote(&w.app, &w.staff, vote).await),
        "budget_vote_closed"
    );

    // The export is a valid .pb file whose count by the same rule gives the same winners.
    let election = budget_votes::export_election(&w.app, vote).await.unwrap();
    let mut bytes = Vec::new();
    pabulib::write(&election, &mut bytes).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("\nrule;greedy\n"), "{text}");
    assert!(!text.contains("居民"), "no names in the file");
    let reread = pabulib::parse(&bytes).unwrap();
    assert_eq!(reread.voter_count(), 10);
    let outcome = rules::run(&reread, rules::Rule::parse("greedy_cost", None).unwrap()).unwrap();
    assert_eq!(outcome.winners, vec![0, 1]);
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

/// The rulebook decides the rule: a points rule (equal shares by points) is refused on an
/// approval form when the vote opens, and taken on a points form.
#[tokio::test]
async fn the_rulebook_picks_the_rule_and_who_votes() {
    let w = world().await;
    residents(&w, 4).await;
    gongzhi_app::rules::set_rule(
        &w.app,
        &w.admin,
        w.jinyang,
        "budget_vote.rule",
        r#"{"rule":"mes_score","per":"resident"}"#,
        "2026-01-01",
        "试点：积分选票",
    )
    .await
    .unwrap();
    assert_eq!(
        code(open(&w, BallotForm::ApproveK { k: 2 }).await),
        "budget_vote_rule_unfit"
    );
    let vote = open(&w, BallotForm::Points { total: 10 }).await.unwrap();
    budget_votes::cast_vote(&w.app, &w.resident, vote, &[(0, 6), (2, 4)], None)
        .await
        .unwrap();
    let view = budget_votes::vote_view(&w.app, vote).await.unwrap();
    assert_eq!(view.vote.rule, "mes_score");
    assert_eq!(view.vote.electorate, 4);
    assert_eq!(
        code(
            budget_votes::cast_vote(&w.app, &w.staff, vote, &[(0, 6), (1, 5)], Some(Uuid::nil()))
                .await
        ),
        "budget_ballot_points_over"
    );
}

/// With `per: household`, the roll is the households of the area's residents and a household
/// votes once, whichever member casts it; a resident with no household has no ballot.
#[tokio::test]
async fn one_ballot_per_household_when_the_rulebook_says_so() {
    let w = world().await;
    gongzhi_app::rules::set_rule(
        &w.app,
        &w.admin,
        w.jinyang,
        "budget_vote.rule",
        r#"{"rule":"mes_cost_then_greedy_cost","per":"household"}"#,
        "2026-01-01",
        "按户投票",
    )
    .await
    .unwrap();
    let building = gongzhi_app::places::create_building(&w.app, &w.staff, w.beiyuan, "3栋")
        .await
        .unwrap();
    let home =
        gongzhi_app::places::create_household(&w.app, &w.staff, w.jinyang, building, "1", "201")
            .await
            .unwrap();
    let member = |name: &str, account: Option<Uuid>, household: Option<Uuid>| NewResident {
        name: name.into(),
        courtyard_id: Some(w.beiyuan),
        account_id: account,
        household_id: household,
        representative: false,
        ..Default::default()
    };
    people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &member("户主", w.resident.account_id, Some(home)),
    )
    .await
    .unwrap();
    let spouse = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &member("配偶", None, Some(home)),
    )
    .await
    .unwrap();
    let lodger =
        people::register_resident(&w.app, &w.staff, w.jinyang, &member("租户", None, None))
            .await
            .unwrap();
    let vote = open(&w, BallotForm::ApproveBudget).await.unwrap();
    let view = budget_votes::vote_view(&w.app, vote).await.unwrap();
    assert_eq!(
        (view.vote.per.as_str(), view.vote.electorate),
        ("household", 1)
    );
    assert_eq!(
        code(budget_votes::cast_vote(&w.app, &w.resident, vote, &[(0, 1), (2, 1)], None).await),
        "budget_ballot_over_budget"
    );
    budget_votes::cast_vote(&w.app, &w.resident, vote, &[(0, 1)], None)
        .await
        .unwrap();
    assert_eq!(
        code(budget_votes::cast_vote(&w.app, &w.staff, vote, &[(1, 1)], Some(spouse)).await),
        "ballot_already_cast",
        "the household has voted"
    );
    assert_eq!(
        code(budget_votes::cast_vote(&w.app, &w.staff, vote, &[(1, 1)], Some(lodger)).await),
        "ballot_not_on_roll"
    );
}

/// Paper ballots: staff mark three residents as voting on paper at the polling table; after the
/// close two clerks each type every sheet; a sheet typed differently blocks the count until it
/// is typed again from the paper, and the count then holds the online ballot and the three sheets.
#[tokio::test]
async fn paper_ballots_are_entered_twice_and_reconciled() {
    let w = world().await;
    let people = residents(&w, 6).await;
    let vote = open(&w, BallotForm::ApproveK { k: 2 }).await.unwrap();
    budget_votes::cast_vote(&w.app, &w.resident, vote, &[(2, 1)], None)
        .await
        .unwrap();
    for p in &people[1..4] {
        budget_votes::mark_paper_voter(&w.app, &w.staff, vote, *p)
            .await
            .unwrap();
    }
    assert_eq!(
        code(budget_votes::mark_paper_voter(&w.app, &w.staff, vote, people[1]).await),
        "ballot_already_cast"
    );
    assert_eq!(
        code(budget_votes::cast_vote(&w.app, &w.staff, vote, &[(0, 1)], Some(people[2])).await),
        "ballot_already_cast",
        "a paper voter has no second ballot"
    );
    let sheet = |clerk, number: &'static str, marks: &'static [(usize, u32)], entry| {
        let w = &w;
        async move { budget_votes::enter_paper_sheet(&w.app, clerk, vote, number, marks, entry).await }
    };
    assert_eq!(
        code(sheet(&w.staff, "001", &[(0, 1)], 1).await),
        "paper_before_close"
    );
    w.app.clock.advance(2 * 86_400 + 60).unwrap();
    for (number, marks) in [
        ("001", &[(0, 1), (1, 1)][..]),
        ("002", &[(0, 1)]),
        ("003", &[(1, 1)]),
    ] {
        sheet(&w.staff, number, marks, 1).await.unwrap();
    }
    sheet(&w.admin, "001", &[(1, 1), (0, 1)], 2).await.unwrap();
    sheet(&w.admin, "002", &[(0, 1)], 2).await.unwrap();
    // The second clerk misreads sheet 003.
    sheet(&w.admin, "003", &[(2, 1)], 2).await.unwrap();
    assert_eq!(
        code(sheet(&w.staff, "001", &[(0, 1)], 2).await),
        "paper_sheet_entered"
    );
    assert_eq!(
        code(sheet(&w.staff, "003", &[(1, 1)], 2).await),
        "paper_same_clerk"
    );
    assert_eq!(
        code(sheet(&w.staff, "004", &[(0, 1)], 3).await),
        "paper_entry_number"
    );
    assert_eq!(
        code(budget_votes::paper_reconciliation(&w.app, &w.resident, vote).await),
        "forbidden"
    );
    let check = budget_votes::paper_reconciliation(&w.app, &w.staff, vote)
        .await
        .unwrap();
    assert_eq!(check.marked, 3);
    assert_eq!(check.agreed.len(), 2);
    assert_eq!(check.disagree, vec!["003".to_string()]);
    match budget_votes::close_vote(&w.app, &w.staff, vote).await {
        Err(AppError::Invalid(d)) => {
            assert_eq!(d.code.0, "paper_sheets_unreconciled");
            assert!(d.args.iter().any(|(k, v)| *k == "sheets" && v == "003"));
        }
        other => panic!("expected the count to be refused, got {other:?}"),
    }
    // Typed again from the paper, the entries agree and the box is counted.
    sheet(&w.admin, "003", &[(1, 1)], 2).await.unwrap();
    let count = budget_votes::close_vote(&w.app, &w.staff, vote)
        .await
        .unwrap();
    assert_eq!(count.ballots, 4);
    assert_eq!(
        count.projects.iter().map(|p| p.votes).collect::<Vec<_>>(),
        vec![2, 2, 1]
    );
    let view = budget_votes::vote_view(&w.app, vote).await.unwrap();
    assert_eq!(view.channels, (1, 0, 3));
    let election = budget_votes::export_election(&w.app, vote).await.unwrap();
    assert_eq!(election.voter_count(), 4, "paper ballots are in the export");
    assert!(verify_database(&w.app.db).await.unwrap().ok());
}

/// A budget vote closed eight times at once: one close counts it, the others hear it is closed,
/// and the record verifies (both backends).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_budget_vote_closed_eight_times_at_once_is_counted_once() {
    let w = world().await;
    let people = residents(&w, 4).await;
    let vote = open(&w, BallotForm::ApproveK { k: 2 }).await.unwrap();
    for voter in &people {
        budget_votes::cast_vote(&w.app, &w.staff, vote, &[(0, 1), (1, 1)], Some(*voter))
            .await
            .unwrap();
    }
    w.app.clock.advance(2 * 86_400 + 60).unwrap();
    let before = event_count(&w.app).await;
    let closes: Vec<_> = (0..8)
        .map(|_| {
            let (app, staff) = (w.app.clone(), w.staff.clone());
            tokio::spawn(async move { budget_votes::close_vote(&app, &staff, vote).await })
        })
        .collect();
    let counted = settled(closes, "budget_vote_closed").await;
    assert_eq!(counted.len(), 1, "one close counts");
    assert_eq!(counted[0].ballots, 4);
    assert_eq!(event_count(&w.app).await, before + 1);
    assert_record_verifies(&w.app).await;
}
