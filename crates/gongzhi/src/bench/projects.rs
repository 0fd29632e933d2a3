//! `gongzhi bench projects`: fills one community with N needs (imported from spreadsheets, as
//! staff would) and M projects made from them (each proposed and screened through the app's
//! commands), and a staff account, for `scripts/bench-projects` to load the needs ledger and the
//! public project page with wrk. Filling is not the measurement; its times are printed for
//! information.

use std::time::Instant as Clock;

use gongzhi_app::authz::Actor;
use gongzhi_app::projects::{self, Evidence, NewProject};
use gongzhi_domain::project::FundingSplit;
use gongzhi_store::projects::NeedFilter;
use uuid::Uuid;

pub struct ProjectsBench {
    pub needs: usize,
    pub projects: usize,
    pub target: String,
}

const CATEGORIES: [&str; 6] = [
    "environment",
    "infrastructure",
    "volunteering",
    "community_building",
    "resident_quality",
    "other",
];
const CHANNELS: [&str; 5] = [
    "yard_meeting",
    "petition_drop",
    "evening_talk",
    "home_visit",
    "phone",
];
const COURTYARDS: usize = 20;

pub async fn run(b: ProjectsBench) -> Result<(), String> {
    let s = |e: gongzhi_app::AppError| format!("{e:?}");
    let (app, admin, community) = crate::bench::bench_world(&b.target).await?;
    let mut courts = Vec::new();
    for i in 0..COURTYARDS {
        let code = format!("bench-court-{i:02}");
        courts.push(
            gongzhi_app::places::create_jurisdiction(
                &app,
                &admin,
                &gongzhi_app::places::NewJurisdiction {
                    parent_id: Some(community),
                    level: "courtyard",
                    code: &code,
                    name_zh: &format!("基准{i}院"),
                    name_en: &code,
                },
            )
            .await
            .map_err(s)?,
        );
    }
    let staff_id = gongzhi_app::accounts::create_account(
        &app,
        &admin,
        community,
        "staff",
        &gongzhi_app::accounts::NewAccount {
            username: Some("bench-staff"),
            phone: None,
            display_name: "基准工作人员",
            password: "bench-password-1",
            locale: "zh-CN",
        },
    )
    .await
    .map_err(s)?;
    let staff = {
        let mut tx = app.db.read().await.map_err(|e| e.to_string())?;
        let a = Actor::load(&mut tx, staff_id).await.map_err(s)?;
        tx.rollback().await.map_err(|e| e.to_string())?;
        a
    };

    let started = Clock::now();
    let mut row = 0usize;
    while row < b.needs {
        let chunk = (b.needs - row).min(10_000);
        let mut csv = String::from("title,place,category,channel,body\n");
        for i in row..row + chunk {
            csv.push_str(&format!(
                "需求 {i}：楼道与院落问题,bench-court-{:02},{},{},坝坝会记录第 {i} 条\n",
                i % COURTYARDS,
                CATEGORIES[i % CATEGORIES.len()],
                CHANNELS[i % CHANNELS.len()],
            ));
        }
        projects::import_needs(&app, &staff, community, csv.as_bytes())
            .await
            .map_err(s)?;
        row += chunk;
    }
    let imported = started.elapsed();

    // The first `projects` needs (by number) each become a project.
    let mut need_ids = Vec::new();
    let mut before = None;
    while need_ids.len() < b.projects {
        let mut tx = app.db.read().await.map_err(|e| e.to_string())?;
        let page = gongzhi_store::projects::needs_page(
            &mut tx,
            community,
            &NeedFilter {
                before,
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        tx.rollback().await.map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        before = Some(last.number);
        need_ids.extend(
            page.iter()
                .map(|n| (n.id, n.jurisdiction_id, n.category.clone())),
        );
    }
    need_ids.truncate(b.projects);
    let started = Clock::now();
    let mut sample: Option<Uuid> = None;
    for (i, (need, place, category)) in need_ids.iter().enumerate() {
        let yuan = 2_000 + (i as i64 % 40) * 500;
        let p = projects::propose_project(
            &app,
            &staff,
            &NewProject {
                place_id: *place,
                title: &format!("基准项目 {i}：院落微更新"),
                scope: "更换路灯、修补围墙、清理消防通道",
                category,
                split: FundingSplit {
                    total: yuan * 100,
                    fund: yuan * 50,
                    cofunding: yuan * 50,
                    other: 0,
                },
                cofunding_source: "院落居民自筹",
                opinions: "坝坝会同意",
                implementer_plan: "quotes",
                needs: &[*need],
            },
        )
        .await
        .map_err(s)?;
        projects::advance(
            &app,
            &staff,
            p,
            "screening",
            Evidence::Screening { note: "" },
        )
        .await
        .map_err(s)?;
        if i == b.projects / 2 {
            sample = Some(p);
        }
    }
    let proposed = started.elapsed();
    app.db
        .refresh_statistics()
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "filled: {} needs imported in {:.1} s; {} projects proposed and screened in {:.1} s",
        b.needs,
        imported.as_secs_f64(),
        need_ids.len(),
        proposed.as_secs_f64()
    );
    // For the script: the community's code, a courtyard, a project, the staff login.
    println!("community=yudong");
    println!("courtyard={}", courts[3]);
    println!(
        "project={}",
        sample.map(|p| p.to_string()).unwrap_or_default()
    );
    println!("staff=bench-staff");
    Ok(())
}
