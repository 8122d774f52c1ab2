//! First run in the browser's own requests (forms and redirects, no API call for what the
//! pages do): after `coldset init` only, the administrator signs in with any letter case,
//! creates a production with a one-time code required of armorers, and gives a person an
//! account; that person chooses their password with the one-time set-up code, is sent to set
//! up a one-time code (not refused), signs in again with it, and signs out.

use super::{coldset, p, start, text, totp_now};

/// A client that does not follow redirects, so each answer can be checked.
fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().redirects(0).build()
}

/// Status, `Location`, `Set-Cookie` (the pair only) and body of an answer, whatever its status.
fn answer(r: Result<ureq::Response, ureq::Error>) -> (u16, String, Option<String>, String) {
    let r = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let location = r.header("location").unwrap_or_default().to_owned();
    let cookie = r.header("set-cookie").map(|c| c.split(';').next().unwrap_or_default().to_owned());
    (r.status(), location, cookie, r.into_string().unwrap())
}

/// The text between `start` and the next `end` in `html`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    html.split(start).nth(1).unwrap_or_else(|| panic!("no {start} in {html}")).split(end).next().unwrap()
}

/// Signs in through the sign-in page's form; returns the session cookie.
fn form_sign_in(base: &str, name: &str, password: &str, code: &str) -> Result<String, (u16, String)> {
    let (status, _, cookie, body) = answer(agent().post(&format!("{base}/login")).set("Origin", base).send_form(&[
        ("name", name),
        ("password", password),
        ("code", code),
        ("next", "/"),
    ]));
    match (status, cookie) {
        (303, Some(c)) => Ok(c),
        _ => Err((status, body)),
    }
}

fn csrf_of(page: &str) -> String {
    between(page, "name=\"csrf\" value=\"", "\"").to_owned()
}

