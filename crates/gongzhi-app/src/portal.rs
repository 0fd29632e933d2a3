//! The public portal's reads that span a community's whole record: search.

use gongzhi_store::search::{self, Hit};
use uuid::Uuid;

use crate::{App, AppError};

/// Longest search accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 60;
/// Most terms in one search (each must occur).
pub const MAX_TERMS: usize = 5;
/// Most documents shown for one search.
pub const MAX_HITS: i64 = 100;

/// The terms of a search as typed: split at spaces (an ideographic space too), each to be found.
/// An empty search has no terms; a search too long or of too many terms is refused.
pub fn search_terms(query: &str) -> Result<Vec<String>, AppError> {
    let q = query.trim();
    if q.chars().count() > MAX_QUERY_CHARS || q.chars().any(char::is_control) {
        return Err(AppError::invalid("search_too_long", "q"));
    }
    let terms: Vec<String> = q.split_whitespace().map(str::to_string).collect();
    if terms.len() > MAX_TERMS {
        return Err(AppError::invalid("search_too_many_terms", "q"));
    }
    Ok(terms)
}

/// The community's public documents (notices and resolutions, projects, conventions, budget
/// votes, councils, calls) containing every term of `query`, newest first.
pub async fn search_community(
    app: &App,
    community: Uuid,
    query: &str,
) -> Result<Vec<Hit>, AppError> {
    let terms = search_terms(query)?;
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = app.db.reads().await?;
    Ok(search::search(&mut tx, community, &terms, MAX_HITS).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_split_at_any_space_and_are_bounded() {
        assert_eq!(
            search_terms(" 北苑\u{3000}电梯  ").unwrap(),
            vec!["北苑".to_string(), "电梯".to_string()]
        );
        assert!(search_terms("").unwrap().is_empty());
        assert_eq!(
            search_terms(&"长".repeat(61)).unwrap_err().code(),
            "search_too_long"
        );
        assert_eq!(
            search_terms("a b c d e f").unwrap_err().code(),
            "search_too_many_terms"
        );
    }
}
