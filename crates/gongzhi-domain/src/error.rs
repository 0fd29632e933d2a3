use std::fmt;

/// A stable, snake_case error code. The same code is the Fluent message id that the web layer and
/// the CLI translate into Chinese and English, so codes never change once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode(pub &'static str);

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A rule of the domain was broken. `field` names the input at fault when there is one, and `args`
/// carries the values a message needs (for example the minimum length).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}{}", field.map(|f| format!(" ({f})")).unwrap_or_default())]
pub struct DomainError {
    pub code: ErrorCode,
    pub field: Option<&'static str>,
    pub args: Vec<(&'static str, String)>,
}

impl DomainError {
    pub fn new(code: &'static str) -> Self {
        Self {
            code: ErrorCode(code),
            field: None,
            args: Vec::new(),
        }
    }
    pub fn field(code: &'static str, field: &'static str) -> Self {
        Self {
            code: ErrorCode(code),
            field: Some(field),
            args: Vec::new(),
        }
    }
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}
