//! Configuration: built-in defaults → TOML file → `GONGZHI_*` environment variables → flags.
//! Unknown keys in the file are refused with the key's name, so a typo never passes silently.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://FILE` (embedded, the default) or `postgres://USER@HOST:PORT/DB`.
    pub database: String,
    /// Address to listen on.
    pub addr: String,
    /// The address people reach this server at, for links and QR codes on printed notices.
    pub public_base_url: String,
    /// Minimum password length.
    pub password_min_chars: usize,
    /// Failed logins allowed per account / per client address before a pause.
    pub login_max_failures_account: i64,
    pub login_max_failures_address: i64,
    /// Length of the pause after too many failed logins, in minutes.
    pub login_lockout_minutes: i64,
    /// Session lifetime in days.
    pub session_days: i64,
    /// Mark cookies `Secure` and send HSTS even if `public_base_url` is not `https://` (it is
    /// derived from an `https://` public address anyway).
    pub secure_cookies: bool,
    /// How many reverse proxies you control stand in front of the server; the client's address
    /// (for sign-in limits) is the `X-Forwarded-For` entry that many from the right. 0: the
    /// header is ignored.
    pub trusted_proxies: usize,
    /// Earlier name: `true` means one trusted proxy.
    pub trust_forwarded_for: bool,
    /// How long pages may use this process's copy of a community's places and rule versions
    /// after another process changed them (this server's own changes show at once); 0: no copies.
    pub reference_cache_seconds: u64,
    /// Megabytes one account, and one community in all, may upload in 24 hours.
    pub upload_quota_account_mb_per_day: i64,
    pub upload_quota_community_mb_per_day: i64,
    /// Where notification e-mails go: empty (none are sent; the inbox still fills), or
    /// `smtp://[user:password@]host[:port]` (a local relay; `smtps://` or `?tls=required` need
    /// the `smtp-tls` build).
    pub smtp_url: String,
    /// The sender of notification e-mails.
    pub smtp_from: String,
    /// How often the outbox is looked at for deliveries due, in seconds.
    pub delivery_poll_seconds: u64,
    /// Attempts before a delivery is given up, and the waits between them in seconds (the last
    /// repeats).
    pub delivery_max_attempts: u32,
    pub delivery_retry_seconds: Vec<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: "sqlite://gongzhi.db".into(),
            addr: "127.0.0.1:8080".into(),
            public_base_url: "http://127.0.0.1:8080".into(),
            password_min_chars: 8,
            login_max_failures_account: 5,
            login_max_failures_address: 20,
            login_lockout_minutes: 15,
            session_days: 7,
            secure_cookies: false,
            trusted_proxies: 0,
            trust_forwarded_for: false,
            reference_cache_seconds: 5,
            upload_quota_account_mb_per_day: 200,
            upload_quota_community_mb_per_day: 2048,
            smtp_url: String::new(),
            smtp_from: "共治 Gongzhi <noreply@gongzhi.invalid>".into(),
            delivery_poll_seconds: 10,
            delivery_max_attempts: 8,
            delivery_retry_seconds: vec![60, 300, 1_800, 7_200, 21_600],
        }
    }
}

const KEYS: &[&str] = &[
    "database",
    "addr",
    "public_base_url",
    "password_min_chars",
    "login_max_failures_account",
    "login_max_failures_address",
    "login_lockout_minutes",
    "session_days",
    "secure_cookies",
    "trusted_proxies",
    "trust_forwarded_for",
    "reference_cache_seconds",
    "upload_quota_account_mb_per_day",
    "upload_quota_community_mb_per_day",
    "smtp_url",
    "smtp_from",
    "delivery_poll_seconds",
    "delivery_max_attempts",
    "delivery_retry_seconds",
];

