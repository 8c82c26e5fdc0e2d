//! One complaint's page for every role: state, who acts next and by when, both sides' messages
//! and evidence side by side, the actions the viewer may take, and the timeline.

mod actions;
mod files;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use weiquan_domain::complaint::Resolution;
use weiquan_domain::*;
use weiquan_store::{Evidence, Message, Shop, User};

use super::session::Web;
use super::{Ctx, Form, FormError, error_page, i18n, render, rules};
use crate::AppState;
use crate::error::ApiError;

use actions::offered;
pub use actions::{act, message};
pub use files::{evidence, upload};

/// An action the page offers: enabled, or shown disabled with the machine's reason.
pub struct ActionView {
    pub name: &'static str,
    pub label: String,
    /// What it ends or gives up, named on the button and confirmed (`machine::consequence`).
    pub does: Option<String>,
    pub why_not: Option<String>,
}

pub struct EventView {
    pub at: String,
    pub who: String,
    pub what: &'static str,
    pub detail: String,
}

pub struct EvidenceView {
    pub url: String,
    pub kind: &'static str,
    pub name: String,
    pub size_kb: i64,
    pub image: bool,
    pub video: bool,
    pub at: String,
}

pub struct MessageView {
    pub who: String,
    pub body: String,
    pub at: String,
}

/// A tier-2 ruling as the parties and staff read it.
pub struct RulingView {
    pub decision: &'static str,
    pub remedy: String,
    pub reason: Option<String>,
    /// The rules cited, titled in the page's language.
    pub rules: Vec<String>,
    pub by: Option<String>,
    pub at: String,
    pub appeal: AppealView,
}

/// Whether and until when a ruling may be appealed.
pub enum AppealView {
    /// Open until then (the countdown starts from `remaining`).
    Until {
        at: String,
        iso: String,
        remaining: String,
    },
    /// The window has closed.
    Closed { at: String },
    /// A ruling on appeal is final.
    Final,
}

/// One column of the side-by-side view.
#[derive(Default)]
pub struct Side {
    pub messages: Vec<MessageView>,
    pub evidence: Vec<EvidenceView>,
}

#[derive(Template)]
#[template(path = "complaint.html")]
pub struct ComplaintPage {
    c: Ctx,
    k: Complaint,
    shop: Option<Shop>,
    state_label: &'static str,
    tier_label: &'static str,
    category_label: &'static str,
    claim_label: String,
    next_actor: Option<&'static str>,
    deadline: Option<String>,
    deadline_iso: String,
    remaining: String,
    overdue: bool,
    proposal: Option<String>,
    resolution: Option<String>,
    ruling: Option<RulingView>,
    /// Why a complaint waiting on a person shows no deadline.
    no_deadline: Option<&'static str>,
    consumer: Side,
    merchant: Side,
    staff: Side,
    platform: Vec<EvidenceView>,
    actions: Vec<ActionView>,
    /// Tier 2 may send the complaint to a public jury…
    jury_offer: bool,
    /// …only once both sides agree.
    jury_needs_consent: bool,
    /// The panel sitting on it now.
    jury_sitting: Option<i64>,
    can_contribute: bool,
    events: Vec<EventView>,
    /// The complaint's version (its chain's last `seq`), sent back with every action.
    version: i64,
    /// What happened after the version a stale action was decided on.
    changed: Vec<EventView>,
    form: Form,
    error: Option<FormError>,
    rules: Vec<(&'static str, &'static str)>,
    claims: Vec<(&'static str, &'static str)>,
    decisions: Vec<(&'static str, &'static str)>,
    parties: Vec<(&'static str, &'static str)>,
    evidence_kinds: Vec<(&'static str, &'static str)>,
}

/// A claim or remedy with its amount in yuan (`Cents` displays as ¥59.90).
fn claim_text(lang: Lang, c: &Claim) -> String {
    let kind = c.kind.label(lang);
    match c.amount_cents {
        Some(a) => format!("{kind} {a}"),
        None => kind.to_owned(),
    }
}

