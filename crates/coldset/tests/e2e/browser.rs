//! The web pages in a real Chromium, driven through chromedriver's W3C WebDriver protocol
//! (plain JSON over HTTP, so no extra client crate), with axe-core checking accessibility.
//! `./scripts/test.sh` installs Debian's `chromium` and `chromium-driver` and axe-core from
//! npm when they are missing; without them this test fails and says so.

use super::{p, start};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A chromedriver process and one headless Chromium session, both ended on drop.
struct Browser {
    driver: Child,
    base: String,
    session: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}

impl Browser {
    /// A phone-sized window: the armorer's pages are used on a phone.
    fn start() -> Browser {
        let driver_bin = find(&["chromedriver"])
            .expect("chromedriver is missing: run ./scripts/test.sh, which installs chromium-driver");
        let chromium = find(&["chromium", "chromium-browser"])
            .expect("chromium is missing: run ./scripts/test.sh, which installs chromium");
        let port = free_port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=412,915"]
            }
        }}});
        let mut browser = Browser { driver, base, session: String::new() };
        let created = browser.call("POST", "/session", caps);
        browser.session = created["sessionId"].as_str().unwrap().to_owned();
        browser
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let res = match method {
            "GET" => ureq::get(&url).call(),
            "DELETE" => ureq::delete(&url).call(),
            _ => ureq::post(&url).set("Content-Type", "application/json").send_string(&body.to_string()),
        };
        let text = match res {
            Ok(r) => r.into_string().unwrap(),
            Err(ureq::Error::Status(s, r)) => panic!("WebDriver {method} {path}: {s} {}", r.into_string().unwrap()),
            Err(e) => panic!("WebDriver {method} {path}: {e}"),
        };
        let v: Value = serde_json::from_str(&text).unwrap();
        v["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Value) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn go(&self, url: &str) {
        self.session_call("POST", "/url", json!({ "url": url }));
    }

    fn script(&self, source: &str) -> Value {
        self.session_call("POST", "/execute/sync", json!({ "script": source, "args": [] }))
    }

    fn text(&self) -> String {
        self.script("return document.body.innerText;").as_str().unwrap_or_default().to_owned()
    }

    fn url(&self) -> String {
        self.session_call("GET", "/url", Value::Null).as_str().unwrap_or_default().to_owned()
    }

    /// Waits (up to 10 s) for a navigation to reach a URL ending in `suffix`.
    fn wait_for_url(&self, suffix: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.url().ends_with(suffix) {
            assert!(Instant::now() < deadline, "still at {} instead of …{suffix}: {}", self.url(), self.text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types into the field with this CSS selector.
    fn fill(&self, css: &str, value: &str) {
        let el = self.session_call("POST", "/element", json!({"using": "css selector", "value": css}));
        let id = el.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).unwrap().to_owned();
        self.session_call("POST", &format!("/element/{id}/value"), json!({ "text": value }));
    }

    fn click(&self, css: &str) {
        let el = self.session_call("POST", "/element", json!({"using": "css selector", "value": css}));
        let id = el.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).unwrap().to_owned();
        self.session_call("POST", &format!("/element/{id}/click"), json!({}));
    }

    /// Clicks a submit button and waits (up to 10 s) until the next page has loaded: the old
    /// page is marked first, so the wait ends only once a new document is complete.
    fn submit(&self, css: &str) {
        self.script("window.__coldsetOldPage = true;");
        self.click(css);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.script("return window.__coldsetOldPage !== true && document.readyState === 'complete';")
            != json!(true)
        {
            assert!(Instant::now() < deadline, "the form did not lead to a new page: {}", self.text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs axe-core on the current page against WCAG 2.1 A and AA and returns every
    /// violation as "rule: first offending element".
    fn accessibility_violations(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(axe_path()).expect("axe-core is missing: run ./scripts/test.sh");
        let script = format!(
            "{axe}\nconst done = arguments[arguments.length - 1];\n\
             axe.run(document, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}}})\
             .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' + v.nodes[0].html)))\
             .catch(e => done(['axe failed: ' + e]));"
        );
        let v = self.session_call("POST", "/execute/async", json!({ "script": script, "args": [] }));
        v.as_array().unwrap().iter().map(|s| s.as_str().unwrap_or_default().to_owned()).collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn axe_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.cache/axe/node_modules/axe-core/axe.min.js")
}

/// In Chromium: the crew's public report page files a report and gives a follow-up key; the
/// 1st AD signs in through the form and lands on the live board; the armorer's firearm page
/// shows a refusal with its rule ids. Every page passes axe-core's WCAG 2.1 AA checks.
#[test]
fn the_pages_work_in_chromium_and_pass_accessibility_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let server = start(&["demo", "--data", p(&data)]);
    let logins = std::fs::read_to_string(data.join("demo-logins.txt")).unwrap();
    let password_of = |who: &str| {
        let line = logins.lines().find(|l| l.trim_start().starts_with(&format!("{who} /"))).unwrap();
        line.split('/').nth(1).unwrap().split_whitespace().next().unwrap().to_owned()
    };
    let browser = Browser::start();
    let mut problems = Vec::new();

    // A crew member reports a danger, without an account.
    browser.go(&format!("{}/p/dead-river/report", server.base));
    problems.extend(browser.accessibility_violations().into_iter().map(|v| format!("report page: {v}")));
    browser.fill("textarea[name=text]", "Live rounds seen in the dummy box on the cart");
    browser.submit("button[type=submit]");
    let filed = browser.text();
    assert!(filed.contains("fk_"), "the reporter gets a follow-up key: {filed}");
    problems.extend(browser.accessibility_violations().into_iter().map(|v| format!("report filed: {v}")));

    // The 1st AD signs in through the form and is taken to the board.
    browser.go(&format!("{}/login?next=/p/dead-river/board", server.base));
    problems.extend(browser.accessibility_violations().into_iter().map(|v| format!("sign-in page: {v}")));
    browser.fill("#name", "dana");
    browser.fill("#password", &password_of("dana"));
    browser.submit("button[type=submit]");
    browser.wait_for_url("/p/dead-river/board");
    let board = browser.text();
    assert!(board.contains("live board") && board.contains("Every firearm is in storage"), "{board}");
    problems.extend(browser.accessibility_violations().into_iter().map(|v| format!("board: {v}")));

    // The armorer, on her phone: a step the rules forbid is refused with its rule ids.
    browser.session_call("DELETE", "/cookie", Value::Null);
    browser.go(&format!("{}/login?next=/p/dead-river/firearms/fa-1", server.base));
    browser.fill("#name", "maria");
    browser.fill("#password", &password_of("maria"));
    browser.submit("button[type=submit]");
    browser.wait_for_url("/p/dead-river/firearms/fa-1");
    let page = browser.text();
    assert!(page.contains("SAA-BF-1021"), "{page}");
    problems.extend(browser.accessibility_violations().into_iter().map(|v| format!("firearm page: {v}")));
    browser.submit("form[data-action=take] button[type=submit]");
    let refusal = browser.text();
    assert!(refusal.contains("R-STORE-3") && refusal.contains("Nothing was recorded"), "{refusal}");
    problems.extend(browser.accessibility_violations().into_iter().map(|v| format!("refusal: {v}")));

    assert!(problems.is_empty(), "accessibility violations:\n{}", problems.join("\n"));
}
