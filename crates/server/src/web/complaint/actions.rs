//! The actions a complaint's page offers (tried against the machine for this viewer) and the
//! forms that take them: an action, a message.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use weiquan_domain::action::{ActionRequest, ViolationRequest};
use weiquan_domain::complaint::ClaimRequest;
use weiquan_domain::machine::{Action, Trigger};
use weiquan_domain::*;

use super::{ActionView, show, show_since};
use crate::AppState;
use crate::error::ApiError;
use crate::web::session::{CsrfForm, Web};
use crate::web::{Ctx, Form, FormError, rules};

/// The actions to try against the machine, with placeholder details: what matters here is
/// whether this viewer may take them in this state, which the details do not change.
pub(super) fn candidates() -> Vec<Action> {
    let note = "-".repeat(2);
    vec![
        Action::Accept,
        Action::Propose {
            remedy: Claim {
                kind: ClaimKind::Other,
                amount_cents: None,
            },
            message: String::new(),
        },
        Action::Reject {
            message: note.clone(),
        },
        Action::Escalate { reason: None },
        Action::TakeOver,
        Action::RequestEvidence {
            from: Party::Consumer,
            message: note.clone(),
        },
        Action::SubmitEvidence,
        Action::Rule {
            decision: Decision::Reject,
            remedy: None,
            rule_refs: vec![note.clone()],
            reason: None,
            violation: None,
            fraud: false,
        },
        Action::Fulfil { note: None },
        Action::Confirm,
        Action::Appeal {
            reason: note.clone(),
        },
        Action::Withdraw { reason: None },
        Action::Forward { reason: note },
    ]
}

pub(super) fn offered(c: &Ctx, k: &Complaint, policy: &Policy) -> Vec<ActionView> {
    let actor = c.actor();
    let mut out = vec![];
    for a in candidates() {
        let name = a.name();
        match weiquan_domain::decide(k, Trigger::Act(&actor, &a), c.now, policy) {
            // An action that ends or gives up something says so on its button and is confirmed.
            Ok(t) => out.push(ActionView {
                name,
                label: a.label(c.lang).to_owned(),
                does: weiquan_domain::machine::consequence(k, &a, &t)
                    .map(|w| w.get(c.lang).to_owned()),
                why_not: None,
            }),
            // The consumer sees why escalating is not possible yet (DESIGN §3: tier order).
            Err(e)
                if name == "escalate" && access::is_consumer_of(&actor, k) && k.state.is_open() =>
            {
                out.push(ActionView {
                    name,
                    label: a.label(c.lang).to_owned(),
                    does: None,
                    why_not: Some(e.message(c.lang)),
                })
            }
            Err(_) => {}
        }
    }
    out
}

/// The form of an action as the API's request, so that the same parser reads both.
pub(super) fn action_request(f: &Form) -> Result<ActionRequest, DomainError> {
    let mut errs = weiquan_domain::error::FieldErrors::new();
    let remedy = f.opt("remedy_kind").map(|kind| ClaimRequest {
        kind: Some(kind),
        amount_cents: errs
            .take(crate::web::yuan_to_cents(
                "remedy.amount_cents",
                f.get("remedy_amount"),
            ))
            .flatten(),
    });
    let refs = f.all("rule_refs");
    if refs.iter().any(|r| !rules::is_known(r)) {
        errs.push(FieldError::new(
            "rule_refs",
            "只能引用列表中的规则",
            "cite rules from the list only",
        ));
    }
    let violation = f.opt("violation_kind").map(|kind| ViolationRequest {
        kind: Some(kind),
        points: f.get("violation_points").trim().parse().ok(),
    });
    errs.finish()?;
    let decision = f.opt("decision");
    Ok(ActionRequest {
        action: f.opt("action"),
        // A rejecting ruling grants nothing, whatever the remedy fields held.
        remedy: if decision.as_deref() == Some("reject") {
            None
        } else {
            remedy
        },
        message: f.opt("message"),
        reason: f.opt("reason"),
        from: f.opt("from"),
        decision,
        rule_refs: Some(refs),
        violation,
        // 消费者权益保护法 Art. 55: the ruling found fraud.
        fraud: Some(f.get("fraud") == "1"),
        note: f.opt("note"),
        version: f.get("version").trim().parse().ok(),
    })
}

pub async fn act(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let id = ComplaintId(id);
    let parsed = action_request(&form).and_then(|r| Ok((Action::parse(&r)?, r.version)));
    let (action, version) = match parsed {
        Ok(a) => a,
        Err(e) => {
            let e = ApiError::from(e);
            let status = e.status;
            return show(&state, c, id, form, Some((status, FormError::of(e, lang)))).await;
        }
    };
    if form.get("confirm") != "1"
        && let Some(what) = consequence(&state, &c, id, &action).await
    {
        let e = ApiError::from(DomainError::invalid(
            "confirm",
            format!("请先勾选确认：{}", what.zh),
            format!("tick the box to confirm first: {}", what.en),
        ));
        let status = e.status;
        return show(&state, c, id, form, Some((status, FormError::of(e, lang)))).await;
    }
    let name = action.name();
    match state
        .store
        .act_at(&c.actor(), id, action, version, state.clock.now())
        .await
    {
        Ok(k) => {
            state.metrics.actions.inc();
            tracing::info!(complaint = %id, action = name, state = k.state.as_str(), "acted on the web");
            Redirect::to(&format!("/complaints/{id}")).into_response()
        }
        Err(e) => {
            let e = ApiError::from(e);
            let status = e.status;
            // A stale tab is shown what happened since the version it acted on.
            let since = version.filter(|_| e.code == "stale_version");
            show_since(
                &state,
                c,
                id,
                form,
                Some((status, FormError::of(e, lang))),
                since,
            )
            .await
        }
    }
}

/// What the action would end or give up on the complaint as it stands, if anything: such an
/// action is taken only with the page's confirmation ticked. Asked of the machine, like the
/// buttons; a refusal is left for the store to answer.
async fn consequence(state: &AppState, c: &Ctx, id: ComplaintId, action: &Action) -> Option<Text> {
    let actor = c.actor();
    let k = state.store.complaint(&actor, id).await.ok()?;
    let t = weiquan_domain::decide(
        &k,
        Trigger::Act(&actor, action),
        c.now,
        state.store.policy(),
    )
    .ok()?;
    weiquan_domain::machine::consequence(&k, action, &t)
}

pub async fn message(
    State(state): State<AppState>,
    Web(c): Web,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let lang = c.lang;
    let id = ComplaintId(id);
    let result = match parse_text("body", form.get("body"), 1, 2000) {
        Ok(body) => state
            .store
            .add_message(&c.actor(), id, body, state.clock.now())
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/complaints/{id}#messages")).into_response(),
        Err(e) => {
            let status = e.status;
            show(&state, c, id, form, Some((status, FormError::of(e, lang)))).await
        }
    }
}
