use gongzhi_app::people::{self, NewResident};
use gongzhi_app::{AppError, places};

use crate::{event_count, world};

fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(e) => e.code().to_string(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[tokio::test]
async fn bad_input_gets_a_specific_error_and_changes_nothing() {
    let w = world().await;
    let b = places::create_building(&w.app, &w.staff, w.beiyuan, "1栋")
        .await
        .unwrap();
    places::create_household(&w.app, &w.staff, w.jinyang, b, "1", "101")
        .await
        .unwrap();
    let before = event_count(&w.app).await;

    assert_eq!(
        code(places::create_household(&w.app, &w.staff, w.jinyang, b, "1", "101").await),
        "household_duplicate"
    );
    assert_eq!(
        code(places::create_building(&w.app, &w.staff, w.beiyuan, "1栋").await),
        "building_duplicate"
    );
    let elsewhere = NewResident {
        name: "张三".into(),
        courtyard_id: Some(w.yudong_court),
        ..Default::default()
    };
    assert_eq!(
        code(people::register_resident(&w.app, &w.staff, w.jinyang, &elsewhere).await),
        "place_not_in_community"
    );
    let bad_phone = NewResident {
        name: "张三".into(),
        phone: Some("12345".into()),
        ..Default::default()
    };
    assert_eq!(
        code(people::register_resident(&w.app, &w.staff, w.jinyang, &bad_phone).await),
        "phone_invalid"
    );
    let bad_id = NewResident {
        name: "张三".into(),
        id_number: Some("110105194912310021".into()),
        ..Default::default()
    };
    assert_eq!(
        code(people::register_resident(&w.app, &w.staff, w.jinyang, &bad_id).await),
        "id_number_invalid"
    );
    assert_eq!(
        code(people::register_resident(&w.app, &w.staff, w.jinyang, &NewResident::default()).await),
        "name_required"
    );
    let short = gongzhi_app::accounts::NewAccount {
        username: Some("shorty"),
        phone: None,
        display_name: "短",
        password: "abc",
        locale: "zh-CN",
    };
    assert_eq!(
        code(
            gongzhi_app::accounts::create_account(&w.app, &w.admin, w.jinyang, "resident", &short)
                .await
        ),
        "password_too_short"
    );

    assert_eq!(
        event_count(&w.app).await,
        before,
        "failed commands wrote nothing"
    );
}

#[tokio::test]
async fn csv_import_is_all_or_nothing_with_a_row_report() {
    let w = world().await;
    let before = event_count(&w.app).await;
    let broken = "姓名,电话,身份证号,院落,楼栋,单元,户\n田小余,13800000001,,beiyuan,1栋,1,101\n,13800000002,,,,,\n赵秀英,123,,,,,\n钱建国,,,yudong-1,1栋,1,1\n孙丽华,,,beiyuan,2栋,,\n";
    match people::import_residents_csv(&w.app, &w.staff, w.jinyang, broken.as_bytes()).await {
        Err(AppError::Rows(rows)) => {
            let lines: Vec<(usize, &str)> = rows.iter().map(|(l, e)| (*l, e.code.0)).collect();
            assert_eq!(
                lines,
                vec![
                    (3, "name_required"),
                    (4, "phone_invalid"),
                    (5, "place_not_in_community"),
                    (6, "address_incomplete")
                ]
            );
        }
        other => panic!("expected a row report, got {other:?}"),
    }
    assert_eq!(event_count(&w.app).await, before, "nothing imported");

    let good = "\u{feff}name,phone,courtyard,building,unit,room\n田小余,13800000001,beiyuan,1栋,1,101\n田大山,13800000001,beiyuan,1栋,1,101\n赵秀英,,beiyuan,2栋,1,201\n";
    let report = people::import_residents_csv(&w.app, &w.staff, w.jinyang, good.as_bytes())
        .await
        .unwrap();
    assert_eq!(report.imported, 3);
    assert_eq!(
        event_count(&w.app).await,
        before + 1,
        "one command, one event"
    );
    let rows = people::list_residents(&w.app, &w.staff, w.jinyang, 100)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        code(people::import_residents_csv(&w.app, &w.staff, w.jinyang, b"\xff\xfe").await),
        "file_not_utf8"
    );
    assert_eq!(
        code(people::import_residents_csv(&w.app, &w.staff, w.jinyang, b"foo,bar\n1,2\n").await),
        "csv_missing_name_column"
    );
}

