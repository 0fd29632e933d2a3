use gongzhi_domain::DomainError;
use gongzhi_store::StoreError;

/// Why a use case refused or failed. Every variant has a stable code, translated at the edge.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input or a broken rule: the user can fix it.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("not signed in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Too many failed logins: try again after this many minutes.
    #[error("locked for {minutes} minutes")]
    Locked { minutes: i64 },
    /// A bulk import with broken rows: nothing was written. (row number, error) pairs.
    #[error("{} rows have errors", .0.len())]
    Rows(Vec<(usize, DomainError)>),
    /// A stored record the command relies on cannot be read (its JSON does not parse): the
    /// database holds something this version did not write. Not the user's fault, and not a
    /// missing record.
    #[error("stored {0} cannot be read")]
    Corrupt(&'static str),
    #[error(transparent)]
    Store(StoreError),
}

impl AppError {
    pub fn invalid(code: &'static str, field: &'static str) -> Self {
        AppError::Invalid(DomainError::field(code, field))
    }
    pub fn forbidden() -> Self {
        AppError::Forbidden
    }
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(e) => e.code.0,
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Locked { .. } => "login_locked",
            AppError::Rows(_) => "import_rows_invalid",
            AppError::Corrupt(_) => "stored_record_unreadable",
            AppError::Store(StoreError::Unreachable(..)) => "database_unreachable",
            AppError::Store(StoreError::UnknownScheme(_)) => "database_url_unknown_scheme",
            AppError::Store(StoreError::BadUrl(..)) => "database_url_malformed",
            AppError::Store(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        // Named constraints become field errors, so a race between two inserts still ends in a
        // message the user can act on.
        match &e {
            StoreError::Unique(name) => {
                let (code, field) = gongzhi_store::schema::duplicate_error(name);
                if code == "already_recorded" {
                    tracing::warn!(constraint = %name, "a duplicate with no message of its own");
                }
                AppError::invalid(code, field)
            }
            StoreError::UnknownWord { column, word } => {
                tracing::error!(%column, %word, "a stored word this version does not know");
                AppError::Corrupt(column)
            }
            _ => AppError::Store(e),
        }
    }
}

/// Every error code a duplicate can end in (what the loser of a race reads), for the check that
/// each has its words in both languages.
pub fn duplicate_codes() -> impl Iterator<Item = &'static str> {
    gongzhi_store::schema::DUPLICATES
        .iter()
        .map(|(_, code, _)| *code)
        .chain(["already_recorded"])
}
