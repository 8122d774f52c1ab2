//! The gate table: one row per case, for every rule id the decider enforces (`gates` runs
//! them), and the scenario builders other modules share.

use super::*;

mod ammunition;
mod check;
mod hand;
mod meeting;
mod plan;
mod record;
mod reports;
mod role;
mod staff;
mod storage;
mod training;
pub(crate) use ammunition::*;
pub(crate) use check::*;
pub(crate) use hand::*;
pub(crate) use meeting::*;
pub(crate) use plan::*;
pub(crate) use record::*;
pub(crate) use reports::*;
pub(crate) use role::*;
pub(crate) use staff::*;
pub(crate) use storage::*;
pub(crate) use training::*;

// ---- the gate table ------------------------------------------------------------------------

/// What a case expects.
pub(crate) enum Expect {
    /// Allowed; its first event is of this kind, and no alert names the rule of the row.
    Allowed(&'static str),
    /// Refused with exactly these rule ids.
    Refused(&'static [R]),
    /// ALERT/RECORD rules: allowed, and `alert.raised` events name (at least) these rules.
    Alerted(&'static [R]),
}
pub(crate) use Expect::{Alerted, Allowed, Refused};

pub(crate) struct Case {
    /// The rule this row is about.
    pub(crate) proves: R,
    pub(crate) name: &'static str,
    pub(crate) expect: Expect,
    /// Brings the standard production to the situation, then says who asks for what.
    pub(crate) step: fn(&mut Prod) -> (Actor, Command),
}

pub(crate) fn case(proves: R, name: &'static str, expect: Expect, step: fn(&mut Prod) -> (Actor, Command)) -> Case {
    Case { proves, name, expect, step }
}

pub(crate) fn run_case(c: &Case) {
    let mut p = Prod::new();
    let (actor, cmd) = (c.step)(&mut p);
    match &c.expect {
        Allowed(kind) => {
            let events =
                p.w.run(&actor, cmd).unwrap_or_else(|e| panic!("[{}] {}: expected allowed, got {e}", c.proves, c.name));
            assert_eq!(events.first().map(Event::kind), Some(*kind), "[{}] {}", c.proves, c.name);
            assert!(!alert_rules(&events).contains(&c.proves), "[{}] {}: alert raised {events:?}", c.proves, c.name);
        }
        Refused(expected) => {
            let d = p.w.refused(&actor, cmd);
            assert_eq!(d.rule_ids(), ids(expected), "[{}] {}: {d}", c.proves, c.name);
            assert_explained(&d);
        }
        Alerted(expected) => {
            let events =
                p.w.run(&actor, cmd).unwrap_or_else(|e| panic!("[{}] {}: expected allowed, got {e}", c.proves, c.name));
            let raised = alert_rules(&events);
            for rule in *expected {
                assert!(raised.contains(rule), "[{}] {}: no {rule} alert in {events:?}", c.proves, c.name);
            }
            for e in &events {
                if let Event::AlertRaised { message, .. } = e {
                    assert!(!message.trim().is_empty(), "[{}] {}: an alert without a message", c.proves, c.name);
                }
            }
        }
    }
}

/// Every rule id the decider names (checks.rs, the area modules and gate.rs).
/// `enforced_rules_match_the_decider` keeps this list honest;
/// `every_enforced_rule_has_refused_and_allowed_cases` keeps the table complete.
pub(crate) const ENFORCED: &[R] = &[
    R::Role1,
    R::Role2,
    R::Role3,
    R::Role4,
    R::Role6,
    R::Staff1,
    R::Staff2,
    R::Train1,
    R::Train2,
    R::Train3,
    R::Store1,
    R::Store2,
    R::Store3,
    R::Store4,
    R::Store5,
    R::Ammo1,
    R::Ammo2,
    R::Ammo3,
    R::Ammo4,
    R::Ammo5,
    R::Ammo6,
    R::Ammo7,
    R::Ammo8,
    R::Hand1,
    R::Hand2,
    R::Hand3,
    R::Hand4,
    R::Hand5,
    R::Hand6,
    R::Check1,
    R::Check2,
    R::Decl1,
    R::Meet1,
    R::Meet2,
    R::Meet3,
    R::Meet4,
    R::Reh1,
    R::Reh2,
    R::Aim1,
    R::Dist1,
    R::Dist2,
    R::Cam1,
    R::Med1,
    R::Rec1,
    R::Rec3,
    R::Rec4,
    R::Rec5,
    R::Rec6,
    R::Comp1,
    R::Comp2,
    R::Misf1,
    R::Misf2,
    R::Inc2,
    R::Notif1,
    R::Role5,
    R::Inc1,
    R::Store6,
];

pub(crate) fn all_cases() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(role_cases());
    v.extend(staff_cases());
    v.extend(training_cases());
    v.extend(store_cases());
    v.extend(ammo_cases());
    v.extend(hand_cases());
    v.extend(check_cases());
    v.extend(meeting_cases());
    v.extend(plan_cases());
    v.extend(record_cases());
    v.extend(reh2_rec_cases());
    v.extend(report_cases());
    v
}

pub(crate) fn run_rule(rule: R) {
    let cases: Vec<Case> = all_cases().into_iter().filter(|c| c.proves == rule).collect();
    assert!(!cases.is_empty(), "no case for {rule}");
    for c in &cases {
        run_case(c);
    }
}

/// A blank-adapted Winchester 1873 carbine in .44-40, taken in and put in the safe.
pub(crate) fn carbine(p: &mut Prod) -> FirearmId {
    let arm = p.arm();
    let mut cmd = intake_firearm(FirearmKind::BlankAdapted, "W73-340");
    if let Command::IntakeFirearm { make, model, calibre, .. } = &mut cmd {
        *make = "Winchester".into();
        *model = "1873 carbine".into();
        *calibre = ".44-40".into();
    }
    let fa = firearm_of(&p.w.ok(&arm, cmd));
    p.open(p.safe.clone());
    p.w.ok(&arm, Command::StoreFirearm { firearm: fa.clone(), location: p.safe.clone() });
    fa
}

/// The standard scene, handed over, collected and unloaded one blank short: quarter-load
/// blanks are held (R-AMMO-7). The scene is still called, the gun empty with the armorer.
pub(crate) fn short_count(p: &mut Prod) {
    p.give(p.blank_gun.clone(), p.performer.clone(), quarter_blanks());
    let arm = p.arm();
    p.w.ok(&arm, Command::Collect { firearm: p.blank_gun.clone() });
    p.w.ok(&arm, Command::UnloadFirearm { firearm: p.blank_gun.clone(), fired: 2, returned: 3 });
}

/// The armorer tries to record an override of `rule` for the standard scene.
pub(crate) fn override_of(p: &mut Prod, rule: R) -> (Actor, Command) {
    let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
    (
        p.arm(),
        Command::RecordOverride { rule, firearm: p.blank_gun.clone(), scene: sc, reason: "we know better".into() },
    )
}

/// A follow-up key's hash, as the application passes it (the key itself never reaches the
/// domain).
pub(crate) fn key_hash() -> String {
    "ab".repeat(32)
}

pub(crate) fn file_report(severity: coldset_domain::reports::Severity) -> Command {
    Command::FileReport {
        severity,
        text: "guns left on the cart over lunch".into(),
        subject: None,
        reporter_name: None,
        followup_key_hash: key_hash(),
        photos: Vec::new(),
    }
}

/// Anyone files a safety report (no account needed); returns its id.
pub(crate) fn filed(p: &mut Prod, severity: coldset_domain::reports::Severity) -> u64 {
    p.w.ok(&Actor::Anonymous, file_report(severity));
    p.w.log.last().unwrap().seq
}

/// The armorer reports an incident for the standard firearm; returns its id.
pub(crate) fn incident(p: &mut Prod, kind: coldset_domain::reports::IncidentKind, wait_seconds: Option<u32>) -> u64 {
    let arm = p.arm();
    let events = p.w.ok(
        &arm,
        Command::ReportIncident {
            kind,
            firearm: Some(p.blank_gun.clone()),
            scene: None,
            description: "click, no bang, on the second shot".into(),
            wait_seconds,
        },
    );
    assert_eq!(events.first().map(Event::kind), Some("incident.reported"));
    p.w.log.iter().rev().find(|e| matches!(e.event, Event::IncidentReported { .. })).unwrap().seq
}

/// The standard scene with approvals, meeting and sign-offs recorded before the day is
/// opened (so while no shoot day was open), then the day opened and the revolver out and
/// inspected: only the meeting's day is wrong.
pub(crate) fn meeting_before_the_day(p: &mut Prod) -> SceneId {
    let sc = p.plan_scene(take_plan(&p.blank_gun, &p.performer, quarter_blanks()));
    let steps = [
        Step::Competence,
        Step::ApproveArmorer,
        Step::ApproveAd,
        Step::ApproveSafety,
        Step::Meeting,
        Step::SignArmorer,
        Step::SignAd,
        Step::OpenDay,
        Step::TakeOut,
        Step::Inspect,
    ];
    p.run_steps(&sc, &steps, true);
    sc
}

/// The standard scene planned for tomorrow; its meeting is held and signed off today (on
/// today's open day); then the day closes and the clock moves to the scene's day, which is
/// opened, the revolver taken out and inspected. The scene is not marked ready.
pub(crate) fn scene_met_yesterday(p: &mut Prod) -> SceneId {
    let tomorrow = TODAY.tomorrow().unwrap();
    let sc = p.plan_scene_on(take_plan(&p.blank_gun, &p.performer, quarter_blanks()), tomorrow);
    let steps = [
        Step::Competence,
        Step::OpenDay,
        Step::ApproveArmorer,
        Step::ApproveAd,
        Step::ApproveSafety,
        Step::Meeting,
        Step::SignArmorer,
        Step::SignAd,
    ];
    p.run_steps(&sc, &steps, true);
    p.close_day();
    p.w.ctx.now = Timestamp(T0.0 + 24 * 60 * MINUTE_MS);
    p.w.ctx.today = tomorrow;
    p.run_steps(&sc, &[Step::OpenDay, Step::TakeOut, Step::Inspect], true);
    sc
}

/// A misfire of the standard revolver in `scene`, reported by the armorer (it is in her
/// hands, ready); returns its id.
pub(crate) fn scene_incident(p: &mut Prod, scene: &SceneId) -> u64 {
    let arm = p.arm();
    p.w.ok(
        &arm,
        Command::ReportIncident {
            kind: coldset_domain::reports::IncidentKind::Misfire,
            firearm: Some(p.blank_gun.clone()),
            scene: Some(scene.clone()),
            description: "click, no bang, at the rehearsal check".into(),
            wait_seconds: Some(30),
        },
    );
    p.w.log.iter().rev().find(|e| matches!(e.event, Event::IncidentReported { .. })).unwrap().seq
}

/// Under industry-us, the 1st AD is made safety advisor as well (allowed, with an R-ROLE-6
/// alert); returns the 1st AD.
pub(crate) fn ad_advisor(p: &mut Prod) -> PersonId {
    p.set_policy(&["industry-us"]);
    let admin = p.admin.clone();
    let events = p.w.ok(&admin, Command::AssignRole { person: p.first_ad.clone(), role: Role::SafetyAdvisor });
    assert_eq!(alert_rules(&events), vec![R::Role6]);
    p.first_ad.clone()
}

/// Records an event without the decider, as an import or a correction of the log would.
pub(crate) fn import(p: &mut Prod, event: Event) {
    let env = Envelope {
        v: events::ENCODING_VERSION,
        production: p.w.state.production_id().unwrap().clone(),
        seq: p.w.state.next_seq(),
        at: p.w.ctx.now,
        actor: p.admin.clone(),
        event,
        auth: None,
    };
    p.w.state.apply(&env).unwrap();
    p.w.log.push(env);
}

/// A performer whose permit (blank-adapted) ends today and whose safety course is in date.
pub(crate) fn expiring_performer(p: &mut Prod) -> PersonId {
    let perf = p.add_person("Eve Expiring", &[Role::Performer]);
    p.credit(perf.clone(), credential(CredentialKind::Permit, TODAY, &[FirearmKind::BlankAdapted]));
    p.credit(perf.clone(), safety_course());
    perf
}

/// A crew member whose safety course ends on `until`.
pub(crate) fn crew_with_course_until(p: &mut Prod, until: Date) -> PersonId {
    let crew = p.add_person("Gil Grip", &[Role::Crew]);
    p.credit(crew.clone(), credential(CredentialKind::SafetyCourse, until, &[]));
    crew
}

/// The range (the armorer authorised, open) and an approved R-AMMO-1 exception for range
/// training there, today and tomorrow; returns the range.
pub(crate) fn with_range_exception(p: &mut Prod) -> LocationId {
    let admin = p.admin.clone();
    let range = location_of(&p.w.ok(
        &admin,
        Command::AddLocation {
            name: "Studio range".into(),
            kind: LocationKind::Range,
            authorised: [p.armorer.clone()].into(),
        },
    ));
    p.open(range.clone());
    p.w.ok(&by(&p.safety), live_exception(&range));
    range
}

pub(crate) fn live_exception(range: &LocationId) -> Command {
    Command::RecordLiveException {
        kind: LiveExceptionKind::RangeTraining,
        range: range.clone(),
        medic: "Rae Medic, EMT".into(),
        from: TODAY,
        until: TODAY.tomorrow().unwrap(),
        reference: "Range training approval RT-7".into(),
    }
}

/// A rehearsal plan with the real revolver (its reason recorded, R-REH-1) for a performer
/// licensed for real firing firearms.
pub(crate) fn rehearsal_with_a_real_firearm(p: &mut Prod) -> (ScenePlan, FirearmId, PersonId) {
    let ray = p.add_person("Ray Rehearsal", &[Role::Performer]);
    p.credit(ray.clone(), credential(CredentialKind::Licence, Date::constant(2027, 6, 30), &[FirearmKind::RealFiring]));
    p.credit(ray.clone(), safety_course());
    let mut i = item(&p.real_gun, &ray, PlannedLoad::Dummies);
    i.real_firearm_reason = Some("the cylinder has to turn visibly in the close-up".into());
    (plan_of(SceneKind::Rehearsal, vec![i]), p.real_gun.clone(), ray)
}

/// A transport of the named items in a locked case (R-STORE-6).
pub(crate) fn transport(firearms: Vec<FirearmId>, containers: Vec<ContainerId>) -> Command {
    Command::RecordTransport {
        firearms,
        containers,
        from: "Stage 4".into(),
        to: "Prop truck".into(),
        locked_case: true,
    }
}

/// The armorer and the safety advisor close the investigation of incident `id`, and the
/// safety advisor releases the evidence.
pub(crate) fn investigated(p: &mut Prod, id: u64) {
    for who in [p.armorer.clone(), p.safety.clone()] {
        p.w.ok(
            &by(&who),
            Command::SignInvestigation {
                incident: id,
                cause: "weak primer in the lot".into(),
                corrective_action: "lot quarantined; supplier told".into(),
            },
        );
    }
    p.w.ok(&by(&p.safety), Command::ReleaseEvidence { incident: id, note: "photographed and counted".into() });
}
