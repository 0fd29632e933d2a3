//! The demo's resident-wide budget vote: 玉东社区 shares 30,000 yuan of public-service money
//! between residents' micro-project proposals (seed 002: the money levered 11 resident-run
//! projects). Counted by equal shares completed by votes, so the results page shows who paid for
//! what. The proposals' titles follow the seed's examples; their costs, the 60 voters and their
//! ballots are illustrative (grade U).

use gongzhi_app::authz::Actor;
use gongzhi_app::budget_votes::{self, NewBudgetVote};
use gongzhi_app::people::{self, NewResident};
use gongzhi_app::{App, AppError};
use gongzhi_domain::Fen;
use gongzhi_domain::budget_vote::BallotForm;
use uuid::Uuid;

use crate::Failure;
use crate::demo::clock_to;

const PROPOSALS: [(&str, i64); 14] = [
    ("暑期托管班", 4_000),
    ("亲子厨房", 3_000),
    ("院落文化节", 2_500),
    ("邻里互助站", 2_000),
    ("长者读书会", 1_500),
    ("家庭教育讲座", 1_800),
    ("楼道绿植角", 1_200),
    ("手工编织坊", 1_600),
    ("睦邻茶话会", 1_000),
    ("儿童科学课", 3_500),
    ("便民维修日", 2_200),
    ("社区合唱团", 2_800),
    ("屋顶菜园", 5_000),
    ("宠物友好角", 4_500),
];

/// Opens the vote, enters 60 residents' ballots (paper ballots entered by staff, recorded as
/// such), and closes and counts it once its ten days are over. Returns the vote's id.
pub(crate) async fn seed_yudong_vote(
    app: &App,
    admin: &Actor,
    yudong: Uuid,
    court: Uuid,
) -> Result<Uuid, Failure> {
    let (staff_id, _) = gongzhi_app::accounts::account_by_username(app, "yudong-staff")
        .await?
        .ok_or_else(|| Failure("yudong-staff is missing".into()))?;
    let mut tx = app.db.read().await.map_err(AppError::from)?;
    let staff = Actor::load(&mut tx, staff_id).await?;
    tx.rollback().await.map_err(AppError::from)?;
    let year = app.now().china_date().year();
    gongzhi_app::rules::set_rule(
        app,
        admin,
        yudong,
        "budget_vote.rule",
        r#"{"rule":"mes_cost_then_greedy_cost","per":"resident"}"#,
        &format!("{year}-01-01"),
        "玉东社区：平等份额法计票，余款按票数补足（示例）/ Yudong: equal shares, then by votes (illustrative)",
    )
    .await?;
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
    let given = ["秀兰", "建华", "玉梅", "志强", "桂英", "国平"];
    let mut voters = Vec::new();
    for i in 0..60 {
        voters.push(
            people::register_resident(
                app,
                admin,
                yudong,
                &NewResident {
                    name: format!("{}{}", surnames[i % 10], given[i / 10]),
                    courtyard_id: Some(court),
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    let projects: Vec<(String, Fen)> = PROPOSALS
        .iter()
        .map(|(t, yuan)| (t.to_string(), Fen::new(yuan * 100)))
        .collect();
    let vote = budget_votes::open_vote(
        app,
        &staff,
        &NewBudgetVote {
            place_id: yudong,
            title: &format!("玉东社区 {year} 年居民小微项目投票"),
            budget: Fen::new(3_000_000),
            form: BallotForm::ApproveK { k: 5 },
            projects: &projects,
            closes_at: app.now().plus_seconds(10 * 86_400),
        },
    )
    .await?;
    // Families with children favour the day care, the kitchen and the science class; older
    // residents the reading club, the tea party and the repairs; everyone likes the festival.
    let tastes: [&[usize]; 4] = [
        &[0, 1, 9, 2, 5],
        &[4, 8, 10, 2, 3],
        &[6, 7, 11, 2],
        &[12, 13, 0],
    ];
    for (i, voter) in voters.iter().enumerate() {
        let taste = tastes[i % 7 % 4];
        let take = 2 + (i * 5) % (taste.len() - 1);
        let marks: Vec<(usize, u32)> = taste[..take].iter().map(|&p| (p, 1)).collect();
        budget_votes::cast_vote(app, &staff, vote, &marks, Some(*voter)).await?;
    }
    clock_to(app, app.now().plus_seconds(10 * 86_400 + 3_600))?;
    budget_votes::close_vote(app, &staff, vote).await?;
    Ok(vote)
}