#[tokio::test]
async fn duplicates_are_spotted_and_merged_not_deleted() {
    let w = world().await;
    let b = places::create_building(&w.app, &w.staff, w.beiyuan, "1栋")
        .await
        .unwrap();
    let h = places::create_household(&w.app, &w.staff, w.jinyang, b, "1", "101")
        .await
        .unwrap();
    let mk = |name: &str, phone: &str, household| NewResident {
        name: name.into(),
        phone: Some(phone.into()),
        household_id: household,
        representative: household.is_some(),
        ..Default::default()
    };
    let a = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &mk("田小余", "13800000001", Some(h)),
    )
    .await
    .unwrap();
    // Same family phone, different person: not a duplicate.
    people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &mk("田大山", "13800000001", None),
    )
    .await
    .unwrap();
    let dup = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &mk("田小余", "138-0000-0001", None),
    )
    .await
    .unwrap();
    let groups = people::possible_duplicates(&w.app, &w.staff, w.jinyang)
        .await
        .unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        groups[0].iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![a, dup]
    );

    assert_eq!(
        code(people::merge_residents(&w.app, &w.staff, w.jinyang, a, dup, " ").await),
        "reason_required"
    );
    people::merge_residents(&w.app, &w.staff, w.jinyang, a, dup, "同一人重复登记")
        .await
        .unwrap();
    let rows = people::list_residents(&w.app, &w.staff, w.jinyang, 100)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "the duplicate no longer lists");
    assert!(
        people::possible_duplicates(&w.app, &w.staff, w.jinyang)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        code(people::merge_residents(&w.app, &w.staff, w.jinyang, a, dup, "again").await),
        "resident_already_merged"
    );
    assert!(
        gongzhi_app::verify::verify_database(&w.app.db)
            .await
            .unwrap()
            .ok()
    );
}

#[tokio::test]
async fn void_and_amend_keep_the_record() {
    let w = world().await;
    let id = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "李四".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    people::amend_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        id,
        None,
        Some("13800000009"),
        "居民更换手机号",
    )
    .await
    .unwrap();
    let rows = people::list_residents(&w.app, &w.staff, w.jinyang, 10)
        .await
        .unwrap();
    assert_eq!(rows[0].phone.as_deref(), Some("13800000009"));
    assert_eq!(
        code(people::void_record(&w.app, &w.staff, w.jinyang, "residents", id, "").await),
        "reason_required"
    );
    assert_eq!(
        code(people::void_record(&w.app, &w.staff, w.jinyang, "audit_events", id, "x").await),
        "not_voidable"
    );
    people::void_record(&w.app, &w.staff, w.jinyang, "residents", id, "登记错误")
        .await
        .unwrap();
    assert!(
        people::list_residents(&w.app, &w.staff, w.jinyang, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        code(people::void_record(&w.app, &w.staff, w.jinyang, "residents", id, "again").await),
        "already_voided"
    );
    assert!(
        gongzhi_app::verify::verify_database(&w.app.db)
            .await
            .unwrap()
            .ok()
    );
}