/// A proposal as people read it: what is offered, and what was said with it.
fn proposal_text(lang: Lang, p: &serde_json::Value) -> Option<String> {
    let remedy: Claim = serde_json::from_value(p.get("remedy")?.clone()).ok()?;
    let mut s = format!(
        "{}{}",
        lang.pick("方案：", "offer: "),
        claim_text(lang, &remedy)
    );
    if let Some(m) = p.get("message").and_then(|v| v.as_str())
        && !m.is_empty()
    {
        s.push_str(&format!(" “{m}”"));
    }
    Some(s)
}

/// One file for the page; `base` is the page of what it is attached to (`/complaints/7`).
pub(super) fn evidence_view(c: &Ctx, base: &str, e: &Evidence) -> EvidenceView {
    EvidenceView {
        url: format!("{base}/evidence/{}", e.sha256),
        kind: e.kind.label(c.lang),
        name: e
            .filename
            .clone()
            .unwrap_or_else(|| e.sha256.as_str()[..12].to_owned()),
        size_kb: (e.size + 1023) / 1024,
        image: e.content_type.starts_with("image/"),
        video: e.content_type.starts_with("video/"),
        at: c.time(e.at),
    }
}

/// Who did something: the two sides by their side, staff by role and name (「消费者保障专员 王敏」).
fn who(c: &Ctx, k: &Complaint, staff: &[User], actor: &str) -> String {
    let id = actor
        .strip_prefix("user:")
        .and_then(|s| s.parse::<i64>().ok());
    match id {
        Some(i) if i == k.consumer_id.0 => c.t("买家", "consumer").to_owned(),
        Some(i) if i == k.merchant_id.0 => c.t("商家", "merchant").to_owned(),
        Some(i) => staff_name(c, staff, UserId(i)),
        None if actor == weiquan_store::jury::JURY_ACTOR => {
            c.t("大众评审团", "the public jury").to_owned()
        }
        None if actor.starts_with("system") => c.t("系统（期限）", "system (deadline)").to_owned(),
        None if actor.starts_with("service:") => c
            .t("交易平台支付系统", "the marketplace's payment system")
            .to_owned(),
        None => actor.to_owned(),
    }
}

/// A staff member as the page names them.
fn staff_name(c: &Ctx, staff: &[User], id: UserId) -> String {
    match staff.iter().find(|u| u.id == id) {
        Some(u) => format!("{} {}", u.role.title(c.lang), u.display_name),
        None => c.t("平台工作人员", "platform staff").to_owned(),
    }
}

fn event_detail(c: &Ctx, data: &serde_json::Value) -> String {
    let mut parts = vec![];
    if let (Some(from), Some(to)) = (
        data.get("from").and_then(|v| v.as_str()),
        data.get("to").and_then(|v| v.as_str()),
    ) && from != to
        && let Ok(to) = weiquan_domain::State::parse(to)
    {
        parts.push(format!("→ {}", to.label(c.lang)));
    }
    for key in ["message", "reason", "note"] {
        if let Some(s) = data.get(key).and_then(|v| v.as_str())
            && !s.is_empty()
        {
            parts.push(format!("“{s}”"));
        }
    }
    if let Some(p) = data.get("proposal").and_then(|p| proposal_text(c.lang, p)) {
        parts.push(p);
    }
    let resolution = data
        .get("resolution")
        .and_then(|r| serde_json::from_value::<Resolution>(r.clone()).ok());
    if let Some(r) = resolution {
        parts.push(resolution_text(c, &r));
        if let Some(why) = r.reason.filter(|s| !s.is_empty()) {
            let why = rules::jury_words(&why, c.lang).unwrap_or(&why).to_owned();
            parts.push(format!("“{why}”"));
        }
    }
    // A jury's verdict: its tally and its jurors' reasons (never who gave them).
    if let Some(t) = data
        .get("tally")
        .and_then(|t| serde_json::from_value::<weiquan_domain::jury::Tally>(t.clone()).ok())
    {
        parts.push(format!(
            "{}{}",
            c.t("评审团投票：", "the jury's votes: "),
            super::jury::tally_words(c, &t)
        ));
    }
    if let Some(reasons) = data.get("reasons").and_then(|v| v.as_array()) {
        let r: Vec<String> = reasons
            .iter()
            .filter_map(|v| v.as_str())
            .map(|r| format!("“{r}”"))
            .collect();
        if !r.is_empty() {
            parts.push(format!(
                "{}{}",
                c.t("评审员理由：", "jurors' reasons: "),
                r.join(c.t("；", "; "))
            ));
        }
    }
    if let Some(refs) = data.get("rule_refs").and_then(|v| v.as_array()) {
        let r: Vec<&str> = refs
            .iter()
            .filter_map(|v| v.as_str())
            .map(|r| rules::label(r, c.lang))
            .collect();
        if !r.is_empty() {
            parts.push(r.join(c.t("；", "; ")));
        }
    }
    parts.join(" ")
}

