//! The one way a page answers a posted form. On success the page says so (the flash); on
//! refusal it is shown again with the refusal's status (422, 403…), what was typed back in the
//! form, and the error next to the field it names — or at the top of the page when the form has
//! no such field (the notice closed, not allowed).

use std::collections::HashMap;

use axum::http::StatusCode;

use crate::error::ApiError;
use crate::pages::Page;

/// What was typed into a form, by field name (empty for a fresh page).
#[derive(Default)]
pub struct Typed(pub HashMap<String, String>);

impl Typed {
    pub fn get(&self, key: &str) -> &str {
        self.0.get(key).map(String::as_str).unwrap_or("")
    }
    pub fn is(&self, key: &str, value: &str) -> bool {
        self.get(key) == value
    }
    pub fn checked(&self, key: &str) -> bool {
        !self.get(key).is_empty()
    }
    pub fn trimmed(&self, key: &str) -> String {
        self.get(key).trim().to_string()
    }
}

/// A refused form of a page, to show again: which form (a page may have several, named by
/// their action), what was typed in it, and the error beside the field it names. `Refused::default()`
/// is a page with nothing refused.
#[derive(Default)]
pub struct Refused {
    form: String,
    typed: Typed,
    field: Option<String>,
    message: String,
    status: Option<StatusCode>,
}

impl Refused {
    /// Settles a form's outcome on `page`. `Ok(flash)` becomes the page's flash; an error becomes
    /// a refusal of `form`, keeping `typed` (the fields the form shows, with what was typed): an
    /// error naming one of them goes beside it, any other at the top of the page.
    pub fn settle(
        result: Result<String, ApiError>,
        page: &mut Page,
        form: &str,
        typed: Vec<(&str, String)>,
    ) -> Refused {
        match result {
            Ok(flash) => {
                page.flash = Some(flash);
                Refused::default()
            }
            Err(e) => {
                let field = e
                    .field
                    .clone()
                    .filter(|f| typed.iter().any(|(name, _)| name == f));
                if field.is_none() {
                    page.error = Some(e.message());
                }
                Refused {
                    form: form.to_string(),
                    typed: Typed(typed.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
                    field,
                    message: e.message(),
                    status: Some(e.status),
                }
            }
        }
    }

    /// What was typed into `name` of `form`, if that form was refused.
    pub fn value(&self, form: &str, name: &str) -> &str {
        if self.form == form {
            self.typed.get(name)
        } else {
            ""
        }
    }

    /// Why `form` was refused, if it was because of `name`.
    pub fn error(&self, form: &str, name: &str) -> Option<&str> {
        (self.form == form && self.field.as_deref() == Some(name)).then_some(self.message.as_str())
    }

    /// Whether `form` was the one refused.
    pub fn is(&self, form: &str) -> bool {
        self.status.is_some() && self.form == form
    }

    /// The status the page answers with: the refusal's, or none (the page's own).
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{DisplayPrefs, Visitor};
    use crate::i18n::Lang;

    fn page() -> Page {
        let visitor = Visitor {
            actor: gongzhi_app::authz::Actor::anonymous(),
            account: None,
            token: None,
            assisting: None,
        };
        let prefs = DisplayPrefs {
            large: false,
            contrast: false,
        };
        Page::new(Lang::En, &prefs, &visitor, "/somewhere")
    }

    fn refusal(field: Option<&str>) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "objection_already_answered",
        )
        .lang(Lang::En);
        e.field = field.map(str::to_string);
        e
    }

    #[test]
    fn an_error_about_a_shown_field_goes_beside_it_with_what_was_typed() {
        let mut p = page();
        let r = Refused::settle(
            Err(refusal(Some("body"))),
            &mut p,
            "object",
            vec![("body", "写了很多".into())],
        );
        assert_eq!(
            r.error("object", "body"),
            Some(refusal(None).message().as_str())
        );
        assert_eq!(r.value("object", "body"), "写了很多");
        assert_eq!(r.value("answer", "body"), "", "another form keeps nothing");
        assert_eq!(r.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
        assert!(r.is("object") && !r.is("answer"));
        assert!(p.error.is_none() && p.flash.is_none());
    }

    #[test]
    fn any_other_error_goes_at_the_top_and_success_is_the_flash() {
        let mut p = page();
        let r = Refused::settle(
            Err(refusal(Some("notice"))),
            &mut p,
            "object",
            vec![("body", "x".into())],
        );
        assert_eq!(r.error("object", "body"), None);
        assert_eq!(p.error, Some(refusal(None).message()));
        let mut p = page();
        let r = Refused::settle(
            Ok("Saved.".into()),
            &mut p,
            "object",
            vec![("body", "x".into())],
        );
        assert_eq!(p.flash.as_deref(), Some("Saved."));
        assert_eq!(r.status(), None);
        assert_eq!(r.value("object", "body"), "");
    }
}
