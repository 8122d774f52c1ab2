//! Rotating the ledger key (#20, docs/adr/0006-key-rotation.md) through the real binary: the
//! new key is announced by a statement the old key and the new one sign; the log goes on
//! under the new key; serving again, `verify` of the data directory and of a bundle, and a
//! witness that pinned the old key all follow the chain; a checkpoint by a third key, one
//! by the retired key after the rotation, and an announcement the old key did not sign are
//! refused.

use super::{coldset, copy_data, demo_password, keys_of, make_demo_ledger, p, sign_in, start, text};
use coldset_ledger::{Checkpoint, KeyRotation, SignerKey};
use std::path::Path;

fn ledger_pub(data: &Path) -> String {
    std::fs::read_to_string(data.join("ledger.pub")).unwrap().trim().to_owned()
}

/// The signing key named by a verifier key, from the key directory.
fn signer(data: &Path, verifier: &str) -> SignerKey {
    let mut parts = verifier.split('+');
    let (name, id) = (parts.next().unwrap(), parts.next().unwrap());
    let file = keys_of(data).join(format!("{name}+{id}.key"));
    SignerKey::parse_private(std::fs::read_to_string(file).unwrap().trim()).unwrap()
}

/// The newest checkpoint in a checkpoint copy: (size, its note).
fn newest(copy: &Path) -> (u64, String) {
    std::fs::read_to_string(copy)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| (v["size"].as_u64().unwrap(), v["note"].as_str().unwrap().to_owned()))
        .max_by_key(|(size, _)| *size)
        .unwrap()
}

/// Appends a checkpoint line to a checkpoint copy, as a server would.
fn append_copy(copy: &Path, note: &str) {
    let cp = Checkpoint::parse_body(&note[..note.rfind("\n\n").unwrap() + 1]).unwrap();
    let line = serde_json::json!({
        "production": "dead-river", "size": cp.size, "root": hex::encode(cp.root),
        "at": "2026-12-07T00:00:00Z", "note": note,
    });
    let mut text = std::fs::read_to_string(copy).unwrap();
    text.push_str(&format!("{line}\n"));
    std::fs::write(copy, text).unwrap();
}

/// The audit page's verifier key (the key of the newest checkpoint), and whether the server
/// says that checkpoint's signature verifies with it.
fn audit_key(base: &str, session: &str) -> (String, bool) {
    let page =
        ureq::get(&format!("{base}/p/dead-river/audit")).set("Cookie", session).call().unwrap().into_string().unwrap();
    let at = page.find("id=\"verifier-key\">").unwrap() + "id=\"verifier-key\">".len();
    let key = page[at..at + page[at..].find('<').unwrap()].to_owned();
    (key, page.contains("The server checked its signature."))
}

fn refused(args: &[&str], what: &str) -> String {
    let o = coldset(args);
    assert!(!o.status.success(), "{what} was accepted: {}", text(&o));
    text(&o)
}