/// An outcome in a line: the decision, what is owed, the rules cited.
fn resolution_text(c: &Ctx, r: &Resolution) -> String {
    let lang = c.lang;
    let mut s = match &r.remedy {
        Some(rem) => claim_text(lang, rem),
        None => c.t("无需赔付", "nothing owed").to_owned(),
    };
    if let Some(d) = r.decision {
        s = format!("{} · {s}", d.label(lang));
    }
    if !r.rule_refs.is_empty() {
        let refs: Vec<&str> = r.rule_refs.iter().map(|x| rules::label(x, lang)).collect();
        s.push_str(&format!(" · {}", refs.join(c.t("；", "; "))));
    }
    s
}

/// The ruling, with whether it may still be appealed; `None` unless a specialist ruled.
fn ruling_view(c: &Ctx, k: &Complaint, staff: &[User], policy: &Policy) -> Option<RulingView> {
    let r = k.progress.resolution.as_ref()?;
    r.decision?;
    let appeal = match r.appeal_until {
        Some(u) if u >= c.now => {
            let left = i18n::countdown(c.lang, policy, TimerKind::AppealWindow, c.now, u);
            AppealView::Until {
                at: c.time(u),
                iso: left.iso,
                remaining: left.text,
            }
        }
        Some(u) => AppealView::Closed { at: c.time(u) },
        None => AppealView::Final,
    };
    Some(RulingView {
        decision: r.decision?.label(c.lang),
        remedy: match &r.remedy {
            Some(rem) => claim_text(c.lang, rem),
            None => c.t("无需赔付", "nothing owed").to_owned(),
        },
        reason: r
            .reason
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| rules::jury_words(s, c.lang).unwrap_or(s).to_owned()),
        rules: r
            .rule_refs
            .iter()
            .map(|x| rules::label(x, c.lang).to_owned())
            .collect(),
        by: r.ruled_by.map(|u| staff_name(c, staff, u)).or_else(|| {
            r.rule_refs
                .iter()
                .any(|x| x.starts_with("大众评审裁决"))
                .then(|| c.t("大众评审团", "the public jury").to_owned())
        }),
        at: c.time(r.at),
        appeal,
    })
}