#[test]
fn first_run_in_the_browser_from_init_to_a_person_signed_in_with_a_second_factor() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("set");
    let o = coldset(&["init", "--data", p(&data), "--admin", "Admin"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    let password = between(&out, "password: ", "\n").trim().to_owned();
    let server = start(&["serve", "--data", p(&data)]);
    let base = server.base.clone();
    let get = |cookie: &str, path: &str| answer(agent().get(&format!("{base}{path}")).set("Cookie", cookie).call());

    // The administrator's name matches whatever its letter case (it is stored in lower case).
    let admin = form_sign_in(&base, "ADMIN", &password, "").expect("sign-in with any letter case");
    let (status, _, _, home) = get(&admin, "/");
    assert_eq!(status, 200);
    assert!(home.contains("No production yet") && home.contains("href=\"/new\""), "{home}");
    assert!(home.contains("action=\"/logout\""), "sign-out on every signed-in page");

    // The production, from the form.
    let (_, _, _, form) = get(&admin, "/new");
    let csrf = csrf_of(&form);
    let post_new =
        |fields: &[(&str, &str)]| answer(agent().post(&format!("{base}/new")).set("Cookie", &admin).send_form(fields));
    // A wrong time zone is refused with the form kept as typed, and nothing is created.
    let (status, _, _, refused) = post_new(&[
        ("csrf", &csrf),
        ("name", "Dead River"),
        ("time_zone", "Mars/Olympus"),
        ("compliance_contact", "Studio safety, +1 505 555 0100"),
        ("pack", "industry-us"),
    ]);
    assert_eq!(status, 400, "{refused}");
    assert!(refused.contains("Mars/Olympus") && refused.contains("value=\"Dead River\""), "{refused}");
    assert!(refused.contains("Nothing was recorded"), "{refused}");
    let (status, location, _, _) = post_new(&[
        ("csrf", &csrf),
        ("name", "Dead River"),
        ("time_zone", "America/Denver"),
        ("compliance_contact", "Studio safety, +1 505 555 0100"),
        ("pack", "industry-us"),
        ("second_factor", "armorer"),
    ]);
    assert_eq!((status, location.as_str()), (303, "/p/dead-river?created=1"));
    let (_, _, _, inventory) = get(&admin, "/p/dead-river?created=1");
    assert!(inventory.contains("Production created") && inventory.contains("America/Denver"), "{inventory}");
    let production = server.get("/api/v1/productions/dead-river");
    assert_eq!(production["production"]["second_factor_roles"], serde_json::json!(["armorer"]), "{production}");

    // A person (the set-up pages add them; here the API, which they post through, does).
    let token = server.token.clone().unwrap();
    let command =
        serde_json::json!({"command": {"command": "add_person", "name": "Hannah Reed", "roles": ["armorer"]}});
    let added: serde_json::Value = serde_json::from_str(
        &ureq::post(&format!("{base}/api/v1/productions/dead-river/commands"))
            .set("Authorization", &format!("Bearer {token}"))
            .send_string(&command.to_string())
            .unwrap()
            .into_string()
            .unwrap(),
    )
    .unwrap();
    let person = added["events"][0]["event"]["body"]["person"].as_str().unwrap().to_owned();

    // Her account, from her person page: a set-up code, never a password.
    let account_page = format!("/p/dead-river/people/{person}/account");
    let (status, _, _, page) = get(&admin, &account_page);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("value=\"hannah.reed\""), "an account name is suggested: {page}");
    let (status, _, _, issued) =
        answer(agent().post(&format!("{base}{account_page}")).set("Cookie", &admin).send_form(&[
            ("csrf", &csrf_of(&page)),
            ("action", "create"),
            ("name", "Hannah.Reed"),
        ]));
    assert_eq!(status, 200, "{issued}");
    assert!(issued.contains("signs in as <strong>hannah.reed</strong>"), "{issued}");
    let link = between(&issued, "<code>", "</code>").to_owned();
    assert!(link.starts_with(&format!("{base}/welcome?code=")), "{link}");
    let code = link.rsplit('=').next().unwrap().to_owned();
    assert_eq!(code.len(), 19, "four groups of four: {code}");

    // The code is no credential.
    let as_token = ureq::get(&format!("{base}/api/v1/me")).set("Authorization", &format!("Bearer {code}")).call();
    assert!(matches!(as_token, Err(ureq::Error::Status(401, _))), "a set-up code opens nothing");

    // The welcome page names the account; two different passwords are refused, keeping the code.
    let (_, _, _, welcome) = answer(agent().get(&link).call());
    assert!(welcome.contains("<strong>hannah.reed</strong>"), "{welcome}");
    let welcome_post = |fields: &[(&str, &str)]| {
        answer(agent().post(&format!("{base}/welcome")).set("Origin", &base).send_form(fields))
    };
    let (status, _, _, differ) = welcome_post(&[
        ("code", &code.to_lowercase()),
        ("password", "a long and happy password"),
        ("again", "a long and happy passw0rd"),
    ]);
    assert_eq!(status, 400);
    assert!(differ.contains("The two passwords differ"), "{differ}");
    let (status, location, cookie, _) = welcome_post(&[
        ("code", &code.to_lowercase().replace('-', " ")),
        ("password", "a long and happy password"),
        ("again", "a long and happy password"),
    ]);
    assert_eq!((status, location.as_str()), (303, "/"), "a typed code in any case and spacing works");
    let hannah = cookie.expect("the welcome signs her in");
    // Once only.
    let (status, _, _, used) =
        welcome_post(&[("code", &code), ("password", "another long password"), ("again", "another long password")]);
    assert_eq!(status, 400);
    assert!(used.contains("unknown, used or expired"), "{used}");

    // Her production asks armorers for a one-time code: she is sent to set one up, not refused.
    let (status, location, _, _) = get(&hannah, "/p/dead-river");
    assert_eq!(status, 303);
    assert!(location.starts_with("/account?need=second-factor"), "{location}");
    let (_, _, _, account) = get(&hannah, &location);
    assert!(account.contains("This production asks for a one-time code"), "{account}");
    let (status, _, _, enrol) = answer(
        agent()
            .post(&format!("{base}/account/second-factor"))
            .set("Cookie", &hannah)
            .send_form(&[("csrf", &csrf_of(&account))]),
    );
    assert_eq!(status, 200, "{enrol}");
    assert!(enrol.contains("<svg"), "a QR code for the authenticator app: {enrol}");
    let secret: String = between(&enrol, "<code class=\"key\">", "</code>").split_whitespace().collect();
    let (status, location, _, _) = answer(
        agent()
            .post(&format!("{base}/account/second-factor/confirm"))
            .set("Cookie", &hannah)
            .send_form(&[("csrf", &csrf_of(&enrol)), ("code", &totp_now(&secret))]),
    );
    assert_eq!(status, 303);
    assert!(location.starts_with("/account?done=second-factor"), "{location}");

    // Signing out ends the session; signing in again needs the code, then the production opens.
    let (status, location, cleared, _) =
        answer(agent().post(&format!("{base}/logout")).set("Cookie", &hannah).send_form(&[]));
    assert_eq!((status, location.as_str()), (303, "/login?signed_out=1"));
    assert_eq!(cleared.as_deref(), Some("coldset_session="));
    let (status, location, _, _) = get(&hannah, "/p/dead-river");
    assert_eq!(status, 303);
    assert!(location.starts_with("/login"), "the old session is gone: {location}");
    let refused = form_sign_in(&base, "Hannah.Reed", "a long and happy password", "");
    assert!(matches!(refused, Err((401, ref b)) if b.contains("one-time code")), "{refused:?}");
    let hannah =
        form_sign_in(&base, "Hannah.Reed", "a long and happy password", &totp_now(&secret)).expect("with the code");
    let (status, _, _, inventory) = get(&hannah, "/p/dead-river");
    assert_eq!(status, 200, "{inventory}");

    // A non-administrator cannot create productions or accounts.
    let (status, _, _, _) = get(&hannah, "/new");
    assert_eq!(status, 403);
    let (status, _, _, _) = get(&hannah, &account_page);
    assert_eq!(status, 403);
}