#[test]
fn the_ledger_key_rotates_and_every_checker_follows_the_signed_announcement() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _) = make_demo_ledger(tmp.path());
    let old = ledger_pub(&data);
    let state = tmp.path().join("witness");
    {
        let server = start(&["serve", "--data", p(&data)]);
        let url = format!("{}/api/v1/productions/dead-river", server.base);
        let o = coldset(&["witness", "--url", &url, "--state", p(&state), "--key", &old]);
        assert!(o.status.success(), "{}", text(&o));
        // Not while the server writes: the rotation needs the directory to itself.
        let busy = refused(&["key", "rotate", "--data", p(&data)], "a rotation while serving");
        assert!(busy.contains("another coldset process"), "{busy}");
        server.stop();
    }
    let at_rotation = newest(&data.join("checkpoints.jsonl")).0;

    let o = coldset(&["key", "rotate", "--data", p(&data)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&format!("dead-river: handed over at {at_rotation} events")), "{}", text(&o));
    let new = ledger_pub(&data);
    assert_ne!(new, old);
    // Same name, so every checkpoint keeps its origin (<name>/<production>).
    assert_eq!(new.split('+').next(), old.split('+').next());
    assert!(text(&o).contains(&new));
    for dir in [data.clone(), keys_of(&data)] {
        let statements = std::fs::read_to_string(dir.join("key-rotations.jsonl")).unwrap();
        let note: serde_json::Value = serde_json::from_str(statements.lines().next().unwrap()).unwrap();
        let rotation = KeyRotation::open(note["note"].as_str().unwrap()).unwrap();
        assert_eq!((rotation.old.to_string(), rotation.new.to_string()), (old.clone(), new.clone()));
        assert_eq!(rotation.heads["coldset.demo/dead-river"].0, at_rotation);
    }

    // The log goes on under the new key; the witness that pinned the old key follows the
    // announcement the server serves, and pins the new key.
    {
        let server = start(&["serve", "--data", p(&data)]);
        let key = ureq::get(&format!("{}/api/v1/ledger/verifier-key", server.base)).call().unwrap();
        assert_eq!(key.into_string().unwrap(), new);
        let rotations = server.get("/api/v1/ledger/key-rotations");
        assert_eq!(rotations["items"].as_array().unwrap().len(), 1);
        // The audit page checks the newest checkpoint with the key that signed it: the old
        // one until the log grows.
        let (session, _) = sign_in(&server.base, "admin", &demo_password(&data, "admin"));
        assert_eq!(audit_key(&server.base, &session), (old.clone(), true));
        for i in 0..3 {
            ureq::post(&format!("{}/api/v1/productions/dead-river/reports", server.base))
                .set("Content-Type", "application/json")
                .send_string(&format!(r#"{{"severity":"information","text":"after the rotation {i}"}}"#))
                .unwrap();
        }
        let url = format!("{}/api/v1/productions/dead-river", server.base);
        let mut last = String::new();
        super::wait_for("a checkpoint by the new key", || {
            let o = coldset(&["witness", "--url", &url, "--state", p(&state)]);
            last = text(&o);
            o.status.success() && last.contains("now pinned")
        });
        assert!(last.contains("consistent"), "{last}");
        assert_eq!(std::fs::read_to_string(state.join("verifier.key")).unwrap().trim(), new);
        // Pinned to the new key, the witness goes on from the new checkpoint.
        let o = coldset(&["witness", "--url", &url, "--state", p(&state)]);
        assert!(o.status.success() && !text(&o).contains("now pinned"), "{}", text(&o));
        assert_eq!(audit_key(&server.base, &session), (new.clone(), true));
        server.stop();
    }
    let (after, note) = newest(&data.join("checkpoints.jsonl"));
    assert!(after > at_rotation);
    assert!(coldset_ledger::open_checkpoint(&note, &coldset_ledger::VerifierKey::parse(&new).unwrap()).is_ok());
    // Serving again: the start-up check accepts the old key's checkpoints up to the
    // rotation and the new key's after it.
    start(&["serve", "--data", p(&data)]).stop();

    // verify, trusting the key directory, the first key an auditor was given, or the new one.
    for key in [None, Some(old.as_str()), Some(new.as_str())] {
        let mut args = vec!["verify", "--data", p(&data)];
        args.extend(key.iter().flat_map(|k| ["--key", *k]));
        let o = coldset(&args);
        assert!(o.status.success(), "{key:?}: {}", text(&o));
        assert!(text(&o).contains("key rotations: 1"), "{}", text(&o));
    }
    let bundle = tmp.path().join("dead-river.bundle");
    let o = coldset(&["export", "--data", p(&data), "--production", "dead-river", "--out", p(&bundle)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read_to_string(&bundle).unwrap().starts_with("coldset-bundle 2\n"));
    for key in [old.as_str(), new.as_str()] {
        let o = coldset(&["verify", "--bundle", p(&bundle), "--key", key]);
        assert!(o.status.success(), "{key}: {}", text(&o));
        assert!(text(&o).contains(&format!("{after} events ok")) || text(&o).contains("events ok"), "{}", text(&o));
    }
    // A compliance pack lists checkpoints of both keys; verify --record checks the old key's
    // with the key chain the bundle's rotations make, from the key an auditor holds now.
    let pack = tmp.path().join("pack.csv");
    let o =
        coldset(&["report", "compliance-pack", "--data", p(&data), "--production", "dead-river", "--out", p(&pack)]);
    assert!(o.status.success(), "{}", text(&o));
    let o = coldset(&["verify", "--record", p(&pack), "--key", &new, "--bundle", p(&bundle)]);
    assert!(o.status.success() && text(&o).contains("signed by the 2 keys of"), "{}", text(&o));
    // A backup of the rotated installation restores and verifies (the rotations travel in it).
    let backup = tmp.path().join("rotated.tar");
    let o = coldset(&["backup", "--data", p(&data), "--out", p(&backup)]);
    assert!(o.status.success(), "{}", text(&o));
    let o = coldset(&["restore", "--from", p(&backup), "--data", p(&tmp.path().join("restored"))]);
    assert!(o.status.success() && text(&o).contains("key rotations: 1"), "{}", text(&o));
    let stranger = SignerKey::generate("coldset.demo").unwrap();
    let o = refused(
        &["verify", "--bundle", p(&bundle), "--key", &stranger.verifier().to_string()],
        "a bundle checked against a key outside the chain",
    );
    assert!(o.contains("not by the key you trust"), "{o}");

    // A checkpoint signed by a third key of the same name, in the key directory's copy:
    // refused by serve and by verify.
    let (size, note) = newest(&keys_of(&data).join("checkpoints.jsonl"));
    let body = Checkpoint::parse_body(&note[..note.rfind("\n\n").unwrap() + 1]).unwrap();
    let third = tmp.path().join("third");
    copy_data(&data, &third);
    append_copy(&keys_of(&third).join("checkpoints.jsonl"), &coldset_ledger::sign_checkpoint(&stranger, &body));
    let o = refused(&["serve", "--data", p(&third), "--listen", "127.0.0.1:0"], "a third key's checkpoint");
    assert!(o.contains("not signed by this installation's key"), "{o}");
    refused(&["verify", "--data", p(&third)], "a third key's checkpoint");

    // The retired key signing after the rotation (someone who kept it): refused too.
    let retired = tmp.path().join("retired");
    copy_data(&data, &retired);
    let resigned = coldset_ledger::sign_checkpoint(&signer(&data, &old), &body);
    append_copy(&retired.join("checkpoints.jsonl"), &resigned);
    let o = refused(&["serve", "--data", p(&retired), "--listen", "127.0.0.1:0"], "the retired key's checkpoint");
    assert!(o.contains("retired key"), "{o}");
    let o = refused(&["verify", "--data", p(&retired), "--key", &old], "the retired key's checkpoint");
    assert!(o.contains("retired key") && o.contains(&size.to_string()), "{o}");

    // An announcement the old key did not sign: the holder of a key of their own announces
    // it as the successor (and signs with it); nothing accepts it.
    let forged = tmp.path().join("forged");
    copy_data(&data, &forged);
    let statement = {
        let line = std::fs::read_to_string(data.join("key-rotations.jsonl")).unwrap();
        let v: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
        KeyRotation::open(v["note"].as_str().unwrap()).unwrap()
    };
    let text_signed = statement.text();
    let by_new = coldset_ledger::sign_note(&signer(&data, &new), &text_signed).unwrap();
    let by_stranger = coldset_ledger::sign_note(&stranger, &text_signed).unwrap();
    let forged_note = format!("{by_new}{}\n", by_stranger.lines().last().unwrap());
    let line = serde_json::json!({ "note": forged_note });
    for dir in [forged.clone(), keys_of(&forged)] {
        std::fs::write(dir.join("key-rotations.jsonl"), format!("{line}\n")).unwrap();
    }
    let o = refused(&["serve", "--data", p(&forged), "--listen", "127.0.0.1:0"], "an announcement not by the old key");
    assert!(o.contains("not signed by the old key"), "{o}");
    let o = refused(&["verify", "--data", p(&forged), "--key", &old], "an announcement not by the old key");
    assert!(o.contains("not signed by the old key"), "{o}");
    // And with no announcement at all, the new key alone does not vouch for the old history.
    let missing = tmp.path().join("missing");
    copy_data(&data, &missing);
    for dir in [missing.clone(), keys_of(&missing)] {
        std::fs::remove_file(dir.join("key-rotations.jsonl")).unwrap();
    }
    refused(&["verify", "--data", p(&missing)], "the old key's checkpoints with no rotation");
    refused(&["verify", "--data", p(&missing), "--key", &old], "the new key's checkpoints with no rotation");
}
