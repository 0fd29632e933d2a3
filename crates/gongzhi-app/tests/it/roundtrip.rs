use gongzhi_app::people::{self, NewResident};
use gongzhi_app::verify::{verify_database, verify_export};
use gongzhi_store::dump::{ExportMode, export, import};
use gongzhi_store::testing::fresh_db_on;
use gongzhi_store::{Backend, Db};

use crate::world_on;

async fn export_bytes(db: &Db, mode: ExportMode) -> Vec<u8> {
    let mut out = Vec::new();
    export(db, mode, &mut out).await.unwrap();
    out
}

/// SQLite → export → import into PostgreSQL → export is byte-identical, and both verify.
#[tokio::test]
async fn sqlite_to_postgres_round_trip_is_byte_identical() {
    let w = world_on(fresh_db_on(Backend::Sqlite).await).await;
    for (name, phone) in [("田小余", Some("13800000001")), ("钱建国", None)] {
        people::register_resident(
            &w.app,
            &w.staff,
            w.jinyang,
            &NewResident {
                name: name.into(),
                phone: phone.map(str::to_string),
                courtyard_id: Some(w.beiyuan),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let receipt = b"%PDF-1.4\n% a receipt\n%%EOF\n";
    let stored = gongzhi_app::uploads::store(&w.app, &w.staff, w.jinyang, receipt)
        .await
        .unwrap();
    assert_eq!(stored.media_type, "application/pdf");
    let first = export_bytes(&w.app.db, ExportMode::Full).await;
    assert!(
        String::from_utf8_lossy(&first).contains(&hex_of(receipt)),
        "file content is in the backup"
    );
    let pg = fresh_db_on(Backend::Postgres).await;
    let n = import(&pg, &mut first.as_slice()).await.unwrap();
    assert!(n > 30, "{n}");
    let second = export_bytes(&pg, ExportMode::Full).await;
    assert_eq!(
        String::from_utf8(first.clone()).unwrap(),
        String::from_utf8(second).unwrap()
    );
    assert!(verify_database(&pg).await.unwrap().ok());
    assert!(verify_export(&mut first.as_slice()).unwrap().ok());

    // Importing twice is refused and changes nothing.
    let again = import(&pg, &mut first.as_slice()).await;
    assert!(again.is_err());
    assert_eq!(export_bytes(&pg, ExportMode::Full).await, first);
}

/// An auditor's export verifies without carrying any personal data.
#[tokio::test]
async fn auditor_export_verifies_without_personal_data() {
    let w = crate::world().await;
    people::register_resident(
        &w.app,
        &w.staff,
        w.jinyang,
        &NewResident {
            name: "赵秀英".into(),
            phone: Some("13800000002".into()),
            id_number: Some("11010519491231002X".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let audit = export_bytes(&w.app.db, ExportMode::Auditor).await;
    let text = String::from_utf8(audit.clone()).unwrap();
    assert!(
        !text.contains("13800000002")
            && !text.contains("赵秀英")
            && !text.contains("11010519491231002X")
    );
    assert!(!text.contains("tenant_salts"));
    let report = verify_export(&mut audit.as_slice()).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    // …and catches a tampered line.
    let tampered = text.replacen("\"channel\":\"online\"", "\"channel\":\"paper\"", 1);
    assert!(!verify_export(&mut tampered.as_bytes()).unwrap().ok());
    // It cannot be restored as if it were a backup.
    let fresh = gongzhi_store::testing::fresh_db().await;
    assert!(import(&fresh, &mut audit.as_slice()).await.is_err());
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
