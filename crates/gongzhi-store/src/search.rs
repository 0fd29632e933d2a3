//! Search of a community's public record: resolutions (notices), projects, conventions, budget
//! votes, councils and the calls it buys through.
//!
//! Chinese has no spaces between words, so word-based full-text search (PostgreSQL's
//! `to_tsvector` without a Chinese parser such as zhparser, SQLite's FTS5 `unicode61`) finds
//! nothing inside a run of Hanzi. A substring match finds what an n-gram index would, on both
//! backends with the same SQL: every term must occur in the document's text. It reads the
//! community's documents (its `tenant_id` index first), which stays within milliseconds for tens
//! of thousands of documents (BENCHMARKS.md); an n-gram table is the step after that.

use uuid::Uuid;

use crate::StoreError;
use crate::db::Tx;
use crate::schema::ColType;
use crate::value::Value;

/// One document found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// `resolution`, `project`, `convention`, `budget_vote`, `council` or `call`.
    pub kind: String,
    pub id: Uuid,
    pub title: String,
    /// When it was made (for ordering, newest first); 0 for councils.
    pub at: i64,
}

/// What each kind of document is searched by. Only public columns: never a resident's own words.
const DOCUMENTS: &str = "\
    SELECT 'resolution' AS kind, r.id AS id, r.label || ' ' || m.title AS title, r.created_at AS at, \
           LOWER(r.label || ' ' || m.title) AS hay \
      FROM resolutions r JOIN motions m ON m.tenant_id = r.tenant_id AND m.id = r.motion_id WHERE r.tenant_id = $1 \
    UNION ALL SELECT 'project', id, title, submitted_at, LOWER(title || ' ' || scope) FROM projects WHERE tenant_id = $1 \
    UNION ALL SELECT 'convention', id, title, created_at, LOWER(title) FROM conventions WHERE tenant_id = $1 \
    UNION ALL SELECT 'budget_vote', id, title, opens_at, LOWER(title) FROM budget_votes WHERE tenant_id = $1 \
    UNION ALL SELECT 'council', id, name_zh, 0, LOWER(name_zh || ' ' || name_en) FROM councils WHERE tenant_id = $1 \
    UNION ALL SELECT 'call', id, title, created_at, LOWER(title || ' ' || description) FROM purchase_calls WHERE tenant_id = $1";

/// `LIKE` pattern of a term, lower-cased: its own `%`, `_` and `\` match themselves (with
/// `ESCAPE '\'`).
pub(crate) fn like_pattern(term: &str) -> String {
    let mut p = String::from("%");
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The community's public documents containing every term (case-insensitive for Latin letters),
/// newest first, at most `limit`.
pub async fn search(
    tx: &mut Tx,
    tenant: Uuid,
    terms: &[String],
    limit: i64,
) -> Result<Vec<Hit>, StoreError> {
    let mut args: Vec<Value> = vec![tenant.into()];
    let mut filter = Vec::new();
    for t in terms {
        args.push(like_pattern(t).into());
        filter.push(format!("hay LIKE ${} ESCAPE '\\'", args.len()));
    }
    if filter.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT kind, id, title, at FROM ({DOCUMENTS}) AS docs WHERE {} ORDER BY at DESC, id LIMIT {}",
        filter.join(" AND "),
        limit.clamp(1, 500)
    );
    tx.rows(
        &sql,
        &args,
        &[ColType::Text, ColType::Id, ColType::Text, ColType::Int],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Hit {
            kind: r.text(0)?,
            id: r.id(1)?,
            title: r.text(2)?,
            at: r.int(3)?,
        })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn patterns_escape_wildcards() {
        assert_eq!(like_pattern("加装电梯"), "%加装电梯%");
        assert_eq!(like_pattern("50%_A\\"), "%50\\%\\_a\\\\%");
    }
}
