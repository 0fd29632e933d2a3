//! Government purchase of services: credit codes, catalogue codes, contract terms, scoring and
//! ranking, payment by evaluation, and the social organisations' share, checked by hand.

use gongzhi_domain::procurement::{
    Catalogue, CatalogueItem, Criterion, GrantRound, Method, OrgKind, PaymentRule, ProcurementRule,
    Ranked, ScoredBid, add_months, catalogue_parent, check_credit_code, check_criteria,
    check_org_identity, rank_bids, select_awards, social_org_share, weighted_score,
};
use gongzhi_domain::threshold::{Bound, Share};
use gongzhi_domain::time::parse_date;

fn code_of<T: std::fmt::Debug>(r: Result<T, gongzhi_domain::DomainError>) -> String {
    r.unwrap_err().code.0.to_string()
}

#[test]
fn credit_codes_are_checked_by_their_check_character() {
    // A real one (a company in Beijing) and ours, computed by GB 32100-2015's weights.
    assert_eq!(
        check_credit_code("91110000600037341L").unwrap(),
        "91110000600037341L"
    );
    assert_eq!(
        check_credit_code(" 52510107mj0000001b ").unwrap(),
        "52510107MJ0000001B"
    );
    assert_eq!(
        code_of(check_credit_code("52510107MJ0000001C")),
        "credit_code_check_digit"
    );
    let e = check_credit_code("52510107MJ0000001C").unwrap_err();
    assert!(e.args.contains(&("expected", "B".to_string())), "{e:?}");
    assert_eq!(code_of(check_credit_code("5251010")), "credit_code_length");
    // I, O, S, V and Z are not in the alphabet.
    assert_eq!(
        code_of(check_credit_code("52510107MJ000000IB")),
        "credit_code_character"
    );
}

#[test]
fn the_kind_fixes_the_credit_code_prefix_and_filed_groups_need_none() {
    assert_eq!(
        check_org_identity(OrgKind::VolunteerTeam, None).unwrap(),
        None
    );
    assert_eq!(
        code_of(check_org_identity(OrgKind::Company, None)),
        "credit_code_required"
    );
    // A 民办非企业单位 code (52…) offered as a 社会团体 (51…).
    assert_eq!(
        code_of(check_org_identity(
            OrgKind::SocialGroup,
            Some("52510107MJ0000001B")
        )),
        "credit_code_kind_mismatch"
    );
    assert!(check_org_identity(OrgKind::PrivateNonEnterprise, Some("52510107MJ0000001B")).is_ok());
    assert!(OrgKind::VolunteerTeam.is_social_org());
    assert!(!OrgKind::Company.is_social_org());
    assert!(!OrgKind::SocialEnterprise.is_social_org());
}

#[test]
fn catalogue_codes_have_three_levels_and_every_parent_is_listed() {
    assert_eq!(catalogue_parent("A").unwrap(), None);
    assert_eq!(catalogue_parent("A2").unwrap(), Some("A"));
    assert_eq!(catalogue_parent("A2-8").unwrap(), Some("A2"));
    for bad in ["a2", "A-8", "A2-", "A2-8-1", "", "AA"] {
        assert!(catalogue_parent(bad).is_err(), "{bad}");
    }
    let item = |c: &str| CatalogueItem {
        code: c.into(),
        zh: c.into(),
        en: c.into(),
    };
    let ok = Catalogue {
        items: vec![item("A"), item("A2"), item("A2-8")],
    };
    ok.validate().unwrap();
    assert_eq!(
        ok.path("A2-8")
            .iter()
            .map(|i| i.code.as_str())
            .collect::<Vec<_>>(),
        ["A", "A2", "A2-8"]
    );
    assert!(ok.leaf("A2-8").is_ok());
    assert_eq!(code_of(ok.leaf("A2")), "catalogue_code_not_leaf");
    assert_eq!(code_of(ok.leaf("B1-1")), "catalogue_code_unknown");
    let orphan = Catalogue {
        items: vec![item("A"), item("A2-8")],
    };
    assert_eq!(code_of(orphan.validate()), "catalogue_parent_missing");
}

