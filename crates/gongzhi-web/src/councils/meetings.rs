//! A council's page with its seats, a meeting with the chair's roll call, a convention's
//! versions, a member's record (public: members act in office and are named).

use super::*;
use crate::extract::{PageContext, SignedInPage};

#[derive(Template)]
#[template(path = "council.html")]
pub(super) struct CouncilPage {
    page: Page,
    id: String,
    name: String,
    /// (name, seat, term, seat id)
    members: Vec<(String, String, String, String)>,
    /// (id, title, when, status)
    meetings: Vec<(String, String, String, String)>,
    /// (id, title, state, closes)
    elections: Vec<(String, String, String, String)>,
    /// "每月 10 日 19:30" lines.
    calendars: Vec<String>,
    /// (id, label, title, state key, state text)
    resolutions: Vec<(String, String, String, &'static str, String)>,
    /// The visitor's own seat, which they may resign.
    own_seat: Option<String>,
    today: String,
}

pub(super) async fn council_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<uuid::Uuid>,
) -> Response {
    council_view_page(&state, lang, page, &visitor, id).await
}

pub(crate) async fn council_view_page(
    state: &AppState,
    lang: Lang,
    mut page: Page,
    visitor: &Visitor,
    id: uuid::Uuid,
) -> Response {
    let (c, seats, meetings) = match councils::council_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    page.trail_to(state, c.jurisdiction_id).await;
    let members = seats
        .iter()
        .map(|s| {
            let term = format!(
                "{} – {}",
                lang.date(&s.term_start),
                s.term_end
                    .as_deref()
                    .map(|d| lang.date(d))
                    .unwrap_or_default()
            );
            (
                s.resident_name.clone(),
                lang.t(&format!("seat-{}", s.seat_role)),
                term,
                s.id.to_string(),
            )
        })
        .collect();
    let meetings = meetings
        .iter()
        .map(|m| {
            (
                m.id.to_string(),
                m.title.clone(),
                lang.minute(Instant::from_micros(m.scheduled_for)),
                lang.t(&format!("meeting-status-{}", m.status)),
            )
        })
        .collect();
    let elections = gongzhi_app::elections::elections_of(&state.app, id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let state_key = gongzhi_app::elections::box_state(e, state.app.now()).key();
            (
                e.id.to_string(),
                e.title.clone(),
                lang.t(state_key),
                lang.minute(Instant::from_micros(e.closes_at)),
            )
        })
        .collect();
    let calendars = gongzhi_app::elections::series_of(&state.app, id)
        .await
        .unwrap_or_default()
        .iter()
        .map(|s| {
            lang.t_args(
                "calendar-line",
                &[
                    ("title", s.title.clone()),
                    ("day", s.day_of_month.to_string()),
                    (
                        "time",
                        format!("{:02}:{:02}", s.minute_of_day / 60, s.minute_of_day % 60),
                    ),
                    ("count", s.meetings.to_string()),
                ],
            )
        })
        .collect();
    let resolutions = councils::resolutions_of_council(&state.app, id)
        .await
        .unwrap_or_default()
        .iter()
        .rev()
        .map(|r| {
            (
                r.row.id.to_string(),
                r.row.label.clone(),
                r.row.title.clone(),
                r.state.key(),
                lang.t(&format!("notice-{}", r.state.key())),
            )
        })
        .collect();
    let own_seat = visitor.account.as_ref().and_then(|a| {
        seats
            .iter()
            .find(|s| s.account_id == Some(a.id))
            .map(|s| s.id.to_string())
    });
    render(&CouncilPage {
        page,
        id: id.to_string(),
        name: council_name(lang, &c),
        members,
        meetings,
        elections,
        calendars,
        resolutions,
        own_seat,
        today: format_date(state.app.now().china_date()),
    })
}

#[derive(Template)]
#[template(path = "meeting.html")]
pub(super) struct MeetingPage {
    page: Page,
    title: String,
    council: String,
    council_id: String,
    when: String,
    status: String,
    present_text: String,
    /// (name, present, signed)
    attendance: Vec<(String, String, String)>,
    minutes: Option<String>,
    approval: String,
    id: String,
    /// The chair's roll-call screen, when the visitor runs this meeting.
    roll: Option<RollScreen>,
    /// Projects tabled at this meeting (a roadshow): (project id, title, what the council reads).
    tabled: Vec<(String, String, String)>,
}

/// The roll-call screen: attendance buttons per member, and per open motion a yes / no / abstain
/// button per member present, recorded by the chair as the room votes.
pub struct RollScreen {
    /// (seat, name, present)
    pub members: Vec<(String, String, bool)>,
    pub motions: Vec<RollMotionLine>,
}

