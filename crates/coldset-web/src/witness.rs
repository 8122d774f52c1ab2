//! Every device on set is a witness of the ledger. Each page of a production remembers, in
//! the browser's storage, the newest checkpoint that device was shown; on the next page it
//! checks that the server's newest checkpoint extends it (an RFC 9162 consistency proof,
//! checked in the browser against the roots in the two signed notes, never against roots
//! the server claims). A smaller log (rollback) or a different one (fork) raises an alarm
//! on that screen and files a safety report, which reaches the safety advisor like any
//! other. The server cannot quietly rewrite what a phone, the board or the audit page has
//! already seen.
//!
//! Hashing needs WebCrypto, which browsers give only over HTTPS or on localhost; without it
//! a device still catches a rollback or a fork at the same size, and remembers growth
//! unchecked (it says so in the console).

/// The tag that makes a production page a witness.
pub fn script_tag(production: &str) -> maud::Markup {
    maud::html! { script src=(crate::assets::Asset::Witness.url()) data-production=(production) {} }
}