/// Loads everything the page shows, through the viewer's permission checks.
pub async fn build(
    state: &AppState,
    c: Ctx,
    id: ComplaintId,
    form: Form,
    error: Option<FormError>,
    since: Option<i64>,
) -> Result<ComplaintPage, (Ctx, ApiError)> {
    let actor = c.actor();
    let store = &state.store;
    let k = match store.complaint(&actor, id).await {
        Ok(k) => k,
        Err(e) => return Err((c, e.into())),
    };
    let loaded = async {
        let messages = store.messages(&actor, id).await?;
        let evidence = store.evidence_list(&actor, id).await?;
        let events = store.complaint_events(&actor, id).await?;
        let shop = store.shop(&k.shop_id, c.now).await?;
        let people = store.complaint_staff(&actor, id).await?;
        Ok::<_, weiquan_store::StoreError>((messages, evidence, events, shop, people))
    }
    .await;
    let (messages, evidence, events, shop, people) = match loaded {
        Ok(v) => v,
        Err(e) => return Err((c, e.into())),
    };
    let lang = c.lang;
    let (mut consumer, mut merchant, mut staff) =
        (Side::default(), Side::default(), Side::default());
    let mut platform = vec![];
    for m in messages.iter() {
        let mut v = message_view(&c, m);
        let side = match m.author_role {
            Role::Consumer => &mut consumer,
            Role::Merchant => &mut merchant,
            _ => {
                v.who = staff_name(&c, &people, m.author_id);
                &mut staff
            }
        };
        side.messages.push(v);
    }
    for e in &evidence {
        let v = evidence_view(&c, &format!("/complaints/{id}"), e);
        match e.uploaded_by {
            None => platform.push(v),
            Some(u) if u == k.consumer_id => consumer.evidence.push(v),
            Some(u) if u == k.merchant_id => merchant.evidence.push(v),
            Some(_) => staff.evidence.push(v),
        }
    }
    // What each side said with its actions (a rejection, a proposal, an escalation) stands in
    // its column next to its messages.
    for e in &events {
        let said = ["message", "reason"]
            .iter()
            .find_map(|k| e.data.get(*k).and_then(|v| v.as_str()))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .or_else(|| e.data.get("proposal").and_then(|p| proposal_text(lang, p)));
        let Some(said) = said else { continue };
        let id = e
            .actor
            .strip_prefix("user:")
            .and_then(|s| s.parse::<i64>().ok());
        let what = EventKind::label_of(&e.kind, lang);
        let (side, who) = match id {
            Some(i) if i == k.consumer_id.0 => (&mut consumer, what.to_owned()),
            Some(i) if i == k.merchant_id.0 => (&mut merchant, what.to_owned()),
            Some(i) => (
                &mut staff,
                format!("{} · {what}", staff_name(&c, &people, UserId(i))),
            ),
            None => continue,
        };
        side.messages.push(MessageView {
            who,
            body: said,
            at: c.time(e.at),
        });
    }
    for side in [&mut consumer, &mut merchant, &mut staff] {
        side.messages.sort_by(|a, b| a.at.cmp(&b.at));
    }
    let version = events.last().map(|e| e.seq).unwrap_or(0);
    let view = |e: &weiquan_store::Event| EventView {
        at: c.time(e.at),
        who: who(&c, &k, &people, &e.actor),
        what: EventKind::label_of(&e.kind, lang),
        detail: event_detail(&c, &e.data),
    };
    // What changed is read in full: a message's words too, which the timeline leaves to
    // the columns above it.
    let changed = match since {
        Some(v) => events
            .iter()
            .filter(|e| e.seq > v)
            .map(|e| {
                let mut ev = view(e);
                if let Some(body) = e.data.get("body").and_then(|b| b.as_str()) {
                    ev.detail = format!("“{body}”");
                }
                ev
            })
            .collect(),
        None => vec![],
    };
    let events = events.iter().map(view).collect();
    // An offer matters only until the complaint is resolved.
    let proposal = k
        .progress
        .proposal
        .as_ref()
        .filter(|_| k.progress.resolution.is_none())
        .map(|p| {
            let by = p.by_role.label(lang);
            let mut s = format!("{by}: {}", claim_text(lang, &p.remedy));
            if !p.message.is_empty() {
                s.push_str(&format!(" — “{}”", p.message));
            }
            s
        });
    let resolution = k
        .progress
        .resolution
        .as_ref()
        .map(|r| resolution_text(&c, r));
    let ruling = ruling_view(&c, &k, &people, store.policy());
    // Consumer protection rules without a deadline of its own (DESIGN §3): say so rather than
    // leave the deadline blank.
    let no_deadline = (k.deadline_at.is_none() && k.next_actor() == Some("protection")).then(|| {
        c.t(
            "消费者保障专员审理中，裁决无固定期限；需要补充证据时会通知并给出期限",
            "consumer protection is reviewing; a ruling has no fixed deadline, and any request for evidence comes with one",
        )
    });
    let actions = offered(&c, &k, store.policy());
    let countdown = k
        .deadline_kind()
        .zip(k.deadline_at)
        .map(|(kind, due)| i18n::countdown(lang, store.policy(), kind, c.now, due));
    let can_contribute = access::check_contribute(&actor, &k).is_ok();
    // The button shows when the policy would allow it: by itself, or once both sides agree.
    let jury_form = (actor.role == Role::Protection)
        .then(|| {
            let ask = |agree| weiquan_domain::jury::SendToJury {
                both_sides_agree: agree,
                partial_remedy: None,
            };
            let p = store.policy();
            if weiquan_domain::jury::may_send_to_jury(&k, &ask(false), p).is_ok() {
                Some(false)
            } else if weiquan_domain::jury::may_send_to_jury(&k, &ask(true), p).is_ok() {
                Some(true)
            } else {
                None
            }
        })
        .flatten();
    let jury_sitting = k.progress.jury.map(|j| j.0);
    Ok(ComplaintPage {
        state_label: k.state.label(lang),
        tier_label: k.tier.label(lang),
        category_label: k.category.label(lang),
        claim_label: claim_text(lang, &k.claim),
        next_actor: k.next_actor_label(lang),
        deadline: k.deadline_at.as_ref().map(|d| c.time(d)),
        deadline_iso: countdown
            .as_ref()
            .map(|x| x.iso.clone())
            .unwrap_or_default(),
        remaining: countdown.map(|x| x.text).unwrap_or_default(),
        overdue: k.deadline_at.is_some_and(|d| d < c.now),
        proposal,
        resolution,
        ruling,
        no_deadline,
        consumer,
        merchant,
        staff,
        platform,
        actions,
        jury_offer: jury_form.is_some(),
        jury_needs_consent: jury_form == Some(true),
        jury_sitting,
        can_contribute,
        events,
        version,
        changed,
        form,
        error,
        rules: rules::RULES.to_vec(),
        claims: ClaimKind::ALL
            .iter()
            .map(|x| (x.as_str(), x.label(lang)))
            .collect(),
        decisions: Decision::ALL
            .iter()
            .map(|x| (x.as_str(), x.label(lang)))
            .collect(),
        parties: Party::ALL
            .iter()
            .map(|x| (x.as_str(), x.label(lang)))
            .collect(),
        evidence_kinds: EvidenceKind::ALL
            .iter()
            .map(|x| (x.as_str(), x.label(lang)))
            .collect(),
        shop,
        k,
        c,
    })
}

