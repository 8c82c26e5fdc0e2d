//! The public jury's pages (`docs/jury.md`): `/jury` — a volunteer's invitations and panels, or
//! for tier 2 and admins every juror's record and agreement; `/jury/{id}` — a juror reads the case
//! with identities hidden and votes with a reason (or leaves), staff see every seat; and tier 2's
//! form on the complaint page that sends a complaint to a jury.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use weiquan_domain::complaint::ClaimRequest;
use weiquan_domain::jury::{SendRequest, SendToJury, VoteRequest};
use weiquan_domain::*;
use weiquan_store::{JurorRecord, JuryView};

use super::complaint::EvidenceView;
use super::session::{CsrfForm, Web};
use super::{Ctx, FormError, error_page, render};
use crate::AppState;
use crate::error::ApiError;

/// A panel's state in words.
fn state_label(c: &Ctx, s: &str) -> &'static str {
    match s {
        "open" => c.t("评审中", "voting"),
        "decided" => c.t("已裁决", "decided"),
        "returned" => c.t("未能裁决，已退回专员", "no verdict; back to a specialist"),
        _ => c.t(
            "投诉已另行了结，评审团解散",
            "the complaint ended otherwise; dissolved",
        ),
    }
}

fn side_label(c: &Ctx, side: &str) -> &'static str {
    match side {
        "consumer" => c.t("买家", "consumer"),
        "merchant" => c.t("商家", "merchant"),
        _ => c.t("平台", "platform"),
    }
}

pub struct PanelRow {
    pub id: i64,
    pub category: &'static str,
    pub state: &'static str,
    pub until: String,
    pub mine: &'static str,
}

pub struct JurorRow {
    pub name: String,
    pub panels: u32,
    pub votes: u32,
    pub left: u32,
    pub missed: u32,
    pub scored: u32,
    pub agreed: u32,
    pub rate: String,
    pub volunteer: &'static str,
}

#[derive(Template)]
#[template(path = "jury.html")]
struct JuryPage {
    c: Ctx,
    staff: bool,
    volunteer: bool,
    panels: Vec<PanelRow>,
    jurors: Vec<JurorRow>,
}

pub async fn list(State(state): State<AppState>, Web(c): Web) -> Response {
    let actor = c.actor();
    if access::may_see_jurors(actor.role) {
        let records: Vec<JurorRecord> = match state.store.juror_agreement(&actor).await {
            Ok(r) => r,
            Err(e) => return error_page(&c, e.into()),
        };
        let jurors = records
            .into_iter()
            .map(|r| JurorRow {
                name: r.juror,
                panels: r.panels,
                votes: r.votes,
                left: r.left,
                missed: r.missed,
                scored: r.scored,
                agreed: r.agreed,
                rate: r
                    .agreement
                    .map_or_else(|| "—".to_owned(), |a| format!("{:.0}%", a * 100.0)),
                volunteer: if r.volunteer {
                    c.t("是", "yes")
                } else {
                    c.t("否", "no")
                },
            })
            .collect();
        return render(&JuryPage {
            c,
            staff: true,
            volunteer: false,
            panels: vec![],
            jurors,
        });
    }
    let loaded = async {
        let s = state.store.settings(&actor).await?;
        let panels = state.store.my_juries(&actor).await?;
        Ok::<_, weiquan_store::StoreError>((s, panels))
    }
    .await;
    let (settings, panels) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(&c, e.into()),
    };
    let panels = panels
        .into_iter()
        .map(|p| PanelRow {
            id: p.id.0,
            category: p.category.label(c.lang),
            state: state_label(&c, &p.state),
            until: c.time(p.vote_until),
            mine: if p.voted {
                c.t("已投票", "voted")
            } else if p.left {
                c.t("已退出", "left")
            } else if p.state == "open" {
                c.t("待投票", "your vote is due")
            } else {
                c.t("未投票", "did not vote")
            },
        })
        .collect();
    render(&JuryPage {
        c,
        staff: false,
        volunteer: settings.juror,
        panels,
        jurors: vec![],
    })
}

pub struct SeatRow {
    pub name: String,
    pub vote: String,
    pub reason: String,
    pub status: String,
}

