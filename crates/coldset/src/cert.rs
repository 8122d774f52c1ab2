//! `coldset cert`: HTTPS that the phones on set trust, with no internet and no public name.
//! The laptop becomes its own small certificate authority (kept in the key directory,
//! `tls/`); each phone installs the authority's certificate once (the `/ca` page shows how,
//! with a QR code), and the laptop's server certificate, for its host names and addresses,
//! is signed by it. Made again (`coldset cert`) when the laptop's address changes: the
//! authority stays, so the phones need not install anything again.

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

pub const CA_CERT: &str = "ca.pem";
const CA_KEY: &str = "ca.key";
pub const SERVER_CERT: &str = "server.pem";
pub const SERVER_KEY: &str = "server.key";

/// Where the generated certificates live: `tls/` in the key directory.
pub fn tls_dir(key_dir: &Path) -> PathBuf {
    key_dir.join("tls")
}

/// What `make` wrote.
pub struct Made {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub names: Vec<String>,
    pub new_ca: bool,
}

/// The authority's parameters: the same every time, so a server certificate signed later
/// names the authority that the phones trust.
fn ca_params(installation: &str, from: (i32, u8, u8)) -> Result<CertificateParams, String> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.distinguished_name.push(DnType::CommonName, format!("coldset set CA ({installation})"));
    params.distinguished_name.push(DnType::OrganizationName, "coldset");
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.not_before = date_time_ymd(from.0, from.1, from.2);
    params.not_after = date_time_ymd(from.0 + 10, from.1, from.2.min(28));
    Ok(params)
}

/// The host names and addresses a phone on the set's network may use for this laptop:
/// `localhost`, the machine's name (and `<name>.local`, which phones resolve by mDNS), the
/// address of its default route, and what the caller adds.
pub fn default_names(extra_hosts: &[String], extra_ips: &[IpAddr]) -> Vec<String> {
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    if let Ok(host) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let host = host.trim();
        if !host.is_empty() && host != "localhost" {
            names.push(host.to_owned());
            if !host.contains('.') {
                names.push(format!("{host}.local"));
            }
        }
    }
    // The address of the default route: the one phones on the same network reach. No
    // packet is sent by connecting a UDP socket.
    if let Ok(socket) = std::net::UdpSocket::bind("0.0.0.0:0") {
        if socket.connect("192.0.2.1:9").is_ok() {
            if let Ok(addr) = socket.local_addr() {
                if !addr.ip().is_unspecified() {
                    names.push(addr.ip().to_string());
                }
            }
        }
    }
    names.extend(extra_hosts.iter().cloned());
    names.extend(extra_ips.iter().map(IpAddr::to_string));
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

fn write(path: &Path, text: &str, private: bool) -> Result<(), String> {
    if private {
        let _ = std::fs::remove_file(path);
        crate::datadir::write_private(path, text.as_bytes()).map_err(|e| e.to_string())
    } else {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

/// Makes (or keeps) the authority and makes a new server certificate for `names`, valid
/// for 397 days (phones refuse longer ones).
pub fn make(key_dir: &Path, installation: &str, names: &[String]) -> Result<Made, String> {
    let dir = tls_dir(key_dir);
    crate::datadir::private_dir(&dir).map_err(|e| e.to_string())?;
    // A certificate's validity is wall-clock dates (the CLI's `coldset cert`), not a record.
    #[allow(clippy::disallowed_methods)]
    let today = jiff::Zoned::now().date();
    let (ca_path, ca_key_path) = (dir.join(CA_CERT), dir.join(CA_KEY));
    let new_ca = !ca_path.exists() || !ca_key_path.exists();
    let ca_key = if new_ca {
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let from = (i32::from(today.year()), today.month() as u8, today.day() as u8);
        let cert = ca_params(installation, from)?.self_signed(&key).map_err(|e| e.to_string())?;
        write(&ca_key_path, &key.serialize_pem(), true)?;
        write(&ca_path, &cert.pem(), false)?;
        key
    } else {
        let pem = std::fs::read_to_string(&ca_key_path).map_err(|e| format!("{}: {e}", ca_key_path.display()))?;
        KeyPair::from_pem(&pem).map_err(|e| format!("{}: {e}", ca_key_path.display()))?
    };
    // Only the name and key of the authority matter to the certificates it signs.
    let issuer = Issuer::new(ca_params(installation, (2000, 1, 1))?, ca_key);
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    for name in names {
        params.subject_alt_names.push(match name.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(name.clone().try_into().map_err(|e| format!("'{name}': {e}"))?),
        });
    }
    params.distinguished_name.push(DnType::CommonName, names.first().cloned().unwrap_or_else(|| "coldset".into()));
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let yesterday = today.yesterday().unwrap_or(today);
    let until = today.saturating_add(jiff::Span::new().days(397));
    params.not_before = date_time_ymd(i32::from(yesterday.year()), yesterday.month() as u8, yesterday.day() as u8);
    params.not_after = date_time_ymd(i32::from(until.year()), until.month() as u8, until.day() as u8);
    let key = KeyPair::generate().map_err(|e| e.to_string())?;
    let cert = params.signed_by(&key, &issuer).map_err(|e| e.to_string())?;
    let (cert_path, key_path) = (dir.join(SERVER_CERT), dir.join(SERVER_KEY));
    write(&key_path, &key.serialize_pem(), true)?;
    write(&cert_path, &cert.pem(), false)?;
    Ok(Made { ca: ca_path, cert: cert_path, key: key_path, names: names.to_vec(), new_ca })
}

/// The generated certificate and key, made first if there are none yet.
pub fn ensure(key_dir: &Path, installation: &str) -> Result<(PathBuf, PathBuf), String> {
    let dir = tls_dir(key_dir);
    let (cert, key) = (dir.join(SERVER_CERT), dir.join(SERVER_KEY));
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    let made = make(key_dir, installation, &default_names(&[], &[]))?;
    Ok((made.cert, made.key))
}