fn rule() -> ProcurementRule {
    ProcurementRule {
        min_bidders: 3,
        min_cofunding: Share {
            num: 1,
            den: 10,
            bound: Bound::AtLeast,
        },
        max_months: 12,
        stable_max_months: 36,
        social_org_share: Share {
            num: 3,
            den: 10,
            bound: Bound::AtLeast,
        },
    }
}

#[test]
fn contract_terms_run_one_year_or_three_when_stable() {
    let d = |s| parse_date(s).unwrap();
    let r = rule();
    r.check_term(d("2026-03-01"), d("2027-02-28"), false)
        .unwrap();
    assert_eq!(
        code_of(r.check_term(d("2026-03-01"), d("2027-03-01"), false)),
        "contract_term_too_long"
    );
    r.check_term(d("2026-03-01"), d("2029-02-28"), true)
        .unwrap();
    // Four years, even for a stable service.
    assert_eq!(
        code_of(r.check_term(d("2026-03-01"), d("2030-02-28"), true)),
        "contract_term_too_long"
    );
    assert_eq!(
        code_of(r.check_term(d("2026-03-01"), d("2026-02-01"), false)),
        "contract_ends_before_start"
    );
    assert_eq!(add_months(d("2026-01-31"), 1), d("2026-02-28"));
    assert_eq!(add_months(d("2026-11-15"), 14), d("2028-01-15"));
}

#[test]
fn co_funding_is_a_share_of_the_price_rounded_up() {
    let r = rule();
    assert_eq!(r.min_cofunding_for(90_000_00), 9_000_00);
    assert_eq!(r.min_cofunding_for(1_001), 101);
    let none = ProcurementRule {
        min_cofunding: Share {
            num: 0,
            den: 1,
            bound: Bound::AtLeast,
        },
        ..r
    };
    assert_eq!(none.min_cofunding_for(90_000_00), 0);
}

fn criteria() -> Vec<Criterion> {
    [("plan", 40), ("price", 30), ("record", 30)]
        .into_iter()
        .map(|(k, w)| Criterion {
            key: k.into(),
            zh: k.into(),
            en: k.into(),
            weight: w,
        })
        .collect()
}

#[test]
fn scores_are_weighted_on_a_hundred_point_scale() {
    let c = criteria();
    check_criteria(&c).unwrap();
    let s = |p: u32, q: u32, r: u32| {
        vec![
            ("plan".to_string(), p),
            ("price".to_string(), q),
            ("record".to_string(), r),
        ]
    };
    // 0.4 × 90 + 0.3 × 80 + 0.3 × 70 = 81.00 points.
    assert_eq!(weighted_score(&c, &s(90, 80, 70)).unwrap(), 8_100);
    assert_eq!(
        code_of(weighted_score(&c, &s(101, 80, 70))),
        "score_out_of_scale"
    );
    assert_eq!(
        code_of(weighted_score(&c, &s(90, 80, 70)[..2])),
        "score_missing"
    );
    let mut extra = s(90, 80, 70);
    extra.push(("charm".into(), 100));
    assert_eq!(
        code_of(weighted_score(&c, &extra)),
        "score_criterion_unknown"
    );
    let mut heavy = criteria();
    heavy[0].weight = 50;
    assert_eq!(code_of(check_criteria(&heavy)), "criteria_weights_not_100");
}

#[test]
fn ranking_is_by_exact_mean_then_price_then_submission() {
    // b1: (8000 + 8001) / 2 = 8000.5; b2 scored by one panelist only (tied to the other):
    // 8000 < 8000.5, so b1 wins though rounding would make them equal.
    let bids = vec![
        ScoredBid {
            bid: "b2",
            price: 100,
            submitted: 1,
            totals: vec![8_000],
        },
        ScoredBid {
            bid: "b1",
            price: 200,
            submitted: 2,
            totals: vec![8_000, 8_001],
        },
        ScoredBid {
            bid: "b3",
            price: 90,
            submitted: 3,
            totals: vec![8_000, 8_000],
        },
        ScoredBid {
            bid: "b4",
            price: 90,
            submitted: 0,
            totals: vec![8_000, 8_000],
        },
    ];
    let r = rank_bids(&bids).unwrap();
    let order: Vec<_> = r.iter().map(|x| x.bid).collect();
    // Equal means (8000) go to the lower price, then the earlier bid.
    assert_eq!(order, ["b1", "b4", "b3", "b2"]);
    assert_eq!(r[0].mean_centi, 8_001);
    assert_eq!(r[1].rank, 2);
    assert_eq!(code_of(rank_bids::<&str>(&[])), "call_no_bids");
}