pub struct RollMotionLine {
    pub id: String,
    pub title: String,
    pub open: bool,
    /// Per member: (seat, name, present, choice or "").
    pub rows: Vec<(String, String, bool, String)>,
    pub tally: String,
}

pub(super) async fn meeting_page(
    State(state): State<AppState>,
    PageContext(lang, visitor, page): PageContext,
    Path(id): Path<uuid::Uuid>,
) -> Response {
    meeting_view_page(&state, lang, page, &visitor, id).await
}

#[derive(Deserialize)]
pub(super) struct RollForm {
    seat: uuid::Uuid,
    /// `present` / `absent`, or a vote choice with `motion`.
    action: String,
    motion: Option<uuid::Uuid>,
}

/// One action of the chair's roll-call screen (post/redirect/get back to the meeting).
pub(super) async fn roll_action(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    SignedInVisitor(visitor): SignedInVisitor,
    Path(id): Path<uuid::Uuid>,
    ApiForm(f): ApiForm<RollForm>,
) -> Response {
    let result = match (f.action.as_str(), f.motion) {
        ("present" | "absent", _) => {
            councils::record_attendance(
                &state.app,
                &visitor.actor,
                id,
                f.seat,
                f.action == "present",
            )
            .await
        }
        (choice, Some(motion)) => {
            councils::cast_vote(&state.app, &visitor.actor, motion, f.seat, choice).await
        }
        _ => Err(gongzhi_app::AppError::Invalid(
            gongzhi_domain::DomainError::field("vote_choice_invalid", "action")
                .arg("value", &f.action),
        )),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/m/{id}#roll")).into_response(),
        Err(e) => {
            let mut page = Page::new(lang, &large, &visitor, &format!("/m/{id}"));
            page.error = Some(ApiError::from_app(e, lang).message());
            meeting_view_page(&state, lang, page, &visitor, id).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CloseForm {
    motion: uuid::Uuid,
}

pub(super) async fn roll_close(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    Path(id): Path<uuid::Uuid>,
    ApiForm(f): ApiForm<CloseForm>,
) -> Response {
    // The page the form was on.
    page.path = format!("/m/{id}");
    match councils::close_motion(&state.app, &visitor.actor, f.motion).await {
        Ok(c) => {
            page.flash = Some(match c.resolution {
                Some((_, label)) => lang.t_args("roll-passed", &[("label", label)]),
                None => lang.t("roll-failed"),
            })
        }
        Err(e) => page.error = Some(ApiError::from_app(e, lang).message()),
    }
    meeting_view_page(&state, lang, page, &visitor, id).await
}

pub(super) async fn meeting_view_page(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    id: uuid::Uuid,
) -> Response {
    let roll = councils::roll_call(&state.app, &visitor.actor, id)
        .await
        .ok()
        .filter(|r| r.can_run)
        .map(|r| {
            let name_of = |seat: &uuid::Uuid| {
                r.members
                    .iter()
                    .find(|m| m.0 == *seat)
                    .map(|m| (m.1.clone(), m.2))
                    .unwrap_or_default()
            };
            RollScreen {
                members: r
                    .members
                    .iter()
                    .map(|(s, n, p)| (s.to_string(), n.clone(), *p))
                    .collect(),
                motions: r
                    .motions
                    .iter()
                    .map(|rm| {
                        let votes = &rm.votes;
                        let count = |c: &str| votes.iter().filter(|v| v.1 == c).count().to_string();
                        let rows = r
                            .members
                            .iter()
                            .map(|(seat, _, _)| {
                                let (name, present) = name_of(seat);
                                let choice = votes
                                    .iter()
                                    .find(|v| v.0 == *seat)
                                    .map(|v| v.1.clone())
                                    .unwrap_or_default();
                                (seat.to_string(), name, present, choice)
                            })
                            .collect();
                        let tally = lang.t_args(
                            "roll-tally",
                            &[
                                ("yes", count("yes")),
                                ("no", count("no")),
                                ("abstain", count("abstain")),
                            ],
                        );
                        RollMotionLine {
                            id: rm.id.to_string(),
                            title: rm.title.clone(),
                            open: rm.open,
                            rows,
                            tally,
                        }
                    })
                    .collect(),
            }
        });
    let v = match councils::meeting_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let yes_no = |b: bool| lang.t(if b { "yes" } else { "no" });
    let seated = v.attendance.len();
    let present_text = lang.t_args(
        "meeting-present-count",
        &[
            ("present", v.meeting.present_count.to_string()),
            ("seated", seated.to_string()),
        ],
    );
    render(&MeetingPage {
        title: v.meeting.title.clone(),
        council: council_name(lang, &v.council),
        council_id: v.council.id.to_string(),
        when: lang.minute(Instant::from_micros(v.meeting.scheduled_for)),
        status: lang.t(&format!("meeting-status-{}", v.meeting.status)),
        present_text,
        attendance: v
            .attendance
            .iter()
            .map(|(n, p, s)| (n.clone(), yes_no(*p), yes_no(*s)))
            .collect(),
        minutes: v.minutes.as_ref().map(|(t, _)| t.clone()),
        id: id.to_string(),
        roll,
        tabled: gongzhi_app::projects::projects_at_meeting(&state.app, id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.project_id.to_string(), t.title, t.text))
            .collect(),
        approval: lang.t(if v.approved {
            "meeting-approved"
        } else {
            "meeting-awaiting-signatures"
        }),
        page,
    })
}

#[derive(Template)]
#[template(path = "convention.html")]
pub(super) struct ConventionPage {
    page: Page,
    title: String,
    current: Option<String>,
    current_label: String,
    history: Vec<String>,
    diff_title: String,
    /// (css class, line)
    diff: Vec<(&'static str, String)>,
}

#[derive(Deserialize)]
pub(super) struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub(super) async fn convention_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path(id): Path<uuid::Uuid>,
    axum::extract::Query(q): axum::extract::Query<DiffQuery>,
) -> Response {
    use gongzhi_domain::convention::{DiffLine, diff_lines};
    let page = Page::new(lang, &large, &visitor, &format!("/convention/{id}"));
    let v = match councils::convention_view(&state.app, id).await {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let last = v.versions.last();
    let in_force = v.current.map(|i| &v.versions[i]);
    let current_label = in_force
        .map(|(n, _, at, _)| {
            lang.t_args(
                "convention-current",
                &[("version", n.to_string()), ("at", lang.minute(*at))],
            )
        })
        .unwrap_or_default();
    let history = v
        .versions
        .iter()
        .zip(&v.states)
        .map(|((n, _, at, label), state)| {
            let mut line = lang.t_args(
                "convention-version",
                &[
                    ("version", n.to_string()),
                    ("at", lang.minute(*at)),
                    ("resolution", label.clone().unwrap_or_default()),
                ],
            );
            if *state != "in_force" {
                line.push_str(" · ");
                line.push_str(&lang.t(&format!("notice-{state}")));
            }
            line
        })
        .collect();
    // By default, the latest change: from the previous version to the current one.
    let to = q.to.or(last.map(|l| l.0)).unwrap_or(0);
    let from = q.from.unwrap_or(to - 1);
    let find = |n: i64| v.versions.iter().find(|x| x.0 == n).map(|x| x.1.clone());
    let (diff, diff_title) = match (find(from), find(to)) {
        (Some(a), Some(b)) => (
            diff_lines(&a, &b)
                .into_iter()
                .map(|d| match d {
                    DiffLine::Same(l) => ("same", l),
                    DiffLine::Added(l) => ("added", format!("+ {l}")),
                    DiffLine::Removed(l) => ("removed", format!("− {l}")),
                })
                .collect(),
            lang.t_args(
                "convention-diff",
                &[("from", from.to_string()), ("to", to.to_string())],
            ),
        ),
        _ => (Vec::new(), String::new()),
    };
    render(&ConventionPage {
        page,
        title: v.convention.title.clone(),
        current: in_force.map(|l| l.1.clone()),
        current_label,
        history,
        diff_title,
        diff,
    })
}

#[derive(Template)]
#[template(path = "member.html")]
pub(super) struct MemberPage {
    page: Page,
    name: String,
    council: String,
    council_id: String,
    meetings: Vec<(String, String, String)>,
    votes: Vec<(String, String)>,
}

pub(super) async fn member_page(
    State(state): State<AppState>,
    lang: Lang,
    large: DisplayPrefs,
    visitor: Visitor,
    Path((id, seat)): Path<(uuid::Uuid, uuid::Uuid)>,
) -> Response {
    let page = Page::new(
        lang,
        &large,
        &visitor,
        &format!("/council/{id}/member/{seat}"),
    );
    let r = match councils::member_record(&state.app, id, seat).await {
        Ok(r) => r,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let meetings = r
        .meetings
        .iter()
        .map(|(t, at, present)| {
            (
                t.clone(),
                lang.minute(*at),
                lang.t(if *present {
                    "meeting-present"
                } else {
                    "vote-missed"
                }),
            )
        })
        .collect();
    let votes = r
        .votes
        .iter()
        .map(|(t, _, choice)| {
            (
                t.clone(),
                lang.t(&format!("vote-{}", choice.as_deref().unwrap_or("missed"))),
            )
        })
        .collect();
    render(&MemberPage {
        page,
        name: r.name.clone(),
        council: council_name(lang, &r.council),
        council_id: r.council.id.to_string(),
        meetings,
        votes,
    })
}
