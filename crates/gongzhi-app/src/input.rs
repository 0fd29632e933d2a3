use crate::AppError;

/// A field error (shorthand used throughout the use cases).
pub(crate) fn invalid(code: &'static str, field: &'static str) -> AppError {
    AppError::invalid(code, field)
}

/// Trimmed text of 1 to `max` characters, without invisible and bidirectional control
/// characters (`person::clean_text`).
pub(crate) fn text(value: &str, field: &'static str, max: usize) -> Result<String, AppError> {
    let cleaned = gongzhi_domain::person::clean_text(value);
    let t = cleaned.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(invalid("text_length_invalid", field));
    }
    Ok(t.to_string())
}
