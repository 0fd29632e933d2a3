//! Notifications on the backend under test: a follower of a courtyard hears of a resolution put
//! on notice there, an objector hears the council's answer, a reporter hears the answer to her
//! need; messages are written by the command that causes them (a refused command writes none);
//! the outbox delivers each once, retries on the schedule and keeps the same key on every try.

use std::sync::Mutex;

use gongzhi_app::councils;
use gongzhi_app::notify::{self, Outgoing, Sender};
use gongzhi_app::projects::{self, NeedAction, NewNeed};
use gongzhi_domain::notification::{Channel, DeliveryStatus, MessageKind, Subject};

use crate::councils::{council, meeting_with, motion};
use crate::ledger::resident_with_account;
use crate::world;

pub(crate) async fn pass(w: &crate::World, mo: uuid::Uuid, seats: &[uuid::Uuid]) -> uuid::Uuid {
    for s in seats {
        councils::cast_vote(&w.app, &w.staff, mo, *s, "yes")
            .await
            .unwrap();
    }
    councils::close_motion(&w.app, &w.staff, mo)
        .await
        .unwrap()
        .resolution
        .unwrap()
        .0
}

#[tokio::test]
async fn followers_hear_of_notices_and_objectors_of_their_answer() {
    let w = world().await;
    let (_, tian) = resident_with_account(&w, "tian", "田小余").await;
    let (_, other) = resident_with_account(&w, "other", "李四").await;
    notify::set_following(&w.app, &tian, Subject::Place, w.beiyuan, true)
        .await
        .unwrap();
    let before = crate::event_count(&w.app).await;
    // The same choice again changes nothing and writes no event.
    notify::set_following(&w.app, &tian, Subject::Place, w.beiyuan, true)
        .await
        .unwrap();
    assert_eq!(crate::event_count(&w.app).await, before);
    assert!(
        notify::is_following(&w.app, &tian, Subject::Place, w.beiyuan)
            .await
            .unwrap()
    );
    // Only places, projects and needs are followed.
    assert!(
        notify::set_following(&w.app, &tian, Subject::Resolution, w.beiyuan, true)
            .await
            .is_err()
    );

    let (c, seats) = council(&w, w.beiyuan, "北苑小区", 3).await;
    let m = meeting_with(&w, c, &seats).await;
    let res = pass(
        &w,
        motion(&w, c, Some(m), "project_approval", true).await,
        &seats,
    )
    .await;

    let (inbox, unread) = notify::inbox(&w.app, &tian, 20).await.unwrap();
    assert_eq!(unread, 1);
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].kind, MessageKind::NoticePosted);
    assert_eq!(
        (inbox[0].subject, inbox[0].subject_id),
        (Subject::Resolution, res)
    );
    assert!(
        inbox[0].params.to_string().contains("北苑院落改造"),
        "{}",
        inbox[0].params
    );
    // Who follows nothing hears nothing.
    assert_eq!(notify::unread(&w.app, &other).await.unwrap(), 0);

    // Her objection answered: she hears it, the council's chair and staff do not.
    let objection = councils::file_objection(&w.app, &tian, res, "路灯太亮")
        .await
        .unwrap();
    councils::answer_objection(&w.app, &w.staff, res, objection, "已调整亮度", false)
        .await
        .unwrap();
    let (inbox, unread) = notify::inbox(&w.app, &tian, 20).await.unwrap();
    assert_eq!(unread, 2);
    assert_eq!(inbox[0].kind, MessageKind::ObjectionAnswered);
    assert_eq!(notify::unread(&w.app, &w.staff).await.unwrap(), 0);
    // A refused answer (the same objection again) writes no message.
    assert!(
        councils::answer_objection(&w.app, &w.staff, res, objection, "再答", true)
            .await
            .is_err()
    );
    assert_eq!(notify::unread(&w.app, &tian).await.unwrap(), 2);
    assert_eq!(notify::mark_read(&w.app, &tian).await.unwrap(), 2);
    assert_eq!(notify::unread(&w.app, &tian).await.unwrap(), 0);

    // Unfollowed, the next notice passes her by.
    notify::set_following(&w.app, &tian, Subject::Place, w.beiyuan, false)
        .await
        .unwrap();
    let m2 = meeting_with(&w, c, &seats).await;
    pass(
        &w,
        motion(&w, c, Some(m2), "project_approval", true).await,
        &seats,
    )
    .await;
    assert_eq!(notify::unread(&w.app, &tian).await.unwrap(), 0);
    crate::assert_record_verifies(&w.app).await;
}

/// A sender that fails its first `fail_first` attempts and records the key of every attempt.
struct Recording {
    fail_first: usize,
    keys: Mutex<Vec<String>>,
}

impl Sender for Recording {
    fn channels(&self) -> &[Channel] {
        &[Channel::Email]
    }
    async fn send(&self, d: &Outgoing) -> Result<(), String> {
        let mut keys = self.keys.lock().unwrap();
        keys.push(format!(
            "{} {}",
            notify::message_key(d.id),
            d.address.clone().unwrap_or_default()
        ));
        if keys.len() <= self.fail_first {
            Err("421 try again later".into())
        } else {
            Ok(())
        }
    }
}

