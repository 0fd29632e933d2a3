use crate::schema::TABLES;

/// What can go wrong in the store. Constraint violations carry the constraint's name on both
/// backends (SQLite reports columns, which are mapped back to the named constraint), so the app can
/// turn them into a field error without a check-then-insert race.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unknown database URL scheme in {0}: use sqlite://FILE or postgres://USER@HOST/DB")]
    UnknownScheme(String),
    #[error("malformed database URL {0}: {1}")]
    BadUrl(String, String),
    #[error("cannot reach the database at {0}: {1}")]
    Unreachable(String, String),
    #[error("unique constraint {0} violated")]
    Unique(String),
    #[error("foreign key violated")]
    ForeignKey,
    #[error("column {0} has an unexpected type")]
    Decode(usize),
    #[error("migration problem: {0}")]
    Migration(String),
    #[error("bad data: {0}")]
    Data(String),
    /// A status or kind column holds a word this version does not know (see
    /// `gongzhi_domain::vocabulary`): the row was written by something else.
    #[error("stored {column} {word:?} is not one this version knows")]
    UnknownWord { column: &'static str, word: String },
    #[error(transparent)]
    Sql(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                let name = db
                    .constraint()
                    .map(str::to_string)
                    .or_else(|| sqlite_unique_name(db.message()))
                    .unwrap_or_else(|| "unknown".into());
                return StoreError::Unique(name);
            }
            if db.is_foreign_key_violation() {
                return StoreError::ForeignKey;
            }
        }
        StoreError::Sql(e)
    }
}

/// SQLite says "UNIQUE constraint failed: t.a, t.b"; find the named constraint with those columns.
fn sqlite_unique_name(message: &str) -> Option<String> {
    let cols = message.strip_prefix("UNIQUE constraint failed: ")?;
    let pairs: Vec<(&str, &str)> = cols.split(", ").filter_map(|c| c.split_once('.')).collect();
    let table = pairs.first()?.0;
    let columns: Vec<&str> = pairs.iter().map(|(_, c)| *c).collect();
    let t = TABLES.iter().find(|t| t.name == table)?;
    if t.primary_key == columns.as_slice() {
        return Some(format!("pk_{table}"));
    }
    t.uniques
        .iter()
        .find(|u| u.columns == columns.as_slice())
        .map(|u| u.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_sqlite_messages_to_names() {
        assert_eq!(
            sqlite_unique_name(
                "UNIQUE constraint failed: households.tenant_id, households.building_id, households.unit, households.room"
            ),
            Some("uq_households_address".into())
        );
        assert_eq!(
            sqlite_unique_name("UNIQUE constraint failed: jurisdictions.id"),
            Some("pk_jurisdictions".into())
        );
        assert_eq!(sqlite_unique_name("something else"), None);
    }
}