pub struct MessageRow {
    pub from: &'static str,
    pub body: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "jury_panel.html")]
struct PanelPage {
    c: Ctx,
    p: JuryView,
    state: &'static str,
    until: String,
    decision: Option<&'static str>,
    tally: Option<String>,
    /// The reader's own vote or leave, in words.
    mine: Option<String>,
    can_vote: bool,
    case: Option<CaseRows>,
    seats: Vec<SeatRow>,
    outcomes: Vec<(&'static str, &'static str)>,
    outcome: String,
    reason: String,
    error: Option<FormError>,
}

pub struct CaseRows {
    pub category: &'static str,
    pub product: String,
    pub claim: String,
    pub incident: String,
    pub description: String,
    pub proposal: Option<String>,
    pub messages: Vec<MessageRow>,
    pub files: Vec<EvidenceView>,
}

fn claim_words(c: &Ctx, claim: &Claim) -> String {
    match claim.amount_cents {
        Some(a) => format!("{} {a}", claim.kind.label(c.lang)),
        None => claim.kind.label(c.lang).to_owned(),
    }
}

pub(super) fn tally_words(c: &Ctx, t: &weiquan_domain::jury::Tally) -> String {
    format!(
        "{} {} · {} {} · {} {}",
        Decision::Uphold.label(c.lang),
        t.uphold,
        Decision::Partial.label(c.lang),
        t.partial,
        Decision::Reject.label(c.lang),
        t.reject
    )
}