fn message_view(c: &Ctx, m: &Message) -> MessageView {
    MessageView {
        who: m.author_role.label(c.lang).to_owned(),
        body: m.body.clone(),
        at: c.time(m.at),
    }
}

async fn show(
    state: &AppState,
    c: Ctx,
    id: ComplaintId,
    form: Form,
    error: Option<(StatusCode, FormError)>,
) -> Response {
    show_since(state, c, id, form, error, None).await
}

/// The page with an error, and what changed after version `since` (a stale action's).
async fn show_since(
    state: &AppState,
    c: Ctx,
    id: ComplaintId,
    form: Form,
    error: Option<(StatusCode, FormError)>,
    since: Option<i64>,
) -> Response {
    let status = error.as_ref().map(|(s, _)| *s);
    match build(state, c, id, form, error.map(|(_, e)| e), since).await {
        Ok(p) => {
            let mut res = render(&p);
            if let Some(s) = status {
                *res.status_mut() = s;
            }
            res
        }
        Err((c, e)) => error_page(&c, e),
    }
}

/// The complaint's page with an error above it (a file refused after the filing stood).
pub async fn with_error(state: &AppState, c: Ctx, id: ComplaintId, e: ApiError) -> Response {
    let (status, lang) = (e.status, c.lang);
    show(
        state,
        c,
        id,
        Form::default(),
        Some((status, FormError::of(e, lang))),
    )
    .await
}

pub async fn page(State(state): State<AppState>, Web(c): Web, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&c, ApiError::not_found());
    };
    show(&state, c, ComplaintId(id), Form::default(), None).await
}
