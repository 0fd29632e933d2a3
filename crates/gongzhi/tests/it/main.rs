//! Black-box tests of the `gongzhi` binary: the commands a newcomer and an operator run.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use gongzhi_store::Backend;
use gongzhi_store::testing::{backend, empty_db_on, pg_admin_url};

fn gongzhi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gongzhi"));
    c.env_remove("GONGZHI_DATABASE")
        .env("GONGZHI_LOG", "warn")
        .current_dir(std::env::temp_dir());
    c
}

fn run(args: &[&str]) -> Output {
    gongzhi().args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn temp_sqlite(name: &str) -> String {
    let dir = std::env::temp_dir().join("gongzhi-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.db", uuid::Uuid::new_v4().simple()));
    format!("sqlite://{}", path.display())
}

/// A fresh database URL on the backend under test (PostgreSQL: a new database).
async fn fresh_url(name: &str) -> String {
    match backend() {
        Backend::Sqlite => temp_sqlite(name),
        Backend::Postgres => {
            let db = empty_db_on(Backend::Postgres).await;
            let gongzhi_store::Db::Pg(pool) = &db else {
                unreachable!()
            };
            let opts = pool.connect_options();
            let dbname = opts.get_database().unwrap().to_string();
            db.close().await;
            let admin = pg_admin_url();
            format!("{}/{dbname}", admin.rsplit_once('/').unwrap().0)
        }
    }
}

