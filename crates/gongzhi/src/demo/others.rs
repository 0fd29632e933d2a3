//! The other communities of the street, seeded thinly so that the directory and the portal have
//! neighbours.

use super::*;

/// More communities from the seeds, with their needs and claimed projects: 锦绣社区 (成华区,
/// seed 001: a lift repaired, rubbish and drains cleared, 蒋姐姐助老服务队 of 50+ retirees),
/// 凉水井街社区 (武侯区, seed 001: 同行社工's culture project) and 朱家庙社区's 金河苑小区 (双流区
/// 公兴街道, seed 002: relocated villagers asking for a lift repair and a tea room). Streets the
/// seeds do not name are labelled as such.
pub(super) async fn seed_other_communities(
    app: &App,
    admin: &Actor,
    (city, wuhou): (Uuid, Uuid),
) -> Result<(), Failure> {
    use gongzhi_app::projects::{self, Evidence, NeedAction, NewProject};
    use gongzhi_domain::project::FundingSplit;
    let chenghua = place(
        app,
        admin,
        city,
        "district",
        "chenghua",
        "成华区",
        "Chenghua District",
    )
    .await?;
    let ch_street = place(
        app,
        admin,
        chenghua,
        "street",
        "chenghua-street",
        "成华区某街道（种子未载明）",
        "A street of Chenghua (not named in the seed)",
    )
    .await?;
    let jinxiu = place(
        app,
        admin,
        ch_street,
        "community",
        "jinxiu",
        "锦绣社区",
        "Jinxiu Community",
    )
    .await?;
    let jinxiu_east = place(
        app,
        admin,
        jinxiu,
        "courtyard",
        "jinxiu-dongfang",
        "锦绣东方小区",
        "Jinxiu Dongfang",
    )
    .await?;
    let wh_street = place(
        app,
        admin,
        wuhou,
        "street",
        "liangshuijing-street",
        "武侯区某街道（种子未载明）",
        "A street of Wuhou (not named in the seed)",
    )
    .await?;
    let liangshuijing = place(
        app,
        admin,
        wh_street,
        "community",
        "liangshuijing",
        "凉水井街社区",
        "Liangshuijing Street Community",
    )
    .await?;
    let shuangliu = place(
        app,
        admin,
        city,
        "district",
        "shuangliu",
        "双流区",
        "Shuangliu District",
    )
    .await?;
    let gongxing = place(
        app,
        admin,
        shuangliu,
        "street",
        "gongxing",
        "公兴街道",
        "Gongxing Street",
    )
    .await?;
    let zhujiamiao = place(
        app,
        admin,
        gongxing,
        "community",
        "zhujiamiao",
        "朱家庙社区",
        "Zhujiamiao Community",
    )
    .await?;
    let jinheyuan = place(
        app,
        admin,
        zhujiamiao,
        "courtyard",
        "jinheyuan",
        "金河苑小区",
        "Jinheyuan",
    )
    .await?;

    for (at, channel, category, title, close) in [
        (
            jinxiu_east,
            "yard_meeting",
            "infrastructure",
            "电梯经常停运",
            Some("电梯已由维保单位大修，9 月恢复运行。"),
        ),
        (
            jinxiu_east,
            "yard_meeting",
            "environment",
            "小区垃圾堆积无人清运",
            Some("居民自治小组与物业约定每日清运。"),
        ),
        (
            jinxiu_east,
            "phone",
            "environment",
            "下水道堵塞返水",
            Some("已疏通。"),
        ),
        (
            jinheyuan,
            "yard_meeting",
            "infrastructure",
            "我们楼的电梯又坏了",
            None,
        ),
        (
            jinheyuan,
            "yard_meeting",
            "community_building",
            "老人想要一间喝茶聊天的屋子",
            None,
        ),
    ] {
        let id = demo_need(
            app,
            admin,
            at,
            (channel, category),
            title,
            "议事会成员在院坝收集",
        )
        .await?;
        if let Some(reply) = close {
            projects::act_on_need(
                app,
                admin,
                id,
                NeedAction::Reply {
                    reply,
                    close: Some("resolved"),
                },
            )
            .await?;
        }
    }
    for (at, title, yuan, category, claimant, kind, offer) in [
        (
            jinxiu_east,
            "独居老人探访与邻里调解",
            6_000,
            "volunteering",
            "蒋姐姐助老服务队",
            "volunteer_team",
            "50 多名退休居民每周上门探访独居老人，调解邻里纠纷",
        ),
        (
            liangshuijing,
            "“饮水思源，奉献之泉”社区文化项目",
            20_000,
            "community_building",
            "同行社工",
            "social_org",
            "社工机构策划实施，组织居民志愿者参与",
        ),
    ] {
        let p = projects::propose_project(
            app,
            admin,
            &NewProject {
                place_id: at,
                title,
                scope: offer,
                category,
                split: FundingSplit {
                    total: yuan * 100,
                    fund: yuan * 100,
                    cofunding: 0,
                    other: 0,
                },
                cofunding_source: "",
                opinions: "",
                implementer_plan: "claim",
                needs: &[],
            },
        )
        .await?;
        projects::advance(app, admin, p, "screening", Evidence::Screening { note: "" }).await?;
        projects::claim_project(app, admin, p, claimant, kind, offer).await?;
    }
    Ok(())
}