async fn report(
    w: &crate::World,
    who: uuid::Uuid,
) -> Result<(uuid::Uuid, i64), gongzhi_app::AppError> {
    projects::report_need(
        &w.app,
        &w.staff,
        &NewNeed {
            place_id: Some(w.beiyuan),
            building_id: None,
            category: "environment",
            channel: "yard_meeting",
            title: "路灯坏了",
            body: "",
            photos: &[],
            reporter_id: Some(who),
        },
    )
    .await
}

#[tokio::test]
async fn a_need_answer_is_mailed_once_after_a_retry() {
    let w = world().await;
    let (resident, tian) = resident_with_account(&w, "tian", "田小余").await;
    let (_, silent) = resident_with_account(&w, "silent", "没有邮箱").await;
    assert_eq!(
        notify::set_email(&w.app, &tian, "13800000001")
            .await
            .unwrap_err()
            .code(),
        "email_invalid"
    );
    notify::set_email(&w.app, &tian, "tian@example.cn")
        .await
        .unwrap();
    let need = report(&w, resident).await.unwrap().0;
    let silent_resident = {
        let mut tx = w.app.db.read().await.unwrap();
        let r = gongzhi_store::projects::resident_by_account(
            &mut tx,
            w.jinyang,
            silent.account_id.unwrap(),
        )
        .await
        .unwrap()
        .unwrap()
        .0;
        tx.rollback().await.unwrap();
        r
    };
    let quiet_need = report(&w, silent_resident).await.unwrap().0;
    for n in [need, quiet_need] {
        projects::act_on_need(
            &w.app,
            &w.staff,
            n,
            NeedAction::Reply {
                reply: "已报修，三天内修好",
                close: None,
            },
        )
        .await
        .unwrap();
    }
    let (inbox, _) = notify::inbox(&w.app, &tian, 5).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].kind, MessageKind::NeedAnswered);
    assert_eq!(notify::unread(&w.app, &silent).await.unwrap(), 1);

    let sender = Recording {
        fail_first: 1,
        keys: Mutex::new(Vec::new()),
    };
    // Only the resident with an address has a delivery; the first attempt fails and waits.
    let round = notify::deliver_due(&w.app, &sender, 10).await.unwrap();
    assert_eq!((round.sent, round.retried, round.gave_up), (0, 1, 0));
    let round = notify::deliver_due(&w.app, &sender, 10).await.unwrap();
    assert_eq!(round, notify::Round::default(), "not due again yet");
    w.app.clock.advance(61).unwrap();
    let round = notify::deliver_due(&w.app, &sender, 10).await.unwrap();
    assert_eq!(round.sent, 1);
    w.app.clock.advance(86_400).unwrap();
    let round = notify::deliver_due(&w.app, &sender, 10).await.unwrap();
    assert_eq!(round, notify::Round::default(), "sent once");
    let keys = sender.keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[0], keys[1],
        "the same key and address on every attempt"
    );
    assert!(keys[0].ends_with(" tian@example.cn"));

    let mut tx = w.app.db.read().await.unwrap();
    let states = gongzhi_store::notifications::deliveries_of(&mut tx, w.jinyang, inbox[0].id)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(states, vec![(Channel::Email, DeliveryStatus::Sent, 2)]);
}

/// Eight taps on 关注 at once: one follow, one event, no error for the others.
#[tokio::test]
async fn following_eight_times_at_once_is_recorded_once() {
    let w = world().await;
    let (_, tian) = resident_with_account(&w, "tian", "田小余").await;
    let before = crate::event_count(&w.app).await;
    let taps: Vec<_> = (0..8)
        .map(|_| {
            let (app, tian, place) = (w.app.clone(), tian.clone(), w.beiyuan);
            tokio::spawn(async move {
                notify::set_following(&app, &tian, Subject::Place, place, true).await
            })
        })
        .collect();
    for t in taps {
        t.await.unwrap().unwrap();
    }
    assert_eq!(crate::event_count(&w.app).await, before + 1);
    assert!(
        notify::is_following(&w.app, &tian, Subject::Place, w.beiyuan)
            .await
            .unwrap()
    );
    crate::assert_record_verifies(&w.app).await;
}

/// Two delivery workers (two server processes on one database) look at the outbox at once: the
/// mail is sent by one of them, once.
#[tokio::test]
async fn two_workers_at_once_send_a_delivery_once() {
    let w = world().await;
    let (resident, tian) = resident_with_account(&w, "tian", "田小余").await;
    notify::set_email(&w.app, &tian, "tian@example.cn")
        .await
        .unwrap();
    let need = report(&w, resident).await.unwrap().0;
    projects::act_on_need(
        &w.app,
        &w.staff,
        need,
        NeedAction::Reply {
            reply: "已报修",
            close: None,
        },
    )
    .await
    .unwrap();
    let sender = std::sync::Arc::new(Recording {
        fail_first: 0,
        keys: Mutex::new(Vec::new()),
    });
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (app, sender) = (w.app.clone(), sender.clone());
            tokio::spawn(async move { notify::deliver_due(&app, sender.as_ref(), 10).await })
        })
        .collect();
    let mut sent = 0;
    for worker in workers {
        sent += worker.await.unwrap().unwrap().sent;
    }
    assert_eq!(sent, 1);
    assert_eq!(sender.keys.lock().unwrap().len(), 1);
}