#[test]
fn bad_database_urls_and_config_get_bilingual_errors() {
    let o = run(&["--database", "mysql://x/y", "migrate"]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("未知的数据库地址") && t.contains("Unknown database address"),
        "{t}"
    );

    let o = run(&[
        "--database",
        "postgres://postgres@127.0.0.1:1/nothing",
        "migrate",
    ]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("无法连接数据库") && t.contains("cannot be reached"),
        "{t}"
    );

    let o = run(&["--database", "postgres://u@h:port/x", "migrate"]);
    assert!(text(&o).contains("malformed"), "{}", text(&o));

    let cfg = std::env::temp_dir().join(format!(
        "gongzhi-bad-{}.toml",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&cfg, "databse = \"sqlite://x.db\"\n").unwrap();
    let o = run(&["--config", cfg.to_str().unwrap(), "migrate"]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(t.contains("databse") && t.contains("配置有误"), "{t}");

    let o = run(&["config", "example"]);
    assert!(o.status.success() && text(&o).contains("public_base_url"));
}

#[test]
fn serve_refuses_an_uninitialised_database() {
    let url = temp_sqlite("serve-empty");
    assert!(run(&["--database", &url, "migrate"]).status.success());
    let o = run(&["--database", &url, "serve", "--addr", "127.0.0.1:0"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("gongzhi init"), "{}", text(&o));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    let code = resp.split_whitespace().nth(1)?.parse().ok()?;
    Some((code, resp))
}

/// Every page a visitor reaches from `/` by following links on the site, at most `limit`:
/// (path, body). A link that answers 404 or 5xx fails the test: a visitor would hit it.
fn crawl(port: u16, limit: usize) -> Vec<(String, String)> {
    let mut seen = std::collections::HashSet::from(["/".to_string()]);
    let mut queue = std::collections::VecDeque::from(["/".to_string()]);
    let mut out = Vec::new();
    while let Some(path) = queue.pop_front() {
        if out.len() >= limit {
            break;
        }
        let (code, resp) =
            http_get(port, &path).unwrap_or_else(|| panic!("{path} did not answer with text"));
        assert!(
            (200..400).contains(&code),
            "{path} answers {code} to a visitor"
        );
        let body = resp
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        for link in body.split("href=\"").skip(1) {
            let href = link.split('"').next().unwrap_or("").replace("&amp;", "&");
            let href = href.split('#').next().unwrap_or("").to_string();
            // Same-site pages only: not the style sheet, uploaded photos and files, or spreadsheets.
            let skip = !href.starts_with('/')
                || href.starts_with("//")
                || href.starts_with("/static/")
                || href.contains("/uploads/")
                || href.ends_with("/xlsx");
            if !skip && seen.insert(href.clone()) {
                queue.push_back(href);
            }
        }
        out.push((path, body));
    }
    out
}

/// An 11-digit mobile number or an 18-character ID number, not inside a longer run of letters
/// and digits (hashes and ids).
fn personal_number(page: &str) -> Option<String> {
    page.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|run| {
            (run.len() == 11 && run.starts_with('1') && run.bytes().all(|b| b.is_ascii_digit()))
                || (run.len() == 18 && run[..17].bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_string)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_demo(url: &str, port: u16) -> Server {
    start_demo_with(url, port, &[])
}

/// The demo with extra environment (configuration keys as `GONGZHI_*`).
fn start_demo_with(url: &str, port: u16, env: &[(&str, &str)]) -> Server {
    let child = gongzhi()
        .envs(env.iter().copied())
        .args([
            "--database",
            url,
            "demo",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--clock",
            "manual",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    for _ in 0..600 {
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("the demo exited before becoming ready: {status}");
        }
        if let Some((200, _)) = http_get(port, "/healthz") {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the demo did not become ready");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_seeds_once_serves_and_round_trips_through_export() {
    let url = fresh_url("demo").await;
    let port = free_port();
    let vote: String;
    let public_pages: Vec<(String, String)>;
    {
        let mut server = start_demo(&url, port);
        let (code, page) = http_get(port, "/").unwrap();
        assert_eq!(code, 200);
        assert!(page.contains("北苑小区") && page.contains("晋阳社区"));
        // 玉东's residents' budget vote is counted and every project says why it won or lost.
        let (_, notices) = http_get(port, "/c/yudong/notices").unwrap();
        vote = notices
            .split("href=\"/v/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("the demo's budget vote on 玉东's notice board")
            .to_string();
        let (code, page) = http_get(port, &format!("/v/{vote}")).unwrap();
        assert_eq!(code, 200);
        assert!(
            page.contains("获资助") && page.contains("平等份额") && page.contains("每人最多出"),
            "{page}"
        );
        let (code, _) = http_get(port, "/api/v1/openapi.json").unwrap();
        assert_eq!(code, 200);
        public_pages = crawl(port, 3_000);
        let _ = server.0.kill();
        let mut out = String::new();
        server
            .0
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert!(
            out.contains("jinyang-staff") && out.contains("gongzhi-demo-2026"),
            "prints the demo logins: {out}"
        );
        // Every account the demo seeds is in its banner: nobody is left to guess.
        let db = gongzhi_store::Db::connect(&url, gongzhi_store::db::Open::MustExist)
            .await
            .unwrap();
        let mut read = db.read().await.unwrap();
        let logins = read
            .rows(
                "SELECT COALESCE(username, phone) FROM accounts",
                &[],
                &[gongzhi_store::schema::ColType::Text],
            )
            .await
            .unwrap();
        read.rollback().await.unwrap();
        db.close().await;
        assert!(logins.len() > 20, "{} accounts", logins.len());
        for row in logins {
            let login = row.text(0).unwrap();
            assert!(
                out.lines()
                    .any(|l| l.split([' ', ';', ',']).any(|w| w == login)),
                "the banner does not list {login}: {out}"
            );
        }
    }
    // A second start serves the existing demo database without seeding again.
    let events_before = text(&run(&["--database", &url, "audit", "verify"]));
    assert!(events_before.contains("审计链完整"), "{events_before}");
    {
        let _server = start_demo(&url, port);
    }
    let after = text(&run(&["--database", &url, "audit", "verify"]));
    let events = |t: &str| {
        t.split("events: ")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .map(str::to_string)
    };
    assert_eq!(events(&events_before), events(&after), "no second seeding");

    // Export → import into the other backend → export: byte-identical.
    let dir = std::env::temp_dir().join("gongzhi-tests");
    let first = dir.join(format!("export-{}.jsonl", uuid::Uuid::new_v4().simple()));
    let o = run(&[
        "--database",
        &url,
        "export",
        "jsonl",
        "--out",
        first.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let target = match backend() {
        Backend::Sqlite => {
            let db = empty_db_on(Backend::Postgres).await;
            let gongzhi_store::Db::Pg(pool) = &db else {
                unreachable!()
            };
            let name = pool.connect_options().get_database().unwrap().to_string();
            db.close().await;
            format!("{}/{name}", pg_admin_url().rsplit_once('/').unwrap().0)
        }
        Backend::Postgres => temp_sqlite("import"),
    };
    let o = run(&["--database", &target, "import", first.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let second = run(&["--database", &target, "export", "jsonl"]);
    assert!(second.status.success());
    assert_eq!(
        String::from_utf8(std::fs::read(&first).unwrap()).unwrap(),
        String::from_utf8(second.stdout).unwrap()
    );
    assert!(
        run(&["--database", &target, "audit", "verify"])
            .status
            .success()
    );
    assert!(
        run(&["audit", "verify", "--input", first.to_str().unwrap()])
            .status
            .success()
    );

    // Every public page of the demo (all a visitor reaches from `/`) shows no phone or ID number
    // and no private person's name in full: residents who hold no seat and stand for none, and
    // donors, appear masked (田*余) or not at all.
    let export = std::fs::read_to_string(&first).unwrap();
    let rows = |table: &str| -> Vec<serde_json::Value> {
        export
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["table"] == table)
            .map(|v| v["row"].clone())
            .collect()
    };
    let in_office: std::collections::HashSet<String> = rows("council_seats")
        .into_iter()
        .chain(rows("election_candidates"))
        .map(|r| r["resident_id"].as_str().unwrap().to_string())
        .collect();
    let residents = rows("residents");
    let name_of = |r: &serde_json::Value| r["name"].as_str().unwrap().to_string();
    // A name is an office-holder's if any record of it holds office (a merged duplicate keeps
    // the name of the person seated).
    let office_names: std::collections::HashSet<String> = residents
        .iter()
        .filter(|r| in_office.contains(r["id"].as_str().unwrap()))
        .map(name_of)
        .collect();
    let private: Vec<String> = residents
        .iter()
        .map(name_of)
        .filter(|n| !office_names.contains(n))
        .chain(
            rows("donations")
                .iter()
                .map(|r| r["donor_name"].as_str().unwrap().to_string()),
        )
        .filter(|n| n.chars().count() >= 2 && n.chars().all(|c| !c.is_ascii()))
        .collect();
    assert!(
        private.len() > 20,
        "the demo has private residents: {private:?}"
    );
    assert!(public_pages.len() > 150, "{} pages", public_pages.len());
    for (path, body) in &public_pages {
        assert_eq!(
            personal_number(body),
            None,
            "{path} shows a phone or ID number"
        );
        if let Some(name) = private.iter().find(|n| body.contains(n.as_str())) {
            panic!("{path} shows the private name {name} unmasked");
        }
    }

    // The demo's purchases as an OCDS record package (a venture round with several awards and
    // an adoption, a second city's 88-item contract): the real checker accepts them.
    let records = dir.join(format!("ocds-{}.json", uuid::Uuid::new_v4().simple()));
    let o = run(&[
        "--database",
        &url,
        "export",
        "ocds-records",
        "--out",
        records.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let shared = ["../../../shared", "/work/shared"]
        .map(|p| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p))
        .into_iter()
        .chain(std::env::var_os("GONGZHI_SHARED_DIR").map(Into::into))
        .find(|p| p.join("tools/ocds-check").is_file())
        .expect("../shared/tools/ocds-check");
    let python = std::env::var("GONGZHI_OCDS_PYTHON").unwrap_or_else(|_| "python3".into());
    let check = std::process::Command::new(&python)
        .arg(shared.join("tools/ocds-check"))
        .arg(shared.join("data/ocds/standard-1__1__5-schema-only.zip"))
        .arg(&records)
        .output()
        .expect("ocds-check runs (GONGZHI_OCDS_PYTHON with libcoveocds)");
    assert!(check.status.success(), "{}", text(&check));
    std::fs::remove_file(&records).ok();

    // The vote as a Pabulib file: the checker accepts it, and counting it again gives the same
    // eleven funded projects.
    let pb_file = dir.join(format!("vote-{}.pb", uuid::Uuid::new_v4().simple()));
    let o = run(&[
        "--database",
        &url,
        "pb",
        "export",
        &vote,
        "--out",
        pb_file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(pabulib_checker_errors(&pb_file), "{}");
    let o = run(&[
        "pb",
        "tally",
        "--rule",
        "mes_cost_then_greedy_cost",
        "--json",
        pb_file.to_str().unwrap(),
    ]);
    let tally: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        tally["winners"].as_array().map(Vec::len),
        Some(11),
        "{tally}"
    );
    let written = std::fs::read_to_string(&pb_file).unwrap();
    assert!(
        written.contains(";1\n") && !written.contains("王秀兰"),
        "no names"
    );
    std::fs::remove_file(&pb_file).ok();

    // The demo command refuses a database that is not a demo.
    let other = temp_sqlite("not-demo");
    let o = run(&[
        "--database",
        &other,
        "init",
        "--city-code",
        "real-city",
        "--city-name",
        "某市",
        "--admin-username",
        "root",
        "--admin-password",
        "real-password-1",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&[
        "--database",
        &other,
        "demo",
        "--addr",
        &format!("127.0.0.1:{}", free_port()),
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("not a demo database"), "{}", text(&o));
}

/// Runs an external checker; the suite installs them (`scripts/test`), so a missing one fails
/// with the install line rather than skipping.
fn checker(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed: pip install beancount / apt-get install hledger ({e})")
        })
}

/// The demo's ledger exported as journals: `bean-check` and `hledger check -s` accept them, and
/// their closing assertions (our balances) hold; a journal with one amount changed is refused.
/// `ledger check` finds the demo consistent.
#[tokio::test(flavor = "multi_thread")]
async fn ledger_journals_pass_the_real_checkers() {
    let url = fresh_url("ledger").await;
    let port = free_port();
    {
        let _server = start_demo(&url, port);
    }
    let o = run(&["--database", &url, "ledger", "check"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("ledger consistent"), "{}", text(&o));
    let dir = std::env::temp_dir().join("gongzhi-tests");
    let id = uuid::Uuid::new_v4().simple().to_string();
    let bean = dir.join(format!("ledger-{id}.beancount"));
    let journal = dir.join(format!("ledger-{id}.journal"));
    for (format, path) in [("beancount", &bean), ("hledger", &journal)] {
        let o = run(&[
            "--database",
            &url,
            "export",
            format,
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let o = checker("bean-check", &[bean.to_str().unwrap()]);
    assert!(o.status.success(), "bean-check: {}", text(&o));
    let o = checker("hledger", &["check", "-s", "-f", journal.to_str().unwrap()]);
    assert!(o.status.success(), "hledger: {}", text(&o));
    // hledger's own balance of the city's allocation equals what the demo received (150,000).
    let o = checker(
        "hledger",
        &[
            "bal",
            "-N",
            "-f",
            journal.to_str().unwrap(),
            "Income:Jinyang-S-CITY",
        ],
    );
    assert!(text(&o).contains("-150000.00 CNY"), "{}", text(&o));
    let text_of = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
    // Change the first posting of the city's allocation: both tools must refuse the journal.
    for (path, program, args) in [
        (&bean, "bean-check", vec![]),
        (&journal, "hledger", vec!["check", "-s", "-f"]),
    ] {
        let original = text_of(path);
        let tampered = original.replacen("-150000.00 CNY", "-149999.00 CNY", 1);
        assert_ne!(original, tampered);
        let bad = dir.join(format!(
            "tampered-{id}-{}",
            path.file_name().unwrap().to_str().unwrap()
        ));
        std::fs::write(&bad, tampered).unwrap();
        let mut a: Vec<&str> = args.clone();
        a.push(bad.to_str().unwrap());
        let o = checker(program, &a);
        assert!(!o.status.success(), "{program} accepted a changed journal");
    }
}

#[test]
fn audit_verify_exits_non_zero_and_names_the_problem() {
    let url = temp_sqlite("verify");
    let o = run(&[
        "--database",
        &url,
        "init",
        "--city-code",
        "c",
        "--city-name",
        "市",
        "--admin-username",
        "root",
        "--admin-password",
        "real-password-1",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        run(&["--database", &url, "audit", "verify"])
            .status
            .success()
    );
    // Tamper with the file behind the application's back.
    let path = url.trim_start_matches("sqlite://");
    let status = Command::new("python3")
        .args(["-c", &format!("import sqlite3; c=sqlite3.connect('{path}'); c.execute(\"UPDATE jurisdictions SET name_zh='改'\"); c.commit()")])
        .status()
        .unwrap();
    assert!(status.success());
    let o = run(&["--database", &url, "audit", "verify"]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(
        t.contains("PROBLEMS FOUND") && t.contains("jurisdictions:") && t.contains("differs"),
        "{t}"
    );
}

/// A file of the shared Pabulib data: beside the checkout (`../shared`), in
/// `GONGZHI_SHARED_DIR`, or at `/work/shared` where these machines keep it.
fn pabulib_file(name: &str) -> String {
    let beside = format!("{}/../../../shared", env!("CARGO_MANIFEST_DIR"));
    let shared = std::env::var("GONGZHI_SHARED_DIR")
        .into_iter()
        .chain([beside, "/work/shared".to_string()])
        .find(|p| std::path::Path::new(p).join("data/pabulib").is_dir())
        .expect("../shared/data/pabulib (set GONGZHI_SHARED_DIR)");
    format!("{shared}/data/pabulib/{name}")
}

#[test]
fn pb_tally_prints_json_equal_to_the_reference() {
    let file = pabulib_file("Poland_Swiecie_2023.pb");
    let out = run(&[
        "pb",
        "tally",
        "--rule",
        "mes-cost",
        "--completion",
        "greedy",
        "--json",
        &file,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reference: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(pabulib_file("reference/Poland_Swiecie_2023.json")).unwrap(),
    )
    .unwrap();
    let expected = reference
        .iter()
        .find(|c| c["rule_key"] == "mes_cost_then_greedy_cost")
        .unwrap();
    assert_eq!(got["selection_order"], expected["selection_order"]);
    assert_eq!(got["total_cost"], expected["total_cost_exact"]);
    // The text form lists the same winners and the total.
    let plain = run(&["pb", "tally", "--rule", "mes_cost_then_greedy_cost", &file]);
    let plain = text(&plain);
    assert!(
        plain.contains(&format!(
            "total_cost: {}",
            expected["total_cost_exact"].as_str().unwrap()
        )),
        "{plain}"
    );
}

#[test]
fn pb_tally_refuses_a_broken_file_with_its_line_in_both_languages() {
    let path = std::env::temp_dir().join(format!("gongzhi-broken-{}.pb", std::process::id()));
    std::fs::write(
        &path,
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nVOTES\nvoter_id;vote\n1;a,b\n",
    )
    .unwrap();
    let out = run(&[
        "pb",
        "tally",
        "--rule",
        "greedy-cost",
        path.to_str().unwrap(),
    ]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(2));
    let message = text(&out);
    assert!(message.contains("line 10, column 2 (vote)"), "{message}");
    assert!(message.contains("不存在的项目"), "{message}");
    let limited = run(&[
        "pb",
        "tally",
        "--rule",
        "greedy-cost",
        "--max-bytes",
        "100",
        &pabulib_file("Poland_Swiecie_2023.pb"),
    ]);
    assert_eq!(limited.status.code(), Some(2));
    assert!(text(&limited).contains("too large"), "{}", text(&limited));
    // The add-one completion stops at its bound with an error, never runs unbounded.
    let bounded = run(&[
        "pb",
        "tally",
        "--rule",
        "mes-cost",
        "--completion",
        "add1",
        "--max-rounds",
        "2",
        &pabulib_file("Poland_Swiecie_2023.pb"),
    ]);
    assert_eq!(bounded.status.code(), Some(2), "{}", text(&bounded));
    assert!(
        text(&bounded).contains("did not finish within 2 rounds"),
        "{}",
        text(&bounded)
    );
    let unknown = run(&[
        "pb",
        "tally",
        "--rule",
        "majority",
        &pabulib_file("Poland_Swiecie_2023.pb"),
    ]);
    assert!(
        text(&unknown).contains("unknown rule"),
        "{}",
        text(&unknown)
    );
}

/// Runs the real `pabulib-checker` (PyPI; `scripts/test` installs it and sets
/// `GONGZHI_PABULIB_PYTHON`) on a file and returns its errors as JSON text (`{}` when none).
fn pabulib_checker_errors(file: &std::path::Path) -> String {
    let python = std::env::var("GONGZHI_PABULIB_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "import sys, json\n\
        from pabulib.checker import Checker\n\
        r = Checker().process_files([sys.argv[1]])\n\
        errors = {}\n\
        for k, v in r.items():\n\
        \x20   if k != 'metadata':\n\
        \x20       errors.update(v.get('results', {}).get('errors', {}) or {})\n\
        print(json.dumps(errors, ensure_ascii=False, default=str))\n";
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{python} is needed for pabulib-checker ({e})"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pabulib-checker is needed: python3 -m venv V && V/bin/pip install pabulib-checker, then \
         GONGZHI_PABULIB_PYTHON=V/bin/python ({stderr})"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout.lines().last().unwrap_or("").to_string()
}

/// What `pb tally --write` writes passes the Pabulib checker, and the checker, recomputing the rule
/// named in META from the votes, agrees with the `selected` column we wrote: greedy and equal
/// shares, and equal shares with the checker's own add-one (which differs from pabutools' add-one
/// on Zürich SN and Mechanical Turk 3: the checker rejects pabutools' winners there).
#[test]
fn pabulib_checker_accepts_our_files_and_confirms_our_results() {
    let dir = std::env::temp_dir().join(format!("gongzhi-pbcheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: [(&str, &[&str]); 6] = [
        ("Switzerland_Zurich_SN", &["greedy-cost"]),
        ("Switzerland_Zurich_SN", &["mes-cost"]),
        (
            "Switzerland_Zurich_SN",
            &["mes-cost", "--completion", "add1-checker"],
        ),
        (
            "Worldwide_Mechanical_Turk_Knapsack_3",
            &["mes-cost", "--completion", "add1-checker"],
        ),
        ("Worldwide_Mechanical_Turk_Knapsack_3", &["greedy-cost"]),
        (
            "Poland_Swiecie_2023",
            &["mes-cost", "--completion", "add1-checker"],
        ),
    ];
    for (instance, rule) in cases {
        let out_file = dir.join(format!("{instance}-{}.pb", rule.join("-")));
        let mut args = vec!["pb", "tally", "--rule"];
        args.extend_from_slice(rule);
        let input = pabulib_file(&format!("{instance}.pb"));
        args.extend(["--write", out_file.to_str().unwrap(), &input]);
        let out = run(&args);
        assert!(out.status.success(), "{}", text(&out));
        let errors = pabulib_checker_errors(&out_file);
        assert_eq!(errors, "{}", "{instance} {rule:?}: {errors}");
    }
    // pabutools' add-one chooses differently on Zürich SN; marked as the checker's rule, the
    // checker says so.
    let pabutools = dir.join("zurich-pabutools-add1.pb");
    let out = run(&[
        "pb",
        "tally",
        "--rule",
        "mes-cost",
        "--completion",
        "add1",
        "--write",
        pabutools.to_str().unwrap(),
        &pabulib_file("Switzerland_Zurich_SN.pb"),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(&pabutools).unwrap();
    assert!(written.contains("\nrule;unknown\n"), "{written}");
    std::fs::write(
        &pabutools,
        written.replace("\nrule;unknown\n", "\nrule;equalshares/add1\n"),
    )
    .unwrap();
    let errors = pabulib_checker_errors(&pabutools);
    assert!(errors.contains("rule not followed"), "{errors}");
    std::fs::remove_dir_all(&dir).ok();
}

/// One HTTP/1.1 request over a fresh connection: (status, head, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (and close) before taking the whole body: that is the point.
    let _ = s.write_all(body);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let resp = String::from_utf8_lossy(&resp).into_owned();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, head.to_string(), body.to_string())
}

fn sign_in(port: u16, who: &str) -> String {
    let body = format!(r#"{{"identifier":"{who}","password":"gongzhi-demo-2026"}}"#);
    let (code, head, text) = http(
        port,
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(code, 200, "{who}: {text}");
    head.lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string()
}

/// A place's id, from the public list of jurisdictions.
fn place_id(port: u16, code: &str) -> String {
    let (_, list) = http_get(port, "/api/v1/jurisdictions").unwrap();
    list.split(&format!("\"code\":\"{code}\""))
        .next()
        .and_then(|before| before.rsplit("\"id\":\"").next())
        .map(|id| id[..36].to_string())
        .unwrap_or_else(|| panic!("{code}'s id in the jurisdictions list"))
}

/// The largest the process has been (VmHWM), in KiB.
fn peak_memory_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A workbook of a few kilobytes with a cell at A1 and one at XFD1048576: read as a grid it
/// asks for hundreds of GiB.
fn sparse_sheet_bomb() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "姓名").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save_to_buffer().unwrap()
}

/// A ZIP archive of ~80 KB whose one part unpacks to 80 MiB.
fn zip_bomb() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..80 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// The server's memory bound under spreadsheet bombs (README, "Limits"): 512 MiB at its peak.
const BOMB_MEMORY_BOUND_KIB: u64 = 512 * 1024;

#[tokio::test(flavor = "multi_thread")]
async fn spreadsheet_bombs_neither_stop_the_server_nor_swell_it() {
    let url = fresh_url("bombs").await;
    let port = free_port();
    let server = start_demo(&url, port);
    let jinyang = place_id(port, "jinyang");
    let bombs = [
        ("sparse sheet", sparse_sheet_bomb()),
        ("zip bomb", zip_bomb()),
    ];
    assert!(bombs.iter().all(|(_, b)| b.len() < 200_000));
    let sessions = [
        ("visitor", None),
        ("resident", Some(sign_in(port, "13800000001"))),
        ("staff", Some(sign_in(port, "jinyang-staff"))),
    ];
    for (who, cookie) in &sessions {
        for (bomb, file) in &bombs {
            for route in [
                format!("/api/v1/communities/{jinyang}/residents/import"),
                format!("/api/v1/communities/{jinyang}/needs/import"),
                format!("/api/v1/communities/{jinyang}/vouchers"),
                "/residents/jinyang/import".to_string(),
                "/c/jinyang/funds/vouchers".to_string(),
            ] {
                let multipart = !route.starts_with("/api/");
                let mut body = Vec::new();
                let content_type = if multipart {
                    body.extend_from_slice(b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n");
                    body.extend_from_slice(file);
                    body.extend_from_slice(b"\r\n--b--\r\n");
                    "multipart/form-data; boundary=b"
                } else {
                    body.extend_from_slice(file);
                    "application/octet-stream"
                };
                let mut headers = vec![("Content-Type", content_type)];
                if let Some(c) = cookie {
                    headers.push(("Cookie", c.as_str()));
                }
                let (code, _, text) = http(port, "POST", &route, &headers, &body);
                let expected: &[u16] = match *who {
                    "visitor" if multipart => &[303],
                    "visitor" => &[401],
                    "resident" => &[403],
                    // Staff may import: the file itself is refused, naming the limit.
                    _ => &[400, 422],
                };
                assert!(
                    expected.contains(&code),
                    "{who}, {bomb}, {route}: {code} {}",
                    &text[..text.len().min(300)]
                );
                if *who == "staff" {
                    let named = if *bomb == "zip bomb" { "64 MB" } else { "64" };
                    assert!(text.contains(named), "{route}: {text}");
                }
                assert_eq!(http_get(port, "/healthz").map(|r| r.0), Some(200));
            }
        }
    }
    let peak = peak_memory_kib(server.0.id());
    eprintln!(
        "the server's peak memory under the bombs: {} MiB",
        peak / 1024
    );
    assert!(
        peak < BOMB_MEMORY_BOUND_KIB,
        "the server peaked at {} MiB",
        peak / 1024
    );
}

/// Kill -9 under write load: every write the server acknowledged is there after a restart, and
/// the audit chains and the ledger check out.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_under_write_load_loses_no_acknowledged_write() {
    let url = fresh_url("crash").await;
    let port = free_port();
    let mut server = start_demo(&url, port);
    let jinyang = place_id(port, "jinyang");
    let (_, funds) = http_get(port, "/api/v1/communities/jinyang/funds").unwrap();
    let body = funds.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let funds: serde_json::Value = serde_json::from_str(body).expect("funds as JSON");
    let fund = funds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["custodian"].is_null())
        .and_then(|f| f["id"].as_str())
        .expect("a fund of 晋阳 its staff keep")
        .to_string();
    let cookie = sign_in(port, "jinyang-staff");
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (cookie, jinyang, fund) = (cookie.clone(), jinyang.clone(), fund.clone());
            let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
            std::thread::spawn(move || {
                for i in 0..10_000 {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    let (path, body, table) = if i % 2 == 0 {
                        (
                            "/api/v1/residents".to_string(),
                            format!(r#"{{"community_id":"{jinyang}","name":"压测居民{w}-{i}"}}"#),
                            "residents",
                        )
                    } else {
                        (
                            format!("/api/v1/funds/{fund}/receipts"),
                            format!(r#"{{"source":"donors","amount":"1.{:02}","code":"crash-{w}-{i}","memo":"断电测试"}}"#, i % 100),
                            "transfers",
                        )
                    };
                    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
                        break;
                    };
                    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                    let request = format!(
                        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if s.write_all(request.as_bytes()).is_err() {
                        break;
                    }
                    let mut resp = String::new();
                    let _ = s.read_to_string(&mut resp);
                    // Acknowledged: the server said 201 and named what it wrote.
                    if resp.starts_with("HTTP/1.1 201")
                        && let Some(id) = resp
                            .split("\"id\":\"")
                            .nth(1)
                            .or_else(|| resp.split("\"transfer_id\":\"").nth(1))
                            .map(|r| r[..36].to_string())
                    {
                        acknowledged.lock().unwrap().push((table.to_string(), id));
                    }
                }
            })
        })
        .collect();
    // Let the writes run, then pull the plug in the middle of them.
    while acknowledged.lock().unwrap().len() < 60 {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 60);
    // Restarted, it serves the same database; every acknowledged write is in it.
    drop(start_demo(&url, port));
    let db = gongzhi_store::Db::connect(&url, gongzhi_store::db::Open::MustExist)
        .await
        .unwrap();
    let mut read = db.read().await.unwrap();
    for (table, id) in &acknowledged {
        let (sql, column) = match table.as_str() {
            "residents" => (
                "SELECT CAST(1 AS BIGINT) FROM residents WHERE id = $1",
                "resident",
            ),
            _ => (
                "SELECT CAST(1 AS BIGINT) FROM ledger_transfers WHERE id = $1",
                "transfer",
            ),
        };
        let found = read
            .row(
                sql,
                &[uuid::Uuid::parse_str(id).unwrap().into()],
                &[gongzhi_store::schema::ColType::Int],
            )
            .await
            .unwrap();
        assert!(found.is_some(), "acknowledged {column} {id} was lost");
    }
    read.rollback().await.unwrap();
    db.close().await;
    let verify = run(&["--database", &url, "audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    let ledger = run(&["--database", &url, "ledger", "check"]);
    assert!(ledger.status.success(), "{}", text(&ledger));
}

/// A schema-driven fuzzer (schemathesis, PyPI) over the OpenAPI document, signed in as staff and
/// as a visitor: no generated request, valid for the schema or broken on purpose, makes the
/// server answer 5xx, and no request the document allows is refused for its shape (the few
/// rules a schema cannot state are listed, with their reasons, in `tests/schemathesis.toml`).
/// (Installed by the test command into GONGZHI_OCDS_PYTHON's environment.)
#[tokio::test(flavor = "multi_thread")]
async fn a_schema_driven_fuzzer_finds_no_server_error() {
    let python = std::env::var("GONGZHI_OCDS_PYTHON").unwrap_or_else(|_| "python3".into());
    let schemathesis = std::path::Path::new(&python)
        .parent()
        .map(|bin| bin.join("schemathesis"))
        .filter(|p| p.is_file())
        .expect("schemathesis is needed: pip install schemathesis beside GONGZHI_OCDS_PYTHON");
    let url = fresh_url("fuzz").await;
    let port = free_port();
    let _server = start_demo(&url, port);
    let base = format!("http://127.0.0.1:{port}");
    let staff = sign_in(port, "jinyang-staff");
    for (who, header) in [
        ("staff", format!("Cookie: {staff}")),
        ("visitor", String::new()),
    ] {
        let mut command = Command::new(&schemathesis);
        // Its cache of findings goes to the temporary folder, not into the checkout.
        let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml");
        command
            .current_dir(std::env::temp_dir())
            .args(["--no-color", "--config-file", config, "run"])
            .arg(format!("{base}/api/v1/openapi.json"))
            .args(["--url", &format!("{base}/api/v1")])
            .args(["--checks", "not_a_server_error,positive_data_acceptance"])
            .args(["--phases", "examples,fuzzing"])
            .args(["--max-examples", "6", "--seed", "20261207"])
            .env("NO_COLOR", "1");
        if !header.is_empty() {
            command.args(["-H", &header]);
        }
        let out = command.output().unwrap();
        let report = text(&out);
        assert!(out.status.success(), "{who}: {report}");
        assert!(
            report.contains("passed")
                && !report.contains("Server error")
                && !report.contains("Schema-valid request rejected"),
            "{who}: {report}"
        );
    }
}

/// Refusals that say who may act (a voter on the roll, a resident of the place, a signer of the
/// chain, a seat of the council), or that find fault with the request itself (one field against
/// another, a record named in the body that does not exist). None tells a stranger anything of
/// the state of the record the address names.
const REFUSALS_THAT_TELL_NOTHING: &[&str] = &[
    "ballot_not_on_roll",
    "objection_not_resident",
    "rating_not_resident_here",
    "signoff_not_a_signer",
    "custodian_only",
    "seat_not_in_council",
    "period_end_before_start",
    "statement_period_not_over",
    "sanction_ends_before_start",
    "term_end_before_start",
    "payment_rule_invalid",
    "organisation_not_found",
    // Anyone signed in may offer to take on a project; whether it is still open is public.
    "project_already_under_way",
];

/// Authorise first, everywhere: the staff of 玉东 send schema-valid commands (generated by the
/// schema fuzzer) to the addresses of real records of 晋阳 and of the district, one of each kind.
/// Every answer is a refusal for who they are (401/403, 404), or one of the few refusals that say
/// nothing of the record's state; never a success, a conflict, or a state like "motion closed".
#[tokio::test(flavor = "multi_thread")]
async fn a_stranger_learns_nothing_of_another_communitys_records() {
    let python = std::env::var("GONGZHI_OCDS_PYTHON").unwrap_or_else(|_| "python3".into());
    let schemathesis = std::path::Path::new(&python)
        .parent()
        .map(|bin| bin.join("schemathesis"))
        .filter(|p| p.is_file())
        .expect("schemathesis is needed: pip install schemathesis beside GONGZHI_OCDS_PYTHON");
    let url = fresh_url("stranger").await;
    let port = free_port();
    let server = start_demo(&url, port);
    let stranger = sign_in(port, "yudong-staff");
    // One record of each kind: 晋阳's where it has one, else any that is not 玉东's own.
    let export = run(&["--database", &url, "export", "jsonl"]);
    assert!(export.status.success(), "{}", text(&export));
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&export.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let place = |code: &str| {
        rows.iter()
            .find(|r| r["table"] == "jurisdictions" && r["row"]["code"] == code)
            .and_then(|r| r["row"]["id"].as_str())
            .unwrap()
            .to_string()
    };
    let (jinyang, yudong) = (place("jinyang"), place("yudong"));
    let pick = |table: &str| -> Option<String> {
        let of_table = || {
            rows.iter()
                .filter(move |r| r["table"] == table && r["row"]["id"].is_string())
        };
        of_table()
            .find(|r| r["row"]["tenant_id"] == jinyang.as_str())
            .or_else(|| of_table().find(|r| r["row"]["tenant_id"] != yudong.as_str()))
            .and_then(|r| r["row"]["id"].as_str().map(str::to_string))
    };
    let table_of = |prefix: &str| -> String {
        match prefix {
            "bids" => "call_bids",
            "budget-votes" => "budget_votes",
            "calls" => "purchase_calls",
            "meeting-requests" => "meeting_requests",
            "transfers" => "ledger_transfers",
            other => other,
        }
        .to_string()
    };
    let (_, answer) = http_get(port, "/api/v1/openapi.json").unwrap();
    let document = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    let document: serde_json::Value = serde_json::from_str(document).unwrap();
    let mut config = String::new();
    let mut aimed = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        let Some(prefix) = path.strip_prefix('/').and_then(|p| p.split('/').next()) else {
            continue;
        };
        if !path.contains("{id}") {
            continue;
        }
        let id = if prefix == "communities" {
            Some(jinyang.clone())
        } else {
            pick(&table_of(prefix))
        };
        let Some(id) = id else { continue };
        for (method, op) in operations.as_object().unwrap() {
            if method != "get" {
                config.push_str(&format!(
                    "[[operations]]\ninclude-operation-id = \"{}\"\nparameters = {{ id = \"{id}\" }}\n\n",
                    op["operationId"].as_str().unwrap()
                ));
                aimed += 1;
            }
        }
    }
    assert!(aimed > 40, "commands aimed at real records: {aimed}");
    let work = std::env::temp_dir().join(format!("gongzhi-stranger-{port}"));
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("schemathesis.toml"), &config).unwrap();
    let har = work.join("answers.har");
    let out = Command::new(&schemathesis)
        .current_dir(&work)
        .args(["--no-color", "--config-file", "schemathesis.toml", "run"])
        .arg(format!("http://127.0.0.1:{port}/api/v1/openapi.json"))
        .args(["--url", &format!("http://127.0.0.1:{port}/api/v1")])
        .args(["--checks", "not_a_server_error", "--mode", "positive"])
        .args(["--phases", "examples,fuzzing"])
        .args(["--max-examples", "6", "--seed", "20261207"])
        .args(["--include-path-regex", r"\{id\}", "--exclude-method", "GET"])
        .args(["--report", "har", "--report-har-path", "answers.har"])
        .args(["-H", &format!("Cookie: {stranger}")])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&har).unwrap()).unwrap();
    let mut told = Vec::new();
    let mut refused = 0;
    for entry in har["log"]["entries"].as_array().unwrap() {
        let status = entry["response"]["status"].as_u64().unwrap();
        let request = format!(
            "{} {}",
            entry["request"]["method"].as_str().unwrap_or(""),
            entry["request"]["url"].as_str().unwrap_or("")
        );
        let body: serde_json::Value =
            serde_json::from_str(entry["response"]["content"]["text"].as_str().unwrap_or(""))
                .unwrap_or_default();
        let code = body["error"].as_str().unwrap_or("");
        match status {
            401 | 403 | 404 => refused += 1,
            422 if REFUSALS_THAT_TELL_NOTHING.contains(&code) => refused += 1,
            _ => told.push(format!("{status} {code} ← {request}")),
        }
    }
    assert!(refused > 200, "too few commands were tried: {refused}");
    assert!(told.is_empty(), "a stranger was told:\n{}", told.join("\n"));
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
}

/// A real SMTP server (Python's aiosmtpd) storing each message it accepts in a Maildir.
struct SmtpServer(Child, std::path::PathBuf);

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        std::fs::remove_dir_all(&self.1).ok();
    }
}

impl SmtpServer {
    fn start(port: u16) -> SmtpServer {
        let dir =
            std::env::temp_dir().join(format!("gongzhi-mail-{}", uuid::Uuid::new_v4().simple()));
        let python = std::env::var("GONGZHI_OCDS_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox", dir.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd is needed: pip install aiosmtpd beside GONGZHI_OCDS_PYTHON");
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpServer(child, dir);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start (pip install aiosmtpd beside GONGZHI_OCDS_PYTHON)");
    }

    /// Every message it has accepted, as text.
    fn messages(&self) -> Vec<String> {
        ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.1.join(d)).ok())
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect()
    }
}

/// A notification e-mail is written in the same transaction as the answer that causes it, and
/// reaches a real SMTP server exactly once: not lost when the server is killed before sending it,
/// not sent again when the server restarts after it was sent.
#[tokio::test(flavor = "multi_thread")]
async fn an_email_through_the_outbox_arrives_once_across_a_kill_and_restart() {
    let url = fresh_url("outbox").await;
    let (port, smtp_port) = (free_port(), free_port());
    let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    // The outbox is looked at when the server starts, then hourly: a delivery made while it
    // runs waits for the next start.
    let env = [
        ("GONGZHI_SMTP_URL", smtp_url.as_str()),
        ("GONGZHI_DELIVERY_POLL_SECONDS", "3600"),
    ];
    let mut server = start_demo_with(&url, port, &env);
    let resident = sign_in(port, "13800000001");
    let (code, _, body) = http(
        port,
        "POST",
        "/api/v1/me/email",
        &[("Content-Type", "application/json"), ("Cookie", &resident)],
        br#"{"email":"tian@example.cn"}"#,
    );
    assert_eq!(code, 200, "{body}");
    let beiyuan = place_id(port, "beiyuan");
    let need = format!(r#"{{"place_id":"{beiyuan}","category":"other","title":"三单元路灯不亮"}}"#);
    let (code, _, body) = http(
        port,
        "POST",
        "/api/v1/needs",
        &[("Content-Type", "application/json"), ("Cookie", &resident)],
        need.as_bytes(),
    );
    assert_eq!(code, 201, "{body}");
    let need_id = body
        .split("\"id\":\"")
        .nth(1)
        .map(|r| r[..36].to_string())
        .unwrap();
    let staff = sign_in(port, "jinyang-staff");
    let (code, _, body) = http(
        port,
        "POST",
        &format!("/api/v1/needs/{need_id}/reply"),
        &[("Content-Type", "application/json"), ("Cookie", &staff)],
        r#"{"reply":"已报修，明天更换灯泡"}"#.as_bytes(),
    );
    assert_eq!(code, 200, "{body}");
    let (_, _, inbox) = http(
        port,
        "GET",
        "/api/v1/me/messages",
        &[("Cookie", &resident)],
        b"",
    );
    assert!(
        inbox.contains("\"kind\":\"need_answered\"") && inbox.contains("三单元路灯不亮"),
        "{inbox}"
    );
    // Killed before it ever looked at the outbox again: nothing was sent.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let smtp = SmtpServer::start(smtp_port);
    assert!(smtp.messages().is_empty());

    // Restarted, it sends what was left due.
    let mut server = start_demo_with(&url, port, &env);
    let mut arrived = Vec::new();
    for _ in 0..100 {
        arrived = smtp.messages();
        if !arrived.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(arrived.len(), 1, "{arrived:?}");
    let mail = &arrived[0];
    assert!(mail.contains("tian@example.cn"), "{mail}");
    assert!(mail.contains("Message-ID: <"), "{mail}");
    assert!(mail.contains("/my/needs#need-"), "{mail}");
    // Killed and restarted again: it is not sent a second time.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let _server = start_demo_with(&url, port, &env);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(smtp.messages().len(), 1);
}