#[tokio::test]
async fn one_representative_per_household() {
    let w = world().await;
    let b = places::create_building(&w.app, &w.staff, w.beiyuan, "3栋")
        .await
        .unwrap();
    let h = places::create_household(&w.app, &w.staff, w.jinyang, b, "1", "301")
        .await
        .unwrap();
    for name in ["甲", "乙"] {
        people::register_resident(
            &w.app,
            &w.staff,
            w.jinyang,
            &NewResident {
                name: format!("{name}某"),
                household_id: Some(h),
                representative: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let mut tx = w.app.db.read().await.unwrap();
    assert_eq!(
        gongzhi_store::repo::representatives_of(&mut tx, w.jinyang, h)
            .await
            .unwrap()
            .len(),
        1
    );
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn csv_import_reads_the_representative_column() {
    let w = world().await;
    let reps = "姓名,院落,楼栋,单元,户,户代表\n孙丽华,beiyuan,9栋,1,101,是\n孙小明,beiyuan,9栋,1,101,否\n李四,beiyuan,9栋,1,102,也许\n";
    match people::import_residents_csv(&w.app, &w.staff, w.jinyang, reps.as_bytes()).await {
        Err(AppError::Rows(rows)) => {
            assert_eq!(
                rows.iter().map(|(l, e)| (*l, e.code.0)).collect::<Vec<_>>(),
                vec![(4, "yes_no_invalid")]
            )
        }
        other => panic!("{other:?}"),
    }
    let fixed = reps.replace("也许", "");
    assert_eq!(
        people::import_residents_csv(&w.app, &w.staff, w.jinyang, fixed.as_bytes())
            .await
            .unwrap()
            .imported,
        3
    );
    let b = {
        let mut tx = w.app.db.read().await.unwrap();
        let b = gongzhi_store::repo::building_by_label(&mut tx, w.jinyang, w.beiyuan, "9栋")
            .await
            .unwrap()
            .unwrap();
        let h = gongzhi_store::repo::household_by_address(&mut tx, w.jinyang, b, "1", "101")
            .await
            .unwrap()
            .unwrap();
        let reps = gongzhi_store::repo::representatives_of(&mut tx, w.jinyang, h)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        reps
    };
    assert_eq!(b.len(), 1, "one representative for 9栋 1-101");
}

/// A spreadsheet as staff keep it in Excel/WPS: phone numbers typed as numbers, a header row in
/// Chinese, a broken row reported by its spreadsheet line number.
#[tokio::test]
async fn xlsx_import_matches_csv_import() {
    use rust_xlsxwriter::Workbook;
    let w = world().await;
    let build = |bad: bool| {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["姓名", "电话", "院落", "楼栋", "单元", "户", "户代表"]
            .iter()
            .enumerate()
        {
            sheet
                .write_string(0, u16::try_from(c).unwrap(), *h)
                .unwrap();
        }
        sheet.write_string(1, 0, "田小余").unwrap();
        sheet.write_number(1, 1, 13800000001.0).unwrap();
        sheet.write_string(1, 2, "beiyuan").unwrap();
        sheet.write_string(1, 3, "1栋").unwrap();
        sheet.write_number(1, 4, 1.0).unwrap();
        sheet.write_number(1, 5, 101.0).unwrap();
        sheet.write_boolean(1, 6, true).unwrap();
        sheet.write_string(2, 0, "赵秀英").unwrap();
        if bad {
            sheet.write_number(2, 1, 12345.0).unwrap();
        }
        book.save_to_buffer().unwrap()
    };
    match people::import_residents_file(&w.app, &w.staff, w.jinyang, &build(true)).await {
        Err(AppError::Rows(rows)) => assert_eq!(
            rows.iter().map(|(l, e)| (*l, e.code.0)).collect::<Vec<_>>(),
            vec![(3, "phone_invalid")]
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        people::import_residents_file(&w.app, &w.staff, w.jinyang, &build(false))
            .await
            .unwrap()
            .imported,
        2
    );
    let rows = people::list_residents(&w.app, &w.staff, w.jinyang, 10)
        .await
        .unwrap();
    assert_eq!(
        rows[0].phone.as_deref(),
        Some("13800000001"),
        "a phone typed as a number keeps its digits"
    );
    assert_eq!(
        code(people::import_residents_file(&w.app, &w.staff, w.jinyang, b"PK\x03\x04broken").await),
        "xlsx_unreadable"
    );
}

#[tokio::test]
async fn staff_link_a_resident_to_their_account() {
    let w = world().await;
    let r = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "田小余".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let account = w.resident.account_id.unwrap();
    assert_eq!(
        code(people::link_account(&w.app, &w.other_staff, w.jinyang, r, account).await),
        "forbidden"
    );
    assert_eq!(
        code(people::link_account(&w.app, &w.staff, w.jinyang, r, uuid::Uuid::now_v7()).await),
        "not_found"
    );
    people::link_account(&w.app, &w.staff, w.jinyang, r, account)
        .await
        .unwrap();
    let mut tx = w.app.db.read().await.unwrap();
    let linked = gongzhi_store::councils::resident_account(&mut tx, w.jinyang, r)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(linked, Some(account));
    assert!(
        gongzhi_app::verify::verify_database(&w.app.db)
            .await
            .unwrap()
            .ok()
    );
}

/// The register is searched by part of a name or phone, filtered by courtyard and paged; a
/// resident is registered into a household typed by its address; only staff who may read
/// personal data see it, and each look is recorded without the words searched.
#[tokio::test]
async fn the_register_finds_by_phone_filters_by_courtyard_and_pages() {
    let w = world().await;
    let b = places::create_building(&w.app, &w.staff, w.beiyuan, "2栋")
        .await
        .unwrap();
    let h = places::create_household(&w.app, &w.staff, w.jinyang, b, "1", "102")
        .await
        .unwrap();
    for i in 0..12 {
        people::register_resident(
            &w.app,
            &w.staff,
            w.jinyang,
            &NewResident {
                name: format!("居民{i}"),
                phone: Some(format!("1390000{i:04}")),
                courtyard_id: (i % 2 == 0).then_some(w.beiyuan),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let wu = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "吴新来".into(),
            phone: Some("13800000099".into()),
            courtyard_id: Some(w.beiyuan),
            household_address: Some(("2栋".into(), "1".into(), "102".into())),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "Anna Li".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let find = |text: &str, courtyard, after, limit| {
        let filter = people::ResidentFilter {
            text: text.into(),
            courtyard_id: courtyard,
            after,
            limit,
        };
        let (app, staff, community) = (w.app.clone(), w.staff.clone(), w.jinyang);
        async move { people::find_residents(&app, &staff, community, &filter).await }
    };
    let found = find("00000099", None, None, 50).await.unwrap();
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![wu]);
    assert_eq!(find("吴新", None, None, 50).await.unwrap().len(), 1);
    // Latin letters match whatever their case, on both backends.
    assert_eq!(find("anna LI", None, None, 50).await.unwrap().len(), 1);
    // `%` is a character searched for, not a wildcard.
    assert!(find("%", None, None, 50).await.unwrap().is_empty());
    assert_eq!(find("", Some(w.beiyuan), None, 50).await.unwrap().len(), 7);
    // Pages of five cover all fourteen once.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = find("", None, after, 5).await.unwrap();
        seen.extend(page.iter().map(|r| r.id));
        if page.len() < 5 {
            break;
        }
        after = page.last().map(|r| r.id);
    }
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!((seen.len(), distinct.len()), (14, 14));
    assert_eq!(
        code(find(&"长".repeat(61), None, None, 5).await),
        "search_too_long"
    );
    assert_eq!(
        code(people::find_residents(&w.app, &w.resident, w.jinyang, &Default::default()).await),
        "forbidden"
    );
    // Her household is the one at the address typed.
    let mut tx = w.app.db.read().await.unwrap();
    let memberships = gongzhi_store::repo::memberships_of(&mut tx, w.jinyang, wu)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        memberships.iter().map(|m| (m.1, m.2)).collect::<Vec<_>>(),
        vec![(h, false)],
        "a member of that household, not its representative"
    );
    // An address that is not a registered household is refused beside the room, nothing written.
    let before = event_count(&w.app).await;
    let refused = people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "钱无户".into(),
            courtyard_id: Some(w.beiyuan),
            household_address: Some(("2栋".into(), "9".into(), "909".into())),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(code(refused), "household_not_found");
    assert_eq!(event_count(&w.app).await, before);
}

/// Two staff register two representatives of one household (typed by address) at once: both
/// are registered, and the household has one representative.
#[tokio::test]
async fn two_representatives_registered_at_once_leave_one() {
    let w = world().await;
    let b = places::create_building(&w.app, &w.staff, w.beiyuan, "2栋")
        .await
        .unwrap();
    let h = places::create_household(&w.app, &w.staff, w.jinyang, b, "1", "102")
        .await
        .unwrap();
    let attempts: Vec<_> = ["吴一", "吴二", "吴三", "吴四"]
        .into_iter()
        .map(|name| {
            let (app, staff, community, court) =
                (w.app.clone(), w.staff.clone(), w.jinyang, w.beiyuan);
            tokio::spawn(async move {
                people::register_resident(
                    &app,
                    &staff,
                    community,
                    &NewResident {
                        name: name.into(),
                        courtyard_id: Some(court),
                        household_address: Some(("2栋".into(), "1".into(), "102".into())),
                        representative: true,
                        ..Default::default()
                    },
                )
                .await
            })
        })
        .collect();
    for a in attempts {
        a.await.unwrap().unwrap();
    }
    let mut tx = w.app.db.read().await.unwrap();
    let reps = gongzhi_store::repo::representatives_of(&mut tx, w.jinyang, h)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(reps.len(), 1);
    crate::assert_record_verifies(&w.app).await;
}