#[test]
fn a_round_funds_the_best_applications_that_fit_its_pool() {
    let ranking: Vec<Ranked<&str>> = ["a", "b", "c", "d", "e"]
        .iter()
        .enumerate()
        .map(|(i, b)| Ranked {
            bid: *b,
            mean_centi: 9_000 - i as u32,
            rank: i as u32 + 1,
        })
        .collect();
    let price = |b: &&str| match *b {
        "a" => 30_000,
        "b" => 50_000,
        "c" => 15_000,
        "d" => 10_000,
        _ => 5_000,
    };
    // Pool 60,000: a (30,000) fits, b (50,000) does not and is passed over, c and d fit, and the
    // pool (5,000 left) then takes e too, unless the round funds at most 3.
    assert_eq!(
        select_awards(&ranking, price, 60_000, 10),
        ["a", "c", "d", "e"]
    );
    assert_eq!(select_awards(&ranking, price, 60_000, 3), ["a", "c", "d"]);
    // A pool smaller than every application funds none; an exact fit is funded.
    assert!(select_awards(&ranking, price, 4_999, 10).is_empty());
    assert_eq!(select_awards(&ranking, price, 30_000, 1), ["a"]);
}

#[test]
fn a_round_needs_themes_and_applications_name_one() {
    let round = GrantRound {
        themes: vec!["院落美化".into(), "邻里共融".into(), "公益服务".into()],
        max_awards: 3,
        roadshow_at: None,
        roadshow_place: None,
    };
    round.validate().unwrap();
    round.check_theme(Some("邻里共融")).unwrap();
    assert_eq!(
        code_of(round.check_theme(Some("体育"))),
        "bid_theme_unknown"
    );
    assert_eq!(code_of(round.check_theme(None)), "bid_theme_missing");
    let bad = |themes: &[&str], max: u32| {
        GrantRound {
            themes: themes.iter().map(|t| t.to_string()).collect(),
            max_awards: max,
            ..round.clone()
        }
        .validate()
    };
    assert_eq!(code_of(bad(&[], 3)), "round_themes_missing");
    assert_eq!(
        code_of(bad(&["院落美化", "院落美化"], 3)),
        "round_theme_twice"
    );
    assert_eq!(code_of(bad(&[" 院落美化"], 3)), "round_theme_invalid");
    assert_eq!(code_of(bad(&["院落美化"], 0)), "round_max_awards_invalid");
    assert_eq!(Method::parse("venture").unwrap(), Method::Venture);
    assert_eq!(Method::Venture.ocds(), "open");
}

#[test]
fn the_evaluation_sets_the_final_payment_by_bands() {
    let p = PaymentRule::default();
    p.validate().unwrap();
    assert_eq!(p.percent_for(85), 90);
    assert_eq!(p.final_amount(28_800_00, 85), 25_920_00);
    assert_eq!(p.final_amount(28_800_00, 95), 28_800_00);
    assert_eq!(p.final_amount(28_800_00, 59), 0);
    // Rounded down to the fen: 90% of 0.05 yuan is 0.045, paid as 0.04.
    assert_eq!(p.final_amount(5, 85), 4);
    let bad = PaymentRule {
        bands: vec![p.bands[1], p.bands[0]],
    };
    assert_eq!(code_of(bad.validate()), "payment_rule_invalid");
}

#[test]
fn the_social_organisations_share_is_exact() {
    let min = rule().social_org_share;
    // 30,000 of 100,000 is exactly 30%: met ("at least").
    let r = social_org_share(&[(70_000_00, false), (30_000_00, true)], min);
    assert_eq!(
        (r.total, r.to_social_orgs, r.basis_points, r.met),
        (100_000_00, 30_000_00, 3_000, true)
    );
    let r = social_org_share(&[(70_000_01, false), (29_999_99, true)], min);
    assert!(!r.met);
    assert_eq!(r.basis_points, 2_999);
    let r = social_org_share(&[], min);
    assert!(!r.met);
}