impl Config {
    /// Loads the layered configuration. `file` is read if given (it must exist) or if
    /// `gongzhi.toml` exists in the working directory.
    pub fn load(file: Option<&str>) -> Result<Config, String> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !std::path::Path::new(path).exists() {
                    return Err(format!("配置文件不存在 / config file not found: {path}"));
                }
                fig = fig.merge(Toml::file(path));
            }
            None if std::path::Path::new("gongzhi.toml").exists() => {
                fig = fig.merge(Toml::file("gongzhi.toml"))
            }
            None => {}
        }
        fig = fig.merge(Env::prefixed("GONGZHI_").only(KEYS));
        fig.extract::<Config>().map_err(|e| {
            format!("配置有误 / configuration error: {e}\n请对照 `gongzhi config example` 检查键名和取值 / compare keys and values with `gongzhi config example`")
        })
    }

    pub fn app_settings(&self) -> gongzhi_app::Settings {
        gongzhi_app::Settings {
            password_min_chars: self.password_min_chars,
            login_max_failures_account: self.login_max_failures_account,
            login_max_failures_address: self.login_max_failures_address,
            login_lockout_secs: self.login_lockout_minutes * 60,
            session_ttl_secs: self.session_days * 86_400,
            reference_cache_secs: self.reference_cache_seconds,
            upload_quota_account_bytes: self.upload_quota_account_mb_per_day * 1024 * 1024,
            upload_quota_community_bytes: self.upload_quota_community_mb_per_day * 1024 * 1024,
            delivery_channels: if self.smtp_url.is_empty() {
                Vec::new()
            } else {
                vec![gongzhi_domain::notification::Channel::Email]
            },
            delivery_max_attempts: self.delivery_max_attempts,
            delivery_retry_secs: self.delivery_retry_seconds.clone(),
            ..gongzhi_app::Settings::default()
        }
    }
}

pub const EXAMPLE: &str = r#"# gongzhi.toml — every key with its default. Environment variables GONGZHI_<KEY> override the
# file (e.g. GONGZHI_DATABASE), and command-line flags override both.

# sqlite://FILE (embedded, zero set-up) or postgres://USER@HOST:PORT/DB
database = "sqlite://gongzhi.db"
# Address to listen on
addr = "127.0.0.1:8080"
# The address people reach this server at: used in links and QR codes on printed notices
public_base_url = "http://127.0.0.1:8080"
# Minimum password length
password_min_chars = 8
# Failed logins allowed per account and per client address before sign-in pauses
login_max_failures_account = 5
login_max_failures_address = 20
# How long sign-in pauses, in minutes
login_lockout_minutes = 15
# Session lifetime in days
session_days = 7
# Served over HTTPS, cookies get the Secure flag (and the __Host- name) and answers carry HSTS:
# derived from an https:// public_base_url; set true to force it
secure_cookies = false
# How many reverse proxies you control stand in front of the server. The client's address (for
# sign-in limits) is then the X-Forwarded-For entry that many from the right; entries further
# left are the client's own words. 0 ignores the header
trusted_proxies = 0
# Earlier name of trusted_proxies = 1
trust_forwarded_for = false
# How long pages may show a community's places and rules as this server last read them, when
# another process (a second server, a command-line tool) changed them; this server's own changes
# show at once. 0 reads them afresh for every page
reference_cache_seconds = 5
# Megabytes of files (photos, invoices) one account, and one community in all, may upload in 24
# hours
upload_quota_account_mb_per_day = 200
upload_quota_community_mb_per_day = 2048
# Notification e-mails: empty sends none (messages still wait in each person's inbox);
# smtp://[user:password@]host[:port] sends through that relay (smtps:// and ?tls=required need a
# build with --features smtp-tls)
smtp_url = ""
smtp_from = "共治 Gongzhi <noreply@gongzhi.invalid>"
# How often the outbox is looked at, in seconds; attempts before a delivery is given up, and the
# waits between attempts in seconds (the last repeats)
delivery_poll_seconds = 10
delivery_max_attempts = 8
delivery_retry_seconds = [60, 300, 1800, 7200, 21600]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_is_the_default_and_parses() {
        let parsed: Config = toml_from(EXAMPLE);
        assert_eq!(
            serde_json::to_value(parsed).unwrap(),
            serde_json::to_value(Config::default()).unwrap()
        );
    }

    fn toml_from(text: &str) -> Config {
        Figment::from(Toml::string(text)).extract().unwrap()
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string("databse = \"x\""))
            .extract::<Config>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("databse"), "{err}");
    }
}
