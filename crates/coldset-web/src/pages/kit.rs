//! A scene kit's answer (#19 item 3): the scene page's "Take out everything" and "Put
//! everything away" post to the one form endpoint (forms.rs, actions `take_kit` and
//! `put_away_kit`), which has `coldset_app`'s kit use case send one ordinary request per
//! item; this page lists each item's outcome, with a link to the item: recorded (its entry
//! number), refused (every rule, why, what to do) or not asked for (and why).

use crate::forms::violations_list;
use crate::html::production_page;
use coldset_app::kit::{KitItem, KitLine, KitOutcome};
use coldset_domain::safety::Scene;
use maud::{html, Markup};

/// Which of the two kit buttons was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KitAction {
    TakeOut,
    PutAway,
}

impl KitAction {
    /// The form action that stands for it, if `action` is one.
    pub(crate) fn of(action: &str) -> Option<KitAction> {
        match action {
            "take_kit" => Some(KitAction::TakeOut),
            "put_away_kit" => Some(KitAction::PutAway),
            _ => None,
        }
    }
}

/// The scene page's kit section: the two buttons, and where items without a known home go.
pub(crate) fn kit_section(
    state: &coldset_domain::ProductionState,
    sc: &Scene,
    forms: crate::forms::Forms<'_>,
) -> Markup {
    let scene = html! { input type="hidden" name="scene" value=(sc.id); };
    html! {
        section aria-labelledby="kit" {
            h2 id="kit" { "Scene kit" }
            p.muted {
                "Every firearm of the plan and the ammunition its loads need, in one step. "
                "Each item still passes its own checks: those that pass are recorded, the others are listed with the rule that stopped them."
            }
            (forms.form("take_kit", scene.clone(), &format!("Take out everything for scene {}", sc.number)))
            (forms.form("put_away_kit", html! {
                (scene)
                p {
                    label {
                        "Where items go that have no known home"
                        select name="location" {
                            option value="" { "Where it was taken from" }
                            (crate::forms::location_options(state))
                        }
                    }
                }
            }, "Put everything away"))
        }
    }
}

/// The answer: how many were recorded, refused and not asked for, then one card per item.
pub(crate) fn answer_page(
    p: &str,
    sc: &Scene,
    action: KitAction,
    lines: &[KitLine],
    back: &str,
) -> axum::response::Html<String> {
    let recorded = lines.iter().filter(|l| matches!(l.outcome, KitOutcome::Recorded { .. })).count();
    let refused = lines.iter().filter(|l| matches!(l.outcome, KitOutcome::Refused { .. })).count();
    let skipped = lines.len() - recorded - refused;
    let title = match action {
        KitAction::TakeOut => format!("Scene {}: taking out the kit", sc.number),
        KitAction::PutAway => format!("Scene {}: putting the kit away", sc.number),
    };
    let body = html! {
        h1 { (title) }
        div class={ "banner " (if refused > 0 { "warn" } else { "ok" }) } role="status" {
            p {
                strong { (recorded) " recorded" } ", " (refused) " refused, " (skipped) " not asked for"
                @if lines.is_empty() { ": the plan names nothing to move" }
                "."
            }
            @if refused > 0 { p { "Each refused item is still where it was: put right what its rules say, then try again." } }
        }
        ol.history.kit {
            @for line in lines { li.card data-outcome=(outcome_word(&line.outcome)) { (line_view(p, line)) } }
        }
        p { a.tap href=(back) { "Back to scene " (sc.number) } }
    };
    production_page(p, &title, body)
}

fn outcome_word(o: &KitOutcome) -> &'static str {
    match o {
        KitOutcome::Recorded { .. } => "recorded",
        KitOutcome::Refused { .. } => "refused",
        KitOutcome::NotAsked { .. } => "not-asked",
    }
}

fn line_view(p: &str, line: &KitLine) -> Markup {
    let href = match &line.item {
        KitItem::Firearm(f) => format!("/p/{p}/firearms/{f}"),
        KitItem::Container(c) => format!("/p/{p}/containers/{c}"),
    };
    html! {
        p { a href=(href) { strong { (line.name) } } }
        @match &line.outcome {
            KitOutcome::Recorded { seq, replayed } => p.ok {
                @if *replayed { "Already recorded before, as " } @else { "Recorded as " }
                a href={ "/p/" (p) "/audit?seq=" (seq) } { "entry " (seq) }
                @if *replayed { "; nothing new now" }
                "."
            },
            KitOutcome::Refused { message, violations, .. } => {
                p.warn { "Refused: nothing recorded for it." }
                @if violations.is_empty() { p { (message) } } @else { (violations_list(violations)) }
            }
            KitOutcome::NotAsked { why } => p.muted { "Not asked for: " (why) "." },
        }
    }
}
