//! Policy packs: which rules are in force and with which numbers. A production names one
//! or more packs; where they differ the strictest setting wins.

/// The packs this build knows.
pub const PACKS: &[&str] = &["industry-us", "california-2025", "nsw-au", "uk"];

/// Checks a production's pack list: at least one, all known, no repeats; sorted so the
/// recorded list does not depend on the order someone typed them in.
pub fn parse_packs(packs: &[String]) -> Result<Vec<String>, String> {
    if packs.is_empty() {
        return Err(format!("name at least one policy pack ({})", PACKS.join(", ")));
    }
    let mut out = Vec::new();
    for p in packs {
        let p = p.trim();
        if !PACKS.contains(&p) {
            return Err(format!("'{p}' is not a policy pack: use {}", PACKS.join(", ")));
        }
        if !out.iter().any(|q: &String| q == p) {
            out.push(p.to_owned());
        }
    }
    out.sort();
    Ok(out)
}
