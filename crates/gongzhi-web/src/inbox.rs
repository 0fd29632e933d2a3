//! The inbox (消息): the messages the platform wrote a person, in her language, each linking to
//! what it is about; the address they are e-mailed to; and the follow buttons of places and
//! projects. The words of a message are made here from its kind and parameters, for the page and
//! for the e-mail alike (`words`), so a message reads the same on both.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongzhi_app::notify::{self, Message};
use gongzhi_domain::notification::{MessageKind, Subject};
use gongzhi_domain::time::Instant;
use serde::Deserialize;
use serde_json::Value as Json;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiForm, SignedInPage, Visitor};
use crate::form::Refused;
use crate::i18n::Lang;
use crate::pages::{Page, error_page, local_return_path, render, with_refusal_status};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox_page))
        .route("/inbox/email", post(set_email))
        .route("/follow", post(follow))
}

/// A message in words: its title, one line more, and the page it is about.
pub struct Words {
    pub title: String,
    pub body: String,
    pub href: String,
}

fn text(params: &Json, key: &str) -> String {
    match &params[key] {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// The words of message `m` in `lang`.
pub fn words(lang: Lang, m: &Message) -> Words {
    let p = &m.params;
    let id = m.subject_id;
    let href = match m.subject {
        Subject::Place => format!("/c/{}", text(p, "code")),
        Subject::Project => format!("/p/{id}"),
        // Only its reporter hears of a need: her own list, at the need.
        Subject::Need => format!("/my/needs#need-{}", text(p, "number")),
        Subject::Resolution => format!("/r/{id}"),
        Subject::Election => format!("/e/{id}"),
        Subject::BudgetVote => format!("/v/{id}"),
    };
    let when = |key: &str| {
        p[key]
            .as_i64()
            .map(|t| lang.end(Instant::from_micros(t)))
            .unwrap_or_default()
    };
    let (title, body) = match m.kind {
        MessageKind::NeedAnswered => (
            lang.t_args("msg-need-answered", &[("title", text(p, "title"))]),
            if p["closed"].is_string() {
                lang.t("msg-need-closed")
            } else {
                lang.t("msg-need-replied")
            },
        ),
        MessageKind::ObjectionAnswered => (
            lang.t_args("msg-objection-answered", &[("label", text(p, "label"))]),
            lang.t(if p["upheld"] == Json::Bool(true) {
                "msg-objection-upheld"
            } else {
                "msg-objection-dismissed"
            }),
        ),
        MessageKind::VoteOpened => (
            lang.t_args("msg-vote-opened", &[("title", text(p, "title"))]),
            lang.t_args("msg-vote-closes", &[("when", when("closes_at"))]),
        ),
        MessageKind::NoticePosted => (
            lang.t_args(
                "msg-notice-posted",
                &[("label", text(p, "label")), ("title", text(p, "title"))],
            ),
            lang.t_args("msg-notice-until", &[("when", when("notice_end"))]),
        ),
        MessageKind::ProjectMoved => (
            lang.t_args("msg-project-moved", &[("title", text(p, "title"))]),
            if p["done"] == Json::Bool(true) {
                lang.t("msg-project-done")
            } else {
                lang.t_args(
                    "msg-project-step",
                    &[("step", text(p, "step")), ("steps", text(p, "steps"))],
                )
            },
        ),
    };
    Words { title, body, href }
}

pub struct InboxLine {
    pub words: Words,
    pub when: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    page: Page,
    messages: Vec<InboxLine>,
    email: String,
    refused: Refused,
}

impl InboxPage {
    fn typed_email(&self) -> &str {
        if self.refused.is("email") {
            self.refused.value("email", "email")
        } else {
            &self.email
        }
    }
}

async fn inbox_page(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
) -> Response {
    inbox_view(&state, lang, page, &visitor, Refused::default()).await
}

async fn inbox_view(
    state: &AppState,
    lang: Lang,
    page: Page,
    visitor: &Visitor,
    refused: Refused,
) -> Response {
    let app = &state.app;
    let loaded = async {
        let (messages, _) = notify::inbox(app, &visitor.actor, 100).await?;
        let email = notify::email(app, &visitor.actor).await?;
        // Shown once as new, then read.
        notify::mark_read(app, &visitor.actor).await?;
        Ok::<_, gongzhi_app::AppError>((messages, email))
    }
    .await;
    let (messages, email) = match loaded {
        Ok(v) => v,
        Err(e) => return error_page(ApiError::from_app(e, lang), page),
    };
    let status = refused.status();
    with_refusal_status(
        render(&InboxPage {
            messages: messages
                .iter()
                .map(|m| InboxLine {
                    words: words(lang, m),
                    when: lang.minute(m.created_at),
                    unread: !m.read,
                })
                .collect(),
            email: email.unwrap_or_default(),
            page,
            refused,
        }),
        status,
    )
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn set_email(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, mut page): SignedInPage,
    ApiForm(f): ApiForm<EmailForm>,
) -> Response {
    page.path = "/inbox".into();
    let result = notify::set_email(&state.app, &visitor.actor, &f.email)
        .await
        .map(|()| {
            lang.t(if f.email.trim().is_empty() {
                "inbox-email-removed"
            } else {
                "inbox-email-saved"
            })
        })
        .map_err(|e| ApiError::from_app(e, lang));
    let refused = Refused::settle(result, &mut page, "email", vec![("email", f.email)]);
    inbox_view(&state, lang, page, &visitor, refused).await
}

/// A follow button: what it follows, whether the visitor does, and the page to come back to.
pub struct FollowButton {
    pub subject: &'static str,
    pub id: String,
    pub following: bool,
    pub back: String,
}

/// The follow button of `subject` `id` for a signed-in visitor (none for a visitor signed out).
pub async fn follow_button(
    state: &AppState,
    visitor: &Visitor,
    subject: Subject,
    id: uuid::Uuid,
    back: &str,
) -> Option<FollowButton> {
    visitor.actor.account_id?;
    let following = notify::is_following(&state.app, &visitor.actor, subject, id)
        .await
        .ok()?;
    Some(FollowButton {
        subject: subject.as_str(),
        id: id.to_string(),
        following,
        back: back.to_string(),
    })
}

#[derive(Deserialize)]
struct FollowForm {
    subject: String,
    id: uuid::Uuid,
    /// "1" to follow, "0" to stop.
    following: String,
    #[serde(default)]
    back: String,
}

/// Follows or stops following, then back to the page the button was on (which shows the new
/// state of the button).
async fn follow(
    State(state): State<AppState>,
    SignedInPage(lang, visitor, page): SignedInPage,
    ApiForm(f): ApiForm<FollowForm>,
) -> Response {
    let Some(subject) = Subject::parse(&f.subject) else {
        return error_page(
            ApiError::from_app(
                gongzhi_app::AppError::invalid("follow_subject_unknown", "subject"),
                lang,
            ),
            page,
        );
    };
    match notify::set_following(
        &state.app,
        &visitor.actor,
        subject,
        f.id,
        f.following == "1",
    )
    .await
    {
        Ok(()) => {
            let back = local_return_path(&f.back).unwrap_or("/home");
            Redirect::to(back).into_response()
        }
        Err(e) => error_page(ApiError::from_app(e, lang), page),
    }
}
