//! The demo's elections: 北苑's group elects its council by secret ballot, and a by-election
//! fills a seat left early.

use super::*;

/// 第三居民小组's council, elected by secret ballot last December: the group's residents (北苑 and
/// its neighbour 东苑) elect 3 of 4 candidates. Returns the council.
pub(super) async fn seed_group_election(
    app: &App,
    admin: &Actor,
    (jinyang, group): (Uuid, Uuid),
    present: Instant,
) -> Result<Uuid, Failure> {
    use gongzhi_app::councils::{self, NewCouncil};
    use gongzhi_app::elections::{self, NewElection};
    let dongyuan = place(
        app,
        admin,
        group,
        "courtyard",
        "dongyuan",
        "东苑小区",
        "Dongyuan Courtyard",
    )
    .await?;
    let mut neighbours = Vec::new();
    for name in ["周建民", "吴桂芳", "郑海燕", "王德明", "冯淑珍", "陈国强"] {
        neighbours.push(
            people::register_resident(
                app,
                admin,
                jinyang,
                &NewResident {
                    name: name.into(),
                    courtyard_id: Some(dongyuan),
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    let council = councils::create_council(
        app,
        admin,
        &NewCouncil {
            jurisdiction_id: group,
            kind: "council",
            name_zh: "第三居民小组议事会",
            name_en: "Resident Group 3 Council",
            short_name: "晋阳三组",
        },
    )
    .await?;
    let roster = people::list_residents(app, admin, jinyang, 100).await?;
    let zhao = roster
        .iter()
        .find(|r| r.name == "赵秀英")
        .map(|r| r.id)
        .ok_or_else(|| Failure("demo resident 赵秀英 missing".into()))?;
    // Voting ran for a week, a little under a year ago.
    clock_to(app, present.plus_seconds(-340 * 86_400))?;
    let candidates = [zhao, neighbours[0], neighbours[1], neighbours[2]];
    let election = elections::open_election(
        app,
        admin,
        &NewElection {
            council_id: council,
            kind: "general",
            title: "第三居民小组议事会换届选举",
            seats: 3,
            candidates: &candidates,
            closes_at: app.now().plus_seconds(7 * 86_400),
            term_end: Some("2028-12-31"),
        },
    )
    .await?;
    // Paper ballots entered by the community office (recorded as entered by staff): 8 of the 12.
    let ballots: [&[Uuid]; 8] = [
        &[zhao, neighbours[0], neighbours[1]],
        &[zhao, neighbours[0], neighbours[2]],
        &[zhao, neighbours[1], neighbours[0]],
        &[neighbours[0], neighbours[1]],
        &[zhao, neighbours[0]],
        &[zhao, neighbours[2], neighbours[1]],
        &[neighbours[1], neighbours[0], zhao],
        &[],
    ];
    let voters: Vec<Uuid> = roster
        .iter()
        .filter(|r| r.courtyard_id.is_some() && r.name != "周玉兰")
        .map(|r| r.id)
        .collect();
    for (voter, choice) in voters.iter().rev().zip(ballots) {
        elections::cast_ballot(app, admin, election, choice, Some(*voter)).await?;
    }
    clock_to(app, app.now().plus_seconds(7 * 86_400 + 3_600))?;
    elections::close_election(app, admin, election).await?;
    Ok(council)
}

/// This week: one of the group council's members has moved away, and the by-election for the
/// seat is open; 田小余 (signed in by phone) can vote in it.
pub(super) async fn seed_by_election(
    app: &App,
    admin: &Actor,
    (jinyang, council): (Uuid, Uuid),
    present: Instant,
) -> Result<(), Failure> {
    use gongzhi_app::councils;
    use gongzhi_app::elections::{self, NewElection, NewSeries};
    let (_, seats, _) = councils::council_view(app, council).await?;
    let leaving = seats
        .iter()
        .find(|s| s.resident_name == "周建民")
        .ok_or_else(|| Failure("demo seat of 周建民 missing".into()))?;
    let last_day =
        gongzhi_domain::time::format_date(present.plus_seconds(-2 * 86_400).china_date());
    elections::end_seat(app, admin, council, leaving.id, "moved_away", &last_day).await?;
    let tenant_residents = people::list_residents(app, admin, jinyang, 100).await?;
    let candidates: Vec<Uuid> = ["王德明", "冯淑珍"]
        .iter()
        .filter_map(|n| tenant_residents.iter().find(|r| r.name == *n).map(|r| r.id))
        .collect();
    let election = elections::open_election(
        app,
        admin,
        &NewElection {
            council_id: council,
            kind: "by_election",
            title: "第三居民小组议事会补选（1 席）",
            seats: 1,
            candidates: &candidates,
            closes_at: present.plus_seconds(7 * 86_400),
            term_end: None,
        },
    )
    .await?;
    // Three ballots so far, entered at the residents' request by the community office.
    let voters: Vec<Uuid> = tenant_residents
        .iter()
        .filter(|r| ["陈国强", "吴桂芳", "郑海燕"].contains(&r.name.as_str()))
        .map(|r| r.id)
        .collect();
    for (voter, choice) in voters
        .iter()
        .zip([candidates[0], candidates[1], candidates[0]])
    {
        elections::cast_ballot(app, admin, election, &[choice], Some(*voter)).await?;
    }
    // The group council meets on the 10th of every month.
    let today = gongzhi_domain::time::format_date(present.china_date());
    elections::schedule_series(
        app,
        admin,
        &NewSeries {
            council_id: council,
            title: "第三居民小组议事会例会",
            day: 10,
            time: "19:30",
            from: &today,
            meetings: 12,
        },
    )
    .await?;
    Ok(())
}