fn panel_page(
    c: Ctx,
    p: JuryView,
    outcome: String,
    reason: String,
    error: Option<FormError>,
) -> Response {
    let lang = c.lang;
    let mine = p.mine.as_ref().map(|s| match (&s.outcome, &s.left_at) {
        (Some(o), _) => format!(
            "{}{}{}",
            c.t("您已投票：", "You voted: "),
            o.label(lang),
            s.reason
                .as_ref()
                .map(|r| format!(" — “{r}”"))
                .unwrap_or_default()
        ),
        (None, Some(_)) => c
            .t("您已退出这个评审团。", "You left this panel.")
            .to_owned(),
        (None, None) => c.t("您尚未投票。", "You have not voted yet.").to_owned(),
    });
    let can_vote = p.state == "open"
        && c.now < p.vote_until
        && p.mine
            .as_ref()
            .is_some_and(|s| s.outcome.is_none() && s.left_at.is_none());
    let case = p.case.as_ref().map(|k| CaseRows {
        category: k.category.label(lang),
        product: k.product.clone(),
        claim: claim_words(&c, &k.claim),
        incident: c.time(k.incident_at),
        description: k.description.clone(),
        proposal: k.proposal.as_ref().map(|x| {
            format!(
                "{}{}{}{}",
                side_label(&c, x.from),
                c.t("：", ": "),
                claim_words(&c, &x.remedy),
                if x.message.is_empty() {
                    String::new()
                } else {
                    format!(" — “{}”", x.message)
                }
            )
        }),
        messages: k
            .messages
            .iter()
            .map(|m| MessageRow {
                from: side_label(&c, m.from),
                body: m.body.clone(),
                at: c.time(m.at),
            })
            .collect(),
        // Shown as the complaint's page shows evidence (images and videos inline), numbered
        // instead of named: a file name may name the buyer.
        files: k
            .files
            .iter()
            .enumerate()
            .map(|(n, f)| EvidenceView {
                url: format!("/jury/{}/evidence/{}", p.id, f.sha256),
                kind: f.kind.label(lang),
                name: format!("#{}", n + 1),
                size_kb: (f.size + 1023) / 1024,
                image: f.content_type.starts_with("image/"),
                video: f.content_type.starts_with("video/"),
                at: String::new(),
            })
            .collect(),
    });
    let seats = p
        .seats
        .as_ref()
        .map(|seats| {
            seats
                .iter()
                .map(|s| SeatRow {
                    name: s.juror.clone().unwrap_or_default(),
                    vote: s
                        .outcome
                        .map(|o| o.label(lang).to_owned())
                        .unwrap_or_default(),
                    reason: s.reason.clone().unwrap_or_default(),
                    status: match (s.voted_at, s.left_at, s.agreed) {
                        (Some(_), _, Some(true)) => c
                            .t("与最终结果一致", "agreed with the final outcome")
                            .to_owned(),
                        (Some(_), _, Some(false)) => c
                            .t("与最终结果不一致", "differed from the final outcome")
                            .to_owned(),
                        (Some(t), _, None) => c.time(t),
                        (None, Some(_), _) => c.t("已退出", "left").to_owned(),
                        (None, None, _) => c.t("未投票", "not voted").to_owned(),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let outcomes = p
        .outcomes
        .iter()
        .map(|d| (d.as_str(), d.label(lang)))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut res = render(&PanelPage {
        state: state_label(&c, &p.state),
        until: c.time(p.vote_until),
        decision: p.decision.map(|d| d.label(lang)),
        tally: p.tally.as_ref().map(|t| tally_words(&c, t)),
        mine,
        can_vote,
        case,
        seats,
        outcomes,
        outcome,
        reason,
        error,
        p,
        c,
    });
    if status != StatusCode::OK && res.status() == StatusCode::OK {
        *res.status_mut() = status;
    }
    res
}

pub async fn panel(State(state): State<AppState>, Web(c): Web, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&c, ApiError::not_found());
    };
    match state.store.jury(&c.actor(), JuryId(id), c.now).await {
        Ok(p) => panel_page(c, p, String::new(), String::new(), None),
        Err(e) => error_page(&c, e.into()),
    }
}

/// A file of the case, for its juror (or tier 2), through the store's one check of what a juror
/// may see and the same headers as every evidence file (no name).
pub async fn evidence(
    State(state): State<AppState>,
    Web(c): Web,
    Path((id, sha)): Path<(i64, String)>,
) -> Response {
    let Ok(sha) = Sha256::parse(&sha) else {
        return error_page(&c, ApiError::not_found());
    };
    match state.store.jury_file(&c.actor(), JuryId(id), &sha).await {
        Ok((ev, bytes)) => crate::evidence::evidence_response(&ev, bytes),
        Err(e) => error_page(&c, e.into()),
    }
}

pub async fn vote(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let req = VoteRequest {
        outcome: form.opt("outcome"),
        reason: form.opt("reason"),
    };
    let actor = c.actor();
    match state
        .store
        .jury_vote(&actor, JuryId(id), req, state.clock.now())
        .await
    {
        Ok(_) => Redirect::to(&format!("/jury/{id}")).into_response(),
        Err(e) => {
            let e: ApiError = e.into();
            if !e.status.is_client_error() {
                return error_page(&c, e);
            }
            match state.store.jury(&actor, JuryId(id), c.now).await {
                Ok(p) => {
                    let status = e.status;
                    let err = Some(FormError::of(e, c.lang));
                    let mut res = panel_page(
                        c,
                        p,
                        form.get("outcome").to_owned(),
                        form.get("reason").to_owned(),
                        err,
                    );
                    *res.status_mut() = status;
                    res
                }
                Err(_) => error_page(&c, e),
            }
        }
    }
}

pub async fn leave(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm,
) -> Response {
    match state
        .store
        .jury_leave(&c.actor(), JuryId(id), state.clock.now())
        .await
    {
        Ok(_) => Redirect::to("/jury").into_response(),
        Err(e) => error_page(&c, e.into()),
    }
}

/// Tier 2 sends a complaint to a jury from its page; the panel's page follows.
pub async fn send(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let parsed =
        crate::web::yuan_to_cents("partial_remedy.amount_cents", form.get("partial_amount"))
            .and_then(|amount| {
                let req = SendRequest {
                    both_sides_agree: form.get("both_sides_agree") == "1",
                    partial_remedy: amount.map(|a| ClaimRequest {
                        kind: Some("refund".into()),
                        amount_cents: Some(a),
                    }),
                };
                SendToJury::parse(&req)
            });
    let send = match parsed {
        Ok(s) => s,
        Err(e) => return error_page(&c, e.into()),
    };
    match state
        .store
        .send_to_jury(&c.actor(), ComplaintId(id), send, state.clock.now())
        .await
    {
        Ok(p) => Redirect::to(&format!("/jury/{}", p.id)).into_response(),
        Err(e) => error_page(&c, e.into()),
    }
}
