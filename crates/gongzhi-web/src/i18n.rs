//! Chinese (default) and English, from Fluent files embedded at build time. Error codes are
//! message ids, so every error a user can meet has a translation (a test checks both files
//! define the same ids).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // Isolation marks around arguments help right-to-left scripts only, and would show up in
        // copied text and snapshots; Chinese and English do not need them.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Messages without arguments as formatted, per language (`Lang as usize`): a page looks up
/// hundreds (the needs ledger a status, a channel and a category label for each of fifty needs),
/// and each Fluent lookup negotiates the language and formats the message again — measured at a
/// tenth of the ledger's time in the server under load.
static PLAIN: LazyLock<[RwLock<HashMap<String, String>>; 2]> = LazyLock::new(Default::default);

static ZH: LanguageIdentifier = langid!("zh-CN");
static EN: LanguageIdentifier = langid!("en");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// A moment as people read it, in China's time: `2026年11月22日 13:05` in Chinese,
    /// `22 Nov 2026, 13:05` in English. (The API keeps `2026-11-22 13:05` for machines.)
    pub fn minute(self, at: gongzhi_domain::time::Instant) -> String {
        let t = at.to_offset_datetime();
        let sep = if self == Lang::En { ", " } else { " " };
        format!(
            "{}{sep}{:02}:{:02}",
            self.day(t.date()),
            t.hour(),
            t.minute()
        )
    }

    /// A notice's end: a midnight end is 24:00 of the day before (`2026年11月30日 24:00`).
    pub fn end(self, at: gongzhi_domain::time::Instant) -> String {
        let t = at.to_offset_datetime();
        if t.hour() == 0 && t.minute() == 0 {
            let last = gongzhi_domain::time::Instant::from_micros(at.micros() - 1).china_date();
            let sep = if self == Lang::En { ", " } else { " " };
            format!("{}{sep}24:00", self.day(last))
        } else {
            self.minute(at)
        }
    }

    /// A calendar day: `2026年11月22日`, `22 Nov 2026`.
    pub fn day(self, d: time::Date) -> String {
        match self {
            Lang::Zh => format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day()),
            Lang::En => {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                format!(
                    "{} {} {}",
                    d.day(),
                    MONTHS[usize::from(u8::from(d.month())) - 1],
                    d.year()
                )
            }
        }
    }

    /// A date stored as `YYYY-MM-DD` written as [`Lang::day`] does; other text unchanged.
    pub fn date(self, ymd: &str) -> String {
        gongzhi_domain::time::parse_date(ymd).map_or_else(|| ymd.to_string(), |d| self.day(d))
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(tag: &str) -> Option<Lang> {
        let t = tag.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// From an `Accept-Language` header: the first language we have, else Chinese.
    pub fn from_accept(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or_default()
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The message `key`, or the key itself if it is missing (a test keeps that from happening).
    pub fn t(self, key: &str) -> String {
        let memo = &PLAIN[self as usize];
        if let Some(text) = memo.read().expect("not poisoned").get(key) {
            return text.clone();
        }
        match LOCALES.try_lookup(self.id(), key) {
            Some(text) => {
                // Only messages that exist are kept, so the table stays as small as the files
                // whatever keys a request makes up.
                memo.write()
                    .expect("not poisoned")
                    .insert(key.to_string(), text.clone());
                text
            }
            None => key.to_string(),
        }
    }

    pub fn t_args(self, key: &str, args: &[(&str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Owned((*k).to_string()), FluentValue::from(v.clone())))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), key, &map)
            .unwrap_or_else(|| key.to_string())
    }
}

/// A message in both languages, for the CLI and logs read by community workers.
pub fn bilingual(key: &str, args: &[(&str, String)]) -> String {
    format!(
        "{}\n{}",
        Lang::Zh.t_args(key, args),
        Lang::En.t_args(key, args)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let mut v: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
            .map(|l| l.split(" = ").next().unwrap_or("").to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn both_languages_define_the_same_messages() {
        assert_eq!(
            ids(include_str!("../locales/en/main.ftl")),
            ids(include_str!("../locales/zh-CN/main.ftl"))
        );
    }

    #[test]
    fn looks_up_with_arguments_and_negotiates() {
        assert_eq!(
            Lang::En.t_args("password_too_short", &[("min", "8".into())]),
            "The password must have at least 8 characters."
        );
        assert_eq!(
            Lang::Zh.t_args("password_too_short", &[("min", "8".into())]),
            "密码至少需要 8 个字符。"
        );
        assert_eq!(Lang::from_accept("fr-FR, en;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept(""), Lang::Zh);
    }
}
