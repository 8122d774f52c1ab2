//! The set's certificate authority for phones: when the server's certificate is the one
//! `coldset cert` made, each phone installs the authority's certificate once, from this
//! page, and from then on opens coldset over HTTPS without a warning (and can use passkeys
//! and the camera, which browsers allow only on secure pages). The page works without an
//! account: the certificate is public, and whoever is on the set's Wi-Fi may need it.

use crate::html::page;
use axum::extract::Extension;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use coldset_app::App;
use maud::{html, Markup};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/ca", get(ca_page))
        .route("/ca.crt", get(ca_certificate))
        .route("/ca.mobileconfig", get(apple_profile))
        .route("/ca-qr.svg", get(ca_qr))
}

fn not_offered() -> Response {
    let body = html! {
        h1 { "No certificate to install" }
        p { "This server does not use a certificate made by coldset, so there is nothing to install on your phone." }
    };
    (StatusCode::NOT_FOUND, page("No certificate to install", body)).into_response()
}

/// The authority's certificate in DER, from its PEM.
fn der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body.trim()).ok()
}

/// The fingerprint of the authority whose PEM is given, as the `/ca` page shows it and
/// `coldset cert` prints it, so people can compare the two.
pub fn ca_fingerprint(pem: &str) -> Option<String> {
    der(pem).map(|d| fingerprint(&d))
}

/// The SHA-256 fingerprint people can compare with what `coldset cert` printed.
fn fingerprint(der: &[u8]) -> String {
    let hash = coldset_app::access::hash_bytes(der);
    hash.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).to_uppercase()).collect::<Vec<_>>().join(":")
}

async fn ca_page(Extension(options): Extension<crate::Options>, headers: HeaderMap) -> Response {
    let Some(pem) = options.ca_pem else { return not_offered() };
    let Some(der) = der(pem) else { return not_offered() };
    let base = crate::html::base_url(&headers, options);
    page("Trust this set's coldset", view(&base, &fingerprint(&der))).into_response()
}

fn view(base: &str, fingerprint: &str) -> Markup {
    html! {
        h1 { "Trust this set's coldset on your phone" }
        p {
            "Do this once per phone. Your phone may warn you the first time you open this page: this is how you stop that warning\n\
             for good."
        }
        figure {
            img src="/ca-qr.svg" alt="QR code that opens this page on another phone" width="200" height="200";
            figcaption.muted { "The next phone: scan this code to open this page." }
        }
        h2 { "iPhone or iPad" }
        ol {
            li { a.tap href="/ca.mobileconfig" { "Open the profile" } br; "in Safari, and tap " strong { "Allow" } "." }
            li {
                "Open " strong { "Settings" } ", tap " strong { "Profile Downloaded" } ", then " strong { "Install" } "."
            }
            li {
                "Open " strong { "Settings › General › About › Certificate Trust Settings" } " and turn on\n"
                strong { "coldset set CA" } "."
            }
        }
        h2 { "Android" }
        ol {
            li { a.tap href="/ca.crt" download="coldset-set-ca.crt" { "Download the certificate" } }
            li {
                "Open " strong {
                    "Settings › Security › More security settings › Encryption & credentials › Install a certificate ›\n\
                     CA certificate"
                }
                " (the words differ a little between phones) and choose " strong { "coldset-set-ca.crt" } "."
            }
        }
        p { "Then open " a href={ (base) "/" } { (base) } "." }
        p.muted {
            "Certificate fingerprint (SHA-256), to compare with what the armorer's computer shows:" br;
            code { (fingerprint) }
        }
    }
}

async fn ca_certificate(Extension(options): Extension<crate::Options>) -> Response {
    let Some(der) = options.ca_pem.and_then(der) else { return not_offered() };
    ([(header::CONTENT_TYPE, "application/x-x509-ca-cert")], der).into_response()
}

/// An Apple configuration profile holding the authority: what iPhones install most easily.
async fn apple_profile(Extension(options): Extension<crate::Options>) -> Response {
    let Some(der) = options.ca_pem.and_then(der) else { return not_offered() };
    // Stable identifiers, derived from the certificate, so installing again replaces.
    let hash = coldset_app::access::hash_bytes(&der);
    let uuid = |salt: &str| {
        let h = coldset_app::access::hash_bytes(format!("{salt}{hash}").as_bytes()).to_uppercase();
        format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
    };
    let profile = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key><string>coldset-set-ca.cer</string>
      <key>PayloadContent</key><data>{data}</data>
      <key>PayloadDisplayName</key><string>coldset set CA</string>
      <key>PayloadIdentifier</key><string>coldset.ca.{cert_uuid}</string>
      <key>PayloadType</key><string>com.apple.security.root</string>
      <key>PayloadUUID</key><string>{cert_uuid}</string>
      <key>PayloadVersion</key><integer>1</integer>
    </dict>
  </array>
  <key>PayloadDisplayName</key><string>coldset: trust this set's computer</string>
  <key>PayloadIdentifier</key><string>coldset.profile.{profile_uuid}</string>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadUUID</key><string>{profile_uuid}</string>
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
"#,
        data = base64::engine::general_purpose::STANDARD.encode(&der),
        cert_uuid = uuid("certificate"),
        profile_uuid = uuid("profile"),
    );
    ([(header::CONTENT_TYPE, "application/x-apple-aspen-config")], profile).into_response()
}

/// A QR code of the `/ca` page, for the next phone.
async fn ca_qr(Extension(options): Extension<crate::Options>, headers: HeaderMap) -> Response {
    if options.ca_pem.is_none() {
        return not_offered();
    }
    crate::html::qr_code(&headers, options, "/ca", 200)
}
